"""`gk` Theorem A2 (App. A.1, proof in C.2): Theorem 3 with imbalanced classes.  The new steps of
the proof are checked: the lower bound (1/N) log 2 on the fit of a matrix that is not (K; n)
diagonally superior, and the equality of the minimal ranks q (K×K) and q̃ (K×N)."""

from __future__ import annotations

import numpy as np
import sympy

from ncverify.claims import Claim, Outcome, register
from ncverify.exact.matrices import to_fmpq_mat
from ncverify.models.constructions import unit_vector_gram
from ncverify.models.etf import class_labels
from ncverify.models.imbalance import is_generalised_diagonally_superior, repeat_columns
from ncverify.models.losses import mean_cross_entropy
from ncverify.papers.gk.thm3 import is_diagonally_superior

__all__ = ["claim"]

STATEMENT = r"""**Theorem A2:** *Consider a sequence of deep linear UFM optimization problems indexed by the number of layers  $L = 1, 2, 3, \dots$ . Assume the regularization parameter obeys  $\lambda_L > 0$  for all  $L$ , that there are  $K$  classes of sizes  $n_1, \dots, n_K$  respectively, and the network width obeys  $d \geq K$ . Let  $\mathcal{L}_L$  denote the corresponding loss functions, making the dependence on  $L$  explicit. Let  $Z_L^*$  represent the network output at a global optimum of  $\mathcal{L}_L$ . Define the minimal rank of a diagonally superior matrix in  $\mathbb{R}^{K \times K}$  to be  $q_K$ . Then:* [(i) and (ii) as in Theorem 3.]

[C.2:] Since  $Z$  is not  $(K; n_1, \dots, n_K)$  diagonally superior, there exists values  $c' \neq c$ ,  $i$  such that  $(z_{ic})_{c'} - (z_{ic})_c \geq 0$ . This implies that the fit term is bounded below  $g(Z, Y) \geq \frac{1}{N} \log(2)$ . [...] First note clearly  $\tilde{q} \leq q$  since we could just column repeats of the solution in the diagonally superior case. Also  $q \leq \tilde{q}$ , since we can just select individual columns from the  $(K; n_1, \dots, n_K)$  diagonally superior case, and the resulting matrix will have at most the same rank and will be diagonally superior in  $\mathbb{R}^{K \times K}$ ."""

claim = register(Claim(
    id="gk.thmA2",
    paper="gk",
    label="Theorem A2",
    title="Imbalanced Theorem 3: fit lower bound and minimal rank of generalised superiority",
    source="001_015071d9d71e7d05.txt, Appendix A.1 (Theorem A2) and Appendix C.2",
    statement=STATEMENT,
    domain={"classes": "sizes n_1..n_K", "L": "-> infinity"},
))


@claim.check("exact", "fit lower bound (1/N) log 2 for non-superior matrices",
             method="Symbolic: a column whose margin m = (z_ic)_{c'} - (z_ic)_c >= 0 contributes "
                    "log(1 + e^m + (other positive terms)) >= log(1 + e^0) = log 2 to N g(Z), and "
                    "every other column contributes > 0 (SymPy: log(1 + e^m + s) - log 2 >= 0 for "
                    "m, s >= 0). Numerically on 2000 random non-superior matrices with imbalanced "
                    "sizes: g(Z) >= log(2)/N.")
def fit_bound(quick: bool) -> Outcome:
    m, s = sympy.symbols("m s", nonnegative=True)
    expr = sympy.log(1 + sympy.exp(m) + s) - sympy.log(2)
    # monotone in m and s, zero at m = s = 0
    symbolic = (sympy.diff(expr, m).is_nonnegative and sympy.diff(expr, s).is_nonnegative
                and sympy.simplify(expr.subs({m: 0, s: 0})) == 0)
    rng = np.random.default_rng(0)
    worst = np.inf
    trials = 200 if quick else 2000
    for _ in range(trials):
        K = int(rng.integers(2, 7))
        sizes = [int(x) for x in rng.integers(1, 6, size=K)]
        labels = class_labels(K, sizes)
        Z = rng.standard_normal((K, len(labels))) * rng.uniform(0.1, 20)
        j = int(rng.integers(len(labels)))  # force one violating column
        c = labels[j]
        other = (c + 1) % K
        Z[other, j] = Z[c, j] + abs(rng.standard_normal())
        worst = min(worst, float(mean_cross_entropy(Z, labels)) * len(labels) - np.log(2))
    ok = bool(symbolic) and worst >= -1e-12
    return Outcome(passed=ok, result={"symbolic_bound": bool(symbolic), "trials": trials,
                                      "min_N_g_minus_log2": worst},
                   parameters={"seed": 0}, key=("symbolic_bound", "trials"))


@claim.check("exact", "minimal ranks: q~ (K x N) = q (K x K)",
             method="q~ <= q: repeating the columns of the rank-2 unit-vector Gram matrix per class "
                    "size keeps rank 2 and gives a (K; n) diagonally superior matrix (exact rational, "
                    "K = 3, 4, 6, random sizes; ranks with python-flint). q <= q~: from random exact rational (K; n) diagonally "
                    "superior matrices (random entries, boosted diagonal rows), selecting one column "
                    "per class gives a diagonally superior K x K matrix of no larger rank.")
def minimal_ranks(quick: bool) -> Outcome:
    rng = np.random.default_rng(1)
    rep_ok, sel_ok, count = True, True, 0
    for K in ((3, 4) if quick else (3, 4, 6)):  # the K where the Gram entries are rational
        sizes = [int(x) for x in rng.integers(1, 4, size=K)]
        G = sympy.nsimplify(unit_vector_gram(K))
        Gt = repeat_columns(G, sizes)
        rep_ok &= (to_fmpq_mat(Gt).rank() == 2 and is_generalised_diagonally_superior(Gt, sizes))
        for _ in range(3 if quick else 10):
            cols = []
            for c, n in enumerate(sizes):
                for _ in range(n):
                    v = [sympy.Rational(int(rng.integers(-5, 6)), int(rng.integers(1, 4)))
                         for _ in range(K)]
                    v[c] = max(v) + sympy.Rational(int(rng.integers(1, 4)), 2)
                    cols.append(v)
            Mt = sympy.Matrix(cols).T
            assert is_generalised_diagonally_superior(Mt, sizes)
            starts = np.cumsum([0] + sizes[:-1])
            picked = sympy.Matrix.hstack(*[Mt[:, int(s)] for s in starts])
            sel_ok &= (is_diagonally_superior(np.array(picked.tolist(), dtype=float))
                       and to_fmpq_mat(picked).rank() <= to_fmpq_mat(Mt).rank())
            count += 1
    ok = rep_ok and sel_ok
    return Outcome(passed=ok, result={"repetition_keeps_rank_and_superiority": rep_ok,
                                      "selection_keeps_superiority_rank_not_larger": sel_ok,
                                      "random_matrices": count},
                   parameters={"seed": 1}, key=("repetition_keeps_rank_and_superiority",
                                                "selection_keeps_superiority_rank_not_larger",
                                                "random_matrices"))
