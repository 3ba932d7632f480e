"""`gk` Proposition 1 (§3, proof in App. B.2): a DNC solution of Definition 2 (Lemma-1 structure
with Z = α S ⊗ 1_nᵀ) satisfies DNC1-3 of Definition 1 with zero global means.

Built exactly: with K = 4 and n ∈ {1, 4} the frames can be rational (Hadamard bases contain
1_K/√K = 1_4/2), the free frames U_0..U_{L-1} are rational Cayley rotations, and the scale is chosen
so that every singular value is rational; every property is then an identity of rational matrices.
"""

from __future__ import annotations

import numpy as np
import sympy

from ncverify.claims import Claim, Discrepancy, Outcome, register
from ncverify.models.deep_ufm import lemma1_parameters
from ncverify.models.etf import simplex_etf
from ncverify.models.orthogonal import random_rational_orthogonal

__all__ = ["claim", "exact_dnc_parameters"]

STATEMENT = r"""**Proposition 1:** *Let the matrices  $W_L, \dots, W_1, H_1$  form a DNC solution as in Definition 2. Then these matrices satisfy the DNC definition stated in Definition 1, with  $\mu_G^{(l)} = 0$  for  $l = 1, \dots, L$ .*

[Definition 1: DNC1:  $H_l = M_l \otimes \mathbf{1}_n^T, \tilde{H}_l = \tilde{M}_l \otimes \mathbf{1}_n^T$ . DNC2: the centred class-mean matrices align with a simplex ETF,  $(M_l - \mu_G^{(l)} \mathbf{1}_K^T)^T (M_l - \mu_G^{(l)} \mathbf{1}_K^T) \propto S$ . DNC3: the rows of the weight matrices  $W_l$  are, after global centering, linear combinations of the columns of  $\tilde{M}_l - \tilde{\mu}_G^{(l)} \mathbf{1}_K^T$ .]

[App. B.2:] Notice that  $\Sigma^{l-1} \bar{\Sigma} = (\alpha\sqrt{n})^{\frac{1}{L+1}} \tilde{D}^T \otimes (e_1^{(n)})^T$ [...] and hence we can write  $H_l = M_l \otimes 1_n^T$  as claimed, where  $M_l = \frac{1}{\sqrt{n}} (\alpha\sqrt{n})^{\frac{1}{L+1}} (U_{l-1} \tilde{D}^T Q^T)$ . [...]  $W_L \dots W_l = U_L \tilde{\Sigma} U_{L-1}^T \dots U_l \Sigma U_{l-1}^T = U_L \tilde{\Sigma} \Sigma^l U_{l-1}^T = (\alpha \sqrt{n})^{\frac{L-l+1}{L+1}} U_L \tilde{D} U_{l-1}^T$ ."""

claim = register(Claim(
    id="gk.prop1",
    paper="gk",
    label="Proposition 1",
    title="The DNC construction of Definition 2 satisfies DNC1-3 with zero global means",
    source="001_015071d9d71e7d05.txt, Section 3 (Definition 2, Proposition 1) and Appendix B.2",
    statement=STATEMENT,
    domain={"K": "integer >= 2", "n": "integer >= 1", "d": ">= K", "L": "integer >= 1",
            "alpha": "> 0"},
))


def _hadamard4() -> sympy.Matrix:
    """Rational orthogonal 4×4 matrix whose last column is 1_4/2."""
    return sympy.Matrix([[1, 1, 1, 1], [-1, 1, -1, 1], [1, -1, -1, 1], [-1, -1, 1, 1]]) / 2


def exact_dnc_parameters(n: int, d: int, L: int, t: sympy.Rational, seed: int = 0):
    """Exact rational DNC parameters for K = 4 (`gk` Definition 2), n ∈ {1, 4}.

    Singular values t on K-1 directions, so ``α = t^{L+1}/√n``; ``U_L = Q`` (Hadamard, last
    column 1_4/2), ``V_0 = Q ⊗ R`` with R = 1 (n = 1) or the Hadamard basis with first column
    1_4/2 (n = 4), as in App. B.2; U_0..U_{L-1} rational Cayley rotations.  Returns
    ``(H_1, [W_1..W_L], α, Q)``.
    """
    K = 4
    if n not in (1, 4):
        raise ValueError(f"n must be 1 or 4 for rational frames, got {n}")
    rng = np.random.default_rng(seed)
    Q = _hadamard4()
    R = sympy.Matrix([[1]]) if n == 1 else _hadamard4()[:, ::-1]  # first column 1_4/2
    V0 = sympy.kronecker_product(Q, R)
    # App. B.2: the leading K columns of V_0 must be Q ⊗ e_1-column of R; reorder columns so
    # column c of V_0 is (Q ⊗ R) e_{c n + 1} (class c, first column of R)
    order = [c * n for c in range(K)] + [c * n + j for c in range(K) for j in range(1, n)]
    V0 = V0[:, order]
    Us = [random_rational_orthogonal(d, rng, 2) for _ in range(L)] + [Q]
    s = [t] * (K - 1) + [sympy.Integer(0)]
    H1, Ws = lemma1_parameters(s, Us, V0, K, d, n, L)
    alpha = t ** (L + 1) / sympy.sqrt(n)
    return H1, Ws, alpha, Q


