"""`sk` Lemma 14 (App. B.1): ``min_W (1/2K)‖W M_L - I_K‖_F² + (λ/2)‖W‖_F²`` equals
``(λ/2) Σ_{i=1}^K 1/(σ_i² + Kλ)`` over the K singular values of M_L, attained at
``W* = M_Lᵀ(M_LM_Lᵀ + λK I)⁻¹``.

Checks: the decoupled scalar problem and the proof's two sums for general σ, K, λ (SymPy);
exact rational matrices of several shapes (gradient zero at W*, value = (λ/2)tr((MᵀM+KλI)⁻¹),
strict convexity through the exact second-order identity).
"""

from __future__ import annotations

import random

import flint
import sympy

from ncverify.claims import Claim, Outcome, register
from ncverify.models.symbolic import is_zero

__all__ = ["claim", "published_value"]

STATEMENT = r"""**Lemma 14** Assuming DNC1, let  $M_L$  be the mean matrix of the last layer. Let  $M_L = U\Sigma V^T$  be the full SVD of  $M_L$  and let  $\sigma_i$ ,  $i \in [K]$ , be the singular values of  $M_L$ . Then, the following optimization problem:

$$\min_{W_L} \frac{1}{2K} \|W_L M_L - I_K\|_F^2 + \frac{\lambda_{W_L}}{2} \|W_L\|_F^2$$

attains the minimum of

$$\frac{\lambda_{W_L}}{2} \sum_{i=1}^K \frac{1}{\sigma_i^2 + K\lambda_{W_L}}.$$

**Proof** The proof consists in a direct computation. Let  $W_L^*$  denote the minimizer. Computing the gradient and setting it to 0 gives that

$$W_L^* = M_L^T (M_L M_L^T + \lambda_{W_L} K I_{d_L})^{-1} = V \Sigma^T (\Sigma \Sigma^T + \lambda_{W_L} K I_{d_L})^{-1} U^T,$$

which readily implies that

$$\begin{aligned} \|W_L^*\|_F^2 &= \sum_{i=1}^K \frac{\sigma_i^2}{(\sigma_i^2 + \lambda_{W_L} K)^2}, \\ \|W_L M_L - I_K\|_F^2 &= \|V \Sigma^T (\Sigma \Sigma^T + \lambda_{W_L} K I_{d_L})^{-1} \Sigma V^T - V V^T \|_F^2 \\ &= \sum_{i=1}^K \left(\frac{\sigma_i^2}{\sigma_i^2 + \lambda_{W_L} K} - 1\right)^2 = \sum_{i=1}^K \frac{K^2 \lambda_{W_L}^2}{(\sigma_i^2 + \lambda_{W_L} K)^2}, \end{aligned}$$

thus concluding the argument."""

claim = register(Claim(
    id="sk.lemma14",
    paper="sk",
    label="Lemma 14",
    title="Ridge regression of the last layer: min = (lambda/2) sum_i 1/(sigma_i^2 + K lambda)",
    source="002_521ba04a56249479.txt, Appendix B.1, Lemma 14 and its proof",
    statement=STATEMENT,
    domain={"K": "integer >= 1", "d_L": "integer >= 1", "lambda_WL": "> 0",
            "sigma_i": "singular values of M_L (sigma_i = 0 beyond the rank)"},
))


def published_value(sigmas_squared, K, lam):
    """The printed minimum ``(λ/2) Σ_i 1/(σ_i² + Kλ)``."""
    return lam / 2 * sum(1 / (s + K * lam) for s in sigmas_squared)


@claim.check("exact", "scalar problem and the proof's sums for general sigma, K, lambda",
             method="In the SVD bases the problem decouples: for each i, "
                    "min_x (1/2K)(sigma x - 1)^2 + (lambda/2) x^2 is attained at "
                    "x = sigma/(sigma^2 + K lambda) with value (lambda/2)/(sigma^2 + K lambda); "
                    "the off-diagonal entries y of X = V^T W U cost (1/2K) sigma_j^2 y^2 + "
                    "(lambda/2) y^2 >= 0, minimised at 0. The proof's ||W*||^2 and "
                    "||W* M - I||^2 terms are checked to add up to the printed value. SymPy, "
                    "all symbols positive (sigma = 0 also checked).")
