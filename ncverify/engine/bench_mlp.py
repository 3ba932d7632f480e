"""Benchmark of the fully connected network engine (``MLPBatch``) against PyTorch on the digits MLP.

The companion of :mod:`ncverify.engine.bench` (the deep-UFM engine) for networks on fixed data
(issue 7): the handwritten-digits data that ships with scikit-learn (``load_digits``: N = 1797
images of 8×8 = 64 pixels scaled to [0, 1], 10 classes) and the MLP ``dims = (64, 128, 128, 128,
10)`` with tanh or ReLU, cross-entropy or MSE on one-hot targets, weight decay, float64, one
thread.  ``run_benchmarks(quick=False)`` measures, in one run and on this machine, for full-batch
GD (n = N) and mini-batch SGD (b = 128, the engine's epoch-wise shuffled batches):

* **single run**: steps/s of ``MLPBatch(cfg, runs=1).step`` vs :class:`TorchMLP`, the same
  network and loop in PyTorch CPU eager mode (``F.linear`` layers on sample-major data, autograd
  ``backward()``, then ``W ← (1 - lr λ) W - lr ∇`` in place under ``torch.no_grad()``), started
  from the engine's initial weights and fed the same mini-batches;
* **generic path**: the same step through :meth:`MLPBatch.gradient` (fresh arrays for every
  intermediate; what ``step`` did before it got its preallocated workspace), so that the gain of
  the optimised step is measured in the same run;
* **sweep**: ``SWEEP_RUNS`` seeds batched in one ``MLPBatch``: run-steps/s vs one torch run's
  steps/s (``SWEEP_RUNS`` sequential torch runs take ``SWEEP_RUNS`` times as long);
* **shape floor**: the step's 3L - 1 matrix products, each timed alone with ``np.matmul(...,
  out=...)`` at exactly the engine's shapes and layouts, divided by the engine's time per step
  (the fraction of the step spent in products that no implementation can avoid);
* **trajectory agreement**: the torch trajectory against the engine's (max absolute weight
  deviation and max relative deviation of the full-data loss over checkpoints, untimed);
* **breakdown** of the engine's step: ``np.matmul``, other NumPy calls (timed through a stand-in
  for the engine module's ``np``), the rest (in-place operators, interpreter).

The implementations alternate chunk by chunk (:func:`ncverify.engine.bench._time_chunks`), so
load from other processes hits them alike; every ratio is the **median of chunk-paired ratios**
(rates are medians too; the fastest chunk is reported next to them).  torch and threadpoolctl
are imported lazily: torch is never a dependency of ``ncverify``.  No test asserts a timing.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ncverify.engine import mlp as _mlp
from ncverify.engine.bench import (
    _no_gc,
    _per_call,
    _rate,
    _threadpool_limits,
    _time_chunks,
    _TimedNumpy,
    _torch,
    _TorchRunner,
    _us,
    compare_trajectories,
    machine_info,
    machine_section,
    threads,
)
from ncverify.engine.mlp import MLPBatch, MLPConfig, _BatchSampler

__all__ = ["BATCH", "CASES", "DIMS", "TARGET", "TorchMLP", "digits", "format_report",
           "mlp_config", "products", "run_benchmarks", "shape_floor", "verify_trajectory"]

DIMS = (64, 128, 128, 128, 10)
BATCH = 128
#: (activation, loss, mode); mode "gd" = full batch, "sgd" = mini-batches of BATCH.
CASES = [(a, f, m) for a in ("tanh", "relu") for f in ("ce", "mse") for m in ("gd", "sgd")]
#: Steps per timed trajectory (full mode; quick mode uses 10x fewer).
STEPS = {"gd": 60, "sgd": 600}
_CHUNKS = {"gd": 6, "sgd": 20}  # chunks per timed trajectory (full mode)
SWEEP_RUNS = 4
LR, LAM = 0.1, 1e-4
VERIFY_TOL = 1e-8
#: Issue 7: engine / torch steps/s on the digits MLP, float64, 1 thread, at least.
TARGET = 2.0


# --------------------------------------------------------------------------- problem


def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's handwritten digits as ``(X, labels)``: X is (64, 1797), pixels / 16."""
    from sklearn.datasets import load_digits

    d = load_digits()
    return np.ascontiguousarray(d.data.T / 16.0), d.target.astype(np.intp)


