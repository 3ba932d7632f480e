"""`gk` Lemma 2 (Appendix B.6): ``S ρ'_c S = K s_c s_cᵀ + S``, and the softmax-Jacobian split
of Eq. (25) that the proof of Theorem 4 uses it with.

Checks: a proof for general K by entrywise case analysis (K a SymPy symbol); exact integer
matrices for K = 2..64 and every c; the split ``ρ_c = (e^α ρ'_c + ρ''_c)/(K-1+e^α)²`` derived
from the softmax itself, symbolically in α and K; and ``ρ''_c ⪰ 0``.
"""

from __future__ import annotations

import flint
import sympy

from ncverify.claims import Claim, Outcome, register
from ncverify.exact import charpoly_from_spectrum, charpoly_of, to_fmpz_mat
from ncverify.models.etf import simplex_etf, simplex_etf_entry
from ncverify.models.softmax import (
    rho_double_prime,
    rho_double_prime_entry,
    rho_prime,
    rho_prime_entry,
    softmax,
    softmax_jacobian,
)

__all__ = ["claim"]

STATEMENT = r"""**Lemma 2:** *The matrix  $\rho'_c$ , as defined in Equation (25), satisfies*

$$S\rho'_c S = K s_c s_c^T + S,$$

where  $S = I_K - \frac{1}{K}1_K1_K^T$ , and  $s_c$  is column  $c$  of the matrix  $S$ .

[Equation (25), proof of Theorem 4:]
$$\rho_1 = \frac{1}{(K-1+e^\alpha)^2} \left( e^\alpha \rho'_1 + \rho''_1 \right)$$
with  $\rho'_1$  = [[K-1, -1, ..., -1], [-1, 1, 0, ...], ..., [-1, 0, ..., 1]] and
 $\rho''_1$  = [[0, 0, ..., 0], [0, K-2, -1, ...], ..., [0, -1, ..., K-2]]. "For general  $y$  we
get a matrix similar in both cases, but crucially  $\rho''_c$  is always positive semi-definite."
"""

claim = register(Claim(
    id="gk.lemma2",
    paper="gk",
    label="Lemma 2",
    title="S rho'_c S = K s_c s_c^T + S and the softmax-Jacobian split (Eq. 25)",
    source="001_015071d9d71e7d05.txt, Appendix B.6 (Lemma 2 at the end; Eq. (25) in the proof "
           "of Theorem 4)",
    statement=STATEMENT,
    domain={"K": "integer >= 2", "c": "1..K", "alpha": "real (Eq. 25)"},
))

_K = sympy.Symbol("K", integer=True, positive=True)
_E = sympy.Symbol("E_alpha", positive=True)  # stands for e^alpha
# The four positions of an entry (i, j) relative to the class c: (i == c, j == c, i == j).
_CASES = {"i=j=c": (True, True, True), "i=c!=j": (True, False, False),
          "j=c!=i": (False, True, False), "i=j!=c": (False, False, True),
          "i!=j, both !=c": (False, False, False)}


def _s(i_is_c: bool, diagonal: bool):
    """Entry of S by position (S is symmetric: only 'same index' matters)."""
    return simplex_etf_entry(_K, diagonal)


def _sc(i_is_c: bool):
    """Entry i of s_c (column c of S)."""
    return simplex_etf_entry(_K, i_is_c)


@claim.check("exact", "proof for general K (entrywise cases)",
             method="K a SymPy symbol; each of the five positions of (i, j) relative to c is "
                    "checked: rho'_c = K s_c s_c^T + S; S s_c = s_c via the sum over k split "
                    "into k = c, k = i and the K-2 (or K-1) remaining indices; hence "
                    "S rho'_c S = K (S s_c)(S s_c)^T + S^3 = K s_c s_c^T + S; and "
                    "sum_c s_c s_c^T = S^2 = S.")
def general_k(quick: bool) -> Outcome:
    cases = {}
    for name, (ic, jc, diag) in _CASES.items():
        lhs = rho_prime_entry(_K, ic, jc, diag)
        rhs = _K * _sc(ic) * _sc(jc) + simplex_etf_entry(_K, diag)
        cases[name] = sympy.simplify(lhs - rhs) == 0
    # (S s_c)_i = sum_k S_ik S_kc, split by the index k.
    i_c = (_s(True, True) * _sc(True)  # k = c = i
           + (_K - 1) * simplex_etf_entry(_K, False) * _sc(False))  # k != c
    i_not_c = (simplex_etf_entry(_K, False) * _sc(True)  # k = c
               + simplex_etf_entry(_K, True) * _sc(False)  # k = i
               + (_K - 2) * simplex_etf_entry(_K, False) * _sc(False))  # k not in {i, c}
    s_fixed = {"i=c": sympy.simplify(i_c - _sc(True)) == 0,
               "i!=c": sympy.simplify(i_not_c - _sc(False)) == 0}
    ok = all(cases.values()) and all(s_fixed.values())
    return Outcome(passed=ok, result={"rho_prime_equals_Ksc_scT_plus_S": cases,
                                      "S_times_s_c_equals_s_c": s_fixed,
                                      "conclusion": "S rho'_c S = rho'_c = K s_c s_c^T + S for "
                                                    "every integer K >= 2" if ok else "failed"},
                   parameters={"K": "symbolic"},
                   key=("rho_prime_equals_Ksc_scT_plus_S", "S_times_s_c_equals_s_c"))


