"""Linear models and deep linear networks with the squared loss (`zg` §5, Appendix A.4-A.5).

The objects of `zg` Section 5 (the extracted text lost the formulas; the reconstruction is in
``ncverify/papers/zg/thm5_1.py``), with the column convention of the engine:

* data ``X ∈ R^{d×N}`` and labels ``Y ∈ R^{p×N}`` (one sample per column), ``W ∈ R^{p×d}``;
* ``𝓛_λ(W) = ½‖Y − WX‖_F² + (λ/2)‖W‖_F²``: a *sum* over samples (the engine's MSE
  ``(1/2N)‖·‖²`` with weight decay ``lam`` is ``𝓛_λ/N`` with ``λ = N·lam``);
* the augmentation of Remark 5.2, Eq. (18): ``X̃ = [X, √λ I_d]``, ``Ỹ = [Y, 0_{p×d}]``, so that
  ``𝓛_λ(W) = ½‖Ỹ − WX̃‖²`` (Eq. 19) and ``X̃X̃ᵀ = XXᵀ + λI``, ``ỸX̃ᵀ = YXᵀ``;
* ``Q = ỸX̃ᵀ(X̃X̃ᵀ)^{-1/2} = YXᵀ(XXᵀ + λI)^{-1/2}`` (Eqs. 16, 36) with SVD ``Q = UΣVᵀ``; the
  critical points of ``𝓛_λ`` on the manifold ``M_k`` of rank-k matrices are
  ``W_J = U_J Σ_J V_Jᵀ (XXᵀ + λI)^{-1/2}`` (Bah et al. 2022, Thm 32) with value
  ``½(‖Y‖² − Σ_{j∈J} s_j²)``; the minimiser over all W is the ridge solution
  ``W* = YXᵀ(XXᵀ + λI)^{-1}`` (Eq. 21);
* centroid data (Eq. 20): ``X̂`` replaces every column x_i by the centroid x̂_j of its cluster,
  i.e. N_j copies of x̂_j (the column order does not matter: only ``X̂X̂ᵀ`` and ``ŶX̂ᵀ`` enter);
* per-layer weight decay ``(λ/2)Σ_l ‖W_l‖²`` on a depth-L product (`zg` Eq. 3) is, after
  minimising over the factorisations of ``W = W_L⋯W_1``, the Schatten penalty
  ``(Lλ/2) Σ_j s_j(W)^{2/L}`` (:func:`ncverify.models.schatten.schatten_penalty`); for the
  autoencoder Y = X its minimiser acts on each eigen-direction of XXᵀ separately
  (:func:`weight_decay_autoencoder_minimizer`).

Functions accept NumPy float arrays; those marked *generic* also take SymPy matrices (exact
rationals) and mpmath matrices (high precision).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import mpmath
import numpy as np
import scipy.optimize
import sympy

from ncverify.models.validation import require_int

__all__ = [
    "augment",
    "centroid_distance_bound",
    "centroid_matrices",
    "critical_point",
    "critical_points",
    "deep_product",
    "gram_sqrt",
    "loss_gradient",
    "q_matrix",
    "rational_instance",
    "rank_k_minimizer",
    "ridge_minimizer",
    "squared_loss",
    "tangent_projection",
    "truncation_distance_bound",
    "weight_decay_autoencoder_minimizer",
    "weight_decay_scalar",
    "weight_decay_threshold",
]


# ------------------------------------------------------------------------------ helpers


def _kind(*mats: Any) -> str:
    if any(isinstance(M, sympy.MatrixBase) for M in mats):
        return "sympy"
    if any(isinstance(M, mpmath.matrix) for M in mats):
        return "mpmath"
    return "numpy"


def _mul(A: Any, B: Any) -> Any:
    return A @ B if isinstance(A, np.ndarray) and isinstance(B, np.ndarray) else A * B


def _eye(kind: str, n: int) -> Any:
    return {"sympy": sympy.eye, "mpmath": mpmath.eye}.get(kind, np.eye)(n)


def _shape(M: Any) -> tuple[int, int]:
    return (M.rows, M.cols) if isinstance(M, (sympy.MatrixBase, mpmath.matrix)) else M.shape


def _fro2(M: Any) -> Any:
    if isinstance(M, sympy.MatrixBase):
        return sum(x**2 for x in M)
    if isinstance(M, mpmath.matrix):
        return mpmath.fsum(M[i, j] ** 2 for i in range(M.rows) for j in range(M.cols))
    return float(np.sum(np.asarray(M) ** 2))


def _data(X: Any, Y: Any | None = None) -> tuple[Any, Any]:
    """Validate shapes (NumPy inputs become float64 arrays)."""
    if _kind(X, Y) == "numpy":
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] < 1:
            raise ValueError(f"X must have shape (d, N), got {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or inf entries")
        if Y is not None:
            Y = np.asarray(Y, dtype=np.float64)
            if Y.ndim != 2 or Y.shape[1] != X.shape[1]:
                raise ValueError(f"Y must have shape (p, N = {X.shape[1]}), got {Y.shape}")
            if not np.all(np.isfinite(Y)):
                raise ValueError("Y contains NaN or inf entries")
    elif Y is not None and _shape(Y)[1] != _shape(X)[1]:
        raise ValueError(f"Y must have N = {_shape(X)[1]} columns, got {_shape(Y)[1]}")
    return X, Y


def _lam(lam: Any) -> Any:
    if isinstance(lam, bool):
        raise ValueError(f"lam must be a finite real number >= 0, got {lam!r}")
    if isinstance(lam, sympy.Basic) and not lam.is_number:  # a symbol declared >= 0
        if lam.is_nonnegative is not True:
            raise ValueError(f"lam must be declared nonnegative, got symbol {lam!r}")
        return lam
    try:
        ok = float(lam) >= 0 and math.isfinite(float(lam))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"lam must be a finite real number >= 0, got {lam!r}")
    return lam


# ------------------------------------------------------------------------------ Eqs. 16-19


def augment(X: Any, Y: Any, lam: Any) -> tuple[Any, Any]:
    """``X̃ = [X, √λ I_d]``, ``Ỹ = [Y, 0]`` (`zg` Remark 5.2, Eq. 18); generic.

    >>> Xt, Yt = augment(np.ones((2, 3)), np.ones((1, 3)), 4.0)
    >>> Xt.shape, Yt.shape, float(Xt[1, 4])
    ((2, 5), (1, 5), 2.0)
    """
    X, Y = _data(X, Y)
    lam = _lam(lam)
    d, _ = _shape(X)
    p, _ = _shape(Y)
    kind = _kind(X, Y)
    if kind == "sympy":
        return (X.row_join(sympy.sqrt(lam) * sympy.eye(d)), Y.row_join(sympy.zeros(p, d)))
    if kind == "mpmath":
        Xt, Yt = mpmath.zeros(d, X.cols + d), mpmath.zeros(p, X.cols + d)
        r = mpmath.sqrt(lam)
        for i in range(d):
            for j in range(X.cols):
                Xt[i, j] = X[i, j]
            Xt[i, X.cols + i] = r
        for i in range(p):
            for j in range(Y.cols):
                Yt[i, j] = Y[i, j]
        return Xt, Yt
    return (np.hstack([X, math.sqrt(float(lam)) * np.eye(d)]), np.hstack([Y, np.zeros((p, d))]))


def gram_sqrt(X: Any, lam: Any = 0, inverse: bool = False) -> Any:
    """``(XXᵀ + λI)^{1/2}`` or, with ``inverse``, ``(XXᵀ + λI)^{-1/2}`` (`zg` Eqs. 16, 36).

    NumPy or mpmath (symmetric eigendecomposition at the working precision).  Raises when
    ``XXᵀ + λI`` is singular (`zg` assumes XXᵀ of full rank for λ = 0).

    >>> float(gram_sqrt(np.array([[3.0, 4.0]]), inverse=True)[0, 0])
    0.2
    """
    X, _ = _data(X)
    lam = _lam(lam)
    if _kind(X) == "mpmath":
        C = X * X.T + lam * mpmath.eye(X.rows)
        w, V = mpmath.eigsy(C)
        tol = mpmath.mpf(10) ** (-mpmath.mp.dps // 2) * max(abs(x) for x in w)
        if min(w) <= tol:
            raise ValueError("XX^T + lam I is singular: X needs full row rank when lam = 0")
        f = [(1 / mpmath.sqrt(x)) if inverse else mpmath.sqrt(x) for x in w]
        return V * mpmath.diag(f) * V.T
    C = X @ X.T + float(lam) * np.eye(X.shape[0])
    w, V = np.linalg.eigh(C)
    if w[0] <= 1e-13 * max(w[-1], 1e-300):
        raise ValueError("XX^T + lam I is singular: X needs full row rank when lam = 0")
    f = 1 / np.sqrt(w) if inverse else np.sqrt(w)
    return (V * f) @ V.T


def q_matrix(X: Any, Y: Any, lam: Any = 0) -> Any:
    """``Q = YXᵀ(XXᵀ + λI)^{-1/2}`` (`zg` Eq. 16, Eq. 36 with Remark 5.2); NumPy or mpmath."""
    X, Y = _data(X, Y)
    return _mul(_mul(Y, X.T), gram_sqrt(X, lam, inverse=True))


def _svd(Q: Any) -> tuple[Any, list[Any], Any]:
    """(U, s, V) with the singular values in decreasing order."""
    if isinstance(Q, mpmath.matrix):
        U, s, Vt = mpmath.svd_r(Q)
        order = sorted(range(len(s)), key=lambda j: -s[j])
        Uo = mpmath.matrix([[U[i, j] for j in order] for i in range(U.rows)])
        Vo = mpmath.matrix([[Vt[j, i] for j in order] for i in range(Vt.cols)])
        return Uo, [s[j] for j in order], Vo
    U, s, Vt = np.linalg.svd(Q, full_matrices=False)
    return U, list(s), Vt.T


def _columns(M: Any, idx: Sequence[int]) -> Any:
    if isinstance(M, np.ndarray):
        return M[:, list(idx)]
    if isinstance(M, mpmath.matrix):
        return mpmath.matrix([[M[i, j] for j in idx] for i in range(M.rows)])
    return M.extract(list(range(M.rows)), list(idx))


def _diag(kind: str, vals: Sequence[Any]) -> Any:
    if kind == "sympy":
        return sympy.diag(*vals)
    if kind == "mpmath":
        return mpmath.diag(list(vals))
    return np.diag(np.asarray(vals, dtype=np.float64))


def critical_point(U: Any, s: Sequence[Any], V: Any, J: Sequence[int], inv_sqrt: Any) -> Any:
    """``W_J = U_J Σ_J V_Jᵀ · inv_sqrt`` from an SVD ``Q = U diag(s) Vᵀ`` (Bah et al. 2022,
    Thm 32, as quoted in `zg` Theorem 5.1); generic (exact for rational U, s, V, inv_sqrt).
    ``J`` are 0-based column indices."""
    J = list(J)
    if not J:
        raise ValueError("J must hold at least one index")
    kind = _kind(U, V, inv_sqrt)
    UJ, VJ = _columns(U, J), _columns(V, J)
    return _mul(_mul(_mul(UJ, _diag(kind, [s[j] for j in J])), VJ.T), inv_sqrt)


def critical_points(X: Any, Y: Any, k: int, lam: Any = 0) -> list[dict[str, Any]]:
    """All critical points of ``𝓛_λ`` on ``M_k`` (`zg` Thm 5.1 with Remark 5.2), for Q with
    distinct nonzero singular values: one per k-subset J of ``{0..rank Q − 1}``.

    Each entry: ``J`` (0-based, increasing), ``W`` and the predicted value
    ``½(‖Y‖² − Σ_{j∈J} s_j²)`` (``loss``).  NumPy or mpmath.  The first entry (J = 0..k−1) is
    the global minimiser (Eq. 17).
    """
    X, Y = _data(X, Y)
    k = require_int("k", k, minimum=1)
    inv = gram_sqrt(X, lam, inverse=True)
    Q = _mul(_mul(Y, X.T), inv)
    U, s, V = _svd(Q)
    top = max(abs(x) for x in s) if s else 0
    eps = mpmath.mpf(10) ** (-mpmath.mp.dps + 5) if _kind(X) == "mpmath" else 1e-12
    r = sum(1 for x in s if x > eps * max(top, 1))
    if k > r:
        raise ValueError(f"k must be <= rank(Q) = {r} for critical points on M_k, got {k}")
    y2 = _fro2(Y)
    out = []
    for J in itertools.combinations(range(r), k):
        out.append({"J": list(J), "W": critical_point(U, s, V, J, inv),
                    "loss": (y2 - sum(s[j] ** 2 for j in J)) / 2})
    return out


def rank_k_minimizer(X: Any, Y: Any, k: int, lam: Any = 0) -> Any:
    """``W*_k = U_k Σ_k V_kᵀ (XXᵀ + λI)^{-1/2}``, the minimiser of ``𝓛_λ`` over rank <= k
    (`zg` Eq. 17, Eq. 35); NumPy or mpmath.  For k >= rank Q it is the ridge solution."""
    X, Y = _data(X, Y)
    k = require_int("k", k, minimum=1)
    inv = gram_sqrt(X, lam, inverse=True)
    U, s, V = _svd(_mul(_mul(Y, X.T), inv))
    return critical_point(U, s, V, range(min(k, len(s))), inv)


def ridge_minimizer(X: Any, Y: Any, lam: Any) -> Any:
    """``W* = YXᵀ(XXᵀ + λI)^{-1}``, the minimiser of ``𝓛_λ`` (`zg` Eq. 21); generic.

    >>> X = np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> ridge_minimizer(X, X, 1.0).round(3).tolist()
    [[0.5, 0.0], [0.0, 0.8]]
    """
    X, Y = _data(X, Y)
    lam = _lam(lam)
    kind = _kind(X, Y)
    C = _mul(X, X.T) + lam * _eye(kind, _shape(X)[0])
    if kind == "sympy":
        return _mul(_mul(Y, X.T), C.inv())
    if kind == "mpmath":
        return _mul(_mul(Y, X.T), mpmath.inverse(C))
    return np.linalg.solve(C, X @ Y.T).T  # C symmetric


def squared_loss(W: Any, X: Any, Y: Any, lam: Any = 0) -> Any:
    """``𝓛_λ(W) = ½‖Y − WX‖_F² + (λ/2)‖W‖_F²`` (`zg` Eqs. 3, 19); generic."""
    X, Y = _data(X, Y)
    R = Y - _mul(W, X)
    return (_fro2(R) + lam * _fro2(W)) / 2


def loss_gradient(W: Any, X: Any, Y: Any, lam: Any = 0) -> Any:
    """``∇𝓛_λ(W) = (WX − Y)Xᵀ + λW``; generic."""
    X, Y = _data(X, Y)
    return _mul(_mul(W, X) - Y, X.T) + lam * W


def tangent_projection(W: Any, G: Any, k: int) -> Any:
    """Orthogonal projection of G onto the tangent space of ``M_k`` at W (rank k):
    ``P_U G + G P_V − P_U G P_V`` with U, V the top-k singular vectors of W.  The Riemannian
    gradient (embedded metric) of a function with Euclidean gradient G; NumPy or mpmath."""
    k = require_int("k", k, minimum=1)
    U, _, V = _svd(W)
    U, V = _columns(U, range(k)), _columns(V, range(k))
    PU, PV = _mul(U, U.T), _mul(V, V.T)
    return _mul(PU, G) + _mul(G, PV) - _mul(_mul(PU, G), PV)


# ------------------------------------------------------------------------------ Thm 5.3


def centroid_matrices(X: Any, Y: Any, labels: Any) -> tuple[Any, Any]:
    """``(X̂, Ŷ)`` of `zg` Eq. (20): every column replaced by its cluster's centroid (N_j copies
    of (x̂_j, ŷ_j)); generic (SymPy gives exact rational centroids)."""
    X, Y = _data(X, Y)
    lab = np.asarray(labels)
    N = _shape(X)[1]
    if lab.shape != (N,) or lab.dtype.kind not in "iu":
        raise ValueError(f"labels must hold N = {N} integer cluster ids, got {lab!r}")
    if _kind(X, Y) == "numpy":
        Xh, Yh = np.empty_like(X), np.empty_like(Y)
        for c in np.unique(lab):
            sel = lab == c
            Xh[:, sel] = X[:, sel].mean(axis=1, keepdims=True)
            Yh[:, sel] = Y[:, sel].mean(axis=1, keepdims=True)
        return Xh, Yh
    Xh, Yh = X.copy(), Y.copy()
    for c in np.unique(lab):
        cols = [int(i) for i in np.flatnonzero(lab == c)]
        for M, H in ((X, Xh), (Y, Yh)):
            for r in range(_shape(M)[0]):
                mean = sum(M[r, i] for i in cols) / len(cols)
                for i in cols:
                    H[r, i] = mean
    return Xh, Yh


def centroid_distance_bound(X: Any, Y: Any, labels: Any, lam: float) -> dict[str, float]:
    """The bounds on ``‖W* − Ŵ*‖_F`` of `zg` Theorem 5.3 (proof in App. A.4), float64.

    With ``E_X = X − X̂``, ``E_Y = Y − Ŷ``, the exact splits (Eqs. 26-28)
    ``XXᵀ = X̂X̂ᵀ + E_X E_Xᵀ`` and ``YXᵀ = ŶX̂ᵀ + E_Y E_Xᵀ`` give (Eq. 29)
    ``W* − Ŵ* = E_Y E_Xᵀ (XXᵀ+λI)^{-1} + ŶX̂ᵀ[(XXᵀ+λI)^{-1} − (X̂X̂ᵀ+λI)^{-1}]`` and

    * ``proof``: ``‖E_Y E_Xᵀ‖_F/λ + ‖ŶX̂ᵀ‖_2 ‖E_X E_Xᵀ‖_F/λ²`` (both inverses have spectral
      norm <= 1/λ);
    * ``statement``: ``(N/λ) WCSS + (N ‖ŶX̂ᵀ‖_F/λ²) WCSS_X``, the reconstructed printed form, with
      the averaged WCSS of the pairs (x_i, y_i) (Eq. 6) and of the inputs; it dominates
      ``proof`` because ``‖E_Y E_Xᵀ‖_F <= ‖E_Y‖‖E_X‖ <= (‖E_X‖² + ‖E_Y‖²)/2``;
    * ``distance``: the actual ``‖W* − Ŵ*‖_F`` (ridge solutions, Eq. 21).
    """
    X, Y = _data(X, Y)
    if not float(lam) > 0:
        raise ValueError(f"lam must be > 0 for Theorem 5.3, got {lam!r}")
    lam = float(lam)
    N = X.shape[1]
    Xh, Yh = centroid_matrices(X, Y, labels)
    EX, EY = X - Xh, Y - Yh
    cross = float(np.linalg.norm(EY @ EX.T))
    scatter = float(np.linalg.norm(EX @ EX.T))
    M = Yh @ Xh.T
    wcss_x = float(np.sum(EX**2)) / N
    wcss_xy = wcss_x + float(np.sum(EY**2)) / N
    dist = float(np.linalg.norm(ridge_minimizer(X, Y, lam) - ridge_minimizer(Xh, Yh, lam)))
    return {
        "distance": dist,
        "proof": cross / lam + float(np.linalg.norm(M, 2)) * scatter / lam**2,
        "statement": N * wcss_xy / lam + N * float(np.linalg.norm(M)) * wcss_x / lam**2,
        "cross_term": cross, "scatter_term": scatter, "wcss_xy": wcss_xy, "wcss_x": wcss_x,
        "YhatXhatT_fro": float(np.linalg.norm(M)), "YhatXhatT_spec": float(np.linalg.norm(M, 2)),
    }


# ------------------------------------------------------------------------------ Thm 5.4


def truncation_distance_bound(X: Any, tcv: float, lam: float = 0.0,
                              norm: str = "spectral") -> float:
    """``‖(XXᵀ + λI)^{-1/2}‖ · √(N·TCV_k(Y))`` (`zg` Theorem 5.4, Eq. 43), with TCV averaged over
    the N samples (:func:`ncverify.models.clusters.tcv_exact`); ``norm`` of the inverse root:
    ``"spectral"`` (what the proof needs) or ``"frobenius"`` (weaker, also valid)."""
    X, _ = _data(X)
    if norm not in ("spectral", "frobenius"):
        raise ValueError(f"norm must be 'spectral' or 'frobenius', got {norm!r}")
    if not float(tcv) >= 0:
        raise ValueError(f"tcv must be >= 0, got {tcv!r}")
    inv = gram_sqrt(X, lam, inverse=True)
    c = float(np.linalg.norm(inv, 2 if norm == "spectral" else "fro"))
    return c * math.sqrt(X.shape[1] * float(tcv))


# ------------------------------------------------------------------------------ exact instances


def rational_instance(s: Sequence[Any], r: Sequence[Any], lam: Any, N: int,
                      rng: np.random.Generator, size: int = 2) -> dict[str, sympy.Matrix]:
    """A rational data set whose Q (Eq. 16/36) has the prescribed rational SVD, for exact checks.

    ``X = V_x diag(r) O``, with V_x (d×d) and O (the first d rows of an N×N matrix) random
    rational orthogonal (Cayley transforms), so ``XXᵀ + λI = V_x diag(r² + λ) V_xᵀ``; every
    ``r_i² + λ`` must be the square of a rational m_i, so ``P = (XXᵀ + λI)^{1/2} = V_x diag(m)
    V_xᵀ`` is rational.  ``Q = U diag(s) V[:, :p]ᵀ`` (p = len(s) <= d = len(r)) with U, V
    random rational orthogonal, and ``Y = Q P (XXᵀ)^{-1} X + Z(I − Xᵀ(XXᵀ)^{-1}X)`` (Z random
    small integers), so that ``YXᵀ = QP`` and Y has a component outside the row space of X.

    Returns SymPy matrices ``X, Y, P, Pinv, U, V, Q`` and the list ``s``.
    """
    from ncverify.models.orthogonal import random_rational_orthogonal

    N = require_int("N", N, minimum=1)
    s = [sympy.Rational(x) for x in s]
    r = [sympy.Rational(x) for x in r]
    lam = sympy.Rational(lam)
    p, d = len(s), len(r)
    if not 1 <= p <= d <= N:
        raise ValueError(f"need 1 <= len(s) <= len(r) <= N, got {p}, {d}, {N}")
    if any(x <= 0 for x in r) or any(x < 0 for x in s):
        raise ValueError("r must be positive and s nonnegative")
    m = [sympy.sqrt(x**2 + lam) for x in r]
    if not all(x.is_Rational for x in m):
        squares = [x**2 + lam for x in r]
        raise ValueError(f"every r_i^2 + lam must be a rational square, got {squares}")
    Vx = random_rational_orthogonal(d, rng, size)
    O = random_rational_orthogonal(N, rng, size)[:d, :]
    X = Vx * sympy.diag(*r) * O
    P = Vx * sympy.diag(*m) * Vx.T
    Pinv = Vx * sympy.diag(*[1 / x for x in m]) * Vx.T
    U = random_rational_orthogonal(p, rng, size)
    V = random_rational_orthogonal(d, rng, size)
    Q = U * sympy.diag(*s).row_join(sympy.zeros(p, d - p)) * V.T
    Ginv = (X * X.T).inv()
    Z = sympy.Matrix(p, N, lambda i, j: int(rng.integers(-2, 3)))
    Y = Q * P * Ginv * X + Z * (sympy.eye(N) - X.T * Ginv * X)
    return {"X": X, "Y": Y, "P": P, "Pinv": Pinv, "U": U, "V": V[:, :p], "Q": Q, "s": s}


# ------------------------------------------------------------------------------ weight decay


def weight_decay_scalar(a: Any, s: Any, lam: Any, depth: int) -> Any:
    """``argmin_{t >= 0} ½ a (s − t)² + (depth·λ/2) t^{2/depth}`` for a, s, λ > 0.

    The one-dimensional problem of a depth-L product with weight decay ``(λ/2)Σ_l w_l²`` on its
    factors (balanced factors: ``Σ_l w_l² = L t^{2/L}``).  L = 1: ridge ``as/(a + λ)``; L = 2:
    soft threshold ``max(s − λ/a, 0)``; L >= 3: the largest root of ``a(s − t) = λ t^{2/L−1}``
    if it beats t = 0, else 0 (a jump: the penalty has infinite slope at 0).  Float or mpmath
    (the type of ``a``).

    >>> weight_decay_scalar(2.0, 1.0, 1.0, 1), weight_decay_scalar(2.0, 1.0, 1.0, 2)
    (0.6666666666666666, 0.5)
    >>> round(weight_decay_scalar(9.0, 1.0, 1.0, 4), 6), weight_decay_scalar(1.0, 1.0, 1.0, 4)
    (0.881667, 0.0)
    """
    depth = require_int("depth", depth, minimum=1)
    mp = isinstance(a, mpmath.mpf) or isinstance(s, mpmath.mpf)
    if not (float(a) > 0 and float(lam) > 0 and float(s) >= 0):
        raise ValueError(f"need a > 0, lam > 0, s >= 0, got a={a!r}, s={s!r}, lam={lam!r}")
    if float(s) == 0:
        return mpmath.mpf(0) if mp else 0.0
    if depth == 1:
        return a * s / (a + lam)
    if depth == 2:
        t = s - lam / a
        return t if t > 0 else (mpmath.mpf(0) if mp else 0.0)
    p = 1 - mpmath.mpf(2) / depth if mp else 1 - 2.0 / depth
    tm = p * s / (1 + p)  # maximiser of (s - t) t^p

    def h(t: Any) -> Any:
        return a * (s - t) * t**p - lam

    if h(tm) <= 0:
        return mpmath.mpf(0) if mp else 0.0
    if mp:
        t = mpmath.findroot(h, (tm, s), solver="anderson")
    else:
        t = scipy.optimize.brentq(h, tm, s, xtol=1e-16, rtol=4 * np.finfo(float).eps)

    def f(t: Any) -> Any:
        return a * (s - t) ** 2 / 2 + depth * lam * t ** (2 / (mpmath.mpf(depth) if mp
                                                             else float(depth))) / 2
    return t if f(t) < f(0 * t) else (mpmath.mpf(0) if mp else 0.0)


def weight_decay_threshold(depth: int) -> tuple[sympy.Expr, sympy.Expr]:
    """``(κ_L, t_L)``: :func:`weight_decay_scalar` ``(a, 1, λ, L)`` is 0 for ``a < κ_L λ`` and
    jumps to ``t_L`` at ``a = κ_L λ``; exact SymPy numbers.

    Tangency of ``½a(1 − t)² + (Lλ/2)t^{2/L}`` with its value ``a/2`` at t = 0 gives
    ``(1 − t)² + L t(1 − t) = 1``, so ``t_L = (L − 2)/(L − 1)`` and ``κ_L = t_L^{2/L−1}/(1 − t_L)``
    (L = 2: κ = 1, t = 0, no jump; L = 4: κ = 3√(3/2), t = 2/3).  Only for L >= 2.

    >>> weight_decay_threshold(4)
    (3*sqrt(6)/2, 2/3)
    """
    depth = require_int("depth", depth, minimum=2)
    t = sympy.Rational(depth - 2, depth - 1)
    if depth == 2:
        return sympy.Integer(1), t
    return sympy.nsimplify(sympy.radsimp(t ** (sympy.Rational(2, depth) - 1) / (1 - t))), t


def weight_decay_autoencoder_minimizer(X: Any, lam: float, depth: int) -> np.ndarray:
    """Product ``W = W_L⋯W_1`` minimising ``½‖X − WX‖² + (λ/2)Σ_l‖W_l‖²`` (hidden widths >= d).

    With ``XXᵀ = V diag(c) Vᵀ`` the minimiser is ``V diag(t_i) Vᵀ``, ``t_i =``
    :func:`weight_decay_scalar` ``(c_i, 1, λ, L)``; for L = 1 this is the ridge solution
    ``XXᵀ(XXᵀ + λI)^{-1}`` of `zg` Eq. (21), for L >= 2 a Schatten-2/L shrinkage (confirmed against
    trained and polished networks in ``zg.thm5_1``).  Float64.
    """
    X, _ = _data(X)
    depth = require_int("depth", depth, minimum=1)
    if not float(lam) > 0:
        raise ValueError(f"lam must be > 0, got {lam!r}")
    c, V = np.linalg.eigh(X @ X.T)
    t = np.array([weight_decay_scalar(max(float(ci), 1e-300), 1.0, float(lam), depth)
                  for ci in c])
    return (V * t) @ V.T


def deep_product(weights: Sequence[Any]) -> np.ndarray:
    """``W_L ⋯ W_1`` for ``weights = [W_1, ..., W_L]`` (the engine's order)."""
    if not weights:
        raise ValueError("weights must hold at least one matrix")
    P = np.asarray(weights[0], dtype=np.float64)
    for w in weights[1:]:
        P = np.asarray(w, dtype=np.float64) @ P
    return P