def _class_means(H: sympy.Matrix, K: int, n: int) -> sympy.Matrix:
    return sympy.Matrix.hstack(*[sum((H[:, c * n + j] for j in range(n)), sympy.zeros(H.rows, 1))
                                 / n for c in range(K)])


def _proportional(A: sympy.Matrix, B: sympy.Matrix) -> bool:
    """A = c B for a scalar c (B nonzero)."""
    i = next(k for k in range(len(B)) if B[k] != 0)
    c = A[i] / B[i]
    return (A - c * B).is_zero_matrix


@claim.check("exact", "DNC1-3 and zero global means on exact rational constructions",
             method="For K = 4, n in {1, 4}, d in {4, 6}, L in {1, 2, 3}, rational singular values: "
                    "the product W_L...W_1 H_1 equals alpha S kron 1_n^T; every H_l (l = 1..L) "
                    "equals M_l kron 1_n^T (DNC1); M_l 1_K = 0 (mu_G = 0); M_l^T M_l is a multiple "
                    "of S (DNC2); rank [M_l | W_l^T] = rank M_l, i.e. the rows of W_l lie in the "
                    "span of the class means (DNC3); and (W_L...W_l)(W_L...W_l)^T is a multiple of "
                    "S (the linear-case DNC3 noted in B.2). Exact rational arithmetic (SymPy).")
def properties(quick: bool) -> Outcome:
    K = 4
    S = simplex_etf(K)
    configs = [(n, d, L) for n in (1, 4) for d in (4, 6) for L in (1, 2, 3)]
    if quick:
        configs = [(1, 4, 2), (4, 6, 1)]
    rows = []
    for n, d, L in configs:
        t = sympy.Rational(3, 2)
        H1, Ws, alpha, _ = exact_dnc_parameters(n, d, L, t)
        feats = [H1]
        for W in Ws[:-1]:
            feats.append(W * feats[-1])
        Z = Ws[-1] * feats[-1]
        ok_z = (Z - alpha * sympy.kronecker_product(S, sympy.ones(1, n))).applyfunc(
            sympy.nsimplify).is_zero_matrix
        row = {"n": n, "d": d, "L": L, "Z_equals_alpha_S": ok_z}
        dnc1 = dnc2 = mu0 = dnc3 = dnc3_lin = True
        for l, H in enumerate(feats, start=1):
            M = _class_means(H, K, n)
            dnc1 &= (H - sympy.kronecker_product(M, sympy.ones(1, n))).is_zero_matrix
            mu0 &= (M * sympy.ones(K, 1)).is_zero_matrix
            dnc2 &= _proportional(M.T * M, S)
            W = Ws[l - 1]
            dnc3 &= sympy.Matrix.hstack(M, W.T).rank() == M.rank()
            A = Ws[-1]
            for W2 in reversed(Ws[l - 1:-1]):
                A = A * W2
            dnc3_lin &= _proportional(A * A.T, S)
        row.update({"DNC1": dnc1, "global_mean_zero": mu0, "DNC2": dnc2, "DNC3": dnc3,
                    "linear_DNC3": dnc3_lin})
        rows.append(row)
    ok = all(all(v for k, v in r.items() if isinstance(v, bool)) for r in rows)
    return Outcome(passed=ok, result={"cases": rows}, parameters={"K": K, "t": "3/2",
                                                                  "configs (n, d, L)": configs},
                   key=("cases",))


@claim.check("exact", "the printed class-mean scale of App. B.2",
             method="Exact K = 4 constructions with singular value t: the class means of H_l are "
                    "compared with the printed M_l = (1/sqrt n)(alpha sqrt n)^{1/(L+1)} U_{l-1} "
                    "D~^T Q^T and with the same formula with exponent l/(L+1); and W_L...W_l with "
                    "the printed intermediate U_L S~ Sigma^l U_{l-1}^T against the final "
                    "(alpha sqrt n)^{(L-l+1)/(L+1)} U_L D~ U_{l-1}^T.")
