"""Arb ball arithmetic (python-flint): inequalities proven with rigorous error bounds."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import flint
import mpmath

__all__ = ["arb_from_mpf", "arb_from_sympy", "arb_precision", "certified_less"]


@contextmanager
def arb_precision(bits: int):
    """Temporarily set Arb's working precision, restoring the caller's afterwards."""
    old = flint.ctx.prec
    flint.ctx.prec = bits
    try:
        yield
    finally:
        flint.ctx.prec = old


def arb_from_mpf(x: mpmath.mpf) -> flint.arb:
    """The exact binary value of an mpmath number as an Arb ball of radius 0."""
    man, exp = mpmath.mpf(x).man_exp
    return flint.arb(flint.fmpz(int(man))) * flint.arb(2) ** int(exp)


def certified_less(f: Callable[[flint.arb], Any], g: Callable[[flint.arb], Any], x: Any,
                   bits: int = 256) -> tuple[bool | None, str, str]:
    """Decide ``f(x) < g(x)`` with Arb balls at the exact point x.

    Returns ``(True, f, g)`` when the balls prove it, ``(False, ...)`` when they prove the
    opposite (``f(x) >= g(x)``), and ``(None, ...)`` when the balls overlap at this precision.
    """
    with arb_precision(bits):
        xa = arb_from_mpf(x) if isinstance(x, mpmath.mpf) else flint.arb(x)
        a, b = f(xa), g(xa)
        if a < b:
            verdict: bool | None = True
        elif a >= b:
            verdict = False
        else:
            verdict = None
        return verdict, a.str(20, radius=True), b.str(20, radius=True)


def arb_from_sympy(x) -> flint.arb:
    """An exact SymPy number built from rationals, +, ×, square roots and cos/sin of rational
    multiples of π, as an Arb ball at the current precision (raises for anything else).

    >>> import sympy
    >>> arb_from_sympy(sympy.cos(sympy.pi / 3) + sympy.sqrt(2)).contains(flint.arb(2).sqrt() + 0.5)
    True
    """
    import sympy

    x = sympy.sympify(x)
    if x.is_Rational:
        return flint.arb(flint.fmpq(int(x.p), int(x.q)))
    if isinstance(x, (sympy.cos, sympy.sin)):
        q = sympy.Rational(x.args[0] / sympy.pi)
        a = flint.arb(flint.fmpq(int(q.p), int(q.q)))
        return a.cos_pi() if isinstance(x, sympy.cos) else a.sin_pi()
    if x.is_Add:
        return sum((arb_from_sympy(t) for t in x.args), flint.arb(0))
    if x.is_Mul:
        out = flint.arb(1)
        for t in x.args:
            out *= arb_from_sympy(t)
        return out
    if x.is_Pow and x.exp.is_Rational:
        base = arb_from_sympy(x.base)
        if x.exp == sympy.Rational(1, 2):
            return base.sqrt()
        if x.exp.is_Integer:
            return base ** int(x.exp)
        return base ** flint.arb(flint.fmpq(int(x.exp.p), int(x.exp.q)))
    raise ValueError(f"cannot enclose {x} in a ball")
