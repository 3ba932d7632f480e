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

import sys

from results_md import torch_bench_main


def main(argv: list[str] | None = None) -> int:
    return torch_bench_main(argv, script="benchmarks/mlp.py", section="mlp",
                            module="ncverify.engine.bench_mlp",
                            description=__doc__.split("\n\n")[0], repeats_option=True)


if __name__ == "__main__":
    sys.exit(main())
