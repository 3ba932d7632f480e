"""Orthogonal matrices: exact rational ones (Cayley transform) and Haar-random float ones."""

from __future__ import annotations

import numpy as np
import sympy

from ncverify.models.validation import require_int

__all__ = ["cayley_orthogonal", "random_orthogonal", "random_rational_orthogonal"]


def cayley_orthogonal(A: sympy.Matrix) -> sympy.Matrix:
    """Exact orthogonal ``Q = (I - A)(I + A)^{-1}`` for a skew-symmetric rational A.

    I + A is invertible for skew A (its eigenvalues are 1 + iθ), so Q is rational and orthogonal.

    >>> Q = cayley_orthogonal(sympy.Matrix([[0, 1], [-1, 0]]))
    >>> Q.T * Q == sympy.eye(2)
    True
    """
    if A != -A.T:
        raise ValueError("A must be skew-symmetric")
    eye = sympy.eye(A.rows)
    return (eye - A) * (eye + A).inv()


def random_rational_orthogonal(d: int, rng: np.random.Generator, size: int = 3) -> sympy.Matrix:
    """A random exact orthogonal d×d matrix with small rational entries (Cayley of random skew)."""
    d = require_int("d", d, minimum=1)
    A = sympy.zeros(d, d)
    for i in range(d):
        for j in range(i + 1, d):
            v = sympy.Rational(int(rng.integers(-size, size + 1)), int(rng.integers(1, size + 1)))
            A[i, j], A[j, i] = v, -v
    return cayley_orthogonal(A)


def random_orthogonal(d: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-random d×d orthogonal matrix (QR of a Gaussian matrix with sign correction)."""
    d = require_int("d", d, minimum=1)
    Q, R = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(R))
