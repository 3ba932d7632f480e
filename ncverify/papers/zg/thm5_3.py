"""`zg` Theorem 5.3 (proof in App. A.4) and the Figure 2 experiment (§6.2): the minimisers of
the full and the centroid-based regularised squared losses, ``W* = YXᵀ(XXᵀ+λI)^{-1}`` and
``Ŵ* = ŶX̂ᵀ(X̂X̂ᵀ+λI)^{-1}`` (rank <= k), are within ``(N/λ)WCSS + (N‖ŶX̂ᵀ‖/λ²)WCSS_X``.

The extracted text lost the formulas; the statement is reconstructed from the prose (quoted
verbatim) and re-derived from the proof's steps, Eqs. (26)-(34) (see ``STATEMENT``).  Checks:
the proof's identities exactly (SymPy, python-flint); the inequality proven with Arb balls on
rational data; float64 screening of random Gaussian-blob data with the tightest cases re-checked
at 40 digits and the proof's constants shown sharp; Figure 2 (closed forms, confirmed by
training the four-layer deep linear autoencoder with the engine).

Findings: (1) the proof bounds ``‖(X̂X̂ᵀ + λI + tE)^{-1}‖`` by 1/λ, true for the spectral norm but
not for the Frobenius norm that App. A.1 fixes for ‖·‖ (the theorem survives because
‖ABC‖_F <= ‖A‖₂‖B‖_F‖C‖₂).  (2) The theorem is about the end-to-end penalty of Remark 5.2;
for the four-layer network of §6.2 trained with the weight decay of Eq. (3) it is false: the
per-layer minimiser has a hard threshold, and data whose centroid eigenvalue sits just below
it give ``‖W* − Ŵ*‖ ≈ 2/3`` against a bound of order σ².  (3) Figure 2's quadratic growth in σ
holds (slope 2.00) with the centroids of the data, as the theorem requires; with the blob
means as centroids ("approximated centroids", §6.2) the small-σ slope is 1.
"""

from __future__ import annotations

import math
from fractions import Fraction

import flint
import mpmath
import numpy as np
import sympy

from ncverify.claims import Claim, Discrepancy, Outcome, register
from ncverify.engine.mlp import MLPConfig, polish_mlp, train_mlp
from ncverify.models.clusters import sample_gaussian_mixture
from ncverify.models.deep_linear import (
    centroid_distance_bound,
    centroid_matrices,
    deep_product,
    ridge_minimizer,
    squared_loss,
    weight_decay_autoencoder_minimizer,
    weight_decay_threshold,
)
from ncverify.rigorous.balls import arb_precision

__all__ = ["claim", "figure2_distances", "four_layer_threshold_example"]

