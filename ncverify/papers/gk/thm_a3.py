"""`gk` Theorem A3 (App. A.2, proof in C.3): under (R, ρ)-STEP imbalance no generalised DNC
structure (frame of the single-layer UFM optimum, which tends to the SEL matrix as λ → 0) is
globally optimal for K >= 4 once λ < λ_0 and L > L_0.

Checked: the SEL matrix has rank K-1; the low-rank diagonally superior matrices the proof uses
exist exactly when K >= 4; and the explicit L_0 of the proof's sufficient inequality for concrete
(R, ρ, K), both with the proof's safety factor ½μ_{K-1} and in the λ → 0 limit (the normalised SEL
matrix itself).  Thrampoulidis et al.'s convergence of the frame to the SEL matrix is an external
result and is not re-checked here.
"""

from __future__ import annotations

from fractions import Fraction

import flint
import sympy

from ncverify.claims import Claim, Outcome, register
from ncverify.exact.matrices import to_fmpq_mat
from ncverify.models.constructions import block_lowrank_class_means, unit_vector_gram
from ncverify.models.imbalance import sel_matrix, step_sizes
from ncverify.rigorous.balls import arb_precision
from ncverify.rigorous.thresholds import depth_threshold, singular_values_ball

__all__ = ["claim"]

STATEMENT = r"""**Theorem A3:** Consider the deep linear UFM with  $K$  classes of sizes  $n_1, \dots, n_K$  respectively, and with network width  $d \geq K$ . Also assume we are in a  $(R, \rho)$ -STEP imbalance setting. Then there exists  $\lambda_0, L_0 > 0$  such that for all  $\lambda < \lambda_0$ ,  $L > L_0$ , and  $K \geq 4$ , there is no generalized DNC structure that is a global minimum of the loss.

[C.3:] Note that any SEL matrix has rank  $K - 1$  [...] let  $M \in \mathbb{R}^{K \times K}$  be a diagonally superior matrix of rank  $r < K - 1$ . Using the structure described in the proof of Theorem 1, we know this is achievable whenever  $K \geq 4$ . Additionally, set the scale of  $M$  so that for all  $c, c' \neq c$   $M_{c'c} - M_{cc} < -2.$  [...] it is sufficient that  $\sum_{i=1}^r \nu_i^{\frac{2}{L+1}} < (K - 1) \left( \frac{1}{2} \mu_{K-1} \right)^{\frac{2}{L+1}}.$"""

claim = register(Claim(
    id="gk.thmA3",
    paper="gk",
    label="Theorem A3",
    title="Under STEP imbalance the generalised DNC (SEL) structure is not optimal for large L",
    source="001_015071d9d71e7d05.txt, Appendix A.2 (Definitions, Theorem A3) and Appendix C.3",
    statement=STATEMENT,
    domain={"imbalance": "(R, rho)-STEP", "K": ">= 4", "lambda": "< lambda_0",
            "L": "> L_0"},
))


@claim.check("exact", "SEL rank K-1 and low-rank superior matrices exist iff K >= 4",
             method="Rank of the SEL matrix (columns of S repeated per class) with python-flint "
                    "for K = 3..12 and STEP sizes; the block construction of Theorem 1 has rank "
                    "ceil(K/2), which is < K - 1 exactly for K >= 4 (K = 3: rank 2 = K - 1); the "
                    "minimal rank q_K = 2 < K - 1 also exactly for K >= 4 (gk.thm3).")
def ranks(quick: bool) -> Outcome:
    rows = []
    ok = True
    for K in range(3, 9 if quick else 13):
        sizes = [3] * (K - K // 2) + [1] * (K // 2)
        r_sel = to_fmpq_mat(sel_matrix(sizes)).rank()
        r_blk = to_fmpq_mat(block_lowrank_class_means(K)).rank()
        rows.append({"K": K, "sel_rank": r_sel, "block_rank": r_blk,
                     "block_below_K_minus_1": r_blk < K - 1})
        ok &= r_sel == K - 1 and (r_blk < K - 1) == (K >= 4) and r_blk == -(-K // 2)
    return Outcome(passed=ok, result={"ranks": rows}, parameters={"K": [3, 8 if quick else 12]},
                   key=("ranks",))


def _scaled(M: sympy.Matrix) -> tuple[sympy.Matrix, sympy.Rational]:
    """M scaled so that every margin M_{c'c} - M_{cc} < -2 (C.3): factor 2/min gap + 1/100."""
    K = M.rows
    gap = min(M[c, c] - M[k, c] for c in range(K) for k in range(K) if k != c)
    s = 2 / gap + sympy.Rational(1, 100)
    return s * M, s


@claim.check("rigorous", "explicit L_0 for concrete (R, rho, K)",
             method="mu_{K-1}: smallest nonzero singular value of the Frobenius-normalised SEL "
                    "matrix, nu_i: singular values of the scaled low-rank M~ (margins < -2; block "
                    "construction, and the rank-2 unit-vector Gram for K = 4, 6), all as Arb balls "
                    "from exact characteristic polynomials; L_0 = last L where sum nu^{2/(L+1)} < "
                    "(K-1)(mu_{K-1}/2)^{2/(L+1)} fails (the proof's sufficient condition), and "
                    "L_0^lim with the normalised SEL singular values themselves (lambda -> 0), "
                    "both decided up to a proven bound (depth_threshold).")
def thresholds(quick: bool) -> Outcome:
    cases = [(4, 2, Fraction(1, 2)), (4, 10, Fraction(1, 2)), (6, 10, Fraction(1, 3)),
             (6, 5, Fraction(1, 2))]
    if quick:
        cases = cases[:2]
    rows = []
    ok = True
    for K, R, rho in cases:
        sizes = step_sizes(K, R, rho)
        Msel = sel_matrix([1] * K)  # = S; sizes enter through the repetition below
        with arb_precision(256):
            mu = singular_values_ball(Msel, sizes, K - 1)
            fro = sum((x * x for x in mu), flint.arb(0)).sqrt()
            mu_n = [x / fro for x in mu]
            smallest = min(mu_n, key=lambda x: float(x.mid()))
            for name, base in (("block", block_lowrank_class_means(K)),
                               ("unit-vector Gram", sympy.nsimplify(unit_vector_gram(K)))):
                M, s = _scaled(base)
                r = to_fmpq_mat(M).rank()
                nu = singular_values_ball(M, sizes, r)
                proof = depth_threshold(nu, [smallest / 2] * (K - 1))
                limit = depth_threshold(nu, mu_n)
                rows.append({"K": K, "R": R, "rho": f"{rho}", "sizes": sizes, "M": name,
                             "rank": r, "scale": f"{s}", "mu_K-1 (normalised SEL)":
                             smallest.str(10, radius=False), "L0_proof": proof.L0,
                             "L0_limit": limit.L0})
                ok &= r < K - 1
    return Outcome(passed=ok, result={"cases": rows}, parameters={"arb_bits": 256},
                   key=("cases",))

