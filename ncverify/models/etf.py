"""The simplex equiangular tight frame and the class-ordered label matrix (`gk` §2, `sk` §2)."""

from __future__ import annotations

import numpy as np
import sympy

from ncverify.models.validation import require_int

__all__ = ["class_labels", "expand_classes", "label_matrix", "simplex_etf", "simplex_etf_entry"]


def simplex_etf_entry(K, diagonal: bool):
    """Entry of ``S = I_K - (1/K) 1 1ᵀ``: ``(K-1)/K`` on the diagonal, ``-1/K`` off it.

    K may be a SymPy symbol (used by the proofs for general K).

    >>> simplex_etf_entry(4, True), simplex_etf_entry(4, False)
    (3/4, -1/4)
    """
    K = sympy.sympify(K)
    return (K - 1) / K if diagonal else -1 / K


def simplex_etf(K: int, exact: bool = True) -> sympy.Matrix | np.ndarray:
    """The simplex ETF ``S = I_K - (1/K) 1_K 1_Kᵀ`` (`gk` §2, the matrix called S throughout).

    Parameters
    ----------
    K : int, number of classes, K >= 2.
    exact : bool, return a SymPy matrix of rationals (default) or a float64 array.

    Examples
    --------
    >>> simplex_etf(3)
    Matrix([
    [ 2/3, -1/3, -1/3],
    [-1/3,  2/3, -1/3],
    [-1/3, -1/3,  2/3]])
    >>> S = simplex_etf(5); S * S == S        # idempotent: an orthogonal projection
    True

    Notes
    -----
    S is the orthogonal projection onto 1_K^⊥: eigenvalue 1 with multiplicity K-1 and 0 once.
    """
    K = require_int("K", K, minimum=2)
    if exact:
        return sympy.Matrix(K, K, lambda i, j: simplex_etf_entry(K, i == j))
    return np.eye(K) - np.full((K, K), 1.0 / K)


def class_labels(K: int, n: int | list[int]) -> np.ndarray:
    """Integer labels of the samples in class order: ``[0]*n_1 + [1]*n_2 + ...``.

    ``n`` is the common class size, or the list of class sizes (imbalanced classes).

    >>> class_labels(3, 2).tolist()
    [0, 0, 1, 1, 2, 2]
    """
    K = require_int("K", K, minimum=2)
    sizes = _class_sizes(K, n)
    return np.repeat(np.arange(K), sizes)


def label_matrix(K: int, n: int | list[int]) -> np.ndarray:
    """The one-hot label matrix ``Y = I_K ⊗ 1_nᵀ`` (both papers, class order), float64.

    >>> label_matrix(2, 2)
    array([[1., 1., 0., 0.],
           [0., 0., 1., 1.]])
    """
    labels = class_labels(K, n)
    return np.eye(K)[:, labels]


def expand_classes(M, n: int):
    """``M ⊗ 1_nᵀ``: repeat each column (a class mean) n times, in class order.

    Works for SymPy matrices (exact) and NumPy arrays.

    >>> expand_classes(sympy.Matrix([[1, 2]]), 2)
    Matrix([[1, 1, 2, 2]])
    """
    n = require_int("n", n, minimum=1)
    if isinstance(M, sympy.MatrixBase):
        return sympy.Matrix.hstack(*[M[:, j] for j in range(M.cols) for _ in range(n)])
    return np.repeat(np.asarray(M), n, axis=-1)


def _class_sizes(K: int, n: int | list[int]) -> list[int]:
    if isinstance(n, (list, tuple, np.ndarray)):
        if len(n) != K:
            raise ValueError(f"n must list K={K} class sizes, got {len(n)}")
        return [require_int(f"n[{i}]", v, minimum=1) for i, v in enumerate(n)]
    return [require_int("n", n, minimum=1)] * K