STATEMENT = r"""[Reconstructed: the extracted text (004_b40eaf01881f9599.txt) lost every formula of Section 5 and Appendix A.4; the surviving prose is quoted verbatim in quotation marks, our reconstruction in square brackets. Setting as in zg.thm5_1: X ∈ R^{d×N}, Y ∈ R^{p×N}, 𝓛_λ(W) = ½‖Y − WX‖_F² + (λ/2)‖W‖_F², λ > 0, X̃, Ỹ of Eq. (18); ‖·‖ is the Frobenius norm (App. A.1); WCSS is Eq. (6) at layer 0 with the 1/N average (see zg.prop4_1).]

"Next we prove a result analogue to Theorem 3.4 controlling the distance between the minimizers of the full and the centroid-based loss in terms of the total cluster variation. [...] First, recall that any minimizer of the centroid-based loss has rank smaller than or equal to the cardinality of the partition. Moreover, define (20)" [X̂ = [x̂_1 1_{N_1}ᵀ, ..., x̂_k 1_{N_k}ᵀ] ∈ R^{d×N}, Ŷ = [ŷ_1 1_{N_1}ᵀ, ..., ŷ_k 1_{N_k}ᵀ] ∈ R^{p×N}] "where" [x̂_j] "and" [ŷ_j] "are the centroids of the" [C_j^X] "and" [C_j^Y], "repsectively," [N_j] "is the cardinality of" [C_j], "and" [x̂_j 1_{N_j}ᵀ] "denotes the matrix obtained by stacking aside" [N_j] "copies of the vector" [x̂_j]. "We also denote the minimizers of" [𝓛_λ] "and" [𝓛̂_λ(W) = ½ Σ_j N_j ‖ŷ_j − W x̂_j‖² + (λ/2)‖W‖² = ½‖Ŷ − WX̂‖² + (λ/2)‖W‖²] "(recall (8)) as" [W*] "and" [Ŵ*], "respectively. Then, Theorem 5.1 and Remark 5.2 yield (21)" [W* = ỸX̃ᵀ(X̃X̃ᵀ)^{−1} = YXᵀ(XXᵀ + λI)^{−1},  Ŵ* = ŶX̂ᵀ(X̂X̂ᵀ + λI)^{−1}] "where" [X̂̃] "and" [Ŷ̃] "are defined analogously to" [X̃] "and" [Ỹ] "(see (18))."

Theorem 5.3 (Linear case: minimizers of the full and centroid-based loss are close for clustered data). [For every partition 𝒞 = {C_1, ..., C_k} of the N samples and λ > 0,
    ‖W* − Ŵ*‖ ≤ (N/λ) WCSS(𝒞) + (N ‖ŶX̂ᵀ‖/λ²) WCSS_X(𝒞),
with WCSS(𝒞) = (1/N) Σ_j Σ_{i∈C_j} (‖x_i − x̂_j‖² + ‖y_i − ŷ_j‖²) and WCSS_X(𝒞) = (1/N) Σ_j Σ_{i∈C_j} ‖x_i − x̂_j‖². The proof's chain gives the sharper ‖W* − Ŵ*‖ ≤ ‖Σ_j (Y_j − Ŷ_j)(X_j − X̂_j)ᵀ‖/λ + ‖ŶX̂ᵀ‖₂ ‖Σ_j (X_j − X̂_j)(X_j − X̂_j)ᵀ‖/λ².]

"Recalling that" [rank Ŵ* ≤ k], "Theorem 5.3 establishes that, for well-clustered data," [W*] "is approximately low rank when" [N·WCSS(𝒞) ≪ λ] "or, trivially, when" [...] "is small."

Proof (App. A.4, reconstructed steps): "Let" [X_j] "be the submatrix of" [X] "corresponding to the columns" [i ∈ C_j] "and" [Y_j] "be the submatrix of" [Y] "corresponding to the columns" [i ∈ C_j]. "On the one hand, we have (26)" [XXᵀ = Σ_j X_j X_jᵀ = X̂X̂ᵀ + Σ_j (X_j − X̂_j)(X_j − X̂_j)ᵀ]. "On the other hand, we see that (27)" [YXᵀ = ŶX̂ᵀ + Σ_j (Y_j − Ŷ_j)(X_j − X̂_j)ᵀ]. "Moreover, recalling the definition (18) of" [X̃] "and" [Ỹ], "we observe that (28)" [X̃X̃ᵀ − X̂̃X̂̃ᵀ = XXᵀ − X̂X̂ᵀ, ỸX̃ᵀ = YXᵀ]. "Now, combining the explicit expressions of" [W*] "and" [Ŵ*] "in (21) with equations (27) and (26), we see that (29)" [W* − Ŵ* = Σ_j (Y_j − Ŷ_j)(X_j − X̂_j)ᵀ (X̃X̃ᵀ)^{−1} + ŶX̂ᵀ((X̃X̃ᵀ)^{−1} − (X̂̃X̂̃ᵀ)^{−1})]. [...] "Next, we use the expression of the Fréchet derivative of the matrix inverse function" [f(A) = A^{−1}], "given by" [Df(A)[H] = −A^{−1}HA^{−1}], "to obtain (32)" [‖(X̃X̃ᵀ)^{−1} − (X̂̃X̂̃ᵀ)^{−1}‖ ≤ (1/λ²)‖Σ_j (X_j − X̂_j)(X_j − X̂_j)ᵀ‖ ≤ (N/λ²) WCSS_X]. "Here we have also used the 1st order Lagrange remainder expression of the Fréchet derivative [...], equation (30) and the bound" [‖(X̂̃X̂̃ᵀ + t(X̃X̃ᵀ − X̂̃X̂̃ᵀ))^{−1}‖ ≤ 1/λ] "(the last follows from the fact that" [X̂̃X̂̃ᵀ + t(...)] "is composed by the sum of" [λI] "and a positive semidefinite matrix, which, in turn, implies that its eigenvalues are larger than or equal to" [λ]")." [...] "Finally, we obtain (34)" [the bound of the theorem].

§6.2 (Figure 2): "We train a four-layer, fully connected, deep linear autoencoder (with the same architecture as in Section 4, but deprived of the nonlinearities) on an autoencoding task over a dataset composed of a mixture of isotropic Gaussian distributions, each of them with variance" [σ²]. "Since we know the approximated centroids of each Gaussian blob, we are able to compute the centroid-based loss. We thus train the network for different values of" [σ and λ], "both on the centroid-based and the full loss function. At convergence, we construct the product matrices" [W* = W_4⋯W_1] "and" [Ŵ*] "and we compute their Euclidean distance" [‖W* − Ŵ*‖]. "In Figure 2 (left) we plot this distance as a function of" [λ] "and for different values of" [σ]. "In Figure 2 (right) we instead visualize the distance as a function of" [σ] "for different regularization parameters" [λ]. "The numerical results are in line with the theoretical findings of Sections 4 and 5, showing a quadratic growth of the distance with respect to" [σ] "and a decreasing trend in" [λ]"."""

claim = register(Claim(
    id="zg.thm5_3",
    paper="zg",
    label="Theorem 5.3",
    title="Minimisers of the full and centroid-based regularised squared losses are close for "
          "clustered data (with Figure 2)",
    source="004_b40eaf01881f9599.txt, Section 5 (Eqs. 20-21, Theorem 5.3), Appendix A.4 "
           "(Eqs. 26-34), Section 6.2 (Figure 2)",
    statement=STATEMENT,
    domain={"lambda": "> 0", "partition": "any partition of the N samples into k sets",
            "X, Y": "any real d x N and p x N", "norm": "Frobenius (App. A.1)",
            "Figure 2": "four-layer deep linear autoencoder, isotropic Gaussian blobs, "
                        "sigma and lambda varied"},
    reconstructed=True,
))


# ------------------------------------------------------------------------------ exact


def _frac_matrix(rows: list[list[Fraction]]) -> flint.fmpq_mat:
    return flint.fmpq_mat([[flint.fmpq(x.numerator, x.denominator) for x in r] for r in rows])


def _rational_clusters(rng: np.random.Generator, k: int, d: int, p: int, sizes: list[int],
                       spread: int = 2) -> tuple[flint.fmpq_mat, flint.fmpq_mat, np.ndarray]:
    """Rational clustered data: integer cluster centres in [−4, 4], deviations m/q (|m| <=
    spread, q in 4..8) per entry; returns (X, Y, labels)."""
    labels = np.repeat(np.arange(k), sizes)
    centres = rng.integers(-4, 5, size=(k, d + p))
    cols = []
    for c in labels:
        cols.append([Fraction(int(centres[c, a])) + Fraction(int(rng.integers(-spread, spread + 1)),
                                                             int(rng.integers(4, 9)))
                     for a in range(d + p)])
    rows = [[cols[i][a] for i in range(len(cols))] for a in range(d + p)]
    return _frac_matrix(rows[:d]), _frac_matrix(rows[d:]), labels