def mlp_config(activation: str = "tanh", loss: str = "ce", dtype: str = "float64"
               ) -> MLPConfig:
    """The benchmarked network: :data:`DIMS`, lr = 0.1, λ = 1e-4."""
    return MLPConfig(dims=DIMS, activation=activation, loss=loss, lam=LAM, lr=LR, dtype=dtype,
                     name=f"digits-{activation}-{loss}")


def _case_name(case: Sequence[str]) -> str:
    act, loss, mode = case
    return f"{act}-{loss}-{mode}"


# --------------------------------------------------------------------------- torch reference


class TorchMLP:
    """The engine's training loop written the natural way in PyTorch eager mode.

    Data are sample-major (N, d_0) tensors; the forward pass is ``F.linear`` per layer (what
    ``nn.Linear(bias=False)`` does), the fit ``F.cross_entropy`` or ``(1/2n)‖Z - T‖²``, then
    ``fit.backward()`` and, under ``torch.no_grad()``, ``W.mul_(1 - lr λ).sub_(W.grad,
    alpha=lr)`` (the fastest of the update forms tried, among them ``torch.optim.SGD`` with
    ``weight_decay``).  Weights start as copies of run ``run`` of the engine's ``init``; with
    ``batch_size`` the mini-batches come from the engine's sampler with the same seed.
    """

    def __init__(self, cfg: MLPConfig, X: np.ndarray, labels: np.ndarray,
                 init: Sequence[np.ndarray], batch_size: int | None = None, seed: int = 0,
                 run: int = 0):
        torch = _torch()
        self.torch, self.F = torch, torch.nn.functional
        self.cfg, self.batch_size, self.seed = cfg, batch_size, seed
        dt = getattr(torch, cfg.dtype)
        self.X = torch.tensor(np.ascontiguousarray(X.T), dtype=dt)
        self.labels = torch.as_tensor(labels, dtype=torch.int64)
        self.T = self.F.one_hot(self.labels, cfg.dims[-1]).to(dt)
        self.init = [np.array(w[run] if w.ndim == 3 else w, dtype=cfg.dtype) for w in init]
        self.act = {"tanh": torch.tanh, "relu": torch.relu, "identity": lambda a: a}[
            cfg.activation]
        self.reset()

    def reset(self) -> None:
        self.params = [self.torch.tensor(w).requires_grad_(True) for w in self.init]
        self.sampler = (None if self.batch_size is None else
                        _BatchSampler([self.seed], self.X.shape[0], self.batch_size))

    def _fit(self, idx=None):
        F = self.F
        h = self.X if idx is None else self.X[idx]
        for W in self.params[:-1]:
            h = self.act(F.linear(h, W))
        z = F.linear(h, self.params[-1])
        if self.cfg.loss == "ce":
            return F.cross_entropy(z, self.labels if idx is None else self.labels[idx])
        T = self.T if idx is None else self.T[idx]
        return 0.5 / z.shape[0] * ((z - T) ** 2).sum()

    def run(self, steps: int) -> None:
        """``steps`` (S)GD steps, in place."""
        torch, params = self.torch, self.params
        lr, decay = self.cfg.lr, 1.0 - self.cfg.lr * self.cfg.lam
        for _ in range(steps):
            idx = None if self.sampler is None else torch.from_numpy(self.sampler.next()[0])
            self._fit(idx).backward()
            with torch.no_grad():
                for p in params:
                    p.mul_(decay).sub_(p.grad, alpha=lr)
                    p.grad = None

    def numpy_params(self) -> list[np.ndarray]:
        return [p.detach().numpy().copy() for p in self.params]

    def loss(self) -> float:
        """Total loss (full-data fit + weight decay) at the current weights."""
        with self.torch.no_grad():
            pen = sum(float((p * p).sum()) for p in self.params)
            return float(self._fit()) + 0.5 * self.cfg.lam * pen


