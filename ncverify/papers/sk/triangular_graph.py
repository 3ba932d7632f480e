"""`sk` Definition 5 and the paragraph after it: the triangular graph 𝒯_r (line graph of K_r) is
strongly regular with parameters (r(r-1)/2, 2(r-2), r-2, 4) and spectrum 2(r-2)^1, (r-4)^{r-1},
(-2)^{r(r-3)/2}; and the normalised incidence matrix T_r of K_r.

Checks: the parameters counted on the networkx line graphs for r = 4..16 and by a case count for
general r; the exact characteristic polynomials (python-flint) for r = 4..16; the spectrum for
general r from the strongly-regular eigenvalue formulas (SymPy, r symbolic) together with the
exact matrix identity G² = kI + λG + μ(J - I - G) that makes them apply; and T_r T_rᵀ, T_rᵀ T_r.
"""

from __future__ import annotations

import flint
import sympy

from ncverify.claims import Claim, Outcome, register
from ncverify.exact import charpoly_from_spectrum, charpoly_of
from ncverify.models.srg import (
    complete_graph_edges,
    incidence_matrix,
    normalized_incidence,
    srg_parameters_by_counting,
    srg_spectrum,
    triangular_adjacency,
    triangular_graph,
)
from ncverify.models.symbolic import is_zero

__all__ = ["claim", "published_parameters", "published_spectrum"]

STATEMENT = r"""**Definition 5** A triangular graph  $\mathcal{T}_n$  of order n is a line graph of a complete graph  $\mathcal{K}_n$  of order n.  $\mathcal{T}_n$  has  $\binom{n}{2}$  vertices, each representing an edge of the complete graph, and there is an edge between a pair of vertices if and only if the corresponding edges in the complete graph share a vertex. Moreover, let  $T_n$  be the normalized incidence matrix of  $\mathcal{K}_n$ , i.e.,  $(T_n)_{i,j} = \frac{1}{\sqrt{n-1}}$  if vertex i belongs to edge j and 0 otherwise. Let  $G_n$  denote the adjacency matrix of  $\mathcal{T}_n$ .

We recall that  $\mathcal{T}_n$  is a strongly regular graph with parameters (n(n-1)/2, 2(n-2), n-2, 4) and spectrum 2(n-2) with multiplicity 1, n-4 with multiplicity n-1 and -2 with multiplicity n(n-3)/2.

[Lemma 9, proof:]  $$T_r T_r^T = \frac{r-2}{r-1} I_r + \frac{1}{r-1} \mathbf{1}\mathbf{1}^T$$"""

claim = register(Claim(
    id="sk.triangular_graph",
    paper="sk",
    label="Definition 5",
    title="The triangular graph T_r is srg(r(r-1)/2, 2(r-2), r-2, 4) with spectrum "
          "2(r-2), r-4, -2; normalised incidence matrix T_r",
    source="002_521ba04a56249479.txt, Appendix B.1, Definition 5 and the paragraph after it; "
           "T_r T_r^T in the proof of Lemma 9",
    statement=STATEMENT,
    domain={"r": "integer >= 4 (the SRG construction uses r >= 4)"},
))

_t = sympy.Symbol("t", integer=True, nonnegative=True)  # r = t + 4 >= 4
_R = _t + 4


def published_parameters(r):
    """(v, k, λ, μ) as printed: (r(r-1)/2, 2(r-2), r-2, 4)."""
    return (r * (r - 1) / 2 if isinstance(r, sympy.Basic) else r * (r - 1) // 2,
            2 * (r - 2), r - 2, 4)


def published_spectrum(r):
    """[(eigenvalue, multiplicity)] as printed: 2(r-2)^1, (r-4)^{r-1}, (-2)^{r(r-3)/2}."""
    mult = r * (r - 3) / 2 if isinstance(r, sympy.Basic) else r * (r - 3) // 2
    return [(2 * (r - 2), 1), (r - 4, r - 1), (-2, mult)]


