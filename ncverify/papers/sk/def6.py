"""`sk` Definition 6 and Eq. (4): the strongly-regular-graph (SRG) solution of the L-DUFM for
K = C(r, 2), its scales α_l, and the loss ``L_SRG(q)`` the proof of Theorem 3 derives from it.

Checks: Eq. (4) is the stationary point of the loss in α_2..α_{L-1} and gives L_SRG(q)
(SymPy); the last-layer term (Lemma 14 with Lemma 13) on exact matrices, where the printed
L_SRG(q) is wrong for r >= 6 because of Lemma 13's μ_1; the TRUE L-DUFM loss of explicitly
built networks (``ncverify.models.dufm_loss``, mpmath 50 digits, MSE + ReLU) against the closed
form, term by term; where ReLU acts and the ranks before/after the last ReLU; and the conditions
the definition leaves implicit (non-negative multiples, distinct rows of A_L^{(1)}).
"""

from __future__ import annotations

import random

import flint
import mpmath
import sympy

from ncverify.claims import Claim, Discrepancy, Outcome, register
from ncverify.models.backend import ops_for
from ncverify.models.deep_ufm import dufm_features, dufm_loss
from ncverify.models.srg import (
    exact_split_rows,
    incidence_matrix,
    last_layer_pattern,
    last_layer_signs,
    srg_alphas,
    srg_last_gram_spectrum,
    srg_loss,
    srg_network,
    srg_scale_squared,
    srg_sigma,
)
from ncverify.models.symbolic import is_zero

__all__ = ["claim", "published_alphas", "published_srg_loss"]

