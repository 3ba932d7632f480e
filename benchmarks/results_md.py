"""Sections of benchmarks/RESULTS.md: each benchmark script owns the text between its markers
``<!-- NAME:begin -->`` and ``<!-- NAME:end -->`` and leaves every other section untouched."""

from __future__ import annotations

from pathlib import Path

from ncverify.report import atomic_write

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def replace_section(old: str, name: str, section: str) -> str:
    """``old`` with the marked section ``name`` replaced (appended if the markers are absent)."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = f"{begin}\n{section.strip()}\n{end}"
    i, j = old.find(begin), old.find(end)
    if i >= 0 and j > i:
        return old[:i] + block + old[j + len(end):]
    if not old.strip():
        return "# Benchmark results\n\n" + block + "\n"
    return old.rstrip("\n") + "\n\n" + block + "\n"


def write_section(name: str, section: str, path: Path = RESULTS) -> None:
    """Atomically rewrite ``path`` with section ``name`` replaced."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    atomic_write(path, replace_section(old, name, section))


def torch_bench_main(argv: list[str] | None, *, script: str, section: str, module: str,
                     description: str, repeats_option: bool = False) -> int:
    """The command line shared by the torch-referenced engine benchmarks (``engine.py``,
    ``mlp.py``): ``--quick``, ``--json FILE``, ``--write`` (the ``section`` of RESULTS.md);
    ``module`` provides ``run_benchmarks(quick, log, [repeats])`` and ``format_report``."""
    import argparse
    import importlib
    import json
    import sys

    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--quick", action="store_true", help="10x fewer steps, 3 repeats")
    if repeats_option:
        ap.add_argument("--repeats", type=int, default=None, help="trajectories per timing")
    ap.add_argument("--json", metavar="FILE", help="also write the raw results as JSON")
    ap.add_argument("--write", action="store_true",
                    help=f"write the {section} section of {RESULTS.name}")
    args = ap.parse_args(argv)
    try:
        import torch  # noqa: F401
    except ImportError:
        print(f"{script}: PyTorch is not installed; it is needed for the reference "
              "implementation (not an ncverify dependency): pip install torch==2.13.0",
              file=sys.stderr)
        return 2
    bench = importlib.import_module(module)

    def log(msg: str) -> None:
        print(f"[{section} bench] {msg}", file=sys.stderr, flush=True)

    kwargs = {"repeats": args.repeats} if repeats_option else {}
    try:
        results = bench.run_benchmarks(quick=args.quick, log=log, **kwargs)
    except RuntimeError as exc:  # a missing optional dependency (threadpoolctl)
        print(f"{script}: {exc}", file=sys.stderr)
        return 2
    text = bench.format_report(results)
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        log(f"written {args.json}")
    if args.write:
        write_section(section, text)
        log(f"written {RESULTS}")
    return 0 if results["verified"] else 1