def general(quick: bool) -> Outcome:
    s, K, lam, x = sympy.symbols("sigma K lam x", positive=True)
    f = (s * x - 1) ** 2 / (2 * K) + lam * x**2 / 2
    crit = sympy.solve(sympy.diff(f, x), x)
    steps = {"unique_critical_point": crit == [s / (s**2 + K * lam)],
             "second_derivative_positive": is_zero(sympy.diff(f, x, 2)
                                                          - (s**2 / K + lam))}
    val = sympy.simplify(f.subs(x, crit[0]))
    steps["value"] = is_zero(val - lam / (2 * (s**2 + K * lam)))
    steps["value_at_sigma_zero"] = is_zero(
        f.subs(s, 0).subs(x, 0) - published_value([0], K, lam))
    y = sympy.Symbol("y", real=True)
    steps["offdiagonal_cost_nonnegative"] = bool(
        (s**2 * y**2 / (2 * K) + lam * y**2 / 2).is_nonnegative)
    w2 = s**2 / (s**2 + lam * K) ** 2
    fit = (s**2 / (s**2 + lam * K) - 1) ** 2
    steps["proof_fit_term"] = is_zero(fit - K**2 * lam**2 / (s**2 + lam * K) ** 2)
    steps["proof_sum"] = is_zero(fit / (2 * K) + lam / 2 * w2
                                        - published_value([s**2], K, lam))
    return Outcome(passed=all(steps.values()), result={"steps": steps, "value": val},
                   parameters={"symbols": "sigma, K, lambda > 0"}, key=("steps", "value"))


def _eye(n: int) -> flint.fmpq_mat:
    return flint.fmpq_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])


def _sq(M: flint.fmpq_mat) -> flint.fmpq:
    return sum((x * x for x in M.entries()), flint.fmpq(0))


@claim.check("exact", "exact rational matrices of several shapes and ranks",
             method="Random integer M (d x K, d < K, d = K, d > K, rank-deficient cases), rational "
                    "lambda. W* = M^T (M M^T + lambda K I)^{-1} (flint, exact): the gradient "
                    "(1/K)(W* M - I) M^T + lambda W* is 0; the loss at W* equals "
                    "(lambda/2) tr((M^T M + K lambda I)^{-1}) = (lambda/2) sum over the K "
                    "eigenvalues sigma_i^2 of M^T M (zeros included) of 1/(sigma_i^2 + K lambda); "
                    "and for random D, loss(W* + D) - loss(W*) = (1/2K)||D M||^2 + "
                    "(lambda/2)||D||^2 > 0 exactly (strict convexity: W* is the unique minimum).")
def matrices(quick: bool) -> Outcome:
    rng = random.Random(14)
    shapes = [(3, 3), (4, 6), (6, 4), (5, 5), (2, 7), (7, 3)]
    if not quick:
        shapes += [(8, 8), (10, 6), (6, 10), (12, 12)]
    failures, checked = [], 0
    for d, K in shapes:
        for rank_deficient in (False, True):
            M = flint.fmpq_mat(d, K, [rng.randint(-4, 4) for _ in range(d * K)])
            if rank_deficient and d > 1:  # duplicate a row so that rank < min(d, K)
                for j in range(K):
                    M[d - 1, j] = M[0, j]
            lam = flint.fmpq(rng.randint(1, 9), rng.randint(2, 40))

            def loss(W, M=M, lam=lam, K=K):
                return _sq(W * M - _eye(K)) / (2 * K) + lam * _sq(W) / 2

            Ws = M.transpose() * (M * M.transpose() + lam * K * _eye(d)).inv()
            grad = (Ws * M - _eye(K)) * M.transpose() * flint.fmpq(1, K) + lam * Ws
            X = (M.transpose() * M + lam * K * _eye(K)).inv()
            trace = sum((X[i, i] for i in range(K)), flint.fmpq(0))
            D = flint.fmpq_mat(K, d, [rng.randint(-3, 3) for _ in range(K * d)])
            second = loss(Ws + D) - loss(Ws) - (_sq(D * M) / (2 * K) + lam * _sq(D) / 2)
            ok = (all(g == 0 for g in grad.entries()) and loss(Ws) == lam * trace / 2
                  and second == 0 and loss(Ws + D) > loss(Ws))
            checked += 1
            if not ok:
                failures.append([d, K, rank_deficient])
    return Outcome(passed=not failures, result={"matrices_checked": checked,
                                                "failures": failures},
                   parameters={"shapes": shapes, "seed": 14},
                   key=("matrices_checked", "failures"))