STATEMENT = r"""**Definition 6** Let  $K = \binom{r}{2}$  for  $r \geq 4$ . Then, a strongly regular graph (SRG) solution of the L-DUFM problem (1) is obtained by setting the matrices  $(H_1, W_1, \ldots, W_L)$  as follows. For all l, the feature matrices  $H_l$ ,  $\tilde{H}_l$  are DNC1 collapsed, i.e.,  $H_l = M_l \otimes \mathbf{1}_n^T$ ,  $\tilde{H}_l = \tilde{M}_l \otimes \mathbf{1}_n^T$ . For  $2 \leq l \leq L-1$ ,  $M_l = \tilde{M}_l$  and  $M_l = A_l T_r$ , where each row of  $A_l$  is a multiple of the standard basis vector of dimension r and the sum of squared multiples corresponding to one basis vector equals the same parameter  $\alpha_l$ . In other words, each row of  $M_l$  is a multiple of a row of  $T_r$  and the sum of squared norms of the rows of  $M_l$  corresponding to a row of  $T_r$  is the same for each row of  $T_r$ . For l = 1,  $W_1$ ,  $M_1$  are any pair of matrices that minimize the objective conditionally on  $M_2$  being defined as above. For  $l \geq 2$ ,  $W_l$  minimizes the objective conditional to the input and output to that layer. Let  $A_L^{(1)}$  be a  $K \times r$  matrix where each row has exactly two (-1) entries and exactly r-2 (+1) entries. Then, normalize the matrix  $A_L^{(1)}T_r$  so that each row is unit norm and multiply from the left with  $A_L^{(2)}$  of dimension  $d_L \times K$ , where each of the rows of  $A_l^{(2)}$  is a multiple of a standard basis vector of dimension K and the total sum of squared multiples corresponding to each basis vector is  $\alpha_L$ . Then,  $\tilde{M}_L$  is obtained via this procedure, and  $M_L = \sigma(\tilde{M}_L)$ . Finally, the parameters  $\{\alpha_l\}_{l=2}^L$  satisfy

$$\alpha_{l} = \frac{\left(\sqrt{n\lambda_{H_{1}}\lambda_{W_{1}}}\left(\sqrt{2} + \sqrt{(r-1)(r-2)}\right)\right)^{l-2}}{r^{l-2}\prod_{i=2}^{l-1}\lambda_{W_{i}}}q^{l}, \qquad 2 \leq l \leq L-1,$$

$$\alpha_{L} = \frac{\left(\sqrt{n\lambda_{H_{1}}\lambda_{W_{1}}}\left(\sqrt{2} + \sqrt{(r-1)(r-2)}\right)\right)^{L-2}4((r-2)(r-3)+2)}{r^{L-1}(r-1)^{2}\prod_{i=2}^{L-1}\lambda_{W_{i}}}q^{L},$$
(4)

and the parameter  $q \ge 0$  is chosen to minimize the objective function in (1).

Figure 2: Strongly regular graph (SRG) solution with L=4, K=10 and r=5. Left: Classmean matrix of the third layer  $M_3$ . The non-zero entries of each row have the same value and their number is r-1, which corresponds to the degree of the complete graph  $\mathcal{K}_r$ . Middle: Class-mean matrix of the fourth layer before ReLU  $\tilde{M}_4$  (middle left), and its Gram matrix  $\tilde{M}_4^T \tilde{M}_4$  (middle right). The SRG construction has very low rank before ReLU:  $\mathrm{rank}(\tilde{M}_4)=r$  and  $\mathrm{rank}(\sigma(\tilde{M}_4))=K$ . Right:  $\tilde{M}_4^T \tilde{M}_4$  for DNC. The DNC solution has rank K in all layers before and after ReLU.

In this construction, columns and rows of class-mean matrices are associated to edges and vertices of the complete graph  $\mathcal{K}_r$ . Each row (corresponding to a vertex) has non-zero entries at columns that correspond to edges containing the vertex. In the final layer, each row of  $\tilde{M}_L$  corresponds to a weighting of vertices in  $\mathcal{K}_r$  s.t. exactly two vertices get -1 weight and the rest +1, and the value at a column is the sum of the values of the vertices of the edge. The class-mean matrices of the SRG solution are illustrated in Figure 2 for L=4 and K=10 (which gives r=5): we display  $M_3$ ,  $\tilde{M}_4$ ,  $\tilde{M}_4^T\tilde{M}_4$  and, for comparison, also  $\tilde{M}_4^T\tilde{M}_4$  of a DNC solution. Very similar solutions to SRG are shown for K=6 and K=15 in Figures 6 and 7 of Appendix C.1.

Let us highlight the properties of the SRG solution, which are crucial to outperform DNC. First, the rank of the intermediate feature and weight matrices is very low, only of order  $\Theta(K^{1/2})$ , since by construction there are only  $r = \Theta(K^{1/2})$  linearly independent rows. This is contrasted with the DNC solution that has rank K in all intermediate feature and weight matrices. The low rank of the SRG solution is due to the specific structure of the triangular graph, which has many eigenvalues equal to -2 that become 0 after adding twice a diagonal matrix. Second, the definition of  $\tilde{M}_L$  ensures that  $M_L = \sigma(\tilde{M}_L)$  has full rank K. This allows the output  $W_L M_L$  to also have full rank and, therefore, fit the identity matrix  $I_K$ , thus reducing the first term in the loss (1). Finally, the highly symmetric nature of the SRG solution balances the feature and weight matrices so as to minimize large entries and, therefore, the Frobenius norms, thus reducing the other terms in the loss (1).

[Proof of Theorem 3:]

We first compute the loss of the SRG solution as in Definition 6 up to only one degree of freedom. Let us go term-by-term. The simplest to evaluate is  $\frac{\lambda_{W_l}}{2} ||W_l||_F^2$  for  $2 \le l \le L - 2$ . Using Lemma 10 (which relies on Lemma 9), we get

$$\frac{\lambda_{W_l}}{2} \left\| W_l \right\|_F^2 = \frac{r \lambda_{W_l}}{2} \frac{\alpha_{l+1}}{\alpha_l}.$$

Similarly, for layer L-1, we use Lemma 11 (again relying on Lemma 9) to compute:

$$\frac{\lambda_{W_{L-1}}}{2} \|W_{L-1}\|_F^2 = \frac{r^2(r-1)^2 \lambda_{W_{L-1}}}{8((r-2)(r-3)+2)} \frac{\alpha_L}{\alpha_{L-1}}.$$

Combining Lemma 12 with Lemma 15 we get:

$$\frac{\lambda_{W_1}}{2} \|W_1\|_F^2 + \frac{\lambda_{H_1}}{2} \|H_1\|_F^2 = \sqrt{\lambda_{W_1} \lambda_{H-1}} \left( \sqrt{2} + \sqrt{(r-1)(r-2)} \right) \alpha_2^{\frac{1}{2}}.$$

Finally, combining Lemma 14 with Lemma 13 we get:

$$\begin{split} \frac{1}{2K} \left\| W_L M_L - I_K \right\|_F^2 + \frac{\lambda_{W_L}}{2} \left\| W_L \right\|_F^2 &= \frac{\lambda_{W_L}}{2} \frac{1}{\frac{(r-2)(5r-19)}{(r-2)(r-3)+2} \alpha_L + \frac{r(r-1)}{2} \lambda_{W_L}} \\ &+ \frac{\lambda_{W_L}}{2} \frac{r-1}{\frac{2(r-3)^2}{(r-2)(r-3)+2} \alpha_L + \frac{r(r-1)}{2} \lambda_{W_L}} \\ &+ \frac{\lambda_{W_L}}{2} \frac{\frac{r(r-3)}{2}}{\frac{2}{(r-2)(r-3)+2} \alpha_L + \frac{r(r-1)}{2} \lambda_{W_L}}. \end{split}$$

The total loss of the SRG solution is just the sum of all these terms, which is expressed in terms of  $\alpha_2, \alpha_3, \ldots, \alpha_L$ . We now verify that the choice in (4) minimizes the loss, having set  $q \equiv \alpha_2^{1/2}$ . To do so, we compute the partial derivatives of  $\mathcal{L}$  w.r.t. the  $\alpha_l$ 's and set them to 0:

$$0 = \frac{\partial \mathcal{L}}{\partial \alpha_2} = -r\lambda_{W_2} \frac{\alpha_3}{\alpha_2^2} + \sqrt{\lambda_{W_1} \lambda_{H-1}} \left( \sqrt{2} + \sqrt{(r-1)(r-2)} \right) \alpha_2^{-\frac{1}{2}} \iff \frac{\alpha_3}{\alpha_2} = \frac{\sqrt{\lambda_{W_1} \lambda_{H-1}} \left( \sqrt{2} + \sqrt{(r-1)(r-2)} \right)}{r\lambda_{W_2}} q.$$

For  $3 \le l \le L - 2$ , we have

$$0 = \frac{\partial \mathcal{L}}{\partial \alpha_{l}} = -\frac{r\lambda_{W_{l}}}{2} \frac{\alpha_{l+1}}{\alpha_{l}^{2}} + \frac{r\lambda_{W_{l-1}}}{2} \frac{1}{\alpha_{l-1}} \iff \frac{\alpha_{l+1}}{\alpha_{l}} = \frac{\lambda_{W_{l-1}}}{\lambda_{W_{l}}} \frac{\alpha_{l}}{\alpha_{l-1}}.$$

And finally, for layer L-1, we have

$$0 = \frac{\partial \mathcal{L}}{\partial \alpha_{L-1}} = -\frac{\lambda_{W_{L-1}}}{2} \frac{r^2(r-1)^2}{4((r-2)(r-3)+2)} \frac{\alpha_L}{\alpha_{L-1}^2} + \frac{r\lambda_{W_{L-2}}}{2} \frac{1}{\alpha_{L-2}} \iff \frac{\alpha_L}{\alpha_{L-1}} = \frac{\lambda_{W_{L-2}}}{\lambda_{W_{L-1}}} \frac{4((r-2)(r-3)+2)}{r(r-1)^2} \frac{\alpha_{L-1}}{\alpha_{L-2}}.$$

Denoting by  $p = \sqrt{\lambda_{W_1} \lambda_{H_1}} \left( \sqrt{2} + \sqrt{(r-1)(r-2)} \right)$ , we can express these fractions as

$$\frac{\alpha_{l+1}}{\alpha_l} = \frac{p}{r\lambda_{W_l}}q, \qquad 2 \le l \le L - 2,$$

$$\frac{\alpha_L}{\alpha_{L-1}} = \frac{4((r-2)(r-3) + 2)p}{r^2(r-1)^2\lambda_{W_{L-1}}}q,$$

which gives the expressions in (4). Finally, plugging this back into the loss function we get a univariate q-dependent function of the following form:

$$\mathcal{L}_{SRG}(q) = \frac{\lambda_{W_L}}{2} \frac{1}{\frac{4(r-2)(5r-19)\left(\sqrt{\lambda_{W_1}\lambda_{H_1}}\left(\sqrt{2}+\sqrt{(r-1)(r-2)}\right)\right)^{L-2}}{r^{L-1}(r-1)^2 \prod_{i=2}^{L-1} \lambda_{W_i}} q^L + \frac{r(r-1)}{2} \lambda_{W_L}} + \frac{\lambda_{W_L}}{2} \frac{r-1}{\frac{8(r-3)^2\left(\sqrt{\lambda_{W_1}\lambda_{H_1}}\left(\sqrt{2}+\sqrt{(r-1)(r-2)}\right)\right)^{L-2}}{r^{L-1}(r-1)^2 \prod_{i=2}^{L-1} \lambda_{W_i}} q^L + \frac{r(r-1)}{2} \lambda_{W_L}} + \frac{\lambda_{W_L}}{2} \frac{\frac{r(r-3)}{2}}{\frac{8\left(\sqrt{\lambda_{W_1}\lambda_{H_1}}\left(\sqrt{2}+\sqrt{(r-1)(r-2)}\right)\right)^{L-2}}{r^{L-1}(r-1)^2 \prod_{i=2}^{L-1} \lambda_{W_i}} q^L + \frac{r(r-1)}{2} \lambda_{W_L}} + \frac{L}{2} \sqrt{\lambda_{W_1}\lambda_{H_1}} \left(\sqrt{2}+\sqrt{(r-1)(r-2)}\right) q.$$"""

