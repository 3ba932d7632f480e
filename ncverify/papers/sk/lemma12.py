"""`sk` Lemma 12 (App. B.1): for 2 <= l <= L-1 the SRG class means satisfy M_l = M̃_l and
``M_lᵀM_l`` has eigenvalues 2α_l (once), (r-2)/(r-1)·α_l (r-1 times) and 0 (r(r-3)/2 times).

Checks: ``M_lᵀM_l = α_l(2I + G_r)/(r-1)`` from the counts and the spectrum for general r
(SymPy, via the spectrum of the triangular graph); exact matrices with random admissible A_l for
r = 4..12 (identity, characteristic polynomial, non-negativity so that ReLU is the identity).
The proof's two slips (the eigenvalue -2 of G_r printed as r-4, and α_L for α_l) are recorded.
"""

from __future__ import annotations

import random
from fractions import Fraction

import flint
import sympy

from ncverify.claims import Claim, Discrepancy, Outcome, register
from ncverify.exact import charpoly_from_spectrum, charpoly_of
from ncverify.models.srg import (
    exact_split_rows,
    incidence_matrix,
    srg_middle_gram_spectrum,
    srg_spectrum,
    triangular_adjacency,
)
from ncverify.models.symbolic import is_zero

__all__ = ["claim", "published_spectrum"]

STATEMENT = r"""**Lemma 12** For  $2 \leq l \leq L-1$ , consider  $M_l$ ,  $\tilde{M}_l$  as in Definition 6 of the SRG solution. Then,  $M_l = \tilde{M}_l$  and the eigenvalues of  $M_l^T M_l$  are:

$$\begin{split} &\mu_1=2\alpha_l \quad \text{with multiplicity} \quad 1,\\ &\mu_2=\frac{r-2}{r-1}\alpha_l \quad \text{with multiplicity} \quad r-1,\\ &\mu_3=0 \quad \text{with multiplicity} \quad \frac{r(r-3)}{2}. \end{split}$$

**Proof** From the definition, it readily follows that  $M_l = \tilde{M}_l$ , so let us compute  $M_l^T M_l$ . Looking at any row of  $M_l$ , we see that it has non-negative equal entries of value  $\sqrt{\alpha_{ij}}/\sqrt{r-1}$ , where  $\sum_i \alpha_{ij} =$  $\alpha_l$  on all the r-1 edges of  $\mathcal{K}_r$  that contain the vertex corresponding to that row. Therefore, by definition of  $\alpha_l$ , the sum of squares of all entries corresponding to one row type within any column is  $\alpha_l/(r-1)$ . Each edge (and, thus, column) contains exactly two vertices, thus the diagonal elements of  $M_l^T M_l$ , which are the  $l_2$  norms squared of the columns of  $M_l$ , are simply equal to  $\frac{2\alpha_l}{r-1}$ . There are two possible off-diagonal values. One is for the pairs of columns that correspond to edges that share a vertex and one is for those pairs that do not share a vertex. The pairs of columns whose edges do not share a vertex do not have any entries which would both be jointly positive, because either a vertex does not belong to one edge or to the other. Therefore, the value of off-diagonal entries corresponding to such pairs is simply 0. On the other hand, there is exactly one vertex that has nonzero values for both edges corresponding to columns whose edges do share a vertex – it is the shared vertex. Therefore the value of off-diagonal entries of this type is  $\frac{\alpha_L}{r-1}$ . Crucially, the structure of the off-diagonal entries is fully determined by the graph  $\mathcal{T}_r$ , because two edges in  $\mathcal{K}_r$  share a vertex if and only if they are connected in the graph  $\mathcal{T}_r$ . Therefore,  $M_l^T M_l$  can be written as a weighted sum of  $I_K$  and the adjacency matrix  $G_r$  of  $\mathcal{T}_r$ , where the weight of  $I_K$  simply corresponds to the size of the diagonal term and the weight of  $G_r$  to the positive off-diagonal term. In conclusion, we get

$$M_l^T M_l = \frac{2\alpha_l}{r-1} I_K + \frac{\alpha_l}{r-1} G_r.$$

As  $\mathcal{T}_r$  is a strongly regular graph with parameters (r(r-1)/2, 2(r-2), r-2, 4),  $G_r$  has a single eigenvalue equal to 2(r-2), r-1 eigenvalues equal to r-4 and r(r-3)/2 eigenvalues equal to r-4, which concludes the proof."""

