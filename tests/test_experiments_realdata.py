"""The real-data experiments (realdata-gk, realdata-sk, realdata-zg) and the engine options they
need: per-layer activations and weight decay, and the feature penalty (λ_H/2n)‖H_f‖² (finite
differences), the digits data, the reference losses, and quick runs / resuming."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ncverify.engine.mlp import MLPBatch, MLPConfig, polish_mlp, train_mlp
from ncverify.experiments import Context, get_experiment
from ncverify.experiments.realdata_data import MLPTask, analyse_network, digits
from ncverify.experiments.realdata_gk import dnc_head_bound, ufm_dnc_bound
from ncverify.experiments.realdata_sk import reference_losses
from ncverify.experiments.realdata_zg import epsilon_rank, soft_rank, tail_errors
from ncverify.models.losses import mean_cross_entropy, mse_fit


@pytest.fixture(autouse=True)
def _one_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


ACTS = ("identity", "tanh", "relu")


@st.composite
def layered(draw):
    """A random network with the new options: per-layer activations, decay multipliers and a
    feature penalty on one layer input."""
    L = draw(st.integers(2, 4))
    loss = draw(st.sampled_from(["mse", "ce"]))
    dims = [draw(st.integers(1, 5)) for _ in range(L + 1)]
    dims[-1] = max(dims[-1], 2)
    acts = tuple(draw(st.sampled_from(ACTS)) for _ in range(L - 1))
    decay = tuple(draw(st.sampled_from([0.0, 0.5, 1.0, 2.0])) for _ in range(L))
    f = draw(st.integers(2, L))
    fd = draw(st.sampled_from([0.0, 0.3, 1.7]))
    cfg = MLPConfig(dims=tuple(dims), activations=acts, loss=loss, lam=0.05, lr=0.1,
                    layer_decay=decay, feature_decay=fd, feature_layer=f)
    return cfg, draw(st.integers(0, 10_000)), draw(st.booleans())


def _data(cfg, seed, N=9):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((cfg.dims[0], N))
    K = cfg.dims[-1]
    labels = np.concatenate([np.arange(K), rng.integers(0, K, N - K)]) if N >= K else None
    T = labels if cfg.loss == "ce" else rng.standard_normal((K, N))
    return X, T


def _reference_total(cfg, W, X, T):
    """Independent loss of one run: forward pass, fit from ncverify.models.losses, penalties."""
    f = {"identity": lambda a: a, "tanh": np.tanh, "relu": lambda a: np.maximum(a, 0)}
    H, feat = X, None
    for l, w in enumerate(W[:-1]):
        H = f[cfg.hidden_activations[l]](w @ H)
        if l + 2 == cfg.feature_layer:
            feat = H
    Z = W[-1] @ H
    fit = mean_cross_entropy(Z, T) if cfg.loss == "ce" else mse_fit(Z, T)
    pen = 0.5 * cfg.lam * sum(m * float(np.sum(w * w)) for m, w in
                              zip(cfg.layer_decay, W, strict=True))
    fp = 0.5 * cfg.feature_decay / X.shape[1] * float(np.sum(feat * feat)) if feat is not None \
        else 0.0
    return float(fit) + pen + fp


def _fd(b, W, idx, seed):
    rng = np.random.default_rng(seed + 3)
    V = [rng.standard_normal(w.shape) for w in W]
    G, _ = b.gradient(W, idx)
    eps = 1e-6
    fp = b.loss([w + eps * v for w, v in zip(W, V, strict=True)], idx)[0]
    fm = b.loss([w - eps * v for w, v in zip(W, V, strict=True)], idx)[0]
    an = sum(np.einsum("rij,rij->r", g, v) for g, v in zip(G, V, strict=True))
    return (fp - fm) / (2 * eps), an


# -- engine options ---------------------------------------------------------------------------

@given(layered())
def test_loss_with_layer_options_matches_an_independent_forward_pass(case):
    cfg, seed, _ = case
    X, T = _data(cfg, seed)
    b = MLPBatch(cfg, X, T, runs=2)
    W = b.init_params(seed)
    tot, _ = b.loss(W)
    for r in range(2):
        assert math.isclose(tot[r], _reference_total(cfg, [w[r] for w in W], X, T),
                            rel_tol=1e-12, abs_tol=1e-13)


@given(layered())
def test_gradient_with_feature_penalty_matches_finite_differences(case):
    cfg, seed, minibatch = case
    X, T = _data(cfg, seed)
    b = MLPBatch(cfg, X, T, runs=2)
    W = b.init_params(seed)
    idx = None
    if minibatch:
        rng = np.random.default_rng(seed)
        idx = np.stack([rng.choice(X.shape[1], 4, replace=False) for _ in range(2)])
    fd, an = _fd(b, W, idx, seed)
    np.testing.assert_allclose(an, fd, rtol=1e-5, atol=1e-7)


@given(layered())
def test_step_is_a_gradient_step_with_the_layer_options(case):
    """The fast in-place step (its own workspace code path) against ``gradient``."""
    cfg, seed, minibatch = case
    X, T = _data(cfg, seed)
    for R in (1, 2):
        b = MLPBatch(cfg, X, T, runs=R)
        W = b.init_params(seed)
        idx = None
        if minibatch:
            rng = np.random.default_rng(seed)
            idx = np.stack([rng.choice(X.shape[1], 4, replace=False) for _ in range(R)])
        G, _ = b.gradient(W, idx)
        expected = [w - cfg.lr * g for w, g in zip(W, G, strict=True)]
        b.step(W, idx)
        for w, e in zip(W, expected, strict=True):
            np.testing.assert_allclose(w, e, rtol=1e-10, atol=1e-12)


def test_finite_difference_check_sees_the_feature_term():
    """Mutation: without the feature penalty's gradient (λ_H/n)H_f in the backward pass (the
    loss keeping it) the finite-difference check fails."""
    cfg = MLPConfig(dims=(3, 4, 4, 2), activations=("tanh", "relu"), loss="ce", lam=0.01,
                    feature_decay=1.5, feature_layer=3)
    X, T = _data(cfg, 1)
    b = MLPBatch(cfg, X, T, runs=1)
    W = b.init_params(1)
    fd, an = _fd(b, W, None, 1)
    np.testing.assert_allclose(an, fd, rtol=1e-6)
    wrong = MLPBatch(cfg, X, T, runs=1)
    wrong._feat = None
    G, _ = wrong.gradient(W)
    rng = np.random.default_rng(1 + 3)
    V = [rng.standard_normal(w.shape) for w in W]
    an_wrong = sum(np.einsum("rij,rij->r", g, v) for g, v in zip(G, V, strict=True))
    assert not np.allclose(an_wrong, fd, rtol=1e-4, atol=1e-7)


@given(st.sampled_from(ACTS), st.sampled_from(["mse", "ce"]), st.integers(0, 1000))
def test_default_options_change_nothing(act, loss, seed):
    base = MLPConfig(dims=(3, 4, 5, 3), activation=act, loss=loss, lam=0.02, lr=0.1)
    same = base.replace(activations=(act, act), layer_decay=(1.0, 1.0, 1.0), feature_decay=0.0,
                        feature_layer=2)
    X, T = _data(base, seed)
    b1, b2 = MLPBatch(base, X, T, runs=2), MLPBatch(same, X, T, runs=2)
    W1, W2 = b1.init_params(seed), b2.init_params(seed)
    np.testing.assert_array_equal(b1.loss(W1)[0], b2.loss(W2)[0])
    b1.step(W1)
    b2.step(W2)
    for w1, w2 in zip(W1, W2, strict=True):
        np.testing.assert_array_equal(w1, w2)


def test_layer_decay_zero_leaves_a_layer_undecayed_and_training_uses_it():
    cfg = MLPConfig(dims=(3, 4, 2), activation="tanh", loss="mse", lam=0.5, lr=0.1,
                    layer_decay=(0.0, 1.0))
    X, T = _data(cfg, 2)
    b = MLPBatch(cfg, X, T, runs=1)
    W = b.init_params(0)
    G, _ = b.gradient(W)
    Gf, _ = b.gradient(W, weight_decay=False)
    np.testing.assert_array_equal(G[0], Gf[0])
    np.testing.assert_allclose(G[1], Gf[1] + 0.5 * W[1])
    res = train_mlp(cfg, X, T, steps=30, record_every=10)
    assert np.all(np.diff(res.loss[0]) < 0)


def test_polish_includes_the_feature_penalty():
    cfg = MLPConfig(dims=(3, 4, 3, 2), activation="tanh", loss="ce", lam=0.05,
                    feature_decay=0.5, feature_layer=2)
    X, T = _data(cfg, 5, N=6)
    W0 = [w[0] for w in MLPBatch(cfg, X, T).init_params(5)]
    pr = polish_mlp(cfg, X, T, W0, gtol=1e-8)
    assert pr.success
    tot, _ = MLPBatch(cfg, X, T).loss([w[None] for w in pr.params])
    assert pr.loss == pytest.approx(float(tot[0]), rel=1e-12)


@pytest.mark.parametrize("kw,match", [
    (dict(activations=("tanh",)), "activations"),
    (dict(activations=("tanh", "gelu")), "activations"),
    (dict(layer_decay=(1.0, -1.0, 1.0)), "layer_decay"),
    (dict(layer_decay=(1.0, 1.0)), "layer_decay"),
    (dict(feature_decay=-0.1, feature_layer=2), "feature_decay"),
    (dict(feature_decay=0.1), "feature_layer"),
    (dict(feature_decay=0.1, feature_layer=1), "feature_layer"),
    (dict(feature_decay=0.1, feature_layer=4), "feature_layer"),
])
def test_option_validation(kw, match):
    with pytest.raises(ValueError, match=match):
        MLPConfig(dims=(3, 4, 4, 2), **kw)


def test_runs_of_a_batch_must_share_the_options():
    a = MLPConfig(dims=(3, 4, 2), feature_decay=0.1, feature_layer=2)
    X, T = _data(a, 0)
    with pytest.raises(ValueError, match="feature_decay"):
        MLPBatch([a, a.replace(feature_decay=0.2)], X, T)
    MLPBatch([a, a.replace(lam=0.5)], X, T)          # λ may differ


# -- data and analysis ------------------------------------------------------------------------

def test_digits_are_balanced_standardised_and_class_ordered():
    X, labels = digits()
    assert X.shape == (64, 1740)
    assert np.array_equal(labels, np.repeat(np.arange(10), 174))
    sd = X.std(axis=1)
    const = sd == 0
    assert const.sum() == 3 and np.all(X[const] == 0)
    np.testing.assert_allclose(X.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(sd[~const], 1, rtol=1e-12)
    with pytest.raises(ValueError, match="n_per_class"):
        digits(175)


def test_task_key_depends_on_every_hyperparameter():
    c = MLPConfig(dims=(64, 8, 10), loss="ce")
    t = MLPTask((c,), (0,), 10)
    keys = {t.key, MLPTask((c.replace(lam=0.2),), (0,), 10).key, MLPTask((c,), (1,), 10).key,
            MLPTask((c,), (0,), 11).key, MLPTask((c,), (0,), 10, batch_size=5).key,
            MLPTask((c.replace(feature_decay=0.1, feature_layer=2),), (0,), 10).key}
    assert len(keys) == 6 and t.key == MLPTask((c,), (0,), 10).key
    with pytest.raises(ValueError, match="one entry per run"):
        MLPTask((c,), (0, 1), 10)
    with pytest.raises(ValueError, match="record"):
        MLPTask((c,), (0,), 10, record=("nope",))


def test_analysis_splits_the_loss():
    from ncverify.experiments.realdata_gk import network_config

    X, labels = digits(20)
    cfg = network_config("ufm-style")
    W = [w[0] for w in MLPBatch(cfg, X, labels).init_params(3)]
    a = analyse_network(cfg, W, X, labels)
    h = a["inputs"][2]["frobenius_sq"]
    assert a["loss"] == pytest.approx(a["fit"] + a["weight_penalty"]
                                      + 0.5 * cfg.feature_decay * h / X.shape[1], rel=1e-12)
    assert a["weight_penalty"] == pytest.approx(
        0.5 * cfg.lam * sum(float(np.sum(w * w)) for w in W[2:]), rel=1e-12)
    M = np.asarray(a["inputs"][2]["class_means"])
    np.testing.assert_allclose(np.linalg.svd(M, compute_uv=False),
                               a["inputs"][2]["class_mean_singular_values"], rtol=1e-10)


# -- reference losses -------------------------------------------------------------------------

def test_head_bound_is_the_engine_loss_of_the_optimal_dnc_head():
    """dnc_head_bound(h) against an explicit DNC head on DNC features H = c S ⊗ 1ᵀ with
    ‖H‖² = h (balanced factors W_l = (β/c)^{1/3} S, S a projector), at its optimal margin."""
    from ncverify.models.scales import optimal_scale

    K, n, lam, h = 10, 3, 0.01, 40.0
    S = np.eye(K) - 1.0 / K
    c = math.sqrt(h / (n * (K - 1)))
    H = c * np.kron(S, np.ones((1, n)))
    labels = np.repeat(np.arange(K), n)
    cfg = MLPConfig(dims=(K, K, K, K), activation="identity", loss="ce", lam=lam)
    b = MLPBatch(cfg, H, labels)
    beta = float(optimal_scale([[-1] * (K - 1)] * K, [(math.sqrt(n) / (c * math.sqrt(n)),
                                                         K - 1)], 2, lam).x)

    def loss(bt):
        W = [((bt / c) ** (1 / 3) * S)[None]] * 3
        return float(b.loss(W)[0][0])

    bound = dnc_head_bound(h, n, lam)
    assert loss(beta) == pytest.approx(bound, rel=1e-10)
    assert loss(beta * 1.05) > bound and loss(beta * 0.95) > bound
    assert dnc_head_bound(h, n, lam, L=4) != pytest.approx(bound, rel=1e-3)  # depth matters


def test_ufm_bound_is_the_minimum_over_the_feature_norm_of_the_head_bound():
    from scipy.optimize import minimize_scalar

    from ncverify.experiments.realdata_gk import LAM_H, LAM_W

    N, n = 1740, 174

    def f(t):
        return dnc_head_bound(math.exp(t), n, LAM_W, dps=20) + 0.5 * LAM_H * math.exp(t) / N

    r = minimize_scalar(f, bracket=(math.log(N), math.log(5 * N)), tol=1e-10)
    assert r.fun == pytest.approx(ufm_dnc_bound(N, n), rel=1e-9)


def test_sk_references_are_scale_free_in_n_at_fixed_lambda_H_times_N():
    from ncverify.engine.config import DUFMConfig
    from ncverify.experiments.sk_fig1 import closed_form_losses

    ref = reference_losses(2.0, 1740, 174)
    fig1 = closed_form_losses(DUFMConfig.preset("sk-fig1"))    # λ_H1 = 0.004, N = 500
    assert ref["dnc"] == pytest.approx(fig1["dnc"], rel=1e-12)
    assert ref["srg"] == pytest.approx(fig1["srg"], rel=1e-12)
    assert reference_losses(0.05, 1740, 174)["dnc"] < ref["dnc"]


# -- zg measurements -------------------------------------------------------------------------

@given(st.integers(1, 7), st.integers(1, 7), st.integers(0, 10_000))
def test_tail_error_is_the_relative_eckart_young_distance(m, k, seed):
    A = np.random.default_rng(seed).standard_normal((m, k))
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    e = tail_errors(s)
    assert e[0] == pytest.approx(1.0) and e[-1] == 0.0 and np.all(np.diff(e) <= 1e-15)
    for j in range(len(s) + 1):
        Aj = (U[:, :j] * s[:j]) @ Vt[:j]
        assert e[j] == pytest.approx(np.linalg.norm(A - Aj) / np.linalg.norm(A), abs=1e-12)
    assert soft_rank(s) == pytest.approx(np.linalg.norm(A) ** 2 / np.linalg.norm(A, 2) ** 2)
    assert epsilon_rank(s, 0.0) == int(np.sum(s > 0)) and epsilon_rank(s, 1.0) == 0


def test_tail_error_rejects_bad_input():
    with pytest.raises(ValueError, match="all zero"):
        tail_errors([0.0, 0.0])
    with pytest.raises(ValueError, match="finite"):
        tail_errors([1.0, np.nan])


# -- quick runs, resuming ---------------------------------------------------------------------

def _ctx(out, logs=None, **kw):
    kw.setdefault("quick", True)
    return Context(out=out, progress=False, log=(logs.append if logs is not None else
                                                 (lambda m: None)), **kw)


def _quick_ok(out, exp_id, files):
    s = json.loads((out / "summary.json").read_text())
    assert s["experiment"] == exp_id and s["mode"] == "quick"
    assert s["reproduced"] == {} and "not assessed" in s["note"]
    assert s["paper_statement"] == get_experiment(exp_id).statement
    for name in files + s["files"]:
        assert (out / name).stat().st_size > 0, name
    return s


def test_gk_quick_outputs(tmp_path):
    s = get_experiment("realdata-gk").run(_ctx(tmp_path, steps=40))
    _quick_ok(tmp_path, "realdata-gk", ["realdata-gk.png", "realdata-gk.svg",
                                        "realdata-gk_runs.csv", "realdata-gk_loss_curves.csv",
                                        "realdata-gk_singular_values.csv",
                                        "realdata-gk_logit_means.csv"])
    assert s["dnc_bound"]["value"] == pytest.approx(ufm_dnc_bound(1740, 174))
    assert len(s["claims"]) == 4
    for r in s["per_run"]["ufm-style"]:
        # the UFM-style loss is exactly head loss + feature penalty (unregularised backbone)
        assert r["final_loss"] == pytest.approx(r["head_loss"] + r["feature_penalty"],
                                                rel=1e-10)
        assert len(r["ranks"]) == 4


def test_sk_quick_outputs(tmp_path):
    s = get_experiment("realdata-sk").run(_ctx(tmp_path, steps=40))
    _quick_ok(tmp_path, "realdata-sk", ["realdata-sk.png", "realdata-sk.svg",
                                        "realdata-sk_runs.csv", "realdata-sk_nc1_curves.csv",
                                        "realdata-sk_gram_M3.csv",
                                        "realdata-sk_singular_values.csv"])
    G = np.loadtxt(tmp_path / "realdata-sk_gram_M3.csv", delimiter=",", skiprows=1)
    assert G.shape == (10, 10) and np.all(G >= 0)     # Gram of ReLU outputs (non-negative)
    np.testing.assert_allclose(G, G.T)
    rows = (tmp_path / "realdata-sk_nc1_curves.csv").read_text().strip().splitlines()
    assert rows[0].endswith("nc1_H1,nc1_H2,nc1_H3,nc1_H4")
    assert "0.05" in s["reference_losses"]


def test_zg_quick_outputs_and_resume(tmp_path, monkeypatch, crash_on_task):
    calls = crash_on_task(2)
    with pytest.raises(RuntimeError, match="worker crashed"):
        get_experiment("realdata-zg").run(_ctx(tmp_path, steps=30))
    kept = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "tasks").glob("*.json")}
    assert sorted(kept) == [f"{calls[0]}.json"]
    monkeypatch.undo()  # the real execute_task again (crash_on_task patched it)
    logs: list[str] = []
    s = get_experiment("realdata-zg").run(_ctx(tmp_path, logs, steps=30))
    assert [m for m in logs if "running" in m] == ["1 of 3 tasks already done; running 2 with "
                                                   "1 job(s)"]
    after = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "tasks").glob("*.json")}
    assert len(after) == 3 and all(after[k] == v for k, v in kept.items())
    _quick_ok(tmp_path, "realdata-zg", ["realdata-zg.png", "realdata-zg_rank.png",
                                        "realdata-zg_tail_errors.csv", "realdata-zg_tcv.csv",
                                        "realdata-zg_soft_rank.csv"])
    assert len(s["claims"]) == 7
    logs.clear()
    get_experiment("realdata-zg").run(_ctx(tmp_path, logs, steps=30))
    assert not [m for m in logs if "running" in m]                 # nothing trained again


@pytest.mark.parametrize("exp_id", ["realdata-gk", "realdata-sk", "realdata-zg"])
def test_full_mode_code_path_decides_every_claim(tmp_path, exp_id):
    """Full mode (grids, claims, headline) on one seed and a few steps: every claim gets a
    verdict and a headline line (the verdicts themselves mean nothing at 10 steps)."""
    s = get_experiment(exp_id).run(_ctx(tmp_path, quick=False, runs=1, steps=10))
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["mode"] == "full"
    assert set(summary["reproduced"]) == set(s["claims"])
    assert all(isinstance(v, bool) for v in summary["reproduced"].values())
    assert len(summary["headline"]) >= len(s["claims"])
