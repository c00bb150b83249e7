"""perfkit's papermill engine writes the executed notebook once, however its run ends, as far as it got."""

import nbformat
import papermill as pm
import papermill.engines
import papermill.execute
import papermill.iorw
import pytest

from perfkit.batch.engine import register_engine
from perfkit.batch.execute import execute_job
from perfkit.batch.jobs import Job
from tests.support.notebooks import KERNELSPEC, write_notebook

CELLS = ("print('one')", "print('two')", "print('three')")


@pytest.fixture
def writes(monkeypatch):
    """Every write of the executed notebook during the test: by papermill's engine, and by papermill after it."""
    written = []
    real = papermill.iorw.write_ipynb

    def counting(nb, path):
        written.append(path)
        real(nb, path)

    monkeypatch.setattr(papermill.engines, "write_ipynb", counting)
    monkeypatch.setattr(papermill.execute, "write_ipynb", counting)
    return written


def _run(tmp_path, engine_name, *cells):
    notebook = write_notebook(tmp_path / "in.ipynb", *cells)
    out = tmp_path / "out.ipynb"
    try:
        pm.execute_notebook(
            str(notebook),
            str(out),
            kernel_name=KERNELSPEC["name"],
            progress_bar=False,
            engine_name=engine_name,
            cwd=str(tmp_path),
        )
    except pm.PapermillExecutionError:
        pass
    return nbformat.read(out, as_version=4)


def test_papermill_itself_writes_the_notebook_as_every_cell_starts_and_completes(tmp_path, writes):
    # the cost the engine removes: once at the start, twice for each of the 4 cells, once as the
    # engine ends and once more after it
    _run(tmp_path, None, *CELLS)
    assert len(writes) == 1 + 2 * 4 + 1 + 1


def test_perfkits_engine_writes_it_once_as_execution_ends_with_every_output(tmp_path, writes):
    executed = _run(tmp_path, register_engine(), *CELLS)
    assert len(writes) == 1
    printed = ["".join(o.get("text", "") for o in cell.outputs) for cell in executed.cells[1:]]
    assert printed == ["one\n", "two\n", "three\n"]  # after the parameters cell
    assert all(cell.metadata.papermill.status == "completed" for cell in executed.cells)


def test_a_failing_cell_is_written_once_with_the_error_and_nothing_after_it(tmp_path, writes):
    executed = _run(tmp_path, register_engine(), "print('one')", "raise ValueError('no figures')", "print('three')")
    assert len(writes) == 1
    # papermill adds its "An Exception was encountered" markers as markdown cells; the code cells are the notebook's
    statuses = [cell.metadata.papermill.status for cell in executed.cells if cell.cell_type == "code"]
    assert statuses == ["completed", "completed", "failed", "pending"]
    assert any(o.get("ename") == "ValueError" for c in executed.cells for o in c.get("outputs", []))


def _kept_output(tmp_path, tiny_dir, last_cell, timeout=None):
    """Run a notebook whose third cell ends badly; return the job's error and what the kept copy printed."""
    notebook = write_notebook(tmp_path / "pack.ipynb", "print('before')", last_cell, "print('never')")
    result = execute_job(Job("2024-25-Q2", notebook, tiny_dir, tmp_path / "out", ("html",), timeout=timeout))
    assert not result.ok
    kept = nbformat.read(tmp_path / "out" / "2024-25-Q2" / "failed" / "pack.ipynb", as_version=4)
    return result.error, ["".join(o.get("text", "") for o in c.get("outputs", [])) for c in kept.cells]


def test_a_notebook_whose_kernel_dies_is_kept_as_far_as_it_got(tmp_path, tiny_dir, writes):
    error, printed = _kept_output(tmp_path, tiny_dir, "import os\nos._exit(1)")
    assert len(writes) == 1
    assert "its Python kernel stopped unexpectedly" in error
    assert "before\n" in printed and "never\n" not in printed


def test_a_notebook_stopped_by_its_timeout_is_kept_as_far_as_it_got(tmp_path, tiny_dir, writes):
    error, printed = _kept_output(tmp_path, tiny_dir, "import time\ntime.sleep(60)", timeout=2)
    assert len(writes) == 1
    assert "a cell ran for more than 2 seconds and was stopped" in error
    assert "before\n" in printed and "never\n" not in printed


def test_the_engine_mirrors_papermills_own_execute_notebook():
    # WriteOnceEngine.execute_notebook is papermill's Engine.execute_notebook with its manager changed:
    # a papermill that changes that method (its parameters, or the calls it makes) fails here, to be looked at
    import inspect
    import re

    from perfkit.batch.engine import WriteOnceEngine

    theirs = papermill.engines.Engine.execute_notebook
    assert inspect.signature(WriteOnceEngine.execute_notebook).parameters.keys() == (
        inspect.signature(theirs).parameters.keys()
    )
    source = inspect.getsource(theirs)
    calls = [line.strip() for line in source.splitlines() if line.strip().startswith(("nb_man.", "cls."))]
    assert calls == [
        "nb_man.notebook_start()",
        "cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)",
        "nb_man.cleanup_pbar()",
        "nb_man.notebook_complete()",
    ]
    made = re.search(r"nb_man = NotebookExecutionManager\((.*?)\)", source, flags=re.S).group(1)
    assert re.findall(r"(\w+)=", made) == ["output_path", "progress_bar", "log_output", "autosave_cell_every"]
