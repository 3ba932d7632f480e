"""`gk` Eq. (19) (App. B.6): the scale equation of DNC critical points, derived from the gradient
(Eq. 12) and compared with the printed Eqs. (18)-(19) and the properties of f claimed after them.
"""

from __future__ import annotations

import mpmath
import sympy

from ncverify.claims import Claim, Discrepancy, Outcome, register
from ncverify.models.critical import dnc_critical_scales, dnc_scale_rhs, rhs_maximiser
from ncverify.models.deep_ufm import canonical_dnc_parameters, deep_linear_gradient

__all__ = ["claim", "printed_rhs"]

STATEMENT = r"""[App. B.6] Hence our critical point condition in Equation (12) for  $1 \leq l \leq L - 1$  becomes [...]

$$D = (\alpha \sqrt{n})^{\frac{L-l}{L+1}} \frac{1}{n\lambda (K-1) + e^\alpha} \frac{\sqrt{n}}{n\lambda (K-1) + e^\alpha} D, \quad (18)$$

and this holds when

$$\lambda n^{\frac{1}{L+1}} = \frac{1}{(K-1) + e^\alpha} \alpha^{\frac{L-l}{L+1}}. \quad (19)$$

If we write  $f(\alpha)$  for the RHS of Equation (19), this function satisfies:  $f(0) = 0, \lim_{\alpha \rightarrow \infty} \{f(\alpha)\} = 0$ , and  $f(\alpha) > 0$  for  $\alpha > 0$ . In addition,  $f$  has a unique maximum in  $\alpha > 0$ , since

$$f'(\alpha) = 0 \quad \Leftrightarrow \quad \left( \frac{L-1}{L+1} \right) (K-1) = \left[ \alpha - \left( \frac{L-1}{L+1} \right) \right] e^\alpha,$$

which has exactly one solution in  $\alpha > 0$ .

Therefore Equation (19) has two positive solutions when  $\lambda n^{\frac{1}{L+1}}$  is smaller than the value of the maximum. [...] The  $l = L, l = 0$  cases produce the same equation as Equation (18), but with  $\tilde{D}$  or  $\bar{D}$  in place of  $D$ , which reduces to Equation (19) also."""

claim = register(Claim(
    id="gk.eq19",
    paper="gk",
    label="Eq. (19)",
    title="Scale equation of DNC critical points, derived from the gradient",
    source="001_015071d9d71e7d05.txt, Appendix B.6, Eqs. (12)-(19)",
    statement=STATEMENT,
    domain={"K": "integer >= 2", "L": "integer >= 1", "n": "integer >= 1", "lambda": "> 0",
            "l": "layer index 0..L"},
))

_a, _n, _lam, _K, _L, _l = sympy.symbols("alpha n lam K L l", positive=True)


def printed_rhs(alpha, K: int, L: int, l: int):
    """The right side of Eq. (19) as printed, ``α^{(L-l)/(L+1)}/((K-1)+e^α)``, for a layer l."""
    return mpmath.mpf(alpha) ** (mpmath.mpf(L - l) / (L + 1)) / (K - 1 + mpmath.exp(alpha))


@claim.check("exact", "derivation from the gradient (Eq. 12), symbolic",
             method="With the Lemma-1 scales of Eqs. (15)-(17) (W_l ~ (a sqrt n)^{1/(L+1)}, "
                    "A_{l+1} ~ (a sqrt n)^{(L-l)/(L+1)}, H_l ~ (a sqrt n)^{l/(L+1)}) and "
                    "Y - P = K/(K-1+e^a) S kron 1_n^T (Eq. 14, checked entrywise for symbolic K), "
                    "Eq. (12) reads (a sqrt n)^{1/(L+1)} = (1/(K n lam)) (a sqrt n)^{L/(L+1)} "
                    "K sqrt(n)/(K-1+e^a); SymPy solves it for lam and compares with the printed "
                    "Eq. (19) (and checks that the result does not depend on l).")
