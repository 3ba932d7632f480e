"""Softmax and its Jacobian at the DNC logits (`gk` App. B.6, Eqs. 13 and 25).

``ρ = diag(p) - p pᵀ`` is the Jacobian of the softmax (the Hessian of the cross-entropy in the
logits).  At the DNC class mean ``α s_c`` it splits as ``(e^α ρ'_c + ρ''_c)/(K-1+e^α)²``; the two
integer matrices are built here from the entry rules of Eq. (25), and the claim ``gk.lemma2``
checks the split against the Jacobian itself.
"""

from __future__ import annotations

from typing import Any

import sympy

from ncverify.models.validation import require_int

__all__ = [
    "rho_double_prime",
    "rho_double_prime_entry",
    "rho_prime",
    "rho_prime_entry",
    "softmax",
    "softmax_jacobian",
]


def rho_prime_entry(K: Any, i_is_c: bool, j_is_c: bool, diagonal: bool) -> Any:
    """Entry (i, j) of ``ρ'_c`` (`gk` Eq. 25), by the position of i, j relative to c.

    K may be a SymPy symbol, so the same rule serves the matrices and the proof for general K.
    """
    if diagonal:
        return K - 1 if i_is_c else 1
    return -1 if (i_is_c or j_is_c) else 0


def rho_double_prime_entry(K: Any, i_is_c: bool, j_is_c: bool, diagonal: bool) -> Any:
    """Entry (i, j) of ``ρ''_c`` (`gk` Eq. 25): zero on row and column c, K-2 on the rest of
    the diagonal, -1 elsewhere."""
    if i_is_c or j_is_c:
        return 0
    return K - 2 if diagonal else -1


def softmax(z: sympy.Matrix) -> sympy.Matrix:
    """Softmax of a column vector, exact (SymPy)."""
    e = z.applyfunc(sympy.exp)
    return e / sum(e)


def softmax_jacobian(p: sympy.Matrix) -> sympy.Matrix:
    """``ρ = diag(p) - p pᵀ`` for a probability column vector p."""
    return sympy.diag(*p) - p * p.T


def rho_prime(K: int, c: int) -> sympy.Matrix:
    """``ρ'_c`` of `gk` Eq. (25): K-1 at (c, c), 1 on the rest of the diagonal, -1 on row and
    column c off the diagonal, 0 elsewhere (0-based class index c).

    >>> rho_prime(3, 0)
    Matrix([
    [ 2, -1, -1],
    [-1,  1,  0],
    [-1,  0,  1]])
    """
    K, c = _kc(K, c)
    return sympy.Matrix(K, K, lambda i, j: rho_prime_entry(K, i == c, j == c, i == j))


def rho_double_prime(K: int, c: int) -> sympy.Matrix:
    """``ρ''_c`` of `gk` Eq. (25): zero row and column c; K-2 on the rest of the diagonal and
    -1 off it.

    >>> rho_double_prime(3, 0)
    Matrix([
    [0,  0,  0],
    [0,  1, -1],
    [0, -1,  1]])
    """
    K, c = _kc(K, c)
    return sympy.Matrix(K, K, lambda i, j: rho_double_prime_entry(K, i == c, j == c, i == j))


def _kc(K: Any, c: Any) -> tuple[int, int]:
    K = require_int("K", K, minimum=2)
    c = require_int("c", c, minimum=0)
    if c >= K:
        raise ValueError(f"c must be a class index in 0..{K - 1}, got {c}")
    return K, c
