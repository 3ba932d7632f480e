"""The explicit low-rank solution of the deep ReLU UFM (`gk` Theorem 7, proof in App. B.9).

The construction uses two K×K integer matrices (`gk` App. B.9):

* K = 2m: ``X̄ = I_m ⊗ X`` with ``X = [[1, -1], [-1, 1]]`` and ``Ȳ = 1_K 1_Kᵀ``;
* K = 2m+1: ``X̄ = diag(I_m ⊗ X, 2)`` and ``Ȳ = diag(1_{2m} 1_{2m}ᵀ, 0)``.

Both satisfy ``X̄Ȳ = ȲX̄ = 0``, ``X̄² = k_X X̄`` and ``Ȳ² = k_Y Ȳ``, so ``X̄/k_X`` and
``Ȳ/k_Y`` are orthogonal projections onto orthogonal subspaces and ``X̄ + Ȳ ⪰ 0``.  The layers
(top-left K×K blocks of d×d matrices) are

* ``W_l = ψ (X̄ + (k_X/k_Y) Ȳ)`` for 2 <= l <= L-1 (``χ_l = (k_X/k_Y) ψ`` keeps the form),
* ``W_L = ψ_L X̄``, ``W_1 = ψ √(N/t) U Λ^{1/2}``, ``H_1 = ψ √(N/t) n^{-1/2} Λ^{1/2} Uᵀ ⊗ 1_nᵀ``
  (``X̄ + Ȳ = U Λ Uᵀ``, :func:`h2_eigenvectors`; the paper's SVD recipe with ``Ũ = I``),

so that every pre-activation ``H_l = φ_l (X̄ + Ȳ) ⊗ 1_nᵀ`` (2 <= l <= L) is entrywise >= 0,
ReLU acts as the identity and ``Z = k_X ψ_L φ_L X̄ ⊗ 1_nᵀ``.  Here ``N = ψ⁻²‖W_l‖_F²`` is the
common squared norm of every parameter matrix, ``t = tr(X̄ + Ȳ)``, ``φ_2 = Nψ²/(√n t)``,
``φ_{l+1} = k_X ψ φ_l`` and ``ψ_L = ψ √(N/‖X̄‖_F²)``.

Every constant is *computed* from the matrices (:func:`structure_constants`) or from their block
structure (:func:`structure_constants_symbolic`), never copied from the paper; the claim
``gk.thm7`` compares them with the printed ones.  ``W_1, H_1`` are the paper's
``U_2 Σ^{1/2} Ũᵀ, Ũ Σ^{1/2} V_2ᵀ`` with the choice ``Ũ = I_d`` (any orthogonal ``Q`` with
``W_1 Qᵀ, Q H_1`` gives the same product and norms: the ``rotation`` argument).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint
import mpmath
import numpy as np
import sympy

from ncverify.models.backend import ops_for
from ncverify.models.validation import require_int, require_positive

__all__ = [
    "ReluStructure",
    "block_pieces",
    "block_structure_constants",
    "h2_eigenvectors",
    "relu_lowrank_fit",
    "relu_lowrank_loss",
    "relu_lowrank_parameters",
    "relu_lowrank_scales",
    "relu_output_scale_squared",
    "relu_psi_for_scale",
    "structure_constants",
    "structure_constants_symbolic",
    "xbar",
    "ybar",
]

_X = ((1, -1), (-1, 1))  # the 2×2 block of X̄
_CORNER = 2  # the extra diagonal entry of X̄ for odd K


def xbar(K: int, exact: bool = True) -> sympy.Matrix | np.ndarray:
    """``X̄`` of `gk` App. B.9: m blocks ``[[1, -1], [-1, 1]]`` (and a last entry 2 if K = 2m+1).

    A SymPy integer matrix, or a float64 array when ``exact`` is False.

    >>> xbar(3)
    Matrix([
    [ 1, -1, 0],
    [-1,  1, 0],
    [ 0,  0, 2]])
    """
    rows = _xbar_rows(require_int("K", K, minimum=2))
    return sympy.Matrix(rows) if exact else np.array(rows, dtype=float)


def ybar(K: int, exact: bool = True) -> sympy.Matrix | np.ndarray:
    """``Ȳ`` of `gk` App. B.9: ``1_K 1_Kᵀ`` (K even) or ``diag(1_{2m} 1_{2m}ᵀ, 0)`` (K = 2m+1).

    A SymPy integer matrix, or a float64 array when ``exact`` is False.

    >>> ybar(3)
    Matrix([
    [1, 1, 0],
    [1, 1, 0],
    [0, 0, 0]])
    """
    rows = _ybar_rows(require_int("K", K, minimum=2))
    return sympy.Matrix(rows) if exact else np.array(rows, dtype=float)


@functools.lru_cache(maxsize=128)
def _xbar_rows(K: int) -> tuple[tuple[int, ...], ...]:
    M = [[0] * K for _ in range(K)]
    for j in range(0, K - 1, 2):
        for a in range(2):
            for b in range(2):
                M[j + a][j + b] = _X[a][b]
    if K % 2:
        M[K - 1][K - 1] = _CORNER
    return tuple(tuple(r) for r in M)


@functools.lru_cache(maxsize=128)
def _ybar_rows(K: int) -> tuple[tuple[int, ...], ...]:
    k = K - K % 2
    return tuple(tuple(1 if i < k and j < k else 0 for j in range(K)) for i in range(K))


@dataclass(frozen=True)
class ReluStructure:
    """Integer constants of the construction for one K (or SymPy expressions in m).

    ``k_X``, ``k_Y``: ``X̄² = k_X X̄``, ``Ȳ² = k_Y Ȳ``; ``frob_X``, ``frob_Y``: squared Frobenius
    norms; ``trace``: ``tr(X̄ + Ȳ)``; ``cross``: ``⟨X̄, Ȳ⟩_F`` (0).  Derived quantities:
    ``chi_ratio = k_X/k_Y`` (χ/ψ), ``norm_sq = frob_X + chi_ratio² frob_Y + 2 chi_ratio cross``
    (``‖W_l‖²/ψ²``, the common squared norm N at ψ = 1).
    """

    k_X: Any
    k_Y: Any
    frob_X: Any
    frob_Y: Any
    trace: Any
    cross: Any

    @functools.cached_property
    def chi_ratio(self) -> Any:
        return _div(self.k_X, self.k_Y)

    @functools.cached_property
    def norm_sq(self) -> Any:
        c = self.chi_ratio
        out = self.frob_X + c * c * self.frob_Y + 2 * c * self.cross
        return int(out) if isinstance(out, Fraction) and out.denominator == 1 else out


def structure_constants(K: int) -> ReluStructure:
    """The constants of :class:`ReluStructure` computed from the explicit integer matrices.

    Raises ``ArithmeticError`` if ``X̄²`` or ``Ȳ²`` is not an integer multiple of ``X̄``, ``Ȳ``
    (the construction would not keep its form).

    >>> s = structure_constants(6)
    >>> (s.k_X, s.k_Y, s.frob_X, s.frob_Y, s.trace, s.cross, s.norm_sq)
    (2, 6, 12, 36, 12, 0, 16)
    """
    return _structure_constants(require_int("K", K, minimum=2))


@functools.cache
def _structure_constants(K: int) -> ReluStructure:
    X = flint.fmpz_mat([list(r) for r in _xbar_rows(K)])
    Y = flint.fmpz_mat([list(r) for r in _ybar_rows(K)])
    k_X, k_Y = _multiple(X * X, X, "X̄² / X̄"), _multiple(Y * Y, Y, "Ȳ² / Ȳ")
    entries = [(int(X[i, j]), int(Y[i, j])) for i in range(K) for j in range(K)]
    return ReluStructure(
        k_X=k_X, k_Y=k_Y, frob_X=sum(x * x for x, _ in entries),
        frob_Y=sum(y * y for _, y in entries), trace=sum(int(X[i, i] + Y[i, i]) for i in range(K)),
        cross=sum(x * y for x, y in entries))


@functools.lru_cache(maxsize=1)
def _block_pieces() -> dict[str, Any]:
    X = sympy.Matrix(_X)
    ratio = {sympy.nsimplify(a / b) for a, b in zip(X * X, X, strict=True) if b != 0}
    if len(ratio) != 1 or any(a != 0 for a, b in zip(X * X, X, strict=True) if b == 0):
        raise ArithmeticError("X^2 is not a multiple of X")
    return {"X_sq_over_X": int(ratio.pop()), "frob_X": int(sum(v**2 for v in X)),
            "trace_X": int(X.trace()), "X_row_sums": [int(v) for v in X * sympy.ones(2, 1)],
            "corner": _CORNER}


def block_pieces() -> dict[str, Any]:
    """The 2×2 block X and the corner entry, with their own constants (for general-K proofs).

    >>> p = block_pieces(); p["X_sq_over_X"], p["frob_X"], p["trace_X"], p["corner"]
    (2, 4, 2, 2)
    """
    return {"X": sympy.Matrix(_X), **_block_pieces()}


def structure_constants_symbolic(parity: int) -> ReluStructure:
    """The constants for K = 2m + parity with m a SymPy symbol, from the block structure.

    ``X̄ = I_m ⊗ X`` (plus the corner c for odd K) and ``Ȳ = 1_{2m} 1_{2m}ᵀ`` (padded): k_X is the
    common ratio of X² / X and c² / c, k_Y = 2m, ‖X̄‖² = m‖X‖² + parity·c², ‖Ȳ‖² = (2m)²,
    tr(X̄+Ȳ) = m tr X + parity·c + 2m, and ⟨X̄, Ȳ⟩ = m·(sum of entries of X) (the corner meets a 0).

    >>> s = structure_constants_symbolic(1); s.norm_sq
    4*m + 8
    """
    if parity not in (0, 1):
        raise ValueError(f"parity must be 0 or 1, got {parity!r}")
    return _block_formula(sympy.Symbol("m", positive=True, integer=True), parity)


def block_structure_constants(K: int) -> ReluStructure:
    """The constants for an integer K from the block formula of
    :func:`structure_constants_symbolic` (integer arithmetic, fast for large K; the claim checks
    it against :func:`structure_constants` on explicit matrices).

    >>> block_structure_constants(6) == structure_constants(6)
    True
    """
    K = require_int("K", K, minimum=2)
    return _block_formula_int(K // 2, K % 2)


@functools.cache
def _block_formula_int(m: int, parity: int) -> ReluStructure:
    return _block_formula(m, parity)


def _block_formula(m: Any, parity: int) -> ReluStructure:
    p = block_pieces()
    c = p["corner"]
    if parity and c * c != p["X_sq_over_X"] * c:
        raise ArithmeticError("the corner entry does not satisfy c^2 = k_X c")
    one = sympy.Integer(1) if isinstance(m, sympy.Basic) else 1
    return ReluStructure(
        k_X=one * p["X_sq_over_X"], k_Y=2 * m, frob_X=m * p["frob_X"] + parity * c**2,
        frob_Y=(2 * m) ** 2, trace=m * p["trace_X"] + parity * c + 2 * m,
        cross=m * sum(p["X_row_sums"]))


def relu_lowrank_scales(K: int, L: int, n: Any, psi: Any) -> dict[str, Any]:
    """Scales of the construction at the common layer scale ψ (`gk` App. B.9, Eq. 30).

    Returns ``chi`` (χ_l), ``phi`` (the list φ_2..φ_L), ``psi_L``, ``norm_sq`` (the common
    ``‖A‖_F²`` of H_1, W_1..W_L, = Nψ²), ``gamma`` (Z = γ X̄ ⊗ 1_nᵀ) and ``w1_coef``
    (W_1 = w1_coef · U Λ^{1/2}).  Exact when ψ is a SymPy number or symbol.

    >>> s = relu_lowrank_scales(4, 3, 1, sympy.Integer(1)); s["gamma"], s["norm_sq"]
    (3*sqrt(6), 12)
    """
    K, L = require_int("K", K, minimum=2), require_int("L", L, minimum=2)
    n = require_int("n", n, minimum=1)
    c = block_structure_constants(K)
    ops = ops_for(psi)
    N, t = _num(c.norm_sq, ops), _num(c.trace, ops)
    phi2 = N * psi * psi / (ops.sqrt(_num(n, ops)) * t)
    phi = [phi2]
    for _ in range(3, L + 1):
        phi.append(c.k_X * psi * phi[-1])
    psi_L = psi * ops.sqrt(N / _num(c.frob_X, ops))
    return {"chi": _num(c.chi_ratio, ops) * psi, "phi": phi, "psi_L": psi_L,
            "norm_sq": N * psi * psi, "gamma": c.k_X * psi_L * phi[-1],
            "w1_coef": psi * ops.sqrt(N / t)}


def relu_output_scale_squared(K: int, L: int) -> Fraction:
    """``(γ√n)²`` at ψ = 1, an exact rational: ``k_X^{2(L-1)} N³ / (‖X̄‖² t²)``.

    Derived from ``γ = k_X ψ_L φ_L``, ``φ_L = (k_X ψ)^{L-2} φ_2``, ``φ_2 = Nψ²/(√n t)``,
    ``ψ_L² = Nψ²/‖X̄‖²``.

    >>> relu_output_scale_squared(4, 3)
    Fraction(54, 1)
    """
    K, L = require_int("K", K, minimum=2), require_int("L", L, minimum=2)
    c = block_structure_constants(K)
    N = Fraction(c.norm_sq)
    return Fraction(c.k_X ** (2 * (L - 1)) * N.numerator**3,
                    N.denominator**3 * c.frob_X * c.trace**2)


def relu_psi_for_scale(K: int, L: int, n: int, gamma: Any) -> Any:
    """The ψ for which the construction's output is ``γ X̄ ⊗ 1_nᵀ``: ``ψ^{2(L+1)} = γ²n/G²``."""
    K, L, n = require_int("K", K, 2), require_int("L", L, 2), require_int("n", n, 1)
    gamma = require_positive("gamma", gamma)
    G2 = relu_output_scale_squared(K, L)
    ops = ops_for(gamma)
    ratio = gamma * gamma * _num(n, ops) / _num(G2, ops)
    return _root(ratio, 2 * (L + 1), ops)


