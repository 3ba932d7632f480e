"""`zg` Figures 3–5 on real data: singular-value tails of every layer against the class-partition
TCV during training, and the soft rank against width and depth, for several weight decays λ.

Networks (`zg` §6.3–6.4: fully connected, tanh, trained on MNIST; here the sklearn digits
:func:`ncverify.experiments.realdata_data.digits`): ``X (64) → w → … → w → 10`` with tanh after
every hidden layer, no bias, cross-entropy, weight decay ``(λ/2)Σ‖W_l‖²`` on every layer,
full-batch gradient descent at learning rate 0.5, λ ∈ {1e-4, 1e-3, 1e-2}, seeds 0 and 1 (the
claims use the mean over the seeds; the Figure-3 panels show seed 0), in float32
(the metrics are computed in float64 from the float32 weights; the tails reported are >= 1e-4,
far above float32 rounding).

* Figure 3 analogue: four hidden layers of width 128 (twice the input dimension, `zg` §6.4's
  choice).  Every 150 steps the singular values of every W_l and, for every layer input H_l,
  the class-partition WCSS (`zg` §6.3: "computed by simply looking at points corresponding to
  the same class", :func:`ncverify.models.clusters.wcss`, an upper bound on TCV_10) and the
  total sum of squares are recorded.  The relative singular-value tail error of `zg` Eq. (22),
  reconstructed from the prose ("relative singular value error tail … as a function of k"), is
  ``e_l(k) = √(Σ_{i>k} s_i(W_l)²) / ‖W_l‖_F``, the relative Frobenius distance of W_l to the
  nearest rank-k matrix (Eckart–Young).
* Figure 4 analogue: four hidden layers, widths w ∈ {16, 32, 64, 128}: soft rank of the
  intermediate matrix W_3 (of W_1..W_5).
* Figure 5 analogue: width 128, 2, 3, 4 or 5 hidden layers: soft rank averaged over the
  hidden-to-hidden matrices W_2..W_{L-1}.

"Soft rank": `zg` does not define it in the surviving text; we use the stable rank
``‖W‖_F²/‖W‖_2²`` (`zg` §4 uses the stable rank r(Σ) = tr Σ/‖Σ‖, here
:func:`ncverify.models.clusters.stable_rank` of ``W Wᵀ``), and report the ε-rank
``min{k : e(k) <= 0.1}`` as well.

Claims and rules (full mode, 3,000 steps):

* "the tail lightens more for bigger λ" (§6.3): at the end of training, e_l(10) (k = K = 10,
  the number of clusters of the class partition) decreases strictly along λ for each of the
  layers W_1..W_4 (W_5 has 10 rows, so e_5(10) = 0);
* "a part of the tail lightens up as the epoch increases": e_l(10) at the end < at
  initialisation, for every λ and layer W_1..W_4;
* "the estimated TCV decreases after the initial epochs": for every λ and hidden-layer input
  H_2..H_5, the final class WCSS is below its maximum over training;
* "at convergence the computed TCV decreases as a function of λ": final class WCSS of each
  H_2..H_5 is non-increasing along λ (raw values, as plotted in `zg`; the WCSS relative to
  the total sum of squares is reported too, since tanh features also shrink with λ);
* "the rank is a decreasing function of λ" (Figs. 4, 5): for every width and every depth the
  soft rank is non-increasing along λ and strictly lower at the largest λ than at the smallest;
* "the rank depends only very mildly on the width" (Fig. 4): for λ >= 1e-3 the soft rank of
  W_3 varies by less than a factor 2 over the widths 16..128 (a factor 8);
* "no dependence of the average rank on the depth for large enough λ" (Fig. 5): at the
  largest λ the average soft rank varies by less than a factor 1.5 over 2..5 hidden layers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ncverify.engine.mlp import MLPConfig
from ncverify.experiments.base import (
    Context,
    experiment,
    finish_summary,
    run_tasks,
    save_figure,
    write_csv,
)
from ncverify.experiments.realdata_data import DATA_NOTE, K, MLPTask
from ncverify.models.rank_distance import epsilon_rank, soft_rank, tail_errors

__all__ = ["epsilon_rank", "network_config", "soft_rank", "tail_errors"]

STATEMENT = (
    "In this experiment, we train a fully connected neural network on the MNIST dataset (Deng, "
    "2012) with different weight decay parameters. During the training, we save an "
    "approximation of the total cluster variation for each layer together with the layer's "
    "singular values every 100 epochs. [...] Interestingly, we consistently observe—across all "
    "layers and regularization parameters—that there is a bulk of singular values whose mass is "
    "preserved almost exactly during training, while a part of the tail lightens up as the "
    "epoch increases. Moreover, this phenomenon is more accentuated for bigger regularization "
    "parameters, leading to lower numerical rank as expected. [...] we observe a similar trend "
    "with the estimated TCV decreasing after the initial epochs. We also notice that at "
    "convergence, the computed TCV seems to decrease as a function of λ [...] (zg §6.3) In "
    "Figure 4 on the left we report the softrank of the intermediate matrix of a four hidden "
    "layer network as a function of the width and for different regularization parameters [...] "
    "We observe that when λ is fixed, the rank of stationary points depends only very mildly on "
    "the width of the hidden layer [...] Moreover, we observe again that the rank is a "
    "decreasing function of λ. In Figure 5, we instead show the results of the same experiment, "
    "but with fixed width (twice the input dimension) and varying depth. Also in this case, "
    "with an equal level of regularization, we do not observe a dependence of the average rank "
    "on the depth of the network, at least for large enough regularization parameters. (zg "
    "§6.4; formulas lost in the extracted text, Eq. (22) reconstructed)")
QUICK_NOTE = ("quick mode: small networks and few steps, runs not converged; qualitative claims "
              "not assessed (smoke test only)")

LAMS = ((1e-4, 1e-3, 1e-2), (1e-3, 1e-2))          # (full, quick)
WIDTHS = ((16, 32, 64, 128), (8, 16))
DEPTHS = ((2, 3, 4, 5), (2, 4))                     # hidden layers
TRACKED = ((128, 4), (16, 4))                       # (width, hidden layers) of Figure 3
STEPS = (3_000, 150)
SEEDS = (2, 1)
RECORDS = 20
LR = 0.5
TAIL_K = K
EPS_RANK = 0.1
MILD_WIDTH, MILD_DEPTH = 2.0, 1.5


def network_config(width: int, hidden: int, lam: float, lr: float = LR) -> MLPConfig:
    """The tanh classifier ``64 → width^hidden → 10`` with weight decay λ (module doc)."""
    return MLPConfig(dims=(64, *([width] * hidden), K), activation="tanh", loss="ce", lam=lam,
                     lr=lr, dtype="float32", name=f"realdata-zg-w{width}-h{hidden}")


def _tasks(ctx: Context, steps: int) -> dict[tuple[int, int], MLPTask]:
    lams = ctx.pick(*LAMS)
    shapes = {(w, 4) for w in ctx.pick(*WIDTHS)} | {(ctx.pick(*TRACKED)[0], h)
                                                   for h in ctx.pick(*DEPTHS)}
    tracked = ctx.pick(*TRACKED)
    seeds = range(ctx.runs or ctx.pick(*SEEDS))
    out = {}
    for w, h in sorted(shapes):
        rec = max(1, steps // RECORDS) if (w, h) == tracked else steps
        out[(w, h)] = MLPTask(tuple(network_config(w, h, lam) for _ in seeds for lam in lams),
                              tuple(s for s in seeds for _ in lams), steps, rec,
                              record=("svals", "tcv") if (w, h) == tracked else (),
                              label=f"realdata-zg-w{w}-h{h}")
    return out


def _fmt(vals: list[float]) -> str:
    return ", ".join(f"{x:.3g}" for x in vals)


def _monotone(vals: list[float]) -> bool:
    return bool(len(vals) >= 2 and all(b <= a for a, b in zip(vals, vals[1:], strict=False))
                and vals[-1] < vals[0])


@experiment("realdata-zg", "zg", "Digits, tanh MLP: singular-value tails vs class TCV over "
            "training, soft rank vs width and depth, for several λ (Figures 3-5)", STATEMENT)
def run(ctx: Context) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = ctx.steps or ctx.pick(*STEPS)
    lams = list(ctx.pick(*LAMS))
    tracked = ctx.pick(*TRACKED)
    tasks = _tasks(ctx, steps)
    results = dict(zip(tasks, run_tasks(list(tasks.values()), ctx), strict=True))
    tr = results[tracked]
    record_steps = tr["record_steps"]
    nL = tracked[1] + 1
    out, files = ctx.out, []

    # -- Figure 3: tails over training and the class TCV --------------------------------------
    tail_rows, tcv_rows = [], []
    per_seed: dict[str, dict[float, list]] = {k: {lam: [] for lam in lams} for k in (
        "final_tail", "init_tail", "tcv_final", "tcv_max", "tcv_ratio")}
    for e in tr["runs"]:
        lam = e["lam"]
        for t, step in enumerate(record_steps):
            for l in range(nL):
                s = e["svals_history"][t][l]
                tail_rows.append([e["seed"], lam, step, l + 1, *tail_errors(s).tolist()])
                wc, ts = e["tcv_history"][t][l]
                tcv_rows.append([e["seed"], lam, step, l + 1, wc, ts,
                                 wc / ts if ts > 0 else None])
        per_seed["final_tail"][lam].append([float(tail_errors(e["svals_history"][-1][l])[TAIL_K])
                                            for l in range(nL - 1)])
        per_seed["init_tail"][lam].append([float(tail_errors(e["svals_history"][0][l])[TAIL_K])
                                           for l in range(nL - 1)])
        hist = np.asarray(e["tcv_history"], dtype=float)              # (T, L, 2)
        per_seed["tcv_final"][lam].append(hist[-1, 1:, 0])            # H_2..H_L
        per_seed["tcv_max"][lam].append(hist[:, 1:, 0].max(axis=0))
        per_seed["tcv_ratio"][lam].append(hist[-1, 1:, 0] / hist[-1, 1:, 1])
    # the claims use the mean over the seeds
    final_tail, init_tail, tcv_final, tcv_max, tcv_ratio = (
        {lam: np.mean(per_seed[k][lam], axis=0).tolist() for lam in lams}
        for k in ("final_tail", "init_tail", "tcv_final", "tcv_max", "tcv_ratio"))
    width = tracked[0]
    write_csv(out / "realdata-zg_tail_errors.csv",
              ["seed", "lam", "step", "layer", *[f"e_k{k}" for k in range(width + 1)]],
              (r + [None] * (width + 5 - len(r)) for r in tail_rows))
    write_csv(out / "realdata-zg_tcv.csv", ["seed", "lam", "step", "layer_input", "class_wcss",
                                            "total_ss", "wcss_over_total"], tcv_rows)
    files += ["realdata-zg_tail_errors.csv", "realdata-zg_tcv.csv"]

    fig, axes = plt.subplots(len(lams) + 1, nL, figsize=(3.4 * nL, 2.9 * (len(lams) + 1)),
                             squeeze=False)
    cmap = plt.get_cmap("Blues")
    shown = [e for e in tr["runs"] if e["seed"] == 0]
    for i, e in enumerate(shown):
        T = len(record_steps)
        for l in range(nL):
            ax = axes[i, l]
            for t in range(T):
                ev = tail_errors(e["svals_history"][t][l])
                shade = cmap(0.25 + 0.75 * t / max(T - 1, 1))
                ax.plot(np.arange(ev.size - 1), ev[:-1], color=shade, lw=0.8)  # e(rank) = 0
            ax.axvline(TAIL_K, color="grey", ls=":", lw=0.7)
            ax.set_yscale("log")
            ax.set_ylim(1e-4, 1.2)
            ax.set_title(f"λ = {e['lam']:g}, W_{l + 1} (seed 0)", fontsize=9)
            if l == 0:
                ax.set_ylabel("relative tail e(k)")
        hist = np.asarray(e["tcv_history"], dtype=float)
        ax = axes[-1, i] if i < nL else None
        if ax is not None:
            for l in range(1, nL):
                ax.plot(np.asarray(record_steps) / 1000, hist[:, l, 0], label=f"H_{l + 1}")
            ax.set_title(f"λ = {e['lam']:g}: class TCV (WCSS) of layer inputs", fontsize=9)
            ax.set_xlabel("step (thousands)")
            ax.legend(fontsize=7)
    for j in range(len(shown), nL):
        axes[-1, j].axis("off")
    for l in range(nL):
        axes[len(lams) - 1, l].set_xlabel("k (darker = later in training)")
    fig.suptitle(f"zg Figure 3 on sklearn digits: tanh MLP 64-{width}x{tracked[1]}-10, CE, "
                 f"{steps} GD steps, λ = {', '.join(f'{x:g}' for x in lams)}"
                 + (" [quick mode]" if ctx.quick else ""))
    fig.tight_layout()
    files += [p.name for p in save_figure(fig, out, "realdata-zg")]

    # -- Figures 4, 5: soft rank against width and depth ----------------------------------------
    rank_rows = []
    by_width: dict[float, list[float]] = {lam: [] for lam in lams}   # mean over the seeds
    by_depth: dict[float, list[float]] = {lam: [] for lam in lams}
    widths, depths = list(ctx.pick(*WIDTHS)), list(ctx.pick(*DEPTHS))
    for (w, h), res in sorted(results.items()):
        mids: dict[float, list[float]] = {lam: [] for lam in lams}
        avgs: dict[float, list[float]] = {lam: [] for lam in lams}
        for e in res["runs"]:
            a = e.get("analysis")
            if a is None:
                continue
            sv = a["weight_singular_values"]
            srs = [soft_rank(s) for s in sv]
            ers = [epsilon_rank(s, EPS_RANK) for s in sv]
            mid = srs[2] if h == 4 else None
            avg = float(np.mean(srs[1:-1])) if h >= 2 else None
            rank_rows.append([w, h, e["lam"], e["seed"], a["loss"], a["fit"], a["accuracy"],
                              " ".join(f"{x:.4g}" for x in srs), " ".join(map(str, ers)),
                              mid, avg])
            mids[e["lam"]].append(mid)
            avgs[e["lam"]].append(avg)
        for lam in lams:
            if h == 4 and w in widths and mids[lam]:
                by_width[lam].append(float(np.mean(mids[lam])))
            if w == tracked[0] and h in depths and avgs[lam]:
                by_depth[lam].append(float(np.mean(avgs[lam])))
    write_csv(out / "realdata-zg_soft_rank.csv",
              ["width", "hidden_layers", "lam", "seed", "loss", "fit", "accuracy",
               "soft_rank_per_layer", "eps_rank_per_layer", "soft_rank_W3",
               "avg_soft_rank_hidden"], rank_rows)
    files.append("realdata-zg_soft_rank.csv")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for lam in lams:
        if len(by_width[lam]) == len(widths):
            axes[0].plot(widths, by_width[lam], marker="o", label=f"λ = {lam:g}")
        if len(by_depth[lam]) == len(depths):
            axes[1].plot(depths, by_depth[lam], marker="o", label=f"λ = {lam:g}")
    axes[0].set_xscale("log", base=2)
    axes[0].set_xlabel("width (4 hidden layers)")
    axes[0].set_ylabel("soft (stable) rank of W_3 (mean over seeds)")
    axes[1].set_xlabel(f"hidden layers (width {tracked[0]})")
    axes[1].set_ylabel("mean soft rank of W_2..W_{L-1}")
    for ax in axes:
        ax.legend(fontsize=8)
    fig.suptitle("zg Figures 4-5 on sklearn digits: soft rank vs width and depth"
                 + (" [quick mode]" if ctx.quick else ""))
    fig.tight_layout()
    files += [p.name for p in save_figure(fig, out, "realdata-zg_rank")]

    # -- claims -----------------------------------------------------------------------------
    claims: dict[str, dict[str, Any]] = {}
    dec = [all(final_tail[a][l] > final_tail[b][l] for a, b in zip(lams, lams[1:],
                                                                  strict=False))
           for l in range(nL - 1)]
    claims["the tail lightens more for bigger λ"] = {
        "rule": f"final e_l({TAIL_K}) strictly decreasing along λ for every W_1..W_{nL - 1}",
        "final_tail_e10_by_lambda": {str(k): v for k, v in final_tail.items()},
        "layers_decreasing": int(sum(dec)), "layers": len(dec),
        "holds": bool(dec and all(dec))}
    light = {str(lam): [f < i for f, i in zip(final_tail[lam], init_tail[lam], strict=True)]
             for lam in lams}
    claims["the tail lightens during training"] = {
        "rule": f"final e_l({TAIL_K}) < initial e_l({TAIL_K}) for every λ and W_1..W_{nL - 1}",
        "initial_tail_e10_by_lambda": {str(k): v for k, v in init_tail.items()},
        "pairs_lightened": int(sum(sum(v) for v in light.values())),
        "pairs": int(sum(len(v) for v in light.values())),
        "final_tail_e10_by_lambda": {str(k): v for k, v in final_tail.items()},
        "holds": all(all(v) for v in light.values())}
    after = {str(lam): [f < m for f, m in zip(tcv_final[lam], tcv_max[lam], strict=True)]
             for lam in lams}
    claims["the class TCV decreases after the initial epochs"] = {
        "rule": "for every λ and hidden-layer input H_2..H_L: final class WCSS < its maximum "
                "over training",
        "final_class_wcss": {str(k): v for k, v in tcv_final.items()},
        "max_class_wcss": {str(k): v for k, v in tcv_max.items()},
        "holds": all(all(v) for v in after.values())}
    per_layer = [[tcv_final[lam][l] for lam in lams] for l in range(nL - 1)]
    claims["the final class TCV decreases with λ"] = {
        "rule": "final class WCSS of every hidden-layer input H_2..H_L non-increasing along λ "
                "(raw values)",
        "final_class_wcss_by_layer_along_lambda": per_layer,
        "info_wcss_over_total_by_layer_along_lambda":
            [[tcv_ratio[lam][l] for lam in lams] for l in range(nL - 1)],
        "holds": bool(all(all(b <= a for a, b in zip(v, v[1:], strict=False))
                          for v in per_layer))}
    curves_w = [[by_width[lam][i] for lam in lams] for i in range(len(widths))
                if all(len(by_width[lam]) == len(widths) for lam in lams)]
    curves_d = [[by_depth[lam][i] for lam in lams] for i in range(len(depths))
                if all(len(by_depth[lam]) == len(depths) for lam in lams)]
    claims["the soft rank decreases with λ"] = {
        "rule": "for every width and every depth: soft rank non-increasing along λ and lower at "
                "the largest λ than at the smallest",
        "soft_rank_W3_by_width_along_lambda": dict(zip(map(str, widths), curves_w,
                                                       strict=False)),
        "avg_soft_rank_by_depth_along_lambda": dict(zip(map(str, depths), curves_d,
                                                        strict=False)),
        "holds": bool(curves_w and curves_d and all(_monotone(v) for v in curves_w + curves_d))}
    spread_w = {str(lam): float(max(by_width[lam]) / min(by_width[lam]))
                for lam in lams if lam >= 1e-3 and by_width[lam]}
    claims["the soft rank depends only mildly on the width"] = {
        "rule": f"for λ >= 1e-3: max/min of the soft rank of W_3 over widths {widths} < "
                f"{MILD_WIDTH}",
        "max_over_min_by_lambda": spread_w,
        "info_soft_rank_W3_by_lambda": {str(k): v for k, v in by_width.items()},
        "holds": bool(spread_w and all(v < MILD_WIDTH for v in spread_w.values()))}
    top = lams[-1]
    spread_d = float(max(by_depth[top]) / min(by_depth[top])) if by_depth[top] else None
    claims["no depth dependence of the average soft rank at large λ"] = {
        "rule": f"at the largest λ = {top:g}: max/min of the average soft rank over "
                f"{depths} hidden layers < {MILD_DEPTH}",
        "max_over_min": spread_d,
        "info_avg_soft_rank_by_lambda": {str(k): v for k, v in by_depth.items()},
        "holds": bool(spread_d is not None and spread_d < MILD_DEPTH)}
    summary: dict[str, Any] = {
        "data": DATA_NOTE,
        "network": {"activation": "tanh", "loss": "cross-entropy", "bias": "none",
                    "optimiser": f"full-batch gradient descent, lr {LR}, float32",
                    "tracked": f"64-{tracked[0]}x{tracked[1]}-10", "widths": widths,
                    "depths_hidden_layers": depths, "depth_sweep_width": tracked[0]},
        "lambdas": lams, "steps": steps,
        "seeds": f"0..{(ctx.runs or ctx.pick(*SEEDS)) - 1} (claims on the mean over seeds)",
        "tail_error": "e(k) = sqrt(sum_{i>k} s_i^2)/||W||_F (zg Eq. 22, reconstructed), "
                      f"reported at k = {TAIL_K}",
        "tcv": "class-partition WCSS of each layer input (mean over N), an upper bound on "
               "TCV_10 (zg Section 6.3)",
        "soft_rank": "stable rank ||W||_F^2/||W||_2^2 (zg's softrank is not defined in the "
                     f"surviving text); eps-rank (e(k) <= {EPS_RANK}) in the CSV",
        "claims": claims, "train_seconds": sum(r["seconds"] for r in results.values()),
        "files": files + ["summary.json"]}
    if not ctx.quick:
        tag = {k: "reproduced" if v["holds"] else "NOT reproduced" for k, v in claims.items()}
        k = list(tag)
        summary["headline"] = [
            f"{k[0]}: {tag[k[0]]} (mean e(10) over W_1..W_{nL - 1} at λ = "
            f"{', '.join(f'{x:g}' for x in lams)}: "
            f"{_fmt([float(np.mean(final_tail[lam])) for lam in lams])})",
            f"{k[1]}: {tag[k[1]]} ({claims[k[1]]['pairs_lightened']}/{claims[k[1]]['pairs']} "
            "(λ, layer) pairs)",
            f"{k[2]}: {tag[k[2]]}",
            f"{k[3]}: {tag[k[3]]} (final class WCSS of H_{nL} along λ: "
            f"{_fmt(per_layer[-1])})",
            f"{k[4]}: {tag[k[4]]} (soft rank of W_3 at width {widths[-1]} along λ: "
            f"{_fmt([by_width[lam][-1] for lam in lams if by_width[lam]])})",
            f"{k[5]}: {tag[k[5]]} (max/min over widths: "
            f"{_fmt(list(spread_w.values()))} for λ = {', '.join(spread_w)})",
            f"{k[6]}: {tag[k[6]]} (max/min over depths at λ = {top:g}: "
            f"{spread_d if spread_d is None else f'{spread_d:.3g}'}; average soft rank "
            f"{_fmt(by_depth[top])} for {depths} hidden layers)"]
    finish_summary(ctx, "realdata-zg", summary, claims, QUICK_NOTE)
    return summary
