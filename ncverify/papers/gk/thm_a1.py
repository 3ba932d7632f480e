"""`gk` Theorem A1 (App. A.1, proof in C.1): Theorem 2 with imbalanced classes — a lower-rank
(K; n_1..n_K) diagonally superior M̃ beats a higher-rank X for all L beyond an explicit L_0."""

from __future__ import annotations

from fractions import Fraction

import flint
import mpmath
import sympy

from ncverify.claims import Claim, Outcome, register
from ncverify.models.constructions import block_lowrank_class_means, unit_vector_gram
from ncverify.models.etf import simplex_etf
from ncverify.models.imbalance import (
    is_generalised_diagonally_superior,
    repeat_columns,
    step_sizes,
)
from ncverify.models.scales import (
    margin_scale_factor,
    margin_scale_factor_valid,
    margins_of,
    optimal_scale,
)
from ncverify.rigorous.balls import arb_precision
from ncverify.rigorous.thresholds import depth_threshold, singular_values_ball

__all__ = ["claim", "imbalanced_pairs"]

STATEMENT = r"""**Theorem A1:** Let  $X \in \mathbb{R}^{K \times N}$  be a matrix of rank  $p$ , and let  $\tilde{M} \in \mathbb{R}^{K \times N}$  be a  $(K; n_1, \dots, n_K)$  diagonally superior matrix of rank  $q < p$ . Consider the deep linear UFM with  $K$  classes of sizes  $n_1, \dots, n_K$ , and suppose  $d \geq K$ . Construct solutions using the structure induced by an optimal point so that the loss can be written entirely in terms of the output matrix  $Z$ . Let  $\mathcal{L}_L(Z)$  denote this loss, with its dependence on  $L$  made explicit. Then there exists  $L_0 \in \mathbb{N}$  such that for all  $L > L_0$ , we have: [$\min_{\alpha \geq 0} \mathcal{L}_L(\alpha X) \geq \min_{\beta \geq 0} \mathcal{L}_L(\beta \tilde{M})$, with equality only at $\alpha = \beta = 0$.]"""

claim = register(Claim(
    id="gk.thmA1",
    paper="gk",
    label="Theorem A1",
    title="Imbalanced Theorem 2: lower-rank generalised diagonally superior structures win",
    source="001_015071d9d71e7d05.txt, Appendix A.1 (Theorem A1) and Appendix C.1",
    statement=STATEMENT,
    domain={"classes": "sizes n_1..n_K", "X": "rank p", "M~": "(K; n) diagonally superior, "
            "rank q < p", "L": "> L_0"},
))


def imbalanced_pairs(quick: bool) -> list[dict]:
    """SEL-type X (columns of S repeated) against repeated low-rank constructions."""
    cases = [(4, 10, Fraction(1, 2), "unit-vector Gram", unit_vector_gram(4)),
             (6, 5, Fraction(1, 3), "block low-rank", block_lowrank_class_means(6)),
             (6, 10, Fraction(1, 2), "unit-vector Gram", unit_vector_gram(6))]
    out = []
    for K, R, rho, name, M in (cases[:1] if quick else cases):
        sizes = step_sizes(K, R, rho)
        out.append({"K": K, "R": R, "rho": rho, "sizes": sizes, "name": name,
                    "X": simplex_etf(K), "M": M, "p": K - 1, "q": int(M.rank(simplify=True))})
    return out


def _spectrum_balls(M: sympy.Matrix, sizes: list[int], rank: int) -> list[flint.arb]:
    return singular_values_ball(sympy.nsimplify(M), sizes, rank)


@claim.check("rigorous", "explicit L_0 for step-imbalanced pairs",
             method="X = SEL-type (columns of S repeated n_c times, rank K-1), M~ = a low-rank "
                    "diagonally superior K x K matrix with columns repeated; (K; n) diagonal "
                    "superiority checked exactly; gamma from the margins (C.1), verified with Arb; "
                    "singular values of the repeated matrices as Arb balls (eigenvalues of "
                    "M diag(n) M^T); L_0 = last L where sum (gamma nu)^{2/(L+1)} < sum "
                    "mu^{2/(L+1)} fails, decided up to a proven bound (depth_threshold).")
def threshold(quick: bool) -> Outcome:
    rows = []
    ok = True
    for pr in imbalanced_pairs(quick):
        Mt = repeat_columns(pr["M"], pr["sizes"])
        superior = is_generalised_diagonally_superior(Mt, pr["sizes"])
        gamma = margin_scale_factor(pr["X"], pr["M"])
        valid = margin_scale_factor_valid(pr["X"], pr["M"], gamma)
        with arb_precision(256):
            nu = _spectrum_balls(pr["M"], pr["sizes"], pr["q"])
            mu = _spectrum_balls(pr["X"], pr["sizes"], pr["p"])
            g = flint.arb(flint.fmpq(gamma.numerator, gamma.denominator))
            th = depth_threshold([g * v for v in nu], mu)
        rows.append({"K": pr["K"], "sizes": pr["sizes"], "M": pr["name"], "p": pr["p"],
                     "q": pr["q"], "generalised_superior": superior, "gamma":
                     f"{gamma.numerator}/{gamma.denominator}", "gamma_valid": valid,
                     "L0": th.L0, "proven_beyond": th.L_bound})
        ok &= superior and valid
    return Outcome(passed=ok, result={"pairs": rows}, parameters={"arb_bits": 256},
                   key=("pairs",))


@claim.check("highprec", "conclusion with imbalanced fit weights (30 digits)",
             method="min over scales of both reduced losses with the fit weighted by n_c/N "
                    "(ncverify.models.scales.optimal_scale, lam = 1e-3) for L = 1..L_0 + 10 and "
                    "L_0 + 50, L_0 + 100: the conclusion must hold for every L > L_0.")
def conclusion(quick: bool) -> Outcome:
    lam = sympy.Rational(1, 1000)
    rows = []
    ok = True
    for pr in imbalanced_pairs(quick):
        sizes = pr["sizes"]
        N = sum(sizes)
        w = [mpmath.mpf(n) / N for n in sizes]
        gamma = margin_scale_factor(pr["X"], pr["M"])
        with arb_precision(256):
            g = flint.arb(flint.fmpq(gamma.numerator, gamma.denominator))
            nu = _spectrum_balls(pr["M"], sizes, pr["q"])
            mu = _spectrum_balls(pr["X"], sizes, pr["p"])
            L0 = depth_threshold([g * v for v in nu], mu).L0
            sx = [(sympy.Float(v.mid().str(40, radius=False), 35), 1) for v in mu]
            sm = [(sympy.Float(v.mid().str(40, radius=False), 35), 1) for v in nu]
        fails = []
        Ls = list(range(1, L0 + 11)) + [L0 + 50, L0 + 100]
        for L in Ls:
            a = optimal_scale(margins_of(pr["X"]), sx, L, lam, weights=w, dps=30, grid=500)
            b = optimal_scale(margins_of(pr["M"]), sm, L, lam, weights=w, dps=30, grid=500)
            if L > L0 and not b.value < a.value and not (a.at_zero and b.at_zero):
                fails.append(L)
        rows.append({"K": pr["K"], "sizes": sizes, "M": pr["name"], "L0": L0,
                     "L_checked": [Ls[0], Ls[-1]], "fails_beyond_L0": fails})
        ok &= not fails
    return Outcome(passed=ok, result={"pairs": rows}, parameters={"lam": "1/1000", "dps": 30},
                   key=())
