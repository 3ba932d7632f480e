"""`sk` Theorem 4 (§3, proof in App. B.2): optimal solutions of the L-DUFM exhibit DNC1 at the
last layer L; with the approximate all-layer extension Theorem 17 (smoothed ReLU, Definition 16)
and the DNC1 metric printed in §4.

Checks:
(a) empirical: engine runs (gradient descent, then L-BFGS polishing to a critical point) for
    several K, L, λ and seeds.  Theorem 4 speaks about *global* optima, which no finite search
    certifies, so the rule is: the best converged solution of every problem has DNC1 at layer L
    (NC1 via :func:`ncverify.engine.metrics.nc1_pinv` and the largest within-class distance, with
    tolerances), and every converged solution *without* DNC1 at layer L is shown not to be
    optimal, by a run of the same problem with a lower loss or by the construction of Step 1 of
    the proof (copy the column of H_1 with the smallest per-sample loss over its class), which
    strictly lowers the loss;
(b) exact: the §4 metric ``tr(Σ_W)/tr(Σ_B^†)`` scales like c⁴ under H → cH, while
    ``tr(Σ_W Σ_B^†)/K`` (Papyan et al.; what the engine computes) is scale invariant;
(c) empirical: Theorem 17's bound (17) evaluated faithfully on smoothed-ReLU solutions (small
    problems with λ <= 1/(L+1) where the bound is not vacuous), the proof's intermediate facts
    on the same solutions, and the step of the proof bounding |L_0 - L_ε| (Eqs. (18), (19));
(d) exact: two inequalities of the proof of Theorem 17 decided in exact arithmetic.

Public API: :func:`within_class_distance`, :func:`printed_nc1_metric`, :func:`smooth_relu`,
:func:`theorem17_bound`, :func:`copy_best_columns`, :func:`theorem4_runs`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.optimize
import sympy

from ncverify.claims import Claim, Discrepancy, Outcome, register
from ncverify.engine import metrics
from ncverify.engine.config import DUFMConfig
from ncverify.engine.dufm import DUFMBatch
from ncverify.engine.polish import polish
from ncverify.engine.train import train
from ncverify.models.validation import require_int, require_positive

__all__ = ["claim", "copy_best_columns", "printed_nc1_metric", "smooth_relu",
           "smooth_relu_derivative", "theorem17_bound", "theorem4_runs", "within_class_distance"]

STATEMENT = r"""**Theorem 4** The optimal solutions of the L-DUFM (1) exhibit DNC1 at layer L, i.e.,

$$H_L^* = M_L^* \otimes \mathbf{1}_n^T$$

holds for any optimal solution  $(H_1^*, W_1^*, \dots, W_L^*)$  of the L-DUFM problem.

The proof is deferred to Appendix B.2. The difficulty in extending Theorem 4 to a result on the unique optimality of DNC1 for all layers stems from the special role of  $W_L$ , as the loss is differentiable w.r.t. it. By considering a differentiable relaxation of ReLU, Theorem 17 in Appendix B.2 provides an approximate result for a *relaxed* L-DUFM model.

[Section 4:] We employ the standard DNC1 metric  $\operatorname{tr}(\Sigma_W)/\operatorname{tr}(\Sigma_B^\dagger)$ , where  $\Sigma_W, \Sigma_B$  are the within and between class variabilities and  $X^\dagger$  is a pseudo-inverse of X. This is widely used in the literature [4, 41, 50] and considered more stable than other metrics [41].

[Appendix B.2:] **Definition 16** We denote by  $ReLU_{\epsilon}$  (or  $\sigma_{\epsilon}$ ) a function satisfying the following conditions: (i)  $\sigma_{\epsilon}(x) = \sigma(x)$ , for  $x \in (-\infty, 0] \cup [\epsilon, \infty)$ , (ii)  $0 < \sigma_{\epsilon}(x) < \sigma(x)$  for  $x \in (0, \epsilon)$ , and (iii)  $\sigma_{\epsilon}$  is continuously differentiable with derivative bounded by a universal constant and strictly positive on  $(0, \epsilon)$ .

**Theorem 17** Denote by L-DUFM $_{\epsilon}$  the equivalent of (1), with  $\sigma$  replaced by  $\sigma_{\epsilon}$  – a ReLU smoothened in  $\epsilon$  neighbourhood of 0. Let  $D = \max\{d_2, d_3, \ldots, d_L\}$  and  $\bar{\lambda} = \lambda_{H_1}\lambda_{W_1} \ldots \lambda_{W_L}$ , with the regularization parameters upper bounded by 1/(L+1). Then, for any globally optimal solution of the L-DUFM $_{\epsilon}$  problem, the distance between any two feature vectors of the same class in any layer is at most

$$\frac{6\epsilon\sqrt{D(L+1)}}{(L+1)^{L+1}\bar{\lambda}\sqrt{n}}.$$
(17)

[Proof of Theorem 17, Part 2:] Inductively, the upper bound on the  $l_2$  error in the output space is

$$\epsilon \sum_{l=2}^{L} \frac{\sqrt{d_l}}{(L+1)^{\frac{L-l+1}{2}}} \prod_{j=l}^{L} \frac{1}{\sqrt{\lambda_{W_j}}}.$$

This can be further upper bounded as

$$\frac{\epsilon\sqrt{D}\sqrt{\lambda_{H_1}\lambda_{W_1}}}{(L+1)^{\frac{L-1}{2}}\sqrt{\lambda}}.$$

Using the triangle inequality, the upper bound on  $|L_0(t,r) - L_{\epsilon}(t,r)|$  is this expression squared. On the other hand, the second derivative of  $L_0(t,r)$  with respect to t is lower bounded by  $n\lambda_{H_1}$ . [...] the distance between the minimizers  $t_0$  and  $t_{\epsilon}$  of  $L_0(t,r)$  and  $L_{\epsilon}(t,r)$  is at most

$$\frac{2\epsilon\sqrt{D(L+1)}}{(L+1)^{\frac{L+1}{2}}\sqrt{\bar{\lambda}n}}.$$

[...]