def _centroids(M: flint.fmpq_mat, labels: np.ndarray) -> flint.fmpq_mat:
    """Every column replaced by its cluster mean (exact)."""
    out = flint.fmpq_mat(M.nrows(), M.ncols())
    for c in np.unique(labels):
        idx = [int(i) for i in np.flatnonzero(labels == c)]
        for r in range(M.nrows()):
            mean = sum((M[r, i] for i in idx), flint.fmpq(0)) / len(idx)
            for i in idx:
                out[r, i] = mean
    return out


def _eye(n: int, lam: Fraction = Fraction(1)) -> flint.fmpq_mat:
    E = flint.fmpq_mat(n, n)
    for i in range(n):
        E[i, i] = flint.fmpq(lam.numerator, lam.denominator)
    return E


def _fro2(M: flint.fmpq_mat) -> flint.fmpq:
    return sum((x * x for x in M.entries()), flint.fmpq(0))


def _psd_exact(S: flint.fmpq_mat) -> bool:
    """A symmetric rational S is positive semidefinite iff the coefficients of det(xI − S)
    alternate in sign (its roots are real; Descartes' rule of signs)."""
    c = list(S.charpoly().coeffs())  # c[i] multiplies x^i
    n = len(c) - 1
    return all((-1) ** (n - i) * c[i] >= 0 for i in range(n + 1))


def _exact_pieces(X: flint.fmpq_mat, Y: flint.fmpq_mat, labels: np.ndarray, lam: Fraction
                  ) -> dict[str, flint.fmpq_mat]:
    Xh, Yh = _centroids(X, labels), _centroids(Y, labels)
    d = X.nrows()
    C = X * X.transpose() + _eye(d, lam)
    Ch = Xh * Xh.transpose() + _eye(d, lam)
    Ci, Chi = C.inv(), Ch.inv()
    return {"Xh": Xh, "Yh": Yh, "EX": X - Xh, "EY": Y - Yh, "Ci": Ci, "Chi": Chi,
            "W": Y * X.transpose() * Ci, "Wh": Yh * Xh.transpose() * Chi}


def _instances(quick: bool, count_quick: int, count_full: int, seed: int):
    rng = np.random.default_rng(seed)
    lams = (Fraction(1, 2), Fraction(2), Fraction(10))
    for t in range(count_quick if quick else count_full):
        k = 2 + t % 2
        d, p = 2 + t % 3, 1 + t % 2
        sizes = [int(rng.integers(1, 4)) for _ in range(k)]
        X, Y, labels = _rational_clusters(rng, k, d, p, sizes)
        yield t, k, X, Y, labels, lams[t % 3]


@claim.check("exact", "the proof's identities (26)-(29) and rank of the centroid minimiser",
             method="(a) SymPy, generic symbolic entries: one cluster (n = 3, d = 2, p = 1): "
                    "X_j X_j^T = n xhat xhat^T + (X_j - Xhat_j)(X_j - Xhat_j)^T and Y_j X_j^T = n "
                    "yhat xhat^T + (Y_j - Yhat_j)(X_j - Xhat_j)^T (Eqs. 26-27: the cross terms "
                    "vanish by the centroid definition); two clusters (sizes 2, 3) and symbolic "
                    "W: L(W) = Lhat(W) + 1/2||E_Y - W E_X||^2 (Eq. 8 with N_j weights). (b) exact "
                    "rational clustered data (python-flint fmpq_mat), lam in {1/2, 2, 10}: Eq. "
                    "(29) W* - What* = E_Y E_X^T (XX^T + lam I)^{-1} + Yhat Xhat^T ((XX^T + lam "
                    "I)^{-1} - (Xhat Xhat^T + lam I)^{-1}) holds exactly; W*, What* have zero "
                    "gradient for the full and the centroid-based loss; rank What* <= k. Also "
                    "reported: the minimiser of the unweighted centroid loss sum_j 1/2||yhat_j - "
                    "W xhat_j||^2 differs from What* when the N_j differ (the N_j weights of Eq. "
                    "(20) are needed).")
