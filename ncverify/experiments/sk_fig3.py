"""`sk` Figure 3: L_SRG/L_DNC against r (closed forms), the average rank at convergence against
log₂ weight decay (L = 4, K = 15), and the probability of DNC against width (L = 4, K = 10).

* Left: ``loss_ratio(r, L, λ)`` of ``ncverify.papers.sk.thm3`` (both closed forms minimised over
  their scale at 30 digits) for r = 4..20 (K = C(r, 2)), L ∈ {3, 4, 5}, every λ equal and n = 1.
  The paper does not state its λ; ours: λ = 10⁻³ (solid) and, for comparison, Kλ = 0.05 (dashed).
* Middle: K = 15, L = 4, n = 50, d = 30, lr 0.5, λ = 2^-k for k = 6..11 (grid ours); steps
  ``max(20 000, 60 000 · 2^(k-10))`` (gradient descent settles on a time scale ∝ 1/λ).  The rank
  of a run is the engine's classification rank: the numerical rank (relative cutoff 1e-3) of
  the class means M̃_L of the last hidden layer before the ReLU, and 0 when M̃_L is numerically
  zero (largest singular value <= 1e-8: the zero network, loss 1/2, where a relative cutoff
  would count rounding noise; this floor was added after the first full run showed it).
* Right: K = 10, L = 4, n = 50, λ = 0.004, lr 0.5, widths d ∈ {10, 15, 20, 30, 45, 60} (grid
  ours), 60 000 steps; DNC by the engine's rule (rank M̃_L = K and M_L within 0.05 of an
  orthogonal frame, :mod:`ncverify.engine.analysis`).

5 runs per point (seeds 0..4 at every point: common random numbers across a panel), trained in
float32 for speed (the analysis runs in float64).  The paper gives no grid values; the grids,
step counts and the left panel's λ are ours.  Claims and the rules deciding them are in the
summary (full mode only).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ncverify.engine.config import DUFMConfig
from ncverify.experiments.base import (
    Context,
    Task,
    experiment,
    get_experiment,
    run_tasks,
    save_figure,
    write_csv,
    write_summary,
)
from ncverify.experiments.gk_sweeps import trend_claim

__all__ = ["middle_steps", "ratio_curves", "run"]

STATEMENT = (
    "Figure 3: All experiments refer to the training of an L-DUFM model. Results are averaged "
    "over 5 runs, and we show the confidence intervals at 1 standard deviation. Left: Ratio "
    "between SRG and DNC loss (L_SRG/L_DNC), as a function of r, where the number of classes is "
    "K = C(r, 2). Different curves correspond to different values of L ∈ {3,4,5}. Middle: "
    "Average rank at convergence, as a function of the weight decay in log2-scale, when L=4 and "
    "K=15. Right: Empirical probability of finding a DNC solution as a function of the width, "
    "when L=4 and K=10. [App. C.1:] For L=3 [...] SRG outperforms DNC only from K=10 for L=3. "
    "For large number of classes, the difference between the loss of low-rank solutions and the "
    "DNC loss is considerable already for L=3 and becomes even larger for higher L. [...] the "
    "stronger the weight decay, the lower the rank, see the middle plot in Figure 3. For very "
    "small weight decay, DNC is sometimes recovered; for very high weight decay, it is never "
    "recovered. The width has an opposite effect, see the right plot of Figure 3. For small "
    "width, low-rank solutions are much more likely to be found; large width has a strong "
    "implicit bias towards DNC and, thus, rank K solutions. This means that, surprisingly, a "
    "larger width leads to a larger loss")
GRID_NOTE = ("The paper gives no grid values, step counts or the λ of the left panel; the "
             "grids (λ = 2^-6..2^-11, d = 10..60), steps and λ = 1e-3 / Kλ = 0.05 are ours.")
QUICK_NOTE = ("quick mode: few points, runs and steps, runs not converged; qualitative claims "
              "not assessed (smoke test only)")
RUNS = (5, 2)
LAM_EXP = ((6, 7, 8, 9, 10, 11), (7, 9))
WIDTHS = ((10, 15, 20, 30, 45, 60), (10, 30))
R_RANGE = ((4, 20), (4, 8))
WIDTH_STEPS = (60_000, 800)
MIDDLE_STEPS_REF = (60_000, 800)        # at λ = 2^-10
LEFT_LAMBDA = 1e-3
ZERO_ATOL = 1e-8   # class means below this (largest singular value) are the zero network: rank 0


def middle_steps(steps_ref: int, k: int, floor: int | None = None) -> int:
    """Steps at λ = 2^-k: ``max(floor, steps_ref · 2^(k-10))`` (floor = steps_ref/3).

    >>> [middle_steps(60_000, k) for k in (6, 9, 10, 11)]
    [20000, 30000, 60000, 120000]
    """
    floor = steps_ref // 3 if floor is None else floor
    return max(1, floor, round(steps_ref * 2.0 ** (k - 10)))


def ratio_curves(r_max: int, r_min: int = 4) -> dict[str, list[float]]:
    """``{"L=3,lam=1e-3": [...], "L=3,Klam=0.05": [...], ...}``: L_SRG/L_DNC for r in
    [r_min, r_max] (``ncverify.papers.sk.thm3.loss_ratio``, n = 1, all λ equal)."""
    import mpmath

    from ncverify.papers.sk.thm3 import loss_ratio

    out = {}
    for L in (3, 4, 5):
        out[f"L={L},lam=1e-3"] = [float(loss_ratio(r, L, mpmath.mpf(LEFT_LAMBDA)))
                                  for r in range(r_min, r_max + 1)]
        out[f"L={L},Klam=0.05"] = [float(loss_ratio(r, L, mpmath.mpf("0.05") / (r * (r - 1) // 2)))
                                   for r in range(r_min, r_max + 1)]
    return out


def _tasks(ctx: Context) -> list[tuple[str, Any, Task]]:
    runs = ctx.runs or ctx.pick(*RUNS)
    seeds = list(range(runs))
    out = []
    base = DUFMConfig.preset("sk-fig1").replace(dtype="float32")
    ref = ctx.steps or ctx.pick(*MIDDLE_STEPS_REF)
    for k in ctx.pick(*LAM_EXP):
        cfg = base.replace(K=15, lam=2.0 ** -k, name="sk-fig3-middle")
        steps = middle_steps(ref, k) if not ctx.quick else ref
        for i in range(0, runs, 5):
            out.append(("lam", k, Task(cfg, tuple(seeds[i:i + 5]), steps, max(1, steps // 50),
                                       label=f"sk-fig3-lam2^-{k}-s{i}")))
    wsteps = ctx.steps or ctx.pick(*WIDTH_STEPS)
    for d in ctx.pick(*WIDTHS):
        cfg = base.replace(d=d, name="sk-fig3-right")
        chunk = 3 if d >= 45 else 5
        for i in range(0, runs, chunk):
            out.append(("d", d, Task(cfg, tuple(seeds[i:i + chunk]), wsteps,
                                     max(1, wsteps // 50), label=f"sk-fig3-d{d}-s{i}")))
    cost = {"lam": lambda t: 1.5 * 30**2, "d": lambda t: t.config.d ** 2 + 200}
    out.sort(key=lambda x: -x[2].steps * len(x[2].seeds) * cost[x[0]](x[2]))
    return out


def _rows(pairs, results) -> list[dict[str, Any]]:
    rows = []
    for (axis, x, task), res in zip(pairs, results, strict=True):
        rec = res["record_steps"]
        for r in res["runs"]:
            a = r.get("analysis")
            h = np.asarray(r["loss_history"], dtype=float)
            j = int(np.searchsorted(rec, 0.8 * task.steps))
            rel = (float(abs(h[j] - h[-1]) / abs(h[-1]))
                   if a and np.isfinite(h[[j, -1]]).all() else None)
            smax = a["layers"][-1]["pre"]["class_mean_singular_values"][0] if a else None
            rows.append({
                "axis": axis, "x": x, "seed": r["seed"], "steps": task.steps,
                "status": r["status"], "kind": a["classification"]["kind"] if a else "diverged",
                "rank": (0 if smax <= ZERO_ATOL else a["classification"]["rank"]) if a else None,
                "rank_relative_cutoff_only": a["classification"]["rank"] if a else None,
                "fits": a["classification"]["fits"] if a else None,
                "rank_M2": a["layers"][1]["post"]["rank"] if a else None,
                "loss": a["loss"] if a else None,
                "dnc_loss": a.get("dnc_reference_loss") if a else None,
                "orthogonal_frame_error": (a["classification"]["orthogonal_frame_error"]
                                           if a else None),
                "loss_rel_change_last_20pct": rel})
    rows.sort(key=lambda r: (r["axis"], r["x"], r["seed"]))
    return rows


def _point_stats(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in runs if r["status"] != "diverged"]
    n = len(ok)
    ranks = [r["rank"] for r in ok]
    losses = [r["loss"] for r in ok]
    p = sum(r["kind"] == "dnc" for r in ok) / n if n else float("nan")
    return {
        "n": n, "mean_rank": float(np.mean(ranks)) if n else float("nan"),
        "sd_rank": float(np.std(ranks)) if n else float("nan"),
        "se_rank": float(np.std(ranks, ddof=1) / math.sqrt(n)) if n > 1 else 0.0,
        "ranks": ranks, "p_dnc": p,
        "se_p": math.sqrt(p * (1 - p) / n) if n else float("nan"),
        "counts": {k: sum(r["kind"] == k for r in runs)
                   for k in ("dnc", "low-rank", "other", "diverged")},
        "mean_loss": float(np.mean(losses)) if n else float("nan"),
        "se_loss": float(np.std(losses, ddof=1) / math.sqrt(n)) if n > 1 else 0.0,
        "dnc_loss": ok[0]["dnc_loss"] if ok else None}


@experiment("sk-fig3", "sk", "L-DUFM: SRG/DNC loss ratio, rank against weight decay, P(DNC) "
            "against width (Figure 3)", STATEMENT)
def run(ctx: Context) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    r_min, r_max = ctx.pick(*R_RANGE)
    curves = ratio_curves(r_max, r_min)
    rs = list(range(r_min, r_max + 1))
    pairs = _tasks(ctx)
    results = run_tasks([t for _, _, t in pairs], ctx)
    rows = _rows(pairs, results)
    lam_pts = [(k, _point_stats([r for r in rows if r["axis"] == "lam" and r["x"] == k]))
               for k in ctx.pick(*LAM_EXP)]
    d_pts = [(d, _point_stats([r for r in rows if r["axis"] == "d" and r["x"] == d]))
             for d in ctx.pick(*WIDTHS)]

    out = ctx.out
    files = []
    write_csv(out / "sk-fig3_left_ratio.csv", ["r", "K", *curves],
              ([r, r * (r - 1) // 2, *[curves[c][i] for c in curves]] for i, r in enumerate(rs)))
    cols = ["axis", "x", "seed", "steps", "status", "kind", "fits", "rank",
            "rank_relative_cutoff_only", "rank_M2", "loss",
            "dnc_loss", "orthogonal_frame_error", "loss_rel_change_last_20pct"]
    write_csv(out / "sk-fig3_runs.csv", cols, ([r[c] for c in cols] for r in rows))
    write_csv(out / "sk-fig3_points.csv",
              ["panel", "x", "lam", "d", "n", "mean_rank", "sd_rank", "p_dnc", "se_p", "dnc",
               "low_rank", "other", "diverged", "mean_loss", "dnc_loss"],
              ([panel, x, 2.0 ** -x if panel == "middle" else 0.004,
                30 if panel == "middle" else x, s["n"], s["mean_rank"], s["sd_rank"], s["p_dnc"],
                s["se_p"], s["counts"]["dnc"], s["counts"]["low-rank"], s["counts"]["other"],
                s["counts"]["diverged"], s["mean_loss"], s["dnc_loss"]]
               for panel, pts in (("middle", lam_pts), ("right", d_pts)) for x, s in pts))
    files += ["sk-fig3_left_ratio.csv", "sk-fig3_runs.csv", "sk-fig3_points.csv"]

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.3))
    for i, L in enumerate((3, 4, 5)):
        axes[0].plot(rs, curves[f"L={L},lam=1e-3"], marker="o", ms=3, color=f"C{i}",
                     label=f"L = {L}, λ = 1e-3")
        axes[0].plot(rs, curves[f"L={L},Klam=0.05"], ls="--", color=f"C{i}",
                     label=f"L = {L}, Kλ = 0.05")
    axes[0].axhline(1, color="k", lw=0.8)
    axes[0].set_xlabel("r  (K = r(r-1)/2)")
    axes[0].set_ylabel("L_SRG / L_DNC (closed forms, n = 1)")
    axes[0].legend(fontsize=7)
    xs = [-k for k, _ in lam_pts]
    axes[1].errorbar(xs, [s["mean_rank"] for _, s in lam_pts],
                     yerr=[s["sd_rank"] for _, s in lam_pts], marker="o", capsize=3)
    for x, (_, s) in zip(xs, lam_pts, strict=True):
        axes[1].scatter([x] * len(s["ranks"]), s["ranks"], s=10, color="grey", alpha=0.5)
    axes[1].axhline(15, color="k", ls="--", lw=0.8, label="K = 15 (DNC)")
    axes[1].set_xlabel("log2 weight decay")
    axes[1].set_ylabel("rank of M~_L at the end (mean ± 1 sd)")
    axes[1].legend(fontsize=8)
    ds = [d for d, _ in d_pts]
    axes[2].errorbar(ds, [s["p_dnc"] for _, s in d_pts], yerr=[s["se_p"] for _, s in d_pts],
                     marker="o", capsize=3)
    axes[2].set_ylim(-0.05, 1.05)
    axes[2].set_xlabel("width d")
    axes[2].set_ylabel("empirical P(DNC) (± binomial SE)")
    fig.suptitle("sk Figure 3 reproduction (grids ours)" + (" [quick mode]" if ctx.quick else ""))
    files += [p.name for p in save_figure(fig, out, "sk-fig3")]

    claims = _claims(curves, rs, lam_pts, d_pts, rows)
    summary: dict[str, Any] = {
        "left": {"r": rs, "ratios": curves, "lambda": "all λ = 1e-3 (solid) or Kλ = 0.05 "
                                                      "(dashed), n = 1"},
        "middle": {"K": 15, "L": 4, "n": 50, "d": 30, "lr": 0.5,
                   "points": [dict(lam_log2=-k, lam=2.0 ** -k, steps=next(
                       r["steps"] for r in rows if r["axis"] == "lam" and r["x"] == k), **s)
                              for k, s in lam_pts]},
        "right": {"K": 10, "L": 4, "n": 50, "lam": 0.004, "lr": 0.5,
                  "points": [dict(d=d, **s) for d, s in d_pts]},
        "runs_per_point": ctx.runs or ctx.pick(*RUNS), "dtype": "float32 training",
        "grid_note": GRID_NOTE,
        "rank_definition": "numerical rank (rtol 1e-3) of the class means of the last hidden "
                           "layer before the ReLU (engine classification rank)",
        "convergence": {"loss_rel_change_last_20pct_max_by_point": {
            f"{axis}={x}": max((r["loss_rel_change_last_20pct"] or 0.0) for r in rows
                               if r["axis"] == axis and r["x"] == x)
            for axis, x in dict.fromkeys((r["axis"], r["x"]) for r in rows)}},
        "claims": claims, "train_seconds": sum(res["seconds"] for res in results),
        "files": files + ["summary.json"]}
    if ctx.quick:
        summary["reproduced"] = {}
        summary["note"] = QUICK_NOTE
    else:
        summary["reproduced"] = {name: c["holds"] for name, c in claims.items()}
    write_summary(out, get_experiment("sk-fig3"), ctx, summary)
    return summary


def _claims(curves, rs, lam_pts, d_pts, rows) -> dict[str, Any]:
    claims: dict[str, Any] = {}
    l3 = dict(zip(rs, curves["L=3,lam=1e-3"], strict=True))
    claims["L = 3: SRG beats DNC only from K = 10 (closed forms)"] = {
        "rule": "ratio(L=3, r=4, K=6) >= 1 and ratio(L=3, r) < 1 for every r >= 5 (λ = 1e-3)",
        "ratio_r4": l3.get(4), "max_ratio_r_ge_5": max(v for r, v in l3.items() if r >= 5),
        "holds": bool(4 in l3 and l3[4] >= 1 and all(v < 1 for r, v in l3.items() if r >= 5))}
    ordered = all(curves["L=5,lam=1e-3"][i] < curves["L=4,lam=1e-3"][i]
                  < curves["L=3,lam=1e-3"][i] < 1 for i, r in enumerate(rs) if r >= 5)
    claims["the gap is considerable at L = 3 and larger for higher L (closed forms)"] = {
        "rule": "for every r >= 5: ratio(L=5) < ratio(L=4) < ratio(L=3) < 1 (λ = 1e-3)",
        "ratio_at_largest_r": {L: curves[f"L={L},lam=1e-3"][-1] for L in (3, 4, 5)},
        "holds": bool(ordered)}
    xs = [k for k, _ in lam_pts]
    claims["the stronger the weight decay, the lower the rank"] = dict(
        trend_claim([float(k) for k in xs], [s["mean_rank"] for _, s in lam_pts],
                    [s["se_rank"] for _, s in lam_pts],
                    ([float(r["x"]) for r in rows if r["axis"] == "lam" and r["rank"] is not None],
                     [float(r["rank"]) for r in rows
                      if r["axis"] == "lam" and r["rank"] is not None])),
        x="log2(1/λ)", estimate="mean rank")
    strongest = lam_pts[0][1] if lam_pts else None
    claims["for very high weight decay DNC is never recovered"] = {
        "rule": "no DNC run at the largest λ of the grid",
        "lam": 2.0 ** -lam_pts[0][0] if lam_pts else None,
        "counts": strongest["counts"] if strongest else None,
        "holds": bool(strongest and strongest["counts"]["dnc"] == 0 and strongest["n"] > 0)}
    weakest = lam_pts[-1][1] if lam_pts else None
    claims["for very small weight decay DNC is sometimes recovered"] = {
        "rule": "at least one DNC run at the smallest λ of the grid",
        "lam": 2.0 ** -lam_pts[-1][0] if lam_pts else None,
        "counts": weakest["counts"] if weakest else None,
        "holds": bool(weakest and weakest["counts"]["dnc"] > 0)}
    claims["P(DNC) increases with width"] = dict(
        trend_claim([float(d) for d, _ in d_pts], [s["p_dnc"] for _, s in d_pts],
                    [s["se_p"] for _, s in d_pts]), x="d", estimate="empirical P(DNC)")
    small = d_pts[0][1] if d_pts else None
    claims["at small width low-rank solutions are much more likely"] = {
        "rule": "at the smallest width: P(low-rank) >= 0.8 and P(DNC) <= 0.2",
        "d": d_pts[0][0] if d_pts else None, "counts": small["counts"] if small else None,
        "info_runs_with_rank_below_K": sum(r["rank"] is not None and r["rank"] < 10
                                           for r in rows if r["axis"] == "d"
                                           and d_pts and r["x"] == d_pts[0][0]),
        "info_note": "'low-rank' is the engine's class: rank M~_L < K and every class fitted; "
                     "runs with rank < K that leave classes unfitted are 'other'",
        "holds": bool(small and small["n"] and small["counts"]["low-rank"] >= 0.8 * small["n"]
                      and small["p_dnc"] <= 0.2)}
    claims["a larger width leads to a larger loss"] = dict(
        trend_claim([float(d) for d, _ in d_pts], [s["mean_loss"] for _, s in d_pts],
                    [s["se_loss"] for _, s in d_pts]), x="d", estimate="mean final loss",
        info_from_d30=trend_claim([float(d) for d, _ in d_pts if d >= 30],
                                  [s["mean_loss"] for d, s in d_pts if d >= 30],
                                  [s["se_loss"] for d, s in d_pts if d >= 30]))
    return claims
