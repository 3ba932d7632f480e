"""`zg` §5 (deep linear case): Theorems 5.1, 5.3, 5.4, Remark 5.2 and Figure 2, and the model
module ncverify.models.deep_linear, with mutation tests: a broken formula must make a check fail."""

import math

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits

import ncverify
from ncverify.claims import Verdict
from ncverify.models import deep_linear as dl
from ncverify.models.clusters import sample_gaussian_mixture, tcv_exact
from ncverify.papers.zg import thm5_1, thm5_3, thm5_4

IDS = ["zg.thm5_1", "zg.thm5_3", "zg.thm5_4"]


pytestmark = pytest.mark.usefixtures("one_blas_thread")


@pytest.fixture(scope="module")
def quick_results():
    with threadpool_limits(limits=1):
        return {r.claim.id: r for r in ncverify.verify(IDS, quick=True)}


def test_quick_verdicts_and_discrepancies(quick_results):
    assert set(quick_results) == set(IDS)
    for r in quick_results.values():
        assert r.claim.reconstructed and r.verdict.ok, (r.claim.id, r.verdict, r.errors)
    r1 = quick_results["zg.thm5_1"]
    assert r1.verdict is Verdict.VERIFIED_WITH_CORRECTIONS
    assert [d.kind for d in r1.discrepancies] == ["false-on-part-of-domain"]
    assert "Remark 5.2" in r1.discrepancies[0].published
    r3 = quick_results["zg.thm5_3"]
    assert r3.verdict is Verdict.VERIFIED_WITH_CORRECTIONS
    assert sorted(d.kind for d in r3.discrepancies) == ["false-on-part-of-domain",
                                                         "undefined-notation"]
    assert quick_results["zg.thm5_4"].verdict is Verdict.VERIFIED
    assert not quick_results["zg.thm5_4"].discrepancies


# ------------------------------------------------------------------------------ model


def _data(seed, d, p, N):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((d, N)), rng.standard_normal((p, N))


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 5), st.integers(1, 4), st.integers(0, 3), st.booleans(),
       st.integers(0, 10_000))
def test_critical_points_are_critical_with_predicted_values(d, p, extra, reg, seed):
    X, Y = _data(seed, d, p, d + extra + 1)
    lam = 0.7 if reg else 0.0
    r = min(d, p)
    for k in range(1, r + 1):
        cps = dl.critical_points(X, Y, k, lam)
        assert len(cps) == math.comb(r, k)
        scale = np.linalg.norm(Y @ X.T) + 1
        for cp in cps:
            G = dl.loss_gradient(cp["W"], X, Y, lam)
            assert np.linalg.norm(dl.tangent_projection(cp["W"], G, k)) <= 1e-9 * scale
            assert math.isclose(dl.squared_loss(cp["W"], X, Y, lam), cp["loss"], rel_tol=1e-9,
                                abs_tol=1e-9)
        assert min(range(len(cps)), key=lambda i: cps[i]["loss"]) == 0
        assert np.allclose(cps[0]["W"], dl.rank_k_minimizer(X, Y, k, lam))


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 4), st.integers(2, 4), st.integers(0, 10_000))
def test_rank_k_minimizer_beats_random_rank_k_points(d, p, seed):
    X, Y = _data(seed, d, p, 2 * d)
    rng = np.random.default_rng(seed + 1)
    best = dl.squared_loss(dl.rank_k_minimizer(X, Y, 1, 0.3), X, Y, 0.3)
    Wk = dl.rank_k_minimizer(X, Y, 1, 0.3)
    for _ in range(30):
        W = Wk + 0.1 * np.outer(rng.standard_normal(p), rng.standard_normal(d))
        W = np.linalg.svd(W)[0][:, :1] * np.linalg.svd(W)[1][0] @ np.linalg.svd(W)[2][:1]
        assert dl.squared_loss(W, X, Y, 0.3) >= best - 1e-10


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 6), st.floats(0.01, 10),
       st.integers(0, 10_000))
