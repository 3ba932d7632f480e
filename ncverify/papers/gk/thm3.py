"""`gk` Theorem 3 (§3.2, proof in App. B.5): the global optima of the deep linear UFM as L grows,
and q_K, the minimal rank of a diagonally superior matrix (q_2 = 1, q_K = 2 for K >= 3).

Checks: the rank-one impossibility for K >= 3 by an exhaustive sign/order case analysis, the
rank-2 unit-vector construction with Arb-certified rank; and numerically, the optimum of the
reduced loss for growing L (the deep linear UFM with L factors, polished from many starts) under
the two scalings of λ_L.
"""

from __future__ import annotations

import itertools

import flint
import numpy as np
import sympy

from ncverify.claims import Claim, Outcome, register
from ncverify.engine.config import DUFMConfig
from ncverify.engine.polish import polish
from ncverify.models.constructions import unit_vector_gram
from ncverify.rigorous.balls import arb_precision

__all__ = ["claim", "is_diagonally_superior"]

STATEMENT = r"""**Theorem 3:** *Consider a sequence of deep linear UFM optimization problems, indexed by the number of layers  $L = 1, 2, 3, \dots$ . Assume the regularization parameter satisfies  $\lambda_L > 0$  for all  $L$ , and that the network width is fixed at  $d \geq K$ . Denote each loss function by  $\mathcal{L}_L$ . Let  $Z_L^*$  be the network output at a global optimum of  $\mathcal{L}_L$ . Also define the minimal rank of a diagonally superior matrix in  $\mathbb{R}^{K \times Kn}$  to be  $q_K$ . The following holds:*

(i) *If  $\lambda_L$  is scaled such that  $\lambda_L^{-1} = o(L)$ , there exists  $L_0$  such that for all  $L > L_0$ , each singular value of  $Z_L^*$  is zero or converges to zero at a rate faster than exponential in  $L$ .*

(ii) *If  $\lambda_L$  is scaled such that  $\lambda_L = o(L^{-1})$ , there exists an  $L_0$  such that for all  $L > L_0$ , the matrix  $Z_L^*$  is diagonally superior, and hence has rank at least  $q_K$ . Furthermore, at most  $q_K$  singular values of the normalized matrix  $\hat{Z}_L^*$  are neither zero, nor converge to zero at a rate at least exponential in  $L$ .*

[...] Consider a matrix  $X \in \mathbb{R}^{2 \times K}$ , where each column  $x_c$  satisfies  $\|x_c\|_2 = 1$  and no column is repeated. Then  $X^\top X \in \mathbb{R}^{K \times K}$  is diagonally superior and has rank 2, implying  $q_K \leq 2$ ."""

claim = register(Claim(
    id="gk.thm3",
    paper="gk",
    label="Theorem 3",
    title="Global optima for growing L; the minimal rank q_K of a diagonally superior matrix",
    source="001_015071d9d71e7d05.txt, Section 3.2 (Theorem 3 and the remark after it) and "
           "Appendix B.5",
    statement=STATEMENT,
    domain={"K": "integer >= 2", "L": "-> infinity", "lambda_L": "(i) 1/lambda_L = o(L); "
            "(ii) lambda_L = o(1/L)", "d": ">= K"},
))


def is_diagonally_superior(M) -> bool:
    """Every column's largest entry is strictly on the diagonal (`gk` Definition 3), K×K."""
    M = np.asarray(M, dtype=float)
    K = M.shape[0]
    return all(M[c, c] > np.max(np.delete(M[:, c], c)) for c in range(K))


@claim.check("exact", "q_2 = 1 and no rank-one diagonally superior matrix for K >= 3",
             method="A rank-one M = u v^T has margins M_{c'c} - M_{cc} = v_c (u_{c'} - u_c). "
                    "Diagonal superiority of K >= 3 columns restricts to any 3 of them, so it "
                    "suffices that no choice of signs of (v_a, v_b, v_c) in {-, 0, +}^3 and weak "
                    "order of (u_a, u_b, u_c) (13 orders) makes all six margins negative: an "
                    "exhaustive case analysis (351 cases). K = 2: [[1, -1], [-1, 1]] has rank 1 "
                    "and is diagonally superior.")
