"""Critical points of the block low-rank construction of the deep linear UFM (`gk` Eq. 5, App. B.8,
Eq. 27) and the Hessian tools that compare them with DNC critical points (`gk` Theorem 6).

Scale equation.  For even K, ``Z = β X̃ ⊗ 1_nᵀ`` (X̃ = blockdiag(X, ..., X), X = [[1,-1],[-1,1]])
has K/2 singular values ``2β√n``; with the Lemma-1 structure every parameter matrix has the
singular value ``s = (2β√n)^{1/(L+1)}`` on K/2 directions, and the gradient condition (Eq. 12)
reduces on those directions to ``Knλ = s^{L-1} √n μ(β)``, ``μ(β) = (K-2+2e^{-β})/(K-2+e^β+e^{-β})``
(the eigenvalue of the class-level error matrix Y - P on the antisymmetric pair vectors).  Hence

    λ n^{1/(L+1)} = g(β),   g(β) = (1/K) (2β)^{(L-1)/(L+1)} (K-2+2e^{-β}) / (K-2+e^β+e^{-β}),

derived symbolically (and compared with the printed Eq. 27) in ``gk.eq27``.  For L >= 2, g(0) = 0,
g → 0 at infinity and ``d log g/dβ = c/β - φ(β)`` (c = (L-1)/(L+1)) vanishes where ``β φ(β) = c``
(one root, checked on a grid in ``gk.eq27``): two positive roots below ``max g / n^{1/(L+1)}``, none
above.  For L = 1, g decreases from g(0) = 1/K: one root iff λ√n < 1/K.

Hessian.  :func:`deep_linear_hessian` assembles the Hessian of the deep linear UFM loss block by
block from `gk` Eqs. (20)-(21) (App. B.6), with the softmax curvature ``ρ_y = diag(p_y) - p_y p_yᵀ``
formed without cancellation (``p_k Σ_{j≠k} p_j`` on the diagonal), so that it stays accurate when
``1 - p_y`` is far below the float64 epsilon.  :func:`leading_hessian` is the λ → 0 limit of
``Hess / (scale · λ)`` at the scale-divergent DNC and low-rank critical points.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import mpmath
import numpy as np
import sympy

from ncverify.models.critical import dnc_scale_rhs, rhs_maximiser
from ncverify.models.deep_ufm import canonical_dnc_parameters
from ncverify.models.etf import class_labels
from ncverify.models.schatten import validate_ufm
from ncverify.models.validation import as_rational, require_int
from ncverify.rigorous.scalar import bracketed_root, log_root_left, log_root_right

__all__ = [
    "as_float_params",
    "canonical_lowrank_parameters",
    "deep_linear_hessian",
    "deep_linear_hessian_terms",
    "flatness_norms",
    "leading_hessian",
    "leading_normalisation",
    "leading_trace",
    "lowrank_critical_scales",
    "lowrank_existence_threshold",
    "lowrank_frame",
    "lowrank_rhs_log_derivative",
    "lowrank_rhs_maximiser",
    "lowrank_scale_rhs",
    "scale_divergent_root",
    "softmax_derivatives",
]


def _require_even(K: Any, minimum: int = 2) -> int:
    K = require_int("K", K, minimum=minimum)
    if K % 2:
        raise ValueError(f"K must be even for the block low-rank construction, got {K}")
    return K


# -- scale equation (Eq. 27) ------------------------------------------------------------------

def lowrank_scale_rhs(beta: Any, K: int, L: int) -> mpmath.mpf:
    """``g(β) = (1/K)(2β)^{(L-1)/(L+1)} (K-2+2e^{-β}) / (K-2+e^β+e^{-β})`` (mpmath), the right
    side of the low-rank critical-point equation ``λ n^{1/(L+1)} = g(β)`` (`gk` Eq. 27)."""
    beta = mpmath.mpf(beta)
    em = mpmath.exp(-beta)
    return ((2 * beta) ** (mpmath.mpf(L - 1) / (L + 1)) * (K - 2 + 2 * em)
            / (K * (K - 2 + mpmath.exp(beta) + em)))


def _phi(beta: mpmath.mpf, K: int) -> mpmath.mpf:
    """``φ(β) = -d/dβ log[(K-2+2e^{-β})/(K-2+e^β+e^{-β})]`` (> 0 for β > 0)."""
    em, ep = mpmath.exp(-beta), mpmath.exp(beta)
    return 2 * em / (K - 2 + 2 * em) + (ep - em) / (K - 2 + ep + em)


def lowrank_rhs_log_derivative(beta: Any, K: int, L: int) -> mpmath.mpf:
    """``d log g/dβ = ((L-1)/(L+1))/β - φ(β)`` (mpmath), whose sign changes locate the maxima
    of g (:func:`lowrank_scale_rhs`)."""
    beta = mpmath.mpf(beta)
    return mpmath.mpf(L - 1) / (L + 1) / beta - _phi(beta, K)


def lowrank_rhs_maximiser(K: int, L: int, dps: int = 50) -> mpmath.mpf | None:
    """The β > 0 maximising g: the root of ``β φ(β) = (L-1)/(L+1)`` (bracketed from β = 0,
    where the left side is 0, to a doubling upper end); None for L = 1 (g is then decreasing)."""
    K, L = _require_even(K), require_int("L", L, minimum=1)
    if L == 1:
        return None
    with mpmath.workdps(dps + 10):
        c = mpmath.mpf(L - 1) / (L + 1)
        h = lambda b: b * _phi(b, K) - c  # noqa: E731
        hi = mpmath.mpf(1)
        while h(hi) < 0:
            hi *= 2
        root = bracketed_root(h, mpmath.mpf(10) ** -(dps + 5), hi)
    return +root


def lowrank_existence_threshold(K: int, L: int, n: int, dps: int = 50) -> mpmath.mpf:
    """The λ above which the block low-rank construction has no critical point:
    ``max_{β>0} g(β) / n^{1/(L+1)}`` (for L = 1 the supremum g(0+) = 1/K, not attained)."""
    K, L, n = _require_even(K), require_int("L", L, 1), require_int("n", n, 1)
    with mpmath.workdps(dps + 10):
        top = (mpmath.mpf(1) / K if L == 1
               else lowrank_scale_rhs(lowrank_rhs_maximiser(K, L, dps), K, L))
        out = top / mpmath.mpf(n) ** (mpmath.mpf(1) / (L + 1))
    return +out


def lowrank_critical_scales(K: int, L: int, n: int, lam: Any, dps: int = 50
                            ) -> tuple[mpmath.mpf, ...]:
    """Positive roots β of ``λ n^{1/(L+1)} = g(β)`` (`gk` Eq. 27), ascending, to ``dps`` digits.

    Empty where no low-rank critical point exists.  The roots are bracketed by the monotone
    pieces of g either side of its maximiser and refined at ``dps + 10`` digits.  A float λ means
    the decimal it prints as (``as_rational``).
    """
    K, L, n, lam = validate_ufm(K, L, n, lam)
    K = _require_even(K)
    dps = require_int("dps", dps, minimum=15)
    with mpmath.workdps(dps + 10):
        q = as_rational(lam)
        c = mpmath.mpf(int(q.p)) / int(q.q) * mpmath.mpf(n) ** (mpmath.mpf(1) / (L + 1))
        rhs = lambda b: lowrank_scale_rhs(b, K, L)  # noqa: E731
        bm = lowrank_rhs_maximiser(K, L, dps)
        roots = []
        if bm is not None:
            if rhs(bm) <= c:
                return ()
            roots.append(log_root_left(rhs, c, bm))
        elif rhs(mpmath.mpf(0)) <= c:
            return ()
        roots.append(log_root_right(rhs, c, mpmath.mpf(0) if bm is None else bm))
    with mpmath.workdps(dps):
        return tuple(+r for r in roots)


@functools.lru_cache(maxsize=8)
def _cached(func: Any) -> Any:
    """A memoised copy of a maximiser (a pure function of K, L, dps), made once per function."""
    return functools.lru_cache(maxsize=256)(func)


def scale_divergent_root(kind: str, K: int, L: int, n: int, lam: Any, dps: int = 50
                         ) -> mpmath.mpf | None:
    """The largest root (the one that diverges as λ → 0) of the DNC scale equation
    (:func:`ncverify.models.critical.dnc_scale_rhs`, ``kind="dnc"``) or of Eq. (27)
    (:func:`lowrank_scale_rhs`, ``kind="lowrank"``); None where no root exists.

    Only the decreasing branch right of the maximiser is bracketed, so the tiny left root is
    never computed (it underflows a plain bisection for λ below about 1e-11).
    """
    K, L, n, lam = validate_ufm(K, L, n, lam)
    dps = require_int("dps", dps, minimum=15)
    if kind == "dnc":
        rhs, top = dnc_scale_rhs, _cached(rhs_maximiser)
    elif kind == "lowrank":
        K = _require_even(K)
        rhs, top = lowrank_scale_rhs, _cached(lowrank_rhs_maximiser)
    else:
        raise ValueError(f"kind must be 'dnc' or 'lowrank', got {kind!r}")
    with mpmath.workdps(dps + 10):
        q = as_rational(lam)
        c = mpmath.mpf(int(q.p)) / int(q.q) * mpmath.mpf(n) ** (mpmath.mpf(1) / (L + 1))
        f = lambda t: rhs(t, K, L)  # noqa: E731
        lo = top(K, L, dps)
        lo = mpmath.mpf(0) if lo is None else lo
        if f(lo) <= c:
            return None
        root = log_root_right(f, c, lo)
    with mpmath.workdps(dps):
        return +root


# -- the construction with canonical frames ---------------------------------------------------

def lowrank_frame(K: int, ctx: Any = mpmath) -> Any:
    """Orthogonal K×K ``U_L`` whose first K/2 columns are ``(e_{2i} - e_{2i+1})/√2`` (the left
    singular vectors of X̃) and last K/2 columns ``(e_{2i} + e_{2i+1})/√2``; mpmath at the
    working precision, NumPy with ``ctx=numpy`` or exact SymPy with ``ctx=sympy``.  Then
    ``Σ_{i<K/2} 2 u_i u_iᵀ = X̃``.

    >>> U = lowrank_frame(4, np); bool(np.allclose(U.T @ U, np.eye(4)))
    True
    """
    K = _require_even(K)
    if ctx is np:
        U, r = np.zeros((K, K)), 1 / np.sqrt(2.0)
    elif ctx is sympy:
        U, r = sympy.zeros(K, K), 1 / sympy.sqrt(2)
    else:
        U, r = mpmath.matrix(K, K), 1 / mpmath.sqrt(2)
    m = K // 2
    for i in range(m):
        U[2 * i, i], U[2 * i + 1, i] = r, -r
        U[2 * i, m + i], U[2 * i + 1, m + i] = r, r
    return U


def canonical_lowrank_parameters(K: int, n: int, d: int, L: int, beta: Any
                                 ) -> tuple[Any, list[Any]]:
    """The block low-rank solution ``Z = β X̃ ⊗ 1_nᵀ`` (`gk` Eq. 5, K even) with Lemma-1 structure
    and canonical frames, in mpmath at the working precision.

    U_0 = ... = U_{L-1} = I_d, U_L = :func:`lowrank_frame`, the leading K/2 columns of V_0 are
    ``u_i ⊗ 1_n/√n``, and every parameter matrix has the singular value ``(2β√n)^{1/(L+1)}`` on
    K/2 directions (zero elsewhere), so ``Z = Σ_i 2β√n u_i v_iᵀ = β X̃ ⊗ 1_nᵀ``.
    Returns ``(H_1, [W_1, ..., W_L])``.
    """
    K = _require_even(K)
    n, d, L = require_int("n", n, 1), require_int("d", d, 1), require_int("L", L, 1)
    if d < K:
        raise ValueError(f"d must be >= K={K}, got {d}")
    beta = mpmath.mpf(beta)
    m = K // 2
    s = (2 * beta * mpmath.sqrt(n)) ** (mpmath.mpf(1) / (L + 1))
    U = lowrank_frame(K)
    H1 = mpmath.matrix(d, K * n)
    rn = mpmath.sqrt(n)
    for i in range(m):
        for c in range(K):
            if U[c, i]:
                for j in range(n):
                    H1[i, c * n + j] = s * U[c, i] / rn
    Ws = []
    for _ in range(L - 1):
        W = mpmath.matrix(d, d)
        for i in range(m):
            W[i, i] = s
        Ws.append(W)
    WL = mpmath.matrix(K, d)
    for a in range(K):
        for i in range(m):
            WL[a, i] = U[a, i] * s
    Ws.append(WL)
    return H1, Ws


def as_float_params(H1: Any, Ws: Sequence[Any]) -> list[np.ndarray]:
    """``[H_1, W_1, ..., W_L]`` as float64 arrays (from mpmath or NumPy matrices)."""
    out = []
    for M in [H1, *Ws]:
        out.append(np.array(M.tolist(), dtype=float) if isinstance(M, mpmath.matrix)
                   else np.asarray(M, dtype=float))
    return out


# -- Hessian (Eqs. 20-21) ---------------------------------------------------------------------

def softmax_derivatives(Z: np.ndarray, K: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(P - Y, ρ)`` of the cross-entropy at logits Z (K×Kn, float64): ``ρ[y] = diag(p_y) -
    p_y p_yᵀ``.  ``1 - p_k`` is formed as ``Σ_{j≠k} p_j`` (no cancellation), so both are accurate
    to rounding entrywise however close p_y is to a vertex."""
    K, n = require_int("K", K, 2), require_int("n", n, 1)
    Z = np.asarray(Z, dtype=float)
    labels = class_labels(K, n)
    E = np.exp(Z - Z.max(axis=0))
    P = E / E.sum(axis=0)
    N = K * n
    G = P.copy()
    rho = np.empty((N, K, K))
    for y in range(N):
        p = P[:, y]
        comp = np.array([np.sum(np.delete(p, k)) for k in range(K)])  # 1 - p_k, accurately
        G[labels[y], y] = -comp[labels[y]]
        r = -np.outer(p, p)
        r[np.diag_indices(K)] = p * comp
        rho[y] = r
    return G, rho


