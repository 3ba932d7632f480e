"""gk Eq. (27) and Theorem 6: the low-rank scale equation, the construction, the Hessian tools and
the flatness limit, with mutation tests showing that a wrong scale equation, construction or
constant makes the checks fail."""

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import ncverify.models.lowrank_critical as lrc
from ncverify.claims import get
from ncverify.engine import DUFMConfig
from ncverify.engine.polish import hessian_dense
from ncverify.models.constructions import block_lowrank_class_means
from ncverify.models.critical import dnc_critical_scales
from ncverify.models.deep_ufm import canonical_dnc_parameters, deep_linear_gradient
from ncverify.models.lowrank_critical import (
    as_float_params,
    canonical_lowrank_parameters,
    deep_linear_hessian,
    flatness_norms,
    leading_hessian,
    leading_normalisation,
    leading_trace,
    lowrank_critical_scales,
    lowrank_existence_threshold,
    lowrank_frame,
    lowrank_scale_rhs,
    scale_divergent_root,
)
from ncverify.models.scales import optimal_lowrank_scale
from ncverify.papers.gk import eq27, thm6

EVEN_K = st.sampled_from([2, 4, 6, 8])


def _check(cid, prefix, quick=True):
    chk = next(c for c in get(cid).checks if c.name.startswith(prefix))
    return chk.func(quick)


# -- scale equation ---------------------------------------------------------------------------

@given(EVEN_K, st.integers(1, 4), st.integers(1, 6), st.integers(2, 9))
def test_roots_solve_eq27_and_match_the_reduced_loss(K, L, n, k):
    lam = 10.0 ** -k
    roots = lowrank_critical_scales(K, L, n, lam, dps=30)
    assert len(roots) == (1 if L == 1 else 2)
    with mpmath.workdps(30):
        c = mpmath.mpf(1) / 10**k * mpmath.mpf(n) ** (mpmath.mpf(1) / (L + 1))
        for b in roots:
            assert abs(lowrank_scale_rhs(b, K, L) / c - 1) < 1e-25
        assert abs(scale_divergent_root("lowrank", K, L, n, lam, dps=30) - roots[-1]) < 1e-25
    if K == 2:  # X~ = 2S: the low-rank point is the DNC point with alpha = 2 beta
        dnc = dnc_critical_scales(2, L, n, lam, dps=30)
        with mpmath.workdps(30):
            assert all(abs(2 * b - a) < 1e-20 * a for a, b in zip(dnc, roots, strict=True))
    else:
        opt = optimal_lowrank_scale(K, L, n, lam, dps=30)
        assert not opt.at_zero and abs(opt.x - roots[-1]) < 1e-20


@given(st.sampled_from([4, 6, 8]), st.integers(1, 4), st.integers(1, 5))
def test_threshold(K, L, n):
    th = lowrank_existence_threshold(K, L, n, dps=30)
    assert len(lowrank_critical_scales(K, L, n, th * (1 - mpmath.mpf(10) ** -8))) == (
        1 if L == 1 else 2)
    assert lowrank_critical_scales(K, L, n, th * (1 + mpmath.mpf(10) ** -8)) == ()


def test_tiny_lambda_roots_are_solved_in_log_form():
    # an absolute-tolerance solver accepts a wrong root of g - c once both are below 1e-40
    with mpmath.workdps(40):
        lam = mpmath.mpf(10) ** -40
        small, large = lowrank_critical_scales(4, 2, 1, lam, dps=40)
        for b in (small, large):
            assert abs(lowrank_scale_rhs(b, 4, 2) / lam - 1) < 1e-30
        a = scale_divergent_root("dnc", 4, 2, 1, lam, dps=40)
        from ncverify.models.critical import dnc_scale_rhs
        assert abs(dnc_scale_rhs(a, 4, 2) / lam - 1) < 1e-30


@pytest.mark.parametrize("bad, match", [(dict(K=3), "even"), (dict(K=1), "K"), (dict(L=0), "L"),
                                        (dict(n=0), "n"), (dict(lam=0.0), "lam"),
                                        (dict(lam=float("nan")), "lam")])
def test_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        lowrank_critical_scales(**(dict(K=4, L=2, n=1, lam=0.001) | bad))


