"""`sk` Lemma 15 (App. B.1): ``min {λ_A/2 ‖A‖_F² + λ_B/2 ‖B‖_F² : AB = C} = √(λ_Aλ_B)‖C‖_*``,
attained at ``A* = γ_A U Σ^{1/2} Rᵀ``, ``B* = γ_B R Σ^{1/2} Vᵀ`` (γ's depending on λ_A, λ_B only).

Checks: the proof ingredients for general values (AM–GM as an exact square, the γ's,
attainment); exact rational instances with known SVDs (Cayley-transform orthogonal matrices,
square singular values) where the balanced factors are rational; and a high-precision test of
the lower bound on random factorisations (mpmath, 30 digits).
"""

from __future__ import annotations

import random

import flint
import mpmath
import sympy

from ncverify.claims import Claim, Outcome, register
from ncverify.models.symbolic import is_zero

__all__ = ["claim", "published_value"]

STATEMENT = r"""#### **Lemma 15** The optimization problem

$$\min_{A,B;C=AB} \quad \frac{\lambda_A}{2} \|A\|_F^2 + \frac{\lambda_B}{2} \|B\|_F^2 \tag{16}$$

attains the minimum of  $\sqrt{\lambda_A\lambda_B} \|C\|_*$ , and the minimizers are of the form  $A^* = \gamma_A U \Sigma^{1/2} R^T$ ,  $B^* = \gamma_B R \Sigma^{1/2} V^T$ . Here, the constants  $\gamma_A, \gamma_B$  only depend on  $\lambda_A, \lambda_B$ ;  $U \Sigma V^T$  is the SVD of C; and R is an orthogonal matrix."""

claim = register(Claim(
    id="sk.lemma15",
    paper="sk",
    label="Lemma 15",
    title="Variational form of the nuclear norm: min lam_A/2 ||A||^2 + lam_B/2 ||B||^2 over AB = C "
          "is sqrt(lam_A lam_B) ||C||_*",
    source="002_521ba04a56249479.txt, Appendix B.1, Lemma 15",
    statement=STATEMENT,
    domain={"lambda_A, lambda_B": "> 0", "C": "any real matrix", "inner dimension": ">= rank C"},
))


def published_value(lam_a, lam_b, nuclear):
    """The printed minimum ``√(λ_Aλ_B) ‖C‖_*``."""
    return sympy.sqrt(lam_a * lam_b) * nuclear if isinstance(lam_a * lam_b, sympy.Basic) \
        else mpmath.sqrt(lam_a * lam_b) * nuclear


@claim.check("exact", "proof ingredients for general values",
             method="SymPy, all symbols positive. Lower bound: for a = ||A||_F, b = ||B||_F, "
                    "lam_A a^2/2 + lam_B b^2/2 - sqrt(lam_A lam_B) a b = "
                    "(sqrt(lam_A) a - sqrt(lam_B) b)^2/2 >= 0, and ||AB||_* <= ||A||_F ||B||_F "
                    "(tested in the high-precision check). Attainment: with "
                    "gamma_A = (lam_B/lam_A)^{1/4}, gamma_B = 1/gamma_A the balanced factors have "
                    "||A*||^2 = gamma_A^2 ||C||_*, ||B*||^2 = gamma_B^2 ||C||_*, A* B* = C, and "
                    "lam_A/2 gamma_A^2 + lam_B/2 gamma_B^2 = sqrt(lam_A lam_B); the scaled pair "
                    "(c A*, B*/c) costs more unless c = 1.")