def _case_counts(r):
    """Parameters of the line graph of K_r by a case count on representative edges.

    v: pairs of vertices.  k: edges meeting {a, b} in exactly one vertex, 2 choices of the shared
    vertex times r - 2 other endpoints.  λ for {a, b} ~ {a, c}: the edge {b, c} plus the edges
    {a, x}, x not in {a, b, c}.  μ for disjoint {a, b}, {c, d}: {a, c}, {a, d}, {b, c}, {b, d}.
    """
    return (sympy.binomial(r, 2), 2 * (r - 2), 1 + (r - 3), 4)


@claim.check("exact", "SRG parameters by counting on the networkx line graphs",
             method="G_r = networkx.line_graph(networkx.complete_graph(r)); adjacency checked "
                    "to be 'the two edges share a vertex'; k, lambda, mu read off G_r^2 (flint "
                    "integers) for every vertex / adjacent / non-adjacent pair, r = 4..16; also "
                    "the case-count formulas for general r (symbolic) are compared with the "
                    "printed parameters and with the counts.")
def parameters(quick: bool) -> Outcome:
    r_max = 8 if quick else 16
    counted, mismatches, adjacency_rule = {}, [], True
    for r in range(4, r_max + 1):
        G = triangular_graph(r)
        edges = complete_graph_edges(r)
        adjacency_rule &= all(G.has_edge(e, f) == (len(set(e) & set(f)) == 1)
                              for i, e in enumerate(edges) for f in edges[i + 1:])
        got = srg_parameters_by_counting(triangular_adjacency(r))
        counted[str(r)] = list(got)
        if got != published_parameters(r):
            mismatches.append([r, list(got)])
        if tuple(int(sympy.sympify(x).subs(_t, r - 4)) for x in _case_counts(_R)) != got:
            mismatches.append([r, "case count"])
    general = all(is_zero(sympy.expand_func(a) - b)
                  for a, b in zip(_case_counts(_R), published_parameters(_R), strict=True))
    ok = not mismatches and adjacency_rule and general
    return Outcome(passed=ok, result={"counted_parameters": counted, "mismatches": mismatches,
                                      "adjacency_is_share_a_vertex": adjacency_rule,
                                      "case_count_equals_printed_general_r": general},
                   parameters={"r": [4, r_max]},
                   key=("counted_parameters", "mismatches", "adjacency_is_share_a_vertex",
                        "case_count_equals_printed_general_r"))


@claim.check("exact", "exact spectrum: characteristic polynomials r = 4..16",
             method="det(xI - G_r) by python-flint fmpz_mat.charpoly, compared with "
                    "prod (x - e)^m over the printed spectrum; the factorisation over Q is "
                    "recorded.")
def charpolys(quick: bool) -> Outcome:
    r_max = 8 if quick else 16
    factored, mismatches = {}, []
    for r in range(4, r_max + 1):
        G = triangular_adjacency(r)
        cp = charpoly_of(G)
        _, factors = G.charpoly().factor()
        factored[str(r)] = sorted([[-int(p.coeffs()[0]), int(m)] for p, m in factors])
        if cp != charpoly_from_spectrum(published_spectrum(r)):
            mismatches.append(r)
    return Outcome(passed=not mismatches, result={"spectrum_by_factorisation": factored,
                                                  "mismatches": mismatches},
                   parameters={"r": [4, r_max]},
                   key=("spectrum_by_factorisation", "mismatches"))


@claim.check("exact", "spectrum for general r from the SRG eigenvalue formulas",
             method="srg(v, k, lam, mu) has A^2 = kI + lam A + mu (J - I - A); on 1-perp the "
                    "eigenvalues solve x^2 - (lam-mu) x - (k-mu) = 0 and the multiplicities "
                    "follow from tr A = 0 and 1 + m1 + m2 = v (ncverify.models.srg.srg_spectrum, "
                    "SymPy). Evaluated at the printed parameters with r = t + 4 symbolic "
                    "(Delta = (r-2)^2) and compared with the printed spectrum. The identity "
                    "G^2 = kI + lam G + mu(J - I - G) and G 1 = k 1 are checked exactly (flint) "
                    "for r = 4..16.")
