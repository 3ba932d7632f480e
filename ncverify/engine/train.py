"""Full-batch gradient descent on batches of deep-UFM runs.

``train(config, steps=..., runs=R, seed=s)`` advances R runs (seeds s, s+1, ..., or per-run
configs) together.  The loss is recorded every ``record_every`` steps (the fit term comes free
with the gradient; the weight-decay term is one extra pass over the parameters).  A run whose loss
becomes NaN/inf or exceeds ``explode`` times its initial loss is stopped, reported as diverged at
that step, and the other runs continue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ncverify.engine.config import DUFMConfig, check_steps
from ncverify.engine.dufm import DUFMBatch
from ncverify.models.validation import require_int, require_positive

__all__ = ["TrainResult", "train"]


@dataclass
class TrainResult:
    """What :func:`train` returns.

    Attributes
    ----------
    configs : one config per run.  seeds : the seed of each run.
    record_steps : (T,) steps at which the loss was recorded (the loss *before* that step).
    loss, fit : (R, T) total loss and fit term at those steps (NaN after a run diverged).
    params : final parameters ``[H_1, W_1, ..., W_L]`` as (R, rows, cols) arrays.
    status : per run ``"converged"`` (gradient norm <= gtol), ``"running"`` (not yet),
        or ``"diverged"``; ``diverged_at`` holds the step (or None).
    grad_norm : (R,) final gradient norm.  steps : steps taken.
    """

    configs: list[DUFMConfig]
    seeds: list[int]
    record_steps: np.ndarray
    loss: np.ndarray
    fit: np.ndarray
    params: list[np.ndarray]
    status: list[str]
    diverged_at: list[int | None]
    grad_norm: np.ndarray
    steps: int
    gtol: float
    _batch: DUFMBatch = field(repr=False, default=None)

    @property
    def runs(self) -> int:
        return len(self.configs)

    def run_params(self, r: int) -> list[np.ndarray]:
        """The final parameters of run r as 2-D arrays."""
        return [p[r].copy() for p in self.params]

    def final_loss(self) -> np.ndarray:
        """(R,) total loss at the final parameters."""
        return self._batch.loss(self.params)[0]

    def analyse(self, r: int, **kw: Any) -> dict[str, Any]:
        """Per-layer metrics and classification of run r (see :mod:`ncverify.engine.analysis`)."""
        from ncverify.engine.analysis import analyse_run

        return analyse_run(self.configs[r], self.run_params(r), **kw)


def train(config: DUFMConfig | Sequence[DUFMConfig], *, steps: int, runs: int = 1, seed: int = 0,
          record_every: int = 100, params: Sequence[np.ndarray] | None = None,
          seeds: Sequence[int] | None = None, explode: float = 1e6, gtol: float = 1e-6,
          progress: bool = False,
          on_record: Callable[[int, list[np.ndarray]], None] | None = None) -> TrainResult:
    """Full-batch gradient descent for ``steps`` steps on R runs in one batch.

    Parameters
    ----------
    config : one config (R = ``runs`` copies with seeds ``seed + r``) or a list of per-run
        configs (same shapes; λ and lr may differ per run).
    params : optional starting parameters (R, rows, cols) arrays; default Gaussian init.
    record_every : record the loss every this many steps (and at the end).
    explode : a run whose loss exceeds ``explode`` × its initial loss (or is not finite) is
        stopped and reported as diverged.
    gtol : a run is ``"converged"`` when its final gradient norm is at most ``gtol``.
    progress : show a progress bar.
    on_record : called as ``on_record(step, params)`` at every recording step, before the
        step is taken (params are the live (R, rows, cols) arrays: read, do not modify).
    """
    steps = check_steps(steps)
    record_every = require_int("record_every", record_every, minimum=1)
    require_positive("explode", explode)
    if isinstance(config, DUFMConfig):
        runs = require_int("runs", runs, minimum=1)
        configs = [config] * runs
    else:
        configs = list(config)
    batch = DUFMBatch(configs)
    R = batch.R
    if seeds is None:
        seeds = [seed + r for r in range(R)]
    seeds = [int(s) for s in seeds]
    if params is None:
        P = batch.init_params(seeds)
    else:
        if len(params) != len(batch.shapes):
            raise ValueError(f"params must hold L+1 = {len(batch.shapes)} arrays")
        P = [np.array(p, dtype=batch.dtype, copy=True).reshape(R, *s)
             for p, s in zip(params, batch.shapes, strict=True)]
    rec_steps: list[int] = []
    rec_loss: list[np.ndarray] = []
    rec_fit: list[np.ndarray] = []
    diverged_at: list[int | None] = [None] * R
    alive = np.ones(R, dtype=bool)
    loss0: np.ndarray | None = None
    bar = _progress(steps) if progress else None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for t in range(steps + 1):
            record = t % record_every == 0 or t == steps
            if record and on_record is not None:
                on_record(t, P)
            if t == steps:
                if record:
                    tot, fit = batch.loss(P)
                    _record(t, tot, fit, alive, rec_steps, rec_loss, rec_fit)
                break
            fit = batch.step(P, want_fit=record)
            if record:  # fit and penalty both of the parameters before this step
                tot = fit + batch.last_penalty
                if loss0 is None:
                    loss0 = tot.copy()
                bad = alive & (~np.isfinite(tot) | (tot > explode * np.maximum(loss0, 1e-300)))
                if bad.any():
                    for r in np.flatnonzero(bad):
                        diverged_at[r] = t
                    alive &= ~bad
                    _freeze(batch, P, bad)
                _record(t, tot, fit, alive | bad, rec_steps, rec_loss, rec_fit)
            if bar is not None and t % 1000 == 0:
                bar.update(min(1000, steps - t))
    if bar is not None:
        bar.close()
    G, _ = batch.gradient(P)
    gnorm = np.sqrt(sum(np.einsum("rij,rij->r", g, g) for g in G))
    status = ["diverged" if diverged_at[r] is not None else
              ("converged" if gnorm[r] <= gtol else "running") for r in range(R)]
    return TrainResult(configs=configs, seeds=seeds, record_steps=np.array(rec_steps),
                       loss=np.stack(rec_loss, axis=1), fit=np.stack(rec_fit, axis=1), params=P,
                       status=status, diverged_at=diverged_at, grad_norm=gnorm, steps=steps,
                       gtol=gtol, _batch=batch)


def _record(t, tot, fit, keep, rec_steps, rec_loss, rec_fit) -> None:
    rec_steps.append(t)
    rec_loss.append(np.where(keep, tot, np.nan))
    rec_fit.append(np.where(keep, fit, np.nan))


def _freeze(batch: DUFMBatch, P: list[np.ndarray], bad: np.ndarray) -> None:
    """Stop the runs in ``bad``: zero their parameters and their step size."""
    for p in P:
        p[bad] = 0.0
    lr = np.broadcast_to(np.asarray(batch.lr, dtype=batch.dtype).reshape(-1, 1, 1),
                         (batch.R, 1, 1)).copy()
    lr[bad] = 0.0
    batch.lr = lr


def _progress(total: int):
    from tqdm import tqdm

    return tqdm(total=total, unit="step", leave=False)
