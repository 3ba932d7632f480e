"""The `sk` experiments (sk-fig1, sk-fig3, sk-fig4, sk-fig5): quick runs write every output,
interrupted sweeps resume, replays match their tasks, and the closed-form reference losses use
the engine's conventions."""

from __future__ import annotations

import json

import mpmath
import numpy as np
import pytest

from ncverify.cli import main as cli_main
from ncverify.engine.analysis import dnc_reference_loss
from ncverify.engine.config import DUFMConfig
from ncverify.engine.dufm import DUFMBatch
from ncverify.experiments import Context, get_experiment
from ncverify.experiments.sk_fig1 import closed_form_losses
from ncverify.experiments.sk_fig3 import middle_steps, ratio_curves
from ncverify.models.srg import (
    dnc_network,
    dnc_scale_loss,
    minimise_scale_loss,
    srg_network,
    srg_scale_loss,
)


@pytest.fixture(autouse=True)
def _one_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


def _ctx(out, logs=None, **kw):
    kw.setdefault("quick", True)
    kw.setdefault("runs", 2)
    kw.setdefault("steps", 200)
    return Context(out=out, progress=False, log=(logs.append if logs is not None else
                                                 (lambda m: None)), **kw)


def _stamps(out):
    return {p.name: p.stat().st_mtime_ns for p in (out / "tasks").glob("*.json")}


def _quick_summary_ok(out, exp_id, files):
    s = json.loads((out / "summary.json").read_text())
    assert s["experiment"] == exp_id and s["mode"] == "quick"
    assert s["reproduced"] == {} and "not assessed" in s["note"]
    assert s["paper_statement"] == get_experiment(exp_id).statement
    for name in files:
        assert (out / name).stat().st_size > 0, name
    for name in s["files"]:
        assert (out / name).exists(), name
    return s


# -- quick runs: every output ----------------------------------------------------------------