def exact_identities(quick: bool) -> Outcome:
    # (a) symbolic
    n = 3
    xs = sympy.Matrix(2, n, lambda a, i: sympy.Symbol(f"x{a}{i}"))
    ys = sympy.Matrix(1, n, lambda a, i: sympy.Symbol(f"y{i}"))
    xh = xs * sympy.ones(n, 1) / n
    yh = ys * sympy.ones(n, 1) / n
    EX, EY = xs - xh * sympy.ones(1, n), ys - yh * sympy.ones(1, n)
    eq26 = (xs * xs.T - n * xh * xh.T - EX * EX.T).expand().is_zero_matrix
    eq27 = (ys * xs.T - n * yh * xh.T - EY * EX.T).expand().is_zero_matrix
    Xs = sympy.Matrix(2, 5, lambda a, i: sympy.Symbol(f"u{a}{i}"))
    Ys = sympy.Matrix(1, 5, lambda a, i: sympy.Symbol(f"v{i}"))
    Ws = sympy.Matrix(1, 2, lambda a, b: sympy.Symbol(f"w{b}"))
    lab = np.array([0, 0, 1, 1, 1])
    Xh, Yh = centroid_matrices(Xs, Ys, lab)
    decomposition = sympy.expand(squared_loss(Ws, Xs, Ys) - squared_loss(Ws, Xh, Yh)
                                 - squared_loss(Ws, Xs - Xh, Ys - Yh)) == 0
    # (b) rational instances
    rows, ok = [], bool(eq26 and eq27 and decomposition)
    for t, k, X, Y, labels, lam in _instances(quick, 2, 6, 5301):
        P = _exact_pieces(X, Y, labels, lam)
        rhs = P["EY"] * P["EX"].transpose() * P["Ci"] + P["Yh"] * P["Xh"].transpose() * (
            P["Ci"] - P["Chi"])
        eq29 = (P["W"] - P["Wh"]) == rhs
        lamI = _eye(X.nrows(), lam)
        g_full = (P["W"] * X - Y) * X.transpose() + P["W"] * lamI
        g_cent = (P["Wh"] * P["Xh"] - P["Yh"]) * P["Xh"].transpose() + P["Wh"] * lamI
        stationary = all(x == 0 for x in g_full.entries()) and all(
            x == 0 for x in g_cent.entries())
        rank = int(P["Wh"].rank())
        # unweighted reading: one column per cluster
        firsts = [int(np.flatnonzero(labels == c)[0]) for c in np.unique(labels)]
        Xu = flint.fmpq_mat([[P["Xh"][r, i] for i in firsts] for r in range(X.nrows())])
        Yu = flint.fmpq_mat([[P["Yh"][r, i] for i in firsts] for r in range(Y.nrows())])
        Wu = Yu * Xu.transpose() * (Xu * Xu.transpose() + lamI).inv()
        sizes = np.bincount(labels).tolist()
        rows.append({"instance": t, "k": k, "sizes": sizes, "lam": str(lam),
                     "eq29": bool(eq29), "stationary": bool(stationary), "rank_What": rank,
                     "unweighted_minimiser_differs": bool(Wu != P["Wh"])})
        ok &= bool(eq29 and stationary and rank <= k)
    return Outcome(passed=bool(ok), result={
        "eq26_symbolic": bool(eq26), "eq27_symbolic": bool(eq27),
        "loss_decomposition_symbolic": bool(decomposition), "instances": rows,
        "all_hold": bool(ok)},
        parameters={"seed": 5301, "lambda": ["1/2", "2", "10"],
                    "arithmetic": "SymPy and python-flint fmpq_mat"},
        key=("eq26_symbolic", "eq27_symbolic", "loss_decomposition_symbolic", "instances",
             "all_hold"))


# ------------------------------------------------------------------------------ rigorous


@claim.check("rigorous", "the bound on exact rational data, proven with Arb balls",
             method="Exact rational clustered data (k = 2, 3; d = 2..4; p = 1, 2; cluster sizes "
                    "1..3; lam in {1/2, 2, 10}); W*, What*, E_X, E_Y exactly (fmpq_mat); every "
                    "squared Frobenius norm is rational, so the chain ||W* - What*|| <= "
                    "||E_Y E_X^T||/lam + ||Yhat Xhat^T||_F ||E_X E_X^T||_F/lam^2 (the proof with "
                    "Frobenius norms throughout) <= (N/lam) WCSS + (N||Yhat Xhat^T||_F/lam^2) "
                    "WCSS_X (the statement) is decided with Arb square roots at 128 bits. Also: "
                    "the proof's bound ||(Xhat Xhat^T + lam I + tE)^{-1}|| <= 1/lam at t = 0, 1 "
                    "for the spectral norm (1/(lam + smallest eigenvalue of S), S = Xhat Xhat^T "
                    "or XX^T; S >= 0 decided exactly by the sign pattern of its characteristic "
                    "polynomial) and for the Frobenius norm (||A^{-1}||_F^2 exactly).")
def arb_bound(quick: bool) -> Outcome:
    proven, failed, undecided = 0, [], 0
    fro_violations, spectral_ok, cases, margin = 0, 0, 0, math.inf
    with arb_precision(128):
        for t, _k, X, Y, labels, lam in _instances(quick, 6, 30, 5302):
            P = _exact_pieces(X, Y, labels, lam)
            lam_a = flint.arb(flint.fmpq(lam.numerator, lam.denominator))
            dist = flint.arb(_fro2(P["W"] - P["Wh"])).sqrt()
            cross = flint.arb(_fro2(P["EY"] * P["EX"].transpose())).sqrt()
            scatter = flint.arb(_fro2(P["EX"] * P["EX"].transpose())).sqrt()
            m = flint.arb(_fro2(P["Yh"] * P["Xh"].transpose())).sqrt()
            wx = flint.arb(_fro2(P["EX"]))  # N * WCSS_X
            wxy = wx + flint.arb(_fro2(P["EY"]))  # N * WCSS
            proof = cross / lam_a + m * scatter / lam_a**2
            statement = wxy / lam_a + m * wx / lam_a**2
            if dist <= proof and proof <= statement:
                proven += 1
            elif dist > proof or proof > statement:
                failed.append(t)
            else:
                undecided += 1
            if dist > 0:
                margin = min(margin, float((statement / dist).mid()))
            # the inverse bound of the proof in the Frobenius norm, t = 0 (Ch) and t = 1 (C)
            for inv, S in ((P["Chi"], P["Xh"] * P["Xh"].transpose()), (P["Ci"], X * X.transpose())):
                cases += 1
                fro_violations += int(_fro2(inv) > flint.fmpq(lam.denominator**2,
                                                              lam.numerator**2))
                spectral_ok += int(_psd_exact(S))  # S >= 0 <=> ||(S + lam I)^{-1}||_2 <= 1/lam
    total = 6 if quick else 30
    ok: bool | None = proven == total
    result = {"instances": total, "proven": proven, "failed": failed, "undecided": undecided,
              "min_statement_over_distance": margin,
              "frobenius_inverse_bound_violations": fro_violations,
              "spectral_inverse_bound_holds": spectral_ok, "inverse_bound_cases": cases}
    if failed or spectral_ok != cases:
        ok = False
    elif undecided:
        ok, result["reason"] = None, "Arb balls overlapped"
    disc = []
    if ok and fro_violations > 0:
        disc.append(Discrepancy(
            kind="undefined-notation",
            published="App. A.4, proof of (32)-(33): 'the bound [‖(X̂̃X̂̃ᵀ + t(X̃X̃ᵀ − X̂̃X̂̃ᵀ))^{−1}‖ "
                      "≤ 1/λ] (the last follows from the fact that [it] is composed by the sum "
                      "of [λI] and a positive semidefinite matrix, which, in turn, implies that "
                      "its eigenvalues are larger than or equal to [λ])', with ‖·‖ the Frobenius "
                      "norm for matrices (App. A.1)",
            computed="the eigenvalue argument bounds the spectral norm, ‖(λI + S)^{−1}‖₂ ≤ 1/λ; "
                     "the Frobenius norm of the inverse is up to √d/λ. The spectral norm, never "
                     "introduced in the paper, is needed for this factor; the theorem's bound "
                     "still holds because ‖ABC‖_F ≤ ‖A‖₂‖B‖_F‖C‖₂ (proven here on every "
                     "instance)",
            evidence=f"exact rational instances (d = 2..4), t = 0 and t = 1: ‖(·)^{{−1}}‖_F > "
                     f"1/λ in {fro_violations} of {cases} cases, spectral norm ≤ 1/λ in "
                     f"{spectral_ok} of {cases} (exact: X̂X̂ᵀ, XXᵀ ⪰ 0 by their characteristic "
                     f"polynomials); "
                     f"the Arb-proven chain ‖W* − Ŵ*‖ ≤ proof bound ≤ statement bound held on "
                     f"{proven} of {total}",
            location="004_b40eaf01881f9599.txt, Appendix A.4 (after Eq. 32) and A.1"))
    return Outcome(passed=ok, result=result,
                   parameters={"precision_bits": 128, "seed": 5302,
                               "lambda": ["1/2", "2", "10"]},
                   key=("instances", "proven", "failed", "frobenius_inverse_bound_violations",
                        "spectral_inverse_bound_holds", "inverse_bound_cases"),
                   discrepancies=disc)


