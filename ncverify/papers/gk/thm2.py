"""`gk` Theorem 2 (§3.1, proof in App. B.4): a diagonally superior M of lower rank beats any X of
higher rank once L is large enough, with an explicit L_0.

For concrete pairs (X of rank p, M diagonally superior of rank q < p) we compute the proof's L_0
exactly (the scale factor γ of B.4 from the margins; the regularisation inequality
``Σ_q (γν_i)^{2/(L+1)} < Σ_p μ_i^{2/(L+1)}`` decided with Arb balls and, beyond the table, by
monotonicity in L), and check the theorem's conclusion directly: the two losses minimised over the
scale at 40 digits.
"""

from __future__ import annotations

from fractions import Fraction

import flint
import mpmath
import sympy

from ncverify.claims import Claim, Outcome, register
from ncverify.models.constructions import (
    block_lowrank_class_means,
    dnc_class_means,
    dnc_singular_values,
    lowrank_singular_values,
    unit_vector_gram,
    unit_vector_gram_singular_values,
)
from ncverify.models.scales import (
    margin_scale_factor,
    margin_scale_factor_valid,
    margins_of,
    optimal_scale,
)
from ncverify.rigorous.balls import arb_from_sympy, arb_precision
from ncverify.rigorous.thresholds import depth_threshold

__all__ = ["claim", "proof_L0"]

STATEMENT = r"""**Theorem 2:** *Let  $X, M \in \mathbb{R}^{K \times Kn}$  have ranks  $p$  and  $q < p$ , with  $M$  diagonally superior. Consider the deep linear UFM with network width  $d \geq K$ , where solutions are constructed using the structure induced by a critical point, allowing the loss to be written in terms of  $Z$ . Let  $\mathcal{L}_L(Z)$  denote this loss, with  $L$  dependence made explicit. Then there exists  $L_0 \in \mathbb{N}$  such that for all  $L > L_0$ ,*

$$\min_{\alpha \geq 0} \{\mathcal{L}_L(\alpha X)\} \geq \min_{\beta \geq 0} \{\mathcal{L}_L(\beta M)\},$$

with equality occurring only if the minimum is at  $\alpha = \beta = 0$ ."""

claim = register(Claim(
    id="gk.thm2",
    paper="gk",
    label="Theorem 2",
    title="A lower-rank diagonally superior structure wins for all L beyond an explicit L_0",
    source="001_015071d9d71e7d05.txt, Section 3.1 (Definition 3, Theorem 2) and Appendix B.4",
    statement=STATEMENT,
    domain={"X": "rank p", "M": "diagonally superior, rank q < p", "L": "> L_0",
            "d": ">= K"},
))


def _pairs(K_quick: bool) -> list[dict]:
    """(name, X, spectrum of X, M, spectrum of M) with n = 1 (class means)."""
    one = sympy.Integer(1)
    pairs = [
        ("DNC vs unit-vector Gram", 4, dnc_class_means(4), dnc_singular_values(4, one, one),
         unit_vector_gram(4), unit_vector_gram_singular_values(4, one)),
        ("DNC vs block low-rank", 6, dnc_class_means(6), dnc_singular_values(6, one, one),
         block_lowrank_class_means(6), lowrank_singular_values(6, one, one)),
        ("DNC vs unit-vector Gram", 10, dnc_class_means(10), dnc_singular_values(10, one, one),
         unit_vector_gram(10), unit_vector_gram_singular_values(10, one)),
        ("identity vs unit-vector Gram", 5, sympy.eye(5), [(one, 5)], unit_vector_gram(5),
         unit_vector_gram_singular_values(5, one)),
        ("block low-rank vs unit-vector Gram", 8, block_lowrank_class_means(8),
         lowrank_singular_values(8, one, one), unit_vector_gram(8),
         unit_vector_gram_singular_values(8, one)),
    ]
    return [dict(zip(("name", "K", "X", "sx", "M", "sm"), p, strict=True))
            for p in (pairs[:2] if K_quick else pairs)]


def proof_L0(sx, sm, gamma: Fraction, L_max: int | None = None) -> int:
    """The proof's L_0 (App. B.4): the last L where ``Σ_q (γν_i)^{2/(L+1)} < Σ_p μ_i^{2/(L+1)}``
    fails, decided with Arb up to a proven bound (:func:`ncverify.rigorous.depth_threshold`)."""
    with arb_precision(256):
        g = flint.arb(flint.fmpq(gamma.numerator, gamma.denominator))
        small = [g * arb_from_sympy(v) for v, m in sm for _ in range(int(m))]
        large = [arb_from_sympy(v) for v, m in sx for _ in range(int(m))]
        return depth_threshold(small, large).L0


