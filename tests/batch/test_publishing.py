"""Publishing a built job: what it replaces, what it keeps, and a manifest that always matches the files."""

import hashlib
import json

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from perfkit.batch.jobs import JobResult, plan_jobs
from perfkit.batch.manifest import read_manifest
from perfkit.batch.publishing import publish
from perfkit.batch.swap import make_staging
from perfkit.data.register import load_register
from perfkit.periods import parse_quarter


def notebook(path):
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), path)
    return path


def built(job, files=None, error="", failed_copy=None):
    """A job as a worker returns it: its files in a staging folder, not yet published."""
    job.out_dir.mkdir(parents=True, exist_ok=True)
    staging = make_staging(job.out_dir, "test-build")
    paths = []
    for name, data in (files or {}).items():
        (staging / name).write_bytes(data)
        paths.append(staging / name)
    copy = None
    if failed_copy is not None:
        copy = staging / f"{job.name}.ipynb"
        copy.write_bytes(failed_copy)
    return JobResult(job, paths, 1.0, {"total": 1.0}, error, staging=staging, failed_copy=copy)


def job_for(tiny_dir, out, nb, formats=("html", "pdf")):
    return plan_jobs(load_register(tiny_dir), [parse_quarter("2024/25 Q2")], out, formats, [nb])[0]


def files_and_manifest_agree(folder):
    """Every file the manifest lists is there with the recorded size and hash."""
    manifest = json.loads((folder / "manifest.json").read_text())
    for name, meta in manifest["outputs"].items():
        data = (folder / name).read_bytes()
        assert len(data) == meta["bytes"] and hashlib.sha256(data).hexdigest() == meta["sha256"], name
    return manifest


def test_a_success_replaces_its_own_files_keeps_the_others_and_records_them(tiny_dir, tmp_path):
    out = tmp_path / "out"
    pack = job_for(tiny_dir, out, notebook(tmp_path / "pack.ipynb"))
    brief = job_for(tiny_dir, out, notebook(tmp_path / "brief.ipynb"))
    publish(built(pack, {"pack.ipynb": b"nb 1", "pack.html": b"html 1", "pack.pdf": b"pdf 1"}))
    publish(built(brief, {"brief.ipynb": b"brief", "brief.html": b"brief html"}))
    (out / "2024-25-Q2" / "README.txt").write_text("a colleague's note")

    # the next run asks for HTML only: the old PDF would describe the old data, so it goes
    html_only = job_for(tiny_dir, out, tmp_path / "pack.ipynb", ("html",))
    result = publish(built(html_only, {"pack.ipynb": b"nb 2", "pack.html": b"html 2"}))
    folder = out / "2024-25-Q2"
    assert result.ok and result.outputs == [folder / "pack.ipynb", folder / "pack.html"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.txt",
        "brief.html",
        "brief.ipynb",
        "manifest.json",
        "pack.html",
        "pack.ipynb",
    ]
    assert (folder / "pack.html").read_bytes() == b"html 2" and (folder / "brief.html").read_bytes() == b"brief html"
    manifest = files_and_manifest_agree(folder)
    assert set(manifest["jobs"]) == {"pack", "brief"}
    assert set(manifest["outputs"]) == {"pack.ipynb", "pack.html", "brief.ipynb", "brief.html"}
    assert not list(out.glob(".staging-*"))


def test_a_failure_keeps_the_last_good_files_listed_and_a_later_success_clears_the_failed_copy(tiny_dir, tmp_path):
    out = tmp_path / "out"
    job = job_for(tiny_dir, out, notebook(tmp_path / "pack.ipynb"), ("html",))
    publish(built(job, {"pack.ipynb": b"good nb", "pack.html": b"good html"}))
    failed = publish(built(job, error="The notebook failed.", failed_copy=b"nb with the error"))
    folder = out / "2024-25-Q2"
    assert not failed.ok and failed.outputs == []
    assert (
        failed.error
        == f"The notebook failed. The executed notebook, with the error, is kept at {folder}/failed/pack.ipynb."
    )
    assert (folder / "pack.html").read_bytes() == b"good html"  # an earlier good appendix is never harmed
    assert (folder / "failed" / "pack.ipynb").read_bytes() == b"nb with the error"
    manifest = files_and_manifest_agree(folder)
    entry = manifest["jobs"]["pack"]
    assert manifest["result"] == "failed" and entry["result"] == "failed"
    assert set(entry["outputs"]) == {"pack.ipynb", "pack.html"} and entry["previous"]["result"] == "success"

    publish(built(job, {"pack.ipynb": b"new nb", "pack.html": b"new html"}))
    assert not (folder / "failed").exists()  # the failure it recorded is over
    assert files_and_manifest_agree(folder)["result"] == "success"


def test_a_damaged_manifest_is_replaced_and_no_file_is_lost(tiny_dir, tmp_path):
    out = tmp_path / "out"
    folder = out / "2024-25-Q2"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text('{"jobs": {"pack": {"result": "succ')  # cut short
    (folder / "older.html").write_text("made by an earlier run")
    assert read_manifest(folder).problem.startswith("manifest.json is damaged: not valid JSON")
    job = job_for(tiny_dir, out, notebook(tmp_path / "pack.ipynb"), ("html",))
    assert publish(built(job, {"pack.ipynb": b"nb", "pack.html": b"html"})).ok
    assert (folder / "older.html").read_text() == "made by an earlier run"
    assert read_manifest(folder).problem == ""
    assert set(files_and_manifest_agree(folder)["jobs"]) == {"pack"}


def test_a_quarter_folder_that_is_a_link_is_not_published_through(tiny_dir, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "2024-25-Q2").symlink_to(elsewhere)
    job = job_for(tiny_dir, out, notebook(tmp_path / "pack.ipynb"), ("html",))
    result = publish(built(job, {"pack.ipynb": b"nb", "pack.html": b"html"}))
    assert not result.ok and not result.fatal
    assert result.error.startswith(f"{out}/2024-25-Q2 is not a folder but a file or a symbolic link")
    assert list(elsewhere.iterdir()) == [] and not list(out.glob(".staging-*"))