def _products(params: Sequence[np.ndarray], N: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Inputs ``X_l`` (X_0 = I_N, X_l = H_l = W_{l-1}⋯W_1H_1) and outputs ``A_{l+1} = W_L⋯W_{l+1}``
    of every parameter l = 0 (H_1), 1..L (W_l)."""
    Lp = len(params)
    X = [np.eye(N), params[0]]
    for l in range(1, Lp - 1):
        X.append(params[l] @ X[-1])
    K = params[-1].shape[0]
    A = [None] * Lp
    A[Lp - 1] = np.eye(K)
    for l in range(Lp - 2, -1, -1):
        A[l] = A[l + 1] @ params[l + 1]
    return X, A


def deep_linear_hessian_terms(params: Sequence[np.ndarray], K: int, n: int,
                              G: np.ndarray | None = None, rho: np.ndarray | None = None,
                              fit_scale: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The two fit terms of the Hessian of the deep linear UFM loss (`gk` Eqs. 20-21), flattened
    in the order of ``[H_1, W_1, ..., W_L]`` (row-major, as ``engine.polish.flatten``):

    * curvature (all l, r):
      ``fit_scale Σ_y [A_{l+1}ᵀ ρ_y A_{r+1}]_{ac} [h_y^{(l)} h_y^{(r)ᵀ}]_{bd}``;
    * first-order (r < l and its transpose): ``fit_scale (A_{l+1}ᵀ (P-Y) H_rᵀ)_{ad}
      [(W_{l-1}⋯W_{r+1})ᵀ]_{cb}``,

    with H_1 treated as "W_0" (input I_N).  ``fit_scale`` defaults to 1/(Kn) (Eqs. 20-21).
    ``G = P - Y`` and ``ρ`` default to :func:`softmax_derivatives` of the parameters' logits.
    """
    K, n = require_int("K", K, 2), require_int("n", n, 1)
    params = [np.asarray(p, dtype=float) for p in params]
    N = K * n
    scale = 1.0 / N if fit_scale is None else float(fit_scale)
    X, A = _products(params, N)
    if G is None or rho is None:
        G, rho = softmax_derivatives(params[-1] @ X[-1], K, n)
    sizes = [p.size for p in params]
    offs = np.concatenate([[0], np.cumsum(sizes)])
    p_tot = int(offs[-1])
    J = np.empty((N, K, p_tot))
    for l in range(len(params)):
        for y in range(N):
            J[y, :, offs[l]:offs[l + 1]] = np.kron(A[l], X[l][:, y][None, :])
    curv = scale * np.einsum("ykp,ykj,yjq->pq", J, rho, J, optimize=True)
    first = np.zeros((p_tot, p_tot))
    for l in range(1, len(params)):
        for r in range(l):
            M = A[l].T @ G @ X[r].T  # (rows_l, cols_r)
            B = np.eye(params[r].shape[0])
            for k in range(r + 1, l):
                B = params[k] @ B  # W_{l-1}⋯W_{r+1}: (cols_l, rows_r)
            T = scale * np.einsum("ad,bc->abcd", M, B).reshape(sizes[l], sizes[r])
            first[offs[l]:offs[l + 1], offs[r]:offs[r + 1]] = T
            first[offs[r]:offs[r + 1], offs[l]:offs[l + 1]] = T.T
    return curv, first


def deep_linear_hessian(params: Sequence[np.ndarray], lam: float, K: int, n: int,
                        G: np.ndarray | None = None, rho: np.ndarray | None = None
                        ) -> np.ndarray:
    """Full Hessian ``λI + curvature + first-order`` of the deep linear UFM loss from `gk`
    Eqs. (20)-(21) (float64; see :func:`deep_linear_hessian_terms`)."""
    curv, first = deep_linear_hessian_terms(params, K, n, G, rho)
    return curv + first + float(lam) * np.eye(curv.shape[0])


def flatness_norms(H: np.ndarray) -> dict[str, float]:
    """Frobenius, spectral (max |eigenvalue|) and trace (Σ |eigenvalues|) norms of a symmetric
    matrix: the flatness measures of `gk` Theorem 6."""
    w = np.linalg.eigvalsh(0.5 * (H + H.T))
    a = np.abs(w)
    return {"frobenius": float(np.sqrt(np.sum(w * w))), "spectral": float(a.max()),
            "trace": float(a.sum())}


# -- the λ → 0 limit of Hess/(scale·λ) --------------------------------------------------------

def leading_normalisation(kind: str, K: int) -> float:
    """``lim_{λ→0} s^{2L} e^{-t} / (Kn · t · λ)`` along the scale-divergent root t (α or β):

    DNC: s^{2L} = (α√n)^{2L/(L+1)} and λ n^{1/(L+1)} = α^{(L-1)/(L+1)}/(K-1+e^α) give
    ``(1 + (K-1)e^{-α})/K → 1/K``; low rank: s^{2L} = (2β√n)^{2L/(L+1)} and Eq. (27) give
    ``2e^{-β}(K-2+e^β+e^{-β})/(K-2+2e^{-β}) → 2/(K-2)`` (K >= 4).
    """
    if kind == "dnc":
        return 1.0 / require_int("K", K, 2)
    if kind == "lowrank":
        return 2.0 / (_require_even(K, minimum=4) - 2)
    raise ValueError(f"kind must be 'dnc' or 'lowrank', got {kind!r}")


def leading_hessian(kind: str, K: int, n: int, d: int, L: int) -> np.ndarray:
    """``M = lim_{λ→0} Hess/(t λ)`` at the scale-divergent critical point (t = α for DNC, β for
    the block low rank), in the canonical frames.

    Since Z is multilinear of degree L+1 in the parameters, the logit Jacobian at singular value
    s is ``s^L Ĵ`` with Ĵ at s = 1; ``e^t ρ_y → R̂_y = diag(q) + |q| e_c e_cᵀ - e_c qᵀ - q e_cᵀ``,
    where c is the label and q marks the classes whose logit is exactly one scale unit below
    the top (all others for DNC; all but the partner, which is two units below, for low rank).
    The first-order term and λI are O(λ), one power of t below, so
    ``M = leading_normalisation(kind, K) · Σ_y Ĵ_yᵀ R̂_y Ĵ_y``.
    """
    n, d, L = require_int("n", n, 1), require_int("d", d, 1), require_int("L", L, 1)
    with mpmath.workdps(30):
        if kind == "dnc":
            H1, Ws = canonical_dnc_parameters(K, n, d, L, 1 / mpmath.sqrt(n))
        elif kind == "lowrank":
            H1, Ws = canonical_lowrank_parameters(K, n, d, L, 1 / (2 * mpmath.sqrt(n)))
        else:
            raise ValueError(f"kind must be 'dnc' or 'lowrank', got {kind!r}")
    params = as_float_params(H1, Ws)
    X, _ = _products(params, K * n)
    Z = params[-1] @ X[-1]
    labels = class_labels(K, n)
    N = K * n
    rho = np.zeros((N, K, K))
    for y in range(N):
        gaps = Z[labels[y], y] - Z[:, y]
        unit = np.min(gaps[gaps > 1e-9])
        q = (np.abs(gaps - unit) < 1e-9 * unit).astype(float)
        c = labels[y]
        R = np.diag(q)
        R[c, c] += q.sum()
        R[c, :] -= q
        R[:, c] -= q
        rho[y] = R
    curv, _ = deep_linear_hessian_terms(params, K, n, G=np.zeros((K, N)), rho=rho, fit_scale=1.0)
    return leading_normalisation(kind, K) * curv


def leading_trace(kind: str, K: int, L: int, n: int) -> sympy.Rational:
    """``tr M`` of :func:`leading_hessian` in closed form (exact rational).

    ``tr M = κ Σ_y tr(R̂_y Ĵ_y Ĵ_yᵀ)`` with ``Ĵ_y Ĵ_yᵀ = Σ_l ‖h_y^{(l)}‖² A_{l+1}A_{l+1}ᵀ``: at unit
    singular values ``A_{l+1}A_{l+1}ᵀ`` is the projection Π onto the range of Z for l < L and I_K
    for l = L, ``‖h^{(0)}‖ = 1`` (input I_N) and ``‖h^{(l)}‖² = r/n`` for l >= 1, where r = 1 - 1/K
    (DNC) or 1/2 (low rank).  DNC: tr R̂ = tr R̂Π = 2(K-1), κ = 1/K, so
    ``tr M = 2n(K-1) + 2L(K-1)²/K``; low rank: tr R̂ = 2(K-2), tr R̂Π = K-2, κ = 2/(K-2), so
    ``tr M = 2Kn + K(L+1)``.
    """
    K, L, n = require_int("K", K, 2), require_int("L", L, 1), require_int("n", n, 1)
    if kind == "dnc":
        return 2 * n * (K - 1) + sympy.Rational(2 * L * (K - 1) ** 2, K)
    if kind == "lowrank":
        _require_even(K, minimum=4)
        return sympy.Integer(2 * K * n + K * (L + 1))
    raise ValueError(f"kind must be 'dnc' or 'lowrank', got {kind!r}")

