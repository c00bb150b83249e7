"""perfkit's papermill engine writes the executed notebook once, and still keeps it however a run ends."""

import nbformat
import papermill as pm
import papermill.engines
import pytest

from perfkit.batch.engine import register_engine
from perfkit.batch.execute import execute_job
from perfkit.batch.jobs import Job
from tests.support.notebooks import KERNELSPEC, write_notebook

CELLS = ("print('one')", "print('two')", "print('three')")


@pytest.fixture
def engine_writes(monkeypatch):
    """Every write of the notebook by papermill's engine (execution manager) during the test."""
    writes = []
    real = papermill.engines.write_ipynb

    def counting(nb, path):
        writes.append(path)
        real(nb, path)

    monkeypatch.setattr(papermill.engines, "write_ipynb", counting)
    return writes


def _run(tmp_path, engine_name):
    notebook = write_notebook(tmp_path / "in.ipynb", *CELLS)
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(
        str(notebook),
        str(out),
        kernel_name=KERNELSPEC["name"],
        progress_bar=False,
        engine_name=engine_name,
        cwd=str(tmp_path),
    )
    return nbformat.read(out, as_version=4)


def test_papermill_itself_writes_the_notebook_as_every_cell_starts_and_completes(tmp_path, engine_writes):
    # the cost the engine removes: once at the start, twice for each of the 4 cells, once at the end
    _run(tmp_path, None)
    assert len(engine_writes) == 1 + 2 * 4 + 1


def test_perfkits_engine_writes_it_once_as_execution_ends_with_every_output(tmp_path, engine_writes):
    executed = _run(tmp_path, register_engine())
    assert len(engine_writes) == 1
    printed = ["".join(o.get("text", "") for o in cell.outputs) for cell in executed.cells[1:]]
    assert printed == ["one\n", "two\n", "three\n"]  # after the parameters cell
    assert all(cell.metadata.papermill.status == "completed" for cell in executed.cells)


def _kept_output(tmp_path, tiny_dir, last_cell, timeout=None):
    """Run a notebook whose third cell ends badly; return the job's error and what the kept copy printed."""
    notebook = write_notebook(tmp_path / "pack.ipynb", "print('before')", last_cell, "print('never')")
    result = execute_job(Job("2024-25-Q2", notebook, tiny_dir, tmp_path / "out", ("html",), timeout=timeout))
    assert not result.ok
    kept = nbformat.read(tmp_path / "out" / "2024-25-Q2" / "failed" / "pack.ipynb", as_version=4)
    return result.error, ["".join(o.get("text", "") for o in c.get("outputs", [])) for c in kept.cells]


def test_a_notebook_whose_kernel_dies_is_kept_as_far_as_it_got(tmp_path, tiny_dir):
    error, printed = _kept_output(tmp_path, tiny_dir, "import os\nos._exit(1)")
    assert "its Python kernel stopped unexpectedly" in error
    assert "before\n" in printed and "never\n" not in printed


def test_a_notebook_stopped_by_its_timeout_is_kept_as_far_as_it_got(tmp_path, tiny_dir):
    error, printed = _kept_output(tmp_path, tiny_dir, "import time\ntime.sleep(60)", timeout=2)
    assert "a cell ran for more than 2 seconds and was stopped" in error
    assert "before\n" in printed and "never\n" not in printed
