"""`sk` Definition 7: the deep-neural-collapse (DNC) solution of the L-DUFM, its scales α_l and
the loss ``L_DNC(q)`` of the proof of Theorem 3.

Checks: the DNC loss as a function of α_2..α_L (Lemmas 14, 15 and the orthogonal-frame
minimum-norm layers), its stationary point, and the printed α formulas (SymPy); the printed
L_DNC(q); explicit networks evaluated with the true L-DUFM loss (mpmath 50 digits).  The printed
formula for the intermediate scales is wrong (index shift); it is recorded with the corrected one.
"""

from __future__ import annotations

import random

import mpmath
import sympy

from ncverify.claims import Claim, Discrepancy, Outcome, register
from ncverify.models.deep_ufm import dufm_features, dufm_loss
from ncverify.models.srg import dnc_alphas, dnc_mse_loss, dnc_network
from ncverify.models.symbolic import is_zero

__all__ = ["claim", "published_alpha_last", "published_alphas_middle", "published_dnc_loss"]

STATEMENT = r"""**Definition 7** A deep neural collapse (DNC) solution for any number of classes K of the L-DUFM problem (1) is obtained by setting the matrices  $(H_1, W_1, \ldots, W_L)$  as follows. For all l, the feature matrices  $H_l$ ,  $\tilde{H}_l$  are DNC1 collapsed, i.e.,  $H_l = M_l \otimes \mathbf{1}_n^T$ ,  $\tilde{H}_l = \tilde{M}_l \otimes \mathbf{1}_n^T$ . For  $2 \leq l \leq L$ ,  $M_l = \tilde{M}_l$  and  $M_l^T M_l = \alpha_l I_K$ . For l = 1,  $W_1$ ,  $M_1$  are any pair of matrices that minimize the objective conditionally on  $M_2$  being defined as above. For  $l \geq 2$ ,  $W_l$  minimizes the objective

conditional to the input and output to that layer. Finally, the parameters  $\{\alpha_l\}_{l=2}^L$  satisfy

$$\alpha_{l-1} = \frac{\lambda_{W_{L-1}}^{l-1}}{\lambda_{H_1} n \prod_{i=1}^{l-1} \lambda_{W_i}} q^{l-1}, \qquad 2 \le l \le L-1,$$

$$\alpha_L = \frac{\lambda_{W_{L-1}}^{L-1}}{\lambda_{H_1} n \prod_{i=1}^{l-2} \lambda_{W_i}} q^L,$$

and the parameter  $q \ge 0$  is chosen to minimize the objective function in (1).

[Proof of Theorem 3:]

The loss of the DNC solution can be computed by a simple extension of the expression (17) from [46]:

$$\mathcal{L}_{DNC}(q) = \frac{\lambda_{W_L}}{2} \frac{\frac{r(r-1)}{2}}{\frac{\lambda_{W_{L-1}}^{L-1}}{\lambda_{H_1} \prod_{l=1}^{L-2} \lambda_{W_l}} q^L + \frac{r(r-1)}{2} \lambda_{W_L}} + \frac{L}{2} \frac{r(r-1)}{2} \lambda_{W_{L-1}} q.$$"""

claim = register(Claim(
    id="sk.def7",
    paper="sk",
    label="Definition 7",
    title="The DNC solution: scales alpha_l (printed formula corrected) and the true loss L_DNC(q)",
    source="002_521ba04a56249479.txt, Appendix B.1, Definition 7; L_DNC(q) in the proof of "
           "Theorem 3",
    statement=STATEMENT,
    domain={"K": "integer >= 1", "L": "integer >= 2", "n": "integer >= 1",
            "lambdas": "> 0", "q": ">= 0", "d_l": ">= K"},
))


def published_alphas_middle(L, lams, n, q):
    """The printed ``α_{l-1} = λ_{W_{L-1}}^{l-1} q^{l-1}/(λ_H1 n Π_{i=1}^{l-1} λ_{W_i})`` for
    2 <= l <= L-1, returned as ``{l-1: value}`` (i.e. α_1 .. α_{L-2})."""
    lh, lw = lams[0], lams[1:]
    return {l - 1: lw[L - 2] ** (l - 1) / (lh * n * sympy.Mul(*lw[:l - 1])) * q ** (l - 1)
            for l in range(2, L)}