def verify_trajectory(case: Sequence[str], steps: int, checkpoints: int = 10, seed: int = 0,
                      dtype: str = "float64") -> dict[str, Any]:
    """Run the engine and :class:`TorchMLP` side by side from the same weights (and batches).

    Returns the largest absolute weight deviation and relative deviation of the full-data
    total loss over ``checkpoints`` equally spaced checkpoints (untimed); ``ok`` when the weight
    deviation is within :data:`VERIFY_TOL` (float64 only).
    """
    act, loss, mode = case
    cfg = mlp_config(act, loss, dtype)
    X, y = digits()
    b = BATCH if mode == "sgd" else None
    batch = MLPBatch(cfg, X, y, runs=1)
    W = batch.init_params([seed])
    ref = TorchMLP(cfg, X, y, W, batch_size=b, seed=seed)
    sampler = None if b is None else _BatchSampler([seed], batch.N, b)
    n_chk, dev, scale, ldev, le = compare_trajectories(
        lambda: batch.step(W, None if sampler is None else sampler.next()), W,
        lambda: float(batch.loss(W)[0][0]), ref, steps, checkpoints)
    f64 = dtype == "float64"
    return {"case": _case_name(case), "dtype": dtype, "steps": steps, "checkpoints": n_chk,
            "max_abs_dev": dev, "param_scale": scale, "max_rel_loss_dev": ldev,
            "final_loss": le, "tol": VERIFY_TOL if f64 else None,
            "ok": bool(dev <= VERIFY_TOL) if f64 else None}


# --------------------------------------------------------------------------- runners


class _Runner:
    """Advances copies of ``W0`` with ``batch.step`` (or the generic path); ``runner(n)`` times
    n more steps, mini-batches drawn from the engine's sampler."""

    def __init__(self, batch: MLPBatch, seeds: Sequence[int], batch_size: int | None,
                 step: Callable[[list[np.ndarray], np.ndarray | None], None] | None = None):
        self.batch, self.seeds, self.batch_size = batch, list(seeds), batch_size
        self.W0 = batch.init_params(self.seeds)
        self.step = step or batch.step
        self.reset()

    def reset(self) -> None:
        self.W = [w.copy() for w in self.W0]
        self.sampler = (None if self.batch_size is None else
                        _BatchSampler(self.seeds, self.batch.N, self.batch_size))

    def __call__(self, n: int) -> float:
        step, W, s = self.step, self.W, self.sampler
        with _no_gc():
            t0 = time.perf_counter()
            for _ in range(n):
                step(W, None if s is None else s.next())
            return time.perf_counter() - t0


def _generic(batch: MLPBatch) -> Callable[[list[np.ndarray], np.ndarray | None], None]:
    """The step through :meth:`MLPBatch.gradient` (fresh arrays for every intermediate)."""

    def step(W, idx):
        G, _ = batch.gradient(W, idx, weight_decay=False)
        for g, w, m in zip(G, W, batch._decay, strict=True):
            if m:
                w *= 1.0 - batch.lr * (m * batch.lam)
            w -= batch.lr * g

    return step


def _fresh_process_worker(cases: list[tuple[str, str, str]], steps: dict[str, int],
                          repeats: int, chunks: dict[str, int]) -> dict[str, dict[str, float]]:
    """In a freshly spawned interpreter: engine vs generic path, chunks alternating, 1 thread.

    Nothing else allocates large arrays here, so glibc's dynamic mmap threshold stays where
    the generic path's own temporaries put it (as in a plain training script)."""
    X, y = digits()
    out = {}
    with _threadpool_limits(1), np.errstate(all="ignore"):
        for case in cases:
            act, loss, mode = case
            cfg = mlp_config(act, loss)
            b = BATCH if mode == "sgd" else None
            eng = _Runner(MLPBatch(cfg, X, y, runs=1), [0], b)
            gb = MLPBatch(cfg, X, y, runs=1)
            tm = _time_chunks({"engine": eng, "generic": _Runner(gb, [0], b, step=_generic(gb))},
                              steps[mode], chunks[mode], repeats)
            out[_case_name(case)] = {"speedup": _median_ratio(tm["generic"], tm["engine"]),
                                     "engine": 1.0 / statistics.median(tm["engine"]),
                                     "generic": 1.0 / statistics.median(tm["generic"])}
    return out


def _fresh_process(cases, steps, repeats, chunks) -> dict[str, dict[str, float]]:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as ex:
        return ex.submit(_fresh_process_worker, [tuple(c) for c in cases], steps, repeats,
                         chunks).result()


# --------------------------------------------------------------------------- shape floor


