"""Benchmark of the deep-UFM engine against a PyTorch eager reference of the same training loop.

``run_benchmarks(quick=False)`` measures, in one run and on this machine:

* **single run**: engine steps/s (``DUFMBatch(cfg, runs=1).step``) vs a PyTorch CPU eager
  implementation of the same loop (autograd ``loss.backward()`` plus an SGD-with-weight-decay
  update under ``torch.no_grad()``, started from the engine's ``init_params`` arrays), in float64
  and float32, with 1 and 2 threads (``threadpoolctl`` for NumPy's BLAS, ``torch.set_num_threads``
  for torch);
* **10-seed sweep**: one batched call ``DUFMBatch(cfg, runs=10)``: aggregate run-steps/s vs one
  torch run's steps/s; and the same 10 seeds split over 2 worker processes (joblib, 1 thread
  each, 5 seeds batched per worker), whose aggregate should be close to twice the 1-process one;
* **shape floor**: the time of the step's 3L matrix products, each timed alone with ``np.matmul``
  at exactly the engine's shapes, layouts and transpositions (1 thread), divided by the engine's
  measured time per step;
* **recording cost**: ``train(..., record_every=k)`` at the default ``k`` vs
  ``record_every=steps``;
* **trajectory check**: the torch float64 trajectory agrees with the engine's to ``1e-8`` (max
  absolute parameter deviation over checkpoints), and a **breakdown** of the engine's step time
  (matrix products, other NumPy calls, in-place operators, interpreter overhead).

Every comparison is made within the same run.  Each timed trajectory is cut into chunks and the
implementations alternate chunk by chunk (``repeats`` trajectories each); rates use the fastest
chunk (the least disturbed by other processes) and the median of the chunk-paired ratios is
reported next to them.  torch, threadpoolctl and joblib's process pool are imported lazily: torch
is never a dependency of ``ncverify``.  Timings are never asserted in tests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import inspect
import os
import platform
import statistics
import time
import types
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from ncverify.engine import dufm as _dufm
from ncverify.engine.config import DUFMConfig
from ncverify.engine.dufm import DUFMBatch
from ncverify.engine.train import train

__all__ = ["TARGETS", "TorchReference", "format_report", "machine_info", "products",
           "run_benchmarks", "shape_floor", "verify_trajectory"]

#: Benchmarked presets, steps per timed segment (full mode; quick mode uses 10× fewer).
STEPS = {"sk-fig1": 600, "gk-fig1": 3000}
SWEEP_RUNS = 10
PROCESSES = 2
DTYPES = ("float64", "float32")
THREADS = (1, 2)
VERIFY_TOL = 1e-8

#: Targets (issue text): engine / torch speed-up ratios and the other criteria.
TARGETS: dict[str, dict[str, float]] = {
    "sk-fig1": {"single": 2.5, "sweep": 3.0},
    "gk-fig1": {"single": 5.0, "sweep": 7.0},
}
FLOOR_TARGET = 0.75  # shape floor / engine time per step, at least
RECORD_TARGET = 0.10  # relative overhead of the default recording, at most
SCALING_TARGET = 1.8  # 2-process aggregate / 1-process aggregate ("close to twice"), at least


# --------------------------------------------------------------------------- optional imports


def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("the engine benchmark needs PyTorch for its reference implementation "
                           "(it is not an ncverify dependency): pip install torch") from exc
    return torch


def _threadpool_limits(n: int):
    try:
        from threadpoolctl import threadpool_limits
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("the engine benchmark needs threadpoolctl to pin NumPy's BLAS "
                           "threads: pip install threadpoolctl") from exc
    return threadpool_limits(limits=n)


@contextlib.contextmanager
def threads(n: int) -> Iterator[None]:
    """Limit NumPy's BLAS (and any OpenMP pool threadpoolctl sees) and torch to ``n`` threads."""
    torch = _torch()
    old = torch.get_num_threads()
    with _threadpool_limits(n):
        torch.set_num_threads(n)
        try:
            yield
        finally:
            torch.set_num_threads(old)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --------------------------------------------------------------------------- machine


def machine_info() -> dict[str, Any]:
    """nproc, CPU model, versions and BLAS of NumPy and torch, load average, date."""
    cpu = platform.processor() or "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    info: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "numpy": np.__version__,
        "loadavg_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }
    try:
        from threadpoolctl import threadpool_info

        libs = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        libs = [p for p in libs if "numpy" in str(p.get("filepath", ""))] or libs
        blas = [f"{p.get('internal_api')} {p.get('version')} ({p.get('architecture')}, "
                f"{p.get('threading_layer')})" for p in libs]
        info["numpy_blas"] = "; ".join(blas) or "unknown"
    except ImportError:  # pragma: no cover
        info["numpy_blas"] = "unknown (threadpoolctl missing)"
    try:
        torch = _torch()
        cfg = torch.__config__.show()
        blas = "MKL" if "USE_MKL=ON" in cfg else "unknown"
        for line in cfg.splitlines():
            if "Math Kernel Library" in line or "OpenBLAS" in line:
                blas = line.strip(" -")
                break
        info["torch"] = torch.__version__
        info["torch_blas"] = blas
    except RuntimeError:  # pragma: no cover
        info["torch"] = None
        info["torch_blas"] = None
    return info


