"""Execute every notebook in ``notebooks/`` top to bottom with nbclient.

A notebook fails the test when any cell raises (nbclient's ``CellExecutionError``).  The
getting-started notebook must also produce at least one PNG figure when run headless.
Notebooks are stored without outputs; this test executes in-memory copies and writes nothing.
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
GETTING_STARTED = NOTEBOOK_DIR / "01_getting_started.ipynb"


@functools.cache
def _execute(path: Path):
    """Run ``path`` from the repository root with ``notebooks/`` as the kernel's cwd."""
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": "notebooks"}})
    with contextlib.chdir(ROOT):
        client.execute()  # raises CellExecutionError on the first failing cell
    return nb


def _outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.get("outputs", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_without_errors(path: Path) -> None:
    nb = _execute(path)
    errors = [o for o in _outputs(nb) if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: " + "; ".join(f"{e['ename']}: {e['evalue']}"
                                                    for e in errors)


def test_getting_started_notebook_produces_a_figure() -> None:
    assert GETTING_STARTED.is_file(), f"missing {GETTING_STARTED}"
    nb = _execute(GETTING_STARTED)
    pngs = [o for o in _outputs(nb) if "image/png" in o.get("data", {})]
    assert pngs, "the getting-started notebook produced no image/png output"


def test_notebooks_are_stored_without_outputs() -> None:
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, \
                    f"{path.name}: stored with outputs; clear them before committing"
