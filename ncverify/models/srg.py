"""The strongly-regular-graph (SRG) construction of `sk` App. B.1 and its DNC rival (L-DUFM, MSE).

Graph side (`sk` Definition 5): the triangular graph 𝒯_r = line graph of the complete graph K_r,
its adjacency matrix G_r, the vertex–edge incidence matrix of K_r and its normalisation
``T_r = incidence / √(r-1)``, and the spectrum of a strongly regular graph from its parameters.

Network side (`sk` Definitions 6–8, Eq. (4)): the SRG and DNC solutions of the L-DUFM as explicit
matrices ``(H_1, [W_1, ..., W_L])`` (mpmath, any precision), their layer scales α_l, and the
closed-form losses ``L_SRG(q)``, ``L_DNC(q)`` of the proof of Theorem 3.  Every closed form here is
*derived* (the derivation is in the docstrings) and checked against the explicit networks and
exact matrices by the claims ``sk.*``; where the paper prints something else, the printed version
lives in the claim module, never here.

Class order: the K = C(r, 2) classes are the edges ``(i, j)``, ``i < j``, of K_r in
lexicographic order (:func:`complete_graph_edges`); rows of T_r are the r vertices.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import flint
import mpmath
import networkx as nx
import sympy

from ncverify.models.backend import ops_for
from ncverify.models.deep_ufm import relu
from ncverify.models.validation import require_int, require_positive
from ncverify.rigorous.scalar import ScalarMinimum, minimise_on_halfline

__all__ = [
    "ScaleLoss",
    "block_network",
    "complete_graph_edges",
    "dnc_alphas",
    "dnc_mse_loss",
    "dnc_network",
    "dnc_scale_loss",
    "exact_split_rows",
    "incidence_matrix",
    "last_layer_pattern",
    "last_layer_signs",
    "minimise_scale_loss",
    "normalized_incidence",
    "pruned_loss",
    "pruned_network",
    "srg_alphas",
    "srg_last_gram_spectrum",
    "srg_last_nuclear_norm",
    "srg_loss",
    "srg_middle_gram_spectrum",
    "srg_network",
    "srg_parameters_by_counting",
    "srg_scale_loss",
    "srg_scale_squared",
    "srg_sigma",
    "srg_spectrum",
    "triangular_adjacency",
    "triangular_graph",
]


# ----------------------------------------------------------------------------- graph side


def complete_graph_edges(r: int) -> list[tuple[int, int]]:
    """The C(r, 2) edges ``(i, j)``, ``0 <= i < j < r``, of K_r in lexicographic order.

    This is the class order of every SRG object in this module.

    >>> complete_graph_edges(4)
    [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    """
    r = require_int("r", r, minimum=2)
    return list(itertools.combinations(range(r), 2))


def triangular_graph(r: int) -> nx.Graph:
    """The triangular graph 𝒯_r: the line graph of the complete graph K_r (`sk` Definition 5).

    Vertices are the edges ``(i, j)`` of K_r; two are adjacent iff the edges share a vertex.
    Built with ``networkx.line_graph(networkx.complete_graph(r))``.

    >>> G = triangular_graph(5); G.number_of_nodes(), G.number_of_edges()
    (10, 30)
    """
    r = require_int("r", r, minimum=2)
    G = nx.line_graph(nx.complete_graph(r))
    return nx.relabel_nodes(G, {e: tuple(sorted(e)) for e in G.nodes()})


def triangular_adjacency(r: int) -> flint.fmpz_mat:
    """Adjacency matrix G_r of 𝒯_r in the class order of :func:`complete_graph_edges` (flint,
    exact integers), read off the networkx line graph."""
    G = triangular_graph(r)
    edges = complete_graph_edges(r)
    index = {e: i for i, e in enumerate(edges)}
    K = len(edges)
    A = flint.fmpz_mat(K, K)
    for u, v in G.edges():
        A[index[u], index[v]] = A[index[v], index[u]] = 1
    return A


def srg_parameters_by_counting(adjacency: flint.fmpz_mat) -> tuple[int, int, int, int]:
    """``(v, k, λ, μ)`` of a strongly regular graph, counted from its adjacency matrix.

    k = common degree; λ (μ) = common number of common neighbours of adjacent (non-adjacent)
    distinct vertices, read off ``A²``.  Raises ``ValueError`` if the graph is not strongly
    regular.

    >>> srg_parameters_by_counting(triangular_adjacency(5))
    (10, 6, 3, 4)
    """
    v = adjacency.nrows()
    A2 = adjacency * adjacency
    degrees = {int(A2[i, i]) for i in range(v)}
    lam = {int(A2[i, j]) for i in range(v) for j in range(v) if i != j and adjacency[i, j] == 1}
    mu = {int(A2[i, j]) for i in range(v) for j in range(v) if i != j and adjacency[i, j] == 0}
    if len(degrees) != 1 or len(lam) > 1 or len(mu) > 1:
        raise ValueError("adjacency is not the adjacency matrix of a strongly regular graph "
                         f"(degrees {sorted(degrees)}, lambda {sorted(lam)}, mu {sorted(mu)})")
    return v, degrees.pop(), lam.pop() if lam else 0, mu.pop() if mu else 0


@functools.lru_cache(maxsize=128)
def _srg_spectrum(v: Any, k: Any, lam: Any, mu: Any) -> tuple[tuple[Any, Any], ...]:
    delta = (lam - mu) ** 2 + 4 * (k - mu)
    root = sympy.sqrt(sympy.factor(delta))
    theta = sympy.simplify(((lam - mu) + root) / 2)
    tau = sympy.simplify(((lam - mu) - root) / 2)
    m_theta = sympy.simplify(((v - 1) - (2 * k + (v - 1) * (lam - mu)) / root) / 2)
    m_tau = sympy.simplify(((v - 1) + (2 * k + (v - 1) * (lam - mu)) / root) / 2)
    return ((sympy.sympify(k), sympy.Integer(1)), (theta, m_theta), (tau, m_tau))


def srg_spectrum(v: Any, k: Any, lam: Any, mu: Any) -> list[tuple[Any, Any]]:
    """Eigenvalues with multiplicities of a strongly regular graph srg(v, k, λ, μ).

    ``A² = kI + λA + μ(J - I - A)``, so on 1^⊥ every eigenvalue solves
    ``x² - (λ-μ)x - (k-μ) = 0``: ``θ, τ = ((λ-μ) ± √Δ)/2`` with ``Δ = (λ-μ)² + 4(k-μ)``;
    ``tr A = 0`` and ``1 + m_θ + m_τ = v`` give
    ``m_θ, m_τ = ½[(v-1) ∓ (2k + (v-1)(λ-μ))/√Δ]``.  Works with SymPy symbols.

    Returns ``[(k, 1), (θ, m_θ), (τ, m_τ)]``.

    >>> srg_spectrum(10, 6, 3, 4)
    [(6, 1), (1, 4), (-2, 5)]
    """
    return list(_srg_spectrum(*(sympy.sympify(x) for x in (v, k, lam, mu))))


def incidence_matrix(r: int) -> flint.fmpz_mat:
    """The r × C(r,2) vertex–edge incidence matrix of K_r (1 if vertex i lies on edge j).

    >>> incidence_matrix(3)
    [1, 1, 0]
    [1, 0, 1]
    [0, 1, 1]
    """
    edges = complete_graph_edges(r)
    B = flint.fmpz_mat(r, len(edges))
    for j, (a, b) in enumerate(edges):
        B[a, j] = B[b, j] = 1
    return B


def normalized_incidence(r: int) -> sympy.Matrix:
    """``T_r = incidence / √(r-1)``: `sk` Definition 5's normalised incidence matrix of K_r,
    ``(T_r)_{ij} = 1/√(r-1)`` if vertex i belongs to edge j and 0 otherwise (SymPy, exact)."""
    r = require_int("r", r, minimum=2)
    B = incidence_matrix(r)
    c = 1 / sympy.sqrt(r - 1)
    return sympy.Matrix(B.nrows(), B.ncols(), lambda i, j: c * int(B[i, j]))


def last_layer_signs(r: int) -> flint.fmpz_mat:
    """``A_L^{(1)}`` of `sk` Definition 6: K × r, row P (a pair of vertices, class order) is -1
    on the two vertices of P and +1 on the other r - 2 (one row per pair, all rows distinct).

    >>> [int(x) for x in last_layer_signs(4).table()[0]]
    [-1, -1, 1, 1]
    """
    edges = complete_graph_edges(r)
    A = flint.fmpz_mat(len(edges), r)
    for i, pair in enumerate(edges):
        for v in range(r):
            A[i, v] = -1 if v in pair else 1
    return A


def last_layer_pattern(r: int) -> flint.fmpz_mat:
    """The K × K integer pattern ``½ A_L^{(1)} · incidence``: entry (P, e) is
    ``(a_i + a_j)/2`` over the edge e = {i, j} with the ±1 weights a of row P, i.e. -1 if e = P,
    +1 if e is disjoint from P and 0 if e shares one vertex with P.

    ``Ñ := pattern / s`` (s² = :func:`srg_scale_squared`) is ``A_L^{(1)} T_r`` with unit rows.
    """
    edges = complete_graph_edges(r)
    K = len(edges)
    P = flint.fmpz_mat(K, K)
    for i, pair in enumerate(edges):
        for j, e in enumerate(edges):
            common = len(set(pair) & set(e))
            P[i, j] = -1 if common == 2 else (1 if common == 0 else 0)
    return P


def srg_scale_squared(r: Any) -> Any:
    """``s² = (r-2)(r-3)/2 + 1``: squared norm of a row of :func:`last_layer_pattern` (one -1
    and C(r-2, 2) entries +1), the normalisation of `sk` Lemma 11."""
    return sympy.Rational(1, 2) * (r - 2) * (r - 3) + 1 if isinstance(r, sympy.Basic) else \
        sympy.Rational((r - 2) * (r - 3), 2) + 1


def srg_sigma(r: Any, ops: Any = None) -> Any:
    """``σ_r = √2 + √((r-1)(r-2))`` = ``‖T_r‖_*``: the nuclear norm of M_l / √α_l (Lemma 12)."""
    ops = ops or ops_for(r)
    if ops.name == "sympy" or isinstance(r, sympy.Basic):
        return sympy.sqrt(2) + sympy.sqrt((r - 1) * (r - 2))
    return ops.sqrt(ops.rational(2)) + ops.sqrt(ops.rational((r - 1) * (r - 2)))


def srg_middle_gram_spectrum(r: Any) -> list[tuple[Any, Any]]:
    """Spectrum of ``M_lᵀ M_l / α_l`` for an intermediate SRG layer (2 <= l <= L-1).

    ``M_l = A_l T_r`` with ``A_lᵀ A_l = α_l I_r`` gives ``M_lᵀM_l = α_l T_rᵀT_r
    = α_l (2I + G_r)/(r-1)``; with the spectrum {2(r-2), r-4, -2} of G_r:
    ``[(2, 1), ((r-2)/(r-1), r-1), (0, r(r-3)/2)]``.
    """
    r = sympy.sympify(r)
    return [(sympy.Integer(2), sympy.Integer(1)), ((r - 2) / (r - 1), r - 1),
            (sympy.Integer(0), r * (r - 3) / 2)]


def srg_last_gram_spectrum(r: Any) -> list[tuple[Any, Any]]:
    """Spectrum of ``M_Lᵀ M_L`` (α_L = 1) of the SRG solution, derived by counting.

    Entry (e, f) of ``s² M_LᵀM_L`` counts the pairs P disjoint from both edges e and f:
    c = C(r-2, 2) on the diagonal, a = C(r-3, 2) if e, f share a vertex, b = C(r-4, 2) else.
    So ``s² M_LᵀM_L = (c-b)I + (a-b)G_r + bJ``; the all-ones vector has eigenvalue c² (each
    row sums to c · c), the G_r-eigenspaces r-4 and -2 give ``(r-3)²`` and 1.  Hence, with
    ``s² = c + 1 = ((r-2)(r-3)+2)/2``:
    ``[((r-2)²(r-3)²/(2((r-2)(r-3)+2)), 1), (2(r-3)²/((r-2)(r-3)+2), r-1),
    (2/((r-2)(r-3)+2), r(r-3)/2)]``.

    >>> srg_last_gram_spectrum(6)
    [(36/7, 1), (9/7, 5), (1/7, 9)]
    """
    r = sympy.sympify(r)
    d = (r - 2) * (r - 3) + 2
    return [((r - 2) ** 2 * (r - 3) ** 2 / (2 * d), sympy.Integer(1)),
            (2 * (r - 3) ** 2 / d, r - 1), (2 / d, r * (r - 3) / 2)]


def srg_last_nuclear_norm(r: Any, ops: Any = None) -> Any:
    """``‖Ñ‖_*`` for ``Ñ = A_L^{(1)} T_r`` normalised to unit rows (the pre-ReLU last layer at
    α_L = 1 with one row per row type); used for L = 2 where H_1, W_1 factor M̃_2.

    ``s Ñ = pattern = J - 2I - G_r`` (symmetric) has eigenvalues K - 2 - 2(r-2) = (r-1)(r-4)/2
    (once), -(r-2) (r-1 times) and 0, so ``‖Ñ‖_* = (r-1)(3r-8)/(2s)`` for r >= 4.
    """
    ops = ops or ops_for(r)
    if ops.name == "sympy" or isinstance(r, sympy.Basic):
        r = sympy.sympify(r)
        return (r - 1) * (3 * r - 8) / (2 * sympy.sqrt(srg_scale_squared(r)))
    return ops.rational((r - 1) * (3 * r - 8), 2) / ops.sqrt(ops.rational((r - 2) * (r - 3) + 2, 2))


_PYTHAGOREAN = ((flint.fmpq(3, 5), flint.fmpq(4, 5)), (flint.fmpq(5, 13), flint.fmpq(12, 13)),
                (flint.fmpq(8, 17), flint.fmpq(15, 17)), (flint.fmpq(1), flint.fmpq(0)),
                (flint.fmpq(20, 29), flint.fmpq(21, 29)))


def exact_split_rows(m: int, d: int, c: Any, seed: int = 0, sign: int = 1) -> flint.fmpq_mat:
    """An exact d × m matrix whose rows are non-negative multiples of standard basis vectors,
    the squared multiples for each basis vector summing to ``c²`` (so ``AᵀA = c² I_m``).

    This is the shape of ``A_l`` (m = r) and ``A_L^{(2)}`` (m = K) in `sk` Definition 6.  Each
    basis vector gets two rows ``c·a e_v``, ``c·b e_v`` with a Pythagorean pair a² + b² = 1 (or
    one row), at seeded random positions; unused rows are zero.  Needs ``d >= 2m``.
    ``sign = -1`` flips the first row (a negative multiple, outside the construction).

    >>> A = exact_split_rows(3, 7, flint.fmpq(2), seed=1); A.transpose() * A == 4 * flint.fmpq_mat(
    ...     3, 3, [1, 0, 0, 0, 1, 0, 0, 0, 1])
    True
    """
    import random

    if d < 2 * m:
        raise ValueError(f"d must be >= 2m = {2 * m}, got {d}")
    rng = random.Random(seed)
    rows = rng.sample(range(d), 2 * m)
    A = flint.fmpq_mat(d, m)
    c = flint.fmpq(c)
    for v in range(m):
        a, b = _PYTHAGOREAN[rng.randrange(len(_PYTHAGOREAN))]
        A[rows[2 * v], v] = c * a
        A[rows[2 * v + 1], v] = c * b
    if sign < 0:
        i = next(i for i in range(d) if A[i, 0] != 0)
        A[i, 0] = -A[i, 0]
    return A


# ----------------------------------------------------------------------------- scales, losses


def _lams(lams: Any, L: int) -> list[Any]:
    """``[λ_H1, λ_W1, ..., λ_WL]`` from a scalar or a sequence of L + 1 values."""
    if isinstance(lams, Sequence) and not isinstance(lams, str):
        if len(lams) != L + 1:
            raise ValueError(f"lams must hold L+1 = {L + 1} values (lam_H1, lam_W1..lam_WL), "
                             f"got {len(lams)}")
        out = list(lams)
    else:
        out = [lams] * (L + 1)
    for i, x in enumerate(out):
        if not isinstance(x, sympy.Symbol):
            require_positive("lams" if i else "lam_H1", x)
    return out


def _prod(xs: Sequence[Any]) -> Any:
    out: Any = 1
    for x in xs:
        out = out * x
    return out


def srg_alphas(r: Any, L: int, lams: Any, n: Any, q: Any) -> list[Any]:
    """``[α_2, ..., α_L]`` of the SRG solution as functions of q (`sk` Eq. (4)), L >= 3.

    With ``p = √(nλ_H1λ_W1)·σ_r`` (σ_r = :func:`srg_sigma`), the stationarity conditions of the
    loss in α_2..α_{L-1} give ``α_{l+1}/α_l = p q/(r λ_{W_l})`` (2 <= l <= L-2) and
    ``α_L/α_{L-1} = 4((r-2)(r-3)+2) p q/(r²(r-1)²λ_{W_{L-1}})`` with ``q = √α_2``, hence
    ``α_l = p^{l-2} q^l/(r^{l-2} Π_{i=2}^{l-1} λ_{W_i})`` and
    ``α_L = p^{L-2} 4((r-2)(r-3)+2) q^L/(r^{L-1}(r-1)² Π_{i=2}^{L-1} λ_{W_i})``.
    For L = 2 the only scale is ``α_2 = q²`` (the last layer; Eq. (4) does not cover L = 2).
    """
    L = require_int("L", L, minimum=2)
    lam = _lams(lams, L)
    if L == 2:
        return [q * q]
    ops = ops_for(q, r, n, *lam)
    p = ops.sqrt(n * lam[0] * lam[1]) * srg_sigma(r, ops)
    out = [p ** (l - 2) * q**l / (r ** (l - 2) * _prod(lam[2:l])) for l in range(2, L)]
    d = (r - 2) * (r - 3) + 2
    out.append(p ** (L - 2) * 4 * d * q**L / (r ** (L - 1) * (r - 1) ** 2 * _prod(lam[2:L])))
    return out


def dnc_alphas(K: Any, L: int, lams: Any, n: Any, q: Any) -> list[Any]:
    """``[α_2, ..., α_L]`` of the DNC solution (`sk` Definition 7, corrected), L >= 2.

    Stationarity of ``√(nλ_H1λ_W1) K √α_2 + Σ_{l=2}^{L-1} ½λ_{W_l} K α_{l+1}/α_l`` in α_2..α_{L-1}
    gives ``α_{l+1}/α_l = λ_{W_{L-1}} q/λ_{W_l}`` in the parametrisation of the proof of Theorem 3
    (``α_2 = λ_{W_{L-1}}² q²/(nλ_H1 λ_W1)``), i.e.
    ``α_l = λ_{W_{L-1}}^l q^l/(nλ_H1 Π_{i=1}^{l-1} λ_{W_i})`` for 2 <= l <= L.
    """
    L = require_int("L", L, minimum=2)
    lam = _lams(lams, L)
    return [lam[L - 1] ** l * q**l / (n * lam[0] * _prod(lam[1:l])) for l in range(2, L + 1)]


@dataclass(frozen=True)
class ScaleLoss:
    """A loss along one scale q >= 0 of the form
    ``f(q) = (λ_WL/2) Σ_i m_i/(c_i q^L + D) + B q`` (``D = K λ_WL``), which is what both
    constructions reduce to after eliminating the other scales (proof of `sk` Theorem 3).

    ``terms`` holds the pairs ``(m_i, c_i)``; entries may be SymPy, mpmath, Arb or float.
    """

    power: int
    terms: tuple[tuple[Any, Any], ...]
    offset: Any
    half_lam: Any
    linear: Any

    def value(self, q: Any) -> Any:
        """``f(q)``."""
        qL = q**self.power
        return self.half_lam * sum((m / (c * qL + self.offset) for m, c in self.terms),
                                   0 * self.offset) + self.linear * q

    def derivative(self, q: Any) -> Any:
        """``f'(q) = B - (λ_WL/2) Σ_i m_i c_i L q^{L-1}/(c_i q^L + D)²``."""
        L = self.power
        qL1 = q ** (L - 1)
        qL = qL1 * q
        return self.linear - self.half_lam * sum(
            (m * c * L * qL1 / (c * qL + self.offset) ** 2 for m, c in self.terms),
            0 * self.offset)

    def fit(self, q: Any) -> Any:
        """The fit-and-last-layer part ``(λ_WL/2) Σ_i m_i/(c_i q^L + D)`` (decreasing in q)."""
        qL = q**self.power
        return self.half_lam * sum((m / (c * qL + self.offset) for m, c in self.terms),
                                   0 * self.offset)


def minimise_scale_loss(form: ScaleLoss, dps: int = 30, grid: int = 3000) -> ScalarMinimum:
    """Global minimum of a :class:`ScaleLoss` over q >= 0 at ``dps`` digits (mpmath).

    For q >= q_hi = f(0)/B the loss exceeds B q >= f(0), so the minimum lies in [0, q_hi];
    interior minima need ``c_i q^L ≳ D``, so the log grid starts at
    ``1e-4 · min(q_hi, (D/max c_i)^{1/L})``.  The sign changes of f' are bracketed on a float64
    scan and refined at ``dps`` digits (:func:`ncverify.rigorous.minimise_on_halfline`); the
    result's ``residual`` is |f'| at the minimiser and ``at_zero`` says the minimum is f(0).
    """
    with mpmath.workdps(dps + 10):
        mp = ScaleLoss(form.power, tuple((_mpf(m), _mpf(c)) for m, c in form.terms),
                       _mpf(form.offset), _mpf(form.half_lam), _mpf(form.linear))
        f0 = mp.value(mpmath.mpf(0))
        hi = f0 / mp.linear
        cmax = max(c for _, c in mp.terms)
        lo = min(hi, (mp.offset / cmax) ** (mpmath.mpf(1) / mp.power)) * mpmath.mpf("1e-4")
    fl = ScaleLoss(form.power, tuple((float(m), float(c)) for m, c in mp.terms),
                   float(mp.offset), float(mp.half_lam), float(mp.linear))
    return minimise_on_halfline(mp.value, mp.derivative, hi=float(hi) * 1.001, lo=float(lo),
                                dps=dps, grid=grid, df_scan=fl.derivative)


def _mpf(x: Any) -> mpmath.mpf:
    if isinstance(x, sympy.Basic):
        return mpmath.mpf(sympy.N(x, mpmath.mp.dps + 5)) if not isinstance(
            x, sympy.Rational) else mpmath.mpf(int(x.p)) / int(x.q)
    return mpmath.mpf(x)


def srg_scale_loss(r: Any, L: int, lams: Any, n: Any = 1, K_total: Any = None) -> ScaleLoss:
    """``L_SRG`` as a :class:`ScaleLoss` (see :func:`srg_loss`), in the arithmetic of the
    inputs (SymPy symbols, mpmath, Arb, float)."""
    L = require_int("L", L, minimum=2)
    lam = _lams(lams, L)
    ops = ops_for(r, n, *lam)
    K = r * (r - 1) / 2 if isinstance(r, sympy.Basic) else r * (r - 1) // 2
    Kt = K if K_total is None else K_total
    one = ops.rational(1)
    aL1 = srg_alphas(r, L, lam, n, one)[-1]            # α_L(q) = aL1 · q^L
    terms = tuple((_to(mult, ops), _to(kappa, ops) * aL1)
                  for kappa, mult in srg_last_gram_spectrum(r))
    if L == 2:
        lin = ops.sqrt(n * lam[0] * lam[1]) * srg_last_nuclear_norm(r, ops)
    else:
        lin = ops.rational(L, 2) * ops.sqrt(n * lam[0] * lam[1]) * srg_sigma(r, ops)
    return ScaleLoss(L, terms, Kt * lam[L], lam[L] * ops.rational(1, 2), lin)


def dnc_scale_loss(K: Any, L: int, lams: Any, n: Any = 1, K_total: Any = None) -> ScaleLoss:
    """``L_DNC`` as a :class:`ScaleLoss` (see :func:`dnc_mse_loss`)."""
    L = require_int("L", L, minimum=2)
    lam = _lams(lams, L)
    ops = ops_for(K, n, *lam)
    Kt = K if K_total is None else K_total
    aL1 = dnc_alphas(K, L, lam, n, ops.rational(1))[-1]
    return ScaleLoss(L, ((K * ops.rational(1), aL1),), Kt * lam[L], lam[L] * ops.rational(1, 2),
                     ops.rational(L, 2) * K * lam[L - 1])


def srg_loss(q: Any, r: Any, L: int, lams: Any, n: Any = 1, K_total: Any = None) -> Any:
    """``L_SRG(q)``: the L-DUFM loss (`sk` Eq. (1)) of the SRG solution of Definition 6 with the
    scales of Eq. (4), as a function of q >= 0 (derived; see the module docstring).

    For L >= 3:  ``(λ_WL/2) Σ_i m_i/(κ_i α_L(q) + K λ_WL) + (L/2) √(nλ_H1λ_W1) σ_r q`` with
    (κ_i, m_i) = :func:`srg_last_gram_spectrum` (Lemmas 14 and 13 corrected) and α_L from
    :func:`srg_alphas`; the W_l terms (Lemmas 10, 11) and the H_1, W_1 term (Lemmas 12, 15) add
    up to ``(L/2)√(nλ_H1λ_W1)σ_r q`` at the stationary scales.  For L = 2 (no intermediate layer):
    ``(λ_W2/2) Σ_i m_i/(κ_i q² + Kλ_W2) + √(nλ_H1λ_W1) ‖Ñ‖_* q`` with
    ‖Ñ‖_* = :func:`srg_last_nuclear_norm`.  ``K_total`` (default C(r, 2)) is the number of classes
    of the whole problem when this SRG is one block of Definition 8 (1): the MSE normalisation
    1/(2N) then puts ``K_total λ_WL`` in the denominators.

    >>> round(float(srg_loss(0.0, 5, 4, 0.01)), 12)     # q = 0: the zero network, loss 1/2
    0.5
    """
    return srg_scale_loss(r, L, lams, n, K_total).value(q)


def dnc_mse_loss(q: Any, K: Any, L: int, lams: Any, n: Any = 1, K_total: Any = None) -> Any:
    """``L_DNC(q)``: the L-DUFM loss of the DNC solution (Definition 7) at the scales of
    :func:`dnc_alphas`:  ``(λ_WL/2) K/(α_L(q) + K_total λ_WL) + (L/2) K λ_{W_{L-1}} q``
    with ``α_L = λ_{W_{L-1}}^{L-1} q^L/(nλ_H1 Π_{i=1}^{L-2}λ_{W_i})`` (derived: the H_1, W_1 term
    is ``√(nλ_H1λ_W1) K √α_2`` by Lemma 15, each W_l term ``½λ_{W_l} K α_{l+1}/α_l`` and the last
    layer ``(λ_WL/2) K/(α_L + Kλ_WL)`` by Lemma 14).  ``K_total`` as in :func:`srg_loss`.

    >>> round(float(dnc_mse_loss(0.0, 10, 4, 0.01)), 12)
    0.5
    """
    return dnc_scale_loss(K, L, lams, n, K_total).value(q)


def _to(x: Any, ops: Any) -> Any:
    """A SymPy number (or expression) in the arithmetic of ``ops``."""
    if ops.name == "sympy":
        return x
    if not isinstance(x, sympy.Rational):
        raise TypeError(f"expected a rational number for {ops.name} arithmetic, got {x!r}")
    return ops.rational(int(x.p), int(x.q))


# ----------------------------------------------------------------------------- explicit networks


def _mp(M: flint.fmpq_mat | flint.fmpz_mat, scale: Any = 1) -> mpmath.matrix:
    """An exact flint matrix times a scalar, as an mpmath matrix at the working precision."""
    out = mpmath.matrix(M.nrows(), M.ncols())
    for i in range(M.nrows()):
        for j in range(M.ncols()):
            x = M[i, j]
            if x != 0:
                num, den = (int(x.p), int(x.q)) if isinstance(x, flint.fmpq) else (int(x), 1)
                out[i, j] = scale * mpmath.mpf(num) / den
    return out


@functools.lru_cache(maxsize=32)
def _incidence_pinv(r: int) -> flint.fmpq_mat:
    """``B⁺ = Bᵀ(BBᵀ)⁻¹`` of the integer incidence matrix B (full row rank r for r >= 3)."""
    B = flint.fmpq_mat(incidence_matrix(r))
    return B.transpose() * (B * B.transpose()).inv()


@functools.lru_cache(maxsize=32)
def _gram_projections(r: int) -> tuple[flint.fmpq_mat, flint.fmpq_mat]:
    """Spectral projections of ``BBᵀ = (r-2)I + J`` (B = incidence): onto 1 (eigenvalue
    2(r-1)) and onto 1^⊥ (eigenvalue r-2), exact rationals."""
    J = flint.fmpq_mat(r, r, [flint.fmpq(1, r)] * (r * r))
    return J, flint.fmpq_mat(r, r, [int(i == j) for i in range(r) for j in range(r)]) - J


@functools.lru_cache(maxsize=32)
def _triangular_projections(r: int) -> list[tuple[int, flint.fmpq_mat]]:
    """``[(eigenvalue, projection)]`` of G_r, from ``G² = kI + λG + μ(J - I - G)``:
    E_k = J/K, E_θ = (G - τI)(G - kI)/((θ-τ)(θ-k)), E_τ = I - E_k - E_θ (exact)."""
    G = flint.fmpq_mat(triangular_adjacency(r))
    K = G.nrows()
    k, theta, tau = 2 * (r - 2), r - 4, -2
    one = flint.fmpq_mat(K, K, [int(i == j) for i in range(K) for j in range(K)])
    Ek = flint.fmpq_mat(K, K, [flint.fmpq(1, K)] * (K * K))
    Et = (G - tau * one) * (G - k * one) * flint.fmpq(1, (theta - tau) * (theta - k))
    return [(k, Ek), (theta, Et), (tau, one - Ek - Et)]


def _expand(M: mpmath.matrix, n: int) -> mpmath.matrix:
    """``M ⊗ 1_nᵀ`` (each column repeated n times, class order)."""
    out = mpmath.matrix(M.rows, M.cols * n)
    for j in range(M.cols):
        for t in range(n):
            for i in range(M.rows):
                out[i, j * n + t] = M[i, j]
    return out


def _ridge(M: mpmath.matrix, K_total: int, lam: Any) -> mpmath.matrix:
    """``W_L = Mᵀ(MMᵀ + K λ I)⁻¹`` minimising ``(1/2K)‖WM - I‖² + (λ/2)‖W‖²`` (Lemma 14)."""
    return M.T * mpmath.inverse(M * M.T + K_total * lam * mpmath.eye(M.rows))


def _middle_rows(r: int, d: int, alpha: Any, split: Sequence[Any] | None) -> mpmath.matrix:
    """``A_l`` (d × r): row v is √α_l e_v (rows r..d-1 zero), or, with ``split = [w_v]``, vertex
    v has the two rows √(α_l w_v) e_v and √(α_l(1 - w_v)) e_v at rows 2v, 2v+1."""
    A = mpmath.matrix(d, r)
    for v in range(r):
        if split is None:
            A[v, v] = mpmath.sqrt(alpha)
        else:
            w = mpmath.mpf(split[v])
            A[2 * v, v], A[2 * v + 1, v] = mpmath.sqrt(alpha * w), mpmath.sqrt(alpha * (1 - w))
    return A


def srg_network(r: int, L: int, lams: Any, n: int, q: Any, split: Sequence[Any] | None = None,
                K_total: int | None = None) -> tuple[mpmath.matrix, list[mpmath.matrix]]:
    """The SRG solution of `sk` Definition 6 as explicit mpmath matrices ``(H_1, [W_1..W_L])``.

    K = C(r, 2), every width d_l = K.  Intermediate class means ``M_l = A_l T_r`` (2 <= l <= L-1,
    A_l from :func:`_middle_rows`, ``A_lᵀA_l = α_l I``), last layer ``M̃_L = √α_L Ñ`` (A_L^{(2)} =
    √α_L I_K, Ñ the unit-row version of ``A_L^{(1)} T_r``), ``M_L = σ(M̃_L)``; α_l from
    :func:`srg_alphas` (Eq. (4)).  W_l (2 <= l <= L-1) is the minimum-norm solution of
    ``W_l M_l = M̃_{l+1}``, i.e. ``M̃_{l+1} M_l⁺`` with ``M_l⁺ = T_r⁺ A_l⁺``
    (T_r full row rank, A_l full column rank); W_L the ridge solution of Lemma 14 (with
    ``K_total λ_WL`` when the SRG is a block of a larger problem); H_1, W_1 the balanced
    factorisation of Lemma 15: ``W_1 = γ (CCᵀ)^{1/4}``, ``H_1 = γ⁻¹ (CCᵀ)^{+1/4} C`` with
    ``C = M_2 ⊗ 1_nᵀ`` and ``γ = (λ_H1/λ_W1)^{1/4}``.  Uses the caller's mpmath precision.
    """
    r, L, n = require_int("r", r, minimum=4), require_int("L", L, minimum=2), require_int(
        "n", n, minimum=1)
    lam = [mpmath.mpf(x) if not isinstance(x, mpmath.mpf) else x for x in _lams(lams, L)]
    q = mpmath.mpf(q)
    K = r * (r - 1) // 2
    Kt = K if K_total is None else K_total
    if split is not None and 2 * r > K:
        raise ValueError(f"split rows need width K = {K} >= 2r = {2 * r} (r >= 5), got r={r}")
    alphas = [mpmath.mpf(a) for a in srg_alphas(r, L, lam, n, q)]
    c = mpmath.sqrt(r - 1)
    T = _mp(incidence_matrix(r), 1 / c)                       # T_r
    Tp = _mp(_incidence_pinv(r), c)                           # T_r⁺ = √(r-1) B⁺
    s = mpmath.sqrt(mpmath.mpf((r - 2) * (r - 3)) / 2 + 1)
    Mt_last = _mp(last_layer_pattern(r), mpmath.sqrt(alphas[-1]) / s)   # M̃_L, d_L = K
    mids = []
    for l in range(2, L):
        A = _middle_rows(r, K, alphas[l - 2], split)
        mids.append((A, A * T))
    pre = [M for _, M in mids] + [Mt_last]                   # M̃_2 .. M̃_L (M_l = M̃_l, l < L)
    Ws: list[mpmath.matrix] = []
    for l in range(2, L):                                     # W_l : layer l -> l+1
        A, _ = mids[l - 2]
        Ap = A.T / alphas[l - 2]                              # A⁺ = Aᵀ/α (AᵀA = αI)
        Ws.append(pre[l - 1] * (Tp * Ap))
    M_L = relu(Mt_last)
    W_L = _ridge(M_L, Kt, lam[L])
    # H_1, W_1: balanced factors of C = M_2 ⊗ 1_nᵀ via the spectral projections of C Cᵀ.
    gamma = mpmath.root(lam[0] / lam[1], 4)
    if L >= 3:
        A, M2 = mids[0]
        Q = A / mpmath.sqrt(alphas[0])                        # orthonormal columns
        P1, Pp = _gram_projections(r)
        # M_2 M_2ᵀ = α_2 Q (T Tᵀ) Qᵀ, T Tᵀ = 2 P1 + (r-2)/(r-1) P⊥
        e1, e2 = mpmath.mpf(2), mpmath.mpf(r - 2) / (r - 1)
        root = lambda e, p: mpmath.root(n * alphas[0] * e, 4) ** p  # noqa: E731
        R = Q * (_mp(P1) * root(e1, 1) + _mp(Pp) * root(e2, 1)) * Q.T
        Rinv = Q * (_mp(P1) * root(e1, -1) + _mp(Pp) * root(e2, -1)) * Q.T
    else:
        M2 = Mt_last
        # M̃_2 M̃_2ᵀ = α_2 pattern²/s², pattern = Σ_e ev E_e with ev in {(r-1)(r-4)/2, 2-r, 0}
        R = mpmath.matrix(K, K)
        Rinv = mpmath.matrix(K, K)
        evs = {2 * (r - 2): mpmath.mpf((r - 1) * (r - 4)) / 2, r - 4: mpmath.mpf(2 - r), -2: 0}
        for g, E in _triangular_projections(r):
            ev = evs[g]
            if ev != 0:
                x = mpmath.root(n * alphas[0] * ev**2 / s**2, 4)
                R += _mp(E) * x
                Rinv += _mp(E) / x
    W1 = R * gamma
    H1 = (Rinv * _expand(M2, n)) / gamma
    return H1, [W1, *Ws, W_L]


def dnc_network(K: int, L: int, lams: Any, n: int, q: Any, K_total: int | None = None
                ) -> tuple[mpmath.matrix, list[mpmath.matrix]]:
    """The DNC solution of `sk` Definition 7 as explicit mpmath matrices, widths d_l = K.

    ``M_l = √α_l I_K`` (2 <= l <= L, an orthogonal frame with non-negative entries so that ReLU
    acts as the identity) with α_l from :func:`dnc_alphas`; ``W_l = √(α_{l+1}/α_l) I_K``;
    ``W_1 = γ(nα_2)^{1/4} I``, ``H_1 = γ⁻¹ (nα_2)^{-1/4} √α_2 I ⊗ 1_nᵀ`` (Lemma 15, γ as in
    :func:`srg_network`); W_L the ridge solution of Lemma 14.
    """
    K, L, n = require_int("K", K, minimum=1), require_int("L", L, minimum=2), require_int(
        "n", n, minimum=1)
    lam = [mpmath.mpf(x) for x in _lams(lams, L)]
    q = mpmath.mpf(q)
    Kt = K if K_total is None else K_total
    alphas = [mpmath.mpf(a) for a in dnc_alphas(K, L, lam, n, q)]
    eye = mpmath.eye(K)
    gamma = mpmath.root(lam[0] / lam[1], 4)
    W1 = eye * (gamma * mpmath.root(n * alphas[0], 4))
    H1 = _expand(eye * (mpmath.sqrt(alphas[0]) / (gamma * mpmath.root(n * alphas[0], 4))), n)
    Ws = [eye * mpmath.sqrt(alphas[l + 1] / alphas[l]) for l in range(L - 2)]
    W_L = _ridge(eye * mpmath.sqrt(alphas[-1]), Kt, lam[L])
    return H1, [W1, *Ws, W_L]


def _block_diag(A: mpmath.matrix, B: mpmath.matrix) -> mpmath.matrix:
    out = mpmath.matrix(A.rows + B.rows, A.cols + B.cols)
    for i in range(A.rows):
        for j in range(A.cols):
            out[i, j] = A[i, j]
    for i in range(B.rows):
        for j in range(B.cols):
            out[A.rows + i, A.cols + j] = B[i, j]
    return out


def block_network(K: int, L: int, lams: Any, n: int, q_srg: Any, q_dnc: Any
                  ) -> tuple[mpmath.matrix, list[mpmath.matrix], int]:
    """`sk` Definition 8 (1): for K >= 6, the SRG solution for C(r, 2) classes (largest r with
    C(r, 2) <= K) and the DNC solution for the other K - C(r, 2) classes, as block-diagonal
    ``H_1`` and ``W_l`` (classes: the SRG block first).  Both blocks are built for the whole
    K-class problem (their last layers use ``K λ_WL``), with their own scales q_srg, q_dnc.

    Returns ``(H_1, Ws, r)``.
    """
    K, L = require_int("K", K, minimum=6), require_int("L", L, minimum=2)
    r = max(x for x in range(4, K + 2) if x * (x - 1) // 2 <= K)
    Ks = r * (r - 1) // 2
    H1, Ws = srg_network(r, L, lams, n, q_srg, K_total=K)
    if K == Ks:
        return H1, Ws, r
    H1d, Wsd = dnc_network(K - Ks, L, lams, n, q_dnc, K_total=K)
    return _block_diag(H1, H1d), [_block_diag(a, b) for a, b in zip(Ws, Wsd, strict=True)], r


def pruned_network(K: int, L: int, lams: Any, n: int, q: Any, drop_output_rows: bool = True
                   ) -> tuple[mpmath.matrix, list[mpmath.matrix], int, list[int]]:
    """`sk` Definition 8 (2): the SRG solution for K̄ = C(r, 2) classes (smallest r with
    C(r, 2) >= K) with the samples (columns of H_1) of K̄ - K classes removed.

    The removed classes are those with the largest per-class fit loss (all equal by symmetry;
    the last classes in class order are taken).  ``drop_output_rows`` also removes the rows of
    W_L of the removed classes, without which the output has K̄ rows and the K-class loss (1) is
    undefined.  Returns ``(H_1, Ws, r, kept_classes)``.
    """
    K, L, n = require_int("K", K, minimum=6), require_int("L", L, minimum=2), require_int(
        "n", n, minimum=1)
    r = min(x for x in range(4, K + 3) if x * (x - 1) // 2 >= K)
    H1, Ws = srg_network(r, L, lams, n, q)
    kept = list(range(K))
    cols = [c * n + t for c in kept for t in range(n)]
    H1k = mpmath.matrix([[H1[i, j] for j in cols] for i in range(H1.rows)])
    if drop_output_rows:
        W_L = Ws[-1]
        Ws = [*Ws[:-1], mpmath.matrix([[W_L[i, j] for j in range(W_L.cols)] for i in kept])]
    return H1k, Ws, r, kept


@functools.lru_cache(maxsize=64)
def _pruned_traces(r: int, K: int) -> tuple[tuple[flint.fmpq, ...], ...]:
    """``t_ij = Σ_{k, c in S} E_i[k, c] E_j[k, c]`` over the kept classes S = first K edges, for
    the spectral projections (E_k, E_θ, E_τ) of G_r (exact rationals)."""
    Es = [E for _, E in _triangular_projections(r)]
    out = []
    for Ei in Es:
        row = []
        for Ej in Es:
            t = flint.fmpq(0)
            for a in range(K):
                for b in range(K):
                    t += Ei[a, b] * Ej[a, b]
            row.append(t)
        out.append(tuple(row))
    return tuple(out)


def pruned_loss(q: Any, K: int, L: int, lams: Any, n: int = 1) -> mpmath.mpf:
    """Loss (1) of `sk` Definition 8 (2) (:func:`pruned_network`, output rows of the removed
    classes dropped), at scale q of the K̄ = C(r, 2)-class SRG solution it is cut from.

    Derivation: the K̄-class output is ``Z̄ = M_Lᵀ(M_LM_Lᵀ + K̄λ_WL I)⁻¹M_L = Σ_i ρ_i E_i`` with
    ``ρ_i = κ_iα_L/(κ_iα_L + K̄λ_WL)`` and E_i the spectral projections of G_r (the Gram
    ``M_LᵀM_L = Σ κ_iα_L E_i``); keeping the classes S gives the fit
    ``(1/2K) Σ_ij (ρ_i - 1)(ρ_j - 1) t_ij`` (t from the kept block of E_i, E_j).  By the
    symmetry of the construction (every E_i has constant diagonal m_i/K̄, every class the same
    H_1 column norms), the kept rows of W_L carry ``K/K̄`` of ``‖W_L‖²`` and the kept columns of
    H_1 ``K/K̄`` of ``‖H_1‖²``; W_1..W_{L-1} are unchanged.  Evaluated in mpmath.
    """
    K, L, n = require_int("K", K, minimum=6), require_int("L", L, minimum=2), require_int(
        "n", n, minimum=1)
    r = min(x for x in range(4, K + 3) if x * (x - 1) // 2 >= K)
    Kb = r * (r - 1) // 2
    lam = [mpmath.mpf(x) for x in _lams(lams, L)]
    q = mpmath.mpf(q)
    aL = mpmath.mpf(srg_alphas(r, L, lam, n, q)[-1])
    spec = srg_last_gram_spectrum(r)
    kap = [mpmath.mpf(int(k.p)) / int(k.q) * aL for k, _ in spec]
    mult = [int(m) for _, m in spec]
    rho = [x / (x + Kb * lam[L]) for x in kap]
    t = _pruned_traces(r, K)
    fit = mpmath.fsum((rho[i] - 1) * (rho[j] - 1) * mpmath.mpf(int(t[i][j].p)) / int(t[i][j].q)
                      for i in range(3) for j in range(3)) / (2 * K)
    wl = lam[L] / 2 * mpmath.fsum(m * x / (x + Kb * lam[L]) ** 2
                                  for m, x in zip(mult, kap, strict=True))
    root = mpmath.sqrt(n * lam[0] * lam[1])
    nuc = srg_last_nuclear_norm(r, ops_for(q)) if L == 2 else srg_sigma(r, ops_for(q))
    half = root * nuc * q / 2                      # each of λ_H/2‖H_1‖², λ_W1/2‖W_1‖²
    frac = mpmath.mpf(K) / Kb
    return fit + frac * wl + frac * half + half + (L - 2) * half
