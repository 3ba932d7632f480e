"""Dimensions of the sets of Lemma-1-structured parameters with a fixed output (`gk` Def. 4, Thm 5).

At a critical point of the deep linear UFM the parameters have the aligned SVD of `gk` Lemma 1,
Eq. (3): ``W_l = U_l Σ U_{l-1}ᵀ``, ``W_L = U_L Σ̃ U_{L-1}ᵀ``, ``H_1 = U_0 Σ̄ V_0ᵀ``.  Fix the
output ``Z* = U_L [diag(s^{L+1}) 0] V_0ᵀ`` (Eq. 4) of rank r, whose non-zero singular values have
multiplicities ``pattern = (m_1, ..., m_k)`` (``Σ m_j = r``).  The set of parameter tuples
``(W_L, ..., W_1, H_1)`` of this form producing Z* is the image of

* the frames ``U_0, ..., U_{L-1} ∈ O(d)`` (dimension ``L·dim O(d)``), and
* the choice of an SVD pair of Z*: the leading r columns of ``(U_L, V_0)`` are fixed by Z* up to
  one block-orthogonal ``Q ∈ G = O(m_1) × ... × O(m_k)`` acting on both (dimension ``dim G``),

and the map to the parameters is invariant exactly under

* ``O(d - r)`` rotating the kernel columns of each ``U_l`` (l = 0..L-1), and
* the joint action of G on the leading r columns of *all* frames U_0..U_L and V_0 (Q commutes with
  the singular values, so ``U_l Q Σ Qᵀ U_{l-1}ᵀ = U_l Σ U_{l-1}ᵀ``): one copy of G, not one per
  layer.

Hence ``D = L·dim O(d) + dim G − L·dim O(d−r) − dim G = L·dim St(r, d) = L(rd − r(r+1)/2)``
for every multiplicity pattern.  :func:`canonical_tangent_map` gives the infinitesimal version
(the differential of the parametrisation at canonical frames, an exact integer matrix) whose rank
the claim ``gk.thm5`` compares with these closed forms.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy

from ncverify.models.validation import require_int

__all__ = [
    "canonical_tangent_map",
    "dimension_ratio",
    "dnc_dimension",
    "frame_space_dimension",
    "grassmann_dimension",
    "isotropy_dimension",
    "orthogonal_group_dimension",
    "pattern_rank",
    "singular_value_patterns",
    "stabiliser_dimension",
    "stiefel_dimension",
    "structured_dimension",
]


def _is_symbolic(*xs: Any) -> bool:
    return any(isinstance(x, sympy.Basic) and not isinstance(x, sympy.Integer) for x in xs)


def orthogonal_group_dimension(m: Any) -> Any:
    """``dim O(m) = m(m-1)/2`` (skew-symmetric m×m matrices); ``m`` may be a SymPy symbol.

    >>> orthogonal_group_dimension(3), orthogonal_group_dimension(0)
    (3, 0)
    """
    if _is_symbolic(m):
        return m * (m - 1) / 2
    m = require_int("m", m, minimum=0)
    return m * (m - 1) // 2


def stiefel_dimension(r: Any, d: Any) -> Any:
    """``dim St(r, d) = rd − r(r+1)/2`` (orthonormal r-frames in R^d; `gk` App. B.7).

    Derived as ``dim O(d) − dim O(d − r)`` (St(r, d) = O(d)/O(d−r)).

    >>> stiefel_dimension(2, 4)
    5
    """
    if _is_symbolic(r, d):
        return sympy.expand(orthogonal_group_dimension(d) - orthogonal_group_dimension(d - r))
    r, d = require_int("r", r, minimum=0), require_int("d", d, minimum=0)
    if r > d:
        raise ValueError(f"r must be <= d={d}, got {r}")
    return orthogonal_group_dimension(d) - orthogonal_group_dimension(d - r)


def grassmann_dimension(r: Any, d: Any) -> Any:
    """``dim Gr(r, d) = r(d − r)`` (r-dimensional subspaces of R^d), derived as
    ``dim St(r, d) − dim O(r)``.

    >>> grassmann_dimension(2, 4)
    4
    """
    if _is_symbolic(r, d):
        return sympy.expand(stiefel_dimension(r, d) - orthogonal_group_dimension(r))
    return stiefel_dimension(r, d) - orthogonal_group_dimension(r)


def _pattern(pattern: Sequence[Any]) -> tuple[Any, ...]:
    if isinstance(pattern, (str, bytes)) or not isinstance(pattern, Sequence) or not pattern:
        raise ValueError(f"pattern must be a non-empty sequence of multiplicities, got {pattern!r}")
    if _is_symbolic(*pattern):
        return tuple(pattern)
    return tuple(require_int(f"pattern[{i}]", m, minimum=1) for i, m in enumerate(pattern))


def pattern_rank(pattern: Sequence[Any]) -> Any:
    """``r = Σ m_j``: the rank of an output with singular-value multiplicities ``pattern``."""
    return sum(_pattern(pattern))


def stabiliser_dimension(pattern: Sequence[Any]) -> Any:
    """``dim G`` for ``G = O(m_1) × ... × O(m_k)``: the orthogonal maps of R^r commuting with
    ``diag(s)`` when the distinct non-zero singular values have multiplicities ``m_j``.

    >>> stabiliser_dimension((3,)), stabiliser_dimension((1, 1, 1)), stabiliser_dimension((2, 1))
    (3, 0, 1)
    """
    return sum(orthogonal_group_dimension(m) for m in _pattern(pattern))


def _check_sizes(d: Any, pattern: Sequence[Any], L: Any) -> tuple[Any, tuple[Any, ...], Any]:
    pat = _pattern(pattern)
    if _is_symbolic(d, L, *pat):
        return d, pat, L
    d, L = require_int("d", d, minimum=1), require_int("L", L, minimum=1)
    if sum(pat) > d:
        raise ValueError(f"the rank sum(pattern)={sum(pat)} must be <= d={d}")
    return d, pat, L


def frame_space_dimension(d: Any, pattern: Sequence[Any], L: Any) -> Any:
    """Dimension of the data parametrising the Lemma-1 tuples over a fixed Z*:
    ``L·dim O(d)`` (frames U_0..U_{L-1}) ``+ dim G`` (the SVD pairs (U_L, V_0) of Z*)."""
    d, pat, L = _check_sizes(d, pattern, L)
    return L * orthogonal_group_dimension(d) + stabiliser_dimension(pat)


def isotropy_dimension(d: Any, pattern: Sequence[Any], L: Any) -> Any:
    """Dimension of the group leaving the parameters unchanged: ``L·dim O(d−r)`` (kernel columns
    of each U_l) ``+ dim G`` (one joint copy acting on all frames, U_L and V_0)."""
    d, pat, L = _check_sizes(d, pattern, L)
    return L * orthogonal_group_dimension(d - sum(pat)) + stabiliser_dimension(pat)


def structured_dimension(d: Any, pattern: Sequence[Any], L: Any) -> Any:
    """``D_{Z*}(d)``: dimension of the Lemma-1-structured parameters producing a fixed Z* (`gk`
    Definition 4 as used in App. B.7), ``frame_space_dimension − isotropy_dimension``.

    Equals ``L·dim St(r, d) = L(rd − r(r+1)/2)`` for every multiplicity pattern (the module
    docstring gives the derivation).  Symbolic arguments give a SymPy expression.

    >>> structured_dimension(5, (3,), 2), structured_dimension(5, (1, 1, 1), 2)
    (18, 18)
    """
    out = frame_space_dimension(d, pattern, L) - isotropy_dimension(d, pattern, L)
    return sympy.expand(out) if _is_symbolic(d, L, *_pattern(pattern)) else out


def dnc_dimension(K: Any, d: Any, L: Any) -> Any:
    """``D_DNC(d)``: the DNC output has K−1 equal non-zero singular values (pattern ``(K-1,)``).

    >>> dnc_dimension(4, 4, 1)
    6
    """
    if not _is_symbolic(K):
        K = require_int("K", K, minimum=2)
    return structured_dimension(d, (K - 1,), L)


def dimension_ratio(K: Any, pattern: Sequence[Any], d: Any, L: Any) -> Any:
    """``R(d) = D_DNC(d) / D_{Z*}(d)`` (`gk` Theorem 5), an exact SymPy rational (or expression).

    >>> dimension_ratio(4, (2,), 4, 1)
    6/5
    """
    num, den = dnc_dimension(K, d, L), structured_dimension(d, pattern, L)
    if _is_symbolic(num, den):
        return sympy.cancel(num / den)
    return sympy.Rational(num, den)


def singular_value_patterns(r: int) -> list[tuple[int, ...]]:
    """All multiplicity patterns of r non-zero singular values (the partitions of r, largest part
    first); the order of the distinct values does not change any dimension.

    >>> singular_value_patterns(3)
    [(3,), (2, 1), (1, 1, 1)]
    """
    r = require_int("r", r, minimum=1)
    out: list[tuple[int, ...]] = []

    def rec(rest: int, cap: int, acc: tuple[int, ...]) -> None:
        if rest == 0:
            out.append(acc)
            return
        for m in range(min(rest, cap), 0, -1):
            rec(rest - m, m, (*acc, m))

    rec(r, r, ())
    return out


def canonical_tangent_map(K: int, d: int, pattern: Sequence[int], L: int, n: int = 1,
                          stabiliser: bool = True) -> np.ndarray:
    """The differential of ``(U_0, ..., U_{L-1}[, Q]) ↦ (H_1, W_1, ..., W_L)`` at canonical frames,
    as an exact integer matrix (NumPy int64; one column per Lie-algebra basis direction).

    With all frames equal to the identity, ``U_l ↦ U_l exp(tA_l)`` (A_l = E_ij − E_ji, i < j) and,
    when ``stabiliser``, ``(U_L, V_0) ↦ (U_L, V_0) exp(tB)`` for B in the Lie algebra of G (block
    skew matrices on the leading r coordinates), the tangent of Eq. (3) is

        δH_1 = A_0 Σ̄ − Σ̄ B,   δW_l = A_l Σ − Σ A_{l-1},   δW_L = B Σ̃ − Σ̃ A_{L-1}.

    At general frames the same tangent is multiplied by orthogonal matrices on both sides (an
    isometry), so the rank is the same at every point.  The singular values are the integers
    ``1, ..., k`` repeated with multiplicities ``pattern`` (distinct values for distinct blocks),
    followed by ``K − r`` zeros.  Rows follow the engine's order ``H_1, W_1, ..., W_L``
    (row-major).
    """
    K, d, L, n = (require_int("K", K, 2), require_int("d", d, 1), require_int("L", L, 1),
                  require_int("n", n, 1))
    pat = _pattern(pattern)
    r = sum(pat)
    if r > K or K > d:
        raise ValueError(f"need r=sum(pattern) <= K <= d, got r={r}, K={K}, d={d}")
    s = np.zeros(max(K * n, d), dtype=np.int64)
    s[:r] = np.repeat(np.arange(1, len(pat) + 1), pat)
    N = K * n

    def sig(rows: int, cols: int) -> np.ndarray:
        M = np.zeros((rows, cols), dtype=np.int64)
        M[np.arange(r), np.arange(r)] = s[:r]
        return M

    S_bar, S_mid, S_tilde = sig(d, N), sig(d, d), sig(K, d)
    skew = [(i, j) for i in range(d) for j in range(i + 1, d)]
    blocks, start = [], 0
    for m in pat:
        blocks += [(start + i, start + j) for i in range(m) for j in range(i + 1, m)]
        start += m

    def unit_skew(size: int, i: int, j: int) -> np.ndarray:
        A = np.zeros((size, size), dtype=np.int64)
        A[i, j], A[j, i] = 1, -1
        return A

    def zeros() -> list[np.ndarray]:  # [δH_1, δW_1, ..., δW_L]
        return ([np.zeros((d, N), np.int64)] + [np.zeros((d, d), np.int64)] * (L - 1)
                + [np.zeros((K, d), np.int64)])

    cols = []
    for layer in range(L):
        for i, j in skew:
            A = unit_skew(d, i, j)
            parts = zeros()
            if layer == 0:
                parts[0] = A @ S_bar
            if 1 <= layer + 1 <= L - 1:  # W_{layer+1} = U_{layer+1} Σ U_layerᵀ: −Σ A
                parts[layer + 1] = parts[layer + 1] - S_mid @ A
            if layer >= 1:  # W_layer = U_layer Σ U_{layer-1}ᵀ: +A Σ
                parts[layer] = parts[layer] + A @ S_mid
            if layer == L - 1:  # W_L = U_L Σ̃ U_{L-1}ᵀ: −Σ̃ A
                parts[L] = parts[L] - S_tilde @ A
            cols.append(np.concatenate([p.ravel() for p in parts]))
    if stabiliser:
        for i, j in blocks:
            parts = zeros()
            parts[0] = -S_bar @ unit_skew(N, i, j)
            parts[L] = unit_skew(K, i, j) @ S_tilde
            cols.append(np.concatenate([p.ravel() for p in parts]))
    return np.stack(cols, axis=1) if cols else np.zeros((0, 0), dtype=np.int64)