$$||y^{L}|| \leq \frac{2\epsilon\sqrt{D(L+1)}}{(L+1)^{\frac{L+1}{2}}\sqrt{\lambda n}} \frac{1}{(L+1)^{\frac{L-1}{2}}\sqrt{\lambda_{W_{1}}\lambda_{W_{2}}\dots\lambda_{W_{L-1}}}} + \epsilon\sqrt{d_{l_{0}}} \frac{1}{(L+1)^{\frac{L-l_{0}}{2}}\sqrt{\lambda_{W_{l_{0}}}\lambda_{W_{l_{0}}+1}\dots\lambda_{W_{L-1}}}} \leq \frac{3\epsilon\sqrt{D(L+1)}}{(L+1)^{L+1}\overline{\lambda}\sqrt{n}}.$$"""

claim = register(Claim(
    id="sk.thm4",
    paper="sk",
    label="Theorem 4",
    title="Optimal L-DUFM solutions exhibit DNC1 at the last layer (with Theorem 17 and the "
          "Section 4 DNC1 metric)",
    source="002_521ba04a56249479.txt, Section 3 (Theorem 4), Section 4 (DNC1 metric), "
           "Appendix B.2 (proof of Theorem 4, Definition 16, Theorem 17 and its proof)",
    statement=STATEMENT,
    domain={"K": "integer >= 2", "L": "integer >= 2", "n": "integer >= 1",
            "lambdas": "lambda_H1, lambda_W1..lambda_WL > 0",
            "solutions": "global minimisers of the L-DUFM loss (1) (ReLU, MSE)",
            "Theorem 17": "sigma_eps as in Definition 16, all lambdas <= 1/(L+1)"},
))

_LOC4 = "002_521ba04a56249479.txt, Section 3 (Theorem 4) and Appendix B.2"
_LOC17 = "002_521ba04a56249479.txt, Appendix B.2, proof of Theorem 17 (Part 2)"

# --------------------------------------------------------------------------------------------
# shared pieces
# --------------------------------------------------------------------------------------------


def within_class_distance(H: np.ndarray, labels: np.ndarray, K: int) -> float:
    """``max_c max_{i,j} ‖h_ci - h_cj‖``: the largest distance between two feature vectors of
    the same class (the quantity bounded by Theorem 17; 0 exactly under DNC1).  ``H`` is
    (d, N), ``labels`` one integer label per column."""
    H = np.asarray(H, dtype=np.float64)
    y = np.asarray(labels)
    out = 0.0
    for c in range(require_int("K", K, minimum=2)):
        X = H[:, y == c]
        if X.shape[1] > 1:
            G = X.T @ X
            sq = np.diag(G)[:, None] + np.diag(G)[None, :] - 2.0 * G
            out = max(out, float(np.sqrt(max(0.0, sq.max()))))
    return out


def printed_nc1_metric(H: np.ndarray, labels: np.ndarray, K: int, rtol: float = 1e-10) -> float:
    """The DNC1 metric as printed in `sk` §4: ``tr(Σ_W) / tr(Σ_B^†)`` (Σ_W, Σ_B as in
    :mod:`ncverify.engine.metrics`; pseudo-inverse with relative eigenvalue cutoff ``rtol``).
    Compared, not used: it is not scale invariant (check (b))."""
    Sw = metrics.within_class_covariance(H, labels, K)
    Sb = metrics.between_class_covariance(H, labels, K)
    w, _ = np.linalg.eigh(Sb)
    keep = w > rtol * max(w.max(), 0.0)
    tr_pinv = float(np.sum(1.0 / w[keep])) if keep.any() else 0.0
    return float(np.trace(Sw)) / tr_pinv if tr_pinv > 0 else math.inf


def smooth_relu(x: np.ndarray, eps: float) -> np.ndarray:
    """A ReLU_ε of Definition 16: ``σ_ε(x) = x²(2ε - x)/ε²`` on (0, ε), ``max(x, 0)`` elsewhere.

    (i) equal to ReLU outside (0, ε); (ii) ``x - σ_ε(x) = x(x - ε)²/ε² > 0`` and σ_ε > 0 on
    (0, ε); (iii) C¹ (``σ_ε'(0⁺) = 0``, ``σ_ε'(ε⁻) = 1``) with ``σ_ε'(x) = x(4ε - 3x)/ε²``,
    strictly positive on (0, ε) and at most 4/3.
    """
    eps = require_positive("eps", eps)
    x = np.asarray(x, dtype=np.float64)
    inside = (x > 0.0) & (x < eps)
    return np.where(inside, x * x * (2.0 * eps - x) / eps**2, np.maximum(x, 0.0))


def smooth_relu_derivative(x: np.ndarray, eps: float) -> np.ndarray:
    """``σ_ε'(x)``: ``x(4ε - 3x)/ε²`` on (0, ε), 1 for x >= ε, 0 for x <= 0."""
    eps = require_positive("eps", eps)
    x = np.asarray(x, dtype=np.float64)
    inside = (x > 0.0) & (x < eps)
    return np.where(inside, x * (4.0 * eps - 3.0 * x) / eps**2, (x >= eps).astype(np.float64))


def theorem17_bound(eps: float, D: int, L: int, lams: Sequence[float], n: int) -> float:
    """Bound (17) of `sk` Theorem 17: ``6ε√(D(L+1)) / ((L+1)^{L+1} λ̄ √n)`` with
    ``λ̄ = λ_H1 λ_W1 ⋯ λ_WL`` (``lams`` = [λ_H1, λ_W1..λ_WL]); D = max(d_2..d_L).

    Raises ValueError if a λ exceeds the theorem's hypothesis 1/(L+1).
    """
    L = require_int("L", L, minimum=1)
    D, n = require_int("D", D, minimum=1), require_int("n", n, minimum=1)
    if len(lams) != L + 1:
        raise ValueError(f"lams must hold L+1 = {L + 1} values, got {len(lams)}")
    for x in lams:
        require_positive("lams", x)
        if x > 1.0 / (L + 1):
            raise ValueError(f"lams must be <= 1/(L+1) = {1 / (L + 1):.6g} (Theorem 17), got {x}")
    lam_bar = float(np.prod(lams))
    return 6.0 * eps * math.sqrt(D * (L + 1)) / ((L + 1) ** (L + 1) * lam_bar * math.sqrt(n))


def _per_sample_losses(config: DUFMConfig, params: Sequence[np.ndarray]) -> np.ndarray:
    """``ℓ_i = (1/2N)‖z_i - y_i‖² + (λ_H1/2)‖h_i‖²``: the loss (1) splits over the columns of
    H_1 once the weights are fixed (Step 1 of the proof of Theorem 4)."""
    batch = DUFMBatch(config.replace(dtype="float64"), runs=1)
    _, _, Z = batch.features([np.asarray(p, dtype=np.float64)[None] for p in params])
    Y = np.eye(config.K)[:, config.labels()]
    H1 = np.asarray(params[0], dtype=np.float64)
    return (0.5 / config.N * np.sum((Z[0] - Y) ** 2, axis=0)
            + 0.5 * config.lams[0] * np.sum(H1 * H1, axis=0))