def products(cfg: MLPConfig, n: int, R: int = 1, minibatch: bool = False
             ) -> list[dict[str, Any]]:
    """The 3L - 1 matrix products of one ``MLPBatch.step`` on n columns, with its layouts.

    Each entry: ``label``, ``a``/``b`` = (stored shape, transposed?) of the operands as the
    engine holds them (2-D when R = 1; the full data X is one shared (d_0, N) array, a
    mini-batch a gathered (n, d_0) block used transposed) and ``out`` (the result's shape).
    """
    d, L = cfg.dims, cfg.L
    lead = () if R == 1 else (R,)
    out: list[dict[str, Any]] = []

    def add(label, a, ta, b, tb):
        rows = a[-1] if ta else a[-2]
        cols = b[-2] if tb else b[-1]
        out.append({"label": label, "a": (a, ta), "b": (b, tb), "out": (*lead, rows, cols)})

    x = ((*lead, n, d[0]), True) if minibatch else ((d[0], n), False)
    for l in range(L):
        h = x if l == 0 else ((*lead, d[l], n), False)
        add(f"fwd W{l + 1}·H{l + 1}" + (" (Z)" if l == L - 1 else ""), (*lead, d[l + 1], d[l]),
            False, *h)
    for l in range(L - 1, -1, -1):
        h = x if l == 0 else ((*lead, d[l], n), False)
        add(f"∇W{l + 1} = B·H{l + 1}ᵀ", (*lead, d[l + 1], n), False, h[0], not h[1])
        if l > 0:
            add(f"W{l + 1}ᵀ·B", (*lead, d[l + 1], d[l]), True, (*lead, d[l + 1], n), False)
    return out


def _operand(rng: np.random.Generator, spec: tuple, dtype: np.dtype) -> np.ndarray:
    shape, tr = spec
    x = rng.standard_normal(shape).astype(dtype)
    return np.swapaxes(x, -1, -2) if tr else x


def shape_floor(cfg: MLPConfig, n: int, R: int = 1, minibatch: bool = False,
                min_time: float = 0.02, repeats: int = 5) -> dict[str, Any]:
    """Sum over the step's :func:`products` of ``np.matmul`` time at exactly those shapes
    (1 BLAS thread)."""
    rng = np.random.default_rng(1)
    cache: dict[tuple, float] = {}
    rows = []
    with _threadpool_limits(1):
        for p in products(cfg, n, R, minibatch):
            key = (p["a"], p["b"])
            if key not in cache:
                a, b = (_operand(rng, s, cfg.np_dtype) for s in (p["a"], p["b"]))
                res = np.empty(p["out"], cfg.np_dtype)
                cache[key] = _per_call(lambda a=a, b=b, res=res: np.matmul(a, b, out=res),
                                       min_time, repeats)
            rows.append({"label": p["label"], "shape": _shape_str(p), "seconds": cache[key]})
    return {"R": R, "n": n, "products": rows, "floor": sum(r["seconds"] for r in rows)}


def _shape_str(p: dict[str, Any]) -> str:
    def one(spec):
        shape, tr = spec
        r, c = shape[-2:]
        return f"({r}×{c})ᵀ" if tr else f"{r}×{c}"

    return f"{one(p['a'])} · {one(p['b'])}"


# --------------------------------------------------------------------------- breakdown


