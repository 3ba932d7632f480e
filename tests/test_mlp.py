"""The fully connected network engine (ncverify/engine/mlp.py): loss against the models'
reference losses, analytic gradients against finite differences, mini-batches, reproducibility,
divergence detection, polishing, and clear errors for bad input."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ncverify.engine.mlp import MLPBatch, MLPConfig, polish_mlp, prepare_data, train_mlp
from ncverify.models.losses import mean_cross_entropy, mse_fit

dims_st = st.lists(st.integers(1, 5), min_size=2, max_size=5)
acts = st.sampled_from(["identity", "tanh", "relu"])
losses = st.sampled_from(["mse", "ce"])


pytestmark = pytest.mark.usefixtures("one_blas_thread")


def make(dims, act, loss, seed=0, N=7, lam=0.03, R=2, autoencode=False):
    dims = list(dims)
    if loss == "ce":
        dims[-1] = max(dims[-1], 2)
    if autoencode:
        dims[-1] = dims[0]
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], N))
    if loss == "ce" or not autoencode:
        N = max(N, dims[-1])
        X = rng.standard_normal((dims[0], N))
        targets = np.concatenate([np.arange(dims[-1]), rng.integers(0, dims[-1], N - dims[-1])])
        if loss == "mse":
            targets = rng.standard_normal((dims[-1], N))
    else:
        targets = X
    cfg = MLPConfig(dims=tuple(dims), activation=act, loss=loss, lam=lam, lr=0.1)
    b = MLPBatch(cfg, X, targets, runs=R)
    return cfg, b, X, targets, b.init_params(seed)


def reference_loss(cfg, W, X, targets):
    """Independent forward pass of one run, fit from ncverify.models.losses."""
    act = {"identity": lambda a: a, "tanh": np.tanh, "relu": lambda a: np.maximum(a, 0)}
    H = X
    for w in W[:-1]:
        H = act[cfg.activation](w @ H)
    Z = W[-1] @ H
    fit = mean_cross_entropy(Z, targets) if cfg.loss == "ce" else mse_fit(Z, targets)
    return float(fit) + 0.5 * cfg.lam * sum(float(np.sum(w * w)) for w in W)


@given(dims_st, acts, losses, st.integers(0, 10_000))
def test_loss_matches_reference(dims, act, loss, seed):
    cfg, b, X, T, W = make(dims, act, loss, seed)
    tot, _ = b.loss(W)
    for r in range(b.R):
        assert math.isclose(tot[r], reference_loss(cfg, [w[r] for w in W], X, T),
                            rel_tol=1e-12, abs_tol=1e-14)


def _fd_check(b, W, idx, seed):
    rng = np.random.default_rng(seed + 7)
    V = [rng.standard_normal(w.shape) for w in W]
    G, _ = b.gradient(W, idx)
    eps = 1e-6
    fp = b.loss([w + eps * v for w, v in zip(W, V, strict=True)], idx)[0]
    fm = b.loss([w - eps * v for w, v in zip(W, V, strict=True)], idx)[0]
    fd = (fp - fm) / (2 * eps)
    an = sum(np.einsum("rij,rij->r", g, v) for g, v in zip(G, V, strict=True))
    return fd, an, V, eps


def _crosses_kink(b, W, V, eps, idx):
    pre_p = b.forward([w + eps * v for w, v in zip(W, V, strict=True)], idx)[0]
    pre_m = b.forward([w - eps * v for w, v in zip(W, V, strict=True)], idx)[0]
    return any(np.any(np.sign(p) != np.sign(m)) for p, m in zip(pre_p, pre_m, strict=True))


@given(dims_st, acts, losses, st.integers(0, 10_000), st.booleans())
def test_gradient_matches_finite_differences(dims, act, loss, seed, minibatch):
    cfg, b, X, T, W = make(dims, act, loss, seed)
    idx = None
    if minibatch:
        rng = np.random.default_rng(seed)
        idx = np.stack([rng.choice(b.N, 3, replace=False) for _ in range(b.R)])
    fd, an, V, eps = _fd_check(b, W, idx, seed)
    if act == "relu" and _crosses_kink(b, W, V, eps, idx):
        return
    assert np.allclose(fd, an, rtol=1e-6, atol=1e-7), (fd, an)


@given(dims_st, acts, st.integers(0, 10_000))
def test_autoencoder_gradient_and_coordinatewise_fd(dims, act, seed):
    """T = X (autoencoding) and every coordinate of ∇W_1 by central differences."""
    cfg, b, X, T, W = make(dims, act, "mse", seed, autoencode=True, R=1)
    G, _ = b.gradient(W)
    eps = 1e-6
    for i in range(W[0].shape[1]):
        for j in range(W[0].shape[2]):
            Wp = [w.copy() for w in W]
            Wm = [w.copy() for w in W]
            Wp[0][0, i, j] += eps
            Wm[0][0, i, j] -= eps
            if act == "relu" and _crosses_kink(b, W, [np.zeros_like(w) for w in W], 0, None):
                continue
            fd = (b.loss(Wp)[0][0] - b.loss(Wm)[0][0]) / (2 * eps)
            if act != "relu":
                assert math.isclose(fd, G[0][0, i, j], rel_tol=1e-6, abs_tol=1e-8)


def test_minibatch_gradient_is_the_gradient_on_the_subset():
    cfg, b, X, T, W = make((3, 4, 2), "tanh", "ce", 1, N=9)
    idx = np.array([[0, 4, 5], [8, 2, 1]])
    G, _ = b.gradient(W, idx)
    for r in range(2):
        sub = MLPBatch(cfg, X[:, idx[r]], T[idx[r]] if T.ndim == 1 else T[:, idx[r]], runs=1)
        g, _ = sub.gradient([w[r:r + 1] for w in W])
        for a, c in zip(G, g, strict=True):
            assert np.allclose(a[r], c[0], rtol=1e-13, atol=1e-15)


def test_gradient_is_a_sum_of_outer_products():
    cfg, b, X, T, W = make((4, 5, 6, 3), "tanh", "mse", 3, N=8)
    G, _ = b.gradient(W, weight_decay=False)
    for g, (B, H) in zip(G, b.backprop_factors(W), strict=True):
        assert np.allclose(g, B @ np.swapaxes(H, -1, -2), rtol=1e-13, atol=1e-15)
        assert B.shape[-1] == b.N


def test_weight_decay_term():
    cfg, b, X, T, W = make((3, 4, 2), "tanh", "mse", 2, lam=0.25)
    g1, _ = b.gradient(W)
    g0, _ = b.gradient(W, weight_decay=False)
    for a, c, w in zip(g1, g0, W, strict=True):
        assert np.allclose(a - c, 0.25 * w, rtol=1e-13, atol=1e-15)


def test_float32_close_to_float64():
    cfg, b64, X, T, W = make((4, 6, 3), "tanh", "ce", 5)
    b32 = MLPBatch(cfg.replace(dtype="float32"), X, T, runs=2)
    W32 = [w.astype(np.float32) for w in W]
    assert b32.loss(W32)[0].dtype == np.float32
    assert np.allclose(b32.loss(W32)[0], b64.loss(W)[0], rtol=1e-5)
    res = train_mlp(cfg.replace(dtype="float32"), X, T, steps=20, runs=2, record_every=10)
    assert res.weights[0].dtype == np.float32 and np.all(np.isfinite(res.loss))


@pytest.mark.parametrize("batch_size", [None, 3])
def test_runs_depend_only_on_their_seed(batch_size):
    cfg, b, X, T, _ = make((3, 5, 2), "tanh", "mse", 0, N=10)
    many = train_mlp(cfg, X, T, steps=40, runs=3, seed=10, batch_size=batch_size,
                     record_every=20)
    one = train_mlp(cfg, X, T, steps=40, runs=1, seed=11, batch_size=batch_size,
                    record_every=20)
    again = train_mlp(cfg, X, T, steps=40, runs=3, seed=10, batch_size=batch_size,
                      record_every=20)
    for a, c, e in zip(many.weights, one.weights, again.weights, strict=True):
        assert np.allclose(a[1], c[0], rtol=1e-12, atol=1e-14)
        assert np.array_equal(a, e)
    assert not np.allclose(many.weights[0][0], many.weights[0][1])


def test_sgd_differs_from_gd_and_reduces_the_loss():
    cfg, b, X, T, _ = make((3, 6, 2), "tanh", "ce", 0, N=12, lam=1e-3)
    sgd = train_mlp(cfg.replace(lr=0.5), X, T, steps=300, runs=2, batch_size=4, record_every=100)
    gd = train_mlp(cfg.replace(lr=0.5), X, T, steps=300, runs=2, record_every=100)
    assert np.all(sgd.loss[:, -1] < sgd.loss[:, 0])
    assert not np.allclose(sgd.weights[0], gd.weights[0])
    assert sgd.batch_size == 4 and gd.batch_size is None


def test_batch_sampler_covers_an_epoch_without_repeats():
    from ncverify.engine.mlp import _BatchSampler

    s = _BatchSampler([0, 1], N=10, b=3)
    epoch = np.concatenate([s.next() for _ in range(3)], axis=1)
    for r in range(2):
        assert len(set(epoch[r].tolist())) == 9
    assert not np.array_equal(epoch[0], epoch[1])


def test_divergence_is_detected_per_run():
    cfg, b, X, T, _ = make((3, 8, 8, 2), "identity", "mse", 0, N=10, lam=1e-3)
    configs = [cfg.replace(lr=0.05), cfg.replace(lr=1e3)]
    res = train_mlp(configs, X, T, steps=200, record_every=10, seeds=[0, 0])
    assert res.status[1] == "diverged" and res.diverged_at[1] is not None
    assert res.status[0] != "diverged" and np.all(np.isfinite(res.loss[0]))
    assert np.isnan(res.loss[1, -1])


def test_gd_converges_on_a_small_problem():
    cfg, b, X, T, _ = make((3, 4, 2), "tanh", "mse", 0, N=6, lam=0.05)
    res = train_mlp(cfg.replace(lr=1.0), X, T, steps=6000, runs=2, record_every=1000,
                    gtol=1e-6)
    assert res.status == ["converged", "converged"]
    assert np.all(np.diff(res.loss, axis=1) <= 1e-12)


@pytest.mark.parametrize("act, loss", [("tanh", "mse"), ("identity", "ce"), ("tanh", "ce")])
def test_polish_reaches_a_stationary_point(act, loss):
    cfg, b, X, T, W = make((4, 5, 3), act, loss, 4, N=9, lam=0.01)
    res = train_mlp(cfg.replace(lr=0.3), X, T, steps=500, runs=1)
    pol = polish_mlp(cfg, X, T, res.run_weights(0), gtol=1e-10)
    assert pol.success and pol.grad_norm <= 1e-10
    g, _ = MLPBatch(cfg, X, T).gradient([w[None] for w in pol.params])
    assert math.sqrt(sum(float(np.sum(x * x)) for x in g)) <= 1e-10


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("kw, match", [
    (dict(dims=(3,)), "dims"), (dict(dims=(3, 0)), r"dims\[1\]"), (dict(dims=(3, 2.5)), "dims"),
    (dict(dims=(3, 2), activation="gelu"), "activation"), (dict(dims=(3, 2), loss="l1"), "loss"),
    (dict(dims=(3, 1), loss="ce"), r"dims\[-1\]"), (dict(dims=(3, 2), lam=-1.0), "lam"),
    (dict(dims=(3, 2), lam=float("nan")), "lam"), (dict(dims=(3, 2), lr=0.0), "lr"),
    (dict(dims=(3, 2), dtype="float16"), "dtype"), (dict(dims=(3, 2), init_gain=-1), "init_gain"),
    (dict(dims="32"), "dims"),
])
def test_config_validation(kw, match):
    with pytest.raises(ValueError, match=match):
        MLPConfig(**kw)


def test_bad_data_is_rejected():
    ce = MLPConfig(dims=(2, 3), loss="ce")
    mse = MLPConfig(dims=(2, 3), loss="mse")
    X = np.zeros((2, 4))
    y = np.array([0, 1, 2, 0])
    with pytest.raises(ValueError, match="NaN or inf"):
        prepare_data(ce, np.array([[0, np.nan, 0, 0], [0, 0, 0, 0]]), y)
    with pytest.raises(ValueError, match="NaN or inf"):
        prepare_data(ce, np.array([[0, np.inf, 0, 0], [0, 0, 0, 0]]), y)
    with pytest.raises(ValueError, match="shape"):
        prepare_data(ce, np.zeros((3, 4)), y)
    with pytest.raises(ValueError, match="N = 4 labels"):
        prepare_data(ce, X, y[:3])
    with pytest.raises(ValueError, match="empty class"):
        prepare_data(ce, X, np.array([0, 1, 1, 0]))
    with pytest.raises(ValueError, match="must lie in"):
        prepare_data(ce, X, np.array([0, 1, 2, 3]))
    with pytest.raises(ValueError, match="integers"):
        prepare_data(ce, X, np.array([0, 1, 2, 0.5]))
    with pytest.raises(ValueError, match="shape"):
        prepare_data(mse, X, np.zeros((3, 5)))
    with pytest.raises(ValueError, match="NaN or inf"):
        prepare_data(mse, X, np.full((3, 4), np.nan))
    with pytest.raises(ValueError, match="empty class"):
        prepare_data(mse, X, np.array([0, 0, 1, 1]))
    with pytest.raises(ValueError, match="N = 4"):
        train_mlp(ce, X, y[:2], steps=1)
    with pytest.raises(ValueError, match="batch_size"):
        train_mlp(ce, X, y, steps=1, batch_size=5)
    with pytest.raises(ValueError, match="steps"):
        train_mlp(ce, X, y, steps=-1)
    Xo, T, labels = prepare_data(mse, X, y)  # integer labels for MSE: one-hot targets
    assert T.shape == (3, 4) and np.array_equal(T.argmax(axis=0), y)


def test_stationary_points_polish_diverged_runs_from_their_start():
    from ncverify.engine.mlp import stationary_points

    cfg, b, X, T, _ = make((3, 4, 2), "tanh", "mse", 0, N=6, lam=0.05)
    res = train_mlp(cfg.replace(lr=1e4), X, T, steps=50, runs=1)
    assert res.status == ["diverged"]
    (pol,) = stationary_points(cfg.replace(lr=1e4), X, T, runs=1, gd_steps=50)
    assert pol.success and max(float(np.abs(w).max()) for w in pol.params) > 1e-3
