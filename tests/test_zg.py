"""`zg` claims (Eq. 4, Proposition 3.1, Proposition 4.1), the cluster module (WCSS, exact TCV)
and the exact network helpers, with mutation tests: a broken formula must make a check fail."""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import ncverify
from ncverify.claims import Verdict
from ncverify.models import clusters, fcnet
from ncverify.models.clusters import (
    sample_gaussian_mixture,
    set_partitions,
    stable_rank,
    tcv_exact,
    tcv_upper_bound,
    wcss,
)
from ncverify.papers.zg import eq4, prop3_1, prop4_1

pytestmark = pytest.mark.usefixtures("one_blas_thread")


@pytest.fixture(scope="module")
def quick_results():
    ids = ["zg.eq4", "zg.prop3_1", "zg.prop4_1"]
    return {r.claim.id: r for r in ncverify.verify(ids, quick=True)}


def test_zg_claims_registered_and_reconstructed(quick_results):
    assert {"zg.eq4", "zg.prop3_1", "zg.prop4_1"} <= set(quick_results)
    for r in quick_results.values():
        assert r.claim.reconstructed and r.claim.to_dict()["reconstructed"] is True
        assert r.verdict.ok, (r.claim.id, r.verdict, r.errors)


def test_verdicts_and_discrepancies(quick_results):
    assert quick_results["zg.eq4"].verdict is Verdict.VERIFIED
    assert quick_results["zg.prop3_1"].verdict is Verdict.VERIFIED
    r = quick_results["zg.prop4_1"]
    assert r.verdict is Verdict.VERIFIED_WITH_CORRECTIONS
    assert [d.kind for d in r.discrepancies] == ["false-on-part-of-domain"]
    assert "π_j" in r.discrepancies[0].published and "N_j/N" in r.discrepancies[0].computed


# ------------------------------------------------------------------------------ clusters


def brute_tcv(X, k):
    N = X.shape[1]
    return min(wcss(X, np.array(lab)) for lab in itertools.product(range(k), repeat=N))


@given(st.integers(1, 5), st.integers(1, 3), st.integers(1, 3), st.integers(0, 10_000))
def test_tcv_exact_matches_brute_force(N, k, d, seed):
    X = np.random.default_rng(seed).standard_normal((d, N))
    if k > N:
        with pytest.raises(ValueError, match=r"^k must be <= N"):
            tcv_exact(X, k)
        return
    assert math.isclose(tcv_exact(X, k), brute_tcv(X, k), rel_tol=1e-10, abs_tol=1e-12)


