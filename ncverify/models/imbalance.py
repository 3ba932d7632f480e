"""Imbalanced classes in the deep linear UFM (`gk` Appendix A): step imbalance, the SEL matrix,
generalised diagonal superiority and repeated-column constructions."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import sympy

from ncverify.models.etf import simplex_etf
from ncverify.models.validation import require_int

__all__ = ["is_generalised_diagonally_superior", "repeat_columns", "sel_matrix", "step_sizes"]


def step_sizes(K: int, R: int, rho: Fraction | float, n_min: int = 1) -> list[int]:
    """Class sizes of an (R, ρ)-STEP imbalance (`gk` App. A.2): the first (1-ρ)K classes have
    R·n_min samples, the remaining ρK have n_min.

    >>> step_sizes(4, 10, Fraction(1, 2))
    [10, 10, 1, 1]
    """
    K, R, n_min = require_int("K", K, 2), require_int("R", R, 1), require_int("n_min", n_min, 1)
    rho = Fraction(rho).limit_denominator(10**6)
    minority = rho * K
    if not 0 < rho < 1 or minority.denominator != 1:
        raise ValueError(f"rho must be in (0, 1) with rho*K an integer, got rho={rho}, K={K}")
    m = int(minority)
    return [R * n_min] * (K - m) + [n_min] * m


def repeat_columns(M: sympy.Matrix, sizes: Sequence[int]) -> sympy.Matrix:
    """The K×N matrix whose first n_1 columns equal column 1 of M, the next n_2 column 2, ..."""
    if len(sizes) != M.cols:
        raise ValueError(f"sizes must have {M.cols} entries, got {len(sizes)}")
    return sympy.Matrix.hstack(*[M[:, c] for c in range(M.cols) for _ in range(sizes[c])])


def sel_matrix(sizes: Sequence[int]) -> sympy.Matrix:
    """The simplex-encoded label matrix Ŝ (`gk` App. A.2): columns of S = I - 11ᵀ/K repeated
    per class size."""
    return repeat_columns(simplex_etf(len(sizes)), sizes)


def is_generalised_diagonally_superior(M: sympy.Matrix, sizes: Sequence[int]) -> bool:
    """(K; n_1..n_K) diagonal superiority (`gk` App. A.1): every column of class c has its
    unique largest entry in row c (exact comparison)."""
    col = 0
    for c, n in enumerate(sizes):
        for _ in range(n):
            v = M[:, col]
            if not all(v[c] > v[k] for k in range(M.rows) if k != c):
                return False
            col += 1
    return True