# ------------------------------------------------------------------------------ highprec


def _mp_check(X: np.ndarray, Y: np.ndarray, labels: np.ndarray, lam: float) -> dict[str, float]:
    """Distance and both bounds recomputed at the current mpmath precision (same float data)."""
    Xm, Ym = mpmath.matrix(X.tolist()), mpmath.matrix(Y.tolist())
    lm = mpmath.mpf(lam)
    Xh, Yh = centroid_matrices(Xm, Ym, labels)
    EX, EY = Xm - Xh, Ym - Yh
    D = ridge_minimizer(Xm, Ym, lm) - ridge_minimizer(Xh, Yh, lm)
    M = Yh * Xh.T
    spec = mpmath.sqrt(max(mpmath.eigsy(M.T * M)[0]))
    N = X.shape[1]
    wx = mpmath.mnorm(EX, "f") ** 2 / N
    wxy = wx + mpmath.mnorm(EY, "f") ** 2 / N
    return {"distance": mpmath.mnorm(D, "f"),
            "proof": mpmath.mnorm(EY * EX.T, "f") / lm + spec * mpmath.mnorm(EX * EX.T, "f") / lm**2,
            "statement": N * wxy / lm + N * mpmath.mnorm(M, "f") * wx / lm**2}


def _sharpness(lam: Fraction) -> dict[str, float]:
    """Two families where each term of the proof's bound is attained as λ → ∞ (exact).

    T1: d = p = 1, Y = X, every cluster {−e, e} (centroids 0): W* = c/(c+λ), Ŵ* = 0, proof bound
    c/λ (ratio (c+λ)/λ), statement 2c/λ.  T2: d = p = 1, one cluster x ∈ {a−e, a+e}, y = b
    constant (E_Y = 0): ratio (2a²+2e²+λ)(2a²+λ)/λ².
    """
    e = Fraction(1)
    c = 2 * e * e
    t1 = (c + lam) / lam
    a, b = Fraction(2), Fraction(1)
    ca, ch = 2 * a * a + 2 * e * e + lam, 2 * a * a + lam
    dist2 = 2 * a * b * (Fraction(1) / ch - Fraction(1) / ca)
    proof2 = 2 * a * b * 2 * e * e / lam**2
    return {"T1_proof_over_distance": float(t1), "T1_statement_over_distance": float(2 * t1),
            "T2_proof_over_distance": float(proof2 / dist2)}


@claim.check("highprec", "random Gaussian-blob data: violations and tightness",
             method="Isotropic Gaussian blobs (sample_gaussian_mixture), the blob partition, "
                    "random k in 2..4, d in 2..6, p in 1..4, N in k..40, sigma = 10^U(-2, 0.5), "
                    "lam = 10^U(-2, 2), means 3 N(0, I) (seeded). float64 screening of distance "
                    "<= proof bound <= statement bound (relative slack 1e-12); the 5 instances "
                    "with the smallest proof-bound/distance ratio recomputed from the same data at "
                    "40 digits (mpmath), where the inequalities must hold outright. Reported: "
                    "violation count, quantiles of bound/distance, and the exact ratios of two "
                    "families where each term of the proof's bound is attained as lam -> infinity "
                    "(ratios -> 1: the proof's constants are sharp; the statement's joint WCSS "
                    "loses a factor <= 2 on the first term).")