def copy_best_columns(config: DUFMConfig, params: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Step 1 of the proof of Theorem 4 as a construction: with the weights fixed, replace every
    column of H_1 by the column of its class with the smallest per-sample loss.  The loss can
    only go down, strictly if two columns of a class have different per-sample losses."""
    ell = _per_sample_losses(config, params)
    y = config.labels()
    H1 = np.array(params[0], dtype=np.float64, copy=True)
    for c in range(config.K):
        idx = np.flatnonzero(y == c)
        H1[:, idx] = H1[:, [idx[int(np.argmin(ell[idx]))]]]
    return [H1, *[np.array(p, dtype=np.float64, copy=True) for p in params[1:]]]


def _loss(config: DUFMConfig, params: Sequence[np.ndarray]) -> float:
    batch = DUFMBatch(config.replace(dtype="float64"), runs=1)
    return float(batch.loss([np.asarray(p, dtype=np.float64)[None] for p in params])[0][0])


def _layer_stats(config: DUFMConfig, params: Sequence[np.ndarray]) -> list[dict[str, float]]:
    """Per layer l = 1..L (features H_l entering W_l, and their pre-activations H̃_l): NC1
    (pseudo-inverse), largest within-class distance, and that distance relative to the largest
    class-mean norm."""
    batch = DUFMBatch(config.replace(dtype="float64"), runs=1)
    pre, post, _ = batch.features([np.asarray(p, dtype=np.float64)[None] for p in params])
    y, K = config.labels(), config.K
    out = []
    for l in range(config.L):
        row: dict[str, float] = {"layer": l + 1}
        for tag, H in (("post", post[l][0]), ("pre", pre[l][0])):
            scale = float(np.linalg.norm(metrics.class_means(H, y, K), axis=0).max())
            dist = within_class_distance(H, y, K)
            row[f"nc1_{tag}"] = float(metrics.nc1_pinv(H, y, K))
            row[f"dist_{tag}"] = dist
            row[f"rel_dist_{tag}"] = dist / scale if scale > 0 else math.inf
            row[f"scale_{tag}"] = scale
        out.append(row)
    return out


# --------------------------------------------------------------------------------------------
# (a) Theorem 4 on engine runs
# --------------------------------------------------------------------------------------------

#: Problems of check (a): (label, config, seeds).  Small shapes, MSE + ReLU (`sk` Eq. (1)).
_PROBLEMS_FULL = (
    ("K3-L2", DUFMConfig(K=3, n=4, d=6, L=2, activation="relu", loss="mse", lam=0.005), 4),
    ("K4-L3", DUFMConfig(K=4, n=3, d=8, L=3, activation="relu", loss="mse", lam=0.005), 4),
    ("K5-L4", DUFMConfig(K=5, n=3, d=10, L=4, activation="relu", loss="mse", lam=0.004), 3),
    ("K6-L3", DUFMConfig(K=6, n=2, d=10, L=3, activation="relu", loss="mse", lam=0.004,
                         lam_H1=0.002), 3),
)
_PROBLEMS_QUICK = (
    ("K3-L2", DUFMConfig(K=3, n=4, d=6, L=2, activation="relu", loss="mse", lam=0.005), 3),
    ("K4-L3", DUFMConfig(K=4, n=3, d=8, L=3, activation="relu", loss="mse", lam=0.005), 2),
)
_GD_STEPS = (8000, 3000)          # (full, quick) gradient-descent steps before polishing
_GTOL = 1e-6                      # converged: gradient norm after polishing
_TOL_REL_DIST = 1e-5              # DNC1: max within-class distance / max class-mean norm
_TOL_NC1 = 1e-9                   # DNC1: nc1_pinv
_TOL_LOSS = 1e-9                  # losses differing by more are different


@functools.lru_cache(maxsize=2)
def theorem4_runs(quick: bool) -> tuple[dict[str, Any], ...]:
    """Train, polish and analyse every run of check (a) (cached per mode).

    Each run: gradient descent (engine, lr 0.5, seeds 0..R-1 batched) then L-BFGS polishing
    (``ncverify.engine.polish``, gtol 1e-10, at most 3000 iterations); per-layer statistics; and
    for runs without DNC1 at layer L the loss after :func:`copy_best_columns` and after polishing
    that again.
    """
    problems = _PROBLEMS_QUICK if quick else _PROBLEMS_FULL
    steps = _GD_STEPS[1] if quick else _GD_STEPS[0]
    rows = []
    for label, cfg, R in problems:
        res = train(cfg, steps=steps, runs=R, seed=0, record_every=steps)
        for r in range(R):
            pol = polish(cfg, res.run_params(r), gtol=1e-10, maxiter=3000)
            stats = _layer_stats(cfg, pol.params)
            last = stats[-1]
            dnc1 = bool(last["rel_dist_post"] <= _TOL_REL_DIST and last["nc1_post"] <= _TOL_NC1)
            row: dict[str, Any] = {
                "problem": label, "K": cfg.K, "L": cfg.L, "n": cfg.sizes[0], "d": cfg.d,
                "lams": list(cfg.lams), "seed": r, "loss": pol.loss, "grad_norm": pol.grad_norm,
                "converged": bool(pol.grad_norm <= _GTOL), "dnc1_last_layer": dnc1,
                "dnc1_all_layers": bool(all(s["rel_dist_post"] <= _TOL_REL_DIST
                                            for s in stats)),
                "layers": stats}
            if not dnc1:
                copied = copy_best_columns(cfg, pol.params)
                row["loss_after_copy"] = _loss(cfg, copied)
                again = polish(cfg, copied, gtol=1e-10, maxiter=3000)
                row["loss_after_copy_and_polish"] = again.loss
                last2 = _layer_stats(cfg, again.params)[-1]
                row["improved_converged"] = bool(again.grad_norm <= _GTOL)
                row["improved_dnc1_last_layer"] = bool(
                    last2["rel_dist_post"] <= _TOL_REL_DIST and last2["nc1_post"] <= _TOL_NC1)
            row["_params"] = pol.params
            rows.append(row)
    for label, *_ in problems:
        mine = [x for x in rows if x["problem"] == label and x["converged"]]
        best = min((x["loss"] for x in mine), default=math.inf)
        for x in mine:
            x["best"] = bool(x["loss"] <= best + _TOL_LOSS)
            x["best_loss_of_problem"] = best
    return tuple(rows)


def _lowest_found(rows: Sequence[dict[str, Any]], label: str) -> dict[str, Any]:
    """The lowest loss found for a problem over the converged runs and the converged
    solutions obtained from them by the column copy and polishing, and whether every solution
    at that loss (within 1e-9) has DNC1 at layer L."""
    cands = []
    for x in rows:
        if x["problem"] != label or not x["converged"]:
            continue
        cands.append((x["loss"], x["dnc1_last_layer"], f"seed{x['seed']}"))
        if x.get("improved_converged"):
            cands.append((x["loss_after_copy_and_polish"], x["improved_dnc1_last_layer"],
                          f"seed{x['seed']} after column copy + polish"))
    if not cands:
        return {"loss": None, "dnc1_last_layer": None, "solutions": []}
    low = min(c[0] for c in cands)
    at = [c for c in cands if c[0] <= low + _TOL_LOSS]
    return {"loss": low, "dnc1_last_layer": all(c[1] for c in at),
            "solutions": [c[2] for c in at]}


def _public(row: dict[str, Any]) -> dict[str, Any]:
    keep = {k: v for k, v in row.items() if not k.startswith("_") and k != "layers"}
    keep["last_layer"] = {k: row["layers"][-1][k] for k in
                          ("nc1_post", "rel_dist_post", "dist_post", "nc1_pre", "rel_dist_pre")}
    keep["max_rel_dist_all_layers"] = max(s["rel_dist_post"] for s in row["layers"])
    return keep


@claim.check("empirical", "DNC1 at layer L on the best solutions; the rest shown non-optimal",
             method="Engine runs (MSE, ReLU): (K, L, n, d, lambdas) = (3, 2, 4, 6, 0.005), "
                    "(4, 3, 3, 8, 0.005), (5, 4, 3, 10, 0.004), (6, 3, 2, 10, lambda_H1 = 0.002, "
                    "lambda_W = 0.004); 3-4 seeds each (quick: the first two, 2-3 seeds); 8000 "
                    "gradient-descent steps (lr 0.5; quick 3000), then L-BFGS polishing "
                    "(converged: gradient norm <= 1e-6). DNC1 at layer L: max within-class "
                    "distance of H_L <= 1e-5 x the largest class-mean norm and nc1_pinv(H_L) <= "
                    "1e-9. Theorem 4 concerns global minimisers, which no search certifies; the "
                    "check passes iff in every problem the best converged solutions (loss within "
                    "1e-9 of the best) have DNC1 at layer L, and every converged solution without "
                    "it is shown not optimal: its loss exceeds the best by > 1e-9, or copying the "
                    "best-loss H_1 column over its class (Step 1 of the proof), optionally "
                    "followed by polishing, lowers its loss by > 1e-9; and the lowest loss found "
                    "per problem (runs and their improved copies) is attained only by solutions "
                    "with DNC1 at layer L. A best solution without DNC1 that the copy cannot "
                    "improve is reported as a counterexample.")
def dnc1_last_layer(quick: bool) -> Outcome:
    rows = theorem4_runs(quick)
    conv = [x for x in rows if x["converged"]]
    bad_best, unexplained, reasons = [], [], {}
    for x in conv:
        if x["dnc1_last_layer"]:
            continue
        tag = f"{x['problem']}/seed{x['seed']}"
        drop = x["loss"] - min(x["loss_after_copy"], x["loss_after_copy_and_polish"])
        if x["best"]:
            if drop > _TOL_LOSS:
                reasons[tag] = f"best run improved by the column copy (loss drops by {drop:.3g})"
            else:
                bad_best.append(tag)
        elif x["loss"] > x["best_loss_of_problem"] + _TOL_LOSS or drop > _TOL_LOSS:
            reasons[tag] = (f"loss {x['loss']:.9f} > best {x['best_loss_of_problem']:.9f}; "
                            f"column copy lowers it by {drop:.3g}")
        else:
            unexplained.append(tag)
    problems = sorted({x["problem"] for x in rows})
    every_problem = all(any(x["converged"] for x in rows if x["problem"] == p) for p in problems)
    lowest = {p: _lowest_found(rows, p) for p in problems}
    counts = {"runs": len(rows), "converged": len(conv),
              "dnc1_last_layer": sum(x["dnc1_last_layer"] for x in conv),
              "dnc1_all_layers": sum(x["dnc1_all_layers"] for x in conv),
              "without_dnc1_shown_non_optimal": len(reasons)}
    if not every_problem:
        passed = None
    else:
        passed = (not bad_best and not unexplained
                  and all(v["dnc1_last_layer"] for v in lowest.values()))
    result = {"counts": counts, "lowest_loss_found": lowest,
              "lowest_loss_solutions_have_dnc1_at_L": all(v["dnc1_last_layer"]
                                                          for v in lowest.values()),
              "best_without_dnc1_not_improvable": bad_best,
              "non_best_without_dnc1_unexplained": unexplained,
              "without_dnc1_shown_non_optimal": reasons,
              "runs": [_public(x) for x in rows]}
    if passed is None:
        result["reason"] = "a problem had no converged run"
    return Outcome(passed=passed, result=result,
                   parameters={"gd_steps": _GD_STEPS[1] if quick else _GD_STEPS[0],
                               "lr": 0.5, "polish_gtol": 1e-10, "converged_gtol": _GTOL,
                               "tol_rel_dist": _TOL_REL_DIST, "tol_nc1": _TOL_NC1,
                               "tol_loss": _TOL_LOSS},
                   key=("best_without_dnc1_not_improvable",
                        "lowest_loss_solutions_have_dnc1_at_L"))


# --------------------------------------------------------------------------------------------
# (b) the Section 4 metric
# --------------------------------------------------------------------------------------------

def _exact_covariances(H: sympy.Matrix, K: int, n: int) -> tuple[sympy.Matrix, sympy.Matrix]:
    """Σ_W and Σ_B (balanced classes, columns in class order) in exact arithmetic."""
    d, N = H.shape
    M = sympy.Matrix.hstack(*[sum((H[:, c * n + i] for i in range(n)), sympy.zeros(d, 1)) / n
                              for c in range(K)])
    mu = sum((M[:, c] for c in range(K)), sympy.zeros(d, 1)) / K
    R = sympy.Matrix.hstack(*[H[:, c * n + i] - M[:, c] for c in range(K) for i in range(n)])
    Mc = M - mu * sympy.ones(1, K)
    return R * R.T / N, Mc * Mc.T / K


def _exact_papyan(H: sympy.Matrix, K: int, n: int) -> Any:
    """``tr(Σ_W Σ_B^†)/K`` exactly (SymPy pseudo-inverse)."""
    Sw, Sb = _exact_covariances(H, K, n)
    return sympy.simplify((Sw * Sb.pinv()).trace() / K)


def _exact_printed(H: sympy.Matrix, K: int, n: int) -> Any:
    """``tr(Σ_W)/tr(Σ_B^†)`` exactly, as printed in §4."""
    Sw, Sb = _exact_covariances(H, K, n)
    return sympy.simplify(Sw.trace() / Sb.pinv().trace())


@claim.check("exact", "the Section 4 DNC1 metric under rescaling H -> cH",
             method="SymPy, exact rationals and a positive symbol c: for integer feature "
                    "matrices (d = 3, K = 3, n = 2, and d = 2, K = 3, n = 3; Σ_B of rank 2 and 2, "
                    "pseudo-inverse exact), the ratio printed(cH)/printed(H) of tr(Σ_W)/tr(Σ_B^†) "
                    "and the difference papyan(cH) - papyan(H) of tr(Σ_W Σ_B^†)/K, simplified. "
                    "Passes iff the metric ncverify uses (tr(Σ_W Σ_B^†)/K) is exactly scale "
                    "invariant; a printed ratio other than 1 is recorded as a discrepancy.")
def metric_scaling(quick: bool) -> Outcome:
    c = sympy.Symbol("c", positive=True)
    examples = [(sympy.Matrix([[1, 2, 0, -1, 3, 5], [0, 1, 4, 4, -2, -1], [2, 2, 1, 0, 0, 1]]),
                 3, 2)]
    if not quick:
        examples.append((sympy.Matrix([[1, 0, 2, 5, 4, 6, -1, 0, -3],
                                       [0, 1, 1, 2, 3, 2, 4, 6, 5]]), 3, 3))
    rows, invariant, ratios = [], True, set()
    for H, K, n in examples:
        p0, p1 = _exact_printed(H, K, n), _exact_printed(c * H, K, n)
        q0, q1 = _exact_papyan(H, K, n), _exact_papyan(c * H, K, n)
        ratio = sympy.simplify(p1 / p0)
        diff = sympy.simplify(q1 - q0)
        invariant &= bool(diff == 0)
        ratios.add(sympy.sstr(ratio))
        rows.append({"H": sympy.sstr(H.tolist()), "K": K, "n": n, "printed_metric": p0,
                     "printed_ratio_cH_over_H": ratio, "papyan_metric": q0,
                     "papyan_difference_cH_minus_H": diff})
    disc = []
    if ratios != {"1"}:
        disc.append(Discrepancy(
            kind="typo",
            published="Section 4: 'We employ the standard DNC1 metric tr(Σ_W)/tr(Σ_B^†) [...] "
                      "widely used in the literature [4, 41, 50]'",
            computed="tr(Σ_W)/tr(Σ_B^†) is not scale invariant: under H -> cH it is multiplied "
                     f"by {', '.join(sorted(ratios))} (Σ_W -> c²Σ_W, Σ_B^† -> c^-2 Σ_B^†), so it "
                     "measures the feature scale as well as the collapse; the standard "
                     "scale-invariant metric of Papyan et al. [41] is tr(Σ_W Σ_B^†)/K, exactly "
                     "invariant, and is what ncverify computes (engine.metrics.nc1_pinv)",
            evidence="exact SymPy computation on integer feature matrices: " + "; ".join(
                f"ratio {r['printed_ratio_cH_over_H']}, tr(Σ_W Σ_B^†)/K difference "
                f"{r['papyan_difference_cH_minus_H']}" for r in rows),
            location="002_521ba04a56249479.txt, Section 4, first paragraph"))
    return Outcome(passed=invariant, result={"examples": rows, "papyan_invariant": invariant,
                                             "printed_ratios": sorted(ratios)},
                   parameters={"symbol": "c > 0"},
                   key=("examples", "papyan_invariant", "printed_ratios"), discrepancies=disc)


# --------------------------------------------------------------------------------------------
# (c) Theorem 17 on smoothed-ReLU solutions
# --------------------------------------------------------------------------------------------

def _smoothed_forward(params: Sequence[np.ndarray], eps: float
                      ) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """Features H_1..H_L (post), pre-activations H̃_2..H̃_L and output of the L-DUFM_ε
    (eps = 0: ReLU)."""
    A, P = [np.asarray(params[0], dtype=np.float64)], []
    for W in params[1:-1]:
        P.append(W @ A[-1])
        A.append(smooth_relu(P[-1], eps) if eps > 0 else np.maximum(P[-1], 0.0))
    return A, P, params[-1] @ A[-1]


def _smoothed_loss_grad(params: Sequence[np.ndarray], lams: Sequence[float], K: int, n: int,
                        eps: float) -> tuple[float, list[np.ndarray]]:
    """Loss (1) with σ_ε and its gradient (backward pass as in ncverify.engine.dufm)."""
    N = K * n
    Y = np.repeat(np.eye(K), n, axis=1)
    A, P, Z = _smoothed_forward(params, eps)
    E = (Z - Y) / N
    G: list[np.ndarray] = [np.empty(0)] * len(params)
    G[-1] = E @ A[-1].T
    B = params[-1].T @ E
    for l in range(len(params) - 2, 0, -1):
        B = B * (smooth_relu_derivative(P[l - 1], eps) if eps > 0 else (P[l - 1] > 0))
        G[l] = B @ A[l - 1].T
        B = params[l].T @ B
    G[0] = B
    value = 0.5 / N * float(np.sum((Z - Y) ** 2))
    value += sum(0.5 * lam * float(np.sum(p * p)) for lam, p in zip(lams, params, strict=True))
    return value, [g + lam * p for g, lam, p in zip(G, lams, params, strict=True)]


def _train_smoothed(K: int, n: int, d: int, L: int, lams: Sequence[float], eps: float,
                    seed: int) -> tuple[float, float, list[np.ndarray]]:
    """L-BFGS on the L-DUFM_ε from the engine's Gaussian initialisation; (loss, |grad|, params)."""
    shapes = [(d, K * n)] + [(d, d)] * (L - 1) + [(K, d)]
    rng = np.random.default_rng(seed)
    x0 = np.concatenate([rng.standard_normal(s).ravel() * (1.0 if i == 0 else 1 / math.sqrt(s[1]))
                         for i, s in enumerate(shapes)])

    def unflat(x):
        out, i = [], 0
        for r, c in shapes:
            out.append(x[i:i + r * c].reshape(r, c))
            i += r * c
        return out

    def fun(x):
        v, G = _smoothed_loss_grad(unflat(x), lams, K, n, eps)
        return v, np.concatenate([g.ravel() for g in G])

    res = scipy.optimize.minimize(fun, x0, jac=True, method="L-BFGS-B",
                                  options={"maxiter": 20000, "gtol": 1e-13, "ftol": 1e-300,
                                           "maxcor": 30})
    v, g = fun(res.x)
    return v, float(np.linalg.norm(g)), unflat(res.x)


#: Problems of check (c): (K, n, d, L, [λ_H1, λ_W1..λ_WL]); every λ <= 1/(L+1), solutions
#: not the zero network.
_SMOOTH_FULL = ((3, 2, 4, 2, (0.05, 0.1, 0.1)), (3, 2, 6, 3, (0.02, 0.05, 0.05, 0.05)))
_SMOOTH_QUICK = ((3, 2, 4, 2, (0.05, 0.1, 0.1)),)
_EPS_FULL = (1e-3, 1e-4, 1e-5)
_EPS_QUICK = (1e-3, 1e-5)


def _printed_error_bound(eps: float, D: int, L: int, lams: Sequence[float]) -> float:
    """``ε√D√(λ_H1λ_W1)/((L+1)^{(L-1)/2}√λ̄)``: the proof's simplified output-error bound."""
    return eps * math.sqrt(D) * math.sqrt(lams[0] * lams[1]) / (
        (L + 1) ** ((L - 1) / 2) * math.sqrt(float(np.prod(lams))))


def _sum_error_bound(eps: float, D: int, L: int, lams: Sequence[float]) -> float:
    """``ε Σ_{l=2}^L √d_l (L+1)^{-(L-l+1)/2} Π_{j=l}^L λ_{W_j}^{-1/2}`` (d_l = D)."""
    return eps * sum(math.sqrt(D) / (L + 1) ** ((L - l + 1) / 2)
                     * float(np.prod([1 / math.sqrt(lams[j]) for j in range(l, L + 1)]))
                     for l in range(2, L + 1))


def _ray_gap(Ws: Sequence[np.ndarray], r: np.ndarray, K: int, eps: float
             ) -> tuple[float, float]:
    """``max_t |L_0(t,r) - L_ε(t,r)|`` (Eqs. (18)-(19); the λ_H1 t² terms cancel) and
    ``max_t ‖f_0(tr) - f_ε(tr)‖`` over a log grid t in [1e-9, 10]."""
    e1 = np.zeros(K)
    e1[0] = 1.0
    T = np.geomspace(1e-9, 10.0, 3000)
    X = r[:, None] * T[None, :]
    f0 = _smoothed_forward([X, *Ws], 0.0)[2]
    fe = _smoothed_forward([X, *Ws], eps)[2]
    gap = 0.5 / K * np.abs(np.sum((f0 - e1[:, None]) ** 2, axis=0)
                           - np.sum((fe - e1[:, None]) ** 2, axis=0))
    return float(gap.max()), float(np.linalg.norm(f0 - fe, axis=0).max())


@claim.check("empirical", "Theorem 17: bound (17) on smoothed-ReLU solutions",
             method="sigma_eps(x) = x^2(2 eps - x)/eps^2 on (0, eps), ReLU elsewhere (satisfies "
                    "Definition 16). L-DUFM_eps problems with every lambda <= 1/(L+1) and a "
                    "non-zero optimum: (K, n, d, L, lambdas) = (3, 2, 4, 2, (0.05, 0.1, 0.1)) and "
                    "(3, 2, 6, 3, (0.02, 0.05, 0.05, 0.05)) (quick: the first), eps in {1e-3, "
                    "1e-4, 1e-5} (quick 1e-3, 1e-5); L-BFGS from 4 seeds, the best solution "
                    "stands in for the global optimum. Bound (17) with D = d against the largest "
                    "within-class distance in every layer (post- and pre-activation); a case is "
                    "non-vacuous when (17) is below the largest feature norm. Passes iff no "
                    "distance exceeds (17) and at least one case is non-vacuous. On the same "
                    "solutions: the proof's balance lambda_l ||W_l||^2 = lambda_H1 ||H_1||^2 "
                    "(rel. 1e-4), ||W_l||_op <= 1/sqrt((L+1) lambda_l), the output-error "
                    "propagation max_t ||f_0(tr) - f_eps(tr)|| <= its printed sum (t on a log grid "
                    "[1e-9, 10], r the unit first column of H_1), and the printed step "
                    "max_t |L_0(t,r) - L_eps(t,r)| <= (its simplified bound)^2. Also bound (17) "
                    "at the hyperparameters of check (a).")
def theorem17(quick: bool) -> Outcome:
    problems = _SMOOTH_QUICK if quick else _SMOOTH_FULL
    epss = _EPS_QUICK if quick else _EPS_FULL
    seeds = range(2 if quick else 4)
    cases, step_fail, facts_ok, exceeded, nonvacuous = [], [], True, [], 0
    for K, n, d, L, lams in problems:
        y = np.repeat(np.arange(K), n)
        for eps in epss:
            best = min((_train_smoothed(K, n, d, L, lams, eps, s) for s in seeds),
                       key=lambda t: t[0])
            loss, gnorm, P = best
            A, Pre, _ = _smoothed_forward(P, eps)
            bound = theorem17_bound(eps, d, L, lams, n)
            dists = [within_class_distance(H, y, K) for H in A + Pre]
            scale = max(float(np.linalg.norm(H, axis=0).max()) for H in A)
            nv = bound < scale
            nonvacuous += nv
            if max(dists) > bound:
                exceeded.append([K, L, eps])
            balance = [lam * float(np.sum(p * p)) for lam, p in zip(lams, P, strict=True)]
            bal_err = (max(balance) - min(balance)) / max(balance)
            op_ok = all(np.linalg.norm(W, 2) <= 1 / math.sqrt((L + 1) * lam) * (1 + 1e-9)
                        for W, lam in zip(P[1:], lams[1:], strict=True))
            r = P[0][:, 0] / np.linalg.norm(P[0][:, 0])
            gap, out_err = _ray_gap(P[1:], r, K, eps)
            E = _printed_error_bound(eps, d, L, lams)
            S = _sum_error_bound(eps, d, L, lams)
            facts = bool(bal_err <= 1e-4 and op_ok and out_err <= S * (1 + 1e-9)
                         and sum(balance) / 2 <= 0.5)
            facts_ok &= facts
            if gap > E * E:
                step_fail.append({"K": K, "L": L, "eps": eps, "max_gap": gap,
                                  "printed_bound_squared": E * E, "ratio": gap / (E * E)})
            cases.append({"K": K, "n": n, "d": d, "L": L, "lams": list(lams), "eps": eps,
                          "loss": loss, "grad_norm": gnorm, "bound_17": bound,
                          "max_within_class_distance": max(dists),
                          "distance_by_layer_post": dists[:L], "feature_scale": scale,
                          "non_vacuous": bool(nv), "balance_rel_spread": bal_err,
                          "op_norm_bounds_hold": bool(op_ok), "max_output_error": out_err,
                          "printed_sum_bound": S, "max_loss_gap_on_ray": gap,
                          "printed_bound_squared": E * E, "proof_facts_hold": facts})
    # bound (17) at the hyperparameters of check (a): the eps below which it is non-vacuous
    at_a = []
    for label in dict.fromkeys(x["problem"] for x in theorem4_runs(quick)):
        x = next(x for x in theorem4_runs(quick) if x["problem"] == label and x.get("best"))
        scale = max(s["scale_post"] for s in x["layers"])
        per_eps = theorem17_bound(1.0, x["d"], x["L"], x["lams"], x["n"])
        at_a.append({"problem": label, "bound_17_per_unit_eps": per_eps,
                     "eps_for_bound_below_feature_scale": scale / per_eps,
                     "max_within_class_distance_all_layers_relu":
                         max(s["dist_post"] for s in x["layers"])})
    passed = (not exceeded and facts_ok) if nonvacuous else None
    disc = []
    if step_fail:
        worst = max(step_fail, key=lambda s: s["ratio"])
        disc.append(Discrepancy(
            kind="false-on-part-of-domain",
            published="proof of Theorem 17: 'Using the triangle inequality, the upper bound on "
                      "|L_0(t,r) - L_eps(t,r)| is this expression squared' (the expression "
                      "eps sqrt(D) sqrt(lambda_H1 lambda_W1)/((L+1)^((L-1)/2) sqrt(lambda-bar)))",
            computed="|L_0 - L_eps| = (1/2K)| ||f_0 - e_1||^2 - ||f_eps - e_1||^2 | is of first "
                     "order in the output error (difference of squares), so it is O(eps), not "
                     "O(eps^2): the printed step fails for small eps, and with the first-order "
                     "bound the minimiser distance 2 sqrt(d/c) is O(sqrt(eps)); the proof as "
                     "printed does not establish the O(eps) bound (17)",
            evidence=f"{len(step_fail)} of {len(cases)} solved cases: max_t |L_0 - L_eps| "
                     f"exceeds the squared bound, worst {worst['max_gap']:.3e} > "
                     f"{worst['printed_bound_squared']:.3e} (ratio {worst['ratio']:.3g}) at K = "
                     f"{worst['K']}, L = {worst['L']}, eps = {worst['eps']:g}; the ratio grows "
                     "like 1/eps",
            location=_LOC17))
    result = {"cases": cases, "exceeding_bound": exceeded, "non_vacuous_cases": nonvacuous,
              "proof_facts_hold": facts_ok, "squared_step_fails": step_fail,
              "bound_17_at_check_a_hyperparameters": at_a,
              "note": "solutions are the best of a few L-BFGS runs, not certified global optima; "
                      "at the small lambdas of check (a) bound (17) is far above the feature "
                      "scale unless eps is tiny (see bound_17_at_check_a_hyperparameters)"}
    if passed is None:
        result["reason"] = "bound (17) was vacuous in every case"
    return Outcome(passed=passed, result=result,
                   parameters={"sigma_eps": "x^2(2eps - x)/eps^2 on (0, eps)",
                               "problems": [list(p[:4]) + [list(p[4])] for p in problems],
                               "eps": list(epss), "seeds": len(seeds), "t_grid": "geomspace("
                               "1e-9, 10, 3000)"},
                   key=("exceeding_bound",), discrepancies=disc)


# --------------------------------------------------------------------------------------------
# (d) two inequalities of the proof of Theorem 17, exactly
# --------------------------------------------------------------------------------------------

@claim.check("exact", "Theorem 17 proof: the simplified error bound and the final combination",
             method="SymPy. (1) The printed step 'eps Sum_{l=2}^L sqrt(d_l)(L+1)^{-(L-l+1)/2} "
                    "Prod_{j=l}^L lambda_{W_j}^{-1/2} <= eps sqrt(D) sqrt(lambda_H1 lambda_W1)/"
                    "((L+1)^{(L-1)/2} sqrt(lambda-bar))' (lambda read as lambda-bar): the ratio "
                    "sum/bound is simplified to Sum_{l=2}^L Prod_{j=2}^{l-1} sqrt((L+1)"
                    "lambda_{W_j}) with symbolic lambdas (L = 2..6) and evaluated at lambda = "
                    "1/(L+1) for L = 2..10. (2) With that bound B, 2 sqrt(B^2/(n lambda_H1)) "
                    "against the printed minimiser distance (consistency, lambda_W1 <= 1/(L+1)). "
                    "(3) The final combination '(first term) + eps sqrt(d_l0)/((L+1)^{(L-l0)/2} "
                    "sqrt(lambda_{W_l0}...lambda_{W_{L-1}})) <= 3 eps sqrt(D(L+1))/((L+1)^{L+1} "
                    "lambda-bar sqrt(n))': the second term does not depend on n; the least n "
                    "for which it alone exceeds the right side, exactly, at L = 3, l0 = 2, "
                    "all lambdas 1/8 and at L = 2, l0 = 2, lambdas (1/20, 1/10, 1/10).")
def theorem17_proof_steps(quick: bool) -> Outcome:
    D, eps, n = sympy.symbols("D eps n", positive=True)
    # (1) the sum against its printed simplification
    sym_ok, at_max = True, {}
    for L in range(2, (4 if quick else 6) + 1):
        lw = sympy.symbols(f"lamW1:{L + 1}", positive=True)       # λ_W1..λ_WL
        lh = sympy.Symbol("lamH1", positive=True)
        total = eps * sum(sympy.sqrt(D) / (L + 1) ** sympy.Rational(L - l + 1, 2)
                          * sympy.Mul(*[1 / sympy.sqrt(lw[j - 1]) for j in range(l, L + 1)])
                          for l in range(2, L + 1))
        lam_bar = lh * sympy.Mul(*lw)
        printed = eps * sympy.sqrt(D) * sympy.sqrt(lh * lw[0]) / (
            (L + 1) ** sympy.Rational(L - 1, 2) * sympy.sqrt(lam_bar))
        claimed = sum(sympy.Mul(*[sympy.sqrt((L + 1) * lw[j - 1]) for j in range(2, l)])
                      for l in range(2, L + 1))
        sym_ok &= sympy.simplify(sympy.powsimp(total / printed, force=True) - claimed) == 0
    for L in range(2, (6 if quick else 10) + 1):
        val = sum(sympy.Integer(1) for _ in range(2, L + 1))     # each product is 1 at 1/(L+1)
        lam = sympy.Rational(1, L + 1)
        total = sum(sympy.sqrt(D) / (L + 1) ** sympy.Rational(L - l + 1, 2)
                    * (1 / sympy.sqrt(lam)) ** (L - l + 1) for l in range(2, L + 1))
        printed = sympy.sqrt(D) / ((L + 1) ** sympy.Rational(L - 1, 2) * sympy.sqrt(lam) ** (L - 1))
        ratio = sympy.simplify(total / printed)
        at_max[str(L)] = ratio
        sym_ok &= ratio == val
    fails_at = [int(L) for L, v in at_max.items() if v > 1]
    # (2) the minimiser distance from 2 sqrt(d/c), d = B^2, c = n lambda_H1 (B = printed bound)
    L = sympy.Symbol("L", positive=True, integer=True)
    lh, lw1, lrest = sympy.symbols("lamH1 lamW1 lamRest", positive=True)   # lamRest = Π λ_W2..
    lam_bar = lh * lw1 * lrest
    B = eps * sympy.sqrt(D) * sympy.sqrt(lh * lw1) / (
        (L + 1) ** ((L - 1) / 2) * sympy.sqrt(lam_bar))
    dist = 2 * sympy.sqrt(B**2 / (n * lh))
    printed_dist = 2 * eps * sympy.sqrt(D * (L + 1)) / ((L + 1) ** ((L + 1) / 2)
                                                        * sympy.sqrt(lam_bar * n))
    consistency = sympy.simplify(sympy.powsimp((dist / printed_dist) ** 2, force=True))
    consistent = sympy.simplify(consistency - (L + 1) * lw1) == 0    # <= 1 iff λ_W1 <= 1/(L+1)
    # (3) the final combination: the n-free second term against the 1/sqrt(n) right side
    thresholds = {}
    for Lv, l0, lams in ((3, 2, [sympy.Rational(1, 8)] * 4),
                         (2, 2, [sympy.Rational(1, 20), sympy.Rational(1, 10),
                                 sympy.Rational(1, 10)])):
        lb = sympy.Mul(*lams)
        second = eps * sympy.sqrt(D) / ((Lv + 1) ** sympy.Rational(Lv - l0, 2) * sympy.sqrt(
            sympy.Mul(*lams[l0:Lv])))                                 # λ_{W_l0}..λ_{W_{L-1}}
        rhs = 3 * eps * sympy.sqrt(D * (Lv + 1)) / ((Lv + 1) ** (Lv + 1) * lb * sympy.sqrt(n))
        # second > rhs  <=>  n > (rhs * sqrt(n) / second)^2
        n_star = sympy.nsimplify(sympy.simplify((rhs * sympy.sqrt(n) / second) ** 2))
        first_n = int(sympy.floor(n_star)) + 1
        holds_below = bool(sympy.simplify(second - rhs.subs(n, first_n)) > 0)
        thresholds[f"L={Lv},l0={l0},lams={[sympy.sstr(x) for x in lams]}"] = {
            "n_threshold": n_star, "least_n_where_second_term_exceeds": first_n,
            "verified": holds_below}
    n_ok = all(v["verified"] for v in thresholds.values())
    disc = []
    if fails_at:
        disc.append(Discrepancy(
            kind="wrong-constant",
            published="proof of Theorem 17: eps Sum_{l=2}^L sqrt(d_l)/(L+1)^((L-l+1)/2) "
                      "Prod_{j=l}^L 1/sqrt(lambda_{W_j}) 'can be further upper bounded as' "
                      "eps sqrt(D) sqrt(lambda_H1 lambda_W1)/((L+1)^((L-1)/2) sqrt(lambda))",
            computed="the right side is only the l = 2 term of the sum: sum/right side = "
                     "Sum_{l=2}^L Prod_{j=2}^{l-1} sqrt((L+1) lambda_{W_j}), which is > 1 for "
                     "every L >= 3 and equals L - 1 when all lambdas are 1/(L+1) (allowed by the "
                     "theorem); the correct bound needs a factor up to L - 1 (the 'lambda' in "
                     "the denominator must be lambda-bar, as the next formula of the proof shows)",
            evidence=f"exact: ratio at lambda = 1/(L+1) is {dict(list(at_max.items())[:5])}; "
                     f"symbolic identity verified for L = 2..{4 if quick else 6}",
            location=_LOC17))
    if any(v["verified"] for v in thresholds.values()):
        first = next(iter(thresholds.items()))
        disc.append(Discrepancy(
            kind="false-on-part-of-domain",
            published="proof of Theorem 17: ||y^L|| <= (2 eps sqrt(D(L+1))/((L+1)^((L+1)/2) "
                      "sqrt(lambda n))) / ((L+1)^((L-1)/2) sqrt(lambda_W1...lambda_W(L-1))) + "
                      "eps sqrt(d_l0)/((L+1)^((L-l0)/2) sqrt(lambda_Wl0...lambda_W(L-1))) <= "
                      "3 eps sqrt(D(L+1))/((L+1)^(L+1) lambda-bar sqrt(n))",
            computed="the second term does not depend on n while the right side decays like "
                     "1/sqrt(n), so the inequality fails for every n above a threshold; the "
                     "proof as printed does not give the 1/sqrt(n) factor of bound (17)",
            evidence=f"exact: at {first[0]} the second term alone exceeds the right side for "
                     f"n >= {first[1]['least_n_where_second_term_exceeds']} (threshold "
                     f"{sympy.sstr(first[1]['n_threshold'])}); all cases: "
                     + "; ".join(f"{k}: n >= {v['least_n_where_second_term_exceeds']}"
                                 for k, v in thresholds.items()),
            location=_LOC17))
    ok = bool(sym_ok and consistent and n_ok)
    return Outcome(passed=ok, result={
        "symbolic_ratio_identity": bool(sym_ok), "ratio_at_lambda_1_over_L_plus_1": at_max,
        "simplification_fails_for_L": fails_at,
        "minimiser_distance_ratio_squared": consistency,
        "minimiser_distance_consistent": bool(consistent),
        "final_combination_n_thresholds": thresholds},
        parameters={"L_symbolic": f"2..{4 if quick else 6}", "L_at_max_lambda":
                    f"2..{6 if quick else 10}"},
        key=("symbolic_ratio_identity", "ratio_at_lambda_1_over_L_plus_1",
             "simplification_fails_for_L", "minimiser_distance_consistent",
             "final_combination_n_thresholds"),
        discrepancies=disc)
