"""The registered claims: verdicts, discrepancies, public API, and mutation tests showing that a
broken formula makes the claim fail (so a passing verdict means something)."""

import math

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import ncverify
from ncverify.claims import Verdict, get
from ncverify.papers.gk import thm1


@pytest.fixture(scope="module")
def quick_results():
    return {r.claim.id: r for r in ncverify.verify(["gk"], quick=True)}


def test_all_claims_verify_in_quick_mode(quick_results):
    for cid, r in quick_results.items():
        assert r.verdict.ok, (cid, r.verdict, r.errors)


def test_lemma2_has_no_discrepancy(quick_results):
    r = quick_results["gk.lemma2"]
    assert r.verdict is Verdict.VERIFIED and r.discrepancies == []


def test_thm1_records_the_z_dnc_typo_only(quick_results):
    r = quick_results["gk.thm1"]
    assert r.verdict is Verdict.VERIFIED_WITH_CORRECTIONS
    assert [d.kind for d in r.discrepancies] == ["typo"]
    assert "I_K − 1_K 1_Kᵀ" in r.discrepancies[0].published


def test_schatten_records_exponent_typo_and_undefined_lambda(quick_results):
    kinds = sorted(d.kind for d in quick_results["gk.schatten"].discrepancies)
    assert kinds == ["typo", "undefined-notation"]


def test_region_matches_published_theorem():
    reg = thm1.region(30, 12)
    published = {(K, L) for K in range(2, 31) for L in range(1, 13) if thm1.published_region(K, L)}
    assert reg == published
    assert (6, 2) in reg and (5, 2) not in reg and (4, 3) in reg and (30, 1) not in reg


@given(st.integers(2, 300), st.integers(1, 120))
def test_regularisation_inequality_agrees_with_floats_away_from_ties(K, L):
    m, odd = K // 2, K % 2
    margin = (K - 1 - odd) - m * 2 ** (2 / (L + 1))
    if abs(margin) > 1e-9:
        assert thm1.regularisation_inequality(K, L) == (margin > 0)


@pytest.mark.parametrize("args, match", [((1, 5), "K_max"), ((5, 0), "L_max"), ((5.5, 3), "K_max"),
                                         (("7", 3), "K_max")])
def test_region_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        thm1.region(*args)


def test_optimal_dnc_scale_is_a_minimum():
    opt = thm1.optimal_dnc_scale(10, 3, 5, 2**-10)
    f = lambda a: float(ncverify.models.dnc_loss(a, 10, 3, 5, 2**-10))  # noqa: E731
    x = float(opt.x)
    assert not opt.at_zero and f(x) < f(0.0)
    assert f(x) <= min(f(x * 0.99), f(x * 1.01))
    assert math.isclose(float(opt.value), f(x), rel_tol=1e-12)


def _check(claim_id, name, quick=True):
    chk = next(c for c in get(claim_id).checks if c.name.startswith(name))
    return chk.func(quick)


def test_mutation_wrong_dnc_fit_breaks_thm1(monkeypatch):
    assert _check("gk.thm1", "fit terms").passed
    monkeypatch.setattr(thm1, "dnc_fit", lambda K, a: sympy.log(1 + K * sympy.exp(-a))
                        if isinstance(a, sympy.Basic) else ncverify.models.dnc_fit(K + 1, a))
    assert _check("gk.thm1", "fit terms").passed is False


def test_mutation_wrong_lowrank_spectrum_breaks_thm1(monkeypatch):
    orig = thm1.lowrank_singular_values
    monkeypatch.setattr(thm1, "lowrank_singular_values",
                        lambda K, n, b, parity=None: [(v, m + 1) for v, m in orig(K, n, b, parity)])
    assert _check("gk.thm1", "singular values").passed is False


def test_mutation_wrong_schatten_exponent_breaks_schatten_claim(monkeypatch):
    import ncverify.models.schatten as sch

    monkeypatch.setattr(sch, "_pow", lambda v, num, depth: v ** num if not isinstance(
        v, sympy.Basic) else sympy.Pow(v, num))
    assert _check("gk.schatten", "balanced-SVD").passed is False


def test_mutation_wrong_rho_prime_breaks_lemma2(monkeypatch):
    import ncverify.papers.gk.lemma2 as l2

    def wrong(K, ic, jc, diag):  # K instead of K - 1 at (c, c)
        return (K if ic else 1) if diag else (-1 if ic or jc else 0)

    monkeypatch.setattr(l2, "rho_prime_entry", wrong)
    assert _check("gk.lemma2", "proof for general K").passed is False
    assert _check("gk.lemma2", "integer matrices").passed is False
