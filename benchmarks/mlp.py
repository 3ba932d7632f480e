"""Benchmark of the MLP engine on the digits MLP against a PyTorch eager reference (see
ncverify.engine.bench_mlp).

Usage::

    python benchmarks/mlp.py [--quick] [--json FILE] [--write]

Prints the markdown report.  ``--json FILE`` also saves the raw results; ``--write`` replaces
the MLP section of ``benchmarks/RESULTS.md`` (between ``<!-- mlp:begin -->`` and
``<!-- mlp:end -->``, appended if absent), keeping every other section, atomically.
PyTorch is needed for the reference but is not an ncverify dependency.  Never used as a timed
assertion in tests.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from results_md import RESULTS, write_section


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="10x fewer steps, 3 repeats")
    ap.add_argument("--repeats", type=int, default=None, help="trajectories per timing")
    ap.add_argument("--json", metavar="FILE", help="also write the raw results as JSON")
    ap.add_argument("--write", action="store_true",
                    help=f"write the MLP section of {RESULTS.name}")
    args = ap.parse_args(argv)
    try:
        import torch  # noqa: F401
    except ImportError:
        print("benchmarks/mlp.py: PyTorch is not installed; it is needed for the reference "
              "implementation (not an ncverify dependency): pip install torch==2.13.0",
              file=sys.stderr)
        return 2

    from ncverify.engine.bench_mlp import format_report, run_benchmarks

    def log(msg: str) -> None:
        print(f"[mlp bench] {msg}", file=sys.stderr, flush=True)

    try:
        results = run_benchmarks(quick=args.quick, repeats=args.repeats, log=log)
    except RuntimeError as exc:  # a missing optional dependency (threadpoolctl)
        print(f"benchmarks/mlp.py: {exc}", file=sys.stderr)
        return 2
    text = format_report(results)
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        log(f"written {args.json}")
    if args.write:
        write_section("mlp", text)
        log(f"written {RESULTS}")
    return 0 if results["verified"] else 1


if __name__ == "__main__":
    sys.exit(main())
