"""The deep-UFM engine: loss against the models' reference, gradients and HVPs against finite
differences (float64 and mpmath), batching, reproducibility, divergence, polishing, configs."""

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ncverify.engine import DUFMBatch, DUFMConfig, train
from ncverify.engine.polish import flatten, hessian_dense, hvp, polish, unflatten
from ncverify.models import dufm_loss

shapes = st.tuples(st.integers(2, 4), st.integers(1, 3), st.integers(2, 5), st.integers(1, 4))
acts = st.sampled_from(["identity", "relu"])
losses = st.sampled_from(["ce", "mse"])


def make(K, n, d, L, act, loss, R=2, seed=0):
    cfg = DUFMConfig(K=K, n=n, d=d, L=L, activation=act, loss=loss, lam=0.01, lam_H1=0.03)
    b = DUFMBatch(cfg, runs=R)
    return cfg, b, b.init_params(seed)


@given(shapes, acts, losses, st.integers(0, 1000))
def test_loss_matches_models_reference(shape, act, loss, seed):
    K, n, d, L = shape
    cfg, b, P = make(K, n, d, L, act, loss, seed=seed)
    tot, _ = b.loss(P)
    for r in range(2):
        ref = dufm_loss(P[0][r], [p[r] for p in P[1:]], list(cfg.lams), K, n, loss, act)
        assert math.isclose(tot[r], float(ref), rel_tol=1e-12)


@given(shapes, acts, losses, st.integers(0, 1000))
def test_gradient_and_hvp_match_finite_differences(shape, act, loss, seed):
    K, n, d, L = shape
    cfg, b, P = make(K, n, d, L, act, loss, seed=seed)
    rng = np.random.default_rng(seed + 1)
    V = [rng.standard_normal(p.shape) for p in P]
    G = [g.copy() for g in b.gradient(P)[0]]
    eps = 1e-6
    Pp = [p + eps * v for p, v in zip(P, V, strict=True)]
    Pm = [p - eps * v for p, v in zip(P, V, strict=True)]
    fd = (b.loss(Pp)[0] - b.loss(Pm)[0]) / (2 * eps)
    an = sum(np.einsum("rij,rij->r", g, v) for g, v in zip(G, V, strict=True))
    assert np.allclose(fd, an, rtol=1e-6, atol=1e-6)
    if act == "relu":  # finite differences of the gradient cross ReLU kinks rarely; skip those
        pre_p = b.features(Pp)[0][1:]
        pre_m = b.features(Pm)[0][1:]
        if any(np.any(np.sign(a) != np.sign(c)) for a, c in zip(pre_p, pre_m, strict=True)):
            return
    Gp = [g.copy() for g in b.gradient(Pp)[0]]
    Gm = [g.copy() for g in b.gradient(Pm)[0]]
    HV = b.hvp(P, V)
    for a, c, h in zip(Gp, Gm, HV, strict=True):
        assert np.allclose((a - c) / (2 * eps), h, rtol=1e-5, atol=1e-5)


def test_gradient_against_mpmath_finite_differences():
    """A 30-digit central difference (mpmath) agrees with the float64 gradient to ~1e-12."""
    cfg, b, P = make(3, 2, 3, 2, "relu", "ce", R=1, seed=4)
    G = [g[0].copy() for g in b.gradient(P)[0]]
    mats = [p[0] for p in P]
    with mpmath.workdps(30):
        M = [mpmath.matrix(m.tolist()) for m in mats]
        h = mpmath.mpf(10) ** -12
        for i, j, k in [(0, 1, 2), (1, 2, 0), (2, 0, 1)]:
            Mp = [m.copy() for m in M]
            Mm = [m.copy() for m in M]
            Mp[i][j, k] += h
            Mm[i][j, k] -= h
            d = (_mp_loss(cfg, Mp) - _mp_loss(cfg, Mm)) / (2 * h)
            assert abs(float(d) - G[i][j, k]) < 1e-10


def _mp_loss(cfg, X):
    return dufm_loss(X[0], X[1:], list(cfg.lams), 3, 2, "ce", "relu")


def test_batched_runs_equal_single_runs():
    cfg = DUFMConfig.preset("gk-fig1").replace(d=12)
    many = train(cfg, steps=50, runs=3, seed=7, record_every=10)
    one = train(cfg, steps=50, runs=1, seed=8, record_every=10)
    assert np.allclose(many.loss[1], one.loss[0], rtol=1e-12)
    again = train(cfg, steps=50, runs=3, seed=7, record_every=10)
    assert np.array_equal(many.loss, again.loss)  # reproducible from the seed


