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
from typing import Any

import sympy

from ncverify.models.schatten import dnc_loss, lowrank_loss, validate_ufm
from ncverify.models.validation import as_rational
from ncverify.rigorous.scalar import ScalarMinimum, minimise_on_halfline

__all__ = ["effective_lambda", "optimal_dnc_scale", "optimal_lowrank_scale"]


@functools.lru_cache(maxsize=512)
def _scale_problem(kind: str, K: int, L: int, n: int, lam: sympy.Rational):
    """Callables (f, f', f' in float64) of the reduced loss along a construction's scale."""
    a = sympy.Symbol("a", positive=True)
    expr = dnc_loss(a, K, L, n, lam) if kind == "dnc" else lowrank_loss(a, K, L, n, lam)
    d = sympy.diff(expr, a)
    return (sympy.lambdify(a, expr, "mpmath"), sympy.lambdify(a, d, "mpmath"),
            sympy.lambdify(a, d, "math"))


def _minimise(kind: str, K: int, L: int, n: int, lam: Any, dps: int) -> ScalarMinimum:
    K, L, n, lam = validate_ufm(K, L, n, lam)
    f, df, df_scan = _scale_problem(kind, K, L, n, as_rational(lam))
    return minimise_on_halfline(f, df, hi=400.0, dps=dps, grid=2000, df_scan=df_scan)


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
