"""The DNC critical-point scale equation of the deep linear UFM (`gk` App. B.6, Eq. 19 corrected).

A DNC solution ``Z = α S ⊗ 1_nᵀ`` with Lemma-1 structure is a critical point iff

    λ n^{1/(L+1)} = f(α),   f(α) = α^{(L-1)/(L+1)} / (K - 1 + e^α),

derived from the gradient (Eq. 12) in ``gk.eq19``, where it is compared with the printed Eq. (19).
For L >= 2, f(0) = 0, f → 0 at infinity and f has one interior maximum, at the root of
``((L-1)/(L+1))(K-1) = (α - (L-1)/(L+1)) e^α``; so there are two positive roots below the
threshold ``max f / n^{1/(L+1)}`` and none above it.  For L = 1, f is decreasing from 1/K and
there is one root iff λ√n < 1/K.
"""

from __future__ import annotations

from typing import Any

import mpmath

from ncverify.models.schatten import validate_ufm
from ncverify.models.validation import as_rational, require_int
from ncverify.rigorous.scalar import bracketed_root, log_root_left, log_root_right

__all__ = ["dnc_critical_scales", "dnc_existence_threshold", "dnc_scale_rhs", "rhs_maximiser"]


def dnc_scale_rhs(alpha: Any, K: int, L: int) -> mpmath.mpf:
    """``f(α) = α^{(L-1)/(L+1)} / (K - 1 + e^α)`` (mpmath)."""
    alpha = mpmath.mpf(alpha)
    return alpha ** (mpmath.mpf(L - 1) / (L + 1)) / (K - 1 + mpmath.exp(alpha))


def rhs_maximiser(K: int, L: int, dps: int = 50) -> mpmath.mpf | None:
    """The α > 0 maximising f (root of ``c(K-1) = (α - c)e^α``, c = (L-1)/(L+1)); None for L = 1
    (f is then decreasing on α >= 0)."""
    K, L = require_int("K", K, minimum=2), require_int("L", L, minimum=1)
    if L == 1:
        return None
    with mpmath.workdps(dps + 10):
        c = mpmath.mpf(L - 1) / (L + 1)
        g = lambda a: (a - c) * mpmath.exp(a) - c * (K - 1)  # noqa: E731  increasing for a > c - 1
        hi = c + 1
        while g(hi) < 0:
            hi *= 2
        root = bracketed_root(g, c, hi)
    return +root


def dnc_existence_threshold(K: int, L: int, n: int, dps: int = 50) -> mpmath.mpf:
    """The λ above which no DNC critical point exists: ``max_{α>0} f(α) / n^{1/(L+1)}``
    (for L = 1 the supremum f(0+) = 1/K, not attained)."""
    K, L, n = require_int("K", K, 2), require_int("L", L, 1), require_int("n", n, 1)
    with mpmath.workdps(dps + 10):
        top = mpmath.mpf(1) / K if L == 1 else dnc_scale_rhs(rhs_maximiser(K, L, dps), K, L)
        out = top / mpmath.mpf(n) ** (mpmath.mpf(1) / (L + 1))
    return +out


def dnc_critical_scales(K: int, L: int, n: int, lam: Any, dps: int = 50
                        ) -> tuple[mpmath.mpf, ...]:
    """Positive roots α of ``λ n^{1/(L+1)} = f(α)``, ascending, accurate to ``dps`` digits.

    An empty tuple where no DNC critical point exists (λ at or above the threshold).  The roots
    are bracketed on the monotone pieces of f (either side of its maximiser) and refined in the
    form ``log f(α) = log(λ n^{1/(L+1)})`` at ``dps + 10`` digits, so λ = 1e-100 is as accurate
    as λ = 1e-2.
    """
    K, L, n, lam = validate_ufm(K, L, n, lam)
    dps = require_int("dps", dps, minimum=15)
    with mpmath.workdps(dps + 10):
        q = as_rational(lam)  # a float λ means the decimal it prints as
        c = mpmath.mpf(int(q.p)) / int(q.q) * mpmath.mpf(n) ** (mpmath.mpf(1) / (L + 1))
        f = lambda a: dnc_scale_rhs(a, K, L)  # noqa: E731
        am = rhs_maximiser(K, L, dps)
        roots = []
        if am is not None:
            if f(am) <= c:
                return ()
            roots.append(log_root_left(f, c, am))
        elif f(mpmath.mpf(0)) <= c:
            return ()
        # log form: well scaled however small λ is (an absolute tolerance on f - c is not)
        roots.append(log_root_right(f, c, mpmath.mpf(0) if am is None else am))
    with mpmath.workdps(dps):
        return tuple(+r for r in roots)