claim = register(Claim(
    id="sk.lemma12",
    paper="sk",
    label="Lemma 12",
    title="Intermediate SRG layers: M_l = M~_l and the spectrum {2 alpha_l, (r-2)/(r-1) alpha_l, 0} "
          "of M_l^T M_l",
    source="002_521ba04a56249479.txt, Appendix B.1, Lemma 12 and its proof",
    statement=STATEMENT,
    domain={"r": "integer >= 4", "l": "2 <= l <= L-1", "alpha_l": "> 0"},
))

_t = sympy.Symbol("t", integer=True, nonnegative=True)
_R = _t + 4  # r >= 4


def published_spectrum(r, alpha=1):
    """[(μ, multiplicity)] as printed in Lemma 12."""
    r = sympy.sympify(r)
    return [(2 * alpha, 1), ((r - 2) / (r - 1) * alpha, r - 1), (0 * alpha, r * (r - 3) / 2)]


@claim.check("exact", "M_l^T M_l = alpha_l (2I + G_r)/(r-1) and its spectrum for general r",
             method="Entries of T_r^T T_r by counts: a column (edge) has two entries 1/sqrt(r-1), "
                    "so the diagonal is 2/(r-1); two edges sharing a vertex overlap in one entry: "
                    "1/(r-1); disjoint edges: 0. With A_l^T A_l = alpha_l I (each vertex's squared "
                    "multiples sum to alpha_l), M_l^T M_l = alpha_l T^T T = alpha_l (2I + G_r)/(r-1), "
                    "the proof's decomposition. Its eigenvalues are alpha_l (2 + g)/(r-1) over "
                    "the spectrum g of G_r from the SRG formulas (r = t + 4 symbolic); compared "
                    "with the printed mu_1..mu_3 and multiplicities (ncverify.models.srg."
                    "srg_middle_gram_spectrum must agree too).")
def general_r(quick: bool) -> Outcome:
    r, a = _R, sympy.Symbol("alpha_l", positive=True)
    diag, adj, disj = 2 / (r - 1), 1 / (r - 1), 0
    decomposition = (is_zero(a * diag - 2 * a / (r - 1))
                     and is_zero(a * adj - a / (r - 1)) and disj == 0)
    g_spec = srg_spectrum(r * (r - 1) / 2, 2 * (r - 2), r - 2, 4)
    computed = [(sympy.simplify(a * (2 + g) / (r - 1)), sympy.simplify(m)) for g, m in g_spec]
    printed = published_spectrum(r, a)
    model = [(sympy.simplify(e * a), m) for e, m in srg_middle_gram_spectrum(r)]
    same = [is_zero(x - y) and is_zero(m - n)
            for (x, m), (y, n) in zip(computed, printed, strict=True)]
    same_model = all(is_zero(x - y) and is_zero(m - n)
                     for (x, m), (y, n) in zip(computed, model, strict=True))
    disc = []
    tau, m_tau = g_spec[2]
    if sympy.simplify(tau - (r - 4)) != 0:
        disc.append(Discrepancy(
            kind="typo",
            published="proof of Lemma 12: 'G_r has a single eigenvalue equal to 2(r-2), r-1 "
                      "eigenvalues equal to r-4 and r(r-3)/2 eigenvalues equal to r-4'",
            computed=f"the r(r-3)/2 remaining eigenvalues of G_r equal {tau} (as printed "
                     "after Definition 5 and in the proof of Lemma 13); with r-4 the third "
                     "eigenvalue of M_l^T M_l would be alpha_l (r-2)/(r-1), not 0",
            evidence=f"SRG eigenvalue formulas at (r(r-1)/2, 2(r-2), r-2, 4): eigenvalue {tau} "
                     f"with multiplicity {sympy.factor(m_tau.subs(_t, sympy.Symbol('r') - 4))}; "
                     "charpolys of G_r for r = 4..16 in "
                     "sk.triangular_graph",
            location="002_521ba04a56249479.txt, Appendix B.1, proof of Lemma 12, last sentence"))
    ok = decomposition and all(same) and same_model
    return Outcome(passed=ok, result={"decomposition_2I_plus_G": decomposition,
                                      "computed_spectrum": [
                                          [sympy.factor(x.subs(_t, sympy.Symbol("r") - 4)),
                                           sympy.factor(m.subs(_t, sympy.Symbol("r") - 4))]
                                          for x, m in computed],
                                      "equals_printed": same, "model_agrees": same_model},
                   parameters={"r": "symbolic (r = t + 4)"},
                   key=("decomposition_2I_plus_G", "computed_spectrum", "equals_printed"),
                   discrepancies=disc)