def general(quick: bool) -> Outcome:
    la, lb, a, b, nuc, c = sympy.symbols("lam_A lam_B a b nu c", positive=True)
    steps = {"am_gm_square": sympy.expand(la * a**2 / 2 + lb * b**2 / 2 - sympy.sqrt(la * lb) * a * b
                                          - (sympy.sqrt(la) * a - sympy.sqrt(lb) * b) ** 2 / 2) == 0}
    ga = (lb / la) ** sympy.Rational(1, 4)
    gb = 1 / ga
    steps["gamma_product_one"] = is_zero(ga * gb - 1)
    value = la / 2 * ga**2 * nuc + lb / 2 * gb**2 * nuc
    steps["attained_value"] = is_zero(value - published_value(la, lb, nuc))
    scaled = la / 2 * c**2 * ga**2 * nuc + lb / 2 * gb**2 * nuc / c**2
    excess = sympy.factor(sympy.simplify(scaled - value))
    steps["scaled_pair_excess_is_square"] = is_zero(
        excess - sympy.sqrt(la * lb) * nuc * (c**2 - 1) ** 2 / (2 * c**2))
    return Outcome(passed=all(steps.values()), result={"steps": steps, "scaled_excess": excess},
                   parameters={"symbols": "positive"}, key=("steps",))


def _cayley(n: int, rng: random.Random) -> flint.fmpq_mat:
    """A random rational orthogonal matrix (I - S)(I + S)^{-1}, S skew-symmetric rational."""
    S = flint.fmpq_mat(n, n)
    for i in range(n):
        for j in range(i + 1, n):
            x = flint.fmpq(rng.randint(-3, 3), rng.randint(1, 3))
            S[i, j], S[j, i] = x, -x
    eye = flint.fmpq_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])
    return (eye - S) * (eye + S).inv()


def _cols(M: flint.fmpq_mat, k: int) -> flint.fmpq_mat:
    return flint.fmpq_mat(M.nrows(), k, [M[i, j] for i in range(M.nrows()) for j in range(k)])


def _sq(M: flint.fmpq_mat) -> flint.fmpq:
    return sum((x * x for x in M.entries()), flint.fmpq(0))


@claim.check("exact", "rational instances with known SVD: balanced factors attain the value",
             method="U, V, R rational orthogonal (Cayley transforms), k = rank, singular values "
                    "s_i = q_i^2 (q_i rational) so Sigma^{1/2} is rational; lam_A = 1, "
                    "lam_B = 16 (gamma_A = 2, gamma_B = 1/2). C = U_k diag(s) V_k^T, "
                    "A* = gamma_A U_k Sigma^{1/2} R_k^T, B* = gamma_B R_k Sigma^{1/2} V_k^T with "
                    "inner dimension p > k: A* B* = C exactly, the cost equals "
                    "sqrt(lam_A lam_B) sum s_i = 4 sum s_i exactly, lam_A A*^T A* = "
                    "lam_B B* B*^T (balance), and unbalanced rescalings (2A*, B*/2) cost more.")
def rational_instances(quick: bool) -> Outcome:
    rng = random.Random(15)
    failures, checked = [], 0
    for m, n, k, p in ([(3, 4, 2, 3), (4, 4, 3, 5)] if quick else
                       [(3, 4, 2, 3), (4, 4, 3, 5), (5, 3, 2, 4), (6, 5, 4, 6), (4, 6, 1, 2)]):
        U, V, R = _cayley(m, rng), _cayley(n, rng), _cayley(p, rng)
        qs = [flint.fmpq(rng.randint(1, 5), rng.randint(1, 3)) for _ in range(k)]
        Sh = flint.fmpq_mat(k, k, [qs[i] if i == j else 0 for i in range(k) for j in range(k)])
        Uk, Vk, Rk = _cols(U, k), _cols(V, k), _cols(R, k)
        C = Uk * Sh * Sh * Vk.transpose()
        A = 2 * Uk * Sh * Rk.transpose()
        B = flint.fmpq(1, 2) * Rk * Sh * Vk.transpose()
        nuclear = sum((q * q for q in qs), flint.fmpq(0))
        cost = _sq(A) / 2 + 16 * _sq(B) / 2
        worse = _sq(2 * A) / 2 + 16 * _sq(B / 2) / 2
        ok = (A * B == C and cost == 4 * nuclear and A.transpose() * A == 16 * (B * B.transpose())
              and worse > cost)
        checked += 1
        if not ok:
            failures.append([m, n, k, p])
    return Outcome(passed=not failures, result={"instances_checked": checked,
                                                "failures": failures},
                   parameters={"lam_A": 1, "lam_B": 16, "seed": 15},
                   key=("instances_checked", "failures"))


