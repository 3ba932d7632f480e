"""`gk` Eq. (27) (App. B.8): the scale equation of the block low-rank critical points (Eq. 5, K
even), derived from the gradient (Eq. 12) and compared with the printed Eq. (27) and the
intermediate formulas of App. B.8; roots, threshold, the reduced-loss optimum, and the whole
gradient at the constructed parameters at 50 digits.
"""

from __future__ import annotations

import mpmath
import sympy

from ncverify.claims import Claim, Discrepancy, Outcome, register
from ncverify.models.constructions import block_lowrank_class_means, lowrank_singular_values
from ncverify.models.critical import dnc_critical_scales
from ncverify.models.deep_ufm import deep_linear_gradient
from ncverify.models.etf import expand_classes
from ncverify.models.lowrank_critical import (
    canonical_lowrank_parameters,
    lowrank_critical_scales,
    lowrank_existence_threshold,
    lowrank_frame,
    lowrank_rhs_log_derivative,
    lowrank_rhs_maximiser,
    lowrank_scale_rhs,
)
from ncverify.models.scales import optimal_lowrank_scale
from ncverify.models.schatten import lowrank_loss

__all__ = ["claim", "printed_rhs"]

STATEMENT = r"""[App. B.8] The logit matrix of our low-rank solution is

$$Z = \beta \tilde{X} \otimes \mathbf{1}_n^T, \quad \text{where} \quad \tilde{X} = \begin{bmatrix} X & 0 & \dots & 0 \\ 0 & X & \dots & 0 \\ \dots & \dots & \dots & \dots \\ 0 & 0 & \dots & X \end{bmatrix}, \quad \text{with} \quad X = \begin{bmatrix} 1 & -1 \\ -1 & 1 \end{bmatrix},$$

and we assume the parameter matrices satisfy the structural properties of Lemma 1. Also, note the matrix  $Z$  has  $K/2$  non-zero singular values, each equal to  $2\beta\sqrt{n}$ . [...]

$$Kn\lambda \tilde{X} = \frac{(2\beta\sqrt{n})^{\frac{L-1}{L+1}}}{2\sqrt{n}} \tilde{X} (Y - P) (\tilde{X} \otimes \mathbf{1}_n).$$

Calculating the probability matrix for this specific logit matrix, we get, written in block form,

$$P = \frac{1}{K-2+e^\beta+e^{-\beta}} \begin{bmatrix} P' & 1 & \dots & 1 \\ 1 & P' & \dots & 1 \\ \dots & \dots & \dots & \dots \\ 1 & 1 & \dots & P' \end{bmatrix} \otimes 1_n^T, \quad \text{where } P' = \begin{bmatrix} e^\beta & e^{-\beta} \\ e^{-\beta} & e^\beta \end{bmatrix},$$

Then:

$$Y - P = \frac{1}{K-2+e^\beta+e^{-\beta}} \left( \begin{bmatrix} E & 1 & \dots & 1 \\ 1 & E & \dots & 1 \\ \dots & \dots & \dots & \dots \\ 1 & 1 & \dots & E \end{bmatrix} \otimes 1_n^T + e^{-\beta} \tilde{X} \otimes 1_n^T \right),$$

where

$$E = \begin{bmatrix} K-2 & 0 \\ 0 & K-2 \end{bmatrix}.$$

Explicit computation then gives:

$$\tilde{X}(Y - P)(\tilde{X} \otimes 1_n^T) = \frac{n(2(K-2) + 4e^{-\beta})}{K-2+e^\beta+e^{-\beta}} \tilde{X},$$

and so our criticality condition reduces to [...] which holds when:

$$\lambda n^{\frac{1}{L+1}} = \frac{1}{K} (2\beta)^{\frac{L-1}{L+1}} \frac{1}{K-2+e^\beta+e^{-\beta}} (K-2+2e^{-\beta}). \quad (27)$$

Plots of the RHS function in  $\beta$  for characteristic  $L, K$  reveal there is a single solution  $\beta$  such that  $\beta \rightarrow \infty$  as  $\lambda \rightarrow 0$ . [...] Thus, this structure is a critical point of the model for small enough  $\lambda$ , with a scale that diverges as  $\lambda \rightarrow 0$ ."""

