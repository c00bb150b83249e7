"""An unchanged rerun is decided from the record alone, and only when it gives exactly what the full path gives.

One small published folder is shared by the module (the tiny council, HTML only): 2024/25 Q2, the
latest quarter with figures, and 2024/25 Q3, after it, which warns; the latest quarter by default;
a council's own notebook; and the updates of the plan's two objectives. Each test works on it in
place, since its jobs are keyed by the data folder's path, and puts back every file afterwards.
``planned`` replaces the batch (run_batch) with a stub that notes the quarters it was given, which
only the full path calls; patching ``recorded_rerun`` away makes a run take the full path.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import warnings

import pytest

import perfkit as pk
import perfkit.batch.cache as cache
import perfkit.batch.executors as executors
import perfkit.batch.rerun as rerun
import perfkit.batch.validated as validated
from perfkit.batch.jobs import BatchSummary
from perfkit.batch.lock import LOCK_NAME, output_lock
from perfkit.batch.validated import RECORD_NAME, seal
from perfkit.cli import main
from tests.support import FIXTURES, ROOT
from tests.support.notebooks import write_notebook

#: Modules an unchanged rerun has no need of: the register's pandas and numpy, the template
#: engine of the landing page, the notebook tools and the executors that start them.
HEAVY = (
    "pandas",
    "numpy",
    "jinja2",
    "nbconvert",
    "nbformat",
    "weasyprint",
    "papermill",
    "jupyter_client",
    "perfkit.data.register",
    "perfkit.batch.executors",
    "perfkit.batch.execute",
)


def range_args(data, out):
    return [
        "run",
        "--data",
        str(data),
        "--from",
        "2024/25 Q2",
        "--to",
        "2024/25 Q3",
        "--out",
        str(out),
        "--formats",
        "html",
    ]


def latest_args(data, out):
    return ["run", "--data", str(data), "--out", str(out), "--formats", "html"]


def objective_args(data, out):
    return [*latest_args(data, out), "--objective", "all"]


def own_args(data, out, notebook):
    return [*latest_args(data, out), "--notebook", str(notebook)]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("rerun")
    data, out = root / "data", root / "out"
    shutil.copytree(FIXTURES / "tiny", data)
    (data / "notes.txt").write_text("for the meeting\n")  # a file a council's own notebook might read
    own = write_notebook(root / "own" / "council_summary.ipynb", "print(quarter)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # 2024/25 Q3 is after the latest quarter with figures
        assert main(range_args(data, out)) == 0
        assert main(latest_args(data, out)) == 0  # 2024/25 Q2 again: up to date, a plan of its own
        assert main(own_args(data, out, own)) == 0
        assert main(objective_args(data, out)) == 0  # the two objectives' updates, in 2024/25 Q2's folder too
    pristine = root / "pristine"
    for folder in (data, out, own.parent):
        shutil.copytree(folder, pristine / folder.name, symlinks=True)
    return {"data": data, "out": out, "own": own, "pristine": pristine}


@pytest.fixture
def scene(published, monkeypatch, capsys):
    """The published folder, put back as it was after the test."""
    monkeypatch.setattr(executors, "start_early", lambda *a, **k: None)  # no kernel launched ahead
    monkeypatch.setenv("COLUMNS", "200")
    capsys.readouterr()
    yield published
    for folder in (published["data"], published["out"], published["own"].parent):
        shutil.rmtree(folder)
        shutil.copytree(published["pristine"] / folder.name, folder, symlinks=True)


@pytest.fixture
def planned(monkeypatch):
    """The batch replaced by a stub noting the quarters given to it: a call means the full path was taken."""
    calls = []

    def stub(register, quarters, out_dir, *args, **kwargs):
        calls.append([q.label for q in quarters])
        return BatchSummary([])

    monkeypatch.setattr(executors, "run_batch", stub)
    return calls


@pytest.fixture
def no_batch(monkeypatch):
    """The fast path must be taken: the full path's batch fails the test."""

    def refuse(*args, **kwargs):
        pytest.fail("the full path was taken")

    monkeypatch.setattr(executors, "run_batch", refuse)


