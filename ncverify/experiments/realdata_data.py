"""The digits data and the training task shared by the real-data experiments (issue 7).

The papers train ResNet backbones on MNIST / CIFAR-10 (`gk` §4 and App. D, `sk` §4 and App. C,
`zg` §6.3–6.4); here the handwritten digits that ship with scikit-learn
(``sklearn.datasets.load_digits``: 1,797 8×8 images, 10 classes, no download) stand in, with a
small MLP backbone in front of the papers' deep heads.

Data (:func:`digits`): the first ``n = 174`` images of every class (the smallest class has 174,
so the classes are balanced, as in `gk` App. D, which subsamples MNIST to balance it, and the
balanced-class reference losses apply), ordered class by class (labels ``I_K ⊗ 1_nᵀ``, the
papers' convention), N = 1,740.  Each of the 64 pixel features is centred and divided by its
standard deviation over these N images; the pixels that are constant over the set (always 0,
3 of the 64) stay 0.

:class:`MLPTask` is one batched call of :func:`ncverify.engine.mlp.train_mlp` (one network shape,
per-run configs and seeds) that runs through :func:`ncverify.experiments.base.run_tasks` like
the deep-UFM tasks: its result is saved as soon as it arrives and never recomputed, and its key
hashes every hyperparameter.  Recorded during training (``record``): ``"nc1"`` — NC1 of every
layer input; ``"svals"`` — singular values of every weight matrix; ``"tcv"`` — class-partition
WCSS (the TCV upper bound of `zg` §6.3) and total sum of squares of every layer input.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ncverify.engine.mlp import MLPConfig

__all__ = ["DATA_NOTE", "K", "N_PER_CLASS", "MLPTask", "analyse_network", "digits"]

K = 10
N_PER_CLASS = 174
DATA_NOTE = ("sklearn digits (8x8, K = 10): first 174 images of each class (balanced, N = 1740, "
             "class-ordered); every pixel centred and divided by its std over these images "
             "(constant pixels left at 0)")
_VERSION = 2  # part of every task key: bump when the data or the stored analysis changes


@functools.lru_cache(maxsize=4)
def digits(n_per_class: int = N_PER_CLASS) -> tuple[np.ndarray, np.ndarray]:
    """``(X, labels)``: X (64, K·n) standardised pixels (one image per column), labels
    ``0..9`` class by class (see the module doc).  Read-only arrays, cached."""
    from sklearn.datasets import load_digits

    d = load_digits()
    counts = np.bincount(d.target, minlength=K)
    if not 1 <= n_per_class <= counts.min():
        raise ValueError(f"n_per_class must lie in 1..{counts.min()} (smallest class), "
                         f"got {n_per_class}")
    idx = np.concatenate([np.flatnonzero(d.target == c)[:n_per_class] for c in range(K)])
    X = d.data[idx].T.astype(np.float64)
    mu, sd = X.mean(axis=1, keepdims=True), X.std(axis=1, keepdims=True)
    X = np.where(sd > 0, (X - mu) / np.where(sd > 0, sd, 1.0), 0.0)
    labels = np.repeat(np.arange(K), n_per_class)
    X.setflags(write=False)
    labels.setflags(write=False)
    return X, labels


@dataclass(frozen=True)
class MLPTask:
    """R runs of one network shape on the digits (:func:`digits`), trained by ``train_mlp``.

    ``configs`` holds one :class:`MLPConfig` per run (λ and lr may differ), ``seeds`` one seed
    per run; ``batch_size`` None is full-batch GD.  ``record`` names the series recorded every
    ``record_every`` steps (module doc).
    """

    configs: tuple[MLPConfig, ...]
    seeds: tuple[int, ...]
    steps: int
    record_every: int = 100
    batch_size: int | None = None
    record: tuple[str, ...] = ()
    n_per_class: int = N_PER_CLASS
    label: str = ""

    def __post_init__(self) -> None:
        if len(self.configs) != len(self.seeds):
            raise ValueError(f"configs ({len(self.configs)}) and seeds ({len(self.seeds)}) "
                             "must have one entry per run")
        unknown = set(self.record) - {"nc1", "svals", "tcv"}
        if unknown:
            raise ValueError(f"record: unknown series {sorted(unknown)}")

    @property
    def key(self) -> str:
        payload = json.dumps([[c.to_dict() for c in self.configs], list(self.seeds),
                              self.steps, self.record_every, self.batch_size,
                              sorted(self.record), self.n_per_class, _VERSION],
                             sort_keys=True, default=list)
        return f"{self.label or 'mlp'}-{hashlib.sha256(payload.encode()).hexdigest()[:16]}"

    def execute(self) -> dict[str, Any]:
        """Train with one BLAS thread, record the series, analyse every final network."""
        from threadpoolctl import threadpool_limits

        from ncverify.engine.mlp import MLPBatch, train_mlp

        t0 = time.perf_counter()
        X, labels = digits(self.n_per_class)
        R = len(self.seeds)
        series: list[dict[str, list]] = [{k: [] for k in self.record} for _ in range(R)]
        probe = MLPBatch(list(self.configs), X, labels) if self.record else None

        def on_record(step, W):
            feats = probe.features(W)
            for name in self.record:
                vals = _record(name, feats, W, labels)
                for r in range(R):
                    series[r][name].append(vals[r])

        with threadpool_limits(limits=1):
            res = train_mlp(list(self.configs), X, labels, steps=self.steps,
                            seeds=list(self.seeds), batch_size=self.batch_size,
                            record_every=self.record_every,
                            on_record=on_record if self.record else None)
            runs = []
            for r, seed in enumerate(self.seeds):
                entry: dict[str, Any] = {
                    "seed": seed, "lam": self.configs[r].lam, "lr": self.configs[r].lr,
                    "status": res.status[r], "diverged_at": res.diverged_at[r],
                    "grad_norm": float(res.grad_norm[r]),
                    "loss_history": res.loss[r].tolist(), "fit_history": res.fit[r].tolist(),
                    **{f"{k}_history": v for k, v in series[r].items()}}
                if res.status[r] != "diverged":
                    entry["analysis"] = analyse_network(self.configs[r], res.run_weights(r),
                                                        X, labels)
                runs.append(entry)
        return {"key": self.key, "label": self.label, "steps": self.steps,
                "configs": [c.to_dict() for c in self.configs],
                "record_steps": res.record_steps.tolist(), "runs": runs,
                "seconds": time.perf_counter() - t0}


def _record(name: str, feats: list[np.ndarray], W: list[np.ndarray], labels: np.ndarray
            ) -> list[list[float]]:
    """One recorded value per run: per layer input H_1..H_L (``nc1``, ``tcv``) or per weight."""
    from ncverify.engine import metrics
    from ncverify.models.clusters import wcss

    H = feats[:-1]
    if name == "svals":
        s = [np.linalg.svd(w, compute_uv=False) for w in W]
        return [[si[r].tolist() for si in s] for r in range(W[0].shape[0])]
    R = W[0].shape[0]
    if name == "nc1":
        v = [np.broadcast_to(metrics.nc1_pinv(h, labels, K), (R,)) for h in H]
        return [[float(x[r]) for x in v] for r in range(R)]
    # tcv: class-partition WCSS (upper bound on TCV_K, zg §6.3) and the total sum of squares
    # (the one-cluster WCSS), both averaged over the N points
    one = np.zeros_like(labels)
    w_ = [wcss(h, labels) for h in H]
    t_ = [wcss(h, one) for h in H]
    return [[[float(a[r]), float(b[r])] for a, b in zip(w_, t_, strict=True)] for r in range(R)]


def analyse_network(config: MLPConfig, weights: list[np.ndarray], X: np.ndarray,
                    labels: np.ndarray, rank_rtol: float = 1e-3) -> dict[str, Any]:
    """Metrics of one trained network on (X, labels).

    Per layer input ``H_l`` (l = 1..L, ``H_1 = X``): class means and their singular values
    (uncentred and centred, ``M_l`` and ``M_l - μ_G 1ᵀ``), their numerical ranks at relative
    cutoff ``rank_rtol``, NC1 (``metrics.nc1_pinv``, and the trace ratio tr Σ_W / tr Σ_B),
    class WCSS and total sum of squares, ‖H_l‖_F²;
    per pre-activation ``P_l = W_l H_l`` (l = 1..L-1): class-mean singular values and rank; the
    weight singular values; the class-mean logit matrix (K×K), its centred singular values and
    simplex-ETF error; the loss split and the training accuracy.
    """
    from ncverify.engine import metrics
    from ncverify.engine.mlp import MLPBatch
    from ncverify.models.clusters import wcss

    batch = MLPBatch(config.replace(dtype="float64"), X, labels, runs=1)
    P = [np.asarray(w, dtype=np.float64)[None] for w in weights]
    total, fit = batch.loss(P)
    pre, H, Z = batch.forward(P)
    one = np.zeros_like(labels)

    def means_info(A: np.ndarray) -> dict[str, Any]:
        M = metrics.class_means(A, labels, K)
        Mc = M - M.mean(axis=1, keepdims=True)
        s, sc = metrics.singular_values(M), metrics.singular_values(Mc)
        return {"class_means": M.tolist(), "class_mean_singular_values": s.tolist(),
                "centred_singular_values": sc.tolist(),
                "rank": int(np.sum(s > rank_rtol * max(s[0], 1e-300))),
                "centred_rank": int(np.sum(sc > rank_rtol * max(sc[0], 1e-300)))}

    inputs = []
    for l, h in enumerate(H):
        A = h if h.ndim == 2 else h[0]
        inputs.append({"layer": l + 1, **means_info(A),
                       "nc1": float(metrics.nc1_pinv(A, labels, K)),
                       "nc1_trace_ratio": float(metrics.nc1_trace_ratio(A, labels, K)),
                       "class_wcss": float(wcss(A, labels)), "total_ss": float(wcss(A, one)),
                       "frobenius_sq": float(np.sum(A * A))})
    pres = [{"layer": l + 1, **means_info(p[0])} for l, p in enumerate(pre)]
    Zm = metrics.class_means(Z[0], labels, K)
    logits = means_info(Z[0])
    return {
        "loss": float(total[0]), "fit": float(fit[0]), "regularisation": float(total[0] - fit[0]),
        "weight_penalty": float(batch.penalty(P)[0]),
        "accuracy": float(np.mean(np.argmax(Z[0], axis=0) == labels)),
        "inputs": inputs, "pre": pres,
        "logit_class_means": Zm.tolist(), "logits": logits,
        "logit_etf_error": float(metrics.etf_error(Zm)),
        "weight_singular_values": [metrics.singular_values(w).tolist() for w in weights],
        "rank_rtol": rank_rtol}
