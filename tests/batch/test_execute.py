"""The runner publishes only complete jobs and never harms an earlier good run."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from perfkit.batch.execute import execute_job
from perfkit.batch.jobs import Job

#: A wide console so rich does not wrap the messages the tests look for.
WIDE = {**os.environ, "COLUMNS": "300"}


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _failing_notebook(path):
    nb = new_notebook(
        cells=[
            new_code_cell('quarter = None\ndata_dir = "data/demo"', metadata={"tags": ["parameters"]}),
            new_code_cell("print('working on', quarter)"),
            new_code_cell("if quarter == '2024-25-Q1':\n    raise ValueError('figures for Q1 were restated')"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(nb, path)
    return path


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
