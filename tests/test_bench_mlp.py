"""The MLP engine benchmark (ncverify.engine.bench_mlp) and the optimised ``MLPBatch.step`` it
measures: the step's workspace path agrees with the generic ``gradient()`` path, its matrix
products are exactly the ones the shape floor times, and (with torch) the PyTorch reference
reproduces the engine's float64 trajectory.  No timing assertions."""

import importlib.util

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ncverify.engine import bench_mlp
from ncverify.engine import mlp as _mlp
from ncverify.engine.bench_mlp import (
    BATCH,
    DIMS,
    digits,
    mlp_config,
    products,
    shape_floor,
)
from ncverify.engine.mlp import MLPBatch, MLPConfig, _BatchSampler


def _has_torch() -> bool:
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


HAS_TORCH = _has_torch()
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed (optional)")


pytestmark = pytest.mark.usefixtures("one_blas_thread")


def generic_step(batch, W, idx):
    """``MLPBatch.step`` as it was before its workspace: through ``gradient()``."""
    G, _ = batch.gradient(W, idx, weight_decay=False)
    for g, w, m in zip(G, W, batch._decay, strict=True):
        if m:
            w *= 1.0 - batch.lr * (m * batch.lam)
        w -= batch.lr * g


def problem(dims, acts, loss, R, seed, feature=False, layer_decay=None, dtype="float64",
            per_run=False, N=9):
    rng = np.random.default_rng(seed)
    dims = list(dims)
    if loss == "ce":
        dims[-1] = max(dims[-1], 2)
    L = len(dims) - 1
    N = max(N, dims[-1])
    X = rng.standard_normal((dims[0], N))
    if loss == "ce":
        targets = np.concatenate([np.arange(dims[-1]), rng.integers(0, dims[-1], N - dims[-1])])
    else:
        targets = rng.standard_normal((dims[-1], N))
    kw = {}
    if L >= 2:
        kw["activations"] = tuple(acts[i % len(acts)] for i in range(L - 1))
        if feature:
            kw.update(feature_decay=0.3, feature_layer=int(rng.integers(2, L + 1)))
    if layer_decay:
        kw["layer_decay"] = tuple(float(m) for m in rng.choice([0.0, 0.5, 1.0], size=L))
    cfg = MLPConfig(dims=tuple(dims), loss=loss, lam=0.05, lr=0.2, dtype=dtype, **kw)
    cfgs = [cfg.replace(lam=0.05 * (r + 1), lr=0.2 / (r + 1)) for r in range(R)] if per_run \
        else cfg
    return MLPBatch(cfgs, X, targets, runs=None if per_run else R)


@given(dims=st.lists(st.integers(1, 6), min_size=2, max_size=5),
       acts=st.lists(st.sampled_from(["identity", "tanh", "relu"]), min_size=1, max_size=3),
       loss=st.sampled_from(["mse", "ce"]), R=st.sampled_from([1, 3]),
       b=st.sampled_from([None, 1, 4]), feature=st.booleans(), layer_decay=st.booleans(),
       per_run=st.booleans(), seed=st.integers(0, 10_000))
def test_step_equals_generic_gradient_path(dims, acts, loss, R, b, feature, layer_decay,
                                           per_run, seed):
    batch = problem(dims, acts, loss, R, seed, feature, layer_decay, per_run=per_run and R > 1)
    W1 = batch.init_params(seed)
    W2 = [w.copy() for w in W1]
    s1 = s2 = None
    if b is not None:
        s1, s2 = (_BatchSampler(list(range(R)), batch.N, b) for _ in range(2))
    for k in range(6):
        # alternate full batch and mini-batches: the per-size workspaces must not interfere
        i1 = None if s1 is None or k % 3 == 2 else s1.next()
        i2 = None if s2 is None or k % 3 == 2 else s2.next()
        with np.errstate(over="ignore", invalid="ignore"):
            batch.step(W1, i1)
            generic_step(batch, W2, i2)
    # a diverged example (inf/NaN) would compare equal vacuously: only finite runs count
    assume(all(np.all(np.isfinite(w)) for w in W2))
    for a, c in zip(W1, W2, strict=True):
        np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-13, equal_nan=False)
    if loss == "mse" and not any(a == "relu" for a in acts):
        # same operations in the same order: bit-identical
        for a, c in zip(W1, W2, strict=True):
            np.testing.assert_array_equal(a, c)