def published_alpha_last(L, lams, n, q, upper=None):
    """The printed ``α_L = λ_{W_{L-1}}^{L-1} q^L/(λ_H1 n Π_{i=1}^{l-2} λ_{W_i})``; the upper
    index 'l-2' has no value outside the previous display, ``upper`` supplies one (L - 2)."""
    lh, lw = lams[0], lams[1:]
    upper = L - 2 if upper is None else upper
    return lw[L - 2] ** (L - 1) / (lh * n * sympy.Mul(*lw[:upper])) * q**L


def published_dnc_loss(q, K, L, lams):
    """L_DNC(q) as printed in the proof of Theorem 3 (n = 1)."""
    lh, lw = lams[0], lams[1:]
    return (lw[L - 1] / 2 * K / (lw[L - 2] ** (L - 1) / (lh * sympy.Mul(*lw[:L - 2])) * q**L
                                 + K * lw[L - 1]) + sympy.Rational(L, 2) * K * lw[L - 2] * q)


def _alpha_loss(K, L, lam, n, a):
    """DNC loss in its scales: √(nλ_H1λ_W1) K √α_2 (Lemma 15, ‖M_2‖_* = K√α_2),
    Σ_{l=2}^{L-1} ½λ_l K α_{l+1}/α_l (minimum-norm W_l between orthogonal frames),
    (λ_L/2) K/(α_L + Kλ_L) (Lemma 14)."""
    total = sympy.sqrt(n * lam[0] * lam[1]) * K * sympy.sqrt(a[0])
    for l in range(2, L):
        total += lam[l] / 2 * K * a[l - 1] / a[l - 2]
    return total + lam[L] / 2 * K / (a[-1] + K * lam[L])


@claim.check("exact", "stationary scales, printed alpha formulas and L_DNC(q) (SymPy)",
             method="K, n, q and every lambda positive symbols, L = 2..6 (quick 2..4). The "
                    "derived scales alpha_l = lam_{W_{L-1}}^l q^l/(n lam_H1 prod_{i<l} lam_{W_i}) "
                    "(ncverify.models.srg.dnc_alphas) make every partial derivative of the loss "
                    "in alpha_2..alpha_{L-1} vanish and give dnc_mse_loss(q), which equals the "
                    "printed L_DNC(q) at n = 1. The printed intermediate formula is substituted "
                    "for alpha_2..alpha_{L-2} (with the printed alpha_L and the derived "
                    "alpha_{L-1}, which no printed formula gives) and its partial derivatives "
                    "are evaluated.")
def formulas(quick: bool) -> Outcome:
    K, n, q = sympy.symbols("K n q", positive=True)
    res, ok, printed_bad = {}, True, []
    for L in range(2, (4 if quick else 6) + 1):
        lam = list(sympy.symbols(f"lam_H lam_1:{L + 1}", positive=True))
        syms = list(sympy.symbols(f"a2:{L + 1}", positive=True))
        F = _alpha_loss(K, L, lam, n, syms)
        derived = dnc_alphas(K, L, lam, n, q)
        sub = dict(zip(syms, derived, strict=True))
        grads = [is_zero(sympy.diff(F, syms[i]).subs(sub)) for i in range(L - 2)]
        loss_ok = is_zero(F.subs(sub) - dnc_mse_loss(q, K, L, lam, n))
        printed_loss_ok = is_zero(dnc_mse_loss(q, K, L, lam, 1)
                                         - published_dnc_loss(q, K, L, lam))
        last_ok = is_zero(published_alpha_last(L, lam, n, q) - derived[-1])
        row = {"derived_stationary": grads, "derived_gives_L_DNC": loss_ok,
               "printed_L_DNC_equals_derived_n1": printed_loss_ok,
               "printed_alpha_L_with_upper_L_minus_2": last_ok}
        if L >= 4:
            middle = published_alphas_middle(L, lam, n, q)
            trial = [middle[l] for l in range(2, L - 1)] + [derived[L - 3], derived[-1]]
            sub_p = dict(zip(syms, trial, strict=True))
            pgrads = [is_zero(sympy.diff(F, syms[i]).subs(sub_p))
                      for i in range(L - 2)]
            ratio = [sympy.simplify(middle[l] / derived[l - 2]) for l in range(2, L - 1)]
            row.update({"printed_middle_stationary": pgrads,
                        "printed_over_derived": ratio})
            if not all(pgrads):
                printed_bad.append(L)
        res[str(L)] = row
        ok &= all(grads) and loss_ok and printed_loss_ok and last_ok
    disc = []
    if printed_bad:
        ex = res[str(printed_bad[0])]
        disc.append(Discrepancy(
            kind="typo",
            published="alpha_{l-1} = lam_{W_{L-1}}^{l-1} q^{l-1}/(lam_H1 n prod_{i=1}^{l-1} "
                      "lam_{W_i}), 2 <= l <= L-1; alpha_L = lam_{W_{L-1}}^{L-1} q^L/(lam_H1 n "
                      "prod_{i=1}^{l-2} lam_{W_i})",
            computed="alpha_l = lam_{W_{L-1}}^l q^l/(lam_H1 n prod_{i=1}^{l-1} lam_{W_i}) for "
                     "2 <= l <= L (the printed alpha_L is this at l = L once 'l-2' is read "
                     "'L-2'); the printed line gives alpha_1..alpha_{L-2} (alpha_1 is no scale "
                     "of the construction, alpha_{L-1} is missing) and each printed alpha_m is "
                     "the correct value divided by lam_{W_m}, which is not stationary",
            evidence=f"SymPy, L = {printed_bad}: printed/derived = "
                     f"{ex['printed_over_derived']}; partial derivatives at the printed "
                     f"scales vanish: {ex['printed_middle_stationary']}; the derived scales are "
                     "stationary and reproduce the printed L_DNC(q)",
            location="002_521ba04a56249479.txt, Appendix B.1, Definition 7"))
    return Outcome(passed=ok, result=res, parameters={"L": [2, 4 if quick else 6]},
                   key=tuple(res), discrepancies=disc)