@given(st.integers(2, 7), st.integers(0, 10_000))
def test_tcv_properties(N, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((3, N))
    vals = [tcv_exact(X, k) for k in range(1, N + 1)]
    assert all(a >= b - 1e-12 for a, b in zip(vals, vals[1:], strict=False))  # monotone in k
    assert vals[-1] == 0.0
    assert math.isclose(vals[0], float(np.sum((X - X.mean(axis=1, keepdims=True)) ** 2)) / N)
    shift = X + rng.standard_normal((3, 1)) * 100
    assert math.isclose(tcv_exact(shift, 2), vals[1], rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(tcv_exact(2.5 * X, 2), 6.25 * vals[1], rel_tol=1e-12, abs_tol=1e-12)
    labels = rng.integers(0, 2, N)
    assert vals[1] <= tcv_upper_bound(X, labels, 2) + 1e-12
    v, lab = tcv_exact(X, 2, return_partition=True)
    assert math.isclose(wcss(X, lab), v, rel_tol=1e-10, abs_tol=1e-12)


def test_batched_tcv_and_labels_block():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((5, 2, 6))
    Y = rng.standard_normal((1, 6))
    batched = tcv_exact(X, 3, Y=Y)
    for r in range(5):
        assert math.isclose(batched[r], tcv_exact(np.vstack([X[r], Y]), 3), rel_tol=1e-12)
    assert math.isclose(wcss(X[0], [0, 0, 1, 1, 2, 2], Y=Y),
                        wcss(np.vstack([X[0], Y]), [0, 0, 1, 1, 2, 2]))
    assert wcss(X[0], [0] * 6, average=False) == pytest.approx(6 * wcss(X[0], [0] * 6))


@pytest.mark.parametrize("N, k", [(5, 1), (6, 2), (7, 3), (8, 4), (9, 3)])
def test_set_partitions_count_stirling(N, k):
    P = set_partitions(N, k)
    assert len(P) == sympy.functions.combinatorial.numbers.stirling(N, k)
    assert len({tuple(r) for r in P.tolist()}) == len(P)
    assert all(len(set(r)) == k for r in P.tolist())


def test_cluster_errors():
    X = np.zeros((2, 4))
    with pytest.raises(ValueError, match="NaN or inf"):
        wcss(np.array([[0.0, np.nan]]), [0, 1])
    with pytest.raises(ValueError, match="labels"):
        wcss(X, [0, 1])
    with pytest.raises(ValueError, match="shape"):
        wcss(np.zeros(4), [0, 0, 1, 1])
    with pytest.raises(ValueError, match="k must be <= N"):
        set_partitions(3, 4)
    with pytest.raises(ValueError, match="more than k"):
        tcv_upper_bound(X, [0, 1, 2, 3], 2)
    with pytest.raises(ValueError, match="Y must have"):
        wcss(X, [0, 0, 1, 1], Y=np.zeros((1, 3)))
    with pytest.raises(ValueError, match="weights"):
        sample_gaussian_mixture(np.random.default_rng(0), 4, np.zeros((2, 2)), np.ones((2, 2)),
                                [0.5, 0.6])
    with pytest.raises(ValueError, match="positive semidefinite"):
        stable_rank(-np.eye(2))


def test_gaussian_mixture_sampling():
    rng = np.random.default_rng(0)
    mu = np.array([[0.0, 0.0], [10.0, 0.0]])
    X, comp = sample_gaussian_mixture(rng, 10, mu, np.ones((2, 2)), [0.3, 0.7], draws=4,
                                      stratified=True)
    assert X.shape == (4, 2, 10) and np.all((comp == 0).sum(axis=1) == 3)
    full = np.array([[[2.0, 1.0], [1.0, 2.0]], [[1.0, 0.0], [0.0, 4.0]]])
    X, comp = sample_gaussian_mixture(rng, 20000, mu, full)
    C = np.cov(X[:, comp == 0])
    assert np.allclose(C, full[0], atol=0.1)
    assert stable_rank(np.eye(5) * 3) == pytest.approx(5.0)


# ------------------------------------------------------------------------------ fcnet


def test_exact_directional_derivative_matches_finite_differences():
    rng = np.random.default_rng(1)
    dims = (3, 4, 2)

    def rat(r, c):
        return np.array([[Fraction(int(v), 4) for v in row]
                         for row in rng.integers(-6, 7, (r, c))], dtype=object)

    W = [rat(dims[l + 1], dims[l]) for l in range(2)]
    X, T = rat(3, 3), rat(2, 3)
    E = np.full((4, 3), Fraction(0), dtype=object)
    E[1, 2] = Fraction(1)
    exact = fcnet.exact_mse_directional_derivative(W, X, T, 0, E)

    def f(eps):
        Wf = [w.astype(float) for w in W]
        Wf[0][1, 2] += eps
        H = Wf[0] @ X.astype(float)
        Z = Wf[1] @ (H + H * H / 2)
        return float(np.sum((Z - T.astype(float)) ** 2) / 6)

    assert math.isclose(float(exact), (f(1e-6) - f(-1e-6)) / 2e-6, rel_tol=1e-6)


# ------------------------------------------------------------------------------ mutations


def test_mutation_wrong_gradient_breaks_eq4(monkeypatch):
    orig = eq4.fit_gradient
    monkeypatch.setattr(eq4, "fit_gradient", lambda *a: [2 * g for g in orig(*a)])
    assert eq4.stationary(True).passed is False


def test_mutation_wrong_penalty_breaks_eq4_symbolic(monkeypatch):
    orig = eq4.symbolic_network

    def doubled(*a, **kw):
        net = orig(*a, **kw)
        net.penalty = 2 * net.penalty  # λ‖θ‖² instead of (λ/2)‖θ‖²
        return net

    monkeypatch.setattr(eq4, "symbolic_network", doubled)
    assert eq4.symbolic(True).passed is False


def test_mutation_wrong_delta_breaks_chain_rule(monkeypatch):
    orig = fcnet.SymbolicNetwork.delta
    monkeypatch.setattr(fcnet.SymbolicNetwork, "delta", lambda self, l, i: 2 * orig(self, l, i))
    assert prop3_1.chain_rule(True).passed is False


def test_mutation_full_rank_gradient_breaks_exact_ranks(monkeypatch):
    orig = prop3_1.exact_mse_directional_derivative

    def bumped(W, X, T, layer, E):
        idx = int(np.flatnonzero([e != 0 for e in E.ravel()])[0])
        return orig(W, X, T, layer, E) + Fraction(idx * idx, 7)  # entries (p·n+q)²: rank >= 2

    monkeypatch.setattr(prop3_1, "exact_mse_directional_derivative", bumped)
    assert prop3_1.exact_ranks(True).passed is False


def test_mutation_noisy_gradient_breaks_random_networks(monkeypatch):
    orig = prop3_1.batch_gradient
    rng = np.random.default_rng(0)
    monkeypatch.setattr(prop3_1, "batch_gradient", lambda *a: [
        g + 1e-3 * rng.standard_normal(g.shape) for g in orig(*a)])
    assert prop3_1.random_networks(True).passed is False


def test_mutation_full_rank_weights_break_degenerate_check(monkeypatch):
    orig = prop3_1.stationary_points

    def perturbed(*a, **kw):
        out = orig(*a, **kw)
        for pol in out:
            pol.params = [w + 1e-4 * np.eye(*w.shape) for w in pol.params]
        return out

    monkeypatch.setattr(prop3_1, "stationary_points", perturbed)
    assert prop3_1.degenerate_stationary(True).passed is False


def test_mutation_wrong_constant_breaks_isotropic_tail(monkeypatch):
    monkeypatch.setattr(prop4_1, "HW_CONSTANT", Fraction(1))
    assert prop4_1.isotropic_tail(True).passed is False


def test_mutation_halved_bound_breaks_monte_carlo(monkeypatch):
    orig = prop4_1.count_weighted_bound
    monkeypatch.setattr(prop4_1, "count_weighted_bound", lambda *a: 0.5 * orig(*a))
    assert prop4_1.monte_carlo(True).passed is False


def test_pi_discrepancy_is_computed_not_asserted(monkeypatch):
    """With stratified samples the π_j reading holds, and no discrepancy is recorded."""
    orig = prop4_1.sample_gaussian_mixture
    monkeypatch.setattr(prop4_1, "sample_gaussian_mixture",
                        lambda *a, **kw: orig(*a, **{**kw, "stratified": True}))
    out = prop4_1.pi_weighting(True)
    assert out.passed is True and out.discrepancies == []


def test_limit_failure_probability_is_a_binomial_tail():
    from scipy.stats import binom

    p = prop4_1._limit_failure_probability(10, Fraction(3, 10), Fraction(10), Fraction(1, 10),
                                           Fraction(1, 4))
    assert math.isclose(float(p), binom.sf(4, 10, 0.3), rel_tol=1e-12)


def test_clusters_module_has_one_home():
    assert prop4_1.tcv_exact is clusters.tcv_exact