@claim.check("highprec", "lower bound on random factorisations (mpmath 30 digits)",
             method="Random A (m x p), B (p x n) with entries in [-1, 1] (seeded), random "
                    "lam_A, lam_B in [0.1, 10]; C = A B; ||C||_* from mpmath.svd_r at 30 digits. "
                    "Checked: sum sigma_i(AB) <= ||A||_F ||B||_F and lam_A/2 ||A||^2 + "
                    "lam_B/2 ||B||^2 >= sqrt(lam_A lam_B) ||C||_* (smallest relative margin "
                    "reported); the balanced factors built from the SVD of C attain the bound "
                    "(residual reported), and perturbed balanced factorisations "
                    "A = A*(I + eps E), B = (I + eps E)^{-1} B* (eps = 1e-2..1e-6) stay above it.")
def random_factorisations(quick: bool) -> Outcome:
    rng = random.Random(151)
    trials = 6 if quick else 25
    worst_margin, worst_attain, violations = mpmath.inf, mpmath.mpf(0), []
    worst_near = mpmath.inf
    with mpmath.workdps(30):
        for t in range(trials):
            m, p, n = rng.randint(2, 5), rng.randint(1, 5), rng.randint(2, 5)
            A = mpmath.matrix([[rng.uniform(-1, 1) for _ in range(p)] for _ in range(m)])
            B = mpmath.matrix([[rng.uniform(-1, 1) for _ in range(n)] for _ in range(p)])
            la, lb = mpmath.mpf(rng.uniform(0.1, 10)), mpmath.mpf(rng.uniform(0.1, 10))
            C = A * B
            U, s, Vt = mpmath.svd_r(C)
            nuc = mpmath.fsum(s)
            fa, fb = mpmath.mnorm(A, "f"), mpmath.mnorm(B, "f")
            cost = la / 2 * fa**2 + lb / 2 * fb**2
            bound = published_value(la, lb, nuc)
            margin = (cost - bound) / bound
            worst_margin = min(worst_margin, margin)
            if nuc > fa * fb * (1 + mpmath.mpf(10) ** -25) or margin < -mpmath.mpf(10) ** -25:
                violations.append(t)
            ga = mpmath.root(lb / la, 4)
            half = mpmath.diag([mpmath.sqrt(x) for x in s])
            As, Bs = U * half * ga, half * Vt / ga
            attained = la / 2 * mpmath.mnorm(As, "f") ** 2 + lb / 2 * mpmath.mnorm(Bs, "f") ** 2
            worst_attain = max(worst_attain, abs(attained - bound) / bound,
                               mpmath.mnorm(As * Bs - C, "f"))
            # near-optimal factorisations A = As (I + eps E), B = (I + eps E)^{-1} Bs
            k = len(s)
            E = mpmath.matrix([[rng.uniform(-1, 1) for _ in range(k)] for _ in range(k)])
            X = mpmath.eye(k) + E * mpmath.mpf(10) ** -rng.randint(2, 6)
            An, Bn = As * X, mpmath.inverse(X) * Bs
            near = (la / 2 * mpmath.mnorm(An, "f") ** 2 + lb / 2 * mpmath.mnorm(Bn, "f") ** 2
                    - bound) / bound
            worst_near = min(worst_near, near)
            if near < -mpmath.mpf(10) ** -25:
                violations.append(t)
        ok = not violations and worst_attain < mpmath.mpf(10) ** -25
        res = {"trials": trials, "violations": violations,
               "smallest_relative_margin": mpmath.nstr(worst_margin, 8),
               "attainment_residual": mpmath.nstr(worst_attain, 5),
               "smallest_relative_margin_near_optimal": mpmath.nstr(worst_near, 5)}
    return Outcome(passed=ok, result=res, parameters={"dps": 30, "seed": 151},
                   key=("trials", "violations"))

