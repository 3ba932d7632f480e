"""The experiment framework: registry, resumable sweeps (joblib or dask), and outputs.

An experiment is a function ``run(ctx) -> summary`` registered under the figure's id.  Its
training work is a list of :class:`Task` objects (one batched call of the engine each: a config
and the seeds it runs), executed by :func:`run_tasks`: each finished task's result is written to
``<out>/tasks/<key>.json`` atomically as soon as it arrives, and tasks whose file exists are not
run again, so an interrupted sweep (Ctrl-C, a crashed worker) keeps every finished run and a
re-run resumes.  Outputs: CSV of the raw series, a figure (PNG and SVG) and ``summary.json``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ncverify.engine.config import DUFMConfig
from ncverify.models.validation import require_int
from ncverify.report.certificate import atomic_write
from ncverify.report.jsonable import to_jsonable

__all__ = ["EXPERIMENTS", "Context", "Experiment", "Task", "experiment", "finish_summary",
           "get_experiment", "run_tasks", "save_figure", "write_csv", "write_summary"]


@dataclass(frozen=True)
class Task:
    """One batched engine call: ``config`` trained from each of ``seeds`` for ``steps`` steps.

    ``key`` names the task's result file; it is derived from the content, so changing a
    hyperparameter never reuses a stale result.
    """

    config: DUFMConfig
    seeds: tuple[int, ...]
    steps: int
    record_every: int = 500
    track_nc1: bool = False
    label: str = ""

    @property
    def key(self) -> str:
        payload = json.dumps([self.config.to_dict(), list(self.seeds), self.steps,
                              self.record_every, self.track_nc1], sort_keys=True)
        digest = hashlib.sha256(payload.encode()).hexdigest()[:16]
        return f"{self.label or self.config.name}-{digest}"


@dataclass
class Context:
    """Where and how an experiment runs (from ``ncverify reproduce`` options)."""

    out: Path
    runs: int | None = None
    steps: int | None = None
    quick: bool = False
    jobs: int = 1
    dask: str | None = None
    progress: bool = True
    log: Callable[[str], None] = print

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        if self.runs is not None:
            self.runs = require_int("runs", self.runs, minimum=1)
        if self.steps is not None:
            self.steps = require_int("steps", self.steps, minimum=1)
        self.jobs = require_int("jobs", self.jobs, minimum=1)

    def pick(self, full: Any, quick: Any) -> Any:
        return quick if self.quick else full


@dataclass(frozen=True)
class Experiment:
    """A reproducible figure: id, paper key, title, the paper's statement, and its runner."""

    id: str
    paper: str
    title: str
    statement: str
    run: Callable[[Context], dict[str, Any]] = field(repr=False)


EXPERIMENTS: dict[str, Experiment] = {}


def experiment(id: str, paper: str, title: str, statement: str):
    """Decorator registering ``run(ctx) -> summary`` as an experiment."""

    def deco(fn: Callable[[Context], dict[str, Any]]):
        EXPERIMENTS[id] = Experiment(id, paper, title, statement, fn)
        return fn

    return deco


def get_experiment(exp_id: str) -> Experiment:
    import ncverify.experiments  # noqa: F401  (registers every experiment)

    try:
        return EXPERIMENTS[exp_id]
    except KeyError:
        import difflib

        near = difflib.get_close_matches(exp_id, list(EXPERIMENTS), n=3, cutoff=0.3)
        hint = f"; nearest: {', '.join(near)}" if near else f"; known: {', '.join(EXPERIMENTS)}"
        raise ValueError(f"unknown experiment id {exp_id!r}{hint}") from None


# -- executing tasks -------------------------------------------------------------------------

def execute_task(task: Task) -> dict[str, Any]:
    """Train one task with one BLAS thread and analyse every run (runs in a worker)."""
    if not isinstance(task, Task):  # other task types (realdata_data.MLPTask) run themselves
        return task.execute()
    from threadpoolctl import threadpool_limits

    from ncverify.engine import metrics
    from ncverify.engine.analysis import analyse_run
    from ncverify.engine.dufm import DUFMBatch
    from ncverify.engine.train import train

    t0 = time.perf_counter()
    cfg = task.config
    nc1: list[list[list[float]]] = [[] for _ in task.seeds]
    on_record = None
    if task.track_nc1:
        probe = DUFMBatch(cfg.replace(dtype="float64"), runs=len(task.seeds))
        labels = cfg.labels()

        def on_record(step, P):
            _, post, _ = probe.features([np.asarray(p, dtype=np.float64) for p in P])
            for r in range(len(task.seeds)):
                nc1[r].append([float(metrics.nc1_pinv(post[l][r], labels, cfg.K))
                               for l in range(cfg.L)])

    with threadpool_limits(limits=1):
        res = train(cfg, steps=task.steps, seeds=list(task.seeds), runs=len(task.seeds),
                    record_every=task.record_every, on_record=on_record)
        runs = []
        for r, seed in enumerate(task.seeds):
            entry = {"seed": seed, "status": res.status[r], "diverged_at": res.diverged_at[r],
                     "grad_norm": float(res.grad_norm[r]),
                     "loss_history": res.loss[r].tolist(), "fit_history": res.fit[r].tolist()}
            if res.status[r] != "diverged":
                entry["analysis"] = analyse_run(cfg, res.run_params(r))
            if task.track_nc1:
                entry["nc1_history"] = nc1[r]
            runs.append(entry)
    return {"key": task.key, "label": task.label, "config": cfg.to_dict(), "steps": task.steps,
            "record_steps": res.record_steps.tolist(), "runs": runs,
            "seconds": time.perf_counter() - t0}


