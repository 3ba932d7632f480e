"""Turning check results into plain JSON data, and comparing replayed results with stored ones.

Exact SymPy values are stored as ``{"expr": "<text>"}`` (read back with the restricted parser);
mpmath and arb numbers as decimal strings; NumPy scalars and arrays as Python numbers and lists.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy

from ncverify.report.safe_expr import parse_expression

__all__ = ["keys_match", "to_jsonable"]

#: Relative tolerance for float key results on replay (different BLAS, same maths).
FLOAT_RTOL = 1e-9


def to_jsonable(x: Any) -> Any:
    """Recursively convert ``x`` to JSON-safe data (no NaN/inf: they become strings)."""
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return x if math.isfinite(x) else repr(x)
    if isinstance(x, dict):
        return {str(k): to_jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, set, frozenset)):
        items = sorted(x, key=repr) if isinstance(x, (set, frozenset)) else x
        return [to_jsonable(v) for v in items]
    if isinstance(x, np.ndarray):
        return to_jsonable(x.tolist())
    if isinstance(x, sympy.MatrixBase):
        return [[to_jsonable(v) for v in x.row(i)] for i in range(x.rows)]
    if isinstance(x, sympy.logic.boolalg.BooleanAtom):
        return bool(x)
    if isinstance(x, sympy.Integer):
        return int(x)
    if isinstance(x, sympy.Basic):
        text = sympy.sstr(x)
        parse_expression(text)  # what we store must be readable by the restricted parser
        return {"expr": text}
    if isinstance(x, Fraction):
        return {"expr": f"{x.numerator}/{x.denominator}"}
    if isinstance(x, mpmath.mpf):
        return mpmath.nstr(x, 40)
    try:
        import flint

        if isinstance(x, flint.arb):
            return x.str(radius=True)
        if isinstance(x, (flint.fmpz, flint.fmpq)):
            return {"expr": str(x)}
    except ImportError:  # pragma: no cover
        pass
    raise TypeError(f"cannot store a {type(x).__name__} in a certificate")


def validate_expressions(x: Any, where: str = "") -> None:
    """Parse every ``{"expr": ...}`` inside ``x`` with the restricted parser (never eval)."""
    if isinstance(x, dict):
        if set(x) == {"expr"}:
            parse_expression(x["expr"])
            return
        for k, v in x.items():
            validate_expressions(v, f"{where}.{k}")
    elif isinstance(x, list):
        for i, v in enumerate(x):
            validate_expressions(v, f"{where}[{i}]")


def keys_match(stored: Any, fresh: Any) -> bool:
    """Whether a replayed key result equals the stored one.

    Exact values must be equal; floats agree to ``FLOAT_RTOL``; ``{"expr"}`` values are compared
    as parsed SymPy expressions.
    """
    if isinstance(stored, dict) and set(stored) == {"expr"}:
        if not (isinstance(fresh, dict) and set(fresh) == {"expr"}):
            return False
        a, b = parse_expression(stored["expr"]), parse_expression(fresh["expr"])
        return a == b or sympy.simplify(a - b) == 0
    if isinstance(stored, bool) or isinstance(fresh, bool):
        return stored is fresh
    if isinstance(stored, (int, float)) and isinstance(fresh, (int, float)):
        if isinstance(stored, int) and isinstance(fresh, int):
            return stored == fresh
        return math.isclose(stored, fresh, rel_tol=FLOAT_RTOL, abs_tol=1e-300)
    if isinstance(stored, dict) and isinstance(fresh, dict):
        return stored.keys() == fresh.keys() and all(keys_match(stored[k], fresh[k])
                                                     for k in stored)
    if isinstance(stored, list) and isinstance(fresh, list):
        return len(stored) == len(fresh) and all(keys_match(a, b)
                                                 for a, b in zip(stored, fresh, strict=True))
    return stored == fresh