def relu_lowrank_fit(K: int, gamma: Any) -> Any:
    """Fit term ``g(γ X̄ ⊗ 1_nᵀ)`` in closed form (derived from the columns of X̄).

    A column of a 2×2 block has its correct logit γ, its partner -γ and K-2 zeros:
    ``log(1 + (K-2)e^{-γ} + e^{-2γ})``.  For K = 2m+1 the last column is ``2γ e_K``: margin 2γ
    to all others, ``log(1 + (K-1)e^{-2γ})``; the mean weights the two by 2m/K and 1/K.

    >>> a = sympy.Symbol("a", positive=True)
    >>> relu_lowrank_fit(3, a) - (2 * sympy.log(1 + sympy.exp(-a) + sympy.exp(-2 * a))
    ...                          + sympy.log(1 + 2 * sympy.exp(-2 * a))) / 3
    0
    """
    K = require_int("K", K, minimum=2)
    ops = ops_for(gamma)
    pair = ops.log(1 + (K - 2) * ops.exp(-gamma) + ops.exp(-2 * gamma))
    if K % 2 == 0:
        return pair
    single = ops.log(1 + (K - 1) * ops.exp(-2 * gamma))
    return ((K - 1) * pair + single) / K


def relu_lowrank_loss(gamma: Any, K: int, L: int, n: int, lam: Any) -> Any:
    """Total loss of the construction with output ``γ X̄ ⊗ 1_nᵀ``: fit + ½λ(L+1)·Nψ(γ)².

    Works for SymPy, mpmath, Arb balls and floats (the ψ² root is taken in that type).
    """
    K, L, n = require_int("K", K, 2), require_int("L", L, 2), require_int("n", n, 1)
    lam = require_positive("lam", lam)
    ops = ops_for(gamma, lam)
    N = _num(block_structure_constants(K).norm_sq, ops)
    G2 = _num(relu_output_scale_squared(K, L), ops)
    psi_sq = _root(gamma * gamma * _num(n, ops) / G2, L + 1, ops)
    half = ops.rational(1, 2)
    return relu_lowrank_fit(K, gamma) + half * lam * (L + 1) * N * psi_sq


