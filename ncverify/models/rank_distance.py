"""Distance of a matrix to the low-rank matrices, and the rank summaries built on it (`zg` §3-6).

By Eckart–Young–Mirsky the Frobenius distance of W to ``{rank ≤ k}`` is the tail
``(Σ_{i>k} s_i²)^{1/2}`` of its singular values (`zg` Eq. 10 measures closeness to rank k this
way; §6.3's "relative singular value error tail", Eq. 22 reconstructed, divides by ``‖W‖_F``).
One home for these: the claims ``zg.thm3_4`` and ``zg.fig1`` and the experiment ``realdata-zg``
all use them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ncverify.models.clusters import stable_rank
from ncverify.models.validation import require_int

__all__ = ["epsilon_rank", "rank_k_distance", "soft_rank", "tail_errors"]


def rank_k_distance(W: Any, k: int):
    """``dist_F(W, {rank ≤ k}) = (Σ_{i>k} s_i(W)²)^{1/2}`` (Eckart–Young; `zg` Eq. 10).

    ``W`` is (rows, cols) or batched (R, rows, cols).

    >>> float(rank_k_distance(np.diag([3.0, 4.0, 0.0]), 1))
    3.0
    """
    k = require_int("k", k, minimum=0)
    s = np.linalg.svd(np.asarray(W, dtype=np.float64), compute_uv=False)
    tail = np.sqrt(np.sum(s[..., k:] ** 2, axis=-1))
    return float(tail) if tail.ndim == 0 else tail


def tail_errors(s: Any) -> np.ndarray:
    """``e(k) = √(Σ_{i>k} s_i²)/√(Σ_i s_i²)`` for k = 0..len(s) (`zg` Eq. 22, reconstructed):
    the relative Frobenius distance to the nearest rank-k matrix, from singular values s.

    >>> tail_errors([3.0, 4.0]).round(3).tolist()
    [1.0, 0.6, 0.0]
    """
    s = np.sort(np.abs(np.asarray(s, dtype=np.float64)))[::-1]
    if s.ndim != 1 or s.size == 0 or not np.all(np.isfinite(s)):
        raise ValueError("s must be a non-empty 1-D array of finite singular values")
    tot = float(np.sum(s * s))
    if tot == 0:
        raise ValueError("s must not be all zero (relative tail undefined)")
    tails = np.concatenate([np.cumsum((s * s)[::-1])[::-1], [0.0]])
    return np.sqrt(np.maximum(tails, 0.0) / tot)


def soft_rank(s: Any) -> float:
    """Stable rank ``‖W‖_F²/‖W‖_2²`` from the singular values s (:func:`stable_rank` of
    ``W Wᵀ``, whose eigenvalues are s²); `zg` §6.4's "softrank" is not defined in the surviving
    text, and this is the usual smooth rank surrogate.

    >>> soft_rank([2.0, 1.0, 1.0])
    1.5
    """
    s = np.asarray(s, dtype=np.float64)
    return stable_rank(np.diag(s * s))


def epsilon_rank(s: Any, eps: float = 0.1) -> int:
    """Smallest k with relative tail error ``e(k) <= eps`` (see :func:`tail_errors`).

    >>> epsilon_rank([10.0, 1.0, 0.1], eps=0.1)
    1
    """
    return int(np.argmax(tail_errors(s) <= eps))
