"""The `sk` claims: quick-mode verdicts and discrepancies, and mutation tests showing that a
perturbed eigenvalue formula or construction makes the corresponding check fail."""

import flint
import pytest
import sympy

import ncverify
import ncverify.models.srg as srg_mod
from ncverify.claims import Verdict, get
from ncverify.papers.sk import (
    def6,
    def7,
    def8,
    lemma9,
    lemma11,
    lemma12,
    lemma13,
    lemma14,
    thm3,
    triangular_graph,
)

IDS = ["sk.triangular_graph", "sk.lemma9", "sk.lemma10", "sk.lemma11", "sk.lemma12",
       "sk.lemma13", "sk.lemma14", "sk.lemma15", "sk.def6", "sk.def7", "sk.def8", "sk.thm3"]


@pytest.fixture(scope="module")
def quick_results():
    return {r.claim.id: r for r in ncverify.verify(IDS, quick=True)}


def test_all_sk_claims_registered_and_verified(quick_results):
    assert set(quick_results) == set(IDS)
    for cid, r in quick_results.items():
        assert r.verdict.ok, (cid, r.verdict, r.errors)


@pytest.mark.parametrize("cid, kinds", [
    ("sk.triangular_graph", []),
    ("sk.lemma9", []), ("sk.lemma10", []), ("sk.lemma11", []), ("sk.lemma14", []),
    ("sk.lemma15", []),
    ("sk.lemma12", ["typo", "typo"]),
    ("sk.lemma13", ["false-on-part-of-domain", "typo"]),
    ("sk.def6", ["false-on-part-of-domain", "false-on-part-of-domain"]),
    ("sk.def7", ["typo"]),
    ("sk.def8", ["undefined-notation"]),
    ("sk.thm3", ["false-on-part-of-domain", "false-on-part-of-domain", "false-on-part-of-domain",
                 "threshold-weaker", "typo", "undefined-notation"]),
])
def test_discrepancy_kinds(quick_results, cid, kinds):
    r = quick_results[cid]
    assert sorted(d.kind for d in r.discrepancies) == sorted(kinds)
    expected = Verdict.VERIFIED_WITH_CORRECTIONS if kinds else Verdict.VERIFIED
    assert r.verdict is expected


def test_lemma13_discrepancy_names_the_correct_mu1(quick_results):
    d = next(d for d in quick_results["sk.lemma13"].discrepancies
             if d.kind == "false-on-part-of-domain")
    assert "(r-2)(5r-19)" in d.published and "(r-2)^2 (r-3)^2" in d.computed
    assert "[4, 5]" in d.computed


def _check(claim_id, name, quick=True):
    chk = next(c for c in get(claim_id).checks if c.name.startswith(name))
    return chk.func(quick)


# ----------------------------------------------------------------------------- mutations


def test_mutation_wrong_srg_multiplicity_breaks_triangular_graph(monkeypatch):
    assert _check("sk.triangular_graph", "spectrum for general r").passed
    orig = triangular_graph.srg_spectrum

    def wrong(v, k, lam, mu):
        s = orig(v, k, lam, mu)
        return [s[0], (s[1][0], s[1][1] + 1), (s[2][0], s[2][1] - 1)]

    monkeypatch.setattr(triangular_graph, "srg_spectrum", wrong)
    assert _check("sk.triangular_graph", "spectrum for general r").passed is False


def test_mutation_perturbed_graph_breaks_counting(monkeypatch):
    orig = triangular_graph.triangular_adjacency

    def perturbed(r):
        G = orig(r)
        G[0, 1] = G[1, 0] = 1 - G[0, 1]
        return G

    monkeypatch.setattr(triangular_graph, "triangular_adjacency", perturbed)
    with pytest.raises(ValueError):  # no longer strongly regular
        _check("sk.triangular_graph", "SRG parameters")
    assert _check("sk.triangular_graph", "exact spectrum").passed is False


def test_mutation_sherman_morrison_constant_breaks_lemma9(monkeypatch):
    assert _check("sk.lemma9", "minimum computed").passed
    orig = lemma9.published_value

    def wrong(r, alpha, Tz, scale=1):     # 3r - 4 replaced by 3r - 3
        c = flint.fmpq(3 * r - 3, 4 * (r - 1) ** 2)
        sq = sum((Tz[i, 0] ** 2 for i in range(Tz.nrows())), flint.fmpq(0))
        s1 = sum((Tz[i, 0] for i in range(Tz.nrows())), flint.fmpq(0))
        return flint.fmpq((r - 1) ** 2, (r - 2) ** 2) / alpha * (sq - c * s1 * s1) * scale

    monkeypatch.setattr(lemma9, "published_value", wrong)
    assert _check("sk.lemma9", "minimum computed").passed is False
    monkeypatch.setattr(lemma9, "published_value", orig)


def test_mutation_non_admissible_rows_break_lemma9_and_lemma12(monkeypatch):
    orig = srg_mod.exact_split_rows

    def bad(m, d, c, seed=0, sign=1):   # one column with squared norm 2c^2 instead of c^2
        A = orig(m, d, c, seed, sign)
        i = next(i for i in range(d) if A[i, 0] != 0)
        A[i, 0] = A[i, 0] * 2
        return A

    monkeypatch.setattr(lemma9, "exact_split_rows", bad)
    assert _check("sk.lemma9", "minimum computed").passed is False
    monkeypatch.setattr(lemma12, "exact_split_rows", bad)
    assert _check("sk.lemma12", "exact matrices").passed is False


