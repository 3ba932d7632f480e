"""Optimal scales of the `gk` constructions in the reduced deep-linear-UFM loss (App. B.3).

``𝓛_DNC(α) = log(1 + (K-1)e^{-α}) + ½(L+1)(K-1)λ(α√n)^{2/(L+1)}`` and the block low-rank
``𝓛_LR(β)`` are minimised over the scale at high precision (mpmath, bracketed roots of the
analytic derivative).  The DNC optimum is the reference loss of the experiments (and, by `gk`
App. B.9, a lower bound for DNC solutions of the ReLU model).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import mpmath
import sympy

from ncverify.models.schatten import dnc_loss, lowrank_loss, validate_ufm
from ncverify.models.validation import as_rational
from ncverify.rigorous.scalar import ScalarMinimum, minimise_on_halfline

__all__ = ["effective_lambda", "margin_scale_factor", "margin_scale_factor_valid", "margins_of",
           "optimal_dnc_scale", "optimal_lowrank_scale", "optimal_scale"]


@functools.cache
def _scale_problem(kind: str, K: int | None):
    """Callables (f, f', f' in float64) of the reduced loss along a construction's scale, with
    (L, n, λ) — and K for DNC — left symbolic so one lambdify serves every call."""
    a, Ks, L, n, lam = sympy.symbols("a K L n lam", positive=True)
    if kind == "dnc":
        expr, args = dnc_loss(a, Ks, L, n, lam), (a, Ks, L, n, lam)
    else:
        expr, args = lowrank_loss(a, K, L, n, lam), (a, L, n, lam)
    d = sympy.diff(expr, a)
    return (sympy.lambdify(args, expr, "mpmath"), sympy.lambdify(args, d, "mpmath"),
            sympy.lambdify(args, d, "math"))


def _minimise(kind: str, K: int, L: int, n: int, lam: Any, dps: int) -> ScalarMinimum:
    K, L, n, lam = validate_ufm(K, L, n, lam)
    f, df, df_scan = _scale_problem(kind, None if kind == "dnc" else K)
    q = as_rational(lam)
    with mpmath.workdps(dps + 10):
        P = (mpmath.mpf(L), mpmath.mpf(n), mpmath.mpf(int(q.p)) / int(q.q))
    Pf = (float(L), float(n), float(q))
    if kind == "dnc":
        P, Pf = (mpmath.mpf(K), *P), (float(K), *Pf)
    return minimise_on_halfline(lambda x: f(x, *P), lambda x: df(x, *P), hi=400.0, dps=dps,
                                grid=600, df_scan=lambda x: df_scan(x, *Pf))


def optimal_dnc_scale(K: int, L: int, n: int, lam: Any, dps: int = 40) -> ScalarMinimum:
    """Global minimiser of ``𝓛_DNC(α)`` over α >= 0 at ``dps`` digits (`gk` App. B.3, α_min).

    ``at_zero`` means the infimum is the value at α = 0 (λ too large for a DNC scale to help).
    """
    return _minimise("dnc", K, L, n, lam, dps)


def optimal_lowrank_scale(K: int, L: int, n: int, lam: Any, dps: int = 40) -> ScalarMinimum:
    """Global minimiser of the block low-rank ``𝓛_LR(β)`` over β >= 0 (`gk` App. B.3)."""
    return _minimise("lr", K, L, n, lam, dps)


def effective_lambda(lams: Sequence[float]) -> float:
    """The single λ equivalent to per-parameter λ_1..λ_m on Lemma-1-structured parameters:
    their geometric mean, since min Σ ½λ_i‖A_i‖² = (m/2)(Π λ_i)^{1/m} Σ s_j^{2/m}
    (the weighted Schatten identity, verified in ``gk.schatten``)."""
    if not lams:
        raise ValueError("lams must not be empty")
    return math.exp(sum(math.log(v) for v in lams) / len(lams))


def margins_of(M) -> list[list]:
    """For each column c of a K×K class-mean matrix, the margins ``m_{c'c} - m_{cc}`` (c' ≠ c)."""
    K = M.rows if hasattr(M, "rows") else len(M)
    return [[M[k, c] - M[c, c] for k in range(K) if k != c] for c in range(K)]


def optimal_scale(margins: Sequence[Sequence[Any]], spectrum: Sequence[tuple[Any, int]], L: int,
                  lam: Any, weights: Sequence[Any] | None = None, dps: int = 40,
                  hi: float = 400.0, grid: int = 1500) -> ScalarMinimum:
    """Global minimiser over β >= 0 of the reduced loss of ``β Z`` for a fixed frame Z (`gk` B.4):

        𝓛_L(βZ) = Σ_c w_c log(1 + Σ_{c'≠c} e^{β d_{c'c}})
                  + ½λ(L+1) β^{2/(L+1)} Σ_i m_i v_i^{2/(L+1)},

    with the margins ``d_{c'c}`` of each distinct column (weights w_c, default 1/K each), and the
    singular values ``v_i`` (multiplicities ``m_i``) of Z itself (including the √n of repeated
    columns).  The derivative is analytic; roots are bracketed on a float scan and refined at
    ``dps`` digits (:func:`ncverify.rigorous.scalar.minimise_on_halfline`).
    """
    L = int(L)
    with mpmath.workdps(dps + 10):
        ms = [[mpmath.mpf(sympy.N(x, dps + 10)) if not isinstance(x, (int, float, mpmath.mpf))
               else mpmath.mpf(x) for x in row] for row in margins]
        w = [mpmath.mpf(1) / len(ms)] * len(ms) if weights is None else [mpmath.mpf(x)
                                                                           for x in weights]
        q = as_rational(lam)
        lam_m = mpmath.mpf(int(q.p)) / int(q.q)
        t = mpmath.mpf(2) / (L + 1)
        reg = lam_m * (L + 1) / 2 * mpmath.fsum(
            mult * mpmath.mpf(sympy.N(v, dps + 10)) ** t for v, mult in spectrum)
    msf = [[float(x) for x in row] for row in ms]
    wf, regf, tf = [float(x) for x in w], float(reg), 2.0 / (L + 1)

    def f(b):
        return mpmath.fsum(wc * mpmath.log(1 + mpmath.fsum(mpmath.exp(b * x) for x in row))
                           for wc, row in zip(w, ms, strict=True)) + reg * b ** t

    def df(b):
        total = mpmath.mpf(0)
        for wc, row in zip(w, ms, strict=True):
            e = [mpmath.exp(b * x) for x in row]
            total += wc * mpmath.fsum(x * ei for x, ei in zip(row, e, strict=True)) / (
                1 + mpmath.fsum(e))
        return total + reg * t * b ** (t - 1)

    def df_scan(b):
        total = 0.0
        for wc, row in zip(wf, msf, strict=True):
            e = [math.exp(b * x) for x in row]
            total += wc * sum(x * ei for x, ei in zip(row, e, strict=True)) / (1 + sum(e))
        return total + regf * tf * b ** (tf - 1)

    return minimise_on_halfline(f, df, hi=hi, dps=dps, grid=grid, df_scan=df_scan)


def margin_scale_factor(X: sympy.Matrix, M: sympy.Matrix) -> Fraction:
    """A rational γ with γ(m_{c'} - m_c) < x_{c'} - x_c for every column and c' ≠ c (App. B.4):
    just above the largest ratio dx/dm over entries with dx < 0 (dm < 0 always, M being
    diagonally superior); verified exactly below with Arb."""
    worst = mpmath.mpf(0)
    with mpmath.workdps(40):
        for dxs, dms in zip(margins_of(X), margins_of(M), strict=True):
            for dx, dm in zip(dxs, dms, strict=True):
                dx, dm = mpmath.mpf(sympy.N(dx, 45)), mpmath.mpf(sympy.N(dm, 45))
                if dm >= 0:
                    raise ValueError("M is not diagonally superior")
                if dx < 0:
                    worst = max(worst, dx / dm)
        g = Fraction(int(mpmath.ceil(worst * 10**12 * (1 + mpmath.mpf(10) ** -9)) + 1), 10**12)
    return g


def margin_scale_factor_valid(X, M, gamma: Fraction) -> bool:
    """Exact check (Arb, 200 bits) that γ satisfies the margin condition strictly."""
    import flint

    from ncverify.rigorous.balls import arb_from_sympy, arb_precision

    g = flint.arb(flint.fmpq(gamma.numerator, gamma.denominator))
    with arb_precision(200):
        for dxs, dms in zip(margins_of(X), margins_of(M), strict=True):
            for dx, dm in zip(dxs, dms, strict=True):
                a, b = g * arb_from_sympy(dm), arb_from_sympy(dx)
                if not a < b:
                    return False
    return True