def test_step_float32_and_frozen_runs():
    batch = problem((5, 4, 4, 3), ["tanh", "relu"], "ce", 3, 1, dtype="float32")
    W1 = batch.init_params(0)
    W2 = [w.copy() for w in W1]
    assert all(w.dtype == np.float32 for w in W1)
    _mlp._freeze(batch, W1, np.array([False, True, False]))
    _mlp._freeze(batch, W2, np.array([False, True, False]))
    for _ in range(5):
        batch.step(W1)
        generic_step(batch, W2, None)
    for a, c in zip(W1, W2, strict=True):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-6)
        assert np.all(a[1] == 0.0)  # the frozen run stays at zero


def test_step_rejects_bad_idx():
    batch = problem((3, 4, 2), ["tanh"], "mse", 2, 0)
    W = batch.init_params(0)
    with pytest.raises(ValueError, match="idx"):
        batch.step(W, np.zeros((3, 2), dtype=int))


def test_mutation_wrong_tanh_derivative_is_detected(monkeypatch):
    """The comparison above can fail: σ' = 1 + H² instead of 1 - H² in the step is caught."""

    class WrongSubtract:
        def __getattr__(self, name):
            return getattr(np, name)

        @staticmethod
        def subtract(a, b, out=None):
            if np.isscalar(a) and a == 1.0:  # the workspace path's 1 - H²
                return np.add(a, b, out=out)
            return np.subtract(a, b, out=out)

    monkeypatch.setattr(_mlp, "np", WrongSubtract())
    batch = problem((4, 5, 5, 3), ["tanh"], "mse", 1, 3)
    W1 = batch.init_params(0)
    W2 = [w.copy() for w in W1]
    batch.step(W1)
    generic_step(batch, W2, None)
    assert max(float(np.max(np.abs(a - c))) for a, c in zip(W1, W2, strict=True)) > 1e-6


# --------------------------------------------------------------------------- shape floor


class _Recorder:
    """Stand-in for the engine module's ``np`` that records every ``np.matmul``."""

    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        obj = getattr(np, name)
        if name != "matmul":
            return obj

        def matmul(a, b, **kw):
            self.calls.append(((a.shape, not a.flags.c_contiguous),
                               (b.shape, not b.flags.c_contiguous)))
            return obj(a, b, **kw)

        return matmul


def _effective(spec):
    shape, tr = spec
    return ((*shape[:-2], shape[-1], shape[-2]) if tr else tuple(shape)), tr


@pytest.mark.parametrize("R", [1, 3])
@pytest.mark.parametrize("b", [None, 6])
def test_products_are_the_steps_matmuls(monkeypatch, R, b):
    cfg = MLPConfig(dims=(7, 5, 6, 4, 3), activation="relu", loss="ce")
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((7, 20)), np.arange(20) % 3
    batch = MLPBatch(cfg, X, y, runs=R)
    W = batch.init_params(0)
    idx = None if b is None else _BatchSampler(list(range(R)), 20, b).next()
    rec = _Recorder()
    monkeypatch.setattr(_mlp, "np", rec)
    batch.step(W, idx)
    monkeypatch.undo()
    expected = [(_effective(p["a"]), _effective(p["b"]))
                for p in products(cfg, b or 20, R, minibatch=b is not None)]
    assert len(expected) == 3 * cfg.L - 1
    assert rec.calls == expected


def test_shape_floor_sums_its_products():
    cfg = mlp_config("tanh", "mse")
    fl = shape_floor(cfg, 16, R=2, minibatch=True, min_time=1e-4, repeats=1)
    assert len(fl["products"]) == 3 * cfg.L - 1
    assert fl["floor"] == pytest.approx(sum(p["seconds"] for p in fl["products"]))
    assert all(p["seconds"] > 0 for p in fl["products"])
    assert "(16×64)ᵀ" in fl["products"][0]["shape"]