def test_mutation_wrong_incidence_breaks_lemma11(monkeypatch):
    orig = lemma11.incidence_matrix

    def wrong(r):
        B = orig(r)
        B[0, 0], B[0, r - 1] = 1 - B[0, 0], 1 - B[0, r - 1]
        return B

    monkeypatch.setattr(lemma11, "incidence_matrix", wrong)
    res = _check("sk.lemma11", "minimum computed")
    assert res.passed is False


def test_mutation_wrong_middle_spectrum_breaks_lemma12(monkeypatch):
    monkeypatch.setattr(lemma12, "srg_spectrum", lambda v, k, lam, mu: [
        (k, 1), (lam - mu + 2, v - 1 - (v - 1 - 1)), (-2, v - 2)])
    assert _check("sk.lemma12", "M_l^T M_l").passed is False


def test_mutation_wrong_last_gram_spectrum_breaks_lemma13(monkeypatch):
    assert _check("sk.lemma13", "spectrum of the built").passed
    orig = lemma13.srg_last_gram_spectrum

    def wrong(r):
        s = orig(r)
        return [s[0], (s[1][0] * 2, s[1][1]), s[2]]   # mu_2 doubled

    monkeypatch.setattr(lemma13, "srg_last_gram_spectrum", wrong)
    assert _check("sk.lemma13", "spectrum of the built").passed is False
    assert _check("sk.lemma13", "counting proof").passed is False


def test_mutation_printed_mu1_in_model_breaks_def6(monkeypatch):
    """Putting the printed (wrong) mu_1 into the shared closed form makes the exact last-layer
    check fail (and the explicit networks disagree with L_SRG(q) from r = 6 on)."""
    assert _check("sk.def6", "last-layer term").passed
    orig = srg_mod.srg_last_gram_spectrum

    def printed(r):
        s = orig(r)
        r = sympy.sympify(r)
        return [((r - 2) * (5 * r - 19) / ((r - 2) * (r - 3) + 2), 1), s[1], s[2]]

    monkeypatch.setattr(def6, "srg_last_gram_spectrum", printed)
    assert _check("sk.def6", "last-layer term").passed is False


def test_mutation_construction_breaks_def6_explicit(monkeypatch):
    assert _check("sk.def6", "explicit networks").passed
    orig = srg_mod.last_layer_pattern

    def wrong(r):          # the -1 on the negative pair dropped: a different construction
        P = orig(r)
        for i in range(P.nrows()):
            P[i, i] = 0
        return P

    monkeypatch.setattr(srg_mod, "last_layer_pattern", wrong)
    res = _check("sk.def6", "explicit networks")
    assert res.passed is False


def test_mutation_eq4_breaks_def6_stationarity(monkeypatch):
    orig = def6.srg_alphas
    monkeypatch.setattr(def6, "srg_alphas", lambda r, L, lams, n, q: [
        a * (1 + sympy.Rational(1, 10)) for a in orig(r, L, lams, n, q)])
    assert _check("sk.def6", "Eq. (4)").passed is False


def test_mutation_dnc_scales_break_def7(monkeypatch):
    assert _check("sk.def7", "stationary scales").passed
    orig = def7.dnc_alphas
    monkeypatch.setattr(def7, "dnc_alphas", lambda K, L, lams, n, q: [
        a / lams[1] for a in orig(K, L, lams, n, q)])
    assert _check("sk.def7", "stationary scales").passed is False


def test_mutation_pruned_closed_form_breaks_def8(monkeypatch):
    assert _check("sk.def8", "construction (2)").passed
    orig = def8.pruned_loss
    monkeypatch.setattr(def8, "pruned_loss", lambda q, K, L, lams, n=1: orig(q, K, L, lams, n)
                        * (1 + 1e-12))
    assert _check("sk.def8", "construction (2)").passed is False


def test_mutation_lemma14_value_breaks_check(monkeypatch):
    monkeypatch.setattr(lemma14, "published_value",
                        lambda s2, K, lam: lam / 2 * sum(1 / (s + lam) for s in s2))
    assert _check("sk.lemma14", "scalar problem").passed is False


def test_mutation_sqrt_decider_breaks_thm3_table(monkeypatch):
    assert _check("sk.thm3", "proof inequalities").passed
    thm3.proof_inequalities.cache_clear()
    monkeypatch.setattr(thm3, "_beats_sqrt", lambda X, Y, D: X > 0)
    try:
        assert _check("sk.thm3", "proof inequalities").passed is False
    finally:
        monkeypatch.undo()
        thm3.proof_inequalities.cache_clear()


def test_mutation_srg_linear_term_breaks_thm3_certification(monkeypatch):
    orig = srg_mod.srg_scale_loss

    def heavier(r, L, lams, n=1, K_total=None):
        f = orig(r, L, lams, n, K_total)
        return srg_mod.ScaleLoss(f.power, f.terms, f.offset, f.half_lam, f.linear * 3)

    monkeypatch.setattr(thm3, "srg_scale_loss", heavier)
    assert _check("sk.thm3", "inside the region").passed is False


def test_thm3_quick_results_content(quick_results):
    r = quick_results["sk.thm3"]
    res = {c.check.name.split(":")[0]: c.outcome.result for c in r.checks}
    table = res["proof inequalities"]
    assert table["region_equals_published"] is True
    assert table["I3_fails_at_r"] == [4]
    strict = next(c.outcome.result for c in r.checks if c.check.name.startswith("strictness"))
    assert [10, 3, "1"] in strict["both_zero_network_at"]