def derivation(quick: bool) -> Outcome:
    e = sympy.exp(_a)
    # Eq. (14): (Y - P) entries from the softmax of a S (p_c = e^a/(e^a+K-1), others 1/(...))
    D = e + _K - 1
    eq14 = {"diagonal": sympy.simplify((1 - e / D) - _K / D * (_K - 1) / _K) == 0,
            "off-diagonal": sympy.simplify((0 - 1 / D) - _K / D * (-1 / _K)) == 0}
    base = _a * sympy.sqrt(_n)
    lhs = base ** (1 / (_L + 1))
    rhs = (1 / (_K * _n * _lam)) * base ** ((_L - _l) / (_L + 1)) * base ** (_l / (_L + 1)) \
        * _K * sympy.sqrt(_n) / D
    lam_sol = sympy.solve(sympy.Eq(lhs, rhs), _lam)
    derived = sympy.simplify(sympy.powsimp(sympy.expand_power_base(
        lam_sol[0] * _n ** (1 / (_L + 1)), force=True), force=True))
    target = _a ** ((_L - 1) / (_L + 1)) / D
    correct = sympy.simplify(derived - target) == 0
    independent_of_l = _l not in derived.free_symbols
    printed = _a ** ((_L - _l) / (_L + 1)) / D
    printed_equal = sympy.simplify(printed - target) == 0
    disc = []
    if not printed_equal:
        disc.append(Discrepancy(
            kind="typo",
            published="λ n^{1/(L+1)} = α^{(L−l)/(L+1)} / ((K−1) + e^α)   (Eq. 19)",
            computed="λ n^{1/(L+1)} = α^{(L−1)/(L+1)} / ((K−1) + e^α): the exponent is "
                     "(L−1)/(L+1) for every layer l (the printed l would make the condition "
                     "differ between layers, contradicting 'the l = L, l = 0 cases ... reduce to "
                     "Equation (19) also'); the f'(α) condition printed next uses (L−1)/(L+1)",
            evidence=f"SymPy: solving Eq. (12) with the Lemma-1 scales gives {derived}; "
                     "independent of l",
            location="001_015071d9d71e7d05.txt, Appendix B.6, Eq. (19)"))
        disc.append(Discrepancy(
            kind="typo",
            published="D = (α√n)^{(L−l)/(L+1)} · 1/(nλ(K−1) + e^α) · √n/(nλ(K−1) + e^α) · D   "
                      "(Eq. 18)",
            computed="D = (α√n)^{(L−1)/(L+1)} · √n / (nλ((K−1) + e^α)) · D: one factor "
                     "√n/(nλ((K−1)+e^α)), with nλ multiplying the whole (K−1)+e^α",
            evidence="same SymPy derivation; the printed product would give an equation quadratic "
                     "in 1/λ",
            location="001_015071d9d71e7d05.txt, Appendix B.6, Eq. (18) and the display before it"))
    ok = all(eq14.values()) and correct and independent_of_l
    return Outcome(passed=ok, result={"eq14_entrywise": eq14, "derived_lam_n_power": derived,
                                      "matches_corrected_form": correct,
                                      "independent_of_layer": independent_of_l,
                                      "printed_equals_derived": printed_equal},
                   parameters={"symbols": "alpha, n, lam, K, L, l > 0"},
                   key=("eq14_entrywise", "derived_lam_n_power", "matches_corrected_form",
                        "independent_of_layer", "printed_equals_derived"),
                   discrepancies=disc)


_CASES = [(3, 2, 1, "1/1000"), (4, 3, 2, "1/1000"), (6, 2, 5, "1/1024"), (3, 1, 2, "1/100")]


@claim.check("highprec", "the whole gradient vanishes at the derived roots, not at the printed",
             method="DNC parameters with canonical frames (mpmath, 50 digits) at each root alpha of "
                    "the derived equation: every entry of the gradient of Eq. (7) (computed "
                    "independently of the scale equation) is below 1e-40. At the roots of the "
                    "printed Eq. (19) read with l = 0 and with l = L the gradient is far from 0.")
def gradient_check(quick: bool) -> Outcome:
    rows = []
    worst = mpmath.mpf(0)
    printed_min = mpmath.inf
    cases = _CASES[:2] if quick else _CASES
    with mpmath.workdps(50):
        for K, L, n, lam_s in cases:
            lam = mpmath.mpf(sympy.Rational(lam_s).p) / sympy.Rational(lam_s).q
            for a in dnc_critical_scales(K, L, n, lam, dps=50):
                res = _grad_max(K, n, L, a, lam)
                worst = max(worst, res)
                rows.append({"K": K, "L": L, "n": n, "lam": lam_s, "alpha": mpmath.nstr(a, 30),
                             "max_abs_gradient": mpmath.nstr(res, 5)})
            for l in (0, L):
                if l == 1:
                    continue  # l = 1 coincides with the corrected equation
                c = lam * mpmath.mpf(n) ** (mpmath.mpf(1) / (L + 1))
                a = _largest_root(lambda x, l=l, K=K, L=L, c=c: printed_rhs(x, K, L, l) - c)
                if a is not None:
                    g = _grad_max(K, n, L, a, lam)
                    printed_min = min(printed_min, g)
                    rows.append({"K": K, "L": L, "n": n, "lam": lam_s, "printed_l": l,
                                 "alpha": mpmath.nstr(a, 15), "max_abs_gradient": mpmath.nstr(g, 5)})
        ok = worst < mpmath.mpf(10) ** -40 and printed_min > mpmath.mpf(10) ** -6
        return Outcome(passed=ok, result={"roots": rows, "max_gradient_at_derived_roots":
                                          mpmath.nstr(worst, 5),
                                          "min_gradient_at_printed_roots": mpmath.nstr(printed_min, 5),
                                          "roots_checked": sum(1 for r in rows if "printed_l" not in r)},
                       parameters={"dps": 50, "cases (K, L, n, lam)": cases, "d": "K + 1"},
                       key=("roots_checked",))