def printed_scales(quick: bool) -> Outcome:
    K, n, d, L = 4, 4, 5, 3
    t = sympy.Rational(3, 2)
    rng_seed = 1
    H1, Ws, alpha, Q = exact_dnc_parameters(n, d, L, t, seed=rng_seed)
    rng = np.random.default_rng(rng_seed)
    Us = [random_rational_orthogonal(d, rng, 2) for _ in range(L)]  # same draws as the build
    Dt = sympy.zeros(K, d)
    for i in range(K - 1):
        Dt[i, i] = 1
    base = alpha * sympy.sqrt(n)  # = t^{L+1}
    feats = [H1]
    for W in Ws[:-1]:
        feats.append(W * feats[-1])
    printed_ok, corrected_ok, prod_final_ok, prod_mid_ok = [], [], [], []
    for l, H in enumerate(feats, start=1):
        M = _class_means(H, K, n)
        shape = Us[l - 1] * Dt.T * Q.T / sympy.sqrt(n)
        printed_ok.append(bool((M - base ** sympy.Rational(1, L + 1) * shape).is_zero_matrix))
        corrected_ok.append(bool((M - base ** sympy.Rational(l, L + 1) * shape).is_zero_matrix))
        A = Ws[-1]
        for W2 in reversed(Ws[l - 1:-1]):
            A = A * W2  # W_L ... W_l
        final = base ** sympy.Rational(L - l + 1, L + 1) * Q * Dt * Us[l - 1].T
        mid = base ** sympy.Rational(l + 1, L + 1) * Q * Dt * Us[l - 1].T  # Σ̃ Σ^l scaling
        prod_final_ok.append(bool((A - final).is_zero_matrix))
        prod_mid_ok.append(bool((A - mid).is_zero_matrix))
    disc = []
    if all(corrected_ok) and not all(printed_ok):
        disc.append(Discrepancy(
            kind="typo",
            published="Σ^{l−1} Σ̄ = (α√n)^{1/(L+1)} D̃ᵀ ⊗ e_1ᵀ and M_l = (1/√n)(α√n)^{1/(L+1)} "
                      "U_{l−1} D̃ᵀ Qᵀ",
            computed="Σ^{l−1} Σ̄ = (α√n)^{l/(L+1)} D̃ᵀ ⊗ e_1ᵀ and M_l = (1/√n)(α√n)^{l/(L+1)} "
                     "U_{l−1} D̃ᵀ Qᵀ (H_l is a product of l factors with singular values "
                     "(α√n)^{1/(L+1)}); the conclusions DNC1-2 are unaffected",
            evidence=f"exact K = 4, n = 4, d = 5, L = 3: printed formula matches layers "
                     f"{[i + 1 for i, v in enumerate(printed_ok) if v]}, corrected matches all "
                     f"{len(corrected_ok)}",
            location="001_015071d9d71e7d05.txt, Appendix B.2"))
    if all(prod_final_ok) and not all(prod_mid_ok):
        disc.append(Discrepancy(
            kind="typo",
            published="W_L ⋯ W_l = U_L Σ̃ Σ^l U_{l−1}ᵀ",
            computed="W_L ⋯ W_l = U_L Σ̃ Σ^{L−l} U_{l−1}ᵀ (L − l + 1 factors), which gives the "
                     "printed final form (α√n)^{(L−l+1)/(L+1)} U_L D̃ U_{l−1}ᵀ",
            evidence=f"exact K = 4, n = 4, d = 5, L = 3: final form matches all layers; the "
                     f"intermediate Σ̃Σ^l scaling matches layers "
                     f"{[i + 1 for i, v in enumerate(prod_mid_ok) if v]} only",
            location="001_015071d9d71e7d05.txt, Appendix B.2, last display"))
    ok = all(corrected_ok) and all(prod_final_ok)
    return Outcome(passed=ok, result={"printed_M_l_matches_by_layer": printed_ok,
                                      "corrected_M_l_matches_by_layer": corrected_ok,
                                      "final_product_form_matches": prod_final_ok,
                                      "intermediate_Sigma_l_form_matches": prod_mid_ok},
                   parameters={"K": K, "n": n, "d": d, "L": L, "t": "3/2"},
                   key=("printed_M_l_matches_by_layer", "corrected_M_l_matches_by_layer",
                        "final_product_form_matches", "intermediate_Sigma_l_form_matches"),
                   discrepancies=disc)