# --------------------------------------------------------------------------- torch reference


class TorchReference:
    """The engine's training loop written the natural way in PyTorch eager mode.

    Parameters start as copies of the engine's ``init_params`` arrays (run 0 of ``init``);
    each step is a forward pass, ``fit.backward()`` and, under ``torch.no_grad()``,
    ``p -= lr * (p.grad + λ_p p)`` for every parameter (SGD with weight decay).
    """

    def __init__(self, cfg: DUFMConfig, init: Sequence[np.ndarray]):
        torch = _torch()
        self.torch = torch
        self.cfg = cfg
        self.dtype = getattr(torch, cfg.dtype)
        self.init = [np.array(p[0] if p.ndim == 3 else p, dtype=cfg.dtype) for p in init]
        self.labels = torch.as_tensor(cfg.labels(), dtype=torch.int64)
        self.Y = torch.nn.functional.one_hot(self.labels, cfg.K).T.to(self.dtype).contiguous()
        self.lams = list(cfg.lams)
        self.reset()

    def reset(self) -> None:
        self.params = [self.torch.tensor(p).requires_grad_(True) for p in self.init]

    def _fit(self):
        torch, cfg = self.torch, self.cfg
        A = self.params[0]
        for W in self.params[1:-1]:
            A = W @ A
            if cfg.activation == "relu":
                A = torch.relu(A)
        Z = self.params[-1] @ A
        if cfg.loss == "ce":
            return torch.nn.functional.cross_entropy(Z.T, self.labels)
        return 0.5 / cfg.N * ((Z - self.Y) ** 2).sum()

    def run(self, steps: int) -> None:
        """``steps`` gradient-descent steps, in place."""
        torch, lr, lams, params = self.torch, self.cfg.lr, self.lams, self.params
        for _ in range(steps):
            fit = self._fit()
            fit.backward()
            with torch.no_grad():
                for p, lam in zip(params, lams, strict=True):
                    p -= lr * (p.grad + lam * p)
                    p.grad = None

    def numpy_params(self) -> list[np.ndarray]:
        return [p.detach().numpy().copy() for p in self.params]

    def loss(self) -> float:
        """Total loss (fit + weight decay) at the current parameters."""
        with self.torch.no_grad():
            pen = sum(0.5 * lam * (p * p).sum() for p, lam in zip(self.params, self.lams,
                                                                   strict=True))
            return float(self._fit() + pen)