def test_augmentation_eq19_and_ridge(d, p, N, lam, seed):
    X, Y = _data(seed, d, p, N)
    W = np.random.default_rng(seed).standard_normal((p, d))
    Xt, Yt = dl.augment(X, Y, lam)
    assert math.isclose(dl.squared_loss(W, Xt, Yt), dl.squared_loss(W, X, Y, lam), rel_tol=1e-12)
    assert np.allclose(dl.ridge_minimizer(X, Y, lam), dl.ridge_minimizer(Xt, Yt, 0.0))
    assert np.allclose(dl.loss_gradient(dl.ridge_minimizer(X, Y, lam), X, Y, lam), 0, atol=1e-9)


def test_generic_functions_are_exact_on_sympy_and_agree_with_mpmath():
    X = sympy.Matrix([[1, 2, 0], [0, 1, 3]])
    Y = sympy.Matrix([[1, 0, 2]])
    lam = sympy.Rational(1, 2)
    W = dl.ridge_minimizer(X, Y, lam)
    assert all(x.is_Rational for x in W)
    assert (dl.loss_gradient(W, X, Y, lam)).is_zero_matrix
    with mpmath.workdps(30):
        Wm = dl.ridge_minimizer(mpmath.matrix(X.tolist()), mpmath.matrix(Y.tolist()),
                                mpmath.mpf(1) / 2)
        assert all(abs(Wm[0, j] - W[0, j]) < mpmath.mpf(10) ** -25 for j in range(2))
    Xh, Yh = dl.centroid_matrices(X, Y, np.array([0, 0, 1]))
    assert Xh[:, 0] == Xh[:, 1] == sympy.Matrix([sympy.Rational(3, 2), sympy.Rational(1, 2)])
    assert Yh[0, 2] == 2


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 4), st.integers(1, 5), st.integers(1, 3), st.integers(4, 20),
       st.floats(-2, 0.5), st.floats(-2, 2), st.integers(0, 10_000))
def test_centroid_distance_bound_holds(k, d, p, N, log_sigma, log_lam, seed):
    rng = np.random.default_rng(seed)
    Z, comp = sample_gaussian_mixture(rng, N, 3 * rng.standard_normal((k, d + p)),
                                      np.full((k, d + p), 10 ** (2 * log_sigma)))
    b = dl.centroid_distance_bound(Z[:d], Z[d:], comp, 10**log_lam)
    assert b["distance"] <= b["proof"] * (1 + 1e-10) + 1e-14
    assert b["proof"] <= b["statement"] * (1 + 1e-10) + 1e-14
    Xh, Yh = dl.centroid_matrices(Z[:d], Z[d:], comp)
    sv = np.linalg.svd(dl.ridge_minimizer(Xh, Yh, 1.0), compute_uv=False)
    assert np.sum(sv > 1e-10 * sv[0]) <= len(np.unique(comp))  # rank What* <= k


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 4), st.integers(2, 4), st.integers(5, 8), st.booleans(),
       st.integers(0, 10_000))
def test_truncation_distance_bound_holds(d, p, N, reg, seed):
    X, Y = _data(seed, d, p, N)
    lam = 0.5 if reg else 0.0
    Ws = dl.ridge_minimizer(X, Y, lam)
    for k in range(1, min(d, p) + 1):
        dist = np.linalg.norm(Ws - dl.rank_k_minimizer(X, Y, k, lam))
        tcv = tcv_exact(Y, k)
        assert dist <= dl.truncation_distance_bound(X, tcv, lam) + 1e-9 * np.linalg.norm(Ws)
        assert (dl.truncation_distance_bound(X, tcv, lam)
                <= dl.truncation_distance_bound(X, tcv, lam, norm="frobenius") + 1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.05, 50), st.floats(0.0, 3), st.floats(0.05, 10), st.integers(1, 6))
