"""The runner publishes only complete jobs and never harms an earlier good run."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from perfkit.batch.execute import execute_job
from perfkit.batch.jobs import Job
from tests.support import ROOT
from tests.support.notebooks import write_notebook

#: A wide console so rich does not wrap the messages the tests look for.
WIDE = {**os.environ, "COLUMNS": "300"}


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _failing_notebook(path):
    return write_notebook(
        path,
        "print('working on', quarter)",
        "if quarter == '2024-25-Q1':\n    raise ValueError('figures for Q1 were restated')",
    )


def _job(quarter, notebook, data, out):
    return Job(quarter, notebook, data, out, ("html",))


def test_a_failing_notebook_publishes_nothing_and_keeps_the_executed_copy(tiny_dir, tmp_path):
    notebook = _failing_notebook(tmp_path / "council_pack.ipynb")
    out = tmp_path / "out"
    good = execute_job(_job("2024-25-Q2", notebook, tiny_dir, out))
    assert good.ok and (out / "2024-25-Q2" / "council_pack.html") in good.outputs

    bad = execute_job(_job("2024-25-Q1", notebook, tiny_dir, out))
    assert not bad.ok and bad.outputs == []
    message = bad.error
    # cell [4] as numbered in the kept notebook, which has papermill's injected parameters cell
    assert (
        "council_pack.ipynb failed for 2024/25 Q1 in cell [4] (which starts 'if quarter == '2024-25-Q1':')" in message
    )
    assert "ValueError: figures for Q1 were restated" in message
    assert "No appendix was published for this notebook" in message
    folder = out / "2024-25-Q1"
    # the executed copy, and the manifest that records the failure: no appendix
    assert sorted(p.name for p in folder.iterdir()) == ["failed", "manifest.json"]
    entry = json.loads((folder / "manifest.json").read_text())["jobs"]["council_pack"]
    assert entry["result"] == "failed" and entry["outputs"] == {}
    assert entry["failed_copy"] == "failed/council_pack.ipynb"
    kept = nbformat.read(folder / "failed" / "council_pack.ipynb", as_version=4)
    assert any(o.get("ename") == "ValueError" for c in kept.cells for o in c.get("outputs", []))
    assert not list(out.glob(".staging-*"))


def test_a_failed_rerun_leaves_the_earlier_outputs_byte_for_byte(tiny_dir, tmp_path):
    notebook = _failing_notebook(tmp_path / "pack.ipynb")
    out = tmp_path / "out"
    execute_job(_job("2024-25-Q2", notebook, tiny_dir, out))
    before = _snapshot(out / "2024-25-Q2")
    bad = nbformat.read(notebook, as_version=4)
    bad.cells.append(new_code_cell("raise RuntimeError('boom')"))
    nbformat.write(bad, notebook)
    assert not execute_job(_job("2024-25-Q2", notebook, tiny_dir, out)).ok
    after = {k: v for k, v in _snapshot(out / "2024-25-Q2").items() if k.parts[0] != "failed"}
    unchanged = {k: v for k, v in before.items() if k.name != "manifest.json"}
    assert {k: v for k, v in after.items() if k.name != "manifest.json"} == unchanged
    # the manifest says the last run failed, and still vouches for the earlier files, which stay published
    entry = json.loads(after[Path("manifest.json")])["jobs"]["pack"]
    assert entry["result"] == "failed" and "RuntimeError: boom" in entry["error"]
    assert set(entry["outputs"]) == {"pack.ipynb", "pack.html"}
    for name, meta in entry["outputs"].items():
        assert meta["sha256"] == hashlib.sha256(unchanged[Path(name)]).hexdigest()
    assert entry["previous"]["result"] == "success"


def test_invalid_data_refuses_the_run_and_changes_no_output(tiny_dir, tmp_path):
    out = tmp_path / "out"
    (out / "2024-25-Q2").mkdir(parents=True)
    (out / "2024-25-Q2" / "quarterly_performance.html").write_text("earlier good appendix")
    before = _snapshot(out)
    data = tmp_path / "data"
    shutil.copytree(tiny_dir, data)
    with open(data / "actuals.csv", "a") as f:
        f.write("A1,2024/25 Q2,eighty,,,\n")
    proc = subprocess.run(
        [sys.executable, "-m", "perfkit.cli", "run", "--data", str(data), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env=WIDE,
    )
    assert proc.returncode == 2
    assert "actuals.csv" in proc.stderr and "'eighty' is not a number" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert _snapshot(out) == before


def test_cli_explains_a_bad_quarter_without_a_traceback(tiny_dir):
    proc = subprocess.run(
        [sys.executable, "-m", "perfkit.cli", "run", "--data", str(tiny_dir), "--quarter", "Q5"],
        capture_output=True,
        text=True,
        timeout=120,
        env=WIDE,
    )
    assert proc.returncode == 2  # invalid usage: nothing was attempted (DESIGN §7)
    assert "'Q5' has no financial year" in proc.stderr and "Traceback" not in proc.stderr


def test_validate_reports_a_clean_register(tiny_dir):
    proc = subprocess.run(
        [sys.executable, "-m", "perfkit.cli", "validate", "--data", str(tiny_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        env=WIDE,
    )
    assert proc.returncode == 0
    assert "the data is valid: 12 metrics" in proc.stdout
    assert "A8 has figures for 2024/25 but no target" in proc.stdout


# --- data files are written while the notebook runs -----------------------------------------------------


def _quarterly_job(tiny_dir, out):
    return Job("2024-25-Q2", ROOT / "notebooks" / "quarterly_performance.ipynb", tiny_dir, out, ())


def test_the_data_files_are_written_while_the_notebook_runs(tiny_dir, tmp_path, monkeypatch):
    from perfkit.batch import execute

    seen = {}

    def notebook_runs(job, target, share=False):  # stands in for the kernel: waits for the data files
        csv = target.parent / "metric_status.csv"
        deadline = time.monotonic() + 60
        while not (csv.exists() and (target.parent / "metric_status.xlsx").exists()) and time.monotonic() < deadline:
            time.sleep(0.01)
        seen["csv while running"] = csv.exists()
        nbformat.write(new_notebook(), target)

    monkeypatch.setattr(execute, "_execute", notebook_runs)
    out = tmp_path / "out"
    result = execute_job(_quarterly_job(tiny_dir, out))
    assert result.ok and seen == {"csv while running": True}
    folder = out / "2024-25-Q2"
    # in the order published before: the notebook first, then the data files
    assert [p.name for p in result.outputs] == [
        "quarterly_performance.ipynb",
        "metric_status.csv",
        "metric_status.xlsx",
    ]
    assert (folder / "metric_status.csv").read_bytes().startswith(b"code,")


def test_a_failure_writing_the_data_files_is_the_jobs_failure(tiny_dir, tmp_path, monkeypatch):
    import perfkit.publish.data_files
    from perfkit.batch import execute

    def notebook_runs(job, target, share=False):
        nbformat.write(new_notebook(), target)

    def broken(*args, **kwargs):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(execute, "_execute", notebook_runs)
    monkeypatch.setattr(perfkit.publish.data_files, "metric_status_csv", broken)
    out = tmp_path / "out"
    result = execute_job(_quarterly_job(tiny_dir, out))
    assert not result.ok and result.outputs == []
    assert "(ZeroDivisionError: float division by zero)" in result.error
    assert "No appendix was published for this notebook" in result.error
    assert sorted(p.name for p in (out / "2024-25-Q2").iterdir()) == ["failed", "manifest.json"]
    assert not list(out.glob(".staging-*"))