def test_digits_problem():
    X, y = digits()
    assert X.shape == (DIMS[0], 1797) and X.flags.c_contiguous
    assert 0.0 <= X.min() and X.max() <= 1.0
    assert sorted(set(y.tolist())) == list(range(DIMS[-1]))
    cfg = mlp_config("relu", "ce")
    assert cfg.dims == DIMS and cfg.dtype == "float64"
    assert 1 < BATCH < X.shape[1]


def test_cli_bench_mlp_without_torch(monkeypatch, capsys):
    import sys

    from ncverify import cli

    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    with pytest.raises(SystemExit) as exc:
        cli.main(["bench", "--mlp", "--quick"])
    assert exc.value.code == 2
    assert "PyTorch" in capsys.readouterr().err


# --------------------------------------------------------------------------- with torch


@needs_torch
@pytest.mark.parametrize("case", [("tanh", "ce", "gd"), ("relu", "mse", "sgd")],
                         ids=["tanh-ce-gd", "relu-mse-sgd"])
def test_torch_reference_reproduces_the_trajectory(case):
    act, loss, mode = case
    cfg = mlp_config(act, loss)
    X, y = digits()
    b = BATCH if mode == "sgd" else None
    batch = MLPBatch(cfg, X, y, runs=1)
    W = batch.init_params([5])
    ref = bench_mlp.TorchMLP(cfg, X, y, W, batch_size=b, seed=5)
    for p, q in zip(W, ref.numpy_params(), strict=True):  # same initialisation
        np.testing.assert_array_equal(p[0], q)
    sampler = None if b is None else _BatchSampler([5], batch.N, b)
    for _ in range(8):
        batch.step(W, None if sampler is None else sampler.next())
        ref.run(1)
    worst = max(float(np.max(np.abs(p[0] - q))) for p, q in zip(W, ref.numpy_params(),
                                                                   strict=True))
    assert worst <= 1e-12
    assert ref.loss() == pytest.approx(float(batch.loss(W)[0][0]), rel=1e-12)
    v = bench_mlp.verify_trajectory(case, steps=6, checkpoints=3)
    assert v["ok"] and v["checkpoints"] == 3 and v["max_rel_loss_dev"] <= 1e-12


@needs_torch
def test_report_keys_on_a_tiny_run(monkeypatch, capsys):
    res = bench_mlp.run_benchmarks(quick=True, cases=[("tanh", "ce", "sgd")], steps=4,
                                   repeats=1)
    assert {"machine", "quick", "repeats", "cases", "targets", "verified", "seconds"} <= set(res)
    c = res["cases"]["tanh-ce-sgd"]
    assert {"timings", "floor", "verify", "breakdown", "target", "floor_ratio",
            "fresh_process"} <= set(c)
    assert c["fresh_process"]["speedup"] > 0
    t = c["timings"]
    for k in ("engine", "torch", "generic", "sweep"):
        assert t[k]["median"] > 0 and t[k]["best"] >= t[k]["median"]
    assert {"single_ratio", "sweep_ratio", "speedup_vs_generic"} <= set(t)
    assert set(c["floor"]) == {"R=1", f"R={bench_mlp.SWEEP_RUNS}"}
    assert c["verify"]["ok"] and res["verified"]
    assert isinstance(c["target"]["met"], bool)
    text = bench_mlp.format_report(res)
    for heading in ("## MLP engine benchmark", "### Machine", "### Target",
                    "### Trajectory agreement", "### Shape floor", "tanh-ce-sgd",
                    "in a fresh process"):
        assert heading in text
    # the CLI prints the same report (run_benchmarks replaced by the tiny result)
    from ncverify import cli

    monkeypatch.setattr(bench_mlp, "run_benchmarks", lambda quick, log: res)
    with pytest.raises(SystemExit) as exc:
        cli.main(["bench", "--mlp"])
    assert exc.value.code == 0
    assert "## MLP engine benchmark" in capsys.readouterr().out