claim = register(Claim(
    id="sk.def6",
    paper="sk",
    label="Definition 6",
    title="The SRG solution for K = C(r,2): explicit layers, scales of Eq. (4), true L-DUFM loss "
          "vs L_SRG(q)",
    source="002_521ba04a56249479.txt, Appendix B.1, Definition 6, Eq. (4), Figure 2 and the "
           "text after it; L_SRG(q) in the proof of Theorem 3",
    statement=STATEMENT,
    domain={"r": "integer >= 4 (K = C(r, 2))", "L": "integer >= 3 (Eq. (4)); L = 2 built too",
            "n": "integer >= 1", "lambdas": "> 0 (lam_H1, lam_W1..lam_WL)", "q": ">= 0",
            "d_l": ">= K"},
))


def published_alphas(r, L, lams, n, q):
    """Eq. (4) as printed: [α_2, ..., α_L]."""
    lh, lw = lams[0], lams[1:]
    p = sympy.sqrt(n * lh * lw[0]) * (sympy.sqrt(2) + sympy.sqrt((r - 1) * (r - 2)))
    out = []
    for l in range(2, L):
        out.append(p ** (l - 2) / (r ** (l - 2) * sympy.Mul(*lw[1:l - 1])) * q**l)
    out.append(p ** (L - 2) * 4 * ((r - 2) * (r - 3) + 2)
               / (r ** (L - 1) * (r - 1) ** 2 * sympy.Mul(*lw[1:L - 1])) * q**L)
    return out