def relu_lowrank_parameters(K: int, L: int, n: int, psi: Any, d: int | None = None,
                            rotation: Any = None) -> tuple[Any, list[Any]]:
    """``(H_1, [W_1, ..., W_L])`` of the construction: SymPy matrices (exact) when ψ is a SymPy
    number or symbol, float64 arrays otherwise.

    Parameters
    ----------
    K, L, n : classes (>= 2), depth (>= 2, the construction needs one ReLU layer), class size.
    psi : the common layer scale ψ > 0.
    d : width (>= K, default K); the K×K blocks sit top-left, the rest is zero.
    rotation : optional d×d orthogonal Q; returns ``W_1 Qᵀ`` and ``Q H_1`` (same product).

    Examples
    --------
    >>> from ncverify.models.deep_ufm import dufm_output
    >>> H1, Ws = relu_lowrank_parameters(4, 3, 2, 1.0)
    >>> Z = dufm_output(H1, Ws, activation="relu")
    >>> g = relu_lowrank_scales(4, 3, 2, 1.0)["gamma"]
    >>> bool(np.allclose(Z, g * np.repeat(np.array(xbar(4), dtype=float), 2, axis=1)))
    True
    """
    K, L, n = require_int("K", K, 2), require_int("L", L, 2), require_int("n", n, 1)
    d = K if d is None else require_int("d", d, minimum=K)
    exact = isinstance(psi, sympy.Basic)
    if not exact:
        psi = float(psi)
    if not (psi.is_positive if exact else psi > 0):
        raise ValueError(f"psi must be > 0, got {psi!r}")
    s = relu_lowrank_scales(K, L, n, psi)
    ops = ops_for(psi)
    # W_1 = U_2 Σ^{1/2} Ũᵀ and H_1 = Ũ Σ^{1/2} V_2ᵀ with Ũ = I_d: the singular pairs of
    # H_2 = φ_2 (X̄+Ȳ) ⊗ 1_nᵀ are (φ_2 λ_j √n, u_j, u_j ⊗ 1_n/√n) and φ_2 √n = Nψ²/t.
    if exact:
        U, lams = h2_eigenvectors(K)
        Xb, Yb = xbar(K), ybar(K)
        root = sympy.Matrix(U.rows, U.cols, lambda i, j: U[i, j] * sympy.sqrt(lams[j]))
    else:
        Xb, Yb = xbar(K, exact=False), ybar(K, exact=False)
        root = _float_root(K)
    w1 = s["w1_coef"] * root  # K × r
    h1 = (s["w1_coef"] / ops.sqrt(_num(n, ops))) * (root.T if exact else root.T)  # r × K
    blocks = [psi * Xb + s["chi"] * Yb] * (L - 2) + [s["psi_L"] * Xb]
    if exact:
        H1 = _embed_sympy(sympy.Matrix.hstack(*[h1[:, j] for j in range(K) for _ in range(n)]),
                          d, K * n)
        Ws = [_embed_sympy(w1, d, d)] + [_embed_sympy(B, d, d) for B in blocks[:-1]]
        Ws.append(_embed_sympy(blocks[-1], K, d))
    else:
        H1 = np.repeat(_embed_numpy(h1, d, K), n, axis=1)
        Ws = [_embed_numpy(w1, d, d)] + [_embed_numpy(B, d, d) for B in blocks[:-1]]
        Ws.append(_embed_numpy(blocks[-1], K, d))
    if rotation is not None:
        Q = rotation
        if exact:
            H1, Ws[0] = Q * H1, Ws[0] * Q.T
        else:
            Q = np.asarray(Q, dtype=float)
            H1, Ws[0] = Q @ H1, Ws[0] @ Q.T
    return H1, Ws