def test_weight_decay_scalar_is_the_argmin(a, s, lam, L):
    t = dl.weight_decay_scalar(a, s, lam, L)
    grid = np.linspace(0, max(s, 1e-12), 20001)

    def f(x):
        return 0.5 * a * (s - x) ** 2 + 0.5 * L * lam * np.abs(x) ** (2 / L)

    assert 0 <= t <= s + 1e-12
    assert f(t) <= f(grid).min() + 1e-9 * (1 + a * s * s)
    with mpmath.workdps(30):
        tm = dl.weight_decay_scalar(mpmath.mpf(a), mpmath.mpf(s), mpmath.mpf(lam), L)
    assert abs(float(tm) - t) <= 1e-9


@pytest.mark.parametrize("L", [3, 4, 5, 6])
def test_weight_decay_threshold_is_the_jump(L):
    kappa, t = (float(x) for x in dl.weight_decay_threshold(L))
    assert dl.weight_decay_scalar(kappa * (1 - 1e-7), 1.0, 1.0, L) == 0.0
    assert abs(dl.weight_decay_scalar(kappa * (1 + 1e-7), 1.0, 1.0, L) - t) < 1e-3
    assert dl.weight_decay_threshold(2) == (1, 0)


def test_autoencoder_minimizer_depth_one_is_ridge_and_deeper_is_lower_rank():
    X, _ = _data(3, 4, 1, 12)
    X = X * np.array([3.0, 1.5, 0.7, 0.3])[:, None]
    assert np.allclose(dl.weight_decay_autoencoder_minimizer(X, 2.0, 1),
                       dl.ridge_minimizer(X, X, 2.0))
    ranks = [np.linalg.matrix_rank(dl.weight_decay_autoencoder_minimizer(X, 2.0, L), tol=1e-10)
             for L in (1, 2, 4)]
    assert ranks[0] == 4 and ranks[0] >= ranks[1] >= ranks[2]


def test_rational_instance_has_the_prescribed_svd():
    inst = dl.rational_instance([5, 2], [3, sympy.Rational(15, 2), sympy.Rational(63, 4)], 16, 4,
                                np.random.default_rng(0))
    X, Y, P = inst["X"], inst["Y"], inst["P"]
    assert P * P == X * X.T + 16 * sympy.eye(3)
    assert Y * X.T * inst["Pinv"] == inst["Q"]
    assert inst["U"] * sympy.diag(5, 2) * inst["V"].T == inst["Q"]


def test_exact_helpers():
    Q = sympy.diag(3, 1)
    found = thm5_1.rank_one_critical_points(Q)
    assert sorted(found, key=lambda z: -z[0, 0]) == [sympy.diag(3, 0), sympy.diag(0, 1)]
    Y = sympy.Matrix([[0, 1, 10, 11, 30]])
    assert thm5_4.exact_tcv(Y, 2) == sympy.Rational(1, 5) * (
        sum((y - sympy.Rational(22, 4)) ** 2 for y in (0, 1, 10, 11)))
    Yf = np.array([[0, 1, 10, 11, 30.0]])
    assert math.isclose(float(thm5_4.exact_tcv(Y, 3)), tcv_exact(Yf, 3))


@pytest.mark.parametrize("call, match", [
    (lambda: dl.augment(np.ones((2, 3)), np.ones((1, 3)), -1.0), "lam"),
    (lambda: dl.augment(np.ones((2, 3)), np.ones((1, 4)), 1.0), "Y"),
    (lambda: dl.gram_sqrt(np.ones((3, 2))), "singular"),
    (lambda: dl.critical_points(np.eye(2), np.ones((1, 2)), 2), "k must be <= rank"),
    (lambda: dl.centroid_matrices(np.eye(2), np.eye(2), [0.5, 1]), "labels"),
    (lambda: dl.centroid_distance_bound(np.eye(2), np.eye(2), [0, 1], 0.0), "lam"),
    (lambda: dl.truncation_distance_bound(np.eye(2), 1.0, norm="nuclear"), "norm"),
    (lambda: dl.truncation_distance_bound(np.eye(2), -1.0), "tcv"),
    (lambda: dl.weight_decay_scalar(0.0, 1.0, 1.0, 3), "a > 0"),
    (lambda: dl.weight_decay_scalar(1.0, 1.0, 1.0, 0), "depth"),
    (lambda: dl.weight_decay_threshold(1), "depth"),
    (lambda: dl.rational_instance([1], [1], 1, 3, np.random.default_rng(0)), "rational square"),
    (lambda: dl.deep_product([]), "weights"),
])
def test_bad_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------------------ mutations