def random_blobs(quick: bool) -> Outcome:
    rng = np.random.default_rng(5303)
    M = 150 if quick else 2000
    viol, ratios_stmt, ratios_proof, cases = 0, [], [], []
    for _ in range(M):
        k = int(rng.integers(2, 5))
        d, p = int(rng.integers(2, 7)), int(rng.integers(1, 5))
        N = int(rng.integers(k, 41))
        sigma, lam = 10 ** rng.uniform(-2, 0.5), 10 ** rng.uniform(-2, 2)
        Z, comp = sample_gaussian_mixture(rng, N, 3 * rng.standard_normal((k, d + p)),
                                          np.full((k, d + p), sigma**2))
        X, Y = Z[:d], Z[d:]
        b = centroid_distance_bound(X, Y, comp, lam)
        viol += int(b["distance"] > b["proof"] * (1 + 1e-12)
                    or b["proof"] > b["statement"] * (1 + 1e-12))
        if b["distance"] > 0:
            ratios_stmt.append(b["statement"] / b["distance"])
            ratios_proof.append(b["proof"] / b["distance"])
            cases.append((ratios_proof[-1], X, Y, comp, lam))
    cases.sort(key=lambda c: c[0])
    hp_ok, hp_rows = True, []
    with mpmath.workdps(40):
        for r, X, Y, comp, lam in cases[:5]:
            m = _mp_check(X, Y, comp, lam)
            good = m["distance"] <= m["proof"] <= m["statement"]
            hp_ok &= bool(good)
            hp_rows.append({"float_proof_over_distance": r, "mp_statement_over_distance":
                            float(m["statement"] / m["distance"]),
                            "mp_proof_over_distance": float(m["proof"] / m["distance"]),
                            "holds": bool(good)})
    q = [0, 5, 50, 95, 100]
    sharp = {str(lam): _sharpness(Fraction(lam)) for lam in (10, 1000, 10**6)}
    ok = viol == 0 and hp_ok
    return Outcome(passed=bool(ok), result={
        "instances": M, "violations": viol, "with_positive_distance": len(ratios_stmt),
        "statement_over_distance_quantiles": dict(zip(map(str, q),
                                                      np.percentile(ratios_stmt, q).tolist(),
                                                      strict=True)),
        "proof_over_distance_quantiles": dict(zip(map(str, q),
                                                  np.percentile(ratios_proof, q).tolist(),
                                                  strict=True)),
        "tightest_rechecked_at_40_digits": hp_rows, "sharpness_families": sharp,
        "all_hold": bool(ok)},
        parameters={"seed": 5303, "dps": 40, "float_slack": "1e-12 relative",
                    "sigma": "10^U(-2, 0.5)", "lambda": "10^U(-2, 2)"},
        key=("instances", "violations"))


# ------------------------------------------------------------------------------ Figure 2


FIG2 = {"k": 3, "d": 10, "n": 20, "mean_scale": 2.0, "seed": 5304}


def figure2_distances(sigmas, lams, centroids: str = "data", solver: str = "ridge",
                      depth: int = 4) -> np.ndarray:
    """``‖W* − Ŵ*‖_F`` on the Figure 2 set-up (autoencoder, k isotropic blobs, X = M + σG with
    fixed G), shape (len(lams), len(sigmas)).  ``centroids``: ``"data"`` (the partition's
    centroids, as in Theorem 5.3) or ``"means"`` (the blob means).  ``solver``: ``"ridge"``
    (end-to-end penalty, Eq. 21) or ``"weight_decay"`` (per-layer decay of a depth-L network)."""
    rng = np.random.default_rng(FIG2["seed"])
    k, d, n = FIG2["k"], FIG2["d"], FIG2["n"]
    mu = FIG2["mean_scale"] * rng.standard_normal((k, d))
    G = rng.standard_normal((d, k * n))
    lab = np.repeat(np.arange(k), n)
    M = mu[lab].T
    out = np.empty((len(lams), len(sigmas)))
    for b, s in enumerate(sigmas):
        X = M + s * G
        Xh = centroid_matrices(X, X, lab)[0] if centroids == "data" else M
        for a, lam in enumerate(lams):
            if solver == "ridge":
                W, Wh = ridge_minimizer(X, X, lam), ridge_minimizer(Xh, Xh, lam)
            else:
                W = weight_decay_autoencoder_minimizer(X, lam, depth)
                Wh = weight_decay_autoencoder_minimizer(Xh, lam, depth)
            out[a, b] = np.linalg.norm(W - Wh)
    return out


def _slope(sigmas: np.ndarray, D: np.ndarray) -> float:
    return float(np.polyfit(np.log(sigmas), np.log(D), 1)[0])


def _balanced_start(W: np.ndarray, depth: int) -> list[np.ndarray]:
    """Factors ``V diag(t^{1/L}) Vᵀ`` of a symmetric PSD W (balanced, commuting)."""
    t, V = np.linalg.eigh(0.5 * (W + W.T))
    R = (V * np.maximum(t, 0) ** (1.0 / depth)) @ V.T
    return [R.copy() for _ in range(depth)]


def _trained_product(X: np.ndarray, lam: float, depth: int, seeds: int) -> tuple[np.ndarray, float]:
    """Four-layer linear autoencoder with weight decay (engine): GD from random seeds and from
    the closed form, all polished; the product and N·loss of the lowest-loss run."""
    d, N = X.shape
    cfg = MLPConfig(dims=(d,) * (depth + 1), activation="identity", loss="mse", lam=lam / N,
                    lr=0.05)
    res = train_mlp(cfg, X, X, steps=2000, runs=seeds, seed=0, record_every=2000)
    starts = [res.run_weights(r) for r in range(seeds)]
    starts.append(_balanced_start(weight_decay_autoencoder_minimizer(X, lam, depth), depth))
    pol = [polish_mlp(cfg, X, X, s, gtol=1e-11) for s in starts]
    best = min(pol, key=lambda q: q.loss)
    return deep_product(best.params), N * best.loss