def h2_eigenvectors(K: int) -> tuple[sympy.Matrix, list[int]]:
    """Orthonormal eigenvectors (columns of U, K × r) and the non-zero eigenvalues of ``X̄ + Ȳ``.

    From the block structure: each pair block gives ``(e_{2j-1} - e_{2j})/√2`` with eigenvalue
    k_X = 2 (``X̄`` acts as 2 on it, ``Ȳ`` as 0); for odd K the corner gives ``e_K`` with
    eigenvalue 2; the all-ones vector on the first 2m coordinates (normalised) has eigenvalue
    k_Y (``Ȳ`` acts as k_Y, ``X̄`` as 0, its rows summing to 0).  ``U diag(λ) Uᵀ = X̄ + Ȳ`` is
    checked exactly by the claim.

    >>> U, lams = h2_eigenvectors(3); lams
    [2, 2, 2]
    >>> U * sympy.diag(*lams) * U.T == xbar(3) + ybar(3)
    True
    """
    K = require_int("K", K, minimum=2)
    m, odd = K // 2, K % 2
    cols: list[list[Any]] = []
    lams: list[int] = []
    for j in range(m):
        v = [sympy.Integer(0)] * K
        v[2 * j], v[2 * j + 1] = 1 / sympy.sqrt(2), -1 / sympy.sqrt(2)
        cols.append(v)
        lams.append(2)
    if odd:
        cols.append([sympy.Integer(0)] * (K - 1) + [sympy.Integer(1)])
        lams.append(_CORNER)
    cols.append([1 / sympy.sqrt(2 * m)] * (2 * m) + [sympy.Integer(0)] * odd)
    lams.append(2 * m)
    return sympy.Matrix(cols).T, lams


