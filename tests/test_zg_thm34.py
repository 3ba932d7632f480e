"""`zg` Lemma 3.3 / Theorem 3.4 (``zg.thm3_4``) and Figure 1 (``zg.fig1``): the Taylor jets, the
curvature bounds, the centroid loss, the Lagrange-form finding, the verdicts, and mutation tests
(a broken formula must make a check fail)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits

import ncverify
from ncverify.claims import Verdict
from ncverify.engine.mlp import MLPBatch, MLPConfig
from ncverify.models.clusters import wcss
from ncverify.papers.zg import fig1, thm3_4
from ncverify.papers.zg.thm3_4 import (
    blob_data,
    centroid_gradient,
    curvature_sampled,
    curvature_upper,
    full_gradient,
    gradient_jets,
    hull_samples,
    integral_remainders,
    layer_points,
    rank_k_distance,
    taylor_remainders,
)

pytestmark = pytest.mark.usefixtures("one_blas_thread")


@pytest.fixture(scope="module")
def quick_results():
    with threadpool_limits(limits=1):
        return {r.claim.id: r for r in ncverify.verify(["zg.thm3_4", "zg.fig1"], quick=True)}


def _random_net(seed, dims, gain=1.3):
    cfg = MLPConfig(dims=tuple(dims), activation="tanh", loss="mse", lam=0.0, init_gain=gain)
    W = MLPBatch(cfg, np.zeros((dims[0], 1)), np.zeros((dims[-1], 1))).init_params(seed)
    return cfg, [w[0] for w in W]


# ------------------------------------------------------------------------------ verdicts


def test_quick_verdicts(quick_results):
    r = quick_results["zg.thm3_4"]
    assert r.claim.reconstructed and r.verdict is Verdict.VERIFIED_WITH_CORRECTIONS, r.errors
    assert [d.kind for d in r.discrepancies] == ["false-on-part-of-domain"] * len(r.discrepancies)
    assert r.discrepancies and "Lagrange" in r.discrepancies[0].published
    assert "integral form" in r.discrepancies[0].computed
    f = quick_results["zg.fig1"]
    assert f.claim.reconstructed and f.verdict is Verdict.VERIFIED, f.errors
    heat = next(c for c in f.checks if c.check.name.startswith("heat map")).outcome.result
    assert heat["corners_ok"] and heat["monotonicity_violations"] == 0
    assert any(t["transition"] == "bracketed" for t in heat["transitions"])


def test_theorem_check_reports_tightness(quick_results):
    res = next(c for c in quick_results["zg.thm3_4"].checks
               if c.check.name.startswith("Theorem 3.4")).outcome.result
    assert res["instances"] > 0 and res["violations_sampled_C"] == 0
    assert res["tightness_sampled_C"]["min"] >= 1.0
    assert res["tightness_upper_C"]["min"] >= res["tightness_sampled_C"]["min"]


# ------------------------------------------------------------------------------ the objects


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 6), st.integers(0, 10_000))
def test_rank_k_distance_is_eckart_young(m, n, k, seed):
    A = np.random.default_rng(seed).standard_normal((m, n))
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    best = (U[:, :k] * s[:k]) @ Vt[:k]
    assert math.isclose(rank_k_distance(A, k), np.linalg.norm(A - best), rel_tol=1e-9,
                        abs_tol=1e-12)
    if k == 0:
        assert math.isclose(rank_k_distance(A, 0), np.linalg.norm(A), rel_tol=1e-12)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=2, max_size=4), st.integers(0, 10_000))
def test_gradient_jets_match_finite_differences(dims, seed):
    rng = np.random.default_rng(seed)
    cfg, W = _random_net(seed, dims)
    n = 3
    x, y = rng.standard_normal((dims[0], n)), rng.standard_normal((dims[-1], n))
    ux, uy = rng.standard_normal((dims[0], n)), rng.standard_normal((dims[-1], n))
    J = gradient_jets(W, "tanh", x, y, ux, uy)

    def g(t, i):  # per-sample gradient of ½‖f − y‖² (engine, batch of one column)
        return full_gradient(cfg, (x + t * ux)[:, [i]], (y + t * uy)[:, [i]], W)

    e = 1e-4
    for i in range(n):
        gp, g0, gm = g(e, i), g(0.0, i), g(-e, i)
        for l in range(len(W)):
            scale = 1 + np.abs(J[l][2][i]).max()
            assert np.allclose(J[l][0][i], g0[l], atol=1e-12)
            assert np.allclose(J[l][1][i], (gp[l] - gm[l]) / (2 * e), atol=1e-6 * scale)
            assert np.allclose(J[l][2][i], (gp[l] - 2 * g0[l] + gm[l]) / e**2,
                               atol=1e-4 * scale)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(2, 5), min_size=3, max_size=4), st.integers(1, 3),
       st.integers(0, 10_000))
def test_remainder_identity_integral_form_and_lemma(dims, k, seed):
    """(1/N) Σ R_i = ∇𝓛 − ∇𝓛̂ (N_j weights), R_i = its integral form, Lemma 3.3 with both
    curvature constants, and rank ∇𝓛̂ ≤ k, for an arbitrary partition and layer."""
    rng = np.random.default_rng(seed)
    cfg, W = _random_net(seed, dims, gain=1.6)
    N = 7
    lab = rng.permutation(np.arange(N) % k)
    X = rng.standard_normal((dims[0], N)) * 0.5
    T = rng.standard_normal((dims[-1], N))
    for ell in range(cfg.L):
        x, y = layer_points(cfg, X, T, W, ell)
        G, Gc = full_gradient(cfg, X, T, W), centroid_gradient(cfg, X, T, W, lab, ell)
        R = taylor_remainders(W[ell:], "tanh", x, y, lab)
        Q = integral_remainders(W[ell:], "tanh", x, y, lab)
        low, up = curvature_sampled(W[ell:], "tanh", *hull_samples(x, y, lab, rng, 5, True))
        cu = curvature_upper(W[ell:], "tanh", np.linalg.norm(x, axis=0).max(),
                             np.linalg.norm(y, axis=0).max())
        w = wcss(x, lab, Y=y)
        for i, m in enumerate(range(ell, cfg.L)):
            d = G[m] - Gc[i]
            assert np.allclose(R[i].mean(axis=0), d, atol=1e-12 * (1 + np.abs(G[m]).max()))
            assert np.allclose(Q[i], R[i], atol=1e-9 * (1 + np.abs(R[i]).max()))
            assert np.linalg.norm(d) <= 0.5 * low[i].max() * w * (1 + 1e-9) + 1e-15
            assert np.all(low[i] <= up[i] * (1 + 1e-9)) and low[i].max() <= cu[i] * (1 + 1e-9)
            assert np.linalg.matrix_rank(Gc[i], tol=1e-9 * max(np.linalg.norm(Gc[i]), 1e-300)) <= k


def test_centroid_loss_needs_the_cluster_sizes():
    """With unequal clusters, the unweighted centroid loss does not approximate the full one."""
    cfg, W = _random_net(2, (4, 5, 4))
    X, lab = blob_data(2, 4, 6, 1e-4, 1, sizes=(1, 5))
    G = full_gradient(cfg, X, X, W)
    w = centroid_gradient(cfg, X, X, W, lab, 0)
    u = centroid_gradient(cfg, X, X, W, lab, 0, weighted=False)
    assert max(np.linalg.norm(a - b) for a, b in zip(G, w, strict=True)) < 1e-6
    assert max(np.linalg.norm(a - b) for a, b in zip(G, u, strict=True)) > 1e-2


def test_curvature_bounds_for_a_linear_layer():
    # one identity layer: g = (x − y)xᵀ, D²g[u, u] = 2(ux − uy)uxᵀ; with ‖ux‖² + ‖uy‖² = 1 the
    # largest Frobenius norm is 2 max_θ cos θ (cos θ + sin θ) = 1 + √2; the explicit bound
    # (‖ux‖, ‖uy‖ ≤ 1 separately) gives 4
    W = [np.eye(2)]
    low, up = curvature_sampled(W, "identity", np.zeros((2, 1)), np.zeros((2, 1)))
    assert curvature_upper(W, "identity", 1.0, 1.0) == [4.0]
    assert 1 + math.sqrt(2) - 1e-6 <= low[0, 0] <= 1 + math.sqrt(2) + 1e-12
    assert up[0, 0] >= low[0, 0]


def test_lemma_equality_case_and_lagrange_counterexample():
    eq = thm3_4.lemma_equality_case()
    assert eq["equality"] and eq["C"] == "2"
    rng = np.random.default_rng(1)
    W = [rng.standard_normal((3, 2)), rng.standard_normal((2, 3))]
    r = thm3_4.lagrange_form_arb(W, rng.standard_normal(4), rng.standard_normal(4), 2, 1)
    assert r["no_lagrange_point"] and r["integral_bound_holds"]


def test_scalar_lagrange_point_exists():
    """The Arb search must not exclude a point that exists: a 1×1 gradient (one output, one
    input, last layer) is scalar-valued, so the Lagrange form holds there."""
    rng = np.random.default_rng(3)
    W = [rng.standard_normal((1, 1)), rng.standard_normal((1, 1))]
    r = thm3_4.lagrange_form_arb(W, rng.standard_normal(2), rng.standard_normal(2), 1, 1,
                                 max_depth=8)
    assert not r["no_lagrange_point"] and r["pieces_undecided"] >= 1


def test_transition_and_relative_distances():
    lams = [1.0, 2.0, 4.0, 8.0]
    assert fig1.transition([False, False, True, True], lams) == (math.sqrt(8.0), "bracketed")
    assert fig1.transition([True] * 4, lams) == (None, "below")
    assert fig1.transition([False] * 4, lams) == (None, "above")
    assert fig1.transition([False, True, False, True], lams) == (None, "non-monotone")
    assert fig1.relative_distances([np.diag([3.0, 4.0])], 1) == [0.6]


@pytest.mark.parametrize("call, match", [
    (lambda: rank_k_distance(np.eye(2), -1), "^k must be"),
    (lambda: blob_data(2, 3, 5, 0.1, 0, sizes=(1, 1)), "^sizes must be"),
    (lambda: blob_data(2, 3, 4, -0.1, 0), "^sigma must be"),
    (lambda: gradient_jets([np.eye(2)], "relu", *[np.zeros((2, 1))] * 4), "^activation"),
    (lambda: curvature_upper([np.eye(2)], "tanh", np.nan, 1.0), "^xmax"),
    (lambda: layer_points(MLPConfig(dims=(2, 2), loss="ce"), np.zeros((2, 2)), [0, 1],
                          [np.eye(2)], 0), "^config.loss"),
    (lambda: layer_points(MLPConfig(dims=(2, 2)), np.zeros((2, 2)), np.zeros((2, 2)),
                          [np.eye(2)], 1), "^ell must be"),
    (lambda: centroid_gradient(MLPConfig(dims=(2, 2)), np.zeros((2, 2)), np.zeros((2, 2)),
                               [np.eye(2)], [0.5, 1.0], 0), "^labels"),
])
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------------------ mutations


def test_mutation_unweighted_centroids_break_lemma_check(monkeypatch):
    orig = thm3_4.centroid_gradient
    monkeypatch.setattr(thm3_4, "centroid_gradient",
                        lambda *a, **kw: orig(*a, **{**kw, "weighted": False}))
    assert thm3_4.lemma_random(True).passed is False
    assert thm3_4.mechanism(True).passed is False


def test_mutation_wrong_tanh_second_derivative_breaks_lemma_check(monkeypatch):
    orig = thm3_4._act_jets

    def wrong(P0, P1, P2, activation):
        h, s = orig(P0, P1, P2, activation)
        return (h[0], h[1], 0.5 * h[2]), s  # halves tanh''·P'² + tanh'·P''

    monkeypatch.setattr(thm3_4, "_act_jets", wrong)
    assert thm3_4.lemma_random(True).passed is False


def test_mutation_off_by_one_distance_breaks_theorem_check(monkeypatch):
    orig = thm3_4.rank_k_distance
    monkeypatch.setattr(thm3_4, "rank_k_distance", lambda W, k: orig(W, k - 1))
    assert thm3_4.theorem_stationary(True).passed is False


def test_mutation_centre_not_centroid_breaks_exact_check(monkeypatch):
    orig = thm3_4._exact_problem

    def shifted(*a):
        W, centres, pts = orig(*a)
        return W, centres, [(j, [v + (1 if c == 0 else 0) for c, v in enumerate(z)])
                            for j, z in pts]

    monkeypatch.setattr(thm3_4, "_exact_problem", shifted)
    assert thm3_4.exact_remainders(True).passed is False


def test_mutation_wrong_threshold_breaks_fig1(monkeypatch):
    monkeypatch.setitem(fig1.FIG1, "tau", 1e-5)  # no layer is ever "rank k": no transition
    assert fig1.heatmap_transition(True).passed is False


def test_mutation_wrong_rank_breaks_fig1(monkeypatch):
    monkeypatch.setattr(fig1, "rank_k_distance", lambda W, k: rank_k_distance(W, k - 1))
    assert fig1.dimension_dependence(True).passed is False
