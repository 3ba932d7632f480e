"""Exact zero tests for SymPy expressions, fast path first.

``sympy.simplify`` is slow on the rational functions the `sk` proofs produce; cancelling the
expanded expression decides most of them in milliseconds and is exact.  Only when that leaves a
non-zero expression (radicals, powers with symbolic exponents) is ``simplify`` tried.
"""

from __future__ import annotations

from typing import Any

import sympy

__all__ = ["is_zero"]


def is_zero(expr: Any) -> bool:
    """True iff ``expr`` simplifies to 0 (exactly).

    >>> r = sympy.Symbol("r", positive=True)
    >>> is_zero((r**2 - 1)/(r - 1) - r - 1), is_zero(sympy.sqrt(r**2) - r), is_zero(r - 1)
    (True, True, False)
    """
    e = sympy.cancel(sympy.expand(sympy.sympify(expr)))
    return e == 0 or sympy.simplify(e) == 0
