"""Nothing lost, nothing stale: each way a run can be killed, raced, starved or fed a damaged folder.

One test (or a few) per class of issue 12's list, each asserting what the user sees (the
message, the exit code) and what is left on disk (the files untouched, the manifest agreeing
with them). Self-contained: no conftest, only the package and the tiny and demo data.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest

from perfkit import cli
from perfkit.batch.execute import build_job
from perfkit.batch.jobs import JobResult, plan_jobs
from perfkit.batch.lock import LOCK_NAME, output_lock
from perfkit.batch.publishing import publish
from perfkit.batch.swap import KILL_AT_ENV, current_folder, make_staging, recover
from perfkit.data.register import load_register
from perfkit.periods import parse_quarter
from tests.support.notebooks import write_notebook

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"
DEMO = ROOT / "data" / "demo"
WIDE = {**os.environ, "COLUMNS": "300"}  # rich does not wrap the messages looked for


def perfkit(*args, env=None, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "perfkit.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env or WIDE,
    )


def notebook(path: Path, body: str) -> Path:
    return write_notebook(path, body)


def tree(folder: Path, skip=()) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in skip
    }


def agrees(folder: Path) -> dict:
    """The quarter's manifest, after checking that every file it lists is there, byte for byte."""
    manifest = json.loads((folder / "manifest.json").read_text())
    for name, meta in manifest["outputs"].items():
        data = (folder / name).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (meta["bytes"], meta["sha256"]), name
    return manifest


def made_up(register, quarter: str, out: Path, nb: Path, formats=("html",)) -> None:
    """Publish a job as if its notebook had run (its files say which quarter they are)."""
    job = plan_jobs(register, [parse_quarter(quarter)], out, formats, [nb])[0]
    out.mkdir(parents=True, exist_ok=True)
    staging = make_staging(out, "made-up")
    files = []
    for suffix in (".ipynb", ".html"):
        files.append(staging / f"{job.name}{suffix}")
        files[-1].write_text(f"earlier {job.label}{suffix}")
    assert publish(JobResult(job, files, 1.0, {"total": 1.0}, staging=staging)).ok


# --- 6. a kill -9 at any moment leaves the old folder or the new one ------------------------

PUBLISH_ONE = textwrap.dedent(
    """
    import pickle, sys
    from perfkit.batch.publishing import publish
    result = pickle.loads(open(sys.argv[1], "rb").read())
    assert publish(result).ok
    """
)


