"""gk landscape claims (Eq. 19, Theorem 4): scale equation, roots, gradients and Hessians, with
mutation tests showing a wrong formula makes the checks fail."""

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ncverify.models.critical as critical
from ncverify.claims import get
from ncverify.engine import DUFMBatch, DUFMConfig
from ncverify.models.critical import dnc_critical_scales, dnc_existence_threshold, dnc_scale_rhs
from ncverify.models.deep_ufm import canonical_dnc_parameters, deep_linear_gradient
from ncverify.models.scales import optimal_dnc_scale
from ncverify.papers.gk import thm4


def _check(cid, prefix, quick=True):
    chk = next(c for c in get(cid).checks if c.name.startswith(prefix))
    return chk.func(quick)


@given(st.integers(2, 8), st.integers(1, 4), st.integers(1, 6), st.integers(2, 7))
def test_roots_solve_the_equation_and_match_the_reduced_loss(K, L, n, k):
    lam = 10.0 ** -k
    roots = dnc_critical_scales(K, L, n, lam, dps=30)
    assert len(roots) == (1 if L == 1 else 2)
    with mpmath.workdps(30):
        c = mpmath.mpf(1) / 10**k * mpmath.mpf(n) ** (mpmath.mpf(1) / (L + 1))
        for a in roots:
            assert abs(dnc_scale_rhs(a, K, L) - c) < 1e-25 * c
    opt = optimal_dnc_scale(K, L, n, lam, dps=30)
    if not opt.at_zero:
        assert abs(opt.x - roots[-1]) < 1e-20


def test_threshold_and_no_roots_above():
    th = dnc_existence_threshold(4, 2, 3)
    assert len(dnc_critical_scales(4, 2, 3, th * 0.999)) == 2
    assert dnc_critical_scales(4, 2, 3, th * 1.001) == ()
    assert dnc_critical_scales(4, 1, 1, 0.3) == ()  # L = 1: needs lam sqrt(n) < 1/K


def test_gradient_vanishes_only_at_roots():
    with mpmath.workdps(40):
        a = dnc_critical_scales(3, 2, 2, mpmath.mpf(1) / 1000, dps=40)[-1]
        for scale, small in ((a, True), (a * 1.01, False)):
            H1, Ws = canonical_dnc_parameters(3, 2, 4, 2, scale)
            gH, gW = deep_linear_gradient(H1, Ws, mpmath.mpf(1) / 1000, 3, 2)
            m = max(max(abs(x) for x in g) for g in [gH, *gW])
            assert (m < 1e-30) == small


def test_reference_gradient_agrees_with_engine():
    rng = np.random.default_rng(0)
    cfg = DUFMConfig(K=3, n=2, d=4, L=3, lam=0.01)
    b = DUFMBatch(cfg, runs=1)
    P = b.init_params(1)
    G, _ = b.gradient(P)
    gH, gW = deep_linear_gradient(P[0][0], [p[0] for p in P[1:]], 0.01, 3, 2)
    assert np.allclose(G[0][0], gH) and all(np.allclose(G[i + 1][0], g) for i, g in enumerate(gW))
    del rng


def test_sufficient_condition_value():
    assert float(thm4.sufficient_condition(0, 3, 1)) == 0.0
    assert float(thm4.sufficient_condition(10, 3, 1)) > 1


@pytest.mark.parametrize("bad, match", [(dict(K=1), "K"), (dict(L=0), "L"), (dict(n=0), "n"),
                                        (dict(lam=0.0), "lam"), (dict(lam=float("nan")), "lam")])
def test_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        dnc_critical_scales(**(dict(K=3, L=2, n=1, lam=0.001) | bad))


def test_claims_pass_and_mutation_of_the_exponent_breaks_them(monkeypatch):
    assert _check("gk.eq19", "the whole gradient").passed
    assert _check("gk.thm4", "roots").passed
    # the printed exponent (L - l)/(L + 1) with l = 0 instead of (L - 1)/(L + 1)
    monkeypatch.setattr(critical, "dnc_scale_rhs", lambda a, K, L: mpmath.mpf(a) ** (
        mpmath.mpf(L) / (L + 1)) / (K - 1 + mpmath.exp(a)))
    assert _check("gk.eq19", "the whole gradient").passed is False
    assert _check("gk.thm4", "roots").passed is False


def test_prop1_passes_and_fails_when_the_construction_is_not_dnc(monkeypatch):
    from ncverify.papers.gk import prop1

    assert _check("gk.prop1", "DNC1-3").passed
    orig = prop1.lemma1_parameters

    def skewed(s, *a, **k):  # unequal singular values: Z is no longer a multiple of S
        s = list(s)
        s[0] = s[0] * 2
        return orig(s, *a, **k)

    monkeypatch.setattr(prop1, "lemma1_parameters", skewed)
    out = _check("gk.prop1", "DNC1-3")
    assert out.passed is False
    assert not out.result["cases"][0]["DNC2"]