@functools.lru_cache(maxsize=128)
def _float_root_cached(K: int) -> np.ndarray:
    U, lams = h2_eigenvectors(K)
    out = np.array([[float(U[i, j]) * float(np.sqrt(lams[j])) for j in range(U.cols)]
                    for i in range(U.rows)])
    out.setflags(write=False)
    return out


def _float_root(K: int) -> np.ndarray:
    return _float_root_cached(K).copy()


def _embed_sympy(B: sympy.Matrix, rows: int, cols: int) -> sympy.Matrix:
    M = sympy.zeros(rows, cols)
    M[:B.rows, :B.cols] = B
    return M


def _embed_numpy(B: np.ndarray, rows: int, cols: int) -> np.ndarray:
    M = np.zeros((rows, cols))
    M[:B.shape[0], :B.shape[1]] = B
    return M


def _multiple(A: flint.fmpz_mat, B: flint.fmpz_mat, what: str) -> int:
    """The integer k with A = k B (B != 0), else ArithmeticError."""
    pairs = [(int(A[i, j]), int(B[i, j])) for i in range(B.nrows()) for j in range(B.ncols())]
    nz = [(a, b) for a, b in pairs if b != 0]
    if not nz or nz[0][0] % nz[0][1]:
        raise ArithmeticError(f"{what} is not an integer multiple")
    k = nz[0][0] // nz[0][1]
    if any(a != k * b for a, b in pairs):
        raise ArithmeticError(f"{what} is not a multiple")
    return k