@claim.check("rigorous", "the proof's L_0 for concrete pairs, and monotonicity beyond",
             method="gamma: a rational just above max dx/dm over entries (App. B.4 margin "
                    "condition), verified strictly with Arb balls. L_0 = the last L where "
                    "sum_q (gamma nu)^{2/(L+1)} < sum_p mu^{2/(L+1)} fails, decided with Arb (256 "
                    "bits) up to a bound beyond which |x^t - 1| <= t|ln x| max(1, x) proves it "
                    "(ncverify.rigorous.depth_threshold). Independently, in closed form: with one distinct value a (for M) and b "
                    "(for X), the inequality is q a^t < p b^t, t = 2/(L+1), i.e. t log(a/b) < "
                    "log(p/q): true for all L if a <= b, else exactly for L + 1 > 2 log(a/b)/"
                    "log(p/q), a threshold in L that the table must reproduce.")
def proof_threshold(quick: bool) -> Outcome:
    rows = []
    ok = True
    for pr in _pairs(quick):
        gamma = margin_scale_factor(pr["X"], pr["M"])
        valid = margin_scale_factor_valid(pr["X"], pr["M"], gamma)
        L0 = proof_L0(pr["sx"], pr["sm"], gamma)
        (a, q), = [(v, m) for v, m in pr["sm"]]
        (b, p), = [(v, m) for v, m in pr["sx"]]
        with mpmath.workdps(40):
            ratio = mpmath.mpf(gamma.numerator) / gamma.denominator * mpmath.mpf(
                sympy.N(a, 45)) / mpmath.mpf(sympy.N(b, 45))
            closed = 0 if ratio <= 1 else int(mpmath.floor(
                2 * mpmath.log(ratio) / mpmath.log(mpmath.mpf(p) / q) - 1))
        rows.append({"pair": pr["name"], "K": pr["K"], "p": p, "q": q,
                     "gamma": f"{gamma.numerator}/{gamma.denominator}", "gamma_valid": valid,
                     "L0_table": L0, "L0_closed_form": closed})
        ok &= valid and L0 == closed
    return Outcome(passed=ok, result={"pairs": rows},
                   parameters={"arb_bits": 256, "n": 1},
                   key=("pairs",))


@claim.check("highprec", "the theorem's conclusion: optimised losses for L around and beyond L_0",
             method="min over scales of L_L(alpha X) and L_L(beta M) (reduced loss, lam = 1e-3, "
                    "n = 1) at 40 digits (ncverify.models.scales.optimal_scale) for every L up to "
                    "L_0 + 10 and every 30th L up to L_0 + 200; the conclusion min_M < min_X must "
                    "hold for every L > L_0 where the minimum is not at 0; the smallest L beyond "
                    "which it holds in fact (L_direct) is reported next to L_0.")
def direct(quick: bool) -> Outcome:
    lam = sympy.Rational(1, 1000)
    rows = []
    ok = True
    for pr in _pairs(quick):
        gamma = margin_scale_factor(pr["X"], pr["M"])
        L0 = proof_L0(pr["sx"], pr["sm"], gamma)
        Ls = list(range(1, L0 + 11)) + list(range(L0 + 20, L0 + 201, 30 if not quick else 90))
        mx_, mm_ = margins_of(pr["X"]), margins_of(pr["M"])
        fails_after_L0, wins = [], []
        for L in Ls:
            a = optimal_scale(mx_, pr["sx"], L, lam, dps=30, grid=500)
            b = optimal_scale(mm_, pr["sm"], L, lam, dps=30, grid=500)
            win = bool(b.value < a.value)
            wins.append(win)
            if L > L0 and not win and not (a.at_zero and b.at_zero):
                fails_after_L0.append(L)
        L_direct = max([L for L, w in zip(Ls, wins, strict=True) if not w], default=0)
        rows.append({"pair": pr["name"], "K": pr["K"], "L0_proof": L0,
                     "L_direct (last L where M does not win)": L_direct,
                     "L_checked": [Ls[0], Ls[-1]], "fails_beyond_L0": fails_after_L0})
        ok &= not fails_after_L0
    return Outcome(passed=ok, result={"pairs": rows},
                   parameters={"lam": "1/1000", "n": 1, "dps": 30},
                   key=("pairs",))


@claim.check("highprec", "closed-form spectra of the pairs (mpmath SVD)",
             method="The singular values used above (closed forms in ncverify.models) against "
                    "mpmath.svd_r of the explicit matrices at 40 digits.")
def spectra(quick: bool) -> Outcome:
    worst = mpmath.mpf(0)
    with mpmath.workdps(40):
        for pr in _pairs(quick):
            for Mx, spec in ((pr["X"], pr["sx"]), (pr["M"], pr["sm"])):
                s = sorted(mpmath.svd_r(mpmath.matrix(sympy.N(Mx, 45).tolist()),
                                        compute_uv=False), reverse=True)
                expected = sorted([mpmath.mpf(sympy.N(v, 45)) for v, m in spec
                                   for _ in range(int(m))], reverse=True)
                expected += [mpmath.mpf(0)] * (len(s) - len(expected))
                worst = max(worst, max(abs(x - y) for x, y in zip(s, expected, strict=True)))
        return Outcome(passed=bool(worst < mpmath.mpf(10) ** -30),
                       result={"max_abs_difference": mpmath.nstr(worst, 5)},
                       parameters={"dps": 40}, key=())
