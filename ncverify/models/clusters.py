"""Within-cluster sum of squares and total cluster variation (`zg` §3.1, Eqs. 6-7, Def. 3.2).

Conventions (`zg` is a plain-text rendering whose formulas were lost; reconstructed from the
prose, see ``ncverify/papers/zg/prop4_1.py``):

* Data points are the columns of ``X ∈ R^{d×N}`` (the engine's convention); an optional second
  block ``Y ∈ R^{p×N}`` (labels, or targets) is stacked under X, so the points are the pairs
  ``(x_i, y_i)`` and the centroids ``(x̂_j, ŷ_j)`` as in `zg` Eq. (6).
* ``WCSS(𝒞) = (1/N) Σ_j Σ_{i∈C_j} ‖x_i − x̂_j‖²`` with ``x̂_j`` the centroid of ``C_j``: the
  average over the N points (`zg` §4 calls the one-cluster case "the empirical average of
  i.i.d. Gaussian chaos"); ``average=False`` gives the plain sum of squares.
* ``TCV_k(X) = min_{𝒞 ∈ Π_k} WCSS(𝒞)`` over the partitions of the N points into k sets (`zg`
  Eq. 7).  Splitting a cluster never increases the WCSS, so for N >= k the minimum over
  partitions into exactly k non-empty sets equals the minimum over at most k sets; for N = k
  it is 0, and k > N is rejected (no partition into k non-empty sets exists).
  :func:`tcv_exact` enumerates the partitions (restricted-growth strings), which is
  feasible for small N only; :func:`wcss` of any partition with at most k sets (e.g. the class
  partition, as `zg` §6.3 does for MNIST) is an upper bound.
* Gaussian mixtures (`zg` §4): ``x_i = μ_j + Σ_j^{1/2} g_i`` with ``g_i ~ N(0, I_d)`` and the
  component j drawn with probabilities π (i.i.d. sampling), or exactly ``N_j = π_j N`` points
  per component (``stratified=True``).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ncverify.models.validation import require_int

__all__ = ["sample_gaussian_mixture", "set_partitions", "stable_rank", "tcv_exact",
           "tcv_upper_bound", "wcss"]

#: Largest number of partitions :func:`tcv_exact` will enumerate.
MAX_PARTITIONS = 2_000_000


@functools.lru_cache(maxsize=32)
def _rgs(N: int, k: int) -> np.ndarray:
    rows = np.zeros((1, 1), dtype=np.int8)
    top = np.zeros(1, dtype=np.int8)  # largest label used so far in each row
    for _ in range(1, N):
        choices = np.minimum(top + 1, k - 1) + 1  # labels 0..min(top+1, k-1)
        rep = np.repeat(np.arange(rows.shape[0]), choices)
        offs = np.arange(rep.size) - np.repeat(np.cumsum(choices) - choices, choices)
        new = offs.astype(np.int8)
        rows = np.concatenate([rows[rep], new[:, None]], axis=1)
        top = np.maximum(top[rep], new)
        if rows.shape[0] > 4 * MAX_PARTITIONS:
            raise ValueError(f"too many partitions of N = {N} points into {k} sets to enumerate")
    keep = top == k - 1
    out = rows[keep]
    out.setflags(write=False)
    return out


def set_partitions(N: int, k: int) -> np.ndarray:
    """All partitions of ``{0..N-1}`` into exactly k non-empty sets, as an (S(N,k), N) int8
    array of restricted-growth strings (labels in order of first appearance).

    >>> set_partitions(3, 2).tolist()
    [[0, 0, 1], [0, 1, 0], [0, 1, 1]]
    >>> len(set_partitions(6, 3))  # Stirling number S(6, 3)
    90
    """
    N = require_int("N", N, minimum=1)
    k = require_int("k", k, minimum=1)
    if k > N:
        raise ValueError(f"k must be <= N = {N} for a partition into k non-empty sets, got {k}")
    out = _rgs(N, k)
    if out.shape[0] > MAX_PARTITIONS:
        raise ValueError(f"{out.shape[0]} partitions of N = {N} points into {k} sets exceed "
                         f"the enumeration limit {MAX_PARTITIONS}")
    return out


def _points(X: Any, Y: Any = None) -> np.ndarray:
    """Stack X (d, N) or (R, d, N) and optional Y along the feature axis, validated."""
    try:
        P = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("X must be a numeric array of shape (d, N) or (R, d, N)") from None
    if P.ndim not in (2, 3) or P.shape[-1] < 1:
        raise ValueError(f"X must have shape (d, N) or (R, d, N), got {P.shape}")
    if Y is not None:
        Ya = np.asarray(Y, dtype=np.float64)
        if Ya.ndim == 1:
            Ya = Ya[None]
        if Ya.shape[-1] != P.shape[-1]:
            raise ValueError(f"Y must have N = {P.shape[-1]} columns, got shape {Ya.shape}")
        if Ya.ndim == 2 and P.ndim == 3:
            Ya = np.broadcast_to(Ya, (P.shape[0], *Ya.shape))
        if Ya.ndim != P.ndim or (P.ndim == 3 and Ya.shape[0] != P.shape[0]):
            raise ValueError(f"Y of shape {Ya.shape} does not match X of shape {P.shape}")
        P = np.concatenate([P, Ya], axis=-2)
    if not np.all(np.isfinite(P)):
        raise ValueError("X (or Y) contains NaN or inf entries")
    return P


def wcss(X: Any, labels: Any, *, Y: Any = None, average: bool = True):
    """Within-cluster sum of squares of the partition given by ``labels`` (`zg` Eq. 6).

    ``(1/N) Σ_j Σ_{i∈C_j} ‖p_i − p̂_j‖²`` with ``p_i = (x_i, y_i)`` (just x_i without Y) and
    ``p̂_j`` the centroid of cluster j; ``average=False`` drops the 1/N.  ``X`` is (d, N) or
    (R, d, N) (then a float array (R,) is returned); ``labels`` are N integer cluster ids.

    >>> X = np.array([[0.0, 2.0, 10.0, 12.0]])
    >>> float(wcss(X, [0, 0, 1, 1])), float(wcss(X, [0, 0, 0, 1], average=False))
    (1.0, 56.0)
    """
    P = _points(X, Y)
    lab = np.asarray(labels)
    if lab.shape != (P.shape[-1],):
        raise ValueError(f"labels must hold N = {P.shape[-1]} cluster ids, got shape {lab.shape}")
    if lab.dtype.kind not in "iu":
        raise ValueError("labels must be integers")
    _, inv = np.unique(lab, return_inverse=True)
    total = np.zeros(P.shape[:-2])
    for j in range(inv.max() + 1):
        C = P[..., inv == j]
        D = C - C.mean(axis=-1, keepdims=True)
        total = total + np.sum(D * D, axis=(-2, -1))
    out = total / P.shape[-1] if average else total
    return float(out) if out.ndim == 0 else out


def tcv_exact(X: Any, k: int, *, Y: Any = None, average: bool = True,
              return_partition: bool = False):
    """The k-th total cluster variation ``min_{𝒞∈Π_k} WCSS(𝒞)`` by enumeration (`zg` Eq. 7).

    Enumerates the S(N, k) partitions into exactly k non-empty sets (enough, see the module
    doc), through the Gram matrix: ``N·WCSS = Σ_i ‖p_i‖² − Σ_j ‖Σ_{i∈C_j} p_i‖²/|C_j|``.
    ``X`` is (d, N) or (R, d, N); with ``return_partition`` the minimising labels are returned
    too ((N,) or (R, N)).

    >>> X = np.array([[0.0, 0.1, 5.0, 5.2, 9.0]])
    >>> v, lab = tcv_exact(X, 3, return_partition=True)
    >>> round(v, 6), lab.tolist()
    (0.005, [0, 0, 1, 1, 2])
    """
    P = _points(X, Y)
    k = require_int("k", k, minimum=1)
    batched = P.ndim == 3
    if not batched:
        P = P[None]
    R, _, N = P.shape
    if k > N:  # Π_k (Eq. 7) has no partition of N < k points into k non-empty clusters
        raise ValueError(f"k must be <= N = {N} (the number of points), got {k}")
    if k == N:
        vals = np.zeros(R)
        parts = np.broadcast_to(np.arange(N), (R, N)).copy()
    else:
        S = set_partitions(N, k)
        M = S.shape[0]
        onehot = [(S == j).astype(np.float64) for j in range(k)]  # (M, N) each
        sizes = [o.sum(axis=1) for o in onehot]
        P = P - P.mean(axis=-1, keepdims=True)  # WCSS is translation invariant; avoids
        G = np.einsum("rdn,rdp->rnp", P, P)  # cancellation when the means are far out
        diag = np.einsum("rnn->r", G)
        vals = np.empty(R)
        parts = np.empty((R, N), dtype=np.int64)
        chunk = max(1, int(4e6 // (M * N)))
        for a in range(0, R, chunk):
            Gc = G[a:a + chunk]
            between = np.zeros((Gc.shape[0], M))
            for o, n in zip(onehot, sizes, strict=True):
                OG = np.einsum("mn,rnp->rmp", o, Gc)
                between += np.einsum("rmp,mp->rm", OG, o) / n
            best = np.argmax(between, axis=1)
            vals[a:a + chunk] = diag[a:a + chunk] - between[np.arange(len(best)), best]
            parts[a:a + chunk] = S[best]
        vals = np.maximum(vals, 0.0)
    if average:
        vals = vals / N
    out = vals if batched else float(vals[0])
    if return_partition:
        return out, (parts if batched else parts[0])
    return out


def tcv_upper_bound(X: Any, labels: Any, k: int | None = None, *, Y: Any = None,
                    average: bool = True):
    """``WCSS`` of a given partition (e.g. the classes), an upper bound on ``TCV_k`` whenever
    the partition has at most k sets (checked when k is given)."""
    lab = np.asarray(labels)
    if k is not None:
        k = require_int("k", k, minimum=1)
        m = len(np.unique(lab))
        if m > k:
            raise ValueError(f"labels form {m} clusters, more than k = {k}: not a bound on TCV_k")
    return wcss(X, lab, Y=Y, average=average)


def stable_rank(Sigma: Any) -> float:
    """``r(Σ) = tr(Σ)/‖Σ‖₂`` for a positive semidefinite Σ, i.e. the stable rank
    ``‖A‖_F²/‖A‖₂²`` of its root A = Σ^{1/2} (Vershynin 2018, §7.6.1); d for Σ = σ²I_d.

    >>> stable_rank(np.diag([4.0, 1.0, 1.0]))
    1.5
    """
    S = np.asarray(Sigma, dtype=np.float64)
    if S.ndim != 2 or S.shape[0] != S.shape[1]:
        raise ValueError(f"Sigma must be a square matrix, got shape {S.shape}")
    w = np.linalg.eigvalsh(0.5 * (S + S.T))
    if w[0] < -1e-12 * max(1.0, abs(w[-1])) or w[-1] <= 0:
        raise ValueError("Sigma must be positive semidefinite and nonzero")
    return float(np.sum(w) / w[-1])


def sample_gaussian_mixture(rng: np.random.Generator, N: int, means: Any, covs: Any,
                            weights: Any = None, *, draws: int | None = None,
                            stratified: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Samples of ``Σ_j π_j N(μ_j, Σ_j)`` as columns: ``x_i = μ_j + Σ_j^{1/2} g_i`` (`zg` §4).

    Parameters
    ----------
    means : (k, d).  covs : (k, d, d) covariance matrices, or (k, d) diagonals.
    weights : π (default uniform).  draws : if given, that many independent datasets.
    stratified : exactly ``N_j = π_j N`` points per component (π_j N must be integers) instead
        of i.i.d. component labels.

    Returns ``(X, comp)``: X (d, N) or (draws, d, N) and the component of every column.
    """
    N = require_int("N", N, minimum=1)
    mu = np.asarray(means, dtype=np.float64)
    if mu.ndim != 2:
        raise ValueError(f"means must have shape (k, d), got {mu.shape}")
    k, d = mu.shape
    C = np.asarray(covs, dtype=np.float64)
    roots = None
    if C.shape == (k, d):
        if np.any(C < 0):
            raise ValueError("covs (diagonal variances) must be >= 0")
        diag_roots = np.sqrt(C)
    elif C.shape == (k, d, d):
        roots = np.empty_like(C)
        for j in range(k):
            w, V = np.linalg.eigh(0.5 * (C[j] + C[j].T))
            if w[0] < -1e-12 * max(1.0, abs(w[-1])):
                raise ValueError(f"covs[{j}] is not positive semidefinite")
            roots[j] = (V * np.sqrt(np.maximum(w, 0))) @ V.T  # the unique s.p.d. root
    else:
        raise ValueError(f"covs must have shape (k, d, d) or (k, d) = ({k}, {d}), got {C.shape}")
    pi = np.full(k, 1.0 / k) if weights is None else np.asarray(weights, dtype=np.float64)
    if pi.shape != (k,) or np.any(pi < 0) or not np.isclose(pi.sum(), 1.0):
        raise ValueError(f"weights must be k = {k} probabilities summing to 1")
    R = 1 if draws is None else require_int("draws", draws, minimum=1)
    if stratified:
        counts = pi * N
        if not np.allclose(counts, np.round(counts)):
            raise ValueError("stratified sampling needs integer pi_j * N")
        comp = np.broadcast_to(np.repeat(np.arange(k), np.round(counts).astype(int)), (R, N))
        comp = comp.copy()
    else:
        comp = rng.choice(k, size=(R, N), p=pi)
    g = rng.standard_normal((R, N, d))
    if roots is None:
        X = mu[comp] + diag_roots[comp] * g
    else:
        X = mu[comp] + g
        for j in range(k):
            sel = comp == j
            X[sel] = mu[j] + g[sel] @ roots[j].T
    X = np.swapaxes(X, 1, 2)
    if draws is None:
        return X[0], comp[0]
    return X, comp
