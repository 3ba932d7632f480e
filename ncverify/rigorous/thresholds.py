"""Rigorous depth thresholds for Schatten-type comparisons (`gk` Theorems 2, A1, A3).

The proofs compare ``Σ_i a_i^t`` with ``Σ_j b_j^t`` at ``t = 2/(L+1)`` for a low-rank matrix (q
singular values a_i) and a higher-rank one (p > q values b_j): as L → ∞ both sums tend to their
ranks, so the low-rank side wins beyond some L_0.  :func:`depth_threshold` finds the exact L_0:
the inequality is decided with Arb balls for every L up to an explicit bound beyond which it is
proven to hold, using ``|x^t - 1| <= t |ln x| max(1, x)^{t0}`` for ``t <= t0``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import flint

from ncverify.rigorous.balls import arb_precision

__all__ = ["DepthThreshold", "depth_threshold", "singular_values_ball"]


@dataclass(frozen=True)
class DepthThreshold:
    """``L0``: the last L where ``Σ a^t < Σ b^t`` fails (0 if never); it holds for every
    L > L0, proven for L > ``L_bound`` by the bound and checked with Arb up to ``L_bound``."""

    L0: int
    L_bound: int
    checked_up_to: int


def depth_threshold(small: Sequence[flint.arb], large: Sequence[flint.arb], bits: int = 256,
                    cap: int = 100_000) -> DepthThreshold:
    """Exact threshold for ``Σ_{a in small} a^{2/(L+1)} < Σ_{b in large} b^{2/(L+1)}``.

    ``small``/``large`` are the nonzero singular values (Arb balls, all > 0) with
    ``len(small) < len(large)``.  Raises ``ArithmeticError`` if a comparison is undecided.
    """
    q, p = len(small), len(large)
    if not 0 < q < p:
        raise ValueError(f"need 0 < len(small) < len(large), got {q}, {p}")
    with arb_precision(bits):
        t0 = flint.arb(1)  # L >= 1
        B = flint.arb(0)
        for x in [*small, *large]:
            if not x > 0:
                raise ArithmeticError("singular values must be certified positive")
            B += abs(x.log()) * (x if x > 1 else flint.arb(1)) ** t0
        # h(t) >= (p - q) - t B > 0 once t < (p - q)/B, i.e. L + 1 > 2B/(p - q)
        bound = (2 * B / (p - q)).upper()
        L_bound = int(flint.arb(bound).ceil().unique_fmpz()) if bound.is_finite() else cap
        L_bound = min(max(L_bound, 1), cap)
        last_fail = 0
        for L in range(1, L_bound + 1):
            t = flint.arb(2) / (L + 1)
            lhs = sum((a ** t for a in small), flint.arb(0))
            rhs = sum((b ** t for b in large), flint.arb(0))
            if lhs < rhs:
                continue
            if lhs >= rhs:
                last_fail = L
                continue
            raise ArithmeticError(f"comparison undecided at L = {L}")
    return DepthThreshold(last_fail, L_bound, L_bound)


def singular_values_ball(M, sizes: Sequence[int], rank: int, bits: int = 256) -> list[flint.arb]:
    """Nonzero singular values of the rational matrix ``M`` (SymPy) with column c repeated
    ``sizes[c]`` times, as Arb balls.

    They are the square roots of the nonzero eigenvalues of ``G = M diag(sizes) Mᵀ``: the exact
    characteristic polynomial of G (python-flint) has its factor x^k removed exactly, and the
    remaining roots are isolated rigorously with multiplicities (``fmpz_poly.complex_roots``).
    ``rank`` (from an exact computation) must equal the number of nonzero eigenvalues found.
    """
    from ncverify.exact.matrices import to_fmpq_mat

    K = M.rows
    D = [[0] * K for _ in range(K)]
    for c, n in enumerate(sizes):
        D[c][c] = n
    import sympy

    G = to_fmpq_mat(M * sympy.Matrix(D) * M.T)
    cp = G.charpoly()
    den = 1
    for c in cp.coeffs():
        den = den * int(c.q) // __import__("math").gcd(den, int(c.q))
    poly = flint.fmpz_poly([int(c * den) for c in cp.coeffs()])
    zeros = 0
    while int(poly[0]) == 0:
        poly = flint.fmpz_poly(poly.coeffs()[1:])
        zeros += 1
    with arb_precision(bits):
        roots = []
        for r, mult in poly.complex_roots():
            if not r.imag.contains(0) or not r.real > 0:
                raise ArithmeticError("an eigenvalue of the Gram matrix is not certified positive")
            roots.extend([r.real] * mult)
        if len(roots) != rank:
            raise ArithmeticError(f"found {len(roots)} nonzero eigenvalues, expected rank {rank}")
        roots.sort(key=lambda x: float(x.mid()), reverse=True)
        return [x.sqrt() for x in roots]
