"""Argument validation shared by every public function: one clear ``ValueError`` per bad value.

The message always names the parameter and the value it got, so the CLI can print it as one line.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any

__all__ = ["as_rational", "require_int", "require_positive", "require_probability"]


def require_int(name: str, value: Any, minimum: int | None = None) -> int:
    """Return ``value`` as ``int`` if it is an integer (not a bool) and at least ``minimum``.

    >>> require_int("K", 4, minimum=2)
    4
    >>> require_int("K", 1, minimum=2)
    Traceback (most recent call last):
    ...
    ValueError: K must be an integer >= 2, got 1
    """
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok and hasattr(value, "is_Integer"):  # sympy.Integer
        ok = bool(value.is_Integer)
    if not ok:
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return value


def require_positive(name: str, value: Any) -> Any:
    """Return ``value`` unchanged if it is a finite real number > 0 (int, float, Fraction,
    SymPy or mpmath number); raise ``ValueError`` naming ``name`` otherwise.

    >>> require_positive("lam", 0.5)
    0.5
    >>> require_positive("lam", float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: lam must be a finite real number > 0, got nan
    """
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a finite real number > 0, got {value!r}")
    try:
        if isinstance(value, (numbers.Real, Fraction)):
            x = float(value)
        elif hasattr(value, "is_real") and hasattr(value, "is_positive"):  # sympy
            if value.is_real is not True or value.is_positive is not True or not value.is_finite:
                raise ValueError
            return value
        else:  # mpmath.mpf and numpy scalars
            x = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be a finite real number > 0, got {value!r}") from None
    if not math.isfinite(x) or not x > 0:
        raise ValueError(f"{name} must be a finite real number > 0, got {value!r}")
    return value


def require_probability(name: str, value: Any) -> float:
    """Return ``value`` as float if it lies in [0, 1]."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}") from None
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    return x


def as_rational(value: Any):
    """An exact SymPy Rational for a number given by a user.

    A float is read as the decimal it prints as (``0.01`` means 1/100, not the nearest binary
    double), so every high-precision routine sees the same λ whatever type it was given.

    >>> import numpy as np
    >>> [as_rational(x) for x in (0.01, 2**-10, Fraction(1, 3), np.float64(0.5))]
    [1/100, 1/1024, 1/3, 1/2]
    """
    import sympy

    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, sympy.Rational):
        return value
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, numbers.Integral):
        return sympy.Integer(int(value))
    if isinstance(value, float):  # includes numpy.float64
        return sympy.Rational(repr(float(value)))
    import mpmath

    if isinstance(value, mpmath.mpf):
        man, exp = value.man_exp
        return sympy.Integer(int(man)) * sympy.Integer(2) ** int(exp)
    return sympy.nsimplify(value, rational=True)
