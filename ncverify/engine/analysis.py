"""Per-layer analysis of a trained deep UFM and the classification of its solution.

Classification rule (documented because every experiment's "probability of DNC" depends on it):

* cross-entropy (`gk`): let ``M_Z`` be the K×K class-mean logit matrix and ``r`` the numerical
  rank (relative cutoff ``rank_rtol``, default 1e-3) of its centred version ``M_Z - μ_G 1ᵀ``.
  **DNC** if ``r = K - 1`` and the normalised Gram matrix of the centred means is within
  ``etf_tol`` (default 0.05) of the simplex ETF's; **low-rank** (rank r) if ``r < K - 1`` and
  every class mean is classified correctly; **other** otherwise.
* MSE (`sk`): let ``r`` be the numerical rank of the class means of the last hidden layer
  *before* the ReLU (``M̃_L``, the input of the last activation; H_1 when L = 1).  **DNC** if
  ``r = K`` and the post-activation means ``M_L`` are within ``etf_tol`` of an orthogonal frame
  (`sk` Definition 1, DNC2); **low-rank** if ``r < K`` and every class mean is classified
  correctly (the SRG solutions have r ≈ √(2K) before the ReLU, `sk` Fig. 2); **other** otherwise.

The rank cutoff 1e-3 relative to the largest singular value matches the papers' "number of
singular values that do not vanish"; the tolerances are parameters and recorded in outputs.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from ncverify.engine import metrics
from ncverify.engine.config import DUFMConfig
from ncverify.engine.dufm import DUFMBatch
from ncverify.models.scales import effective_lambda, optimal_dnc_scale

__all__ = ["analyse_run", "classify", "dnc_reference_loss"]


def dnc_reference_loss(config: DUFMConfig) -> float | None:
    """The optimal DNC loss for the config's hyperparameters, where ncverify has it.

    Cross-entropy (identity or ReLU): the deep-linear-UFM DNC optimum (`gk` App. B.3; for ReLU
    it lower-bounds DNC solutions satisfying Assumption 1, App. B.9), with λ the geometric mean
    of the per-parameter λ's.  MSE with ReLU, L >= 2 and d >= K: the loss of the optimal `sk`
    DNC solution (Definition 7 at its optimal scale, ``minimise_scale_loss(dnc_scale_loss(K,
    L, config.lams, n))`` from :mod:`ncverify.models.srg`; both use ``[λ_H1, λ_W1..λ_WL]`` and
    the loss ``(1/2N)‖Z - Y‖² + Σ ½λ‖·‖²``, and the engine's loss of ``dnc_network`` at that
    scale equals it, see tests); 0.5 when the optimum is the zero network.  Balanced classes
    only; otherwise None.
    """
    if len(set(config.sizes)) != 1:
        return None
    if config.loss == "mse":
        if config.activation != "relu" or config.L < 2 or config.d < config.K:
            return None
        return _sk_dnc_loss(config.K, config.L, config.sizes[0], tuple(config.lams))
    if config.loss != "ce":
        return None
    opt = optimal_dnc_scale(config.K, config.L, config.sizes[0], effective_lambda(config.lams))
    return float(opt.value)


@functools.lru_cache(maxsize=256)
def _sk_dnc_loss(K: int, L: int, n: int, lams: tuple[float, ...]) -> float:
    """min over the scale of the `sk` DNC loss (30 digits), cached per hyperparameters."""
    import mpmath

    from ncverify.models.srg import dnc_scale_loss, minimise_scale_loss

    with mpmath.workdps(40):
        form = dnc_scale_loss(K, L, [mpmath.mpf(x) for x in lams], n)
        return float(minimise_scale_loss(form).value)


def classify(config: DUFMConfig, pre_means: Sequence[np.ndarray], post_means: Sequence[np.ndarray],
             logit_means: np.ndarray, rank_rtol: float = 1e-3, etf_tol: float = 0.05
             ) -> dict[str, Any]:
    """Classify a solution as ``"dnc"``, ``"low-rank"`` or ``"other"`` (rule in module doc)."""
    K = config.K
    fits = bool(np.all(np.argmax(logit_means, axis=0) == np.arange(K)))
    if config.loss == "ce":
        centred = logit_means - logit_means.mean(axis=1, keepdims=True)
        r = int(metrics.numerical_rank(centred, rtol=rank_rtol))
        err = float(metrics.etf_error(logit_means))
        kind = "dnc" if (r == K - 1 and err <= etf_tol) else (
            "low-rank" if (r < K - 1 and fits) else "other")
        return {"kind": kind, "rank": r, "etf_error": err, "fits": fits,
                "rule": f"centred class-mean logits: rank (rtol {rank_rtol}) and ETF error "
                        f"(<= {etf_tol})"}
    M_pre, M_post = pre_means[-1], post_means[-1]
    r = int(metrics.numerical_rank(M_pre, rtol=rank_rtol))
    err = float(metrics.orthogonal_frame_error(M_post))
    kind = "dnc" if (r == K and err <= etf_tol) else ("low-rank" if (r < K and fits) else "other")
    return {"kind": kind, "rank": r, "orthogonal_frame_error": err, "fits": fits,
            "rule": f"last hidden layer before ReLU: rank (rtol {rank_rtol}); after ReLU: "
                    f"orthogonal frame (<= {etf_tol})"}


def analyse_run(config: DUFMConfig, params: Sequence[np.ndarray], rank_rtol: float = 1e-3,
                etf_tol: float = 0.05, reference: bool = True) -> dict[str, Any]:
    """Metrics of one run at its parameters.

    Returns a dict with the loss split (``loss``, ``fit``, ``regularisation``), per layer
    l = 1..L (features entering W_l: ``H_1`` and ``σ(H_l)``, and the pre-activations ``H_l``):
    NC1 (pseudo-inverse definition), class-mean singular values and ranks, condition number and
    ETF / orthogonal-frame errors; the class-mean logit matrix; the classification; and the
    DNC reference loss where available.
    """
    batch = DUFMBatch(config.replace(dtype="float64"), runs=1)
    P = [np.asarray(p, dtype=np.float64)[None] for p in params]
    total, fit = batch.loss(P)
    pre, post, Z = batch.features(P)
    labels, K = config.labels(), config.K
    layers = []
    pre_means, post_means = [], []
    for l in range(config.L):
        entry: dict[str, Any] = {"layer": l + 1}
        for tag, H in (("pre", pre[l][0]), ("post", post[l][0])):
            if l == 0 and tag == "post":
                continue  # H_1 has no activation
            M = metrics.class_means(H, labels, K)
            s = metrics.singular_values(M)
            entry[tag] = {
                "nc1": float(metrics.nc1_pinv(H, labels, K)),
                "class_mean_singular_values": s.tolist(),
                "rank": int(metrics.numerical_rank(M, rtol=rank_rtol)),
                "condition_number": float(metrics.condition_number(M)),
                "etf_error": float(metrics.etf_error(M)),
                "orthogonal_frame_error": float(metrics.orthogonal_frame_error(M)),
            }
            (pre_means if tag == "pre" else post_means).append(M)
        if l == 0:
            post_means.append(pre_means[-1])
            entry["post"] = entry["pre"]
        layers.append(entry)
    logit_means = metrics.class_means(Z[0], labels, K)
    out = {
        "loss": float(total[0]), "fit": float(fit[0]),
        "regularisation": float(total[0] - fit[0]),
        "layers": layers,
        "logit_class_means": logit_means.tolist(),
        "logit_singular_values": metrics.singular_values(logit_means).tolist(),
        "classification": classify(config, pre_means, post_means, logit_means, rank_rtol,
                                   etf_tol),
        "weight_singular_values": [metrics.singular_values(p).tolist() for p in params[1:]],
    }
    if reference:
        ref = dnc_reference_loss(config)
        out["dnc_reference_loss"] = ref
        if ref is not None:
            out["below_dnc_reference"] = bool(out["loss"] < ref)
    return out