def step_breakdown(batch: MLPBatch, batch_size: int | None, steps: int,
                   chunks: int = 10) -> dict[str, Any]:
    """Where one engine step's time goes: ``np.matmul``, the other NumPy calls (timed through
    a stand-in for the engine module's ``np``) and the rest (in-place array operators and
    interpreter overhead): chunks of plain steps alternate with chunks of timed-stand-in steps;
    the step time and each call's time are the fastest chunk's."""
    run = _Runner(batch, list(range(batch.R)), batch_size)
    run(min(10, steps))
    size = max(1, steps // max(1, chunks))
    best: dict[str, float] = {}
    ncalls: dict[str, float] = {}
    step_seconds = float("inf")
    saved = _mlp.np
    try:
        for _ in range(max(1, chunks)):
            step_seconds = min(step_seconds, run(size) / size)
            timed = _TimedNumpy()
            _mlp.np = timed
            with _no_gc():
                for _ in range(size):
                    run.step(run.W, None if run.sampler is None else run.sampler.next())
            _mlp.np = saved
            for k, v in timed.seconds.items():
                best[k] = min(best.get(k, float("inf")), v / size)
                ncalls[k] = timed.calls[k] / size
    finally:
        _mlp.np = saved
    calls = {k: {"seconds": v, "calls": ncalls[k]}
             for k, v in sorted(best.items(), key=lambda kv: -kv[1])}
    matmul = calls.get("matmul", {}).get("seconds", 0.0)
    other = sum(v["seconds"] for k, v in calls.items() if k != "matmul")
    return {"step": step_seconds, "matmul": matmul, "numpy_other": other,
            "rest": step_seconds - matmul - other, "numpy_calls": calls}


# --------------------------------------------------------------------------- driver


def _median_ratio(num: Sequence[float], den: Sequence[float], scale: float = 1.0) -> float:
    """Median over chunk pairs of ``scale · num / den`` (seconds per step: a speed ratio)."""
    return statistics.median(scale * a / b for a, b in zip(num, den, strict=True))


def _rates(times: Sequence[float], work: float = 1.0) -> dict[str, Any]:
    return {"n": len(times), "median": work / statistics.median(times),
            "best": work / min(times)}


def _bench_case(case: tuple[str, str, str], steps: int, repeats: int, quick: bool,
                log: Callable[[str], None]) -> dict[str, Any]:
    act, loss, mode = case
    name = _case_name(case)
    cfg = mlp_config(act, loss)
    X, y = digits()
    b = BATCH if mode == "sgd" else None
    n = b or X.shape[1]
    res: dict[str, Any] = {"case": name, "activation": act, "loss": loss, "mode": mode,
                           "n": n, "config": cfg.to_dict(), "steps": steps, "repeats": repeats}
    log(f"{name}: verifying the torch trajectory")
    res["verify"] = verify_trajectory(case, steps=steps)
    single = MLPBatch(cfg, X, y, runs=1)
    eng = _Runner(single, [0], b)
    gbatch = MLPBatch(cfg, X, y, runs=1)
    generic = _Runner(gbatch, [0], b, step=_generic(gbatch))
    sweep = _Runner(MLPBatch(cfg, X, y, runs=SWEEP_RUNS), list(range(SWEEP_RUNS)), b)
    ref = _TorchRunner(TorchMLP(cfg, X, y, eng.W0, batch_size=b, seed=0))
    runners = {"engine": eng, "torch": ref, "generic": generic, "sweep": sweep}
    chunks = 3 if quick else _CHUNKS[mode]
    log(f"{name}: timing ({steps}-step trajectories × {repeats}, {chunks} chunks each)")
    with threads(1), np.errstate(all="ignore"):
        tm = _time_chunks(runners, steps, chunks, repeats)
    te, tt, tg, ts = tm["engine"], tm["torch"], tm["generic"], tm["sweep"]
    res["timings"] = {
        "chunks": len(te), "engine": _rates(te), "torch": _rates(tt), "generic": _rates(tg),
        "sweep": _rates(ts, SWEEP_RUNS),
        "single_ratio": _median_ratio(tt, te),
        "single_ratio_best": min(tt) / min(te),
        "generic_ratio": _median_ratio(tt, tg),
        "speedup_vs_generic": _median_ratio(tg, te),
        "sweep_ratio": _median_ratio(tt, ts, SWEEP_RUNS),
        "sweep_vs_single": _median_ratio(te, ts, SWEEP_RUNS),
    }
    log(f"{name}: shape floor")
    min_time = 0.002 if quick else 0.01
    reps = 3 if quick else 7
    res["floor"] = {}
    # floor and step both as least disturbed by other processes: fastest repeat / chunk
    for R, t in ((1, min(te)), (SWEEP_RUNS, min(ts))):
        fl = shape_floor(cfg, n, R=R, minibatch=b is not None, min_time=min_time, repeats=reps)
        fl["engine_step"] = t
        fl["fraction"] = fl["floor"] / t
        res["floor"][f"R={R}"] = fl
    res["floor_ratio"] = min(tt) / res["floor"]["R=1"]["floor"]
    log(f"{name}: step breakdown")
    with _threadpool_limits(1), np.errstate(all="ignore"):
        res["breakdown"] = step_breakdown(MLPBatch(cfg, X, y, runs=1), b, max(10, steps // 2),
                                          chunks=3 if quick else 10)
    t = res["timings"]
    res["target"] = {"case": name, "value": t["single_ratio"], "target": TARGET,
                     "met": bool(t["single_ratio"] >= TARGET)}
    return res


def run_benchmarks(quick: bool = False, *, cases: Sequence[Sequence[str]] | None = None,
                   steps: dict[str, int] | int | None = None, repeats: int | None = None,
                   fresh_process: bool = True, log: Callable[[str], None] | None = None
                   ) -> dict[str, Any]:
    """Run every measurement; a JSON-serialisable dict (see :func:`format_report`).

    ``quick`` uses 10× fewer steps and 3 repeats; ``cases`` ((activation, loss, mode)
    triples), ``steps`` (per mode or one number) and ``repeats`` override the defaults;
    ``fresh_process`` also times engine vs generic path in a freshly spawned interpreter.
    """
    _torch()  # fail early, with a clear message, when torch is missing
    log = log or (lambda msg: None)
    reps = repeats or (3 if quick else 5)
    info = machine_info()
    t0 = time.perf_counter()
    results: dict[str, Any] = {"machine": info, "quick": quick, "repeats": reps,
                               "sweep_runs": SWEEP_RUNS, "dims": list(DIMS), "batch": BATCH,
                               "cases": {}}
    cases = [tuple(c) for c in (cases or CASES)]
    nsteps = {m: max(2, steps if isinstance(steps, int) else
                     (steps or {}).get(m, STEPS[m] // (10 if quick else 1))) for m in STEPS}
    for case in cases:
        results["cases"][_case_name(case)] = _bench_case(case, nsteps[case[2]], reps, quick,
                                                         log)
    if fresh_process:
        log("engine vs generic path in a fresh process")
        fresh = _fresh_process(cases, nsteps, reps, {m: 3 if quick else _CHUNKS[m]
                                                     for m in STEPS})
        for name, f in fresh.items():
            results["cases"][name]["fresh_process"] = f
    info["loadavg_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    results["seconds"] = time.perf_counter() - t0
    results["targets"] = [c["target"] for c in results["cases"].values()]
    results["verified"] = all(c["verify"]["ok"] for c in results["cases"].values())
    return results


# --------------------------------------------------------------------------- report


def format_report(results: dict[str, Any]) -> str:
    """The results as a markdown section (machine, targets, agreement, per-case tables)."""
    cases = results["cases"]
    R = results["sweep_runs"]
    out = ["## MLP engine benchmark (digits)", "",
           "Produced by `python benchmarks/mlp.py" + (" --quick" if results["quick"] else "")
           + " --write` (do not edit by hand).  Engine = `MLPBatch.step` (NumPy); reference = "
           "the same network and loop in PyTorch CPU eager mode (`F.linear` layers, autograd "
           "`backward()`, in-place update `W.mul_(1 - lr λ).sub_(∇, alpha=lr)` under "
           "`torch.no_grad()`) from the engine's initial weights and on the engine's "
           "mini-batches.  Data: `sklearn.datasets.load_digits` (N = 1797, pixels / 16), "
           f"MLP dims {tuple(results['dims'])}, lr = {LR}, λ = {LAM}, float64, 1 thread "
           "(threadpoolctl + `torch.set_num_threads(1)`); SGD batches of "
           f"{results['batch']}.  Each timing runs {results['repeats']} trajectories per "
           "implementation, cut into chunks that alternate between the implementations; "
           "**ratios are medians of chunk-paired ratios** and rates are medians (fastest "
           "chunk in brackets).", ""]
    out += machine_section(results, "### Machine", "absolute rates are pessimistic; the "
                           "chunk-paired ratios are what to compare.")
    out += ["", f"### Target: engine / torch steps/s ≥ {TARGET:g}× (single run)", "",
            "| case | engine / torch | met | engine at the shape floor / torch | "
            "generic path / torch | engine / generic path | same, in a fresh process |",
            "|---|---:|---|---:|---:|---:|---:|"]
    for name, c in cases.items():
        t = c["timings"]
        fp = c.get("fresh_process")
        out.append(f"| {name} | **{t['single_ratio']:.2f}×** | "
                   f"{'**yes**' if c['target']['met'] else '**no**'} | "
                   f"{c['floor_ratio']:.2f}× | {t['generic_ratio']:.2f}× | "
                   f"{t['speedup_vs_generic']:.2f}× | "
                   + (f"{fp['speedup']:.2f}× |" if fp else "– |"))
    out += ["", "*Engine at the shape floor*: torch's step divided by the time of the step's "
            "matrix products alone, the most any implementation with these products could "
            "gain.  *Generic path*: the same step through `MLPBatch.gradient()`, every "
            "intermediate a fresh array (what `step` did before its preallocated workspace). "
            "Within this process it runs after the sweep has freed larger arrays, which "
            "raises glibc's dynamic mmap threshold so that its multi-megabyte temporaries "
            "come from the heap; *in a fresh process* (spawned, only the engine and the generic "
            "path timed) they are mmap-ed and page-faulted on every step, as in a plain "
            "training script."]
    out += ["", "### Trajectory agreement (torch reference vs engine, float64)", "",
            "| case | steps | checkpoints | max abs weight deviation | max abs weight | "
            "max rel. loss deviation | final loss | within 1e-8 |",
            "|---|---:|---:|---:|---:|---:|---:|---|"]
    for name, c in cases.items():
        v = c["verify"]
        out.append(f"| {name} | {v['steps']} | {v['checkpoints']} | {v['max_abs_dev']:.2e} | "
                   f"{v['param_scale']:.3g} | {v['max_rel_loss_dev']:.2e} | "
                   f"{v['final_loss']:.4g} | {'yes' if v['ok'] else '**NO**'} |")
    out += ["", "### Speed", "",
            f"Steps/s (median chunk; fastest chunk in brackets).  Sweep = {R} seeds batched in "
            f"one `MLPBatch`, in run-steps/s; {R} sequential torch runs take {R}× one run.", "",
            "| case | engine | torch | generic path | engine / torch | "
            f"{R}-seed sweep | sweep / torch | sweep / engine single |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, c in cases.items():
        t = c["timings"]

        def r(k, t=t):
            return f"{_rate(t[k]['median'])} ({_rate(t[k]['best'])})"

        out.append(f"| {name} | {r('engine')} | {r('torch')} | {r('generic')} | "
                   f"**{t['single_ratio']:.2f}×** | {r('sweep')} | {t['sweep_ratio']:.2f}× | "
                   f"{t['sweep_vs_single']:.2f}× |")
    out += ["", "### Shape floor", "",
            "The step's 3L - 1 = 11 matrix products, each timed alone with `np.matmul(a, b, "
            "out=...)` at the engine's shapes and layouts (1 thread; fastest of repeated "
            "loops), against the engine's fastest chunk (both as little disturbed by other "
            "processes as this run allowed); the target column's \"at the shape floor\" "
            "figure is torch's fastest chunk / floor.", "",
            "| case | floor R=1 | engine step | floor / step | "
            f"floor R={R} | sweep step | floor / step |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for name, c in cases.items():
        f1, fr = c["floor"]["R=1"], c["floor"][f"R={R}"]
        out.append(f"| {name} | {_us(f1['floor'])} µs | {_us(f1['engine_step'])} µs | "
                   f"**{f1['fraction']:.0%}** | {_us(fr['floor'])} µs | "
                   f"{_us(fr['engine_step'])} µs | {fr['fraction']:.0%} |")
    for mode in ("gd", "sgd"):
        c = next((c for c in cases.values() if c["mode"] == mode), None)
        if c is None:
            continue
        fl = c["floor"]["R=1"]
        out += ["", f"Products of one step, {c['case']} (n = {c['n']}, R = 1):", "",
                "| product | shape | µs |", "|---|---|---:|"]
        out += [f"| {p['label']} | {p['shape']} | {_us(p['seconds'])} |"
                for p in fl["products"]]
    out += ["", "### Where the engine's step goes (R = 1)", "",
            "`np.matmul` and the other NumPy calls timed through a stand-in for the engine "
            "module's `np`; rest = in-place operators and interpreter overhead.", "",
            "| case | step | np.matmul | other NumPy | rest | largest other calls |",
            "|---|---:|---:|---:|---:|---|"]
    for name, c in cases.items():
        bd = c["breakdown"]
        st = bd["step"]
        top = [(k, v) for k, v in bd["numpy_calls"].items() if k != "matmul"][:3]
        tops = ", ".join(f"`{k}` {_us(v['seconds'])} µs ×{v['calls']:g}" for k, v in top)
        out.append(f"| {name} | {_us(st)} µs | {_us(bd['matmul'])} µs "
                   f"({bd['matmul'] / st:.0%}) | {_us(bd['numpy_other'])} µs "
                   f"({bd['numpy_other'] / st:.0%}) | {_us(bd['rest'])} µs "
                   f"({bd['rest'] / st:.0%}) | {tops} |")
    out.append("")
    return "\n".join(out)
