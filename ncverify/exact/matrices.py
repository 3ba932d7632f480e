"""Exact matrix arithmetic with python-flint (``fmpz_mat`` / ``fmpq_mat``): products and
characteristic polynomials of integer and rational matrices, much faster than SymPy."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import flint
import sympy

__all__ = ["charpoly_from_spectrum", "charpoly_of", "to_fmpq_mat", "to_fmpz_mat"]


def to_fmpz_mat(M: sympy.Matrix | Sequence[Sequence[int]]) -> flint.fmpz_mat:
    """An exact integer matrix (entries must be integers)."""
    rows = M.tolist() if isinstance(M, sympy.MatrixBase) else [list(r) for r in M]
    return flint.fmpz_mat([[int(x) for x in r] for r in rows])


def to_fmpq_mat(M: sympy.Matrix) -> flint.fmpq_mat:
    """An exact rational matrix from a SymPy matrix of rationals."""
    rows = M.tolist()
    out = flint.fmpq_mat(len(rows), len(rows[0]) if rows else 0)
    for i, r in enumerate(rows):
        for j, x in enumerate(r):
            q = sympy.Rational(x)
            out[i, j] = flint.fmpq(int(q.p), int(q.q))
    return out


def charpoly_of(M: flint.fmpq_mat | flint.fmpz_mat) -> flint.fmpq_poly:
    """The characteristic polynomial ``det(xI - M)`` with exact rational coefficients."""
    return flint.fmpq_poly(list(M.charpoly().coeffs()))


def charpoly_from_spectrum(spectrum: Sequence[tuple[Fraction | int, int]]) -> flint.fmpq_poly:
    """``Π (x - λ)^m`` for ``(λ, m)`` pairs with rational λ.

    >>> charpoly_from_spectrum([(1, 2), (0, 1)]) == flint.fmpq_poly([0, 1, -2, 1])
    True
    """
    p = flint.fmpq_poly([1])
    for lam, mult in spectrum:
        if int(mult) < 0:
            raise ValueError(f"multiplicity must be >= 0, got {mult} for eigenvalue {lam}")
        q = Fraction(lam)
        p *= flint.fmpq_poly([flint.fmpq(-q.numerator, q.denominator), 1]) ** int(mult)
    return p