@claim.check("exact", "exact matrices for random admissible A_l (r = 4..12)",
             method="M_l = A_l T_r = A_l B/sqrt(r-1) with random non-negative split rows "
                    "(ncverify.models.srg.exact_split_rows, alpha_l = c^2 rational): "
                    "M_l^T M_l = B^T A^T A B/(r-1) compared exactly with alpha_l (2I + G_r)/(r-1) "
                    "(flint), its characteristic polynomial with the printed spectrum, and all "
                    "entries of M_l are >= 0 so sigma(M_l) = M_l (M_l = M~_l). The off-diagonal "
                    "entry for two edges sharing a vertex is read off and compared with "
                    "alpha_l/(r-1) (the proof prints alpha_L/(r-1)).")
def matrices(quick: bool) -> Outcome:
    rng = random.Random(12)
    bad, offdiag = [], {}
    count = 0
    for r in range(4, (8 if quick else 12) + 1):
        B = flint.fmpq_mat(incidence_matrix(r))
        G = flint.fmpq_mat(triangular_adjacency(r))
        K = B.ncols()
        eye = flint.fmpq_mat(K, K, [int(i == j) for i in range(K) for j in range(K)])
        for _ in range(2):
            c = flint.fmpq(rng.randint(1, 7), rng.randint(1, 5))
            alpha = c * c
            A = exact_split_rows(r, 2 * r + rng.randint(0, 2), c, seed=rng.randrange(10**6))
            AB = A * B
            gram = AB.transpose() * AB * flint.fmpq(1, r - 1)
            nonneg = all(AB[i, j] >= 0 for i in range(AB.nrows()) for j in range(K))
            ident = gram == alpha * flint.fmpq(1, r - 1) * (2 * eye + G)
            spec = [(Fraction(int(x.p), int(x.q)), int(m)) for x, m in published_spectrum(
                r, sympy.Rational(int(alpha.p), int(alpha.q)))]
            cp_ok = charpoly_of(gram) == charpoly_from_spectrum(spec)
            count += 1
            if not (nonneg and ident and cp_ok):
                bad.append({"r": r, "nonneg": nonneg, "identity": ident, "charpoly": cp_ok})
            offdiag[str(r)] = [gram[0, 1] / alpha, flint.fmpq(1, r - 1)]  # edges (0,1), (0,2)
    disc = []
    if all(x == y for x, y in offdiag.values()):
        disc.append(Discrepancy(
            kind="typo",
            published="proof of Lemma 12: 'the value of off-diagonal entries of this type is "
                      "alpha_L/(r-1)'",
            computed="alpha_l/(r-1): the entry of M_l^T M_l for two edges sharing a vertex "
                     "involves only layer l's scale alpha_l (the decomposition printed next, "
                     "(2 alpha_l/(r-1)) I + (alpha_l/(r-1)) G_r, has it right)",
            evidence=f"exact M_l^T M_l / alpha_l at the edges (0,1), (0,2): {offdiag}",
            location="002_521ba04a56249479.txt, Appendix B.1, proof of Lemma 12"))
    return Outcome(passed=not bad, result={"matrices_checked": count, "failures": bad,
                                           "offdiag_over_alpha_vs_1_over_r_minus_1": offdiag},
                   parameters={"r": [4, 8 if quick else 12], "seed": 12},
                   key=("matrices_checked", "failures"), discrepancies=disc)