@claim.check("empirical", "Figure 2: distance vs sigma and lambda (closed forms and training)",
             method="Figure 2 set-up (its sizes are lost; ours: k = 3 isotropic blobs, d = 10, "
                    "20 points each, means 2 N(0, I), X = M + sigma G with fixed G, seed 5304), "
                    "autoencoder Y = X. Distances ||W* - What*||_F on sigma = 1e-4..1 and lam in "
                    "{0.1, 1, 10, 100} from the closed forms: (i) Theorem 5.3's minimisers "
                    "(ridge, Eq. 21) with the data's cluster centroids, (ii) the same with the "
                    "blob means as centroids, (iii)-(iv) the four-layer network with per-layer "
                    "weight decay (closed form, see zg.thm5_1). Exponent: least-squares slope of "
                    "log D vs log sigma on sigma <= 1e-2; passes when (i) has slope 2 +- 0.05 "
                    "for every lam and D is non-increasing in lam at every sigma (61-point lam "
                    "grid 1e-3..1e3; the same count is reported for (iii), where the hard "
                    "threshold makes spikes). Training: on a small instance (d = 4, 2 blobs of 4, L = "
                    "4) the engine (GD, 3 seeds plus the closed form as a start, all polished to "
                    "1e-11, lowest loss) must reproduce the per-layer closed-form distance "
                    "(rel. 1e-6).")
def figure2(quick: bool) -> Outcome:
    sigmas = np.logspace(-4, 0, 5 if quick else 9)
    lams = (0.1, 1.0, 10.0, 100.0)
    small = sigmas <= 1e-2 + 1e-15
    variants = {"theorem_data_centroids": ("data", "ridge"), "theorem_blob_means": ("means", "ridge"),
                "four_layer_decay_data_centroids": ("data", "weight_decay"),
                "four_layer_decay_blob_means": ("means", "weight_decay")}
    table, slopes = {}, {}
    for name, (cen, solver) in variants.items():
        D = figure2_distances(sigmas, lams, cen, solver)
        table[name] = D.tolist()
        slopes[name] = [_slope(sigmas[small], D[a, small]) for a in range(len(lams))]
    fine = np.logspace(-3, 3, 21 if quick else 61)
    Dl = figure2_distances(sigmas, fine, "data", "ridge")
    increases = int(np.sum(np.diff(Dl, axis=0) > 1e-12 * np.abs(Dl[1:])))
    Dw = figure2_distances(sigmas, fine, "data", "weight_decay")
    increases_w = int(np.sum(np.diff(Dw, axis=0) > 1e-12 * np.abs(Dw[1:])))
    slope_ok = all(abs(s - 2) <= 0.05 for s in slopes["theorem_data_centroids"])
    # training confirmation of the per-layer closed form on a small instance
    rng = np.random.default_rng(5305)
    mu = np.array([[2.0, 0.0, 0.0, 0.0], [0.0, 1.5, 0.0, 0.0]])
    lab = np.repeat([0, 1], 4)
    G = rng.standard_normal((4, 8))
    train_rows, train_ok = [], True
    for s, lam in ((0.05, 0.5), (0.2, 2.0)) if not quick else ((0.05, 0.5),):
        X = mu[lab].T + s * G
        Xh = centroid_matrices(X, X, lab)[0]
        Wt, _ = _trained_product(X, lam, 4, 2 if quick else 3)
        Wht, _ = _trained_product(Xh, lam, 4, 2 if quick else 3)
        Dc = np.linalg.norm(weight_decay_autoencoder_minimizer(X, lam, 4)
                            - weight_decay_autoencoder_minimizer(Xh, lam, 4))
        Dt = np.linalg.norm(Wt - Wht)
        rel = abs(Dt - Dc) / max(Dc, 1e-300)
        train_ok &= rel <= 1e-6
        train_rows.append({"sigma": s, "lam": lam, "trained_distance": float(Dt),
                           "closed_form_distance": float(Dc), "rel_diff": float(rel)})
    ok = slope_ok and increases == 0 and train_ok
    return Outcome(passed=bool(ok), result={
        "sigmas": sigmas.tolist(), "lams": list(lams), "distances": table,
        "small_sigma_slopes": slopes, "slope_tolerance": 0.05,
        "theorem_slope_is_2": bool(slope_ok), "lambda_grid_increases": increases,
        "lambda_grid_increases_four_layer_decay": increases_w,
        "lambda_grid_points": int(Dl.size),
        "training_confirmation": train_rows, "all_hold": bool(ok)},
        parameters={**FIG2, "depth": 4, "slope_fit": "sigma <= 1e-2",
                    "lambda grid": "logspace(-3, 3)"},
        key=("theorem_slope_is_2", "lambda_grid_increases"))


def four_layer_threshold_example(sigma: float, seed: int = 5306) -> dict[str, object]:
    """Autoencoder data (2 orthogonal blobs in d = 3, 10 points each, X = M + σG) and a λ that
    puts the per-layer threshold ``κ_4 λ`` between the second eigenvalue of X̂X̂ᵀ and that of
    XXᵀ (they differ by O(σ²)), so the four-layer minimiser keeps that direction on the full
    data and drops it on the centroid data."""
    rng = np.random.default_rng(seed)
    mu = np.array([[3.0, 0.0, 0.0], [0.0, 2.0, 0.0]])
    lab = np.repeat([0, 1], 10)
    X = mu[lab].T + sigma * rng.standard_normal((3, 20))
    Xh = centroid_matrices(X, X, lab)[0]
    c = np.linalg.eigvalsh(X @ X.T)[::-1]
    ch = np.linalg.eigvalsh(Xh @ Xh.T)[::-1]
    kappa = float(weight_decay_threshold(4)[0])
    lam = (c[1] + ch[1]) / (2 * kappa)
    return {"X": X, "Xh": Xh, "labels": lab, "lam": lam, "c2": c[1], "c2_hat": ch[1],
            "kappa": kappa}