def test_bad_kind_and_width():
    with pytest.raises(ValueError, match="kind"):
        scale_divergent_root("etf", 4, 2, 1, 0.01)
    with pytest.raises(ValueError, match="d must be"):
        canonical_lowrank_parameters(4, 1, 3, 2, 1.0)


# -- the construction -------------------------------------------------------------------------

@settings(max_examples=15)
@given(st.sampled_from([2, 4, 6]), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2),
       st.integers(2, 6))
def test_construction_is_critical_exactly_at_the_roots(K, L, n, extra, k):
    d = K + extra
    lam = mpmath.mpf(10) ** -k
    Xt = block_lowrank_class_means(K, 1)
    with mpmath.workdps(30):
        for b in lowrank_critical_scales(K, L, n, lam, dps=30):
            for scale, critical in ((b, True), (b * (1 + mpmath.mpf(10) ** -4), False)):
                H1, Ws = canonical_lowrank_parameters(K, n, d, L, scale)
                Z = H1
                for W in Ws:
                    Z = W * Z
                assert max(abs(Z[i, j] - scale * int(Xt[i, j // n])) for i in range(K)
                           for j in range(K * n)) < 1e-25 * scale
                gH, gW = deep_linear_gradient(H1, Ws, lam, K, n)
                g = max(max(abs(x) for x in G) for G in [gH, *gW])
                size = lam * max(abs(v) for M in [H1, *Ws] for v in M)
                assert (g / size < 1e-20) == critical


def test_frame_is_orthogonal_and_gives_xtilde():
    U = lowrank_frame(6, sympy)
    assert sympy.simplify(U.T * U) == sympy.eye(6)
    P = U[:, :3] * U[:, :3].T
    assert sympy.simplify(2 * P) == block_lowrank_class_means(6, 1)


# -- Hessian tools ----------------------------------------------------------------------------

@settings(max_examples=20)
@given(st.integers(2, 5), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2),
       st.floats(1e-4, 1e-1), st.integers(0, 10**6))
def test_eqs20_21_hessian_equals_engine_hessian(K, L, n, extra, lam, seed):
    d = K + extra
    rng = np.random.default_rng(seed)
    cfg = DUFMConfig(K=K, n=n, d=d, L=L, lam=lam)
    P = [rng.standard_normal(s) for s in cfg.shapes]
    H1, H2 = hessian_dense(cfg, P), deep_linear_hessian(P, lam, K, n)
    assert np.linalg.norm(H1 - H2) <= 1e-10 * np.linalg.norm(H1)


@given(st.sampled_from([4, 6, 8]), st.integers(1, 4), st.integers(1, 4))
def test_leading_normalisation_is_the_limit(K, L, n):
    with mpmath.workdps(40):
        lam = mpmath.mpf(10) ** -30
        for kind, factor in (("dnc", 1), ("lowrank", 2)):
            t = scale_divergent_root(kind, K, L, n, lam, dps=40)
            s2L = (factor * t * mpmath.sqrt(n)) ** (mpmath.mpf(2 * L) / (L + 1))
            kappa = s2L * mpmath.exp(-t) / (K * n * t * lam)
            assert abs(kappa / leading_normalisation(kind, K) - 1) < 1e-14  # a float


@settings(max_examples=6)
@given(st.sampled_from([4, 6]), st.integers(1, 3), st.integers(1, 2))
def test_hessian_over_scale_lambda_tends_to_the_leading_matrix(K, L, n):
    d = K
    errs = []
    for k in (10, 40):
        for kind in ("dnc", "lowrank"):
            t, P = thm6.critical_point(kind, K, L, n, d, mpmath.mpf(10) ** -k)
            M = leading_hessian(kind, K, n, d, L)
            H = deep_linear_hessian(P, 10.0 ** -k, K, n)
            errs.append(np.linalg.norm(H / (t * 10.0 ** -k) - M) / np.linalg.norm(M))
    # the remainder is O(1/t): it shrinks by about t(1e-10)/t(1e-40) ~ 1/4
    assert errs[2] < 0.4 * errs[0] and errs[3] < 0.4 * errs[1]
    # M is PSD, so its trace norm is its trace, given in closed form
    for kind in ("dnc", "lowrank"):
        M = leading_hessian(kind, K, n, d, L)
        assert np.linalg.eigvalsh(M)[0] > -1e-12
        assert abs(flatness_norms(M)["trace"] - float(leading_trace(kind, K, L, n))) < 1e-10


def test_norms_are_invariant_under_the_frames():
    # random orthogonal frames: the Hessian norms do not depend on the canonical choice
    from ncverify.models.deep_ufm import dnc_parameters

    K, L, n, d, lam = 4, 2, 1, 5, 1e-4
    a = float(scale_divergent_root("dnc", K, L, n, lam, dps=20))
    P1 = list(dnc_parameters(K, n, d, L, a, np.random.default_rng(1)))
    P1 = [P1[0], *P1[1]]
    with mpmath.workdps(20):
        P2 = as_float_params(*canonical_dnc_parameters(K, n, d, L, a))
    F1 = flatness_norms(deep_linear_hessian(P1, lam, K, n))
    F2 = flatness_norms(deep_linear_hessian(P2, lam, K, n))
    assert all(abs(F1[m] / F2[m] - 1) < 1e-8 for m in F1)


def test_extrapolate_recovers_a_polynomial_limit():
    t = np.linspace(0.01, 0.2, 12)
    c, err = thm6.extrapolate(t, 0.7 + 0.3 * t - 2 * t**2 + t**3)
    assert abs(c - 0.7) < 1e-10 and err < 1e-8


# -- the claims, and mutations that must break them -------------------------------------------

def test_claims_pass_quick():
    for cid in ("gk.eq27", "gk.thm6"):
        for chk in get(cid).checks:
            assert chk.func(True).passed is True, (cid, chk.name)


def test_mutation_wrong_exponent_in_scale_equation(monkeypatch):
    # exponent L/(L+1) instead of (L-1)/(L+1): the roots are no longer critical points, and they
    # no longer minimise the reduced loss
    def wrong(beta, K, L):
        beta = mpmath.mpf(beta)
        em = mpmath.exp(-beta)
        return ((2 * beta) ** (mpmath.mpf(L) / (L + 1)) * (K - 2 + 2 * em)
                / (K * (K - 2 + mpmath.exp(beta) + em)))

    monkeypatch.setattr(lrc, "lowrank_scale_rhs", wrong)
    assert _check("gk.eq27", "the whole gradient").passed is False
    assert _check("gk.eq27", "roots").passed is False
    assert _check("gk.thm6", "limit C").passed is False


def test_mutation_wrong_constant_in_scale_equation(monkeypatch):
    orig = lrc.lowrank_scale_rhs
    monkeypatch.setattr(lrc, "lowrank_scale_rhs", lambda b, K, L: 2 * orig(b, K, L))
    assert _check("gk.eq27", "the whole gradient").passed is False


def test_mutation_perturbed_construction(monkeypatch):
    orig = lrc.canonical_lowrank_parameters

    def skewed(K, n, d, L, beta):  # W_L 1% too large and H_1 1% too small: same Z, unbalanced
        H1, Ws = orig(K, n, d, L, beta)
        Ws[-1] = Ws[-1] * mpmath.mpf("1.01")
        return H1 / mpmath.mpf("1.01"), Ws

    monkeypatch.setattr(eq27, "canonical_lowrank_parameters", skewed)
    assert _check("gk.eq27", "the whole gradient").passed is False
    monkeypatch.setattr(thm6, "canonical_lowrank_parameters", skewed)
    assert _check("gk.thm6", "limit C").passed is False


def test_mutation_wrong_leading_constant(monkeypatch):
    orig = lrc.leading_normalisation
    monkeypatch.setattr(lrc, "leading_normalisation",
                        lambda kind, K: orig(kind, K) * (1.5 if kind == "lowrank" else 1))
    assert _check("gk.thm6", "limit C").passed is False


def test_mutation_missing_first_order_term(monkeypatch):
    orig = lrc.deep_linear_hessian_terms

    def no_first(*args, **kw):
        curv, first = orig(*args, **kw)
        return curv, 0 * first

    monkeypatch.setattr(lrc, "deep_linear_hessian_terms", no_first)
    assert _check("gk.thm6", "Hessian formulas").passed is False


def test_mutation_wrong_reduced_loss(monkeypatch):
    from ncverify.models.schatten import lowrank_loss

    monkeypatch.setattr(eq27, "lowrank_loss",
                        lambda b, K, L, n, lam: lowrank_loss(b, K, L, n, 2 * lam))
    assert _check("gk.eq27", "derivation").passed is False