def run_cli(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def snapshot(out):
    """Every file of the output folder: its bytes and modification time (the lock file's holder apart)."""
    found = {}
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.name != LOCK_NAME:
            found[path.relative_to(out).as_posix()] = (path.read_bytes(), path.stat().st_mtime_ns)
    return found


@pytest.mark.parametrize("noise", ["--quiet", None, "--verbose"])
def test_an_unchanged_rerun_prints_what_the_full_path_prints(scene, capsys, monkeypatch, noise):
    argv = range_args(scene["data"], scene["out"]) + ([noise] if noise else [])
    with monkeypatch.context() as m:
        m.setattr(rerun, "recorded_rerun", lambda *a, **k: None)
        full_path = run_cli(argv, capsys)
    monkeypatch.setattr(executors, "run_batch", lambda *a, **k: pytest.fail("the full path was taken"))
    fast = run_cli(argv, capsys)
    assert fast == full_path
    code, out, err = fast
    assert code == 0 and err == ""
    assert out.splitlines()[-1] == "Done: 0 run, 2 up to date."
    # the warning about the quarter after the data, from the recorded quarters with figures, even when quiet
    assert "Note: 2024/25 Q3 is after the latest quarter with figures (2024/25 Q2)" in out
    if noise is None:  # the tiny council's one warning (A8 has no 2024/25 target), from the record
        assert out.splitlines()[0] == f"1 warning about the data: see perfkit validate --data {scene['data']}"
    if noise == "--verbose":
        assert "A8 has figures for 2024/25 but no target" in out
        assert "– 2024/25 Q3 quarterly_performance: up to date, skipped" in out


def test_an_unchanged_rerun_imports_nothing_heavy(scene, capsys, monkeypatch):
    """In a new process, as the perfkit command runs: same output and exit code, none of the heavy modules loaded."""
    argv = latest_args(scene["data"], scene["out"])
    probe = (
        "import json, sys\n"
        "from perfkit.cli import main\n"
        f"code = main({argv!r})\n"
        f"print(json.dumps([code, [m for m in {HEAVY!r} if m in sys.modules]]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    *printed, last = done.stdout.splitlines()
    code, loaded = json.loads(last)
    assert (code, loaded, done.stderr) == (0, [], "")
    monkeypatch.setattr(rerun, "recorded_rerun", lambda *a, **k: None)  # the full path, in this process
    assert run_cli(argv, capsys) == (0, "\n".join(printed) + "\n", "")
    assert printed[-2:] == ["0 notebooks to run, 1 up to date.", "Done: 0 run, 1 up to date."]


def test_pk_run_returns_the_same_summary_and_warnings(scene, monkeypatch):
    def call():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            summary = pk.run(scene["data"], first="2024/25 Q2", last="2024/25 Q3", out=scene["out"], formats=("html",))
        results = [(r.job, r.job.inputs, r.job.sources, r.skipped, r.ok, r.outputs) for r in summary.results]
        return results, summary.notes, [(str(w.message), w.category, w.filename, w.lineno) for w in caught]

    with monkeypatch.context() as m:
        m.setattr(rerun, "recorded_rerun", lambda *a, **k: None)
        expected = call()
    monkeypatch.setattr(executors, "run_batch", lambda *a, **k: pytest.fail("the full path was taken"))
    assert call() == expected
    results, notes, shown = expected
    assert [r[0].label for r in results] == ["2024/25 Q2 quarterly_performance", "2024/25 Q3 quarterly_performance"]
    assert all(r[3] for r in results) and notes == []
    assert [w[0].split(":")[0] for w in shown] == ["2024/25 Q3 is after the latest quarter with figures (2024/25 Q2)"]


def test_the_report_given_to_on_validated_loads_its_register_when_asked(scene, no_batch):
    seen = []
    pk.run(scene["data"], out=scene["out"], formats=("html",), on_validated=seen.append)
    [report] = seen
    assert [p.code for p in report.warnings] == ["A8"]
    assert report.register.council.name == "Tiny Test Council"  # loaded now, from the folder
    assert report.raise_if_invalid() is report.register


def test_an_unchanged_rerun_writes_nothing(scene, capsys, no_batch):
    before = snapshot(scene["out"])
    assert run_cli(range_args(scene["data"], scene["out"]), capsys)[0] == 0
    assert snapshot(scene["out"]) == before
    assert (scene["out"] / LOCK_NAME).read_bytes() == b""  # the lock was taken, and let go


def test_a_council_notebook_rerun_is_taken_from_the_record_too(scene, capsys, no_batch):
    code, out, _ = run_cli(own_args(scene["data"], scene["out"], scene["own"]), capsys)
    assert (code, out.splitlines()[-1]) == (0, "Done: 0 run, 1 up to date.")


def test_an_objectives_rerun_prints_and_returns_what_the_full_path_does(scene, capsys, monkeypatch):
    argv = [*objective_args(scene["data"], scene["out"]), "--verbose"]

    def api():
        summary = pk.run(scene["data"], out=scene["out"], formats=("html",), objective="all")
        return [(r.job, r.job.parameters, r.job.stem, r.job.title, r.job.inputs, r.skipped) for r in summary.results]

    with monkeypatch.context() as m:
        m.setattr(rerun, "recorded_rerun", lambda *a, **k: None)
        expected = run_cli(argv, capsys), api()
    monkeypatch.setattr(executors, "run_batch", lambda *a, **k: pytest.fail("the full path was taken"))
    assert (run_cli(argv, capsys), api()) == expected
    (code, out, _), jobs = expected
    assert code == 0 and out.splitlines()[-1] == "Done: 0 run, 2 up to date."
    assert [j[2] for j in jobs] == ["objective-good-services", "objective-a-green-place"]


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _add_entry(path, name, entry):
    manifest = json.loads(path.read_text())
    manifest["jobs"][name] = entry
    path.write_text(json.dumps(manifest))


CHANGES = {
    # the data: a figure restated, a file added, a file removed
    "figure restated": lambda s: _edit(s["data"] / "actuals.csv", "A1,2024/25 Q2,", "A1,2024/25 Q2,1"),
    "file added": lambda s: (s["data"] / "more.txt").write_text("x"),
    "file removed": lambda s: (s["data"] / "notes.txt").unlink(),
    "folder added": lambda s: (s["data"] / "survey").mkdir(),
    # what was published: a manifest, a report, the landing page
    "manifest removed": lambda s: (s["out"] / "2024-25-Q3" / "manifest.json").unlink(),
    "manifest damaged": lambda s: (s["out"] / "2024-25-Q3" / "manifest.json").write_text("{"),
    "report removed": lambda s: (s["out"] / "2024-25-Q2" / "quarterly_performance.html").unlink(),
    "report edited": lambda s: _edit(s["out"] / "2024-25-Q2" / "quarterly_performance.html", "</body>", " </body>"),
    "data file removed": lambda s: (s["out"] / "2024-25-Q2" / "metric_status.csv").unlink(),
    "landing page removed": lambda s: (s["out"] / "index.html").unlink(),
    "landing page edited": lambda s: _edit(s["out"] / "index.html", "</body>", " </body>"),
    # a killed run's leftovers, which the full path clears first
    "staging left": lambda s: (s["out"] / ".staging-1-2024-25-Q2-publish-abc").mkdir(),
    "folder moved aside": lambda s: (s["out"] / "2024-25-Q3").rename(s["out"] / ".previous-2024-25-Q3"),
    "old folder left": lambda s: shutil.copytree(s["out"] / "2024-25-Q3", s["out"] / ".previous-2024-25-Q3"),
    # an entry the full path notes as damaged, every planned one intact
    "manifest entry damaged": lambda s: _add_entry(s["out"] / "2024-25-Q2" / "manifest.json", "notes", "not an entry"),
    # JSON that Python's parser refuses with other errors than a JSONDecodeError: a number of more
    # than 4,300 digits (ValueError), lists nested deeper than the interpreter's recursion limit
    "manifest with a number too long": lambda s: (s["out"] / "2024-25-Q2" / "manifest.json").write_text(
        '{"jobs": {}, "n": ' + "1" * 5000 + "}"
    ),
    "manifest nested too deep": lambda s: (s["out"] / "2024-25-Q2" / "manifest.json").write_text(
        '{"jobs": {}, "n": ' + "[" * 100_000 + "]" * 100_000 + "}"
    ),
    "record with a number too long": lambda s: (s["out"] / RECORD_NAME).write_text('{"n": ' + "1" * 5000 + "}"),
    # the record: damaged, or edited by hand
    "record damaged": lambda s: (s["out"] / RECORD_NAME).write_text("{"),
    "record removed": lambda s: (s["out"] / RECORD_NAME).unlink(),
}


@pytest.mark.parametrize("change", CHANGES)
def test_any_change_takes_the_full_path(scene, capsys, planned, change):
    CHANGES[change](scene)
    run_cli(range_args(scene["data"], scene["out"]), capsys)
    assert planned == [["2024/25 Q2", "2024/25 Q3"]]


#: Reports outside the plan of the run for the latest quarter (2024/25 Q2's appendix), which the
#: landing page lists: the full path rewrites the page, so the rerun cannot be decided from the record.
OUTSIDE_THE_PLAN = {
    "another quarter's report removed": lambda s: (s["out"] / "2024-25-Q3" / "quarterly_performance.html").unlink(),
    "another quarter's folder removed": lambda s: shutil.rmtree(s["out"] / "2024-25-Q3"),
    "an objective's update removed": lambda s: (s["out"] / "2024-25-Q2" / "objective-good-services.html").unlink(),
    "a council notebook's entry dropped": lambda s: _drop_entry(
        s["out"] / "2024-25-Q2" / "manifest.json", "council_summary"
    ),
}


def _drop_entry(path, name):
    manifest = json.loads(path.read_text())
    del manifest["jobs"][name]
    path.write_text(json.dumps(manifest))


@pytest.mark.parametrize("change", OUTSIDE_THE_PLAN)
def test_a_change_to_a_report_outside_the_plan_takes_the_full_path(scene, capsys, planned, change):
    OUTSIDE_THE_PLAN[change](scene)
    run_cli(latest_args(scene["data"], scene["out"]), capsys)
    assert planned == [["2024/25 Q2"]]


def test_a_record_nested_too_deep_to_read_takes_the_full_path(scene, capsys, planned):
    (scene["out"] / RECORD_NAME).write_text("[" * 100_000 + "]" * 100_000)
    run_cli(range_args(scene["data"], scene["out"]), capsys)
    assert planned == [["2024/25 Q2", "2024/25 Q3"]]


def test_manifests_nested_too_deep_are_noted_and_their_appendices_made_again(scene, capsys):
    """The full path the rerun leaves them to: two quarters' appendices to make, shared between two
    processes, the longest first by the seconds each manifest says its job took."""
    for quarter in ("2024-25-Q2", "2024-25-Q3"):
        (scene["out"] / quarter / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)
    code, out, err = run_cli([*range_args(scene["data"], scene["out"]), "--jobs", "2"], capsys)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "Done: 2 run, 0 up to date."
    flat = " ".join(out.split())
    for label in ("2024/25 Q2", "2024/25 Q3"):
        assert f"{label}: manifest.json is damaged: it is not JSON that perfkit can read; its appendices" in flat
    assert all(
        json.loads((scene["out"] / q / "manifest.json").read_text())["jobs"] for q in ("2024-25-Q2", "2024-25-Q3")
    )


def test_a_record_nested_just_deep_enough_to_read_but_not_to_seal_is_ignored(scene):
    """The parser and the writer that makes the seal both count nesting against the recursion limit,
    the writer from a few more frames down: some depths are read and then cannot be written out
    again. At every depth around that limit the record is ignored, by the rerun and by a full run's
    validation, never raising."""
    path = scene["out"] / RECORD_NAME
    text = path.read_text().rstrip()
    for depth in range(500, 1000):  # one depth is read but not sealed: which, depends on the stack below
        path.write_text(text[:-1] + ', "deep": ' + "[" * depth + "]" * depth + "}")
        assert validated.recorded_validation(scene["data"], scene["out"]) is None
        assert validated._recorded(path, validated._depends_on(scene["data"])) is None


def _record(scene):
    return json.loads((scene["out"] / RECORD_NAME).read_text())


def _plan(record, quarter=None):
    """The recorded plan of the range run (or of the run for the latest quarter)."""
    return next(p for p in record["plans"] if json.loads(p["request"])["first"] == quarter)


#: Edits of the record that its checks refuse even when it is sealed again after the edit.
CAUGHT = (
    "a job left out",
    "a key changed",
    "a key and its inputs changed",
    "another data folder",
    "a quarter left out",
    "another council",
    "the page's digest",
    "an objective no longer in force",  # its update in 2024/25 Q2's folder would be noted as stale
    "a pipe named as the notebook",  # hashing it would wait for ever: only perfkit's notebooks are hashed
)
#: Only the seal tells this one: a consistent record sealed again is taken as it is, as the
#: output folder's manifests and reports are (see perfkit.batch.validated.seal).
SEALED_ONLY = ("other quarters with data",)


@pytest.mark.parametrize(("edit", "resealed"), [(e, False) for e in CAUGHT + SEALED_ONLY] + [(e, True) for e in CAUGHT])
def test_a_record_edited_by_hand_takes_the_full_path(scene, capsys, planned, edit, resealed):
    record = _record(scene)
    plan = _plan(record, "2024/25 Q2")
    job = plan["jobs"][1]
    if edit == "a job left out":  # its files are in the manifest: the full path notes them as stale
        plan["jobs"] = plan["jobs"][:1]
    elif edit == "a key changed":  # no longer the hash of the job's inputs
        job["key"] = "0" * 64
    elif edit == "a key and its inputs changed":  # consistent, but not what the manifest says was made
        job["inputs"]["data"]["actuals"] = "0" * 64
        job["key"] = cache.inputs_key(job["inputs"])
    elif edit == "another data folder":
        job["data_dir"] = str(scene["out"].parent / "elsewhere")
    elif edit == "a quarter left out":
        plan["quarters"] = plan["quarters"][:1]
    elif edit == "other quarters with data":  # the warning about 2024/25 Q3 would name another latest quarter
        record["register"]["quarters"] = record["register"]["quarters"][:-1]
    elif edit == "a pipe named as the notebook":
        pipe = scene["out"].parent / "pipe.ipynb"
        if not pipe.exists():
            os.mkfifo(pipe)
        job["notebook"] = str(pipe)
        job["inputs"]["notebook"] = "0" * 64
        job["key"] = cache.inputs_key(job["inputs"])
    elif edit == "an objective no longer in force":
        plan["in_force"] = [[q, [o for o in objs if o != "Good services"]] for q, objs in plan["in_force"]]
    elif edit == "another council":
        record["register"]["council"] = "Another Council"
    else:
        record["index"]["inputs"] = "0" * 64
    if resealed:
        record["seal"] = seal(record)
    (scene["out"] / RECORD_NAME).write_text(json.dumps(record))
    run_cli(range_args(scene["data"], scene["out"]), capsys)
    assert planned == [["2024/25 Q2", "2024/25 Q3"]]


@pytest.mark.parametrize(
    "argv",
    [
        ["--quarter", "2024/25 Q2"],  # the latest, but asked for by name
        ["--from", "2024/25 Q1", "--to", "2024/25 Q3"],
        ["--from", "2024/25 Q2", "--to", "2024/25 Q3", "--formats", "html,pdf"],
        ["--from", "2024/25 Q2", "--to", "2024/25 Q3", "--timeout", "600"],
        ["--from", "2024/25 Q2", "--to", "2024/25 Q3", "--force"],
        ["--all"],
        ["--objective", "Good services"],
    ],
)
def test_other_arguments_take_the_full_path(scene, capsys, planned, argv):
    base = ["run", "--data", str(scene["data"]), "--out", str(scene["out"])]
    run_cli(base + (argv if "--formats" in argv else [*argv, "--formats", "html"]), capsys)
    assert len(planned) == 1


def test_an_output_folder_moved_elsewhere_is_checked_where_it_is(scene, capsys, monkeypatch):
    """A job's key does not depend on the output folder: the full path finds the jobs fresh, as does the record."""
    moved = scene["out"].parent / "moved"
    scene["out"].rename(moved)
    try:
        with monkeypatch.context() as m:
            m.setattr(rerun, "recorded_rerun", lambda *a, **k: None)
            expected = run_cli(range_args(scene["data"], moved), capsys)
        monkeypatch.setattr(executors, "run_batch", lambda *a, **k: pytest.fail("the full path was taken"))
        assert run_cli(range_args(scene["data"], moved), capsys) == expected
        assert expected[1].splitlines()[-1] == "Done: 0 run, 2 up to date."
    finally:
        moved.rename(scene["out"])


def test_a_plan_made_from_a_file_saved_after_the_validation_is_made_again(scene, capsys):
    """A run validates the folder, then plans, hashing the files its jobs read again: a file saved in
    between (and put back before the next run) leaves a record whose validation is of the files as
    they are, but whose job was keyed, run and published from the other bytes. The full path keys
    the job from the file as it is, finds the manifest's key different and runs it again."""
    said_otherwise = hashlib.sha256(b"said otherwise\n").hexdigest()
    record = _record(scene)
    plan = next(p for p in record["plans"] if json.loads(p["request"])["notebooks"] is not None)
    [job] = plan["jobs"]
    job["sources"]["notes.txt"] = job["inputs"]["data"]["notes.txt"] = said_otherwise
    job["key"] = cache.inputs_key(job["inputs"])
    record["seal"] = seal(record)
    (scene["out"] / RECORD_NAME).write_text(json.dumps(record))
    path = scene["out"] / "2024-25-Q2" / "manifest.json"  # as that run published it
    manifest = json.loads(path.read_text())
    manifest["jobs"]["council_summary"].update(key=job["key"], inputs=job["inputs"], sources=job["sources"])
    path.write_text(json.dumps(manifest))
    code, out, _ = run_cli(own_args(scene["data"], scene["out"], scene["own"]), capsys)
    assert (code, out.splitlines()[-1]) == (0, "Done: 1 run, 0 up to date.")


def test_another_notebook_or_an_edited_one_takes_the_full_path(scene, capsys, planned):
    _edit(scene["own"], "print(quarter)", "print(quarter, data_dir)")
    run_cli(own_args(scene["data"], scene["out"], scene["own"]), capsys)
    other = write_notebook(scene["own"].parent / "other.ipynb", "print(quarter)")
    run_cli(own_args(scene["data"], scene["out"], other), capsys)
    assert planned == [["2024/25 Q2"], ["2024/25 Q2"]]


@pytest.mark.parametrize("what", ["perfkit", "pandas", "jinja2"])
def test_a_new_perfkit_or_library_takes_the_full_path(scene, capsys, planned, monkeypatch, what):
    """perfkit's code and the data readers' versions are in the validation's record; the template
    engine's in the landing page's digest (the full path makes the page again, with it)."""
    if what == "perfkit":
        monkeypatch.setattr(cache, "package_fingerprint", lambda: "9.9.9+0000000000000000")
    elif what == "pandas":
        real = validated.version
        monkeypatch.setattr(validated, "version", lambda name: "9.9.9" if name == "pandas" else real(name))
    else:
        import importlib.metadata

        real = importlib.metadata.version
        monkeypatch.setattr(importlib.metadata, "version", lambda name: "9.9.9" if name == "jinja2" else real(name))
    run_cli(range_args(scene["data"], scene["out"]), capsys)
    assert planned == [["2024/25 Q2", "2024/25 Q3"]]


def test_a_new_day_takes_the_full_path(scene, capsys, planned, monkeypatch):
    class Tomorrow(dt.date):
        @classmethod
        def today(cls):
            return dt.date(2099, 1, 1)

    monkeypatch.setattr(rerun.dt, "date", Tomorrow)  # the landing page shows the day it is made
    run_cli(range_args(scene["data"], scene["out"]), capsys)
    assert planned == [["2024/25 Q2", "2024/25 Q3"]]


def test_the_full_path_puts_the_landing_page_back_and_the_next_rerun_is_decided_from_the_record(
    scene, capsys, monkeypatch
):
    page = (scene["out"] / "index.html").read_bytes()
    (scene["out"] / "index.html").unlink()
    calls = []
    real = executors.run_batch
    with monkeypatch.context() as m:
        m.setattr(executors, "run_batch", lambda *a, **k: calls.append(1) or real(*a, **k))
        code, out, _ = run_cli(range_args(scene["data"], scene["out"]), capsys)
    assert (code, out.splitlines()[-1], calls) == (0, "Done: 0 run, 2 up to date.", [1])
    assert (scene["out"] / "index.html").read_bytes() == page
    monkeypatch.setattr(executors, "run_batch", lambda *a, **k: pytest.fail("the full path was taken"))
    assert run_cli(range_args(scene["data"], scene["out"]), capsys)[0] == 0


def test_a_quarter_added_to_the_data_is_reported_by_default(scene, capsys, monkeypatch):
    args = latest_args(scene["data"], scene["out"])
    calls = []
    monkeypatch.setattr(
        executors, "run_batch", lambda reg, quarters, *a, **k: calls.append(quarters) or BatchSummary([])
    )
    code, out, _ = run_cli(args, capsys)  # unchanged: the latest quarter, 2024/25 Q2, is up to date
    assert (code, out.splitlines()[-1], calls) == (0, "Done: 0 run, 1 up to date.", [])
    with open(scene["data"] / "actuals.csv", "a") as f:
        f.write("A1,2024/25 Q3,80,,,\n")
    run_cli(args, capsys)
    assert [[q.label for q in c] for c in calls] == [["2024/25 Q3"]]


def test_another_run_holding_the_lock_gets_the_full_paths_answer(scene, capsys, monkeypatch):
    argv = range_args(scene["data"], scene["out"])
    with output_lock(scene["out"]):  # as another run publishing there would
        with monkeypatch.context() as m:
            m.setattr(rerun, "recorded_rerun", lambda *a, **k: None)
            expected = run_cli(argv, capsys)
        got = run_cli(argv, capsys)
    assert got == expected
    assert got[0] == 1 and "Another perfkit run is publishing into" in got[2]
    # and once it has finished, the same rerun is decided from the record
    monkeypatch.setattr(executors, "run_batch", lambda *a, **k: pytest.fail("the full path was taken"))
    assert run_cli(argv, capsys)[0] == 0


def _unsearchable(monkeypatch, folder):
    """Every path inside ``folder`` refused as the system refuses them in a folder this user may not search
    (no ``x`` permission): a test run as root is never refused, so the calls are made to answer so."""
    import errno
    from pathlib import Path

    def refusing(call):
        def refused(path, *args, **kwargs):
            if isinstance(path, (str, bytes, os.PathLike)) and Path(os.fsdecode(path)).parent.is_relative_to(folder):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))
            return call(path, *args, **kwargs)

        return refused

    for name in ("stat", "lstat", "open", "scandir", "listdir"):
        monkeypatch.setattr(os, name, refusing(getattr(os, name)))


def test_an_output_folder_this_user_may_not_search_gets_the_full_paths_answer(scene, capsys, monkeypatch):
    argv = range_args(scene["data"], scene["out"])
    with monkeypatch.context() as m:
        _unsearchable(m, scene["out"])
        m.setattr(rerun, "recorded_rerun", lambda *a, **k: None)
        expected = run_cli(argv, capsys)
    with monkeypatch.context() as m:
        _unsearchable(m, scene["out"])
        got = run_cli(argv, capsys)
    assert got == expected
    code, _, err = got
    assert code == 2 and f"The output folder {scene['out']} cannot be written by you" in " ".join(err.split())


def test_quarters_chosen_otherwise_than_the_plan_take_the_full_path(scene, capsys, planned):
    """A record sealed again after its quarters with data were edited: the latest is not the plan's quarter."""
    record = _record(scene)
    record["register"]["quarters"] = record["register"]["quarters"][:-1]  # 2024/25 Q1 the latest
    record["seal"] = seal(record)
    (scene["out"] / RECORD_NAME).write_text(json.dumps(record))
    run_cli(latest_args(scene["data"], scene["out"]), capsys)
    assert planned == [["2024/25 Q1"]]