def run_tasks(tasks: Sequence[Task], ctx: Context) -> list[dict[str, Any]]:
    """Run ``tasks`` (skipping those already on disk) and return every result, in task order.

    Local execution uses joblib with ``ctx.jobs`` processes; ``ctx.dask`` (a scheduler address,
    or a ``distributed.Client``) sends them to a dask cluster.  Each result is saved the moment
    it arrives, so an interruption loses only the tasks still running.
    """
    folder = ctx.out / "tasks"
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, Any]] = {}
    todo = []
    for t in tasks:
        f = folder / f"{t.key}.json"
        if f.exists():
            try:
                results[t.key] = json.loads(f.read_text())
                continue
            except (OSError, json.JSONDecodeError):
                pass  # a damaged file: run the task again
        todo.append(t)
    if todo:
        ctx.log(f"{len(tasks) - len(todo)} of {len(tasks)} tasks already done; running "
                f"{len(todo)}" + (f" on {ctx.dask}" if ctx.dask else f" with {ctx.jobs} job(s)"))
    bar = _bar(len(todo), ctx)
    try:
        for res in _execute(todo, ctx):
            atomic_write(folder / f"{res['key']}.json", json.dumps(to_jsonable(res)))
            results[res["key"]] = res
            if bar is not None:
                bar.update(1)
    except KeyboardInterrupt:
        ctx.log(f"interrupted: {len(results)} of {len(tasks)} tasks are saved in {folder}; "
                "run the same command again to resume")
        raise
    finally:
        if bar is not None:
            bar.close()
    return [results[t.key] for t in tasks]


def _execute(tasks: Sequence[Task], ctx: Context) -> Iterable[dict[str, Any]]:
    if not tasks:
        return
    if ctx.dask is not None:
        from distributed import Client, as_completed

        client = ctx.dask if isinstance(ctx.dask, Client) else Client(ctx.dask, timeout=30)
        try:
            futures = client.map(execute_task, list(tasks), pure=False)
            for fut in as_completed(futures):
                yield fut.result()
        finally:
            if not isinstance(ctx.dask, Client):
                client.close()
        return
    if ctx.jobs == 1 or len(tasks) == 1:
        for t in tasks:
            yield execute_task(t)
        return
    from joblib import Parallel, delayed

    yield from Parallel(n_jobs=ctx.jobs, return_as="generator_unordered")(
        delayed(execute_task)(t) for t in tasks)


def _bar(total: int, ctx: Context):
    if not ctx.progress or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="task", desc="training", leave=False)


# -- outputs ---------------------------------------------------------------------------------

def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """Write a CSV file atomically."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    atomic_write(path, buf.getvalue())
    return path


def save_figure(fig, out: Path, name: str) -> list[Path]:
    """Save a matplotlib figure as PNG and SVG (atomically) and close it."""
    import matplotlib.pyplot as plt

    paths = []
    for ext in ("png", "svg"):
        p = out / f"{name}.{ext}"
        tmp = out / f".{name}.tmp.{ext}"
        fig.savefig(tmp, dpi=120, bbox_inches="tight")
        os.replace(tmp, p)
        paths.append(p)
    plt.close(fig)
    return paths


def write_summary(out: Path, exp: Experiment, ctx: Context, summary: dict[str, Any]) -> Path:
    """``summary.json``: the headline numbers next to the paper's statement."""
    data = {"experiment": exp.id, "paper": exp.paper, "title": exp.title,
            "paper_statement": exp.statement, "mode": "quick" if ctx.quick else "full",
            **summary}
    path = out / "summary.json"
    atomic_write(path, json.dumps(to_jsonable(data), indent=2, sort_keys=False) + "\n")
    return path


def finish_summary(ctx: Context, exp_id: str, summary: dict[str, Any],
                   claims: dict[str, dict[str, Any]], quick_note: str,
                   named_copy: bool = False) -> Path:
    """Add the verdicts ``{claim: holds}`` (none in quick mode, where ``quick_note`` says why)
    and write ``summary.json``; with ``named_copy`` also ``<id>-summary.json``, for experiments
    that may share one output folder."""
    if ctx.quick:
        summary["reproduced"] = {}
        summary["note"] = quick_note
    else:
        summary["reproduced"] = {name: c["holds"] for name, c in claims.items()}
    if named_copy:
        summary.setdefault("files", []).append(f"{exp_id}-summary.json")
    path = write_summary(ctx.out, get_experiment(exp_id), ctx, summary)
    if named_copy:
        atomic_write(ctx.out / f"{exp_id}-summary.json", path.read_text())
    return path