def test_a_publish_killed_at_every_step_leaves_the_old_folder_or_the_new_one_and_a_true_manifest(tmp_path):
    """A real job (a notebook run, exported, with its manifest) published over an earlier version, killed
    at each of the publishing steps in turn; after each kill the folder is one version or the other."""
    nb = notebook(tmp_path / "pack.ipynb", "print('version 1')")
    out = tmp_path / "template"
    register = load_register(TINY)
    job = plan_jobs(register, [parse_quarter("2024/25 Q2")], out, ("html",), [nb])[0]
    assert publish(build_job(job)).ok
    (out / "2024-25-Q2" / "notes.txt").write_text("a colleague's file")  # must survive every publish
    old = tree(out / "2024-25-Q2", skip=("manifest.json",))
    old_key = agrees(out / "2024-25-Q2")["jobs"]["pack"]["key"]

    notebook(nb, "print('version 2')")
    job = plan_jobs(register, [parse_quarter("2024/25 Q2")], out, ("html",), [nb])[0]
    new_build = build_job(job)  # built once; each attempt below publishes a copy of it
    assert new_build.ok and job.key != old_key
    new = {**old, **{p.name: p.read_bytes() for p in new_build.outputs}}

    step, versions = 0, []
    while True:
        step += 1
        attempt = tmp_path / f"kill-{step}"
        shutil.copytree(out, attempt, symlinks=True, copy_function=shutil.copy2)
        staging = attempt / new_build.staging.name
        result = pickle.loads(pickle.dumps(new_build))
        result.staging = staging
        result.outputs = [staging / p.name for p in new_build.outputs]
        result.job = replace(job, out_dir=attempt)
        (tmp_path / "result.pickle").write_bytes(pickle.dumps(result))
        proc = subprocess.run(
            [sys.executable, "-c", PUBLISH_ONE, str(tmp_path / "result.pickle")],
            env={**os.environ, KILL_AT_ENV: str(step)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode in (0, -signal.SIGKILL), proc.stderr
        recover(attempt)  # what the next run does first, under the lock
        folder = attempt / "2024-25-Q2"
        files = tree(folder, skip=("manifest.json",))
        manifest = agrees(folder)
        version = {old_key: "old", job.key: "new"}[manifest["jobs"]["pack"]["key"]]
        assert files == {"old": old, "new": new}[version], f"killed at step {step}"
        assert sorted(p.name for p in attempt.iterdir()) == ["2024-25-Q2"]  # nothing half-made left over
        versions.append(version)
        if proc.returncode == 0:
            break
    assert step >= 10 and versions[0] == "old" and versions[-1] == "new"
    assert versions == sorted(versions, key=["old", "new"].index)


def test_a_batch_killed_mid_publish_keeps_the_quarters_it_finished_and_the_next_run_does_only_the_rest(tmp_path):
    nb = notebook(tmp_path / "pack.ipynb", "print('pack for', quarter)")
    out = tmp_path / "out"
    # an earlier Q2, made for other formats, so this run must redo it
    made_up(load_register(TINY), "2024/25 Q2", out, nb, formats=("html", "pdf"))
    q2_before = tree(out / "2024-25-Q2")
    run = ("run", "--data", TINY, "--from", "2024/25 Q1", "--to", "2024/25 Q2", "--out", out)
    run += ("--notebook", nb, "--formats", "html", "--jobs", "1")  # Q1 is published first, then Q2
    # killed (SIGKILL) as the second job's first file goes into its new folder
    killed = perfkit(*run, env={**WIDE, KILL_AT_ENV: "moved-in#3"})
    assert killed.returncode == -signal.SIGKILL
    assert "✔ 2024/25 Q1 pack" in killed.stdout
    q1 = agrees(out / "2024-25-Q1")  # finished before the kill: published, and recorded
    assert q1["jobs"]["pack"]["result"] == "success" and set(q1["outputs"]) == {"pack.ipynb", "pack.html"}
    assert tree(current_folder(out, "2024-25-Q2")) == q2_before  # untouched: the swap never happened

    again = perfkit(*run)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "1 notebook to run, 1 up to date." in again.stdout and "✔ 2024/25 Q2 pack" in again.stdout
    assert agrees(out / "2024-25-Q2")["jobs"]["pack"]["result"] == "success"
    assert not list(out.glob(".staging-*")) and not list(out.glob(".previous-*"))


# --- 7. two runs on the same --out ----------------------------------------------------------


def test_a_second_run_on_the_same_out_is_refused_and_with_wait_it_follows(tmp_path):
    nb = notebook(tmp_path / "pack.ipynb", "x = 1")
    out = tmp_path / "out"
    made_up(load_register(TINY), "2024/25 Q2", out, nb, formats=("html", "pdf"))
    before = tree(out, skip=(LOCK_NAME,))
    run = ("run", "--data", TINY, "--quarter", "2024/25 Q2", "--out", out, "--notebook", nb, "--formats", "html")
    with output_lock(out):  # another run is publishing
        refused = perfkit(*run)
    assert refused.returncode == 1
    assert re.search(
        rf"Another perfkit run is publishing into {re.escape(str(out))}: process {os.getpid()} on \S+, started "
        r"\d{4}-\d\d-\d\dT[\d:]+[+-][\d:]+ \(.*\)\. Nothing was run, so that run's results are safe\. Run again "
        r"when it has finished, or add --wait to start as soon as it does\.",
        " ".join(refused.stderr.split()),
    ), refused.stderr
    assert tree(out, skip=(LOCK_NAME,)) == before

    with output_lock(out):
        waiting = subprocess.Popen(
            [sys.executable, "-m", "perfkit.cli", *map(str, run), "--wait"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=WIDE,
        )
        line = waiting.stderr.readline()
        assert line.startswith(f"Waiting for another perfkit run publishing into {out}: process {os.getpid()}")
        assert (out / "2024-25-Q2" / "pack.ipynb").read_text() == "earlier 2024/25 Q2 pack.ipynb"  # not yet
    stdout, _ = waiting.communicate(timeout=600)
    assert waiting.returncode == 0 and "Done: 1 run, 0 up to date." in stdout
    assert agrees(out / "2024-25-Q2")["jobs"]["pack"]["inputs"]["parameters"]["formats"] == ["html"]


def test_a_killed_parallel_run_leaves_no_lock_behind_while_its_workers_end(tmp_path):
    slow = notebook(
        tmp_path / "pack.ipynb", "import os, time\nif os.environ.get('PERFKIT_TEST_SLOW'):\n    time.sleep(120)"
    )
    out = tmp_path / "out"
    run = ("run", "--data", TINY, "--from", "2024/25 Q1", "--to", "2024/25 Q2", "--out", out)
    run += ("--notebook", slow, "--formats", "html", "--jobs", "2")
    proc = subprocess.Popen(
        [sys.executable, "-m", "perfkit.cli", *map(str, run)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**WIDE, "PERFKIT_TEST_SLOW": "1"},
        start_new_session=True,
    )
    try:
        deadline = time.time() + 120
        while len(list(out.glob(".staging-*"))) < 2 and time.time() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # both kernels are now in the slow cell
        proc.kill()  # the parent only: its workers notice, and end with their kernels, meanwhile
        proc.wait(timeout=30)
        follow = perfkit(*run)  # not refused: the lock died with its holder
        assert follow.returncode == 0, follow.stdout + follow.stderr
        assert "Done: 2 run, 0 up to date." in follow.stdout
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# --- 8. the cache is content, status is never wrongly fresh, a deleted wave is named ---------


def test_a_deleted_survey_wave_makes_its_appendix_stale_and_both_status_and_run_say_so(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEMO, data)
    out = tmp_path / "out"
    register = load_register(data)
    # as if 2023/24 Q4 had been published, both appendices, from the current inputs
    for job in plan_jobs(register, [parse_quarter("2023/24 Q4")], out, ("html",)):
        out.mkdir(exist_ok=True)
        staging = make_staging(out, "made-up")
        (staging / f"{job.name}.html").write_text(job.label)
        assert publish(JobResult(job, [staging / f"{job.name}.html"], 1.0, {"total": 1.0}, staging=staging)).ok
    shutil.rmtree(data / "survey" / "2023")
    before = tree(out / "2023-24-Q4")

    status = perfkit("status", "--data", data, "--out", out)
    assert status.returncode == 0
    row = next(line for line in status.stdout.splitlines() if "2023/24 Q4" in line and "survey_demographics" in line)
    assert "stale" in row and "its survey wave 2023 is gone" in row

    run = perfkit("run", "--data", data, "--quarter", "2023/24 Q4", "--out", out, "--formats", "html")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 notebooks to run, 1 up to date." in run.stdout
    assert (
        "Note: 2023/24 Q4: the survey_demographics appendix published earlier is now stale: its survey wave 2023 "
        "is gone. Its files are kept in 2023-24-Q4/; delete them if they should no longer be published."
    ) in run.stdout
    assert tree(out / "2023-24-Q4") == before  # kept, not silently deleted


def test_status_is_never_fresh_after_any_input_changes(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    nb = notebook(tmp_path / "pack.ipynb", "x = 1")
    out = tmp_path / "out"
    made_up(load_register(data), "2024/25 Q2", out, nb)
    from perfkit.batch.freshness import output_status

    def state():
        rows = output_status(load_register(data), out)
        return next((r.state, r.reason) for r in rows if r.notebook == "pack" and r.quarter.label == "2024/25 Q2")

    assert state() == ("fresh", "")
    # one character each, so the size stays, and the modification time put back as it was
    edits = {
        "council.toml": (b"Tiny Test Council", b"Tiny Test Counci1"),
        "metrics.csv": (b"within 15 working days", b"within 16 working days"),
        "targets.csv": (b"A1,2024/25,,95", b"A1,2024/25,,96"),
        "actuals.csv": (b"A1,2024/25 Q2,84.3,", b"A1,2024/25 Q2,84.4,"),
    }
    for name, (was, now) in edits.items():
        original = (data / name).read_bytes()
        stat = (data / name).stat()
        assert was in original
        (data / name).write_bytes(original.replace(was, now, 1))
        os.utime(data / name, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert state() == ("stale", f"{name} changed"), name
        (data / name).write_bytes(original)
        assert state() == ("fresh", "")
    notebook(nb, "x = 2")
    assert state() == ("stale", "the notebook has changed")


# --- 9. a full disk, a read-only --out, a damaged manifest -----------------------------------


@pytest.mark.parametrize("where", ["writing the appendix", "publishing it"])
def test_a_full_disk_stops_the_run_with_a_clear_message_and_harms_nothing(tmp_path, monkeypatch, capsys, where):
    monkeypatch.setenv("COLUMNS", "5000")  # no wrapping of the messages looked for
    nb = notebook(tmp_path / "pack.ipynb", "x = 1")
    out = tmp_path / "out"
    register = load_register(TINY)
    for q in ("2024/25 Q1", "2024/25 Q2"):
        made_up(register, q, out, nb, formats=("html",))
    before = tree(out)

    def pdf_on_a_full_disk(html, path, base_url=None):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    def manifest_on_a_full_disk(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    if where == "writing the appendix":
        monkeypatch.setattr("perfkit.publish.export.export_pdf", pdf_on_a_full_disk)
    else:
        monkeypatch.setattr("perfkit.batch.swap._write_new", manifest_on_a_full_disk)
    run = ["run", "--data", str(TINY), "--from", "2024/25 Q1", "--to", "2024/25 Q2", "--out", str(out)]
    # one notebook at a time, so that the second is seen not to start (side by side, both would fail alike)
    code = cli.main([*run, "--notebook", str(nb), "--formats", "html,pdf", "--jobs", "1"])
    printed = capsys.readouterr().out
    assert code == 1
    if where == "writing the appendix":
        assert re.search(
            r"2024/25 Q1 pack: The disk is full \(or your quota is used up\): the pack appendix for 2024/25 Q1 "
            r"could not be written \(\S+/pack\.pdf\)\. Nothing was published for it and no earlier output was "
            r"changed\. Free some space and run again\.",
            " ".join(printed.split()),
        ), printed
    else:
        assert (
            f"2024/25 Q1 pack: The disk holding {out} is full (or your quota is used up): perfkit could not finish "
            f"publishing 2024/25 Q1 pack ({out}/.staging-"
        ) in " ".join(printed.split())
    assert "1 more not run: the run stopped because the output folder cannot take files (2024/25 Q2 pack)." in (
        " ".join(printed.split())
    )
    assert "Done: 0 run, 0 up to date, 2 failed." in printed
    # both quarters as they were, nothing half-written, no staging left; the lock file, empty, is all that is new
    assert tree(out, skip=(LOCK_NAME,)) == before and (out / LOCK_NAME).read_bytes() == b""


def test_a_read_only_out_is_refused_before_anything_runs_and_status_still_works(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "5000")
    nb = notebook(tmp_path / "pack.ipynb", "x = 1")
    out = tmp_path / "out"
    made_up(load_register(TINY), "2024/25 Q2", out, nb, formats=("html", "pdf"))
    before = tree(out)
    real_open = os.open

    def read_only(path, flags, *args, **kwargs):
        # what the kernel answers for a file system mounted read-only (root can write through chmod)
        if str(path).startswith(str(out)) and flags & (os.O_CREAT | os.O_WRONLY | os.O_RDWR):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    code = cli.main(["run", "--data", str(TINY), "--out", str(out), "--notebook", str(nb), "--formats", "html"])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2
    assert err == (
        f"The output folder {out} is on a read-only file system: perfkit could not finish creating the lock file "
        f"that keeps two runs apart ({out}/{LOCK_NAME}). Nothing was changed there. Choose a folder you can write "
        "to with --out, or ask whoever manages it for write access."
    )
    assert tree(out) == before
    assert cli.main(["status", "--data", str(TINY), "--out", str(out)]) == 0
    assert "1 fresh, 5 missing" in capsys.readouterr().out


def test_a_damaged_manifest_shows_in_status_and_the_next_run_remakes_the_quarter(tmp_path):
    nb = notebook(tmp_path / "pack.ipynb", "x = 1")
    out = tmp_path / "out"
    register = load_register(TINY)
    made_up(register, "2024/25 Q1", out, nb)
    made_up(register, "2024/25 Q2", out, nb)
    (out / "2024-25-Q2" / "manifest.json").write_bytes(b'{"jobs": {"pack": {"result": "succ')  # cut short

    status = perfkit("status", "--data", TINY, "--out", out)
    assert status.returncode == 0
    rows = {line.split("│")[1].strip(): line for line in status.stdout.splitlines() if "│ pack" in line}
    assert "fresh" in rows["2024/25 Q1"]
    assert "stale" in rows["2024/25 Q2"] and "manifest.json is damaged: not valid JSON" in rows["2024/25 Q2"]

    rerun = perfkit(
        *("run", "--data", TINY, "--from", "2024/25 Q1", "--to", "2024/25 Q2", "--out", out),
        *("--notebook", nb, "--formats", "html"),
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "1 notebook to run, 1 up to date." in rerun.stdout
    assert "Note: 2024/25 Q2: manifest.json is damaged: not valid JSON" in rerun.stdout
    assert "its appendices are made again and it is rewritten." in rerun.stdout
    assert agrees(out / "2024-25-Q2")["jobs"]["pack"]["result"] == "success"


# --- 13. two notebooks that would write the same output name ---------------------------------


def test_two_notebooks_with_one_name_are_refused_before_anything_runs(tmp_path):
    first = notebook(tmp_path / "a" / "report.ipynb", "x = 1")
    second = notebook(tmp_path / "b" / "Report.ipynb", "x = 2")
    out = tmp_path / "out"
    proc = perfkit("run", "--data", TINY, "--out", out, "--notebook", first, "--notebook", second)
    assert proc.returncode == 2
    assert " ".join(proc.stderr.split()) == (
        "Two notebooks would publish files with the same name (Report.ipynb, Report.html, ...): "
        f"{first} and {second}. Rename one of them; nothing was run."
    )
    assert not out.exists()

    mine = notebook(tmp_path / "c" / "quarterly_performance.ipynb", "x = 3")
    proc = perfkit("run", "--data", TINY, "--out", out, "--notebook", mine)
    assert proc.returncode == 2
    assert " ".join(proc.stderr.split()) == (
        f"The notebook {mine} has the name of perfkit's own appendix quarterly_performance.ipynb: its files "
        "(quarterly_performance.html, quarterly_performance.pdf, ...) would replace that appendix's in each "
        "quarter's folder. Rename the notebook; nothing was run."
    )
    assert not out.exists()


# --- 14c. slow output never fails a run; a failed notebook never stops the others -------------

SLOW_OUTPUT = """\
import sys, time

class SlowToFlush:
    # the last of this cell's output reaches perfkit 5 s after the cell has finished,
    # more than the 4 s papermill and nbclient wait by default
    def __init__(self, inner):
        self.inner = inner
    def write(self, text):
        return self.inner.write(text)
    def flush(self):
        time.sleep(5)
        self.inner.flush()
    def __getattr__(self, name):
        return getattr(self.inner, name)

sys.stdout = SlowToFlush(sys.stdout)
print("\\n".join(f"| {i:5} | row {i} of a large table |" for i in range(20000)))
"""


def test_a_cell_whose_output_arrives_slowly_does_not_fail_and_nothing_of_it_is_lost(tmp_path):
    nb = notebook(tmp_path / "big_table.ipynb", SLOW_OUTPUT)
    out = tmp_path / "out"
    proc = perfkit(
        "run", "--data", TINY, "--quarter", "2024/25 Q2", "--out", out, "--notebook", nb, "--formats", "html"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    executed = nbformat.read(out / "2024-25-Q2" / "big_table.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert text.count(" of a large table |") == 20000 and "| 19999 | row 19999" in text


def test_failing_notebooks_never_stop_the_others_and_only_a_fault_in_perfkit_exits_3(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "5000")
    nb = notebook(
        tmp_path / "pack.ipynb",
        "import os\nif quarter == '2024-25-Q1':\n    os._exit(1)  # the kernel dies\nprint('pack for', quarter)",
    )
    out = tmp_path / "out"
    run = ["run", "--data", str(TINY), "--from", "2023/24 Q4", "--to", "2024/25 Q2", "--out", str(out)]
    run += ["--notebook", str(nb), "--formats", "html"]
    code = cli.main(run)
    printed = " ".join(capsys.readouterr().out.split())
    assert code == 1
    assert "1 of 3 notebooks failed:" in printed
    assert "2024/25 Q1 pack: The notebook pack.ipynb failed for 2024/25 Q1: its Python kernel stopped unexpectedly" in (
        printed
    )
    assert (out / "2023-24-Q4" / "pack.html").is_file() and (out / "2024-25-Q2" / "pack.html").is_file()
    assert agrees(out / "2024-25-Q1")["jobs"]["pack"]["result"] == "failed"

    # a fault in perfkit's own code for one quarter: the others are still published, and the run exits 3
    import perfkit.batch.execute as execute

    real_header = execute._header

    def faulty(register, nb, job):
        if job.quarter.label == "2024/25 Q1":
            raise KeyError("council")
        return real_header(register, nb, job)

    monkeypatch.setattr(execute, "_header", faulty)
    notebook(nb, "print('pack for', quarter)")
    # run here: the fault is planted in this process, which a pool's workers do not see when this
    # process has threads by now (they are then started from a fresh forkserver, not forked)
    code = cli.main([*run, "--jobs", "1"])
    printed = " ".join(capsys.readouterr().out.split())
    assert code == 3
    trace = out / "2024-25-Q1" / "failed" / "pack.traceback.txt"
    assert (
        "2024/25 Q1 pack: Making pack for 2024/25 Q1 stopped with an unexpected error (KeyError: 'council'); the "
        f"details are in {trace}. This is a fault in perfkit, not in your data as far as it can tell. No appendix "
        "was published for this notebook."
    ) in printed
    assert "KeyError: 'council'" in trace.read_text()
    assert "Done: 2 run, 0 up to date, 1 failed." in printed