def general_r(quick: bool) -> Outcome:
    v, k, lam, mu = published_parameters(_R)
    spec = srg_spectrum(v, k, lam, mu)
    printed = published_spectrum(_R)
    same = [is_zero(a - b) and is_zero(m - n)
            for (a, m), (b, n) in zip(spec, printed, strict=True)]
    r_max = 8 if quick else 16
    identity = {}
    for r in range(4, r_max + 1):
        G = triangular_adjacency(r)
        K = G.nrows()
        kk, ll, mm = 2 * (r - 2), r - 2, 4
        eye = flint.fmpz_mat(K, K, [int(i == j) for i in range(K) for j in range(K)])
        J = flint.fmpz_mat(K, K, [1] * (K * K))
        ones = flint.fmpz_mat(K, 1, [1] * K)
        identity[str(r)] = (G * G == kk * eye + ll * G + mm * (J - eye - G)
                            and G * ones == kk * ones)
    ok = all(same) and all(identity.values())
    return Outcome(passed=ok, result={
        "spectrum_general_r": [[sympy.factor(sympy.sympify(x).subs(_t, sympy.Symbol("r") - 4))
                                for x in (e, m)] for e, m in spec],
        "equals_printed": same,
        "srg_identity_holds": identity},
        parameters={"r": "symbolic (r = t + 4, t >= 0)", "r_identity": [4, r_max]},
        key=("spectrum_general_r", "equals_printed", "srg_identity_holds"))


@claim.check("exact", "normalised incidence matrix T_r (T T^T and T^T T)",
             method="With B the 0/1 vertex-edge incidence matrix of K_r (T_r = B/sqrt(r-1) as "
                    "defined in Definition 5): B B^T = (r-2) I + J and B^T B = 2 I + G_r exactly "
                    "(flint, r = 4..16), i.e. T T^T = (r-2)/(r-1) I + 1/(r-1) 1 1^T (the formula "
                    "in the proof of Lemma 9) and T^T T = (2I + G_r)/(r-1); each row of T_r has "
                    "unit norm. SymPy check of T T^T with the irrational entries for r = 4..7, "
                    "and for general r from the counts (r-1 edges at a vertex, one edge between "
                    "two vertices).")
def incidence(quick: bool) -> Outcome:
    r_max = 8 if quick else 16
    gram, ok_sym = {}, {}
    for r in range(4, r_max + 1):
        B = incidence_matrix(r)
        K = B.ncols()
        eye_r = flint.fmpz_mat(r, r, [int(i == j) for i in range(r) for j in range(r)])
        J_r = flint.fmpz_mat(r, r, [1] * (r * r))
        eye_K = flint.fmpz_mat(K, K, [int(i == j) for i in range(K) for j in range(K)])
        gram[str(r)] = (B * B.transpose() == (r - 2) * eye_r + J_r
                        and B.transpose() * B == 2 * eye_K + triangular_adjacency(r))
    for r in range(4, 6 if quick else 8):
        T = normalized_incidence(r)
        target = sympy.Rational(r - 2, r - 1) * sympy.eye(r) + sympy.ones(r, r) / (r - 1)
        ok_sym[str(r)] = (T * T.T - target).applyfunc(sympy.simplify) == sympy.zeros(r, r) and \
            all(is_zero(sum(x**2 for x in T.row(i)) - 1) for i in range(r))
    rr = _R
    diag = is_zero((rr - 1) * (1 / sympy.sqrt(rr - 1)) ** 2
                          - ((rr - 2) / (rr - 1) + 1 / (rr - 1)))
    off = is_zero(1 * (1 / sympy.sqrt(rr - 1)) ** 2 - 1 / (rr - 1))
    ok = all(gram.values()) and all(ok_sym.values()) and diag and off
    return Outcome(passed=ok, result={"BBt_and_BtB_identities": gram, "sympy_T_Tt": ok_sym,
                                      "general_r_diagonal": diag, "general_r_offdiagonal": off,
                                      "paper_definition_consistent_with_lemma9": ok},
                   parameters={"r": [4, r_max]},
                   key=("BBt_and_BtB_identities", "sympy_T_Tt", "general_r_diagonal",
                        "general_r_offdiagonal"))