def test_mutation_wrong_singular_values_break_exact_thm5_1(monkeypatch):
    orig = thm5_1.critical_point
    monkeypatch.setattr(thm5_1, "critical_point",
                        lambda U, s, V, J, inv: orig(U, [2 * x for x in s], V, J, inv))
    assert thm5_1.exact_instances(True).passed is False


def test_mutation_wrong_inverse_root_breaks_highprec_thm5_1(monkeypatch):
    orig = dl.gram_sqrt
    monkeypatch.setattr(dl, "gram_sqrt", lambda X, lam=0, inverse=False: (
        orig(X, lam, inverse) * orig(X, lam, inverse)))  # (XX^T)^{-1} instead of ^{-1/2}
    assert thm5_1.highprec_random(True).passed is False


def test_mutation_ridge_formula_breaks_per_layer_check(monkeypatch):
    monkeypatch.setattr(thm5_1, "weight_decay_autoencoder_minimizer",
                        lambda X, lam, L: dl.ridge_minimizer(X, X, lam))
    assert thm5_1.per_layer_weight_decay(True).passed is False


def test_mutation_wrong_centroid_constant_breaks_eq29(monkeypatch):
    import flint

    def bad(M, labels):
        out = flint.fmpq_mat(M.nrows(), M.ncols())
        for c in np.unique(labels):
            idx = [int(i) for i in np.flatnonzero(labels == c)]
            for r in range(M.nrows()):
                mean = sum((M[r, i] for i in idx), flint.fmpq(0)) / (len(idx) + 1)
                for i in idx:
                    out[r, i] = mean
        return out

    monkeypatch.setattr(thm5_3, "_centroids", bad)
    assert thm5_3.exact_identities(True).passed is False


def test_mutation_dropped_factor_breaks_thm5_3_bound(monkeypatch):
    orig = dl.centroid_distance_bound

    def small(*a):
        b = dict(orig(*a))
        b["statement"] /= 50  # e.g. WCSS summed where it is averaged, and worse
        b["proof"] = min(b["proof"], b["statement"])
        return b

    monkeypatch.setattr(thm5_3, "centroid_distance_bound", small)
    assert thm5_3.random_blobs(True).passed is False


def test_mutation_wrong_threshold_breaks_counterexample(monkeypatch):
    monkeypatch.setattr(thm5_3, "weight_decay_threshold",
                        lambda L: (sympy.Integer(3), sympy.Rational(2, 3)))
    assert thm5_3.per_layer_counterexample(True).passed is False


def test_mutation_wrong_exponent_breaks_figure2(monkeypatch):
    orig = thm5_3.figure2_distances
    monkeypatch.setattr(thm5_3, "figure2_distances",
                        lambda s, l, *a: orig(s, l, *a) ** 0.5)
    assert thm5_3.figure2(True).passed is False


def test_mutation_tcv_without_factor_n_breaks_thm5_4(monkeypatch):
    orig = thm5_4.exact_tcv
    monkeypatch.setattr(thm5_4, "exact_tcv", lambda Y, k: orig(Y, k) / Y.cols)
    assert thm5_4.exact_check(True).passed is False


def test_mutation_bound_without_root_n_breaks_thm5_4_random(monkeypatch):
    orig = dl.truncation_distance_bound
    monkeypatch.setattr(thm5_4, "truncation_distance_bound",
                        lambda X, tcv, lam=0.0, norm="spectral": orig(X, tcv, lam, norm)
                        / math.sqrt(X.shape[1]))
    assert thm5_4.random_data(True).passed is False