def published_srg_loss(q, r, L, lams):
    """L_SRG(q) as printed in the proof of Theorem 3 (n = 1), any number type."""
    lh, lw = lams[0], lams[1:]
    sq = mpmath.sqrt if isinstance(q, mpmath.mpf) else sympy.sqrt
    sig = sq(2) + sq((r - 1) * (r - 2))
    X = (sq(lw[0] * lh) * sig) ** (L - 2) / (r ** (L - 1) * (r - 1) ** 2 * _prod(lw[1:L - 1])) \
        * q**L
    K = r * (r - 1) / 2 if isinstance(r, sympy.Basic) else sympy.Rational(r * (r - 1), 2)
    lL = lw[L - 1]
    return (lL / 2 * 1 / (4 * (r - 2) * (5 * r - 19) * X + K * lL)
            + lL / 2 * (r - 1) / (8 * (r - 3) ** 2 * X + K * lL)
            + lL / 2 * (sympy.Rational(r * (r - 3), 2) if not isinstance(r, sympy.Basic)
                        else r * (r - 3) / 2) / (8 * X + K * lL)
            + sympy.Rational(L, 2) * sq(lw[0] * lh) * sig * q)


def _prod(xs):
    out = 1
    for x in xs:
        out = out * x
    return out


def _alpha_loss(r, L, lam, n, alphas):
    """The loss of Definition 6 as a function of its scales, from the lemmas: H_1, W_1 term
    √(nλ_H1λ_W1) σ_r √α_2 (Lemmas 12, 15), W_l terms ½λ_l r α_{l+1}/α_l (Lemma 10), W_{L-1}
    term ½λ_{L-1} r²(r-1)²/(4((r-2)(r-3)+2)) α_L/α_{L-1} (Lemma 11), last layer
    (λ_L/2) Σ m_i/(κ_i α_L + Kλ_L) (Lemmas 14, 13 corrected)."""
    K = r * (r - 1) / 2
    a = alphas  # a[0] = α_2, ..., a[-1] = α_L
    total = sympy.sqrt(n * lam[0] * lam[1]) * srg_sigma(r) * sympy.sqrt(a[0])
    for l in range(2, L - 1):
        total += lam[l] / 2 * r * a[l - 1] / a[l - 2]
    total += lam[L - 1] / 2 * r**2 * (r - 1) ** 2 / (4 * ((r - 2) * (r - 3) + 2)) * a[-1] / a[-2]
    total += lam[L] / 2 * sum(m / (k * a[-1] + K * lam[L]) for k, m in srg_last_gram_spectrum(r))
    return total


@claim.check("exact", "Eq. (4) is the stationary point in alpha_2..alpha_{L-1} and gives L_SRG(q)",
             method="SymPy with r, n, q and every lambda a positive symbol, L = 3..6 (quick 3..4). "
                    "The loss as a function of alpha_2..alpha_L is assembled from the lemma values "
                    "(checked in sk.lemma10..15); the printed Eq. (4) is compared with "
                    "ncverify.models.srg.srg_alphas; each partial derivative in alpha_2..alpha_{L-1} "
                    "is evaluated at Eq. (4) (alpha_2 = q^2) and simplifies to 0; the loss there "
                    "equals srg_loss(q) (last layer + (L/2) sqrt(n lam_H1 lam_W1) sigma_r q).")