@claim.check("highprec", "explicit DNC networks: true L-DUFM loss = L_DNC(q) (50 digits)",
             method="ncverify.models.srg.dnc_network: M_l = sqrt(alpha_l) I_K (an orthogonal frame "
                    "with non-negative entries), W_l = sqrt(alpha_{l+1}/alpha_l) I, balanced "
                    "H_1, W_1, ridge W_L; dufm_loss(..., 'mse', 'relu') compared with "
                    "dnc_mse_loss(q) and, for n = 1, the printed L_DNC(q); M_l^T M_l = "
                    "alpha_l I_K and ReLU acting as the identity on layers 2..L are read off the "
                    "features. lambdas random in [1e-4, 1e-1] (seeded).")
def explicit(quick: bool) -> Outcome:
    rng = random.Random(71)
    cases = [(3, 2, 1), (6, 3, 1), (10, 4, 2)] if quick else \
        [(K, L, n) for K in (2, 6, 10, 15) for L in (2, 3, 4, 5) for n in (1, 2) if (K + L + n) % 2]
    worst, worst_printed, relu_id, gram_ok = mpmath.mpf(0), mpmath.mpf(0), True, True
    with mpmath.workdps(50):
        for K, L, n in cases:
            lam = [mpmath.mpf(10) ** -rng.uniform(1, 4) for _ in range(L + 1)]
            q = mpmath.mpf(rng.uniform(0.05, 5))
            H1, Ws = dnc_network(K, L, lam, n, q)
            true = dufm_loss(H1, Ws, lam, K, n, loss="mse", activation="relu")
            worst = max(worst, abs(true - dnc_mse_loss(q, K, L, lam, n)))
            if n == 1:
                worst_printed = max(worst_printed, abs(true - published_dnc_loss(q, K, L, lam)))
            pre, post = dufm_features(H1, Ws, "relu")
            al = dnc_alphas(K, L, lam, n, q)
            for l in range(1, L):
                relu_id &= all(pre[l][i, j] >= 0 for i in range(K) for j in range(K * n))
                M = mpmath.matrix([[pre[l][i, c * n] for c in range(K)] for i in range(K)])
                gram_ok &= mpmath.mnorm(M.T * M - al[l - 1] * mpmath.eye(K), "f") < \
                    mpmath.mpf(10) ** -40
        tol = mpmath.mpf(10) ** -40
        ok = worst < tol and worst_printed < tol and relu_id and gram_ok
        res = {"networks": len(cases), "max_abs_true_minus_closed_form": mpmath.nstr(worst, 5),
               "max_abs_true_minus_printed_n1": mpmath.nstr(worst_printed, 5),
               "relu_is_identity_on_layers_2_to_L": relu_id, "M_l_orthogonal_frames": gram_ok}
    return Outcome(passed=ok, result=res, parameters={"dps": 50, "seed": 71, "cases": cases},
                   key=("networks", "relu_is_identity_on_layers_2_to_L",
                        "M_l_orthogonal_frames"))