def test_per_run_lambda_and_lr():
    base = DUFMConfig(K=3, n=2, d=4, L=2, lam=0.01)
    cfgs = [base, base.replace(lam=0.1), base.replace(lr=0.1)]
    res = train(cfgs, steps=20, record_every=5)
    for r, c in enumerate(cfgs):
        single = train(c, steps=20, runs=1, seed=r, record_every=5)
        assert np.allclose(res.loss[r], single.loss[0], rtol=1e-12)


def test_recorded_loss_is_the_true_loss():
    cfg = DUFMConfig(K=3, n=2, d=4, L=3, activation="relu", loss="mse", lam=0.01)
    res = train(cfg, steps=7, runs=2, seed=1, record_every=7)
    b = DUFMBatch(cfg, runs=2)
    assert np.allclose(res.loss[:, 0], b.loss(b.init_params(1))[0])
    assert np.allclose(res.loss[:, -1], b.loss(res.params)[0])


def test_loss_decreases_and_float32_tracks_float64():
    cfg = DUFMConfig.preset("gk-fig1").replace(d=20)
    r64 = train(cfg, steps=300, runs=1, seed=0, record_every=100)
    r32 = train(cfg.replace(dtype="float32"), steps=300, runs=1, seed=0, record_every=100)
    assert r64.loss[0, -1] < 0.5 * r64.loss[0, 0]
    assert r32.params[0].dtype == np.float32
    assert np.allclose(r32.loss, r64.loss, rtol=1e-3)


def test_divergence_is_reported_per_run_without_killing_others():
    base = DUFMConfig(K=3, n=2, d=4, L=3, loss="mse", lam=0.01, lr=0.05)
    res = train([base, base.replace(lr=50.0), base], steps=200, record_every=5)
    assert res.status[1] == "diverged" and res.diverged_at[1] is not None
    assert res.status[0] != "diverged" and res.status[2] != "diverged"
    assert np.all(np.isfinite(res.loss[[0, 2]]))


def test_polish_reaches_a_critical_point_and_hessian_is_symmetric_psd_there():
    cfg = DUFMConfig(K=3, n=2, d=3, L=2, lam=0.01)
    res = train(cfg, steps=2000, seed=2)
    pr = polish(cfg, res.run_params(0), gtol=1e-10)
    assert pr.success and pr.grad_norm <= 1e-10
    H = hessian_dense(cfg, pr.params)
    assert np.allclose(H, H.T)
    x = flatten(pr.params)
    v = np.random.default_rng(0).standard_normal(x.size)
    assert np.allclose(H @ v, hvp(cfg, pr.params, v))
    assert np.linalg.eigvalsh(H).min() > -1e-8
    assert [a.shape for a in unflatten(x, cfg)] == cfg.shapes


@pytest.mark.parametrize("kw, match", [
    (dict(lr=0.0), "lr must be"), (dict(lam=-1.0), "lam must be"), (dict(K=1), "K must be"),
    (dict(activation="tanh"), "activation"), (dict(loss="hinge"), "loss"),
    (dict(dtype="float16"), "dtype"), (dict(n=(1, 2)), "n must list"),
    (dict(lam_W=(0.1,)), "lam_W must hold"),
])
def test_config_validation(kw, match):
    args = dict(K=3, n=2, d=4, L=2) | kw
    with pytest.raises(ValueError, match=match):
        DUFMConfig(**args)


def test_train_validation_and_presets():
    with pytest.raises(ValueError, match="steps"):
        train(DUFMConfig(K=3, n=2, d=4, L=2), steps=-1)
    with pytest.raises(ValueError, match="unknown preset"):
        DUFMConfig.preset("nope")
    with pytest.raises(ValueError, match="must share"):
        train([DUFMConfig(K=3, n=2, d=4, L=2), DUFMConfig(K=3, n=2, d=5, L=2)], steps=1)
    c = DUFMConfig.preset("sk-fig1")
    assert (c.K, c.n, c.d, c.L, c.lam, c.lr, c.loss, c.activation) == (
        10, 50, 30, 4, 0.004, 0.5, "mse", "relu")
    assert DUFMConfig.from_dict(c.to_dict()) == c
    with pytest.raises(ValueError, match="lam must be a number"):
        DUFMConfig.from_dict(c.to_dict() | {"lam": "big"})


def test_imbalanced_classes():
    cfg = DUFMConfig(K=3, n=(1, 3, 2), d=4, L=2, loss="ce")
    res = train(cfg, steps=10, runs=1)
    assert res.params[0].shape == (1, 4, 6)