def test_lemma1_checks_and_mutation(monkeypatch):
    from ncverify.papers.gk import lemma1

    assert _check("gk.lemma1", "balancedness").passed
    out = _check("gk.lemma1", "critical points")
    assert out.passed and out.result["worst"]["balancedness"] < 1e-6
    orig = lemma1.polish

    def unbalanced(cfg, params, **kw):  # rescale one layer: still a point, no longer balanced
        res = orig(cfg, params, **kw)
        res.params[1] = res.params[1] * 1.01
        return res

    monkeypatch.setattr(lemma1, "polish", unbalanced)
    assert _check("gk.lemma1", "critical points").passed is False


def test_balancedness_residual_detects_imbalance():
    from ncverify.papers.gk.lemma1 import balancedness_residuals

    rng = np.random.default_rng(0)
    A = rng.standard_normal((3, 3))
    assert max(balancedness_residuals([A, A.T])) < 1e-15  # (Aᵀ)ᵀAᵀ = A Aᵀ: balanced
    assert max(balancedness_residuals([A, A])) > 1e-3


def test_thm2_threshold_and_mutation(monkeypatch):
    from ncverify.papers.gk import thm2

    out = _check("gk.thm2", "the proof's L_0")
    assert out.passed
    assert [r["L0_table"] for r in out.result["pairs"]] == [2, 1]
    # a wrong spectrum for the unit-vector construction (K instead of K/2) must be caught
    monkeypatch.setattr(thm2, "unit_vector_gram_singular_values",
                        lambda K, n, scale=1: [(scale * K * n, 2)])
    assert _check("gk.thm2", "closed-form spectra").passed is False


def test_unit_vector_gram_is_rank_two_and_diagonally_superior():
    import sympy

    from ncverify.models.constructions import unit_vector_gram

    for K in range(3, 9):
        M = np.array(sympy.N(unit_vector_gram(K), 30).tolist(), dtype=float)
        assert np.linalg.matrix_rank(M, tol=1e-10) == 2
        for c in range(K):
            others = np.delete(M[:, c], c)
            assert M[c, c] > others.max() + 1e-9  # diagonally superior column


def test_thm3_checks_and_mutation(monkeypatch):
    import sympy

    from ncverify.papers.gk import thm3

    assert _check("gk.thm3", "q_2 = 1").passed
    assert _check("gk.thm3", "the rank-2").passed
    monkeypatch.setattr(thm3, "unit_vector_gram", lambda K: sympy.eye(K))  # not rank 2
    assert _check("gk.thm3", "the rank-2").passed is False


def test_thm3_case_analysis_finds_the_k2_example_when_allowed():
    # the same sign/order enumeration restricted to 2 indices must find rank-one examples
    import itertools

    found = [(s, u) for s in itertools.product((-1, 0, 1), repeat=2)
             for u in ((0, 1), (1, 0), (0, 0))
             if all(s[c] * (u[1 - c] - u[c]) < 0 for c in range(2))]
    assert found  # e.g. v = (+, -), u = (1, 0): M = [[1, -1], [-1, 1]]-like


def test_imbalanced_theorems(monkeypatch):
    from ncverify.models.imbalance import step_sizes
    from ncverify.papers.gk import thm_a1, thm_a3

    assert step_sizes(6, 5, 0.5) == [5, 5, 5, 1, 1, 1]
    with pytest.raises(ValueError, match="rho"):
        step_sizes(5, 2, 0.5)
    out = _check("gk.thmA1", "explicit L_0")
    assert out.passed and [r["L0"] for r in out.result["pairs"]] == [3]
    assert _check("gk.thmA2", "fit lower bound").passed
    assert _check("gk.thmA2", "minimal ranks").passed
    out = _check("gk.thmA3", "explicit L_0")
    assert out.passed and out.result["cases"][0]["L0_proof"] == 13
    # mutation: a margin scale that violates the condition must be caught
    monkeypatch.setattr(thm_a1, "margin_scale_factor", lambda X, M: __import__("fractions")
                        .Fraction(1, 10))
    assert _check("gk.thmA1", "explicit L_0").passed is False
    # mutation: the SEL matrix with the wrong centring has full rank
    monkeypatch.setattr(thm_a3, "sel_matrix", lambda sizes: __import__("sympy").eye(len(sizes)))
    assert _check("gk.thmA3", "SEL rank").passed is False


def test_assumption1_measured_and_ratio():
    from ncverify.papers.gk.assumption1 import mean_ratios

    M = np.array([[1.0, -1.0], [2.0, 2.0]])  # global mean (0, 2), centred part [[1,-1],[0,0]]
    assert abs(mean_ratios(M) - 2 / np.sqrt(2)) < 1e-12
    out = _check("gk.assumption1", "r_l")
    assert out.passed and out.result["dnc_runs"] > 0 and out.result["assumption_fails"] == []


def test_fig6_claim_and_mutation(monkeypatch):
    from ncverify.papers.gk import fig6

    out = _check("gk.fig6", "gradient descent")
    assert out.passed and out.result["low_rank_below_bound"] >= 1
    monkeypatch.setattr(fig6, "dnc_reference_loss", lambda cfg: 0.05)  # an unreachable bound
    assert _check("gk.fig6", "gradient descent").passed is False
