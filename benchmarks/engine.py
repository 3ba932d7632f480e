"""Benchmark of the deep-UFM engine against a PyTorch eager reference (see ncverify.engine.bench).

Usage::

    python benchmarks/engine.py [--quick] [--json FILE] [--write]

Prints the markdown report.  ``--json FILE`` also saves the raw results; ``--write`` replaces
the engine section of ``benchmarks/RESULTS.md`` (between ``<!-- engine:begin -->`` and
``<!-- engine:end -->``, appended if absent), keeping every other section, atomically.
PyTorch is needed for the reference but is not an ncverify dependency.  Never used as a timed
assertion in tests.
"""

from __future__ import annotations

import sys

from results_md import torch_bench_main


def main(argv: list[str] | None = None) -> int:
    return torch_bench_main(argv, script="benchmarks/engine.py", section="engine",
                            module="ncverify.engine.bench", description=__doc__.split("\n\n")[0])


if __name__ == "__main__":
    sys.exit(main())
