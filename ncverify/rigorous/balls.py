"""Arb ball arithmetic (python-flint): inequalities proven with rigorous error bounds."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import flint
import mpmath

__all__ = ["arb_from_mpf", "arb_precision", "certified_less"]


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