def rank_one(quick: bool) -> Outcome:
    def weak_orders(k):
        # assign each index a rank 0..k-1 (ties allowed), keep the order patterns
        seen = set()
        for ranks in itertools.product(range(k), repeat=k):
            used = sorted(set(ranks))
            norm = tuple(used.index(r) for r in ranks)
            seen.add(norm)
        return sorted(seen)

    orders = weak_orders(3)
    satisfying = []
    cases = 0
    for signs in itertools.product((-1, 0, 1), repeat=3):
        for u in orders:
            cases += 1
            ok = all(signs[c] * (u[cp] - u[c]) < 0 for c in range(3) for cp in range(3)
                     if cp != c)
            if ok:
                satisfying.append((signs, u))
    M2 = sympy.Matrix([[1, -1], [-1, 1]])
    k2 = M2.rank() == 1 and is_diagonally_superior(np.array(M2.tolist(), dtype=float))
    ok = not satisfying and k2 and len(orders) == 13
    return Outcome(passed=ok, result={"cases": cases, "weak_orders": len(orders),
                                      "rank_one_superior_3x3": len(satisfying),
                                      "K2_rank_one_example": k2},
                   parameters={}, key=("cases", "rank_one_superior_3x3", "K2_rank_one_example"))


@claim.check("rigorous", "the rank-2 unit-vector construction (q_K <= 2)",
             method="M = V V^T with v_c = (cos 2 pi c/K, sin 2 pi c/K): diagonal 1, off-diagonal "
                    "cos(2 pi j/K) with j/K not an integer, hence < 1 (exact); rank <= 2 as a Gram "
                    "matrix of vectors in R^2, and = 2 because det(V^T V) is certified > 0 with Arb "
                    "balls (it equals K^2/4 for K >= 3). K = 3..60 (quick 3..12).")
def rank_two(quick: bool) -> Outcome:
    Kmax = 12 if quick else 60
    bad = []
    with arb_precision(128):
        for K in range(3, Kmax + 1):
            superior = all(sympy.Rational(j, K).q != 1 for j in range(1, K))
            c = [flint.arb(flint.fmpq(2 * k, K)).cos_pi() for k in range(K)]
            s = [flint.arb(flint.fmpq(2 * k, K)).sin_pi() for k in range(K)]
            a = sum((x * x for x in c), flint.arb(0))
            b = sum((x * y for x, y in zip(c, s, strict=True)), flint.arb(0))
            d = sum((y * y for y in s), flint.arb(0))
            det = a * d - b * b
            if not (superior and det > 0 and (det - flint.arb(K * K) / 4).contains(0)):
                bad.append(K)
    M = unit_vector_gram(5)
    rank_symbolic = M.rank(simplify=True)
    ok = not bad and rank_symbolic == 2
    return Outcome(passed=ok, result={"K_checked": [3, Kmax], "failures": bad,
                                      "rank_K5_symbolic": rank_symbolic},
                   parameters={"arb_bits": 128}, key=("K_checked", "failures", "rank_K5_symbolic"))


def _best_optimum(K: int, L_factors: int, lam: float, seeds: int, rng: np.random.Generator):
    """Best critical point of the deep linear UFM with ``L_factors`` factors (K×K, n = 1) and
    weight decay ``lam`` on each, from random and structured starts, polished with L-BFGS."""
    cfg = DUFMConfig(K=K, n=1, d=K, L=L_factors - 1, lam=lam)
    starts = []
    for _ in range(seeds if L_factors <= 8 else 0):  # deep random starts rarely help
        starts.append([rng.standard_normal(s) * 1.0 for s in cfg.shapes])
    # a start near the rank-2 construction, balanced factors of 6 * unit_vector_gram
    G = 6.0 * np.array(sympy.N(unit_vector_gram(K), 20).tolist(), dtype=float)
    U, s, Vt = np.linalg.svd(G)
    R = np.diag(s ** (1.0 / L_factors))
    fac = [R @ Vt] + [R] * (L_factors - 2) + [U @ R]
    starts.append([f + 0.01 * rng.standard_normal(f.shape) for f in fac])
    # the zero solution is a critical point for L_factors >= 2 with loss g(0) = log K
    best_loss, best_Z = float(np.log(K)), np.zeros((K, K))
    for P in starts:
        res = polish(cfg, P, gtol=1e-8, maxiter=2000)
        if res.loss < best_loss:
            Z = res.params[0]
            for W in res.params[1:]:
                Z = W @ Z
            best_loss, best_Z = res.loss, Z
    return best_loss, best_Z


