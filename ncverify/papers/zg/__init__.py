"""Zangrando, Deidda, Brugiapaglia, Guglielmi & Tudisco, *Neural Rank Collapse: Weight Decay and
Small Within-Class Variability Yield Low-Rank Bias* (key ``zg``, arXiv:2402.03991).

Source: ``../shared/papers/004_b40eaf01881f9599.txt``, a plain-text rendering in which most
formulas were lost: every statement here is reconstructed from the surviving prose (quoted
verbatim), the proofs of Appendix A and the cited standard results (Galanti et al. 2023, Lemma
3.1; Vershynin 2018, Thm 6.2.1), and each claim is marked ``reconstructed``.

Encoded: Eq. (4) (``zg.eq4``), Proposition 3.1 with remark (5) and the degenerate-data corollary
(``zg.prop3_1``), Proposition 4.1 (``zg.prop4_1``), Theorem 5.1 with Eq. (17) and Remark 5.2
(``zg.thm5_1``, cited from Bah et al. 2022, Thm 32), Theorem 5.3 with Figure 2 (``zg.thm5_3``),
Theorem 5.4 (``zg.thm5_4``), Lemma 3.3 with Theorem 3.4 (``zg.thm3_4``), Figure 1
(``zg.fig1``).  The MNIST experiments of §6.3-6.4 (Figures 3-5) are reproduced on scikit-learn's
digits by ``ncverify reproduce realdata-zg`` (an experiment, not a claim).
"""

# Paper order (registration order is the order of `ncverify list` and `verify zg`).
from ncverify.papers.zg import (  # noqa: F401, I001  (each module registers its claim)
    eq4,
    prop3_1,
    thm3_4,
    prop4_1,
    thm5_1,
    thm5_3,
    thm5_4,
    fig1,
)
