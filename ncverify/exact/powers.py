"""Exact comparison of rational powers: decide ``a^(p/q) < b`` by raising both sides to the q-th
power, so the decision is an integer comparison."""

from __future__ import annotations

from fractions import Fraction

from ncverify.models.validation import require_int

__all__ = ["rational_power_cmp", "rational_power_less"]


def rational_power_less(a: Fraction | int, p: int, q: int, b: Fraction | int) -> bool:
    """Decide ``a^(p/q) < b`` exactly for rationals a > 0, b and integers p >= 0, q >= 1.

    ``a^(p/q) < b`` holds iff b > 0 and ``a^p < b^q`` (both sides positive, x ↦ x^q increasing).

    >>> rational_power_less(2, 2, 3, Fraction(5, 3))   # 2^(2/3) = 1.587... < 5/3
    True
    >>> rational_power_less(2, 2, 3, Fraction(3, 2))
    False
    """
    a, b = Fraction(a), Fraction(b)
    p, q = require_int("p", p, minimum=0), require_int("q", q, minimum=1)
    if a <= 0:
        raise ValueError(f"a must be > 0, got {a}")
    if b <= 0:
        return False
    return a**p < b**q


def rational_power_cmp(a: Fraction | int, p: int, q: int, b: Fraction | int) -> int:
    """Sign of ``a^(p/q) - b`` (-1, 0 or 1), exactly, for rational a > 0 and any rational b.

    >>> [rational_power_cmp(2, 1, 1, 2), rational_power_cmp(2, 2, 3, 1),
    ...  rational_power_cmp(4, 1, 2, 3)]
    [0, 1, -1]
    """
    a, b = Fraction(a), Fraction(b)
    p, q = require_int("p", p, minimum=0), require_int("q", q, minimum=1)
    if a <= 0:
        raise ValueError(f"a must be > 0, got {a}")
    if b <= 0:
        return 1
    lhs, rhs = a**p, b**q
    return (lhs > rhs) - (lhs < rhs)