@claim.check("empirical", "optimal solutions for growing L under both scalings",
             method="Reduced loss g(Z) + L lam_L sum s_i^{2/L} (B.5 notation, L factors) minimised "
                    "as the deep linear UFM with L factors, K = 4, n = 1, d = K (weight decay "
                    "2 lam_L per factor), from 2 random starts (for L <= 8) and one near the rank-2 "
                    "construction, polished with L-BFGS, and compared with the critical point "
                    "Z = 0 (loss log K). (i) lam_L = 0.15 / sqrt(L): the optimum is "
                    "non-zero at L = 2 and must be Z = 0 (loss log K) for all L beyond some L_0. "
                    "(ii) lam_L = 0.05 / L^2: Z* must be diagonally superior at the three (quick: "
                    "two) largest L and the normalised Z^ must have at most q_K = 2 singular values above "
                    "1e-6 there.")
def optimal_structure(quick: bool) -> Outcome:
    rng = np.random.default_rng(3)
    K = 4
    Ls_i = [2, 16] if quick else [2, 4, 8, 16, 24, 32]
    Ls_ii = [5, 7] if quick else [3, 4, 6, 8, 10]
    seeds = 1 if quick else 2
    rows_i, rows_ii = [], []
    for L in Ls_i:
        lam = 0.15 / np.sqrt(L)
        loss, Z = _best_optimum(K, L, 2 * lam, seeds, rng)
        rows_i.append({"L": L, "lam_L": lam, "loss": loss, "log_K": float(np.log(K)),
                       "norm_Z": float(np.linalg.norm(Z))})
    for L in Ls_ii:
        lam = 0.05 / L**2
        loss, Z = _best_optimum(K, L, 2 * lam, seeds, rng)
        s = np.linalg.svd(Z / np.linalg.norm(Z), compute_uv=False)
        rows_ii.append({"L": L, "lam_L": lam, "loss": loss, "diag_superior":
                        is_diagonally_superior(Z), "normalised_singular_values": s.tolist()})
    zero_from = next((r["L"] for r in rows_i if all(q["norm_Z"] < 1e-6 for q in rows_i
                                                    if q["L"] >= r["L"])), None)
    for r in rows_ii:
        r["non_negligible (>1e-6)"] = int(sum(v > 1e-6 for v in r["normalised_singular_values"]))
    tail = rows_ii[-2:] if quick else rows_ii[-3:]
    superior_tail = all(r["diag_superior"] for r in tail)
    at_most_qK = all(r["non_negligible (>1e-6)"] <= 2 for r in tail)
    nonzero_early = bool(rows_i[0]["norm_Z"] > 1e-3)
    ok = zero_from is not None and nonzero_early and superior_tail and at_most_qK
    return Outcome(passed=ok, result={
        "scaling_i": rows_i, "Z_zero_for_all_L_from": zero_from,
        "Z_nonzero_at_smallest_L": nonzero_early,
        "scaling_ii": rows_ii, "at_most_q_K_non_negligible_at_largest_L": at_most_qK,
        "diagonally_superior_at_largest_L": superior_tail},
        parameters={"K": K, "n": 1, "d": K, "starts": seeds + 1, "gtol": 1e-9,
                    "lam_i": "0.15/sqrt(L)", "lam_ii": "0.05/L^2"},
        key=())
