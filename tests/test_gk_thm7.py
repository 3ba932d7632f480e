"""`gk` Theorem 7 (deep ReLU UFM): the claim, its public API, the shared ReLU construction, and
mutation tests showing that a perturbed inequality or construction makes the checks fail."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import ncverify.models.relu_constructions as rc
from ncverify.claims import Verdict, get
from ncverify.models.deep_ufm import dufm_features, dufm_loss, dufm_output
from ncverify.models.etf import simplex_etf
from ncverify.papers.gk import thm7


def _check(name: str, quick: bool = True):
    chk = next(c for c in get("gk.thm7").checks if c.name.startswith(name))
    return chk.func(quick)


@pytest.fixture(scope="module")
def quick_result():
    return get("gk.thm7").run(quick=True)


# ----------------------------------------------------------------------------- the claim

def test_verdict_and_discrepancies(quick_result):
    assert quick_result.verdict is Verdict.VERIFIED_WITH_CORRECTIONS, quick_result.errors
    assert all(c.passed is True for c in quick_result.checks)
    kinds = sorted(d.kind for d in quick_result.discrepancies)
    assert kinds == ["threshold-weaker"] * 4 + ["typo"]
    texts = " ".join(d.published + d.computed for d in quick_result.discrepancies)
    assert "K = 14 or K >= 16" in texts and "Assumption 1" in texts and "⊗ 1_nᵀ" in texts


def test_certificate_map_rows(quick_result):
    res = next(c for c in quick_result.checks if c.check.name.startswith("regularisation"))
    r = res.outcome.result
    assert "union: K = 14 or K >= 16 | Theorem 7: K >= 16" in r["map L=04"]
    assert r["map L=10"].startswith("even K >= 6; odd K >= 7; union: K >= 6")
    assert r["region_even"].endswith("L >= 8: K >= 6")
    assert r["region_odd"].endswith("L >= 10: K >= 7")


def test_region_public_api():
    reg = thm7.region(40, 12)
    assert (14, 4) in reg and (15, 4) not in reg and (16, 4) in reg and (13, 4) not in reg
    assert (12, 4) not in reg and (10, 5) in reg and (9, 5) not in reg and (8, 6) in reg
    assert (6, 8) in reg and (7, 9) not in reg and (7, 10) in reg and (5, 12) not in reg
    assert not any(L <= 3 for _, L in reg)
    published = {(K, L) for K in range(2, 41) for L in range(1, 13) if thm7.published_region(K, L)}
    assert published < reg  # the theorem is weaker than its proof's inequalities
    claimed = {(K, L) for K in range(2, 41) for L in range(1, 13) if thm7.proof_claimed_range(K, L)}
    assert claimed < reg


@pytest.mark.parametrize("args, match", [((1, 5), "K_max"), ((5, 0), "L_max"),
                                         ((5.5, 3), "K_max"), (("7", 3), "K_max")])
def test_region_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        thm7.region(*args)


@pytest.mark.parametrize("call, match", [
    (lambda: thm7.regularisation_inequality(1, 5), "K"),
    (lambda: thm7.regularisation_inequality(5, 1), "L"),
    (lambda: rc.relu_lowrank_parameters(1, 3, 1, 1.0), "K"),
    (lambda: rc.relu_lowrank_parameters(4, 1, 1, 1.0), "L"),
    (lambda: rc.relu_lowrank_parameters(4, 3, 0, 1.0), "n"),
    (lambda: rc.relu_lowrank_parameters(4, 3, 1, -1.0), "psi"),
    (lambda: rc.relu_lowrank_parameters(4, 3, 1, 1.0, d=3), "d"),
    (lambda: rc.relu_lowrank_loss(1.0, 4, 3, 1, 0.0), "lam"),
    (lambda: rc.relu_lowrank_loss(1.0, 4, 3, 0, 0.1), "n"),
    (lambda: rc.relu_lowrank_loss(1.0, 4, 1, 1, 0.1), "L"),
    (lambda: rc.relu_psi_for_scale(4, 3, 1, 0.0), "gamma"),
])
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_union_text():
    assert thm7._union_text(14, 17) == "K = 14 or K >= 16"
    assert thm7._union_text(6, 9) == "K = 6 or K >= 8"
    assert thm7._union_text(10, 11) == "K >= 10"
    assert thm7._union_text(None, None) == "none" and thm7._union_text(None, 7) == "odd K >= 7"


# ----------------------------------------------------------------------------- properties

@given(st.integers(2, 400), st.integers(2, 100))
def test_derived_and_printed_inequalities_agree(K, L):
    assert thm7.regularisation_inequality(K, L) == thm7.printed_inequality(K, L)


@given(st.integers(2, 400), st.integers(2, 100))
def test_inequality_agrees_with_floats_away_from_ties(K, L):
    if K % 2 == 0:
        lhs = 3 / (L + 1) * math.log((K + 2) / K) + (L - 3) / (L + 1) * math.log(2) \
            + math.log(K - 1) - math.log(K + 2)
    else:
        lhs = math.log(K - 1) + (L - 3) / (L + 1) * math.log(2) \
            + math.log((K + 3) / (K + 1)) / (L + 1) + 2 * math.log((K + 3) / K) / (L + 1) \
            - math.log(K + 3)
    if abs(lhs) > 1e-9:
        assert thm7.regularisation_inequality(K, L) == (lhs > 0)


@given(st.integers(2, 200), st.integers(2, 60))
def test_region_monotone_within_parity(K, L):
    if thm7.regularisation_inequality(K, L):
        assert thm7.regularisation_inequality(K + 2, L)
        if K >= 6:
            assert thm7.regularisation_inequality(K, L + 1)


@given(st.integers(2, 12), st.integers(2, 6), st.integers(1, 4),
       st.floats(0.2, 2.0), st.integers(0, 2), st.integers(0, 2**31 - 1))
def test_construction_forward_pass(K, L, n, psi, extra, seed):
    d = K + extra
    Q = np.linalg.qr(np.random.default_rng(seed).normal(size=(d, d)))[0]
    H1, Ws = rc.relu_lowrank_parameters(K, L, n, psi, d=d, rotation=Q)
    assert H1.shape == (d, K * n) and Ws[-1].shape == (K, d)
    pre, post = dufm_features(H1, Ws, activation="relu")
    for M in pre[1:]:
        assert M.min() >= -1e-12 * np.abs(M).max()
    s = rc.relu_lowrank_scales(K, L, n, psi)
    Z = dufm_output(H1, Ws, activation="relu")
    assert np.allclose(Z, s["gamma"] * np.repeat(rc.xbar(K, exact=False), n, axis=1),
                       rtol=1e-12, atol=1e-12 * s["gamma"])
    norms = [float(np.sum(A**2)) for A in [H1, *Ws]]
    assert np.allclose(norms, s["norm_sq"], rtol=1e-12)
    lam = 0.01
    total = dufm_loss(H1, Ws, lam, K, n, loss="ce", activation="relu")
    assert math.isclose(total, rc.relu_lowrank_loss(s["gamma"], K, L, n, lam), rel_tol=1e-10)
    assert math.isclose(rc.relu_psi_for_scale(K, L, n, s["gamma"]), psi, rel_tol=1e-12)


@given(st.integers(2, 40))
def test_block_formula_matches_explicit_matrices(K):
    c = rc.structure_constants(K)
    assert rc.block_structure_constants(K) == c
    assert c.k_X == 2 and c.cross == 0
    assert c.norm_sq == (2 * (K + 2) if K % 2 == 0 else 2 * (K + 3))


@given(st.lists(st.floats(-50, 50), min_size=2, max_size=12))
def test_relu_never_amplifies_the_centred_part(x):
    x = np.array(x)
    sx, srx = x - x.mean(), np.maximum(x, 0) - np.maximum(x, 0).mean()
    assert np.sum(srx**2) <= np.sum(sx**2) * (1 + 1e-12) + 1e-12


@given(st.integers(3, 5), st.integers(2, 4), st.integers(0, 2**31 - 1))
def test_random_dnc_configurations_respect_the_bound_chain(K, L, seed):
    rng = np.random.default_rng(seed)
    H1, Ws, res = thm7.dnc_relu_configuration(K, L, 2, thm7._random_theta(rng, L, 1),
                                              thm7._frame(rng, K, 1), 3.0)
    ch = thm7._chain(H1, Ws, K, L, 2)
    if res > 1e-8 or ch["Z_err"] > 1e-8 or ch["alpha_out"] <= 0:
        return  # the drawn orbits were not realisable
    assert ch["dnc2"] < 1e-9
    assert all(b <= a * (1 + 1e-9) + 1e-12 for a, b in zip(ch["alpha"], ch["beta"], strict=False))
    assert ch["rho"] >= 1 - 1e-9


def test_exact_construction_is_nonnegative_and_exact():
    psi = sympy.Symbol("psi", positive=True)
    H1, Ws = rc.relu_lowrank_parameters(5, 3, 2, psi, d=6)
    pre, post = dufm_features(H1, Ws, activation="relu")
    assert all(x.is_nonnegative for M in pre[1:] for x in M) and pre == post
    s = rc.relu_lowrank_scales(5, 3, 2, psi)
    Z = dufm_output(H1, Ws, activation="relu")
    target = s["gamma"] * sympy.Matrix.hstack(*[rc.xbar(5)[:, j] for j in range(5) for _ in "ab"])
    assert all(sympy.simplify(a - b) == 0 for a, b in zip(Z, target, strict=True))


def test_dnc_optimum_matches_the_critical_point_equation():
    from ncverify.models.critical import dnc_critical_scales
    from ncverify.models.scales import optimal_dnc_scale

    lam = sympy.Rational(1, 2**10)
    a, b = optimal_dnc_scale(10, 5, 3, lam), dnc_critical_scales(10, 5, 3, lam)[-1]
    assert abs(a.x - b) < 1e-25


# ----------------------------------------------------------------------------- mutations

def test_mutation_perturbed_output_scale_breaks_the_table(monkeypatch):
    orig = rc.relu_output_scale_squared
    monkeypatch.setattr(thm7, "relu_output_scale_squared", lambda K, L: orig(K, L) * 2)
    assert _check("regularisation").passed is False


def test_mutation_perturbed_printed_inequality_breaks_the_derivation(monkeypatch):
    orig = thm7.printed_inequality_expr

    def wrong(parity):  # exponent 3/(L+1) -> 2/(L+1) in the even case
        big, small = orig(parity)
        if parity == 0:
            big = big / ((thm7._Ks + 2) / thm7._Ks) ** (1 / (thm7._L + 1))
        return big, small

    monkeypatch.setattr(thm7, "printed_inequality_expr", wrong)
    assert _check("regularisation").passed is False


def test_mutation_perturbed_decider_breaks_the_table(monkeypatch):
    orig = thm7.regularisation_inequality
    monkeypatch.setattr(thm7, "regularisation_inequality",
                        lambda K, L: orig(K, L) or (K == 12 and L == 4))
    assert _check("regularisation").passed is False


def test_mutation_wrong_chi_breaks_the_forward_pass(monkeypatch):
    orig = rc.relu_lowrank_scales

    def wrong(K, L, n, psi):
        s = dict(orig(K, L, n, psi))
        s["chi"] = s["chi"] * 2  # the X̄ and Ȳ parts no longer scale equally
        return s

    monkeypatch.setattr(rc, "relu_lowrank_scales", wrong)
    assert _check("exact ReLU forward pass").passed is False


def test_mutation_wrong_eigenvalues_break_the_identities(monkeypatch):
    orig = rc.h2_eigenvectors

    def wrong(K):
        U, lams = orig(K)
        return U, [lam + 1 for lam in lams]

    monkeypatch.setattr(thm7, "h2_eigenvectors", wrong)
    assert _check("construction identities").passed is False


def test_mutation_wrong_corner_breaks_the_identities(monkeypatch):
    rc._xbar_rows.cache_clear()
    rc._structure_constants.cache_clear()
    monkeypatch.setattr(rc, "_CORNER", 1)  # Theorem 1's corner: X̄² = 2X̄ fails for odd K
    try:
        with pytest.raises(ArithmeticError):
            rc.structure_constants(5)
    finally:
        rc._xbar_rows.cache_clear()
        rc._structure_constants.cache_clear()


def test_mutation_construction_loss_breaks_the_comparison(monkeypatch):
    orig = thm7.relu_lowrank_loss
    monkeypatch.setattr(thm7, "relu_lowrank_loss", lambda x, K, L, n, lam: orig(x, K, L, n, lam)
                        + (lam * 8 if not isinstance(lam, float) else 0))
    assert _check("construction beats").passed is False


def test_mutation_wrong_centering_breaks_the_lower_bound_chain(monkeypatch):
    monkeypatch.setattr(thm7, "simplex_etf_entry",
                        lambda K, diagonal: (K - 1) / K if diagonal else -1 / (K - 1))
    assert _check("lower-bound chain").passed is False


def test_mutation_wrong_bound_breaks_the_random_check(monkeypatch):
    orig = thm7.optimal_dnc_scale

    def high(*args, **kw):
        o = orig(*args, **kw)
        return SimpleNamespace(x=o.x, value=o.value + 1, at_zero=o.at_zero)

    monkeypatch.setattr(thm7, "optimal_dnc_scale", high)
    assert _check("lower bound on random").passed is False


def test_mutation_reversed_singular_values_break_the_product_check(monkeypatch):
    orig = thm7._sorted_real_roots
    monkeypatch.setattr(thm7, "_sorted_real_roots",
                        lambda p: None if orig(p) is None else orig(p)[::-1])
    assert _check("singular-value product").passed is False


def test_discrepancies_are_conditional(monkeypatch):
    table = thm7.region(60, 30)
    monkeypatch.setattr(thm7, "published_region", lambda K, L: (K, L) in table)
    monkeypatch.setattr(thm7, "proof_claimed_range", lambda K, L: (K, L) in table)
    out = _check("regularisation")
    assert out.passed is True and out.discrepancies == []


def test_simplex_helper_sanity():
    S = simplex_etf(4, exact=False)
    assert np.allclose(S @ S, S)
