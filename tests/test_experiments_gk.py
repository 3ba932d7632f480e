"""The `gk` sweep and ReLU experiments (gk-fig2, gk-fig5, gk-fig6): outputs, the shared and
resumable task cache, dask against local execution, argument errors, and the statistics that
decide the qualitative claims."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from ncverify.cli import main as cli_main
from ncverify.engine.analysis import dnc_reference_loss
from ncverify.engine.config import DUFMConfig
from ncverify.experiments import Context, get_experiment
from ncverify.experiments.gk_fig6 import feature_singular_values, theorem7_construction_loss
from ncverify.experiments.gk_sweeps import (
    QUICK_D,
    QUICK_LAM_EXP,
    _binomial,
    _rank_stats,
    sweep_steps,
    sweep_tasks,
    trend_claim,
)

N_QUICK_POINTS = len(QUICK_D) + len(QUICK_LAM_EXP) - 1  # the reference point is shared


def _ctx(out, logs=None, **kw):
    kw.setdefault("quick", True)
    kw.setdefault("runs", 2)
    kw.setdefault("steps", 150)
    return Context(out=out, progress=False, log=(logs.append if logs is not None else
                                                 (lambda m: None)), **kw)


def _task_files(out):
    return {p.name: p.stat().st_mtime_ns for p in (out / "tasks").glob("*.json")}


def _running(logs):
    return [m for m in logs if "running" in m]


# -- outputs, shared cache, resuming ---------------------------------------------------------

def test_fig2_then_fig5_share_tasks_and_write_outputs(tmp_path):
    logs: list[str] = []
    s2 = get_experiment("gk-fig2").run(_ctx(tmp_path, logs))
    assert len(_running(logs)) == 1
    before = _task_files(tmp_path)
    assert len(before) == N_QUICK_POINTS
    for name in ("summary.json", "gk-fig2-summary.json", "gk-fig2.png", "gk-fig2.svg",
                 "gk-fig2_runs.csv", "gk-fig2_points.csv", "sweep_loss_curves.csv"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert json.loads((tmp_path / "summary.json").read_text())["experiment"] == "gk-fig2"
    # quick mode never claims a reproduction
    assert s2["reproduced"] == {} and "not assessed" in s2["note"]
    assert "ours" in s2["grid"]["note"]
    for pt in s2["p_dnc_vs_width"] + s2["p_dnc_vs_lambda"]:
        assert pt["n"] == 2 and sum(pt["counts"].values()) == 2
        assert pt["p_dnc"] == pt["dnc"] / pt["n"]
    rows = (tmp_path / "gk-fig2_runs.csv").read_text().strip().splitlines()
    assert len(rows) == 1 + 2 * N_QUICK_POINTS

    logs.clear()
    s5 = get_experiment("gk-fig5").run(_ctx(tmp_path, logs))
    assert _running(logs) == []  # every task came from the gk-fig2 cache
    assert _task_files(tmp_path) == before
    for name in ("gk-fig5-summary.json", "gk-fig5.png", "gk-fig5.svg", "gk-fig5_points.csv"):
        assert (tmp_path / name).exists(), name
    assert json.loads((tmp_path / "summary.json").read_text())["experiment"] == "gk-fig5"
    assert json.loads((tmp_path / "gk-fig2-summary.json").read_text())["experiment"] == "gk-fig2"
    # the ranks of gk-fig5 are the classification ranks of the same runs
    runs2 = (tmp_path / "gk-fig2_runs.csv").read_text()
    assert runs2 == (tmp_path / "gk-fig5_runs.csv").read_text()
    for pt in s5["rank_vs_width"]:
        assert 0 <= pt["mean_rank"] <= 9 and pt["n"] == 2


def test_interrupted_sweep_keeps_finished_tasks_and_resumes(tmp_path, monkeypatch, crash_on_task):
    calls = crash_on_task(2)
    with pytest.raises(RuntimeError, match="worker crashed"):
        get_experiment("gk-fig2").run(_ctx(tmp_path, steps=100))
    kept = _task_files(tmp_path)
    assert list(kept) == [f"{calls[0]}.json"]

    monkeypatch.undo()  # the real execute_task again (crash_on_task patched it)
    logs: list[str] = []
    get_experiment("gk-fig2").run(_ctx(tmp_path, logs, steps=100))
    assert _running(logs) == [f"1 of {N_QUICK_POINTS} tasks already done; running "
                              f"{N_QUICK_POINTS - 1} with 1 job(s)"]
    after = _task_files(tmp_path)
    assert len(after) == N_QUICK_POINTS
    assert after[f"{calls[0]}.json"] == kept[f"{calls[0]}.json"]


def test_cli_quick_fig6_and_rerun_trains_nothing(tmp_path):
    out = tmp_path / "f6"
    argv = ["reproduce", "gk-fig6", "--quick", "--steps", "300", "--out", str(out)]
    with pytest.raises(SystemExit) as exc:
        cli_main(argv)
    assert exc.value.code == 0
    arms = ("default-init", "small-init")
    for name in ("summary.json", "gk-fig6.png", "gk-fig6.svg", "gk-fig6_runs.csv",
                 "gk-fig6_loss_curves.csv", *[f"gk-fig6_singular_values_{a}.csv" for a in arms],
                 *[f"gk-fig6_class_mean_singular_values_{a}.csv" for a in arms]):
        assert (out / name).stat().st_size > 0, name
    s = json.loads((out / "summary.json").read_text())
    cfg = DUFMConfig.preset("gk-fig6")
    assert s["mode"] == "quick" and s["reproduced"] == {} and "not assessed" in s["note"]
    assert s["dnc_lower_bound"] == dnc_reference_loss(cfg)
    assert len(s["per_run"]) == 2 * 2
    for r in s["per_run"]:
        assert r["beats_bound"] == (r["loss"] < s["dnc_lower_bound"])
    for arm in arms:
        replay = s["best_run"][arm]["replay"]
        assert replay["matches_task_loss"]  # the replayed seed is the task's run
        mine = [r["loss"] for r in s["per_run"] if r["arm"] == arm]
        assert replay["final_loss"] == pytest.approx(min(mine), rel=1e-9)
        assert len(replay["singular_values"]["H_1"]) == min(cfg.d, cfg.N)
    # the two arms differ only in the initialisation
    init = s["initialisations"]
    assert "N(0, 1)" in init["default-init"] and "N(0, 0.1²)" in init["small-init"]
    stamps = _task_files(out) | {p.name: p.stat().st_mtime_ns for p in (out / "replay").iterdir()}
    assert len(stamps) == 4  # two tasks, two replays
    with pytest.raises(SystemExit):
        cli_main(argv)
    assert (_task_files(out) | {p.name: p.stat().st_mtime_ns
                                for p in (out / "replay").iterdir()}) == stamps


def test_dask_sweep_matches_local(tmp_path):
    distributed = pytest.importorskip("distributed")
    local = get_experiment("gk-fig2").run(_ctx(tmp_path / "local", steps=120))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = get_experiment("gk-fig2").run(_ctx(tmp_path / "dask", steps=120, dask=client))
    assert _task_files(tmp_path / "local").keys() == _task_files(tmp_path / "dask").keys()
    for name in _task_files(tmp_path / "local"):
        a = json.loads((tmp_path / "local" / "tasks" / name).read_text())
        b = json.loads((tmp_path / "dask" / "tasks" / name).read_text())
        for ra, rb in zip(a["runs"], b["runs"], strict=True):
            assert ra["seed"] == rb["seed"]
            np.testing.assert_allclose(ra["loss_history"], rb["loss_history"], rtol=1e-12)
            assert ra["analysis"]["classification"] == rb["analysis"]["classification"]
    assert local["p_dnc_vs_width"] == remote["p_dnc_vs_width"]
    assert local["p_dnc_vs_lambda"] == remote["p_dnc_vs_lambda"]


# -- errors ----------------------------------------------------------------------------------

def test_unknown_id_and_bad_runs(tmp_path):
    with pytest.raises(ValueError, match="unknown experiment id 'gk-fig3'"):
        get_experiment("gk-fig3")
    for bad in (0, -2, 2.5, True):
        with pytest.raises(ValueError, match="runs"):
            Context(out=tmp_path, runs=bad)
    with pytest.raises(SystemExit) as exc:
        cli_main(["reproduce", "gk-fig5", "--runs", "0", "--out", str(tmp_path / "x")])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        cli_main(["reproduce", "gk-fig22", "--quick", "--out", str(tmp_path / "y")])
    assert exc.value.code == 2


# -- the sweep's settings and the statistics deciding the claims -----------------------------

def test_steps_scale_with_inverse_lambda():
    assert sweep_steps(65_536, 10) == 65_536
    assert sweep_steps(65_536, 11) == 131_072 and sweep_steps(65_536, 13) == 524_288
    assert sweep_steps(65_536, 9) == 32_768
    assert sweep_steps(65_536, 6) == sweep_steps(65_536, 8) == 16_384  # floor 1/4
    ctx = Context(out=".", runs=7, quick=False, progress=False)
    pairs = sweep_tasks(ctx)
    points = {(p.d, p.lam_exp) for p, _ in pairs}
    assert len(points) == 8 + 8 - 1
    for p, t in pairs:
        assert t.steps == sweep_steps(65_536, p.lam_exp)
        assert t.config.d == p.d and t.config.lam == 2.0 ** -p.lam_exp
        assert (t.config.K, t.config.n, t.config.L, t.config.lr) == (10, 5, 2, 0.5)
    seeds = sorted(s for p, t in pairs if (p.d, p.lam_exp) == (70, 10) for s in t.seeds)
    assert seeds == list(range(7))  # 7 seeds split 5 + 2, none lost or repeated


def test_trend_claim_rule():
    up = trend_claim([10, 20, 40], [0.0, 0.3, 0.8], [0.0, 0.145, 0.126])
    assert up["holds"] and up["spearman_rho_points"] == pytest.approx(1.0)
    assert up["difference"] == pytest.approx(0.8)
    assert up["se_difference"] == pytest.approx(0.126)
    # increasing ranks, but the first-vs-last difference is within two standard errors
    weak = trend_claim([1, 2, 3], [0.2, 0.3, 0.4], [0.13, 0.14, 0.155])
    assert weak["spearman_rho_points"] > 0 and not weak["holds"]
    down = trend_claim([1, 2, 3], [0.9, 0.5, 0.0], [0.1, 0.16, 0.0])
    assert down["spearman_rho_points"] < 0 and not down["holds"]
    flat = trend_claim([1, 2, 3], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0])
    assert flat["spearman_rho_points"] is None and not flat["holds"]
    # rho > 0 but last below first (a rise in the middle): not an increase
    bump = trend_claim([1, 2, 3, 4, 5], [0.5, 0.9, 1.0, 1.0, 0.4], [0.0] * 5)
    assert not bump["holds"]


def test_binomial_and_rank_statistics():
    runs = [{"status": "converged", "kind": k, "rank": r}
            for k, r in [("dnc", 9)] * 3 + [("low-rank", 5)] * 6 + [("other", 9)]]
    runs.append({"status": "diverged", "kind": "diverged", "rank": None})
    b = _binomial(runs)
    assert (b["dnc"], b["n"]) == (3, 10)  # the diverged run is not counted
    assert b["p_dnc"] == pytest.approx(0.3)
    assert b["se"] == pytest.approx(math.sqrt(0.3 * 0.7 / 10))
    assert b["counts"] == {"dnc": 3, "low-rank": 6, "other": 1, "diverged": 1}
    s = _rank_stats(runs)
    ranks = [9] * 3 + [5] * 6 + [9]
    assert s["mean_rank"] == pytest.approx(np.mean(ranks))
    assert s["se"] == pytest.approx(np.std(ranks, ddof=1) / math.sqrt(10))
    assert s["histogram"] == {"5": 6, "9": 4}


# -- gk-fig6 pieces ---------------------------------------------------------------------------

def test_feature_singular_values_match_independent_forward_pass():
    from ncverify.models.deep_ufm import dufm_features, dufm_output

    cfg = DUFMConfig.preset("gk-fig6").replace(d=12)
    rng = np.random.default_rng(3)
    params = [rng.standard_normal(s) for s in cfg.shapes]
    sv = feature_singular_values(cfg, params)
    assert list(sv) == ["H_1", "H_2", "relu(H_2)", "H_3", "relu(H_3)", "Z"]
    pre, post = dufm_features(params[0], params[1:], activation="relu")
    expected = {"H_1": pre[0], "H_2": pre[1], "relu(H_2)": post[1], "H_3": pre[2],
                "relu(H_3)": post[2], "Z": dufm_output(params[0], params[1:], "relu")}
    for name, M in expected.items():
        np.testing.assert_allclose(sv[name], np.linalg.svd(M, compute_uv=False), rtol=1e-10,
                                   err_msg=name)
    assert not np.allclose(sv["H_2"], sv["relu(H_2)"])  # the ReLU is applied


def test_theorem7_construction_loss_is_the_engine_loss_of_the_construction():
    from ncverify.engine.dufm import DUFMBatch
    from ncverify.models.relu_constructions import relu_lowrank_parameters, relu_psi_for_scale

    cfg = DUFMConfig.preset("gk-fig6")
    c = theorem7_construction_loss(cfg)
    psi = relu_psi_for_scale(cfg.K, cfg.L, cfg.n, c["gamma"])
    H1, Ws = relu_lowrank_parameters(cfg.K, cfg.L, cfg.n, psi, d=cfg.d)
    total, _ = DUFMBatch(cfg, runs=1).loss([np.asarray(p, float)[None] for p in [H1, *Ws]])
    assert total[0] == pytest.approx(c["loss"], rel=1e-9)
    # a minimum along γ: nearby scales are worse
    from ncverify.models.relu_constructions import relu_lowrank_loss

    for g in (0.98 * c["gamma"], 1.02 * c["gamma"]):
        assert relu_lowrank_loss(g, cfg.K, cfg.L, cfg.n, cfg.lam) > c["loss"]
