"""The Schatten quasi-norm penalty and the reduced loss of the deep linear UFM.

The variational identity behind the low-rank bias (`gk` §2 and App. B.3, `sk` §3):

    min { Σ_i ½ λ_i ‖A_i‖_F² : A_m ⋯ A_1 = X } = (m/2) (Π_i λ_i)^{1/m} Σ_j s_j(X)^{2/m},

attained by the balanced factorisation ``A_1 = Σ^{1/m} Vᵀ, A_i = Σ^{1/m}, A_m = U Σ^{1/m}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import mpmath
import numpy as np
import sympy

from ncverify.models.backend import ops_for
from ncverify.models.constructions import (
    dnc_fit,
    dnc_singular_values,
    lowrank_fit,
    lowrank_singular_values,
)
from ncverify.models.validation import require_int, require_positive

__all__ = [
    "validate_ufm",
    "balanced_factorization",
    "balanced_factors_from_svd",
    "dnc_loss",
    "factor_penalty",
    "lowrank_loss",
    "schatten_penalty",
]


def schatten_penalty(spectrum: Iterable[Any], depth: Any, lam: Any = 1) -> Any:
    """``(depth/2) λ Σ_j s_j^{2/depth}``, the least weight decay of a depth-factor product.

    Parameters
    ----------
    spectrum : singular values, either plain values or ``(value, multiplicity)`` pairs
        (multiplicities may be SymPy symbols).
    depth : number of factors m (``L + 1`` in `gk`: W_L, ..., W_1, H_1).
    lam : the common weight-decay coefficient λ.

    Examples
    --------
    >>> schatten_penalty([1.0, 4.0], depth=2)
    5.0
    >>> s = sympy.Symbol("s", positive=True); K = sympy.Symbol("K")
    >>> schatten_penalty([(s, K - 1)], depth=3, lam=2)
    3*s**(2/3)*(K - 1)
    """
    total = 0
    for item in spectrum:
        value, mult = item if isinstance(item, tuple) else (item, 1)
        total = total + mult * _pow(value, 2, depth)
    return sympy.Rational(1, 2) * depth * lam * total if _symbolic(total, lam, depth) \
        else depth * lam * total / 2


def factor_penalty(factors: Sequence[Any], lams: Sequence[Any] | Any = 1) -> Any:
    """``Σ_i ½ λ_i ‖A_i‖_F²`` for a list of factors (NumPy, SymPy or mpmath matrices)."""
    if not isinstance(lams, Sequence):
        lams = [lams] * len(factors)
    if len(lams) != len(factors):
        raise ValueError(f"lams must have one entry per factor ({len(factors)}), got {len(lams)}")
    total = 0
    for A, lam in zip(factors, lams, strict=True):
        if isinstance(A, sympy.MatrixBase):
            sq = sum(x**2 for x in A)
        elif isinstance(A, mpmath.matrix):
            sq = mpmath.mnorm(A, "f") ** 2
        else:
            sq = float(np.sum(np.asarray(A) ** 2))
        total = total + lam * sq / 2
    return total


def balanced_factors_from_svd(U: Any, roots: Sequence[Any], V: Any, depth: int) -> list[Any]:
    """Balanced factors ``[R Vᵀ, R, ..., R, U R]`` of ``X = U R^depth Vᵀ``, R = diag(roots).

    ``U`` (p×r) and ``V`` (q×r) have orthonormal columns and ``roots`` are the depth-th roots of
    the singular values.  Exact when given SymPy matrices and rationals.  Factor 1 is applied
    first: the product ``A_depth ⋯ A_1`` equals X.
    """
    depth = require_int("depth", depth, minimum=1)
    if isinstance(U, sympy.MatrixBase):
        R = sympy.diag(*roots)
        Vt = V.T
    elif isinstance(U, mpmath.matrix):
        R = mpmath.diag(list(roots))
        Vt = V.T
    else:
        R = np.diag(np.asarray(roots, dtype=float))
        Vt = np.asarray(V).T
    if depth == 1:
        return [U * R * Vt if not isinstance(U, np.ndarray) else U @ R @ Vt]
    mul = (lambda a, b: a @ b) if isinstance(U, np.ndarray) else (lambda a, b: a * b)
    return [mul(R, Vt)] + [R] * (depth - 2) + [mul(U, R)]


def balanced_factorization(X: Any, depth: int, tol: float | None = None) -> list[Any]:
    """Balanced factorisation of X (float64 array or mpmath matrix) attaining the Schatten bound.

    Uses the compact SVD with rank cut at ``tol`` (default: ``max(shape) * eps * s_max`` in the
    working precision), so every inner width is the rank r.

    >>> X = np.array([[3.0, 0.0], [0.0, 1.0]])
    >>> A = balanced_factorization(X, 2)
    >>> bool(np.allclose(A[1] @ A[0], X)), round(factor_penalty(A), 12)
    (True, 4.0)
    """
    depth = require_int("depth", depth, minimum=1)
    if isinstance(X, mpmath.matrix):
        U, s, Vt = mpmath.svd_r(X)
        smax = max(s) if len(s) else 0
        cut = tol if tol is not None else max(X.rows, X.cols) * mpmath.eps * smax
        idx = [j for j in range(len(s)) if s[j] > cut]
        Ur = mpmath.matrix([[U[i, j] for j in idx] for i in range(U.rows)])
        Vr = mpmath.matrix([[Vt[j, i] for j in idx] for i in range(Vt.cols)])
        roots = [mpmath.root(s[j], depth) for j in idx]
        return balanced_factors_from_svd(Ur, roots, Vr, depth)
    X = np.asarray(X, dtype=float)
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    cut = tol if tol is not None else max(X.shape) * np.finfo(float).eps * (s[0] if s.size else 0)
    r = int(np.sum(s > cut))
    return balanced_factors_from_svd(U[:, :r], s[:r] ** (1.0 / depth), Vt[:r].T, depth)


def dnc_loss(alpha: Any, K: Any, L: Any, n: Any, lam: Any) -> Any:
    """Reduced deep-linear-UFM loss of ``Z_DNC(α)``: ``g + schatten_penalty(s(Z), L+1, λ)``.

    Equals ``log(1 + (K-1)e^{-α}) + ½(L+1)(K-1)λ(α√n)^{2/(L+1)}`` (`gk` App. B.3).
    """
    return dnc_fit(K, alpha) + schatten_penalty(dnc_singular_values(K, n, alpha), L + 1, lam)


def lowrank_loss(beta: Any, K: int, L: Any, n: Any, lam: Any) -> Any:
    """Reduced deep-linear-UFM loss of the block low-rank ``Z_LR(β)`` (`gk` App. B.3)."""
    return lowrank_fit(K, beta) + schatten_penalty(lowrank_singular_values(K, n, beta), L + 1, lam)


def validate_ufm(K: Any, L: Any, n: Any, lam: Any) -> tuple[int, int, int, Any]:
    """Validate the deep-UFM hyperparameters (K >= 2, L >= 1, n >= 1 integers, λ > 0 finite)."""
    return (require_int("K", K, minimum=2), require_int("L", L, minimum=1),
            require_int("n", n, minimum=1), require_positive("lam", lam))


def _symbolic(*xs: Any) -> bool:
    return any(isinstance(x, sympy.Basic) for x in xs)


def _pow(value: Any, num: int, depth: Any) -> Any:
    """``value^(num/depth)`` in the number type of ``value`` (exact rational exponent in SymPy)."""
    if _symbolic(value, depth):
        return sympy.Pow(value, sympy.Rational(num, 1) / depth)
    ops = ops_for(value)
    if ops.name == "arb":
        return value ** (ops.rational(num) / depth)
    if ops.name == "mpmath":
        return value ** (mpmath.mpf(num) / depth)
    return np.asarray(value, dtype=float) ** (num / depth) if isinstance(value, np.ndarray) \
        else float(value) ** (num / depth)