def _largest_root(g) -> mpmath.mpf | None:
    """Largest root of g on (0, 200] from a grid scan and a bracketing solver."""
    xs = [mpmath.mpf(200) * i / 2000 for i in range(1, 2001)]
    for a, b in zip(reversed(xs[:-1]), reversed(xs[1:]), strict=True):
        if g(a) * g(b) <= 0:
            return mpmath.findroot(g, (a, b), solver="anderson")
    return None


def _grad_max(K: int, n: int, L: int, alpha, lam) -> mpmath.mpf:
    H1, Ws = canonical_dnc_parameters(K, n, K + 1, L, alpha)
    gH, gW = deep_linear_gradient(H1, Ws, lam, K, n)
    return max(max(abs(x) for x in g) for g in [gH, *gW])


@claim.check("exact", "properties of f claimed after Eq. (19)",
             method="f(a) = a^{(L-1)/(L+1)}/(K-1+e^a): SymPy checks f'(a) = 0 <=> c(K-1) = "
                    "(a - c)e^a with c = (L-1)/(L+1) (numerator of f' after clearing positive "
                    "factors); (a - c)e^a is increasing for a > c - 1, so one root for L >= 2. "
                    "f(0) evaluated exactly for L = 1..6: 0 only when L >= 2. For L = 1 the maximiser "
                    "does not exist and Eq. (19) has at most one root (checked with mpmath).")
def f_properties(quick: bool) -> Outcome:
    c = (_L - 1) / (_L + 1)
    f = _a ** c / (_K - 1 + sympy.exp(_a))
    num = sympy.simplify(sympy.diff(f, _a) * (_K - 1 + sympy.exp(_a)) ** 2 * _a ** (1 - c))
    crit = sympy.simplify(num - (c * (_K - 1) - (_a - c) * sympy.exp(_a))) == 0
    f0 = {str(L): sympy.limit(_a ** sympy.Rational(L - 1, L + 1) / (_K - 1 + sympy.exp(_a)), _a, 0)
          for L in range(1, 7)}
    l1_roots = {str(lam): len(dnc_critical_scales(4, 1, 1, lam)) for lam in (0.01, 0.1, 0.2)}
    max_exists = {str(L): rhs_maximiser(4, L) is not None for L in (1, 2, 3)}
    disc = []
    if f0["1"] != 0:
        disc.append(Discrepancy(
            kind="false-on-part-of-domain",
            published="f(0) = 0 and f has a unique maximum in α > 0, so Eq. (19) has two positive "
                      "solutions below the maximum",
            computed="true for L >= 2; for L = 1, f(α) = 1/(K−1+e^α) is decreasing with f(0) = "
                     "1/K, has no interior maximum, and the equation has exactly one positive root "
                     "when λ√n < 1/K (none otherwise); Theorem 4(i) still holds for L = 1",
            evidence=f"exact limits f(0+) by L: {f0}; number of roots for K = 4, L = 1, n = 1 and "
                     f"λ = 0.01, 0.1, 0.2: {l1_roots}",
            location="001_015071d9d71e7d05.txt, Appendix B.6, after Eq. (19)"))
    ok = crit and all(v == 0 for k, v in f0.items() if k != "1") and all(
        v == 1 for v in l1_roots.values()) and max_exists == {"1": False, "2": True, "3": True}
    example = float(dnc_scale_rhs(1, 4, 2))
    return Outcome(passed=ok, result={"critical_point_condition": crit, "f_at_0_by_L": f0,
                                      "roots_L1": l1_roots, "maximiser_exists_by_L": max_exists,
                                      "f(1) at K=4, L=2": example},
                   parameters={"K_examples": 4}, key=("critical_point_condition", "f_at_0_by_L",
                                                      "roots_L1", "maximiser_exists_by_L"),
                   discrepancies=disc)

