"""High-precision minimisation of scalar losses on the half line α >= 0 (mpmath).

The losses in `gk` (DNC and low-rank scale problems) are smooth for α > 0 with at most a few
critical points, and their α → 0 behaviour is known in closed form.  We bracket the sign changes
of the analytic derivative on a logarithmic grid, refine each with a bracketing solver at the
working precision, and compare the local minima with the value at α = 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import mpmath

__all__ = ["ScalarMinimum", "bracketed_root", "critical_points", "log_root_left", "log_root_right",
           "minimise_on_halfline"]


def bracketed_root(g: Callable[[mpmath.mpf], mpmath.mpf], a: mpmath.mpf, b: mpmath.mpf
                   ) -> mpmath.mpf:
    """Root of g in [a, b] where g changes sign, to the working precision.

    The Illinois (modified regula falsi) method keeps the bracket and converges superlinearly;
    if it leaves the bracket or fails, bisection finishes.  (mpmath's Anderson solver was seen
    returning roots correct to only 18 of 40 digits on flat functions, without an error.)
    """
    a, b = mpmath.mpf(a), mpmath.mpf(b)
    try:
        r = mpmath.findroot(g, (a, b), solver="illinois")
        if min(a, b) <= r <= max(a, b):
            return r
    except (ValueError, ZeroDivisionError):
        pass
    return mpmath.findroot(g, (a, b), solver="bisect")


def log_root_left(rhs: Callable[[mpmath.mpf], mpmath.mpf], c: mpmath.mpf,
                  top: mpmath.mpf) -> mpmath.mpf:
    """Root of ``rhs(t) = c`` on (0, top) where rhs increases from rhs(0+) = 0 < c < rhs(top).

    Solved for u = log t in ``log rhs(e^u) = log c`` (well scaled however tiny the root, which
    is ≈ (Kc)^{(L+1)/(L-1)}), bracketed on the grid u = log top - k log 16."""
    G = lambda u: mpmath.log(rhs(mpmath.exp(u))) - mpmath.log(c)  # noqa: E731
    hi = mpmath.log(top)
    lo = hi - mpmath.log(16)
    while G(lo) > 0:
        lo, hi = lo - mpmath.log(16), lo
    return mpmath.exp(bracketed_root(G, lo, hi))


def log_root_right(rhs: Callable[[mpmath.mpf], mpmath.mpf], c: mpmath.mpf,
                   top: mpmath.mpf) -> mpmath.mpf:
    """Root of ``rhs(t) = c`` on (top, ∞) where rhs decreases from rhs(top) > c to 0: solved in
    the well-scaled form ``log rhs(t) = log c`` (an absolute-tolerance solver accepts a wrong
    root of ``rhs - c`` once both are below its tolerance, e.g. c = 1e-40), bracketed by
    doubling."""
    G = lambda t: mpmath.log(rhs(t)) - mpmath.log(c)  # noqa: E731
    lo = top
    hi = max(top, mpmath.mpf(1)) * 2
    while G(hi) > 0:
        lo, hi = hi, hi * 2
    return bracketed_root(G, lo, hi)


@dataclass(frozen=True)
class ScalarMinimum:
    """Global minimum of f on [0, hi]: ``at_zero`` when the infimum is the value at 0."""

    x: mpmath.mpf
    value: mpmath.mpf
    at_zero: bool
    residual: mpmath.mpf  # |f'(x)| at the returned interior minimiser (0 if at_zero)
    critical_points: tuple[mpmath.mpf, ...]


def critical_points(df: Callable[[mpmath.mpf], mpmath.mpf], lo: float, hi: float,
                    dps: int = 40, grid: int = 600,
                    df_scan: Callable[[float], float] | None = None
                    ) -> list[tuple[mpmath.mpf, int]]:
    """Roots of ``df`` in [lo, hi] with the sign change across each (+1: - to +, a minimum).

    The grid is logarithmic and scanned with ``df_scan`` (a float64 version of df, for speed;
    default df itself); each bracketed sign change is refined with ``df`` at ``dps`` digits.
    Two roots closer than one grid step are not separated: the callers choose grids much finer
    than the distance between the (at most two or three) critical points of their losses.
    """
    if not 0 < lo < hi:
        raise ValueError(f"need 0 < lo < hi, got lo={lo}, hi={hi}")
    scan = df_scan or df
    out: list[tuple[mpmath.mpf, int]] = []
    xs = [lo * (hi / lo) ** (i / grid) for i in range(grid + 1)]
    vals = [scan(x) for x in xs]
    with mpmath.workdps(dps):
        for a, b, fa, fb in zip(xs, xs[1:], vals, vals[1:], strict=False):
            if fa == 0:
                out.append((mpmath.mpf(a), 0))
            elif fa * fb < 0:
                a_, b_ = mpmath.mpf(a), mpmath.mpf(b)
                if df(a_) * df(b_) > 0:  # the float scan misjudged a sign: skip nothing silently
                    raise ArithmeticError(f"float scan and {dps}-digit derivative disagree "
                                          f"on [{a}, {b}]")
                out.append((bracketed_root(df, a_, b_), 1 if fa < 0 else -1))
    return out


def minimise_on_halfline(f: Callable[[mpmath.mpf], mpmath.mpf],
                         df: Callable[[mpmath.mpf], mpmath.mpf], hi: float,
                         dps: int = 40, lo: float = 1e-12, grid: int = 600,
                         df_scan: Callable[[float], float] | None = None) -> ScalarMinimum:
    """Global minimum of f on [0, hi] at ``dps`` digits: the best of f(0) and the interior
    local minima (roots of df where it changes sign from - to +).

    The caller guarantees ``f`` is continuous at 0 and increasing beyond ``hi``.
    """
    with mpmath.workdps(dps):
        crit = critical_points(df, lo, hi, dps=dps, grid=grid, df_scan=df_scan)
        best_x, best_v, at_zero = mpmath.mpf(0), f(mpmath.mpf(0)), True
        for x, sign in crit:
            if sign == 1:
                v = f(x)
                if v < best_v:
                    best_x, best_v, at_zero = x, v, False
        res = mpmath.mpf(0) if at_zero else abs(df(best_x))
        return ScalarMinimum(best_x, best_v, at_zero, res, tuple(x for x, _ in crit))