def stationarity(quick: bool) -> Outcome:
    r, n, q = sympy.symbols("r n q", positive=True)
    res, ok = {}, True
    for L in range(3, (4 if quick else 6) + 1):
        lam = list(sympy.symbols(f"lam_H lam_1:{L + 1}", positive=True))
        alphas = published_alphas(r, L, lam, n, q)
        same = all(is_zero(x - y)
                   for x, y in zip(alphas, srg_alphas(r, L, lam, n, q), strict=True))
        syms = list(sympy.symbols(f"a2:{L + 1}", positive=True))
        F = _alpha_loss(r, L, lam, n, syms)
        sub = dict(zip(syms, alphas, strict=True))
        grads = [is_zero(sympy.diff(F, syms[i]).subs(sub)) for i in range(L - 2)]
        at = F.subs(sub)
        loss_ok = is_zero(at - srg_loss(q, r, L, lam, n))
        res[str(L)] = {"printed_eq4_equals_model": same, "gradients_vanish": grads,
                       "loss_equals_L_SRG": loss_ok}
        ok &= same and all(grads) and loss_ok
    return Outcome(passed=ok, result=res, parameters={"L": [3, 4 if quick else 6],
                                                      "symbols": "r, n, q, lambdas > 0"},
                   key=tuple(res))


def _relu_q(M: flint.fmpq_mat) -> flint.fmpq_mat:
    return flint.fmpq_mat(M.nrows(), M.ncols(), [x if x > 0 else 0 for x in M.entries()])


@claim.check("exact", "last-layer term (Lemma 14 with Lemma 13) on exact matrices, r = 4..10",
             method="M_L = sigma(sqrt(alpha_L) P / s) with P the integer pattern and A_L^(2) = "
                    "sqrt(alpha_L) I_K, so M_L^T M_L = (alpha_L/s^2) sigma(P)^T sigma(P) is "
                    "rational for rational alpha_L. The minimum of Lemma 14, (lam/2) "
                    "tr((M_L^T M_L + K lam I)^{-1}), is computed exactly (flint) for rational "
                    "alpha_L, lam and compared with (i) the closed form of srg_loss (corrected "
                    "mu_1) and (ii) the three terms printed in the proof of Theorem 3 "
                    "('combining Lemma 14 with Lemma 13'), which use the printed mu_1.")
def last_layer(quick: bool) -> Outcome:
    rng = random.Random(61)
    cases, model_bad, printed_bad = [], [], []
    for r in range(4, (7 if quick else 10) + 1):
        P = _relu_q(flint.fmpq_mat(last_layer_pattern(r)))
        K = P.nrows()
        s2 = srg_scale_squared(r)
        s2 = flint.fmpq(int(s2.p), int(s2.q))
        eye = flint.fmpq_mat(K, K, [int(i == j) for i in range(K) for j in range(K)])
        for _ in range(2):
            aL = flint.fmpq(rng.randint(1, 50), rng.randint(1, 20))
            lam = flint.fmpq(1, rng.randint(10, 1000))
            X = (aL / s2 * (P.transpose() * P) + K * lam * eye).inv()
            exact = lam / 2 * sum((X[i, i] for i in range(K)), flint.fmpq(0))
            exact = sympy.Rational(int(exact.p), int(exact.q))
            a, lm = sympy.Rational(int(aL.p), int(aL.q)), sympy.Rational(int(lam.p), int(lam.q))
            model = lm / 2 * sum(m / (k * a + K * lm) for k, m in srg_last_gram_spectrum(r))
            d = (r - 2) * (r - 3) + 2
            printed = lm / 2 * (1 / (sympy.Rational((r - 2) * (5 * r - 19), d) * a + K * lm)
                                + (r - 1) / (sympy.Rational(2 * (r - 3) ** 2, d) * a + K * lm)
                                + sympy.Rational(r * (r - 3), 2) / (sympy.Rational(2, d) * a
                                                                     + K * lm))
            cases.append({"r": r, "alpha_L": a, "lam": lm, "exact": exact,
                          "printed_minus_exact": printed - exact})
            if model != exact:
                model_bad.append(r)
            if printed != exact:
                printed_bad.append(r)
    disc = []
    wrong = sorted(set(printed_bad))
    if wrong:
        ex = next(c for c in cases if c["r"] == wrong[0])
        disc.append(Discrepancy(
            kind="false-on-part-of-domain",
            published="proof of Theorem 3: (1/2K)||W_L M_L - I_K||^2 + (lam_WL/2)||W_L||^2 = "
                      "(lam_WL/2)[1/((r-2)(5r-19)/((r-2)(r-3)+2) alpha_L + r(r-1)/2 lam_WL) + ...] "
                      "and hence the first term of L_SRG(q) with coefficient "
                      "4(r-2)(5r-19)(...)^{L-2}/(r^{L-1}(r-1)^2 prod lam_Wi) q^L",
            computed="the first term has (r-2)^2(r-3)^2/(2((r-2)(r-3)+2)) alpha_L, i.e. "
                     "coefficient 2(r-2)^2(r-3)^2(...)^{L-2}/(r^{L-1}(r-1)^2 prod lam_Wi) q^L in "
                     "L_SRG(q); the printed expression is the true loss only for r = 4, 5 and an "
                     "upper bound on it for r >= 6 (so the proof's conclusions survive). "
                     "Responsible step: mu_1 of Lemma 13",
            evidence=f"exact (lam/2) tr((M_L^T M_L + K lam I)^-1) for r = 4..{cases[-1]['r']}; "
                     f"printed differs for r in {wrong}; e.g. r = {ex['r']}, alpha_L = "
                     f"{ex['alpha_L']}, lam = {ex['lam']}: printed - exact = "
                     f"{ex['printed_minus_exact']} > 0",
            location="002_521ba04a56249479.txt, proof of Theorem 3 ('combining Lemma 14 with "
                     "Lemma 13' and the displayed L_SRG(q))"))
    return Outcome(passed=not model_bad, result={
        "cases": cases, "model_mismatches": model_bad, "printed_wrong_for_r": wrong},
        parameters={"r": [4, 7 if quick else 10], "seed": 61},
        key=("model_mismatches", "printed_wrong_for_r"), discrepancies=disc)