claim = register(Claim(
    id="gk.eq27",
    paper="gk",
    label="Eq. (27)",
    title="Scale equation of the block low-rank critical points, derived from the gradient",
    source="001_015071d9d71e7d05.txt, Appendix B.8, Eqs. (26)-(27); construction Eq. (5)",
    statement=STATEMENT,
    domain={"K": "even integer >= 2 (>= 4 for a distinct construction)", "L": "integer >= 1",
            "n": "integer >= 1", "d": ">= K", "lambda": "> 0"},
))

_b, _n, _lm, _K, _L, _l = sympy.symbols("beta n lam K L l", positive=True)


def printed_rhs(beta, K: int, L: int) -> mpmath.mpf:
    """The right side of Eq. (27) exactly as printed (mpmath), coded independently of
    :func:`ncverify.models.lowrank_critical.lowrank_scale_rhs`."""
    b = mpmath.mpf(beta)
    return (mpmath.mpf(1) / K * (2 * b) ** (mpmath.mpf(L - 1) / (L + 1))
            / (K - 2 + mpmath.exp(b) + mpmath.exp(-b)) * (K - 2 + 2 * mpmath.exp(-b)))


def _printed_rhs_sym(beta, K, L):
    e = sympy.exp
    return sympy.Rational(1, 1) / K * (2 * beta) ** ((L - 1) / (L + 1)) \
        / (K - 2 + e(beta) + e(-beta)) * (K - 2 + 2 * e(-beta))


@claim.check("exact", "derivation from the gradient (Eq. 12), symbolic",
             method="Column of class a (partner a', K-2 others) has logits (b, -b, 0, ...): SymPy "
                    "forms the softmax for symbolic K (entries rational in x = e^b, compared by "
                    "cancel) and the class-level error matrix M = Y - P, "
                    "and checks M u = mu u on u = (e_a - e_a')/sqrt 2 with mu = (K-2+2e^-b)/"
                    "(K-2+e^b+e^-b) and (M u)_o = 0 (so U_L^T (Y-P) V_0 = sqrt(n) mu I on the K/2 "
                    "singular directions). With s = (2b sqrt n)^{1/(L+1)} in every factor, Eq. "
                    "(12) for layer l reads s = s^{L-l} sqrt(n) mu s^l/(K n lam); SymPy solves for "
                    "lam (the equation is linear in 1/lam) and compares lam n^{1/(L+1)} with the "
                    "printed Eq. (27); it also solves d/db of the reduced loss (lowrank_loss, "
                    "K = 4, 6, 8, symbolic L, n; affine in lam) = 0.")