def test_fig1_quick_outputs_and_references(tmp_path):
    s_ = get_experiment("sk-fig1").run(_ctx(tmp_path, steps=300))
    s = _quick_summary_ok(tmp_path, "sk-fig1", [
        "sk-fig1.png", "sk-fig1.svg", "sk-fig1_loss_curves.csv", "sk-fig1_nc1_curves.csv",
        "sk-fig1_runs.csv", "sk-fig1_singular_values.csv"])
    assert s_["claims"].keys() == s["claims"].keys()
    cfg = DUFMConfig.preset("sk-fig1")
    assert s["reference_losses"]["L_DNC"] == pytest.approx(dnc_reference_loss(cfg))
    assert s["reference_losses"]["r"] == 5
    assert s["reference_losses"]["L_SRG"] < s["reference_losses"]["L_DNC"]
    # NC1 recorded for every layer at every record step
    rows = (tmp_path / "sk-fig1_nc1_curves.csv").read_text().strip().splitlines()
    assert rows[0].split(",")[2:] == [f"nc1_layer{l}" for l in range(1, 5)]
    assert len(rows) == 1 + 2 * (300 // 3 + 1)
    for r in s["per_run"]:
        assert len(r["nc1_final_by_layer"]) == 4 and len(r["ranks_pre"]) == 4


def test_fig3_quick_outputs(tmp_path):
    s = get_experiment("sk-fig3").run(_ctx(tmp_path, steps=150))
    _quick_summary_ok(tmp_path, "sk-fig3", ["sk-fig3.png", "sk-fig3.svg",
                                            "sk-fig3_left_ratio.csv", "sk-fig3_runs.csv",
                                            "sk-fig3_points.csv"])
    assert "ours" in s["grid_note"]
    assert [p["lam_log2"] for p in s["middle"]["points"]] == [-7, -9]
    assert [p["d"] for p in s["right"]["points"]] == [10, 30]
    for p in s["middle"]["points"] + s["right"]["points"]:
        assert p["n"] == 2 and sum(p["counts"].values()) == 2
    runs = (tmp_path / "sk-fig3_runs.csv").read_text().strip().splitlines()
    assert len(runs) == 1 + 2 * 4


def test_fig4_and_fig5_quick_outputs_and_replays(tmp_path):
    s4 = get_experiment("sk-fig4").run(_ctx(tmp_path / "f4", steps=200))
    _quick_summary_ok(tmp_path / "f4", "sk-fig4", [
        "sk-fig4.png", "sk-fig4.svg", "sk-fig4_runs.csv",
        *[f"sk-fig4_K{K}_{m}.csv" for K in (3, 4, 5)
          for m in ("M3", "Mtilde4", "M3tM3", "loss_curve")]])
    for K, v in s4["per_K"].items():
        assert v["shown"]["replay_matches_task_loss"], K
        M3 = np.loadtxt(tmp_path / "f4" / f"sk-fig4_K{K}_M3.csv", delimiter=",", skiprows=1)
        G = np.loadtxt(tmp_path / "f4" / f"sk-fig4_K{K}_M3tM3.csv", delimiter=",", skiprows=1)
        assert M3.shape == (30, int(K)) and np.all(M3 >= 0)      # after the ReLU
        np.testing.assert_allclose(G, M3.T @ M3, rtol=1e-6, atol=1e-12)
        lc = np.loadtxt(tmp_path / "f4" / f"sk-fig4_K{K}_loss_curve.csv", delimiter=",",
                        skiprows=1)
        np.testing.assert_allclose(lc[:, 1], lc[:, 2] + lc[:, 3], rtol=1e-12)
    s5 = get_experiment("sk-fig5").run(_ctx(tmp_path / "f5", steps=200))
    _quick_summary_ok(tmp_path / "f5", "sk-fig5", [
        "sk-fig5.png", "sk-fig5.svg", "sk-fig5_runs.csv", "sk-fig5_Mtilde2.csv",
        "sk-fig5_Mtilde6.csv", "sk-fig5_M6.csv", "sk-fig5_singular_values.csv"])
    assert s5["shown"]["replay_matches_task_loss"]
    Mt6 = np.loadtxt(tmp_path / "f5" / "sk-fig5_Mtilde6.csv", delimiter=",", skiprows=1)
    M6 = np.loadtxt(tmp_path / "f5" / "sk-fig5_M6.csv", delimiter=",", skiprows=1)
    # M_6 is the class mean of σ(H̃_6): never below max(M̃_6, 0) (ReLU is convex)
    assert np.all(M6 >= np.maximum(Mt6, 0) - 1e-12)


# -- resuming --------------------------------------------------------------------------------

def test_interrupted_run_resumes_and_rerun_trains_nothing(tmp_path, monkeypatch, crash_on_task):
    calls = crash_on_task(3)
    with pytest.raises(RuntimeError, match="worker crashed"):
        get_experiment("sk-fig4").run(_ctx(tmp_path, steps=150))
    kept = _stamps(tmp_path)
    assert sorted(kept) == sorted(f"{k}.json" for k in calls[:2])
    monkeypatch.undo()  # the real execute_task again (crash_on_task patched it)
    logs: list[str] = []
    get_experiment("sk-fig4").run(_ctx(tmp_path, logs, steps=150))
    assert [m for m in logs if "running" in m] == ["2 of 6 tasks already done; running 4 with "
                                                   "1 job(s)"]
    after = _stamps(tmp_path)
    assert len(after) == 6 and all(after[k] == v for k, v in kept.items())
    # a complete re-run (CLI) trains and replays nothing
    replays = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "replay").iterdir()}
    with pytest.raises(SystemExit) as exc:
        cli_main(["reproduce", "sk-fig4", "--quick", "--runs", "2", "--steps", "150",
                  "--out", str(tmp_path)])
    assert exc.value.code == 0
    assert _stamps(tmp_path) == after
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "replay").iterdir()} == replays


def test_changed_hyperparameter_never_reuses_a_result(tmp_path):
    get_experiment("sk-fig1").run(_ctx(tmp_path, steps=100, runs=1))
    first = set(_stamps(tmp_path))
    get_experiment("sk-fig1").run(_ctx(tmp_path, steps=120, runs=1))
    assert len(set(_stamps(tmp_path)) - first) == 1


