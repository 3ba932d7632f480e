"""`gk` Figures 2 and 5: probability of DNC and rank of the converged solution in the deep
linear UFM, against the width d and against the regularisation λ.

Both figures come from one sweep (:func:`run_sweep`): other hyperparameters as Figure 1
(L = 2, K = 10, n = 5, learning rate 0.5; λ = 2⁻¹⁰ on the width axis, d = 70 on the λ axis),
``runs`` random seeds per point (default 10, seeds 0..R-1 at every point, so on the λ axis the
runs share their initialisations: common random numbers).  The paper prints no grid values; the
grids here are ours: d ∈ {10, 15, 20, 30, 50, 70, 100, 150} and λ = 2^-k, k = 6..13.

Steps: gradient descent with weight decay settles on a time scale ∝ 1/(lr·λ), so a point at
λ = 2^-k runs ``steps_ref · max(2^(k-10), 1/4)`` steps (``steps_ref`` = 65 536 by default, or
``--steps``, is the count at the Figure-1 value λ = 2⁻¹⁰).  Every run is classified by the rule
of :mod:`ncverify.engine.analysis` (centred class-mean logits: rank at relative cutoff 1e-3 and
distance to the simplex ETF); "rank" in Figure 5 is that rank (K - 1 = 9 for DNC, K/2 = 5 for
the low-rank solution of Eq. (5)).

The tasks (one engine call per point and group of 5 seeds) are identical for ``gk-fig2`` and
``gk-fig5``, so running both with the same ``--out`` trains once.  Both write ``summary.json``
(the last one run wins) and ``<id>-summary.json``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ncverify.engine.config import DUFMConfig
from ncverify.experiments.base import (
    Context,
    Task,
    experiment,
    finish_summary,
    run_tasks,
    save_figure,
    write_csv,
)

__all__ = ["run_sweep", "sweep_steps", "sweep_tasks", "trend_claim"]

REF_D = 70
REF_LAM_EXP = 10  # λ = 2^-10, Figure 1
FULL_D = (10, 15, 20, 30, 50, 70, 100, 150)
FULL_LAM_EXP = (6, 7, 8, 9, 10, 11, 12, 13)
QUICK_D = (10, 30, 70)
QUICK_LAM_EXP = (8, 10, 12)
STEPS_REF = (65_536, 1_000)  # (full, quick) steps at λ = 2^-10
SEEDS_PER_TASK = 5
GRID_NOTE = ("The paper gives no grid values for Figures 2 and 5 (only 'averaged over 10 runs; "
             "same hyperparameters as Figure 1'); the d and λ grids here are ours.")
CRN_NOTE = ("on the λ axis every point uses seeds 0..R-1, so runs at different λ share their "
            "initialisation (common random numbers): the per-run Spearman p-value, which "
            "assumes independent runs, is indicative only")
QUICK_NOTE = ("quick mode: few points, few steps, runs not converged; qualitative claims not "
              "assessed (smoke test only)")

STATEMENT_FIG2 = (
    "Figure 2: Experiments in the deep linear UFM: Left: Empirical probability of DNC versus "
    "width d. Right: Empirical probability of DNC versus regularization λ. Averaged over 10 "
    "runs; same hyperparameters as Figure 1. [...] Figure 2 shows how the probability of DNC "
    "changes as network width d increases or regularization decreases. We observe that DNC is "
    "unlikely at small widths but becomes increasingly probable as the network widens, "
    "supporting the argument derived from Theorem 5. We also observe that the probability of "
    "DNC tends to increase as regularization decreases. (gk §4, Figure 2 caption)")
STATEMENT_FIG5 = (
    "Figure 5: Experiments in the deep linear UFM: Left: Rank of converged solution versus "
    "width d. Right: Rank of converged solution versus regularization λ. Averaged over 10 runs; "
    "same hyperparameters as Figure 1. [...] The left panel of Figure 5 illustrates how the rank "
    "of the solution found by gradient descent depends on the width of the network in the deep "
    "linear UFM. As predicted by our theory, the rank increases with width. [...] The right "
    "panel of Figure 5 shows that lower levels of regularization are also associated with "
    "higher ranks. (gk App. D, Figure 5 caption)")


# -- the shared sweep ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Point:
    d: int
    lam_exp: int

    @property
    def lam(self) -> float:
        return 2.0 ** -self.lam_exp


def sweep_steps(steps_ref: int, lam_exp: int) -> int:
    """Steps at λ = 2^-lam_exp: ``steps_ref · max(2^(lam_exp-10), 1/4)``, rounded, at least 1.

    >>> [sweep_steps(65_536, k) for k in (6, 9, 10, 13)]
    [16384, 32768, 65536, 524288]
    """
    return max(1, round(steps_ref * max(2.0 ** (lam_exp - REF_LAM_EXP), 0.25)))


def _grid(ctx: Context) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return ctx.pick(FULL_D, QUICK_D), ctx.pick(FULL_LAM_EXP, QUICK_LAM_EXP)


def _points(ctx: Context) -> list[_Point]:
    ds, ks = _grid(ctx)
    pts = [_Point(d, REF_LAM_EXP) for d in ds] + [_Point(REF_D, k) for k in ks]
    return list(dict.fromkeys(pts))  # the shared reference point once


def sweep_tasks(ctx: Context) -> list[tuple[_Point, Task]]:
    """The sweep's tasks (point, task), most expensive first (better balance across workers)."""
    runs = ctx.runs or ctx.pick(10, 3)
    steps_ref = ctx.steps or ctx.pick(*STEPS_REF)
    base = DUFMConfig.preset("gk-fig1")
    seeds = list(range(runs))
    out = []
    for p in _points(ctx):
        cfg = base.replace(d=p.d, lam=p.lam)
        steps = sweep_steps(steps_ref, p.lam_exp)
        for i in range(0, runs, SEEDS_PER_TASK):
            chunk = tuple(seeds[i:i + SEEDS_PER_TASK])
            out.append((p, Task(cfg, chunk, steps, max(1, steps // 200),
                                label=f"gk-sweep-d{p.d}-lam2^-{p.lam_exp}-s{chunk[0]}")))
    out.sort(key=lambda pt: -pt[1].steps * len(pt[1].seeds) * (pt[0].d + 20) ** 2)
    return out


def run_sweep(ctx: Context) -> dict[str, Any]:
    """Train (or load) every run of the sweep; one flat record per run plus the settings."""
    pairs = sweep_tasks(ctx)
    results = run_tasks([t for _, t in pairs], ctx)
    rows = []
    for (p, task), res in zip(pairs, results, strict=True):
        rec = res["record_steps"]
        for r in res["runs"]:
            a = r.get("analysis")
            cls = a["classification"] if a else {}
            hist = np.asarray(r["loss_history"], dtype=float)
            j = int(np.searchsorted(rec, 0.8 * task.steps))
            rel = (float(abs(hist[j] - hist[-1]) / abs(hist[-1]))
                   if a and np.isfinite(hist[[j, -1]]).all() else None)
            rows.append({
                "d": p.d, "lam_exp": p.lam_exp, "lam": p.lam, "seed": r["seed"],
                "steps": task.steps, "status": r["status"], "grad_norm": r["grad_norm"],
                "kind": cls.get("kind", "diverged"), "rank": cls.get("rank"),
                "etf_error": cls.get("etf_error"), "fits": cls.get("fits"),
                "h1_class_mean_rank": a["layers"][0]["pre"]["rank"] if a else None,
                "loss": a["loss"] if a else None,
                "dnc_reference_loss": a.get("dnc_reference_loss") if a else None,
                "loss_rel_change_last_20pct": rel,
                "record_steps": rec, "loss_history": r["loss_history"], "task": task.key,
            })
    rows.sort(key=lambda r: (r["d"], r["lam_exp"], r["seed"]))
    ds, ks = _grid(ctx)
    rule = next((r["analysis"]["classification"]["rule"] for res in results
                 for r in res["runs"] if "analysis" in r), None)
    return {"rows": rows, "d_grid": list(ds), "lam_exp_grid": list(ks),
            "runs_per_point": ctx.runs or ctx.pick(10, 3),
            "steps_ref": ctx.steps or ctx.pick(*STEPS_REF),
            "steps_per_lambda": {f"2^-{k}": sweep_steps(ctx.steps or ctx.pick(*STEPS_REF), k)
                                 for k in ks},
            "classification_rule": rule, "tasks": len(pairs),
            "train_seconds": sum(res["seconds"] for res in results)}


def _axis_rows(sweep: dict[str, Any], axis: str) -> list[tuple[int, list[dict[str, Any]]]]:
    """[(x, runs at that point)] along ``axis`` ("d" at λ = 2^-10, or "lam" at d = 70)."""
    rows = sweep["rows"]
    if axis == "d":
        return [(d, [r for r in rows if r["d"] == d and r["lam_exp"] == REF_LAM_EXP])
                for d in sweep["d_grid"]]
    return [(k, [r for r in rows if r["d"] == REF_D and r["lam_exp"] == k])
            for k in sweep["lam_exp_grid"]]


def _convergence(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in rows if r["status"] != "diverged"]
    g = np.array([r["grad_norm"] for r in ok]) if ok else np.array([np.nan])
    rel = [r["loss_rel_change_last_20pct"] for r in ok
           if r["loss_rel_change_last_20pct"] is not None]
    return {"runs": len(rows), "diverged": len(rows) - len(ok),
            "grad_norm_le_1e-5": int(np.sum(g <= 1e-5)),
            "grad_norm_median": float(np.nanmedian(g)), "grad_norm_max": float(np.nanmax(g)),
            "loss_rel_change_last_20pct_max": max(rel) if rel else None,
            "note": "gradient-norm and loss-plateau diagnostics of the final iterates"}


def _write_runs_csv(ctx: Context, name: str, sweep: dict[str, Any]) -> str:
    cols = ["d", "lam_exp", "lam", "seed", "steps", "status", "grad_norm", "kind", "rank",
            "etf_error", "fits", "h1_class_mean_rank", "loss", "dnc_reference_loss",
            "loss_rel_change_last_20pct"]
    write_csv(ctx.out / name, cols, ([r[c] for c in cols] for r in sweep["rows"]))
    return name


def _write_curves_csv(ctx: Context, sweep: dict[str, Any]) -> str:
    name = "sweep_loss_curves.csv"
    write_csv(ctx.out / name, ["d", "lam_exp", "seed", "step", "loss"],
              ([r["d"], r["lam_exp"], r["seed"], s, v] for r in sweep["rows"]
               for s, v in zip(r["record_steps"], r["loss_history"], strict=True)))
    return name


# -- statistics ------------------------------------------------------------------------------

def trend_claim(xs: list[float], est: list[float], se: list[float],
                per_run: tuple[list[float], list[float]] | None = None) -> dict[str, Any]:
    """Decide "the estimate increases with x": Spearman ρ of the point estimates against x is
    > 0 **and** last − first > 2·√(se_first² + se_last²) (> 0 when both SEs vanish).

    Returns the numbers that decide it; ``per_run`` (x, y per run) adds the per-run Spearman ρ
    and its p-value for information.

    >>> trend_claim([1, 2, 3], [0.0, 0.3, 0.8], [0.0, 0.14, 0.13])["holds"]
    True
    >>> trend_claim([1, 2, 3], [0.2, 0.3, 0.3], [0.13, 0.14, 0.14])["holds"]
    False
    """
    from scipy.stats import spearmanr

    ok = [i for i, e in enumerate(est) if e is not None and np.isfinite(e)]
    rho = None  # undefined when every estimate is equal
    if len(ok) >= 2 and len({est[i] for i in ok}) > 1:
        rho = float(spearmanr([xs[i] for i in ok], [est[i] for i in ok]).statistic)
    out: dict[str, Any] = {"spearman_rho_points": rho}
    if ok:
        f, last = ok[0], ok[-1]
        diff = est[last] - est[f]
        se_diff = math.hypot(se[f], se[last])
        out.update(first={"x": xs[f], "estimate": est[f], "se": se[f]},
                   last={"x": xs[last], "estimate": est[last], "se": se[last]},
                   difference=diff, se_difference=se_diff,
                   z=diff / se_diff if se_diff > 0 else None)
        holds = bool(rho is not None and rho > 0 and diff > 0 and diff > 2 * se_diff)
    else:
        holds = False
    if per_run is not None and len(set(per_run[1])) > 1 and len(set(per_run[0])) > 1:
        res = spearmanr(per_run[0], per_run[1])
        out.update(spearman_rho_runs=float(res.statistic), spearman_p_runs=float(res.pvalue))
    out["rule"] = ("Spearman rho of the point estimates vs x > 0 and (last - first) > "
                   "2 * sqrt(se_first^2 + se_last^2)")
    out["holds"] = holds
    return out


def _binomial(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in runs if r["status"] != "diverged"]
    n = len(ok)
    k = sum(r["kind"] == "dnc" for r in ok)
    p = k / n if n else float("nan")
    se = math.sqrt(p * (1 - p) / n) if n else float("nan")
    counts = {kind: sum(r["kind"] == kind for r in runs)
              for kind in ("dnc", "low-rank", "other", "diverged")}
    return {"p_dnc": p, "se": se, "dnc": k, "n": n, "counts": counts}


def _rank_stats(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ranks = [r["rank"] for r in runs if r["status"] != "diverged" and r["rank"] is not None]
    n = len(ranks)
    mean = float(np.mean(ranks)) if n else float("nan")
    se = float(np.std(ranks, ddof=1) / math.sqrt(n)) if n > 1 else 0.0
    hist = {str(v): ranks.count(v) for v in sorted(set(ranks))}
    return {"mean_rank": mean, "se": se, "n": n, "ranks": ranks, "histogram": hist}


def _fisher(pts: list[tuple[int, dict[str, Any], Any]]) -> float | None:
    """One-sided Fisher exact p-value of "P(DNC) at the last point > at the first" (info)."""
    from scipy.stats import fisher_exact

    if len(pts) < 2 or not pts[0][1]["n"] or not pts[-1][1]["n"]:
        return None
    first, last = pts[0][1], pts[-1][1]
    table = [[last["dnc"], last["n"] - last["dnc"]], [first["dnc"], first["n"] - first["dnc"]]]
    return float(fisher_exact(table, alternative="greater").pvalue)


def _mann_whitney(pts: list[tuple[int, dict[str, Any], Any]]) -> float | None:
    """One-sided Mann-Whitney p-value of "ranks at the last point > at the first" (info)."""
    from scipy.stats import mannwhitneyu

    if len(pts) < 2 or not pts[0][1]["ranks"] or not pts[-1][1]["ranks"]:
        return None
    a, b = pts[-1][1]["ranks"], pts[0][1]["ranks"]
    if len(set(a) | set(b)) == 1:
        return 1.0  # identical samples: no evidence of an increase
    return float(mannwhitneyu(a, b, alternative="greater").pvalue)


def _log_ticks(ax, axis: str, xs: list[float]) -> None:
    """Log x axis with one labelled tick per grid value."""
    ax.set_xscale("log", base=2 if axis == "lam" else 10)
    ax.set_xticks(xs)
    ax.set_xticklabels([str(int(x)) if axis == "d" else f"$2^{{{round(math.log2(x))}}}$"
                        for x in xs])
    ax.minorticks_off()


def _label_x(axis: str, x: int) -> dict[str, Any]:
    return {"d": x} if axis == "d" else {"lam": 2.0 ** -x, "lam_log2": -x}


# -- gk-fig2 ---------------------------------------------------------------------------------

@experiment("gk-fig2", "gk", "Deep linear UFM: probability of DNC against width and λ "
            "(Figure 2)", STATEMENT_FIG2)
def run_fig2(ctx: Context) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sweep = run_sweep(ctx)
    axes_data = {}
    for axis in ("d", "lam"):
        pts = [(x, _binomial(runs), runs) for x, runs in _axis_rows(sweep, axis)]
        axes_data[axis] = pts
    files = [_write_runs_csv(ctx, "gk-fig2_runs.csv", sweep), _write_curves_csv(ctx, sweep)]
    write_csv(ctx.out / "gk-fig2_points.csv",
              ["axis", "d", "lam_exp", "lam", "p_dnc", "se", "dnc", "n", "low_rank", "other",
               "diverged"],
              ([axis, x if axis == "d" else REF_D, REF_LAM_EXP if axis == "d" else x,
                2.0 ** -(REF_LAM_EXP if axis == "d" else x), b["p_dnc"], b["se"], b["dnc"],
                b["n"], b["counts"]["low-rank"], b["counts"]["other"], b["counts"]["diverged"]]
               for axis in ("d", "lam") for x, b, _ in axes_data[axis]))
    files.append("gk-fig2_points.csv")

    fig, (a0, a1) = plt.subplots(1, 2, figsize=(11, 4))
    for ax, axis in ((a0, "d"), (a1, "lam")):
        xs = [x if axis == "d" else 2.0 ** -x for x, _, _ in axes_data[axis]]
        ps = [b["p_dnc"] for _, b, _ in axes_data[axis]]
        ses = [b["se"] for _, b, _ in axes_data[axis]]
        ax.errorbar(xs, ps, yerr=ses, marker="o", capsize=3)
        _log_ticks(ax, axis, xs)
        ax.set_ylim(-0.05, 1.05)
        ax.set_ylabel("empirical P(DNC)")
        ax.grid(alpha=0.3)
    a0.set_xlabel(f"width d (λ = 2^-{REF_LAM_EXP})")
    a1.set_xlabel(f"regularisation λ (d = {REF_D})")
    fig.suptitle(f"gk Figure 2 reproduction: {sweep['runs_per_point']} runs per point, "
                 "error bars: binomial SE" + (" [quick mode]" if ctx.quick else ""))
    files += [p.name for p in save_figure(fig, ctx.out, "gk-fig2")]

    def series(axis):
        return [dict(_label_x(axis, x), p_dnc=b["p_dnc"], se=b["se"], dnc=b["dnc"], n=b["n"],
                     counts=b["counts"]) for x, b, _ in axes_data[axis]]

    def per_run(axis):
        pairs = [(x, float(r["kind"] == "dnc")) for x, _, runs in axes_data[axis]
                 for r in runs if r["status"] != "diverged"]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    claims = {}
    d_pts, l_pts = axes_data["d"], axes_data["lam"]
    claims["P(DNC) increases with width"] = dict(
        trend_claim([x for x, _, _ in d_pts], [b["p_dnc"] for _, b, _ in d_pts],
                    [b["se"] for _, b, _ in d_pts], per_run("d")),
        fisher_exact_p_last_gt_first=_fisher(d_pts))
    claims["P(DNC) tends to increase as regularisation decreases"] = dict(
        trend_claim([x for x, _, _ in l_pts], [b["p_dnc"] for _, b, _ in l_pts],
                    [b["se"] for _, b, _ in l_pts], per_run("lam")),
        fisher_exact_p_last_gt_first=_fisher(l_pts), x="log2(1/λ)", note=CRN_NOTE)
    small = d_pts[0][1] if d_pts else None
    claims["DNC is unlikely at small widths"] = {
        "rule": "empirical P(DNC) at the smallest width of the grid <= 0.2",
        "d": d_pts[0][0] if d_pts else None,
        "p_dnc": small["p_dnc"] if small else None, "se": small["se"] if small else None,
        "holds": bool(small is not None and small["n"] > 0 and small["p_dnc"] <= 0.2)}
    summary = {
        "config": DUFMConfig.preset("gk-fig1").to_dict(),
        "grid": {"d": sweep["d_grid"], "lam_log2": [-k for k in sweep["lam_exp_grid"]],
                 "reference": {"d": REF_D, "lam": 2.0 ** -REF_LAM_EXP}, "note": GRID_NOTE},
        "runs_per_point": sweep["runs_per_point"],
        "seeds": f"0..{sweep['runs_per_point'] - 1} at every point",
        "steps": {"at_lam_2^-10": sweep["steps_ref"], "per_lambda": sweep["steps_per_lambda"],
                  "rule": "steps_ref * max(2^(k-10), 1/4) at λ = 2^-k (time scale ∝ 1/λ)"},
        "classification_rule": sweep["classification_rule"],
        "p_dnc_vs_width": series("d"), "p_dnc_vs_lambda": series("lam"),
        "convergence": _convergence(sweep["rows"]),
        "train_seconds": sweep["train_seconds"],
        "claims": claims,
        "files": files,
    }
    finish_summary(ctx, "gk-fig2", summary, claims, QUICK_NOTE, named_copy=True)
    return summary


# -- gk-fig5 ---------------------------------------------------------------------------------

@experiment("gk-fig5", "gk", "Deep linear UFM: rank of the converged solution against width "
            "and λ (Figure 5)", STATEMENT_FIG5)
def run_fig5(ctx: Context) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sweep = run_sweep(ctx)
    K = DUFMConfig.preset("gk-fig1").K
    axes_data = {axis: [(x, _rank_stats(runs), runs) for x, runs in _axis_rows(sweep, axis)]
                 for axis in ("d", "lam")}
    files = [_write_runs_csv(ctx, "gk-fig5_runs.csv", sweep), _write_curves_csv(ctx, sweep)]
    ranks = range(0, K)
    write_csv(ctx.out / "gk-fig5_points.csv",
              ["axis", "d", "lam_exp", "lam", "mean_rank", "se", "n",
               *[f"rank_{v}" for v in ranks]],
              ([axis, x if axis == "d" else REF_D, REF_LAM_EXP if axis == "d" else x,
                2.0 ** -(REF_LAM_EXP if axis == "d" else x), s["mean_rank"], s["se"], s["n"],
                *[s["ranks"].count(v) for v in ranks]]
               for axis in ("d", "lam") for x, s, _ in axes_data[axis]))
    files.append("gk-fig5_points.csv")

    rng = np.random.default_rng(0)  # jitter of the per-run dots only
    fig, (a0, a1) = plt.subplots(1, 2, figsize=(11, 4))
    for ax, axis in ((a0, "d"), (a1, "lam")):
        xs = [x if axis == "d" else 2.0 ** -x for x, _, _ in axes_data[axis]]
        ax.errorbar(xs, [s["mean_rank"] for _, s, _ in axes_data[axis]],
                    yerr=[s["se"] for _, s, _ in axes_data[axis]], marker="o", capsize=3,
                    label="mean rank ± SE", zorder=3)
        for xv, (_, s, _) in zip(xs, axes_data[axis], strict=True):
            jit = xv * 2.0 ** rng.uniform(-0.08, 0.08, len(s["ranks"]))
            ax.scatter(jit, s["ranks"], s=10, color="grey", alpha=0.5, zorder=2)
        ax.axhline(K - 1, color="k", ls="--", lw=1, label=f"DNC (rank {K - 1})")
        ax.axhline(K // 2, color="C3", ls=":", lw=1, label=f"Eq. (5) low-rank (rank {K // 2})")
        _log_ticks(ax, axis, xs)
        ax.set_ylabel("rank of centred class-mean logits")
        ax.set_ylim(0, K)
        ax.grid(alpha=0.3)
    a0.set_xlabel(f"width d (λ = 2^-{REF_LAM_EXP})")
    a1.set_xlabel(f"regularisation λ (d = {REF_D})")
    a0.legend(fontsize=8, loc="lower right")
    fig.suptitle(f"gk Figure 5 reproduction: {sweep['runs_per_point']} runs per point"
                 + (" [quick mode]" if ctx.quick else ""))
    files += [p.name for p in save_figure(fig, ctx.out, "gk-fig5")]

    def series(axis):
        return [dict(_label_x(axis, x), mean_rank=s["mean_rank"], se=s["se"], n=s["n"],
                     histogram=s["histogram"]) for x, s, _ in axes_data[axis]]

    def per_run(axis):
        pairs = [(x, float(r)) for x, s, _ in axes_data[axis] for r in s["ranks"]]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    claims = {}
    for name, axis in (("rank increases with width", "d"),
                       ("lower regularisation is associated with higher rank", "lam")):
        pts = axes_data[axis]
        claims[name] = trend_claim([x for x, _, _ in pts], [s["mean_rank"] for _, s, _ in pts],
                                   [s["se"] for _, s, _ in pts], per_run(axis))
        claims[name]["mann_whitney_p_last_gt_first"] = _mann_whitney(pts)
        if axis == "lam":
            claims[name].update(x="log2(1/λ)", note=CRN_NOTE)
    all_ranks = [r["rank"] for r in sweep["rows"] if r["rank"] is not None]
    summary = {
        "config": DUFMConfig.preset("gk-fig1").to_dict(),
        "grid": {"d": sweep["d_grid"], "lam_log2": [-k for k in sweep["lam_exp_grid"]],
                 "reference": {"d": REF_D, "lam": 2.0 ** -REF_LAM_EXP}, "note": GRID_NOTE},
        "runs_per_point": sweep["runs_per_point"],
        "seeds": f"0..{sweep['runs_per_point'] - 1} at every point",
        "steps": {"at_lam_2^-10": sweep["steps_ref"], "per_lambda": sweep["steps_per_lambda"],
                  "rule": "steps_ref * max(2^(k-10), 1/4) at λ = 2^-k (time scale ∝ 1/λ)"},
        "rank_definition": ("numerical rank (relative cutoff 1e-3) of the centred class-mean "
                            "logit matrix M_Z - mu_G 1^T: K-1 = 9 for DNC, K/2 = 5 for the "
                            "low-rank solution of Eq. (5)"),
        "classification_rule": sweep["classification_rule"],
        "rank_vs_width": series("d"), "rank_vs_lambda": series("lam"),
        "rank_histogram_all_runs": {str(v): all_ranks.count(v) for v in sorted(set(all_ranks))},
        "intermediate_ranks_6_to_8": sum(6 <= v <= 8 for v in all_ranks),
        "convergence": _convergence(sweep["rows"]),
        "train_seconds": sweep["train_seconds"],
        "claims": claims,
        "files": files,
    }
    finish_summary(ctx, "gk-fig5", summary, claims, QUICK_NOTE, named_copy=True)
    return summary