def derivation(quick: bool) -> Outcome:
    x = sympy.Symbol("x", positive=True)  # x = e^b: softmax entries are rational in x
    D = _K - 2 + x + 1 / x
    p_top, p_partner, p_other = x / D, 1 / (x * D), 1 / D
    normalised = sympy.cancel(p_top + p_partner + (_K - 2) * p_other - 1) == 0
    # M = Y - P at class level; column a: (1 - p_top, -p_partner, -p_other...), column a' mirrored
    M_aa, M_pa, M_oa = 1 - p_top, -p_partner, -p_other
    M_ap, M_pp, M_op = -p_partner, 1 - p_top, -p_other
    r2 = sympy.sqrt(2)
    Mu = {"a": (M_aa - M_ap) / r2, "partner": (M_pa - M_pp) / r2, "other": (M_oa - M_op) / r2}
    mu = sympy.cancel(Mu["a"] * r2)
    mu_target = (_K - 2 + 2 / x) / D
    eigen = {"mu_matches": sympy.cancel(mu - mu_target) == 0,
             "partner_entry": sympy.cancel((Mu["partner"] + mu / r2) * r2) == 0,
             "other_entries_zero": sympy.cancel(Mu["other"] * r2) == 0}
    s = (2 * _b * sympy.sqrt(_n)) ** (1 / (_L + 1))
    # Eq. (12) on the singular directions: s = s^{L-l} sqrt(n) mu s^l / (K n lam), linear in 1/lam
    lam_sol = s ** (_L - _l) * sympy.sqrt(_n) * mu * s ** _l / (_K * _n) / s
    derived = sympy.powsimp(sympy.expand_power_base(lam_sol * _n ** (1 / (_L + 1)), force=True),
                            force=True)
    derived = derived.replace(lambda e: e.is_Pow, lambda e: sympy.Pow(e.base,
                                                                      sympy.simplify(e.exp)))
    independent_of_l = _l not in derived.free_symbols and _n not in derived.free_symbols
    printed = _exp_to_x(_printed_rhs_sym(_b, _K, _L), x)
    printed_equal = _is_one(derived / printed)
    # the independent route: stationary points of the reduced loss L_LR(b) (App. B.3); the
    # derivative is affine in lam, so lam = -A/B
    reduced = {}
    for K in ((4,) if quick else (4, 6, 8)):
        dl = sympy.diff(lowrank_loss(_b, K, _L, _n, _lm), _b)
        A, B = dl.subs(_lm, 0), sympy.diff(dl, _lm)
        affine = sympy.diff(dl, _lm, 2) == 0
        ratio = (-A / B) * _n ** (1 / (_L + 1)) / _printed_rhs_sym(_b, K, _L)
        reduced[str(K)] = bool(affine) and _is_one(_exp_to_x(ratio, x))
    ok = normalised and all(eigen.values()) and independent_of_l and all(reduced.values())
    disc = []
    if not printed_equal:
        disc.append(Discrepancy(
            kind="typo", published="λ n^{1/(L+1)} = (1/K)(2β)^{(L−1)/(L+1)} (K−2+2e^{−β})/"
                                   "(K−2+e^β+e^{−β})   (Eq. 27)",
            computed=f"λ n^{{1/(L+1)}} = {derived} (x = e^β)",
            evidence="SymPy solution of Eq. (12) with the Lemma-1 scales",
            location="001_015071d9d71e7d05.txt, Appendix B.8, Eq. (27)"))
    return Outcome(passed=bool(ok and printed_equal),
                   result={"softmax_normalised": normalised, "error_matrix_eigen": eigen,
                           "derived_lam_n_power_x_is_exp_beta": derived,
                           "independent_of_layer_and_n": independent_of_l,
                           "printed_equals_derived": printed_equal,
                           "reduced_loss_stationarity_equals_eq27_by_K": reduced},
                   parameters={"symbols": "beta, x = exp(beta), n, lam, K, L, l > 0"},
                   key=("softmax_normalised", "error_matrix_eigen",
                        "derived_lam_n_power_x_is_exp_beta", "independent_of_layer_and_n",
                        "printed_equals_derived", "reduced_loss_stationarity_equals_eq27_by_K"),
                   discrepancies=disc)


def _exp_to_x(expr, x):
    """Replace every e^{kβ} by x^k (x = e^β), keeping β itself as a symbol."""
    return expr.replace(lambda t: isinstance(t, sympy.exp),
                        lambda t: x ** sympy.simplify(t.args[0] / _b))


def _is_one(expr) -> bool:
    """True if a positive expression reduces to 1: powers split and merged with simplified
    exponents (SymPy leaves e.g. β^{1 - L/(L+1) - 1/(L+1)} otherwise), then rational
    cancellation, with ``simplify`` as the fallback."""
    e = sympy.powsimp(sympy.expand_power_base(expr, force=True), force=True)
    e = e.replace(lambda t: t.is_Pow, lambda t: sympy.Pow(t.base, sympy.simplify(t.exp)))
    e = sympy.cancel(sympy.powsimp(e, force=True))
    return e == 1 or sympy.simplify(e) == 1


def _blocks(K: int, diag, off) -> sympy.Matrix:
    """Block matrix with 2×2 diagonal blocks ``diag`` and every other 2×2 block ``off``."""
    M = sympy.zeros(K, K)
    for i in range(0, K, 2):
        for j in range(0, K, 2):
            M[i:i + 2, j:j + 2] = diag if i == j else off
    return M