def compare_trajectories(step: Callable[[], None], params: Sequence[np.ndarray],
                         loss: Callable[[], float], ref: Any, steps: int, checkpoints: int
                         ) -> tuple[int, float, float, float, float]:
    """Advance the engine (``step()``, one step in place on ``params``, (1, ...) arrays) and a
    torch reference (``ref.run(n)``, ``ref.numpy_params()``, ``ref.loss()``) side by side and
    compare them at ``checkpoints`` equally spaced points (untimed).

    Returns ``(checkpoints done, max abs parameter deviation, max |parameter|, max relative
    loss deviation, final engine loss)``.
    """
    chunk = max(1, steps // max(1, checkpoints))
    done, dev, ldev, scale, n_chk, le = 0, 0.0, 0.0, 0.0, 0, float("nan")
    with np.errstate(all="ignore"):
        while done < steps:
            n = min(chunk, steps - done)
            for _ in range(n):
                step()
            ref.run(n)
            done += n
            n_chk += 1
            for p, q in zip(params, ref.numpy_params(), strict=True):
                dev = max(dev, float(np.max(np.abs(p[0].astype(np.float64) - q))))
                scale = max(scale, float(np.max(np.abs(p[0]))))
            le, lt = loss(), ref.loss()
            ldev = max(ldev, abs(le - lt) / max(abs(le), 1e-300))
    return n_chk, dev, scale, ldev, le


def verify_trajectory(cfg: DUFMConfig, steps: int, checkpoints: int = 10,
                      seed: int = 0) -> dict[str, Any]:
    """Run the engine and the torch reference side by side from the same initialisation.

    Returns the largest absolute parameter deviation and relative loss deviation over
    ``checkpoints`` equally spaced checkpoints (untimed).
    """
    batch = DUFMBatch(cfg, runs=1)
    P = batch.init_params([seed])
    ref = TorchReference(cfg, P)
    n_chk, dev, scale, ldev, _ = compare_trajectories(
        lambda: batch.step(P), P, lambda: float(batch.loss(P)[0][0]), ref, steps, checkpoints)
    return {"dtype": cfg.dtype, "steps": steps, "checkpoints": n_chk, "max_abs_dev": dev,
            "param_scale": scale, "max_rel_loss_dev": ldev,
            "tol": VERIFY_TOL if cfg.dtype == "float64" else None,
            "ok": bool(dev <= VERIFY_TOL) if cfg.dtype == "float64" else None}


# --------------------------------------------------------------------------- timing helpers


class _EngineRunner:
    """Advances copies of ``P0`` with ``batch.step``; ``runner(n)`` times n more steps."""

    def __init__(self, batch: DUFMBatch, P0: Sequence[np.ndarray] | None = None):
        self.batch = batch
        self.P0 = batch.init_params(list(range(batch.R))) if P0 is None else P0
        self.reset()

    def reset(self) -> None:
        self.P = [p.copy() for p in self.P0]

    def __call__(self, n: int) -> float:
        step, P = self.batch.step, self.P
        with _no_gc():
            t0 = time.perf_counter()
            for _ in range(n):
                step(P)
            return time.perf_counter() - t0


class _TorchRunner:
    """Times ``ref.run(n)`` for any torch reference with ``reset()`` and ``run(n)`` (the DUFM
    :class:`TorchReference` and the MLP's ``TorchMLP``)."""

    def __init__(self, ref: Any):
        self.ref = ref

    def reset(self) -> None:
        self.ref.reset()

    def __call__(self, n: int) -> float:
        with _no_gc():
            t0 = time.perf_counter()
            self.ref.run(n)
            return time.perf_counter() - t0


def _time_chunks(runners: dict[str, Any], steps: int, chunks: int,
                 repeats: int) -> dict[str, list[float]]:
    """Seconds per step of every chunk, runners interleaved chunk by chunk.

    Each repeat restarts every runner from its initial parameters and advances it ``steps``
    steps in ``chunks`` chunks; after each chunk of one runner comes the same chunk of the next,
    so that load from other processes hits them alike and paired ratios are meaningful.
    """
    size = max(1, steps // max(1, chunks))
    out: dict[str, list[float]] = {k: [] for k in runners}
    for r in runners.values():  # warm-up
        r.reset()
        r(min(size, 10))
    for _ in range(repeats):
        for r in runners.values():
            r.reset()
        done = 0
        while done < steps:
            n = min(size, steps - done)
            for k, r in runners.items():
                out[k].append(r(n) / n)
            done += n
    return out


def _per_call(fn: Callable[[], Any], min_time: float, repeats: int) -> float:
    """Seconds per call of ``fn``: calibrated loop, fastest of ``repeats`` loops."""
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        el = time.perf_counter() - t0
        if el >= min_time / 4 or n >= 1 << 20:
            break
        n *= 4
    n = max(1, int(n * (min_time / max(el, 1e-9))))
    best = float("inf")
    with _no_gc():
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            best = min(best, (time.perf_counter() - t0) / n)
    return best


def _stats(times: Sequence[float], work: float) -> dict[str, Any]:
    """Rates (work / second) of a list of timings: best (fastest) and median."""
    return {"n": len(times), "best": work / min(times), "median": work / statistics.median(times)}


# --------------------------------------------------------------------------- shape floor


def products(cfg: DUFMConfig, R: int = 1) -> list[dict[str, Any]]:
    """The 3L matrix products of one engine step, with the engine's layouts.

    Each entry: ``label``, ``a``/``b`` = (stored shape, transposed?) of the operands as the
    engine holds them ((R, rows, cols) arrays; a transposed operand is a ``transpose(0, 2, 1)``
    view) and ``out`` (the result's shape).
    """
    d, N, K, L = cfg.d, cfg.N, cfg.K, cfg.L
    out: list[dict[str, Any]] = []

    def add(label, a, ta, b, tb):
        rows = a[1] if ta else a[0]
        cols = b[0] if tb else b[1]
        out.append({"label": label, "a": ((R, *a), ta), "b": ((R, *b), tb),
                    "out": (R, rows, cols)})

    if cfg.activation == "identity" and K <= d:
        # the engine's chain products through the K-dimensional output space (dufm.py)
        for l in range(L - 1, 0, -1):
            add(f"fwd A{l} = A{l + 1}·W{l}", (K, d), False, (d, d), False)
        add("fwd Z = A1·H1", (K, d), False, (d, N), False)
        add("∇H1 = A1ᵀ·G_Z", (K, d), True, (K, N), False)
        add("C1 = G_Z·H1ᵀ", (K, N), False, (d, N), True)
        for l in range(1, L):
            add(f"∇W{l} = A{l + 1}ᵀ·C{l}", (K, d), True, (K, d), False)
            add(f"C{l + 1} = C{l}·W{l}ᵀ" + (f" (∇W{L})" if l == L - 1 else ""), (K, d), False,
                (d, d), True)
        return out
    for l in range(1, L):
        add(f"fwd W{l}·A{l - 1}", (d, d), False, (d, N), False)
    add(f"fwd W{L}·A{L - 1} (Z)", (K, d), False, (d, N), False)
    add(f"∇W{L} = G_Z·A{L - 1}ᵀ", (K, N), False, (d, N), True)
    add(f"W{L}ᵀ·G_Z" + (" (∇H1)" if L == 1 else ""), (K, d), True, (K, N), False)
    for l in range(L - 1, 0, -1):
        add(f"∇W{l} = B·A{l - 1}ᵀ", (d, N), False, (d, N), True)
        add(f"W{l}ᵀ·B" + (" (∇H1)" if l == 1 else ""), (d, d), True, (d, N), False)
    return out


def shape_floor(cfg: DUFMConfig, R: int = 1, min_time: float = 0.02,
                repeats: int = 5) -> dict[str, Any]:
    """Sum over the step's products of ``np.matmul`` time at exactly those shapes (current
    thread limits apply; call inside :func:`threads`)."""
    rng = np.random.default_rng(1)
    dtype = cfg.np_dtype
    cache: dict[tuple, float] = {}
    rows = []
    for p in products(cfg, R):
        key = (p["a"], p["b"])
        if key not in cache:
            ops = []
            for shape, tr in (p["a"], p["b"]):
                x = rng.standard_normal(shape).astype(dtype)
                ops.append(x.transpose(0, 2, 1) if tr else x)
            res = np.empty(p["out"], dtype)
            a, b = ops
            cache[key] = _per_call(lambda a=a, b=b, res=res: np.matmul(a, b, out=res),
                                   min_time, repeats)
        rows.append({"label": p["label"], "shape": _shape_str(p), "seconds": cache[key]})
    return {"R": R, "dtype": cfg.dtype, "products": rows,
            "floor": sum(r["seconds"] for r in rows)}


def _shape_str(p: dict[str, Any]) -> str:
    def one(spec):
        (_, r, c), tr = spec
        return f"({c}×{r})ᵀ" if tr else f"{r}×{c}"

    return f"{one(p['a'])} · {one(p['b'])}"


# --------------------------------------------------------------------------- step breakdown


class _TimedNumpy:
    """Stand-in for the ``np`` module of :mod:`ncverify.engine.dufm` that times every call."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self._cache: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._cache[name]
        except KeyError:
            pass
        obj = getattr(np, name)
        if callable(obj) and not isinstance(obj, type) and not isinstance(obj, types.ModuleType):
            seconds, calls, clock = self.seconds, self.calls, time.perf_counter

            def timed(*args, **kw):
                t0 = clock()
                res = obj(*args, **kw)
                seconds[name] += clock() - t0
                calls[name] += 1
                return res

            if isinstance(obj, np.ufunc):  # keep ufunc methods (np.maximum.reduce, ...)
                for meth in ("reduce", "accumulate", "outer", "at"):
                    setattr(timed, meth, self._timed_method(f"{name}.{meth}",
                                                            getattr(obj, meth)))
            self._cache[name] = timed
            return timed
        self._cache[name] = obj
        return obj

    def _timed_method(self, label: str, fn: Any) -> Any:
        seconds, calls, clock = self.seconds, self.calls, time.perf_counter

        def timed(*args, **kw):
            t0 = clock()
            res = fn(*args, **kw)
            seconds[label] += clock() - t0
            calls[label] += 1
            return res

        return timed


def _inplace_ops(cfg: DUFMConfig, R: int) -> list[tuple[str, tuple, Any]]:
    """The array operators (``*=``, ``-=``, ``[...] =``) of one step of the current engine,
    which the timed ``np`` stand-in cannot see: (label, shape of the target, operand shape or
    scalar)."""
    d, N, K, L = cfg.d, cfg.N, cfg.K, cfg.L
    ops: list[tuple[str, tuple, Any]] = []
    if cfg.loss == "ce":
        ops += [("E *= 1/Σexp", (R, K, N), (R, 1, N)), ("E -= scaled Y", (R, K, N), (K, N))]
    else:
        ops += [("E *= lr/N", (R, K, N), None)]
    if cfg.activation == "relu":
        ops += [("B *= mask", (R, d, N), (R, d, N))] * (L - 1)
    for shape in cfg.shapes:
        ops += [("P *= decay", (R, *shape), None), ("P -= lr ∇", (R, *shape), (R, *shape))]
    return ops


def _inplace_fn(label: str, x: np.ndarray, other: Any) -> Callable[[], Any]:
    """A closure repeating one in-place operator on ``x`` (factors of one, so that repeated
    calls neither overflow nor reach subnormal numbers)."""
    if other is None:
        def fn():
            x.__imul__(1.0)
    elif other == "copy":
        y = np.ones_like(x)

        def fn():
            x[...] = y
    else:
        y = np.ones(other, x.dtype)
        op = x.__imul__ if "*=" in label else x.__isub__

        def fn():
            op(y)
    return fn


def step_breakdown(cfg: DUFMConfig, R: int, steps: int, step_seconds: float,
                   min_time: float = 0.005, repeats: int = 5, chunks: int = 10) -> dict[str, Any]:
    """Where one engine step's time goes: NumPy calls (timed through a stand-in for the engine
    module's ``np``; per function, the fastest of ``chunks`` chunks of steps), in-place array
    operators (timed alone at the step's shapes) and the remainder, interpreter overhead
    (``step_seconds`` minus the rest)."""
    batch = DUFMBatch(cfg, runs=R)
    P = batch.init_params(list(range(R)))
    for _ in range(min(20, steps)):
        batch.step(P)
    size = max(1, steps // max(1, chunks))
    best: dict[str, float] = {}
    ncalls: dict[str, float] = {}
    saved = _dufm.np
    try:
        done = 0
        while done < steps:
            n = min(size, steps - done)
            timed = _TimedNumpy()
            _dufm.np = timed
            with _no_gc():
                for _ in range(n):
                    batch.step(P)
            _dufm.np = saved
            done += n
            for k, v in timed.seconds.items():
                best[k] = min(best.get(k, float("inf")), v / n)
                ncalls[k] = timed.calls[k] / n
    finally:
        _dufm.np = saved
    calls = {k: {"seconds": v, "calls": ncalls[k]}
             for k, v in sorted(best.items(), key=lambda kv: -kv[1])}
    rng = np.random.default_rng(2)
    dtype = cfg.np_dtype
    inplace: dict[str, dict[str, float]] = {}
    for label, shape, other in _inplace_ops(cfg, R):
        fn = _inplace_fn(label, rng.standard_normal(shape).astype(dtype), other)
        sec = _per_call(fn, min_time, repeats)
        e = inplace.setdefault(label, {"seconds": 0.0, "calls": 0})
        e["seconds"] += sec
        e["calls"] += 1
    matmul = calls.get("matmul", {}).get("seconds", 0.0)
    other_np = sum(v["seconds"] for k, v in calls.items() if k != "matmul")
    ops = sum(v["seconds"] for v in inplace.values())
    return {"R": R, "dtype": cfg.dtype, "step": step_seconds, "matmul": matmul,
            "numpy_other": other_np, "inplace": ops,
            "interpreter": step_seconds - matmul - other_np - ops,
            "numpy_calls": calls, "inplace_ops": inplace}


# --------------------------------------------------------------------------- 2 processes


def _sweep_worker(cfg: DUFMConfig, seeds: list[int], steps: int) -> float:
    """One worker of the multi-process sweep: its seeds batched, 1 BLAS thread; seconds."""
    with _threadpool_limits(1):
        batch = DUFMBatch(cfg, runs=len(seeds))
        run = _EngineRunner(batch, batch.init_params(seeds))
        run(min(10, steps))
        return run(steps)


def _sweep_processes(cfg: DUFMConfig, steps: int, repeats: int, runs: int = SWEEP_RUNS,
                     procs: int = PROCESSES) -> dict[str, Any]:
    from joblib import Parallel, delayed

    chunks = [list(c) for c in np.array_split(np.arange(runs), procs)]
    walls: list[float] = []
    inner: list[float] = []
    with Parallel(n_jobs=procs, backend="loky") as par:
        par(delayed(_sweep_worker)(cfg, [int(s) for s in c], 2) for c in chunks)  # start up
        for _ in range(repeats):
            t0 = time.perf_counter()
            secs = par(delayed(_sweep_worker)(cfg, [int(s) for s in c], steps) for c in chunks)
            walls.append(time.perf_counter() - t0)
            inner.append(sum(len(c) * steps / s for c, s in zip(chunks, secs, strict=True)))
    out = _stats(walls, runs * steps)
    out["in_worker_sum_best"] = max(inner)
    out["processes"] = procs
    out["runs_per_process"] = [len(c) for c in chunks]
    return out


# --------------------------------------------------------------------------- main driver


def _bench_config(name: str, steps: int, repeats: int, quick: bool, processes: bool,
                  log: Callable[[str], None]) -> dict[str, Any]:
    base = DUFMConfig.preset(name)
    res: dict[str, Any] = {"config": base.to_dict(), "steps": steps, "repeats": repeats,
                           "timings": {}, "floor": {}, "verify": {}}
    min_time = 0.002 if quick else 0.005
    floor_repeats = 5 if quick else 15
    chunks = 10 if quick else 30
    # trajectory agreement (untimed)
    for dtype in DTYPES:
        log(f"{name}: verifying the torch trajectory ({dtype})")
        res["verify"][dtype] = verify_trajectory(base.replace(dtype=dtype), steps)
    engine_step: dict[tuple[str, int], float] = {}
    for dtype in DTYPES:
        cfg = base.replace(dtype=dtype)
        single = DUFMBatch(cfg, runs=1)
        P1 = single.init_params([0])
        runners = {"engine": _EngineRunner(single, P1),
                   "torch": _TorchRunner(TorchReference(cfg, P1)),
                   "sweep": _EngineRunner(DUFMBatch(cfg, runs=SWEEP_RUNS))}
        for nt in THREADS:
            log(f"{name}: timing {dtype}, {nt} thread(s)")
            with threads(nt), np.errstate(all="ignore"):
                tm = _time_chunks(runners, steps, chunks, repeats)
                if nt == 1:
                    log(f"{name}: shape floor {dtype}")
                    for R in (1, SWEEP_RUNS):
                        res["floor"][f"{dtype}/R={R}"] = shape_floor(
                            cfg, R=R, min_time=min_time, repeats=floor_repeats)
            te, tt, ts = tm["engine"], tm["torch"], tm["sweep"]
            eng, tor, swp = _stats(te, 1), _stats(tt, 1), _stats(ts, SWEEP_RUNS)
            if nt == 1:
                engine_step[(dtype, 1)] = min(te)
                engine_step[(dtype, SWEEP_RUNS)] = min(ts)
            res["timings"][f"{dtype}/{nt}t"] = {
                "dtype": dtype, "threads": nt, "chunks": len(te),
                "engine": eng, "torch": tor, "sweep": swp,
                "single_ratio": eng["best"] / tor["best"],
                "single_ratio_median": statistics.median(t / e for e, t in zip(te, tt,
                                                                                strict=True)),
                "sweep_ratio": swp["best"] / tor["best"],
                "sweep_ratio_median": statistics.median(
                    SWEEP_RUNS * t / w for w, t in zip(ts, tt, strict=True)),
                "sweep_vs_engine_single": swp["best"] / eng["best"],
            }
        for R in (1, SWEEP_RUNS):
            fl = res["floor"][f"{dtype}/R={R}"]
            fl["engine_step"] = engine_step[(dtype, R)]
            fl["fraction"] = fl["floor"] / fl["engine_step"]
    base_t = res["timings"]["float64/1t"]
    if processes:
        log(f"{name}: 10-seed sweep in {PROCESSES} processes")
        mp = _sweep_processes(base, steps, repeats)
        mp["one_process_best"] = base_t["sweep"]["best"]
        mp["scaling"] = mp["best"] / base_t["sweep"]["best"]
        mp["vs_torch"] = mp["best"] / base_t["torch"]["best"]
        res["processes"] = mp
    # recording cost
    k = inspect.signature(train).parameters["record_every"].default
    log(f"{name}: recording cost (record_every={k})")
    rec_steps = max(min(5 * k, steps), steps // 4)
    with threads(1), np.errstate(all="ignore"):
        train(base, steps=min(50, steps), record_every=k)
        tr, tn = [], []
        for _ in range(3 * repeats):  # interleaved pairs
            for every, acc in ((k, tr), (rec_steps, tn)):
                with _no_gc():
                    t0 = time.perf_counter()
                    train(base, steps=rec_steps, record_every=every)
                    acc.append(time.perf_counter() - t0)
    res["recording"] = {"record_every": k, "steps": rec_steps, "runs": len(tr),
                        "with": _stats(tr, rec_steps), "without": _stats(tn, rec_steps),
                        "overhead": min(tr) / min(tn) - 1.0,
                        "overhead_median": statistics.median(
                            a / b - 1.0 for a, b in zip(tr, tn, strict=True))}
    # breakdown of the float64 step, 1 thread
    log(f"{name}: step breakdown")
    res["breakdown"] = {}
    with threads(1), np.errstate(all="ignore"):
        for R in (1, SWEEP_RUNS):
            res["breakdown"][f"R={R}"] = step_breakdown(
                base, R, max(10, steps // (2 if R == 1 else 5)), engine_step[("float64", R)],
                min_time=min_time, repeats=floor_repeats, chunks=chunks)
    res["targets"] = _targets(name, res)
    return res


def _targets(name: str, res: dict[str, Any]) -> list[dict[str, Any]]:
    t = res["timings"]["float64/1t"]
    tg = TARGETS.get(name, {})
    out = []

    def add(what, value, target, op, detail=""):
        met = value >= target if op == ">=" else value <= target
        out.append({"config": name, "what": what, "value": value, "target": target, "op": op,
                    "met": bool(met), "detail": detail})

    torch_step = 1.0 / t["torch"]["best"]
    f1, f10 = res["floor"]["float64/R=1"]["floor"], res["floor"][f"float64/R={SWEEP_RUNS}"]["floor"]
    if "single" in tg:
        add("single run, float64, 1 thread: engine / torch steps/s", t["single_ratio"],
            tg["single"], ">=", f"median of chunk-paired ratios {t['single_ratio_median']:.2f}; "
            f"an engine running at its shape floor would reach {torch_step / f1:.2f}×")
    if "sweep" in tg:
        add(f"{SWEEP_RUNS}-seed batched sweep, float64, 1 thread: run-steps/s / torch steps/s",
            t["sweep_ratio"], tg["sweep"], ">=",
            f"median of chunk-paired ratios {t['sweep_ratio_median']:.2f}; at the shape floor "
            f"{torch_step * SWEEP_RUNS / f10:.2f}×")
    if "processes" in res:
        mp = res["processes"]
        add(f"{SWEEP_RUNS}-seed sweep in {PROCESSES} processes / 1 process (aggregate)",
            mp["scaling"], SCALING_TARGET, ">=", f"{mp['vs_torch']:.2f}× torch")
    fl = res["floor"]["float64/R=1"]
    add("shape floor / engine time per step (float64, 1 thread, single run)", fl["fraction"],
        FLOOR_TARGET, ">=")
    rec = res["recording"]
    add(f"recording overhead (record_every={rec['record_every']} vs none)", rec["overhead"],
        RECORD_TARGET, "<=", f"median of paired runs {rec['overhead_median']:+.1%}")
    return out


def run_benchmarks(quick: bool = False, *, configs: Sequence[str] | None = None,
                   steps: dict[str, int] | int | None = None, repeats: int | None = None,
                   processes: bool = True, log: Callable[[str], None] | None = None
                   ) -> dict[str, Any]:
    """Run every measurement; a JSON-serialisable dict (see :func:`format_report`).

    ``quick`` uses 10× fewer steps and 3 repeats; ``configs``, ``steps`` (per preset or one
    number), ``repeats`` and ``processes`` (the joblib sweep) override the defaults.
    """
    _torch()  # fail early, with a clear message, when torch is missing
    log = log or (lambda msg: None)
    names = list(configs or STEPS)
    reps = repeats or (3 if quick else 5)
    info = machine_info()
    t0 = time.perf_counter()
    results: dict[str, Any] = {"machine": info, "quick": quick, "repeats": reps,
                               "sweep_runs": SWEEP_RUNS, "configs": {}}
    for name in names:
        if isinstance(steps, int):
            n = steps
        elif steps and name in steps:
            n = steps[name]
        else:
            n = STEPS.get(name, 500) // (10 if quick else 1)
        results["configs"][name] = _bench_config(name, max(1, n), reps, quick, processes, log)
    info["loadavg_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    results["seconds"] = time.perf_counter() - t0
    results["targets"] = [t for c in results["configs"].values() for t in c["targets"]]
    results["verified"] = all(v["ok"] for c in results["configs"].values()
                              for v in c["verify"].values() if v["ok"] is not None)
    return results


# --------------------------------------------------------------------------- report


def _us(sec: float) -> str:
    return f"{sec * 1e6:.1f}"


def _rate(x: float) -> str:
    return f"{x:,.0f}"


def _target_cell(t: dict[str, Any]) -> str:
    v, g = t["value"], t["target"]
    if t["op"] == "<=":
        return f"{v:+.1%} (target ≤ {g:.0%})"
    if "floor" in t["what"]:
        return f"{v:.0%} (target ≥ {g:.0%})"
    return f"{v:.2f}× (target ≥ {g:g}×, {v / g:.0%} of it)"



def machine_section(results: dict[str, Any], heading: str, busy_note: str) -> list[str]:
    """Markdown lines of the machine table of a benchmark report (both torch benchmarks), with
    ``busy_note`` appended when the 1-min load average at the start exceeded 0.3."""
    m = results["machine"]
    load, load_end = m.get("loadavg_start"), m.get("loadavg_end")
    out = [heading, "", "| | |", "|---|---|",
           f"| date (run start) | {m['date']} |",
           f"| nproc | {m['nproc']} |",
           f"| cpu | {m['cpu']} |"]
    if m.get("platform"):
        out.append(f"| platform | {m['platform']} |")
    out += [f"| python | {m['python']} |",
            f"| numpy | {m['numpy']} (BLAS: {m['numpy_blas']}) |",
            f"| torch | {m.get('torch')} (BLAS: {m.get('torch_blas')}) |"]
    if load:
        la = " / ".join(f"{x:.2f}" for x in load)
        le = " / ".join(f"{x:.2f}" for x in load_end) if load_end else "?"
        out.append(f"| load average 1/5/15 min | start {la}; end {le} |")
    out.append(f"| benchmark wall time | {results.get('seconds', 0):.0f} s |")
    if load and m.get("nproc") and load[0] > 0.3:
        out += ["", f"**Note:** the machine was not idle (1-min load average {load[0]:.2f} on "
                f"{m['nproc']} cores at the start): {busy_note}"]
    return out

def format_report(results: dict[str, Any]) -> str:
    """The results as a markdown section (machine, targets, one table per config)."""
    out = ["# Engine benchmark", "",
           "Produced by `python benchmarks/engine.py" + (" --quick" if results["quick"] else "")
           + " --write` (do not edit by hand).  Engine = `DUFMBatch.step` (NumPy); reference = "
           "the same loop in PyTorch CPU eager mode (autograd `backward()` + SGD-with-weight-"
           "decay update under `torch.no_grad()`), from the engine's initial parameters.  "
           f"Each timing runs {results['repeats']} trajectories per implementation, cut into "
           "chunks that alternate between the implementations; rates use the fastest chunk, "
           "ratios are within the same run (the median of chunk-paired ratios is given too).",
           ""]
    out += machine_section(results, "## Machine",
                           "other processes competed for the cores, so absolute rates are "
                           "pessimistic and the 2-thread / 2-process figures especially so.")
    out += ["", "## Targets", "", "| config | measurement | measured | met |", "|---|---|---|---|"]
    for t in results["targets"]:
        extra = f" — {t['detail']}" if t.get("detail") else ""
        out.append(f"| {t['config']} | {t['what']} | {_target_cell(t)}{extra} | "
                   f"{'**yes**' if t['met'] else '**no**'} |")
    out += ["", "## Trajectory agreement (torch reference vs engine)", "",
            "| config | dtype | steps | checkpoints | max abs parameter deviation | "
            "max |P| | max rel. loss deviation | within 1e-8 |",
            "|---|---|---:|---:|---:|---:|---:|---|"]
    for name, c in results["configs"].items():
        for dtype, v in c["verify"].items():
            ok = "n/a" if v["ok"] is None else ("yes" if v["ok"] else "**NO**")
            out.append(f"| {name} | {dtype} | {v['steps']} | {v['checkpoints']} | "
                       f"{v['max_abs_dev']:.2e} | {v['param_scale']:.3g} | "
                       f"{v['max_rel_loss_dev']:.2e} | {ok} |")
    for name, c in results["configs"].items():
        cfg = c["config"]
        out += ["", f"## {name}", "",
                f"K={cfg['K']}, n={cfg['n']}, d={cfg['d']}, L={cfg['L']}, "
                f"{cfg['activation']}, {cfg['loss']}; {c['steps']}-step trajectories, "
                f"{c['repeats']} per timing, {c['timings']['float64/1t']['chunks']} chunks in "
                "all.", ""]
        cols = list(c["timings"])
        out += ["| | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]

        def row(label, fn, cols=cols, c=c):
            return f"| {label} | " + " | ".join(fn(c["timings"][k]) for k in cols) + " |"

        out += [row("engine, single run (steps/s)", lambda t: _rate(t["engine"]["best"])),
                row("torch, single run (steps/s)", lambda t: _rate(t["torch"]["best"])),
                row("engine µs/step", lambda t: _us(1 / t["engine"]["best"])),
                row("torch µs/step", lambda t: _us(1 / t["torch"]["best"])),
                row("**engine / torch** (single)", lambda t: f"**{t['single_ratio']:.2f}×**"),
                row(f"engine, {SWEEP_RUNS}-seed batched sweep (run-steps/s)",
                    lambda t: _rate(t["sweep"]["best"])),
                row("**sweep / torch single**", lambda t: f"**{t['sweep_ratio']:.2f}×**"),
                row("sweep / engine single (batching gain)",
                    lambda t: f"{t['sweep_vs_engine_single']:.2f}×")]
        if "processes" in c:
            mp = c["processes"]
            out += ["", f"{SWEEP_RUNS}-seed sweep in {mp['processes']} worker processes "
                    f"(joblib/loky, 1 thread each, {'+'.join(map(str, mp['runs_per_process']))}"
                    f" seeds batched per worker), float64: **{_rate(mp['best'])} run-steps/s** "
                    f"(wall time of the parallel call; in-worker sum "
                    f"{_rate(mp['in_worker_sum_best'])}) vs {_rate(mp['one_process_best'])} "
                    f"in 1 process: **{mp['scaling']:.2f}×** (ideal 2×); "
                    f"{mp['vs_torch']:.2f}× one torch run."]
        out += ["", "Shape floor (1 thread): the step's matrix products, each timed alone with "
                "`np.matmul(a, b, out=...)` at the engine's shapes and transpositions.", "",
                "| product | shape | " + " | ".join(c["floor"]) + " |",
                "|---|---|" + "---:|" * len(c["floor"])]
        fls = list(c["floor"].values())
        for i, p in enumerate(fls[0]["products"]):
            out.append(f"| {p['label']} | {p['shape']} | "
                       + " | ".join(_us(f["products"][i]["seconds"]) + " µs" for f in fls) + " |")
        out.append("| **floor** | | " + " | ".join(f"**{_us(f['floor'])} µs**" for f in fls)
                   + " |")
        out.append("| engine step | | " + " | ".join(f"{_us(f['engine_step'])} µs" for f in fls)
                   + " |")
        out.append("| **floor / step** | | " + " | ".join(f"**{f['fraction']:.0%}**" for f in fls)
                   + " |")
        rec = c["recording"]
        out += ["", f"Recording: `train(..., record_every={rec['record_every']})` "
                f"{_rate(rec['with']['best'])} steps/s vs `record_every=steps` "
                f"{_rate(rec['without']['best'])} steps/s: overhead **{rec['overhead']:+.1%}** "
                f"(median of paired runs {rec['overhead_median']:+.1%}; {rec['runs']} runs of "
                f"{rec['steps']} steps each way, fastest run; includes setup and the final "
                "gradient, common to both)."]
        out += ["", "Where the engine's float64 step goes (1 thread): NumPy calls timed through "
                "a timing stand-in for the engine module's `np`, in-place array operators timed "
                "alone at the step's shapes, interpreter overhead = the rest.", "",
                "| | " + " | ".join(c["breakdown"]) + " |", "|---|" + "---:|" * len(c["breakdown"])]
        bds = list(c["breakdown"].values())

        def brow(label, key, bds=bds):
            return (f"| {label} | " + " | ".join(
                f"{_us(b[key])} µs ({b[key] / b['step']:.0%})" for b in bds) + " |")

        out += ["| step | " + " | ".join(f"{_us(b['step'])} µs" for b in bds) + " |",
                brow("np.matmul", "matmul"), brow("other NumPy calls", "numpy_other"),
                brow("in-place operators", "inplace"), brow("interpreter (rest)", "interpreter")]
        names = []
        for b in bds:
            names += [k for k in list(b["numpy_calls"]) + list(b["inplace_ops"]) if k not in names]
        for k in names:
            cells = []
            for b in bds:
                e = b["numpy_calls"].get(k) or b["inplace_ops"].get(k)
                cells.append("" if e is None else f"{_us(e['seconds'])} µs ×{e['calls']:g}")
            label = f"`np.{k}`" if k in bds[0]["numpy_calls"] or k in bds[-1]["numpy_calls"] \
                else f"`{k}`"
            out.append(f"| &nbsp;&nbsp;{label} | " + " | ".join(cells) + " |")
    out.append("")
    return "\n".join(out)
