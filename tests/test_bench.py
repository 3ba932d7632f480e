"""The engine benchmark (ncverify.engine.bench): its PyTorch reference reproduces the engine's
float64 trajectory, and the report functions produce the expected keys.  No timing assertions."""

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("threadpoolctl")

from ncverify.engine import DUFMBatch, DUFMConfig  # noqa: E402
from ncverify.engine.bench import (  # noqa: E402
    TorchReference,
    format_report,
    run_benchmarks,
    verify_trajectory,
)

SMALL = [
    DUFMConfig(K=3, n=(2, 3, 4), d=5, L=3, activation="relu", loss="mse", lam=0.01, lr=0.5),
    DUFMConfig(K=4, n=3, d=6, L=2, activation="identity", loss="ce", lam=2.0**-6, lam_H1=0.02,
               lr=0.5),
]


@pytest.mark.parametrize("cfg", SMALL, ids=["relu-mse", "linear-ce"])
def test_torch_reference_reproduces_float64_trajectory(cfg):
    batch = DUFMBatch(cfg, runs=1)
    P = batch.init_params([3])
    ref = TorchReference(cfg, P)
    for p, q in zip(P, ref.numpy_params(), strict=True):  # same initialisation
        np.testing.assert_array_equal(p[0], q)
    worst = 0.0
    for _ in range(40):
        batch.step(P)
        ref.run(1)
        worst = max(worst, max(float(np.max(np.abs(p[0] - q)))
                               for p, q in zip(P, ref.numpy_params(), strict=True)))
    assert worst <= 1e-8
    assert ref.loss() == pytest.approx(float(batch.loss(P)[0][0]), rel=1e-10)
    v = verify_trajectory(cfg, steps=60, checkpoints=6)
    assert v["ok"] and v["max_abs_dev"] <= 1e-8 and v["checkpoints"] == 6


def test_report_keys_on_a_tiny_quick_run():
    res = run_benchmarks(quick=True, configs=["gk-fig1"], steps=4, repeats=1)
    assert {"machine", "quick", "repeats", "configs", "targets", "verified",
            "seconds"} <= set(res)
    assert {"date", "nproc", "cpu", "numpy", "numpy_blas", "torch"} <= set(res["machine"])
    c = res["configs"]["gk-fig1"]
    assert {"timings", "floor", "verify", "processes", "recording", "breakdown",
            "targets"} <= set(c)
    assert set(c["timings"]) == {"float64/1t", "float64/2t", "float32/1t", "float32/2t"}
    for t in c["timings"].values():
        assert {"engine", "torch", "sweep", "single_ratio", "sweep_ratio"} <= set(t)
        assert t["engine"]["best"] > 0 and t["torch"]["best"] > 0
    assert set(c["floor"]) == {"float64/R=1", "float64/R=10", "float32/R=1", "float32/R=10"}
    fl = c["floor"]["float64/R=1"]
    assert len(fl["products"]) == 3 * 2 and {"floor", "engine_step", "fraction"} <= set(fl)
    assert {"scaling", "best", "one_process_best"} <= set(c["processes"])
    assert {"record_every", "overhead"} <= set(c["recording"])
    assert set(c["breakdown"]) == {"R=1", "R=10"}
    assert c["verify"]["float64"]["ok"] and res["verified"]
    whats = [t["what"] for t in res["targets"]]
    assert len(whats) == 5 and all(isinstance(t["met"], bool) for t in res["targets"])
    text = format_report(res)
    for heading in ("# Engine benchmark", "## Machine", "## Targets", "## gk-fig1",
                    "## Trajectory agreement"):
        assert heading in text
    assert res["machine"]["cpu"] in text
