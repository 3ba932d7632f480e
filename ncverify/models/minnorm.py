"""Minimum-norm solutions of linear systems in exact rational arithmetic (python-flint).

`sk` Lemmas 9–11 are minimum-norm problems ``min ‖w‖² s.t. Bᵀw = z`` and
``min ‖W‖_F² s.t. W M = Z``.  Their values are ``zᵀ(BᵀB)⁺z`` and ``tr(Z (MᵀM)⁺ Zᵀ)``.  These
helpers compute them without any structure of the matrices and without a pseudo-inverse: for
``P = MᵀM`` (symmetric PSD) and ``z ∈ range(P)``, any solution y of ``P y = z`` gives
``zᵀP⁺z = zᵀy`` (y = P⁺z + n with n ∈ ker P ⟂ z), and the minimum-norm w is ``M y``.
"""

from __future__ import annotations

import flint

__all__ = ["consistent_solve", "min_norm_rows", "min_norm_value"]


def consistent_solve(P: flint.fmpq_mat, B: flint.fmpq_mat) -> flint.fmpq_mat:
    """One exact solution X of ``P X = B`` (free variables set to 0), P possibly singular.

    Raises ``ValueError`` if the system is inconsistent (some column of B is not in range(P)).

    >>> P = flint.fmpq_mat(2, 2, [1, 1, 1, 1]); B = flint.fmpq_mat(2, 1, [2, 2])
    >>> consistent_solve(P, B).tolist()
    [[2], [0]]
    >>> consistent_solve(P, flint.fmpq_mat(2, 1, [1, 0]))
    Traceback (most recent call last):
    ...
    ValueError: P X = B is inconsistent: B is not in the range of P
    """
    m, k = P.nrows(), P.ncols()
    if B.nrows() != m:
        raise ValueError(f"B must have {m} rows, got {B.nrows()}")
    aug = flint.fmpq_mat(m, k + B.ncols())
    for i in range(m):
        for j in range(k):
            aug[i, j] = P[i, j]
        for j in range(B.ncols()):
            aug[i, k + j] = B[i, j]
    R, rank = aug.rref()
    X = flint.fmpq_mat(k, B.ncols())
    for i in range(rank):
        piv = next(j for j in range(k + B.ncols()) if R[i, j] != 0)
        if piv >= k:
            raise ValueError("P X = B is inconsistent: B is not in the range of P")
        for j in range(B.ncols()):
            X[piv, j] = R[i, k + j]
    return X


def min_norm_rows(M: flint.fmpq_mat, Z: flint.fmpq_mat) -> flint.fmpq_mat:
    """The minimum-Frobenius-norm W with ``W M = Z`` (exact): ``W = Yᵀ Mᵀ`` where
    ``(MᵀM) Y = Zᵀ``; each row of W then lies in the row space of Mᵀ, which characterises the
    minimum-norm solution.  Raises ``ValueError`` if no W solves the system."""
    P = M.transpose() * M
    Y = consistent_solve(P, Z.transpose())
    W = (M * Y).transpose()
    if W * M != Z:
        raise ValueError("W M = Z has no solution (a row of Z is not in the row space of M)")
    return W


def min_norm_value(M: flint.fmpq_mat, Z: flint.fmpq_mat) -> flint.fmpq:
    """``min ‖W‖_F² s.t. W M = Z`` = ``tr(Z (MᵀM)⁺ Zᵀ)``, exactly.

    >>> M = flint.fmpq_mat(2, 1, [1, 1]); Z = flint.fmpq_mat(1, 1, [2])
    >>> min_norm_value(M, Z)       # w = (1, 1): ‖w‖² = 2
    2
    """
    W = min_norm_rows(M, Z)
    total = flint.fmpq(0)
    for i in range(W.nrows()):
        for j in range(W.ncols()):
            total += W[i, j] * W[i, j]
    return total