@claim.check("exact", "integer matrices K = 2..64, every c",
             method="Scaled to integers (K S = K I - 1 1^T): (KS) rho'_c (KS) == K (K s_c)"
                    "(K s_c)^T + K (KS), and sum_c (K s_c)(K s_c)^T == K (KS), in python-flint "
                    "fmpz_mat exact arithmetic.")
def matrices(quick: bool) -> Outcome:
    K_max = 16 if quick else 64
    failures = []
    count = 0
    for K in range(2, K_max + 1):
        KS = flint.fmpz_mat(K, K, [K * (i == j) - 1 for i in range(K) for j in range(K)])
        total = flint.fmpz_mat(K, K)
        for c in range(K):
            col = flint.fmpz_mat(K, 1, [KS[i, c] for i in range(K)])
            outer = col * col.transpose()
            total += outer
            rho = flint.fmpz_mat(K, K, [rho_prime_entry(K, i == c, j == c, i == j)
                                        for i in range(K) for j in range(K)])
            if KS * rho * KS != K * outer + K * KS:
                failures.append([K, c])
            count += 1
        if total != K * KS:
            failures.append([K, "sum_c"])
    return Outcome(passed=not failures,
                   result={"pairs_checked": count, "failures": failures},
                   parameters={"K": [2, K_max], "c": "all"}, key=("pairs_checked", "failures"))


@claim.check("exact", "softmax-Jacobian split (Eq. 25), symbolic in alpha and K",
             method="p_c = softmax(alpha s_c) has entries e^a/(e^a+K-1) at c and 1/(e^a+K-1) "
                    "elsewhere (common factor e^{-a/K} cancelled); rho_c = diag(p) - p p^T is "
                    "compared entrywise with (e^a rho'_c + rho''_c)/(K-1+e^a)^2 for symbolic K "
                    "and E = e^a (rational-function identity, sympy.cancel); and for K = 2..6 "
                    "from the explicit matrices with t = e^{a/K} (softmax of t-powers).")
def softmax_split(quick: bool) -> Outcome:
    D = _E + _K - 1
    p_c, p_o = _E / D, 1 / D
    jac = {"i=j=c": p_c - p_c**2, "i=c!=j": -p_c * p_o, "j=c!=i": -p_c * p_o,
           "i=j!=c": p_o - p_o**2, "i!=j, both !=c": -p_o * p_o}
    general = {}
    for name, (ic, jc, diag) in _CASES.items():
        split = (_E * rho_prime_entry(_K, ic, jc, diag)
                 + rho_double_prime_entry(_K, ic, jc, diag)) / D**2
        general[name] = sympy.cancel(jac[name] - split) == 0
    # Explicit matrices: logits alpha s_c, exponentiated exactly as powers of t = e^{alpha/K}.
    t = sympy.Symbol("t", positive=True)
    explicit = {}
    for K in range(2, (4 if quick else 6) + 1):
        S = simplex_etf(K)
        ok = True
        for c in range(K):
            p = softmax(sympy.Matrix([t ** (K * S[k, c]) for k in range(K)]).applyfunc(
                sympy.log))  # softmax exponentiates: exp(log(t^m)) = t^m exactly
            rho = softmax_jacobian(p)
            e_a = t**K
            diff = rho * (K - 1 + e_a) ** 2 - (e_a * rho_prime(K, c) + rho_double_prime(K, c))
            ok &= all(sympy.cancel(x) == 0 for x in diff)
        explicit[str(K)] = ok
    passed = all(general.values()) and all(explicit.values())
    return Outcome(passed=passed, result={"general_K": general, "explicit_K": explicit},
                   parameters={"K_explicit": list(explicit)}, key=("general_K", "explicit_K"))


@claim.check("exact", "rho''_c is positive semi-definite",
             method="x^T rho''_c x = N sum x_i^2 - (sum x_i)^2 over the N = K-1 indices i != c, "
                    "which equals sum_{i<j} (x_i - x_j)^2 >= 0 (Lagrange identity; verified "
                    "symbolically in N, sum x^2 and sum_{i<j} x_i x_j, and by expansion for "
                    "K = 2..10); the exact spectrum {0 (twice), K-1 (K-2 times)} is confirmed by "
                    "the characteristic polynomial for K = 2..40 (flint).")
def psd(quick: bool) -> Outcome:
    N, A, B = sympy.symbols("N A B")  # A = sum x_i^2, B = sum_{i<j} x_i x_j
    lagrange = sympy.expand(N * A - (A + 2 * B) - ((N - 1) * A - 2 * B)) == 0
    expansions = {}
    for K in range(2, (6 if quick else 10) + 1):
        x = sympy.Matrix(sympy.symbols(f"x0:{K}"))
        form = sympy.expand((x.T * rho_double_prime(K, 0) * x)[0])
        sos = sum((x[i] - x[j]) ** 2 for i in range(1, K) for j in range(i + 1, K))
        expansions[str(K)] = sympy.expand(form - sos) == 0
    spectra = {}
    for K in range(2, (16 if quick else 40) + 1):
        cp = charpoly_of(to_fmpz_mat(rho_double_prime(K, K // 2)))
        spectra[str(K)] = cp == charpoly_from_spectrum([(0, 2), (K - 1, K - 2)])
    passed = lagrange and all(expansions.values()) and all(spectra.values())
    return Outcome(passed=passed, result={"lagrange_identity": lagrange,
                                          "sum_of_squares_expansion": expansions,
                                          "spectrum_0_and_K_minus_1": spectra},
                   parameters={"K_expansion": list(expansions), "K_spectrum": list(spectra)},
                   key=("lagrange_identity", "sum_of_squares_expansion",
                        "spectrum_0_and_K_minus_1"))
