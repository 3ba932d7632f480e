"""The candidate solutions of the deep linear UFM compared in `gk` Theorem 1 (App. B.3).

Each construction is given by its class-mean logit matrix (the distinct columns of Z, so that
``Z = M ⊗ 1_nᵀ``), its singular values with multiplicities, and its fit term in closed form.
The closed forms are *derived* here and checked against the explicit matrices by the claims and
the tests; they are not copied from the paper.
"""

from __future__ import annotations

from typing import Any

import sympy

from ncverify.models.backend import ops_for
from ncverify.models.etf import simplex_etf
from ncverify.models.validation import require_int

__all__ = [
    "block_lowrank_class_means",
    "unit_vector_gram",
    "unit_vector_gram_singular_values",
    "dnc_class_means",
    "dnc_fit",
    "dnc_singular_values",
    "lowrank_fit",
    "lowrank_singular_values",
]


def dnc_class_means(K: int, alpha: Any = 1) -> sympy.Matrix:
    """Class means of the DNC logit matrix ``Z_DNC(α) = α S ⊗ 1_nᵀ`` (`gk` Definition 2).

    >>> dnc_class_means(3, 3)
    Matrix([
    [ 2, -1, -1],
    [-1,  2, -1],
    [-1, -1,  2]])
    """
    return sympy.sympify(alpha) * simplex_etf(K)


def block_lowrank_class_means(K: int, beta: Any = 1) -> sympy.Matrix:
    """Class means of the block low-rank logit matrix ``Z_LR(β)`` (`gk` Eq. 5 and App. B.3).

    For K = 2m: m diagonal blocks X = [[1, -1], [-1, 1]]; for K = 2m + 1 the same with one more
    row and column holding 1 on the diagonal and 0 elsewhere.  All entries times β.

    >>> block_lowrank_class_means(5)
    Matrix([
    [ 1, -1,  0,  0, 0],
    [-1,  1,  0,  0, 0],
    [ 0,  0,  1, -1, 0],
    [ 0,  0, -1,  1, 0],
    [ 0,  0,  0,  0, 1]])
    """
    K = require_int("K", K, minimum=2)
    M = sympy.zeros(K, K)
    for j in range(0, K - 1, 2):
        M[j, j] = M[j + 1, j + 1] = 1
        M[j, j + 1] = M[j + 1, j] = -1
    if K % 2:
        M[K - 1, K - 1] = 1
    return sympy.sympify(beta) * M


def unit_vector_gram(K: int) -> sympy.Matrix:
    """The rank-2 diagonally superior matrix of `gk` §3.2: ``M = VᵀV`` for unit vectors
    ``v_c = (cos 2πc/K, sin 2πc/K)`` in R², so ``M_{c'c} = cos(2π(c - c')/K)`` (exact).

    Diagonal entries are 1 and the others are cos of a non-zero multiple of 2π/K, hence < 1: the
    matrix is diagonally superior for K >= 2 (for K = 2 it has rank 1).

    >>> unit_vector_gram(4)
    Matrix([
    [ 1,  0, -1,  0],
    [ 0,  1,  0, -1],
    [-1,  0,  1,  0],
    [ 0, -1,  0,  1]])
    """
    K = require_int("K", K, minimum=2)
    return sympy.Matrix(K, K, lambda i, j: sympy.cos(2 * sympy.pi * (i - j) / K))


def unit_vector_gram_singular_values(K: int, n: Any, scale: Any = 1) -> list[tuple[Any, int]]:
    """Non-zero singular values of ``scale · unit_vector_gram(K) ⊗ 1_nᵀ``: ``[(scale K√n/2, 2)]``
    for K >= 3 (equally spaced unit vectors have VVᵀ = (K/2) I_2), ``[(2 scale √n, 1)]`` for K = 2.
    """
    K = require_int("K", K, minimum=2)
    ops = ops_for(scale, n)
    if K == 2:
        return [(2 * scale * ops.sqrt(n), 1)]
    return [(scale * K * ops.sqrt(n) / 2, 2)]


def dnc_singular_values(K: Any, n: Any, alpha: Any) -> list[tuple[Any, Any]]:
    """Non-zero singular values of ``Z_DNC(α)`` with multiplicities: ``[(α√n, K-1)]``.

    S is an orthogonal projection of rank K-1 and ``(M ⊗ 1_nᵀ)(M ⊗ 1_nᵀ)ᵀ = n M Mᵀ``.
    K may be a SymPy symbol.
    """
    ops = ops_for(alpha, n)
    return [(alpha * ops.sqrt(n), K - 1)]


def lowrank_singular_values(K: Any, n: Any, beta: Any,
                            parity: int | None = None) -> list[tuple[Any, Any]]:
    """Non-zero singular values of ``Z_LR(β)`` with multiplicities (`gk` App. B.3).

    Even K = 2m: ``[(2β√n, m)]`` since X² = 2X; odd K = 2m+1: ``[(2β√n, m), (β√n, 1)]``.
    K may be symbolic (e.g. ``2*m + 1``) when ``parity`` (0 or 1) is given.

    >>> lowrank_singular_values(5, 1, sympy.Integer(1))
    [(2, 2), (1, 1)]
    """
    if parity is None:
        K = require_int("K", K, minimum=2)
        parity = K % 2
    elif parity not in (0, 1):
        raise ValueError(f"parity must be 0 or 1, got {parity!r}")
    ops = ops_for(beta, n, K)
    m = (K - parity) // 2 if isinstance(K, int) else (K - parity) / 2
    out = [(2 * beta * ops.sqrt(n), m)]
    if parity:
        out.append((beta * ops.sqrt(n), 1))
    return out


def dnc_fit(K: Any, alpha: Any) -> Any:
    """Fit term ``g(Z_DNC(α)) = log(1 + (K-1) e^{-α})`` (`gk` App. B.3).

    Every column of αS has its correct entry exactly α above each other entry.

    >>> a = sympy.Symbol("alpha", positive=True)
    >>> dnc_fit(4, a)
    log(1 + 3*exp(-alpha))
    """
    ops = ops_for(K, alpha)
    return ops.log(1 + (K - 1) * ops.exp(-alpha))


def lowrank_fit(K: int, beta: Any) -> Any:
    """Fit term ``g(Z_LR(β))`` (`gk` App. B.3).

    A block column has its correct entry β above K-2 zeros and 2β above its partner:
    ``log(1 + (K-2)e^{-β} + e^{-2β})``.  For odd K the extra class has margin β to all others,
    ``log(1 + (K-1)e^{-β})``, and the mean weights the two by 2m/K and 1/K.
    """
    K = require_int("K", K, minimum=2)
    ops = ops_for(beta)
    pair = ops.log(1 + (K - 2) * ops.exp(-beta) + ops.exp(-2 * beta))
    if K % 2 == 0:
        return pair
    m = K // 2
    single = ops.log(1 + (K - 1) * ops.exp(-beta))
    return (2 * m * pair + single) / K