@claim.check("exact", "intermediate formulas of App. B.8 on explicit matrices",
             method="For K = 4, 6 (quick: 4) and n = 2, with symbolic b: Z = b X~ kron 1_n^T "
                    "(block_lowrank_class_means), its singular values (eigenvalues of Z Z^T), the "
                    "frame identities U_L D' U_L^T = X~/2 and U_L [D', 0] V_0^T = X~ kron 1_n^T/"
                    "(2 sqrt n) with the exact frame (lowrank_frame, SymPy), the softmax P, the "
                    "error Y - P and X~ (Y-P)(X~ kron 1_n) as rational functions of x = e^b "
                    "(SymPy cancel), each compared entrywise with the printed block forms; the "
                    "printed product with X~ kron 1_n^T is checked for conformability.")
def intermediate(quick: bool) -> Outcome:
    x = sympy.Symbol("x", positive=True)  # x = e^b: every entry is then a rational function
    n = 2
    rows = {}
    off_sign_ok = True
    shapes = None

    def zero(M) -> bool:
        return all(sympy.cancel(v) == 0 for v in M)

    for K in ((4,) if quick else (4, 6)):
        D = K - 2 + x + 1 / x
        Xt = block_lowrank_class_means(K, 1)
        Z = expand_classes(_b * Xt, n)
        ev = (Z * Z.T).eigenvals()
        sv_ok = {sympy.factor(k): v for k, v in ev.items()} == {
            sympy.factor((2 * _b * sympy.sqrt(n)) ** 2): K // 2, 0: K // 2}
        sv_model = lowrank_singular_values(K, n, _b) == [(2 * _b * sympy.sqrt(n), K // 2)]
        U = lowrank_frame(K, sympy)
        Dp = sympy.diag(*([1] * (K // 2) + [0] * (K // 2)))
        V0 = sympy.Matrix.vstack(*[sympy.Matrix([[U[c, j] / sympy.sqrt(n) for j in range(K)]])
                                   for c in range(K) for _ in range(n)])
        frame1 = zero(sympy.expand(U * Dp * U.T - Xt / 2))
        frame2 = zero(sympy.expand(U * Dp * V0.T - expand_classes(Xt, n) / (2 * sympy.sqrt(n))))
        Pcol = Xt.applyfunc(lambda v: x ** v)  # e^{b X~}
        Pcls = sympy.Matrix.hstack(*[Pcol[:, j] / sum(Pcol[:, j]) for j in range(K)])
        P = expand_classes(Pcls, n)
        Pp = sympy.Matrix([[x, 1 / x], [1 / x, x]])
        P_printed = expand_classes(_blocks(K, Pp, sympy.ones(2, 2)) / D, n)
        p_ok = zero(P - P_printed)
        Y = expand_classes(sympy.eye(K), n)
        E = (K - 2) * sympy.eye(2)
        YP_printed = expand_classes((_blocks(K, E, sympy.ones(2, 2)) + Xt / x) / D, n)
        YP_fixed = expand_classes((_blocks(K, E, -sympy.ones(2, 2)) + Xt / x) / D, n)
        yp_printed_ok = zero(Y - P - YP_printed)
        yp_fixed_ok = zero(Y - P - YP_fixed)
        off_entry = sympy.cancel((Y - P)[2, 0] * D)  # row 2 (other pair), a sample of class 0
        prod = Xt * (Y - P) * sympy.kronecker_product(Xt, sympy.ones(n, 1))
        prod_ok = zero(prod - n * (2 * (K - 2) + 4 / x) / D * Xt)
        shapes = {"X~": list(Xt.shape), "Y - P": list((Y - P).shape),
                  "X~ kron 1_n^T": [K, K * n], "X~ kron 1_n": [K * n, K]}
        off_sign_ok &= yp_printed_ok
        rows[str(K)] = {"singular_values_2b_sqrt_n_times_K_over_2": sv_ok and sv_model,
                        "frame_identities": frame1 and frame2, "P_matches_printed": p_ok,
                        "Y_minus_P_matches_printed": yp_printed_ok,
                        "Y_minus_P_matches_with_minus_ones_off_diagonal": yp_fixed_ok,
                        "off_block_entry_times_D": off_entry,
                        "Xt_(Y-P)_(Xt_kron_1n)_matches_printed": prod_ok}
    printed_conformable = shapes["Y - P"][1] == shapes["X~ kron 1_n^T"][0]
    ok = all(r["singular_values_2b_sqrt_n_times_K_over_2"] and r["frame_identities"]
             and r["P_matches_printed"] and r["Y_minus_P_matches_with_minus_ones_off_diagonal"]
             and r["Xt_(Y-P)_(Xt_kron_1n)_matches_printed"] for r in rows.values())
    disc = []
    if not off_sign_ok:
        disc.append(Discrepancy(
            kind="typo",
            published="Y − P = (1/(K−2+e^β+e^{−β})) ([E 1 … 1; 1 E … 1; …] ⊗ 1_nᵀ + e^{−β} X̃ ⊗ "
                      "1_nᵀ), off-diagonal 2×2 blocks of ones",
            computed="the off-diagonal 2×2 blocks are −1 (Y has zeros there and P has "
                     "1/(K−2+e^β+e^{−β})); the diagonal blocks E + e^{−β}X are right. The sign "
                     "does not affect Eq. (27): X J X = 0 for the all-ones block J",
            evidence="SymPy, K = " + ", ".join(rows) + ", n = 2: (Y−P) times (K−2+e^β+e^{−β}) "
                     f"at an off-block entry = {rows['4']['off_block_entry_times_D']}; the "
                     "printed form differs, the form with −1 blocks equals Y − P entrywise",
            location="001_015071d9d71e7d05.txt, Appendix B.8, display of Y − P"))
    if not printed_conformable:
        disc.append(Discrepancy(
            kind="typo",
            published="X̃(Y − P)(X̃ ⊗ 1_nᵀ) = n(2(K−2) + 4e^{−β})/(K−2+e^β+e^{−β}) X̃",
            computed="X̃(Y − P)(X̃ ⊗ 1_n) = n(2(K−2) + 4e^{−β})/(K−2+e^β+e^{−β}) X̃: the last "
                     "factor is X̃ ⊗ 1_n (Kn×K), as in the display before it; with X̃ ⊗ 1_nᵀ "
                     "(K×Kn) the product is undefined for n >= 2",
            evidence=f"shapes {shapes}; the corrected identity holds entrywise (SymPy)",
            location="001_015071d9d71e7d05.txt, Appendix B.8, 'Explicit computation then gives'"))
    return Outcome(passed=bool(ok), result={"by_K": rows, "shapes_n2": shapes,
                                      "printed_product_conformable": printed_conformable},
                   parameters={"n": n, "K": list(rows)},
                   key=("by_K", "printed_product_conformable"), discrepancies=disc)


_CASES = [(4, 2, 1, "1/1000"), (6, 3, 2, "1/1000"), (4, 3, 3, "1/1024"), (8, 2, 1, "1/1000"),
          (4, 1, 2, "1/100"), (6, 2, 1, "1/10000")]


def _lam(s: str) -> mpmath.mpf:
    q = sympy.Rational(s)
    return mpmath.mpf(int(q.p)) / int(q.q)


@claim.check("highprec", "roots, existence threshold, and the reduced-loss optimum",
             method="Roots of Eq. (27) at 50 digits (lowrank_critical_scales: log-scaled "
                    "brackets either side of the maximiser of g); g has one interior maximum "
                    "(sign changes of d log g/db on a 1000-point log grid in [1e-6, 200]); just "
                    "below the threshold max g/n^{1/(L+1)} (factor 1 - 1e-6) two roots for L >= 2 "
                    "(one for L = 1), just above none; the large root equals the minimiser of the "
                    "reduced loss L_LR(b) found independently (optimal_lowrank_scale, 40 digits); "
                    "the large root grows as lam = 10^-2..10^-8 decreases and the printed Eq. "
                    "(27), coded separately, has the same roots; for K = 2 (X~ = 2S) the roots are "
                    "half the DNC roots of Eq. (19).")
def roots(quick: bool) -> Outcome:
    rows = []
    agree = mpmath.mpf(0)
    printed_diff = mpmath.mpf(0)
    thresholds_ok = True
    unimodal = True
    cases = _CASES[:2] if quick else _CASES
    with mpmath.workdps(50):
        for K, L, n, lam_s in cases:
            lam = _lam(lam_s)
            r = lowrank_critical_scales(K, L, n, lam, dps=50)
            c = lam * mpmath.mpf(n) ** (mpmath.mpf(1) / (L + 1))
            resid = max(abs(lowrank_scale_rhs(x, K, L) / c - 1) for x in r)
            th = lowrank_existence_threshold(K, L, n)
            below = len(lowrank_critical_scales(K, L, n, th * (1 - mpmath.mpf(10) ** -6)))
            above = len(lowrank_critical_scales(K, L, n, th * (1 + mpmath.mpf(10) ** -6)))
            thresholds_ok &= below == (1 if L == 1 else 2) and above == 0
            changes = _derivative_sign_changes(K, L, 1000 if not quick else 300)
            unimodal &= changes == (0 if L == 1 else 1)
            opt = optimal_lowrank_scale(K, L, n, lam, dps=40)
            diff = abs(opt.x - r[-1]) if not opt.at_zero else None
            if diff is not None:
                agree = max(agree, diff)
            for x in r:  # the printed form has the same roots
                printed_diff = max(printed_diff, abs(printed_rhs(x, K, L) / c - 1))
            bm = lowrank_rhs_maximiser(K, L)
            rows.append({"K": K, "L": L, "n": n, "lam": lam_s,
                         "roots": [mpmath.nstr(x, 30) for x in r],
                         "relative_residual": mpmath.nstr(resid, 3),
                         "maximiser": None if bm is None else mpmath.nstr(bm, 20),
                         "threshold": mpmath.nstr(th, 20), "roots_just_below": below,
                         "roots_just_above": above, "sign_changes_of_g'": changes,
                         "large_root_minus_reduced_loss_minimiser":
                             None if diff is None else mpmath.nstr(diff, 5)})
        diverging = [lowrank_critical_scales(4, 2, 1, mpmath.mpf(10) ** -k)[-1]
                     for k in range(2, 9)]
        increasing = all(b > a for a, b in zip(diverging, diverging[1:], strict=False))
        k2 = [(lowrank_critical_scales(2, L, 1, mpmath.mpf(1) / 1000),
               dnc_critical_scales(2, L, 1, mpmath.mpf(1) / 1000)) for L in (1, 2, 3)]
        same = all(len(lr) == len(dn) for lr, dn in k2)
        k2_dev = max(abs(2 * b - a) for lr, dn in k2 for b, a in zip(lr, dn, strict=False)) \
            if same else mpmath.inf
        k2_ok = bool(same and k2_dev < mpmath.mpf(10) ** -40)
    ok = (thresholds_ok and unimodal and agree < mpmath.mpf(10) ** -30 and increasing and k2_ok
          and printed_diff < mpmath.mpf(10) ** -40)
    return Outcome(passed=bool(ok), result={
        "cases": rows, "threshold_behaviour_ok": thresholds_ok, "g_unimodal": unimodal,
        "max_disagreement_with_reduced_loss": mpmath.nstr(agree, 5),
        "printed_eq27_residual_at_roots": mpmath.nstr(printed_diff, 5),
        "large_root_lam_1e-2_to_1e-8_K4_L2": [mpmath.nstr(x, 10) for x in diverging],
        "large_root_increasing": increasing,
        "K2_roots_equal_half_dnc_roots": k2_ok, "K2_max_deviation": mpmath.nstr(k2_dev, 5)},
        parameters={"dps": 50, "cases (K, L, n, lam)": cases},
        key=("threshold_behaviour_ok", "g_unimodal", "large_root_increasing",
             "K2_roots_equal_half_dnc_roots"))


def _derivative_sign_changes(K: int, L: int, grid: int) -> int:
    """Sign changes of ``d log g/dβ`` (lowrank_rhs_log_derivative) on a log grid of [1e-6, 200]."""
    changes, prev = 0, None
    with mpmath.workdps(20):
        b = mpmath.mpf(10) ** -6
        step = mpmath.mpf(2 * 10**8) ** (mpmath.mpf(1) / grid)
        for _ in range(grid + 1):
            sgn = lowrank_rhs_log_derivative(b, K, L) > 0
            if prev is not None and sgn != prev:
                changes += 1
            prev = sgn
            b *= step
    return changes


_GRAD_CASES = [(4, 2, 1, 4, "1/1000"), (6, 3, 2, 7, "1/1000"), (4, 1, 2, 5, "1/100"),
               (8, 2, 1, 8, "1/10000")]


@claim.check("highprec", "the whole gradient vanishes at the roots and only there",
             method="Low-rank parameters with canonical frames (canonical_lowrank_parameters, "
                    "mpmath, 50 digits) at each root b of Eq. (27): every entry of the gradient of "
                    "the full loss (deep_linear_gradient, Eq. 7, independent of the scale "
                    "equation; all layers l = 0..L, including the boundary ones), relative to the "
                    "size lam max|theta| of the weight-decay term it must cancel, is below 1e-40; "
                    "at b(1 + 1e-6) it exceeds 1e-8 (the test discriminates); Z equals "
                    "b X~ kron 1_n^T to 1e-45 relative.")
def gradient_check(quick: bool) -> Outcome:
    rows = []
    worst = mpmath.mpf(0)
    off_min = mpmath.inf
    z_worst = mpmath.mpf(0)
    cases = _GRAD_CASES[:2] if quick else _GRAD_CASES
    with mpmath.workdps(50):
        for K, L, n, d, lam_s in cases:
            lam = _lam(lam_s)
            Xt = block_lowrank_class_means(K, 1)
            for b in lowrank_critical_scales(K, L, n, lam, dps=50):
                H1, Ws = canonical_lowrank_parameters(K, n, d, L, b)
                Z = H1
                for W in Ws:
                    Z = W * Z
                z_err = max(abs(Z[i, j] - b * int(Xt[i, j // n])) for i in range(K)
                            for j in range(K * n)) / b
                z_worst = max(z_worst, z_err)
                size = lam * max(abs(v) for M in [H1, *Ws] for v in M)
                g = _grad_max(H1, Ws, lam, K, n) / size
                worst = max(worst, g)
                g_off = _grad_max(*canonical_lowrank_parameters(
                    K, n, d, L, b * (1 + mpmath.mpf(10) ** -6)), lam, K, n) / size
                off_min = min(off_min, g_off)
                rows.append({"K": K, "L": L, "n": n, "d": d, "lam": lam_s,
                             "beta": mpmath.nstr(b, 30),
                             "relative_max_abs_gradient": mpmath.nstr(g, 5),
                             "relative_gradient_at_beta(1+1e-6)": mpmath.nstr(g_off, 5)})
    ok = (worst < mpmath.mpf(10) ** -40 and off_min > mpmath.mpf(10) ** -8
          and z_worst < mpmath.mpf(10) ** -45)
    return Outcome(passed=bool(ok), result={"roots": rows,
                                      "max_relative_gradient_at_roots": mpmath.nstr(worst, 5),
                                      "min_relative_gradient_off_roots": mpmath.nstr(off_min, 5),
                                      "max_relative_logit_error": mpmath.nstr(z_worst, 5),
                                      "roots_checked": len(rows)},
                   parameters={"dps": 50, "cases (K, L, n, d, lam)": cases},
                   key=("roots_checked",))


def _grad_max(H1, Ws, lam, K: int, n: int) -> mpmath.mpf:
    gH, gW = deep_linear_gradient(H1, Ws, lam, K, n)
    return max(max(abs(x) for x in g) for g in [gH, *gW])