def _div(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int):
        return Fraction(a, b)
    return sympy.sympify(a) / b


def _num(x: Any, ops: Any) -> Any:
    """An exact constant (int, Fraction, SymPy) in the number type of ``ops``."""
    if ops.name == "sympy":
        return sympy.nsimplify(x) if isinstance(x, Fraction) else sympy.sympify(x)
    if isinstance(x, Fraction):
        if ops.name == "arb":
            return flint.arb(flint.fmpq(x.numerator, x.denominator))
        if ops.name == "mpmath":
            return mpmath.mpf(x.numerator) / x.denominator
        return x.numerator / x.denominator
    if ops.name == "arb":
        return flint.arb(int(x))
    if ops.name == "mpmath":
        return mpmath.mpf(int(x))
    return float(x)


def _root(x: Any, q: int, ops: Any) -> Any:
    """``x^{1/q}`` for x > 0 in the number type of ``ops``."""
    if ops.name == "sympy":
        return sympy.root(x, q)
    if ops.name == "arb":
        return flint.arb(x) ** (flint.arb(1) / q)
    if ops.name == "mpmath":
        return mpmath.root(x, q)
    return np.asarray(x, dtype=float) ** (1.0 / q) if isinstance(x, np.ndarray) \
        else float(x) ** (1.0 / q)