@claim.check("empirical", "Theorem 5.3 for the four-layer network with per-layer weight decay",
             method="The setting of Section 6.2 read with Eq. (3): the four-layer linear "
                    "autoencoder trained with weight decay (lam/2) sum_l ||W_l||^2. Its product "
                    "minimiser shrinks each eigen-direction of XX^T with a hard threshold at "
                    "eigenvalue kappa_4 lam, kappa_4 = 3 sqrt(6)/2, jumping from 0 to 2/3 "
                    "(derived exactly here: tangency gives t = (L-2)/(L-1)). Two orthogonal blobs "
                    "in d = 3 (10 points each), sigma in {0.01, 0.03}, lam placed midway between "
                    "the thresholds of the second eigenvalue of Xhat Xhat^T and of XX^T. "
                    "Distances of the closed-form minimisers and of trained networks (engine, "
                    "GD from 3 seeds plus the closed form as a start, polished to 1e-11, lowest "
                    "loss), compared with the Theorem 5.3 bound. Passes when training "
                    "reproduces the closed form (rel. 1e-6); a discrepancy is recorded when "
                    "the distance exceeds the bound.")
def per_layer_counterexample(quick: bool) -> Outcome:
    L = 4
    kappa, tjump = weight_decay_threshold(L)
    tt = sympy.Symbol("t")
    # exact tangency: value and derivative of 1/2 a (1-t)^2 + 2 lam sqrt(t) match a/2 at t_L
    a = kappa  # with lam = 1
    f = a * (1 - tt) ** 2 / 2 + L * tt ** sympy.Rational(2, L) / 2
    tangency = (sympy.simplify(f.subs(tt, tjump) - a / 2) == 0
                and sympy.simplify(sympy.diff(f, tt).subs(tt, tjump)) == 0)
    rows, ok = [], bool(tangency)
    for sigma in (0.01,) if quick else (0.01, 0.03):
        ex = four_layer_threshold_example(sigma)
        X, Xh, lam = ex["X"], ex["Xh"], ex["lam"]
        Wc = weight_decay_autoencoder_minimizer(X, lam, L)
        Whc = weight_decay_autoencoder_minimizer(Xh, lam, L)
        Wt, loss_t = _trained_product(X, lam, L, 2 if quick else 3)
        Wht, loss_ht = _trained_product(Xh, lam, L, 2 if quick else 3)
        match = max(np.linalg.norm(Wt - Wc) / np.linalg.norm(Wc),
                    np.linalg.norm(Wht - Whc) / np.linalg.norm(Whc))
        ok &= match <= 1e-6
        b = centroid_distance_bound(X, X, ex["labels"], lam)
        dist = float(np.linalg.norm(Wt - Wht))
        rows.append({"sigma": sigma, "lam": float(lam), "c2": float(ex["c2"]),
                     "c2_hat": float(ex["c2_hat"]),
                     "threshold_eigenvalue": float(ex["kappa"] * lam),
                     "trained_vs_closed_form_rel": float(match),
                     "rank_full": int(np.linalg.matrix_rank(Wt, tol=1e-8)),
                     "rank_centroid": int(np.linalg.matrix_rank(Wht, tol=1e-8)),
                     "distance_four_layer": dist, "theorem_bound": b["statement"],
                     "proof_bound": b["proof"], "distance_end_to_end_penalty": b["distance"],
                     "bound_violated": bool(dist > b["statement"])})
    disc = []
    if ok and all(r["bound_violated"] for r in rows):
        disc.append(Discrepancy(
            kind="false-on-part-of-domain",
            published="§6.2: 'We train a four-layer, fully connected, deep linear autoencoder "
                      "[...] for different values of [λ], both on the centroid-based and the full "
                      "loss function. At convergence, we construct the product matrices [W*] and "
                      "[Ŵ*] [...] The numerical results are in line with the theoretical "
                      "findings of Sections 4 and 5' — Theorem 5.3 applied (through Remark 5.2) "
                      "to the product of a four-layer network trained with the weight decay of "
                      "Eq. (3)",
            computed="Theorem 5.3 holds for the end-to-end penalty (λ/2)‖W‖² (other checks) but "
                     "not for per-layer weight decay: the four-layer minimiser keeps an "
                     "eigen-direction of XXᵀ only above the eigenvalue κ_4λ (κ_4 = 3√6/2), where "
                     "it jumps from 0 to 2/3, so when an eigenvalue of X̂X̂ᵀ lies just below the "
                     "threshold and that of XXᵀ just above, ‖W* − Ŵ*‖ ≈ 2/3 while the bound is "
                     "O(σ²/λ); ranks of the two products differ",
            evidence="; ".join(
                f"σ = {r['sigma']}, λ = {r['lam']:.4f}: trained four-layer distance "
                f"{r['distance_four_layer']:.4f} (ranks {r['rank_full']} vs "
                f"{r['rank_centroid']}) > bound {r['theorem_bound']:.2e}; end-to-end penalty "
                f"distance {r['distance_end_to_end_penalty']:.2e}" for r in rows),
            location="004_b40eaf01881f9599.txt, Section 6.2 and Theorem 5.3 with Remark 5.2"))
    return Outcome(passed=bool(ok), result={
        "kappa_4": str(kappa), "jump_t_4": str(tjump), "tangency_exact": bool(tangency),
        "cases": rows, "all_hold": bool(ok)},
        parameters={"depth": L, "d": 3, "points_per_blob": 10, "means": "3 e_1, 2 e_2",
                    "seed": 5306, "gd_steps": 2000, "lr": 0.05, "polish_gtol": 1e-11},
        key=("kappa_4", "jump_t_4", "tangency_exact"), discrepancies=disc)