def _mp_entries(M):
    return [M[i, j] for i in range(M.rows) for j in range(M.cols)]


def _fro2(M):
    return mpmath.fsum(x * x for x in _mp_entries(M))


@claim.check("highprec", "explicit networks: true L-DUFM loss = L_SRG(q), term by term (50 digits)",
             method="ncverify.models.srg.srg_network builds H_1, W_1..W_L (widths K) at 50 digits: "
                    "M_l = A_l T_r (A_l = sqrt(alpha_l) I_r, or non-negative split rows), "
                    "M~_L = sqrt(alpha_L) P/s, W_l = minimum-norm M~_{l+1} M_l^+, W_L the ridge "
                    "solution, H_1, W_1 the balanced factorisation. The true loss "
                    "ncverify.models.dufm_loss(..., loss='mse', activation='relu') is compared with "
                    "srg_loss(q) (max |difference| < 1e-40) and, for L >= 3 and n = 1, with the "
                    "printed L_SRG(q); each term is compared with its lemma value; feasibility "
                    "residuals (W_l M_l = M~_{l+1}, W_1 H_1 = M_2 (x) 1^T) and where ReLU acts "
                    "(pre-activations of layers 2..L-1 >= 0, of layer L with negative entries) "
                    "are read off the features; lambdas random in [1e-4, 1e-1] (seeded), "
                    "q = the optimal scale and a random one.")
