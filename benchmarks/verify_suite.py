"""Benchmark of the verification suite: ``ncverify verify`` (full and ``--quick``).

Usage::

    python benchmarks/verify_suite.py [--repeat N] [--write]

Measures, ``N`` times each (default 3), interleaved so that machine drift hits every series alike:

* end-to-end wall time of the CLI as subprocesses: ``python -m ncverify verify`` and
  ``python -m ncverify verify --quick`` (exit code must be 0);
* per-claim and per-check durations of ``ncverify.verify(quick=...)``, each repeat in a fresh
  worker process so that in-process caches (``functools.lru_cache``, sympy's cache) start cold,
  as they do for a CLI user;
* a same-run reference: the wall time of ``python -c "import ncverify.papers"`` (import cost) and
  of a fixed pure-Python workload (:data:`REF_WORKLOAD`, timed inside its own process).

Suite times are also given as ratios to the reference workload (suite seconds / reference
seconds), which are comparable across machines; absolute seconds are compared with the project
targets (full <= 20 s, quick <= 5 s on the 2-core reference machine).  ``--write`` writes
``benchmarks/RESULTS.md`` atomically.  Never used as a timed assertion in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from results_md import RESULTS, write_section  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: Fixed pure-Python reference workload.  Do not change it: the ratios in RESULTS.md are
#: expressed in units of its run time.
REF_WORKLOAD = "sum(i * i for i in range(10**7))"

#: Project targets for the end-to-end CLI wall time of the first claims (issue 2) on the 2-core
#: reference machine (seconds); the whole suite is timed in-process, with per-paper budgets.
TARGETS = {"full": 20.0, "quick": 5.0}
FIRST_CLAIMS = ("gk.schatten", "gk.lemma2", "gk.thm1")
#: In-process budgets (seconds, full mode) for groups of claims (issues 4 and 5).
SUITE_BUDGETS = {
    "gk landscape (issue 4)": (("gk.lemma1", "gk.prop1", "gk.eq19", "gk.thm4", "gk.eq27",
                                "gk.thm6", "gk.thm5", "gk.thm2", "gk.thm3", "gk.thmA1",
                                "gk.thmA2", "gk.thmA3"), 60.0),
    "sk (issue 5)": (("sk.",), 60.0),
}

MODES = ("full", "quick")
NOISY = 2.0  # a check whose max / min run time exceeds this is flagged as high-variance
_MARK = "@@verify_suite@@"
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "PYTHONHASHSEED")


# --------------------------------------------------------------------------- measurement


def _timed_run(args: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    """Run ``args`` from the repository root; its wall time and the completed process."""
    t0 = time.perf_counter()
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    return time.perf_counter() - t0, proc


#: Runs that did not pass (non-zero exit, or a claim not verified): reported, not fatal.
Failures = list[dict]


def _tail(proc: subprocess.CompletedProcess, n: int = 6) -> str:
    """The lines of a failed run that say why (counterexamples, errors), else its last lines."""
    lines = (proc.stdout + "\n" + proc.stderr).splitlines()
    why = [ln.strip() for ln in lines if any(w in ln for w in
                                             ("counterexample", "error", "inconclusive",
                                              "refuted", "Error"))]
    return " / ".join((why or [ln.strip() for ln in lines if ln.strip()])[:n])[:600]


def _fatal(what: str, proc: subprocess.CompletedProcess) -> None:
    sys.exit(f"verify_suite: {what} exited {proc.returncode}: {_tail(proc)}")


def cli_run(mode: str, failures: Failures, rep: int) -> float:
    """Wall time of one ``ncverify verify [--quick]`` subprocess; a non-zero exit is recorded."""
    args = ([sys.executable, "-m", "ncverify", "verify", *FIRST_CLAIMS]
            + (["--quick"] if mode == "quick" else []))
    seconds, proc = _timed_run(args)
    if proc.returncode != 0:
        failures.append({"run": " ".join(["ncverify", *args[3:]]), "repeat": rep,
                         "exit": proc.returncode, "why": _tail(proc)})
        _log(f"  !! {failures[-1]['run']} exited {proc.returncode}")
    return seconds


def import_run() -> float:
    """Wall time of ``python -c "import ncverify.papers"`` (interpreter start + imports)."""
    seconds, proc = _timed_run([sys.executable, "-c", "import ncverify.papers"])
    if proc.returncode != 0:
        _fatal("import ncverify.papers", proc)
    return seconds


def reference_run() -> float:
    """Wall time of :data:`REF_WORKLOAD`, timed inside a fresh interpreter (no startup cost)."""
    code = (f"import time\nt0 = time.perf_counter()\n{REF_WORKLOAD}\n"
            "print(time.perf_counter() - t0)")
    _, proc = _timed_run([sys.executable, "-c", code])
    if proc.returncode != 0:
        _fatal("reference workload", proc)
    return float(proc.stdout.strip().splitlines()[-1])


def worker_run(mode: str, failures: Failures, rep: int) -> dict:
    """Per-claim / per-check seconds of ``ncverify.verify`` in a fresh worker process."""
    args = [sys.executable, str(Path(__file__).resolve()), "--worker", mode]
    _, proc = _timed_run(args)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(_MARK)]
    if not lines:
        _fatal(f"in-process worker ({mode})", proc)
    data = json.loads(lines[-1][len(_MARK):])
    bad = [f"{c['id']}: {c['verdict']}" for c in data["claims"] if not c["ok"]]
    if bad:
        failures.append({"run": f"ncverify.verify(quick={mode == 'quick'})", "repeat": rep,
                         "exit": proc.returncode, "why": "; ".join(bad)})
        _log(f"  !! in-process {mode}: {'; '.join(bad)}")
    return data


def source_fingerprint() -> str:
    """sha256 of every ``ncverify/**/*.py`` (path and content): detects edits during a run."""
    import hashlib

    import ncverify

    pkg = Path(ncverify.__file__).resolve().parent
    h = hashlib.sha256()
    for f in sorted(pkg.rglob("*.py")):
        h.update(str(f.relative_to(pkg)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def worker_main(mode: str) -> int:
    """Body of ``--worker``: import, run the suite in-process, print one marked JSON line."""
    t0 = time.perf_counter()
    import ncverify
    import ncverify.papers  # noqa: F401  (registers the claims)

    t1 = time.perf_counter()
    results = ncverify.verify(None, quick=(mode == "quick"))
    t2 = time.perf_counter()
    out = {
        "import": t1 - t0,
        "verify": t2 - t1,
        "claims": [
            {"id": r.claim.id, "verdict": r.verdict.value, "ok": r.verdict.ok,
             "checks": [{"name": c.check.name, "kind": c.check.kind, "seconds": c.seconds}
                        for c in r.checks]}
            for r in results
        ],
    }
    print(_MARK + json.dumps(out), flush=True)
    return 0 if all(c["ok"] for c in out["claims"]) else 1


def measure(repeat: int) -> dict:
    """Every series, ``repeat`` times, interleaved."""
    series: dict[str, list[float]] = {k: [] for k in
                                      ("reference", "import", "cli_full", "cli_quick")}
    workers: dict[str, list[dict]] = {m: [] for m in MODES}
    failures: Failures = []
    source = [source_fingerprint()]
    for i in range(1, repeat + 1):
        steps = [("reference", reference_run), ("import", import_run),
                 ("cli_quick", lambda i=i: cli_run("quick", failures, i)),
                 ("cli_full", lambda i=i: cli_run("full", failures, i))]
        for name, fn in steps:
            series[name].append(fn())
            _log(f"[{i}/{repeat}] {name:10s} {series[name][-1]:7.3f} s")
        for mode in MODES:
            workers[mode].append(worker_run(mode, failures, i))
            _log(f"[{i}/{repeat}] in-process {mode:5s} {workers[mode][-1]['verify']:7.3f} s")
        source.append(source_fingerprint())
    return {"series": series, "workers": workers, "repeat": repeat, "failures": failures,
            "source": source}


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- report


def machine() -> dict[str, str]:
    try:
        ncpu = len(os.sched_getaffinity(0))  # what `nproc` prints
    except AttributeError:  # not on Linux
        ncpu = os.cpu_count() or 0
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy

    import ncverify

    env = ", ".join(f"{k}={os.environ[k]}" for k in _THREAD_VARS if k in os.environ)
    try:
        blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas_name = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older numpy: no dict mode
        blas_name = "unknown"
    return {
        "date (run start)": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(ncpu),
        "cpu": cpu,
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "ncverify": ncverify.__version__,
        "numpy": f"{numpy.__version__} (BLAS: {blas_name})",
        "environment": env or "(no thread / hash-seed variables set)",
    }


def _med(xs: list[float]) -> float:
    return statistics.median(xs)


def summarize(data: dict) -> dict:
    s = data["series"]
    ref = _med(s["reference"])
    imp = _med(s["import"])
    rows = {}
    for key, label in (("reference", "reference workload"),
                       ("import", 'python -c "import ncverify.papers"'),
                       ("cli_full", "ncverify verify " + " ".join(FIRST_CLAIMS)),
                       ("cli_quick", "ncverify verify " + " ".join(FIRST_CLAIMS) + " --quick")):
        rows[key] = {"label": label, "median": _med(s[key]), "min": min(s[key]),
                     "max": max(s[key]), "runs": s[key]}
    targets = {}
    for mode in MODES:
        med = rows[f"cli_{mode}"]["median"]
        row = rows[f"cli_{mode}"]
        targets[mode] = {"target": TARGETS[mode], "median": med, "min": row["min"],
                         "max": row["max"], "met": med <= TARGETS[mode],
                         "all_met": row["max"] <= TARGETS[mode],
                         "budget_ratio": TARGETS[mode] / ref}
    ratios = {key: {"vs_reference": rows[key]["median"] / ref,
                    "vs_import": rows[key]["median"] / imp}
              for key in ("import", "cli_full", "cli_quick")}

    # per-claim / per-check medians over the workers
    checks: dict[tuple[str, str], dict] = {}
    claims: dict[str, dict] = {}
    inproc = {}
    for mode in MODES:
        runs = data["workers"][mode]
        inproc[mode] = {"import": _med([r["import"] for r in runs]),
                        "verify": _med([r["verify"] for r in runs])}
        for claim_id in dict.fromkeys(c["id"] for r in runs for c in r["claims"]):
            per_run = [next(c for c in r["claims"] if c["id"] == claim_id) for r in runs]
            cl = claims.setdefault(claim_id, {"verdict": per_run[0]["verdict"]})
            cl[mode] = _med([sum(ch["seconds"] for ch in c["checks"]) for c in per_run])
            for ch in per_run[0]["checks"]:
                secs = [next(x["seconds"] for x in c["checks"] if x["name"] == ch["name"])
                        for c in per_run]
                row = checks.setdefault((claim_id, ch["name"]), {"kind": ch["kind"]})
                row[mode] = _med(secs)
                row[f"{mode}_range"] = (min(secs), max(secs))
    return {"ref": ref, "import": imp, "rows": rows, "targets": targets, "ratios": ratios,
            "claims": claims, "checks": checks, "inproc": inproc}


def _f(x: float | None, fmt: str = ".3f") -> str:
    return "–" if x is None else format(x, fmt)


def render(data: dict, summ: dict, info: dict) -> str:
    n = data["repeat"]
    rows, t, r = summ["rows"], summ["targets"], summ["ratios"]
    out: list[str] = ["## Verification suite", ""]
    out += ["Produced by `python benchmarks/verify_suite.py --repeat "
            f"{n} --write` (do not edit by hand).  All figures are wall times in seconds; "
            f"medians over {n} repeat(s), interleaved.", ""]
    out += ["## Machine", "", "| | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in info.items()]
    src = data["source"]
    changed = len(set(src)) > 1
    out.append(f"| ncverify source sha256 | {src[0]}"
               + (f" → {src[-1]} (**changed during the run**)" if changed else "") + " |")
    if changed or data["failures"]:
        out += ["", "## Warnings", ""]
        if changed:
            out.append(f"- The `ncverify` sources changed during the run ({' → '.join(src)}, "
                       "fingerprint before the first and after each repeat): the figures mix "
                       "versions of the code.")
        for f in data["failures"]:
            out.append(f"- Repeat {f['repeat']}: `{f['run']}` did **not** pass "
                       f"(exit {f['exit']}): {f['why']}")
        out.append("- Targets and ratios below include the timings of these runs.")
    out += ["", "## Targets", "",
            "| command | target (s) | median (s) | min (s) | max (s) | met (median) | every run "
            "within | target in reference units |",
            "|---|---:|---:|---:|---:|---|---|---:|"]
    for mode in MODES:
        cmd = "ncverify verify " + " ".join(FIRST_CLAIMS) + (" --quick" if mode == "quick" else "")
        tm = t[mode]
        out.append(f"| `{cmd}` | {tm['target']:.0f} | {tm['median']:.2f} | {tm['min']:.2f} | "
                   f"{tm['max']:.2f} | {'**yes**' if tm['met'] else '**NO**'} "
                   f"({tm['median'] / tm['target']:.0%} of budget) | "
                   f"{'yes' if tm['all_met'] else 'no'} | {tm['budget_ratio']:.1f} |")
    out += ["", "| claim group | budget (s) | in-process full (s) | met |", "|---|---:|---:|---|"]
    for name, (prefixes, budget) in SUITE_BUDGETS.items():
        total = sum(c.get("full", 0.0) for cid, c in summ["claims"].items()
                    if any(cid == p or (p.endswith(".") and cid.startswith(p)) for p in prefixes))
        out.append(f"| {name} | {budget:.0f} | {total:.2f} | "
                   f"{'**yes**' if total <= budget else '**NO**'} |")
    total_all = sum(c.get("full", 0.0) for c in summ["claims"].values())
    out.append(f"| every claim | – | {total_all:.2f} | – |")
    out += ["", "The targets are stated for this 2-core machine; on another machine compare the "
            "ratio column below with the last column (target / reference workload here).", ""]
    out += ["## End-to-end times and ratios", "",
            "| measurement | median (s) | min (s) | max (s) | ratio to reference | "
            "ratio to import | runs (s) |",
            "|---|---:|---:|---:|---:|---:|---|"]
    for key, row in rows.items():
        rr = r.get(key, {"vs_reference": 1.0, "vs_import": row["median"] / summ["import"]})
        runs = ", ".join(f"{x:.3f}" for x in row["runs"])
        out.append(f"| `{row['label']}` | {row['median']:.3f} | {row['min']:.3f} | "
                   f"{row['max']:.3f} | {rr['vs_reference']:.2f} | {rr['vs_import']:.2f} | "
                   f"{runs} |")
    out += ["", f"Reference workload: `{REF_WORKLOAD}`, timed inside a fresh interpreter "
            "(excludes start-up).  The import row is a whole subprocess (interpreter start-up "
            "included).  Ratio = median / median of the reference (or of the import row).", ""]
    ip = summ["inproc"]
    out += ["## In-process breakdown", "",
            "`ncverify.verify(quick=...)` in a fresh worker process per repeat (cold caches).",
            "", "| | full (s) | quick (s) |", "|---|---:|---:|",
            f"| import `ncverify.papers` | {ip['full']['import']:.3f} | "
            f"{ip['quick']['import']:.3f} |",
            f"| `ncverify.verify` (all claims) | {ip['full']['verify']:.3f} | "
            f"{ip['quick']['verify']:.3f} |",
            f"| CLI median − in-process verify (start-up, import, output; and noise) | "
            f"{rows['cli_full']['median'] - ip['full']['verify']:.3f} | "
            f"{rows['cli_quick']['median'] - ip['quick']['verify']:.3f} |",
            "", "### Per claim", "",
            "| claim | verdict | full (s) | quick (s) | full / reference | share of full |",
            "|---|---|---:|---:|---:|---:|"]
    total_full = sum(c.get("full", 0.0) for c in summ["claims"].values()) or 1.0
    for cid, c in summ["claims"].items():
        full = c.get("full")
        out.append(f"| {cid} | {c['verdict']} | {_f(full)} | {_f(c.get('quick'))} | "
                   f"{_f(None if full is None else full / summ['ref'], '.2f')} | "
                   f"{_f(None if full is None else full / total_full, '.0%')} |")
    out += ["", "### Per check (slowest full-mode checks first)", "",
            "| claim | check | kind | full (s) | full min–max (s) | quick (s) | "
            "full / reference |",
            "|---|---|---|---:|---:|---:|---:|"]
    for (cid, name), ch in sorted(summ["checks"].items(), key=lambda kv: -kv[1].get("full", 0)):
        full = ch.get("full")
        lo, hi = ch.get("full_range", (None, None))
        out.append(f"| {cid} | {name} | {ch['kind']} | {_f(full)} | {_f(lo)}–{_f(hi)} | "
                   f"{_f(ch.get('quick'))} | "
                   f"{_f(None if full is None else full / summ['ref'], '.2f')} |")
    noisy = [(cid, name, ch["full_range"]) for (cid, name), ch in summ["checks"].items()
             if "full_range" in ch and ch["full_range"][1] > NOISY * max(ch["full_range"][0], 1e-3)
             and ch["full_range"][1] > 0.5]
    if noisy:
        out += ["", "### High-variance checks", "",
                f"Full-mode checks whose slowest run took more than {NOISY:g}× their fastest "
                "(and over 0.5 s): their median is not a stable figure.", ""]
        out += [f"- {cid} / {name}: {lo:.2f}–{hi:.2f} s" for cid, name, (lo, hi) in noisy]
    out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="repeats of each measurement (3)")
    ap.add_argument("--write", action="store_true", help=f"write {RESULTS.relative_to(ROOT)}")
    ap.add_argument("--worker", choices=MODES, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker_main(args.worker)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    info = machine()
    data = measure(args.repeat)
    summ = summarize(data)
    text = render(data, summ, info)
    print(text)
    if args.write:
        write_section("verify", text)
        _log(f"written {RESULTS}")
    if data["failures"]:
        _log(f"verify_suite: {len(data['failures'])} run(s) of the suite did not pass")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
