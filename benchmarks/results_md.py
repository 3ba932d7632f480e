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