def explicit(quick: bool) -> Outcome:
    from ncverify.models.srg import minimise_scale_loss, srg_last_nuclear_norm, srg_scale_loss

    rng = random.Random(62)
    if quick:
        cases = [(4, 3, 1, False), (5, 4, 1, True), (5, 2, 2, False)]
    else:
        cases = [(4, 2, 1, False), (4, 3, 1, False), (4, 5, 1, False), (5, 2, 1, False),
                 (5, 3, 1, True), (5, 4, 1, True), (6, 3, 1, False), (6, 4, 1, True),
                 (6, 5, 1, False), (7, 3, 1, True), (7, 4, 1, False), (5, 3, 2, True),
                 (6, 4, 3, False), (4, 5, 2, False)]
    rows, worst, worst_term, worst_res, printed_gap = [], mpmath.mpf(0), mpmath.mpf(0), \
        mpmath.mpf(0), []
    relu_ok = True
    with mpmath.workdps(50):
        for r, L, n, split in cases:
            K = r * (r - 1) // 2
            lam = [mpmath.mpf(10) ** -rng.uniform(2, 4) for _ in range(L + 1)]
            opt = minimise_scale_loss(srg_scale_loss(r, L, lam, n), dps=50)
            q_rand = mpmath.mpf(rng.uniform(0.2, 3)) * (opt.x if not opt.at_zero else 1)
            for q in ((opt.x,) if not opt.at_zero and len(rows) % 2 == 0 else (q_rand,)):
                sp = [rng.choice([mpmath.mpf(1) / 3, mpmath.mpf(1) / 2, mpmath.mpf(4) / 5])
                      for _ in range(r)] if split else None
                H1, Ws = srg_network(r, L, lam, n, q, split=sp)
                true = dufm_loss(H1, Ws, lam, K, n, loss="mse", activation="relu")
                cf = srg_loss(q, r, L, lam, n)
                worst = max(worst, abs(true - cf))
                row = {"r": r, "L": L, "n": n, "split_rows": bool(split),
                       "q": mpmath.nstr(q, 20), "true_loss": mpmath.nstr(true, 30),
                       "closed_form_minus_true": mpmath.nstr(cf - true, 5)}
                if L >= 3 and n == 1:
                    pr = published_srg_loss(q, r, L, lam)
                    row["printed_minus_true"] = mpmath.nstr(pr - true, 10)
                    if abs(pr - true) > mpmath.mpf(10) ** -40 and [r, L] not in printed_gap:
                        printed_gap.append([r, L])
                # term by term
                al = [mpmath.mpf(a) for a in srg_alphas(r, L, lam, n, q)]
                root = mpmath.sqrt(n * lam[0] * lam[1])
                ops = ops_for(mpmath.mpf(1))
                nuc = srg_last_nuclear_norm(r, ops) if L == 2 else srg_sigma(r, ops)
                terms = [(lam[0] / 2 * _fro2(H1) + lam[1] / 2 * _fro2(Ws[0]),
                          root * nuc * mpmath.sqrt(al[0]))]
                for l in range(2, L - 1):
                    terms.append((lam[l] / 2 * _fro2(Ws[l - 1]), lam[l] / 2 * r * al[l - 1]
                                  / al[l - 2]))
                if L >= 3:
                    terms.append((lam[L - 1] / 2 * _fro2(Ws[L - 2]),
                                  lam[L - 1] / 2 * r**2 * (r - 1) ** 2
                                  / (4 * ((r - 2) * (r - 3) + 2)) * al[-1] / al[-2]))
                pre, post = dufm_features(H1, Ws, "relu")
                Z = Ws[-1] * post[-1]
                fit = mpmath.fsum((Z[i, j] - (1 if i == j // n else 0)) ** 2
                                  for i in range(K) for j in range(K * n)) / (2 * K * n)
                terms.append((fit + lam[L] / 2 * _fro2(Ws[-1]), srg_loss(q, r, L, lam, n)
                               - root * nuc * q * (mpmath.mpf(L) / 2 if L >= 3 else 1)))
                worst_term = max([worst_term] + [abs(a - b) for a, b in terms])
                # ReLU: pre-activations of layers 2..L-1 non-negative, layer L not
                for l in range(1, L - 1):
                    relu_ok &= min(_mp_entries(pre[l])) > -mpmath.mpf(10) ** -40
                relu_ok &= min(_mp_entries(pre[L - 1])) < 0
                # feasibility of the minimum-norm layers: W_l M_l = M~_{l+1} via the features
                worst_res = max(worst_res, mpmath.mnorm(pre[1] - Ws[0] * H1, "f"))
                rows.append(row)
        tol = mpmath.mpf(10) ** -40
        ok = worst < tol and worst_term < tol and relu_ok
        res = {"cases": rows, "max_abs_true_minus_closed_form": mpmath.nstr(worst, 5),
               "max_abs_term_difference": mpmath.nstr(worst_term, 5),
               "relu_acts_only_on_last_layer": relu_ok,
               "printed_L_SRG_differs_at_r_L": printed_gap,
               "networks": len(rows)}
    return Outcome(passed=ok, result=res, parameters={"dps": 50, "tolerance": "1e-40",
                                                      "seed": 62, "widths": "d_l = K"},
                   key=("relu_acts_only_on_last_layer", "networks"))


def _rank(M) -> int:
    return flint.fmpq_mat(M).rank()


@claim.check("exact", "where ReLU acts and the ranks before/after the last ReLU (r = 4..12)",
             method="Exact integer/rational matrices: intermediate M_l = A_l B/sqrt(r-1) with "
                    "random non-negative split rows has only entries >= 0 (ReLU is the identity, "
                    "M_l = M~_l) and rank r; the minimum-norm W_l between two such layers has "
                    "rank r (r <= 8); the last layer's pre-activation P (times sqrt(alpha_L)/s) "
                    "has negative entries, rank(P) and rank(sigma(P)) are computed (flint). "
                    "Figure 2's caption (r = 5): rank(M~_4) = r, rank(sigma(M~_4)) = K.")
def ranks(quick: bool) -> Outcome:
    from ncverify.models.minnorm import min_norm_rows

    rng = random.Random(63)
    table = {}
    ok = True
    for r in range(4, (8 if quick else 12) + 1):
        B = flint.fmpq_mat(incidence_matrix(r))
        K = B.ncols()
        A = exact_split_rows(r, K if K >= 2 * r else 2 * r, flint.fmpq(rng.randint(1, 4)),
                             seed=rng.randrange(10**6))
        M = A * B
        P = flint.fmpq_mat(last_layer_pattern(r))
        row = {"middle_nonnegative": all(x >= 0 for x in M.entries()),
               "middle_rank": M.rank(), "last_pre_relu_has_negative": any(
                   x < 0 for x in P.entries()),
               "last_rank_before_relu": P.rank(), "last_rank_after_relu": _relu_q(P).rank()}
        if r <= 8:
            A2 = exact_split_rows(r, 2 * r + 1, flint.fmpq(rng.randint(1, 4)),
                                  seed=rng.randrange(10**6))
            row["middle_weight_rank"] = min_norm_rows(M, A2 * B).rank()
        table[str(r)] = row
        ok &= (row["middle_nonnegative"] and row["middle_rank"] == r
               and row["last_pre_relu_has_negative"] and row["last_rank_after_relu"] == K
               and row.get("middle_weight_rank", r) == r
               and row["last_rank_before_relu"] == (r if r >= 5 else r - 1))
    fig2 = table["5"]["last_rank_before_relu"] == 5 and table["5"]["last_rank_after_relu"] == 10
    return Outcome(passed=ok and fig2, result={
        "per_r": table, "figure2_caption_r5": fig2,
        "note": "rank before the last ReLU is r for r >= 5 but r - 1 = 3 for r = 4 (the "
                "all-ones direction of the pattern J - 2I - G_r has eigenvalue (r-1)(r-4)/2)"},
        parameters={"r": [4, 8 if quick else 12], "seed": 63},
        key=("per_r", "figure2_caption_r5"))


@claim.check("exact", "conditions the definition leaves implicit (r = 5 counterexamples)",
             method="Definition 6 allows any multiples in the rows of A_l and A_L^(2) and does not "
                    "ask the K rows of A_L^(1) to be distinct. Exact r = 5 instances: (i) one "
                    "negative multiple in A_l makes M_l = A_l T_r have negative entries, so "
                    "sigma(M~_l) != M~_l; (ii) A_L^(1) with a repeated row gives "
                    "rank(sigma(M~_L)) < K; (iii) one negative multiple in A_L^(2) changes "
                    "sigma(M~_L) so that M_L^T M_L is no longer alpha_L times the Gram matrix of "
                    "Lemma 13. Admissible (non-negative, distinct) choices are checked to avoid "
                    "all three.")
def implicit_conditions(quick: bool) -> Outcome:
    r = 5
    B = flint.fmpq_mat(incidence_matrix(r))
    K = B.ncols()
    A_neg = exact_split_rows(r, 2 * r, flint.fmpq(1), seed=5, sign=-1)
    M = A_neg * B
    neg_middle = any(x < 0 for x in M.entries()) and _relu_q(M) != M
    S = flint.fmpq_mat(last_layer_signs(r))
    S_rep = flint.fmpq_mat(S)
    for j in range(r):
        S_rep[1, j] = S[0, j]
    P_rep = S_rep * B * flint.fmpq(1, 2)
    rank_rep = _relu_q(P_rep).rank()
    P = flint.fmpq_mat(last_layer_pattern(r))
    A2_neg = exact_split_rows(K, 2 * K, flint.fmpq(1), seed=7, sign=-1)
    A2 = exact_split_rows(K, 2 * K, flint.fmpq(1), seed=7)
    Pp = _relu_q(P)
    X = _relu_q(A2_neg * P)
    gram_changed = X.transpose() * X != Pp.transpose() * Pp
    good = (_relu_q(A2 * P).transpose() * _relu_q(A2 * P) == Pp.transpose() * Pp
            and _relu_q(P).rank() == K
            and all(x >= 0 for x in (exact_split_rows(r, 2 * r, flint.fmpq(1), seed=5)
                                     * B).entries()))
    broken = [name for name, flag in (("negative multiple in A_l", neg_middle),
                                      ("repeated row of A_L^(1)", rank_rep < K),
                                      ("negative multiple in A_L^(2)", gram_changed)) if flag]
    disc = []
    if broken:
        disc.append(Discrepancy(
            kind="false-on-part-of-domain",
            published="Definition 6: 'each row of A_l is a multiple of the standard basis "
                      "vector ...', 'A_L^(1) a K x r matrix where each row has exactly two (-1) "
                      "entries', 'each of the rows of A_L^(2) is a multiple of a standard basis "
                      "vector'; with the consequences M_l = M~_l (Lemma 12), rank(sigma(M~_L)) = K "
                      "(text after Figure 2) and the spectrum of Lemma 13",
            computed="these consequences need all multiples >= 0 (as the proofs of Lemmas 12 and "
                     "13 assume: 'non-negative equal entries sqrt(alpha_ij)/...') and the K rows "
                     "of A_L^(1) to be the K distinct +-1 vectors with two -1 entries (one per "
                     "pair of vertices); otherwise they fail: " + "; ".join(broken),
            evidence=f"exact r = 5 instances: negative multiple in A_l -> M_l has negative "
                     f"entries ({neg_middle}); repeated row of A_L^(1) -> rank(sigma(M~_L)) = "
                     f"{rank_rep} < K = {K}; negative multiple in A_L^(2) -> M_L^T M_L changes "
                     f"({gram_changed})",
            location="002_521ba04a56249479.txt, Appendix B.1, Definition 6"))
    return Outcome(passed=good, result={"negative_multiple_in_A_l_breaks_M_l_eq_Mtilde_l":
                                        neg_middle,
                                        "rank_after_relu_with_repeated_row": rank_rep,
                                        "negative_multiple_in_A_L2_changes_gram": gram_changed,
                                        "admissible_choices_fine": good, "K": K},
                   parameters={"r": r, "seeds": [5, 7]},
                   key=("negative_multiple_in_A_l_breaks_M_l_eq_Mtilde_l",
                        "rank_after_relu_with_repeated_row",
                        "negative_multiple_in_A_L2_changes_gram", "admissible_choices_fine"),
                   discrepancies=disc)