# -- reference losses and grids --------------------------------------------------------------

def _padded(params, cfg):
    """mpmath network matrices embedded (zero-padded) into the engine's shapes."""
    out = []
    for M, (rows, cols) in zip(params, cfg.shapes, strict=True):
        A = np.array(M.tolist(), dtype=float)
        P = np.zeros((rows, cols))
        P[:A.shape[0], :A.shape[1]] = A
        out.append(P[None])
    return out


@pytest.mark.parametrize("lam_H1,lam", [(None, 0.004), (0.002, 0.006)])
def test_mse_dnc_reference_is_the_engine_loss_of_the_optimal_dnc_network(lam_H1, lam):
    cfg = DUFMConfig.preset("sk-fig1").replace(lam=lam, lam_H1=lam_H1, K=6, n=3, d=8)
    ref = dnc_reference_loss(cfg)
    lams = [mpmath.mpf(x) for x in cfg.lams]
    opt = minimise_scale_loss(dnc_scale_loss(cfg.K, cfg.L, lams, cfg.sizes[0]))
    with mpmath.workdps(30):
        H1, Ws = dnc_network(cfg.K, cfg.L, lams, cfg.sizes[0], opt.x)
    total, _ = DUFMBatch(cfg, runs=1).loss(_padded([H1, *Ws], cfg))
    assert ref == pytest.approx(float(opt.value), rel=1e-12)
    assert total[0] == pytest.approx(ref, rel=1e-10)
    # a different scale is worse: it is the minimum along the DNC family
    with mpmath.workdps(30):
        H1, Ws = dnc_network(cfg.K, cfg.L, lams, cfg.sizes[0], opt.x * 1.05)
    assert DUFMBatch(cfg, runs=1).loss(_padded([H1, *Ws], cfg))[0][0] > ref


def test_srg_reference_is_the_engine_loss_of_the_srg_network():
    cfg = DUFMConfig.preset("sk-fig1")
    refs = closed_form_losses(cfg)
    lams = [mpmath.mpf(x) for x in cfg.lams]
    q = minimise_scale_loss(srg_scale_loss(5, 4, lams, cfg.sizes[0])).x
    with mpmath.workdps(30):
        H1, Ws = srg_network(5, 4, lams, cfg.sizes[0], q)
    total, _ = DUFMBatch(cfg, runs=1).loss(_padded([H1, *Ws], cfg))
    assert total[0] == pytest.approx(refs["srg"], rel=1e-10)


def test_dnc_reference_unchanged_for_ce_and_none_outside_the_sk_setting():
    from ncverify.models.scales import effective_lambda, optimal_dnc_scale

    ce = DUFMConfig.preset("gk-fig1")
    assert dnc_reference_loss(ce) == pytest.approx(float(optimal_dnc_scale(
        ce.K, ce.L, ce.sizes[0], effective_lambda(ce.lams)).value))
    mse = DUFMConfig.preset("sk-fig1")
    assert dnc_reference_loss(mse.replace(activation="identity")) is None
    assert dnc_reference_loss(mse.replace(d=8)) is None            # no orthogonal frame: d < K
    assert dnc_reference_loss(mse.replace(n=tuple([50] * 9 + [40]))) is None
    assert dnc_reference_loss(mse.replace(lam=10.0)) == pytest.approx(0.5)   # zero network


def test_grids_and_ratio_curves():
    from ncverify.papers.sk.thm3 import loss_ratio

    assert [middle_steps(60_000, k) for k in (6, 8, 9, 10, 11)] == [20_000, 20_000, 30_000,
                                                                    60_000, 120_000]
    c = ratio_curves(6)
    assert list(c) == [f"L={L},{t}" for L in (3, 4, 5) for t in ("lam=1e-3", "Klam=0.05")]
    assert c["L=4,lam=1e-3"][1] == pytest.approx(float(loss_ratio(5, 4, mpmath.mpf("1e-3"))))
    assert c["L=3,lam=1e-3"][0] > 1 > c["L=3,lam=1e-3"][1]      # K = 6 vs K = 10 at L = 3
