"""Batch runs: ranges, the cache, parallel and Dask execution, failure isolation, interruption, status."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from perfkit.batch.executors import run_batch
from perfkit.batch.freshness import output_status
from perfkit.batch.lock import LOCK_NAME
from perfkit.batch.validated import RECORD_NAME
from perfkit.data.register import load_register
from perfkit.periods import quarter_range

WIDE = {**os.environ, "COLUMNS": "300"}
RANGE = ("--from", "2023/24 Q4", "--to", "2024/25 Q2")


def perfkit(*args, env=None, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "perfkit.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env or WIDE,
    )


def snapshot(folder, skip=("manifest.json",)):
    return {
        p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in skip
    }


def notebook(path, body):
    nb = new_notebook(
        cells=[
            new_code_cell('quarter = None\ndata_dir = "data/demo"', metadata={"tags": ["parameters"]}),
            new_code_cell(body),
            new_code_cell("from IPython.display import HTML\nHTML(f'<h2 id=\"q\">Pack for {quarter}</h2>')"),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "perfkit": {"title": "Member briefing"},
        },
    )
    nbformat.write(nb, path)
    return path


@pytest.fixture
def data(tiny_dir, tmp_path):
    target = tmp_path / "data"
    shutil.copytree(tiny_dir, target)
    return target


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    """A serial range run of the fixture, HTML and PDF, for the parallel runs to be compared with."""
    from conftest import FIXTURES

    out = tmp_path_factory.mktemp("serial")
    proc = perfkit("run", "--data", FIXTURES / "tiny", *RANGE, "--out", out, "--jobs", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out, proc.stdout


def _timeless(manifest):
    """A manifest without the parts allowed to differ between runs: timings and dates."""
    m = json.loads(manifest.read_text())
    m.pop("produced_at")
    m.pop("timings_seconds")
    for job in m["jobs"].values():
        job.pop("timings_seconds")
        job.pop("finished_at")
    return m


def test_a_range_runs_every_quarter_and_says_where_the_appendices_are(serial):
    out, stdout = serial
    # the quarters' folders, the lock file that keeps two runs apart (empty once the run is over), the
    # record of the data's validation that the next run may reuse, and the landing page listing every report
    names = sorted(p.name for p in out.iterdir())
    assert names == [RECORD_NAME, LOCK_NAME, "2023-24-Q4", "2024-25-Q1", "2024-25-Q2", "index.html"]
    assert (out / LOCK_NAME).read_bytes() == b""
    for q in ("2023-24-Q4", "2024-25-Q1", "2024-25-Q2"):
        assert (out / q / "quarterly_performance.pdf").exists()
        assert str(out / q / "quarterly_performance.html") in stdout
    assert "Done: 3 run, 0 up to date." in stdout


def test_an_unchanged_rerun_skips_every_job_and_rewrites_nothing(serial):
    out, _ = serial
    before = {
        p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name not in ("manifest.json", LOCK_NAME)
    }
    proc = perfkit("run", "--data", serial_data(), *RANGE, "--out", out)
    assert proc.returncode == 0
    assert "0 notebooks to run, 3 up to date." in proc.stdout
    assert "Done: 0 run, 3 up to date." in proc.stdout
    assert before == {p: p.stat().st_mtime_ns for p in before}


def serial_data():
    from conftest import FIXTURES

    return FIXTURES / "tiny"


def test_parallel_jobs_give_byte_identical_outputs(serial, tmp_path):
    out, _ = serial
    proc = perfkit("run", "--data", serial_data(), *RANGE, "--out", tmp_path, "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert snapshot(tmp_path) == snapshot(out)
    for q in ("2023-24-Q4", "2024-25-Q1", "2024-25-Q2"):
        assert _timeless(tmp_path / q / "manifest.json") == _timeless(out / q / "manifest.json")


def test_a_local_dask_cluster_gives_byte_identical_outputs(serial, tmp_path):
    out, _ = serial
    proc = perfkit("run", "--data", serial_data(), *RANGE, "--out", tmp_path, "--executor", "dask", "--jobs", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert snapshot(tmp_path) == snapshot(out)


def test_an_existing_dask_scheduler_runs_the_jobs(serial, tmp_path, tmp_path_factory):
    from dask.distributed import LocalCluster

    out, _ = serial
    # the workers' scratch space is this test's own: in the shared default (/tmp/dask-scratch-space) a
    # cluster starting for another run on the machine can purge it
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        local_directory=tmp_path_factory.mktemp("dask"),
    ) as cluster:
        proc = perfkit(
            "run", "--data", serial_data(), *RANGE, "--out", tmp_path, "--scheduler", cluster.scheduler_address
        )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert snapshot(tmp_path) == snapshot(out)


def test_a_long_lived_dask_worker_sees_a_change_that_keeps_size_and_time_and_force_reruns(data, tmp_path):
    """The worker's register cache is keyed on content: a restated figure with the same size and
    modification time (a copy that keeps times, a coarse network share) is never served stale."""
    from dask.distributed import LocalCluster

    out = tmp_path / "out"
    run = ("run", "--data", data, "--quarter", "2024/25 Q2", "--out", out, "--formats", "html")
    actuals = data / "actuals.csv"
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None, local_directory=tmp_path / "dask"
    ) as cluster:
        first = perfkit(*run, "--scheduler", cluster.scheduler_address)
        assert first.returncode == 0, first.stdout + first.stderr
        status = out / "2024-25-Q2" / "metric_status.csv"
        a1_before = next(line for line in status.read_text().splitlines() if line.startswith("A1,"))
        assert ",84.3," in a1_before

        before = actuals.stat()
        text = actuals.read_bytes()
        assert b"A1,2024/25 Q2,84.3," in text
        actuals.write_bytes(text.replace(b"A1,2024/25 Q2,84.3,", b"A1,2024/25 Q2,84.9,"))
        os.utime(actuals, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert actuals.stat().st_size == before.st_size and actuals.stat().st_mtime_ns == before.st_mtime_ns

        second = perfkit(*run, "--scheduler", cluster.scheduler_address)  # the same worker process serves it
        assert second.returncode == 0 and "Done: 1 run, 0 up to date." in second.stdout, second.stdout
        a1_after = next(line for line in status.read_text().splitlines() if line.startswith("A1,"))
        assert ",84.9," in a1_after

        executed = out / "2024-25-Q2" / "quarterly_performance.ipynb"
        made = executed.stat().st_ino
        forced = perfkit(*run, "--scheduler", cluster.scheduler_address, "--force")  # fresh, and run all the same
        assert forced.returncode == 0 and "Done: 1 run, 0 up to date." in forced.stdout, forced.stdout
        assert executed.stat().st_ino != made  # a new executed notebook was published


def test_a_data_change_reruns_only_the_quarters_that_read_it(data, tmp_path):
    register = load_register(data)
    quarters = quarter_range("2023/24 Q4", "2024/25 Q2")
    first = run_batch(register, quarters, tmp_path, ("html",))
    assert len(first.ran) == 3
    # restate A1's 2024/25 Q1 figure: Q1 and Q2 read it (Q2 compares with Q1); 2023/24 Q4 does not
    text = (data / "actuals.csv").read_text().replace("A1,2024/25 Q1,80,", "A1,2024/25 Q1,81,")
    (data / "actuals.csv").write_text(text)
    second = run_batch(load_register(data), quarters, tmp_path, ("html",))
    assert sorted(r.job.quarter.slug for r in second.ran) == ["2024-25-Q1", "2024-25-Q2"]
    assert [r.job.quarter.slug for r in second.skipped] == ["2023-24-Q4"]
    # and --force runs everything
    third = run_batch(load_register(data), quarters, tmp_path, ("html",), force=True)
    assert len(third.ran) == 3 and not third.skipped


def test_a_changed_notebook_or_a_damaged_output_reruns_its_job(data, tmp_path):
    nb = notebook(tmp_path / "pack.ipynb", "x = 1")
    quarters = quarter_range("2024/25 Q1", "2024/25 Q2")
    run_batch(load_register(data), quarters, tmp_path / "out", ("html",), notebooks=[nb])
    (tmp_path / "out" / "2024-25-Q1" / "pack.html").write_text("damaged")
    again = run_batch(load_register(data), quarters, tmp_path / "out", ("html",), notebooks=[nb])
    assert [r.job.quarter.slug for r in again.ran] == ["2024-25-Q1"]
    notebook(nb, "x = 2")
    third = run_batch(load_register(data), quarters, tmp_path / "out", ("html",), notebooks=[nb])
    assert len(third.ran) == 2


def test_one_failing_quarter_does_not_stop_the_others(data, tmp_path):
    nb = notebook(
        tmp_path / "member_briefing.ipynb",
        "if quarter == '2024-25-Q1':\n    raise ValueError('Q1 figures were restated')",
    )
    out = tmp_path / "out"
    proc = perfkit("run", "--data", data, *RANGE, "--out", out, "--notebook", nb, "--formats", "html", "--jobs", "2")
    assert proc.returncode == 1
    assert "1 of 3 notebooks failed:" in proc.stdout
    assert (
        "2024/25 Q1 member_briefing: The notebook member_briefing.ipynb failed for 2024/25 Q1 in cell [3] "
        "(which starts 'if quarter == '2024-25-Q1':'): ValueError: Q1 figures were restated."
    ) in proc.stdout
    assert (out / "2023-24-Q4" / "member_briefing.html").exists()
    assert (out / "2024-25-Q2" / "member_briefing.html").exists()
    assert not (out / "2024-25-Q1" / "member_briefing.html").exists()
    assert (out / "2024-25-Q1" / "failed" / "member_briefing.ipynb").exists()
    manifest = json.loads((out / "2024-25-Q1" / "manifest.json").read_text())
    assert manifest["result"] == "failed" and "ValueError" in manifest["jobs"]["member_briefing"]["error"]
    # a council's notebook gets the council header and its own title
    html = (out / "2024-25-Q2" / "member_briefing.html").read_text()
    assert "<title>Member briefing, 2024/25 Q2 – Tiny Test Council</title>" in html


def test_a_hung_cell_is_stopped_by_the_timeout_and_reported(data, tmp_path):
    nb = notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(60)")
    proc = perfkit(
        "run",
        "--data",
        data,
        "--quarter",
        "2024/25 Q2",
        "--out",
        tmp_path / "out",
        "--notebook",
        nb,
        "--formats",
        "html",
        "--timeout",
        "2",
    )
    assert proc.returncode == 1
    assert "a cell ran for more than 2 seconds and was stopped" in proc.stdout


def _start_slow_run(data, out, nb, settle=3.0):
    env = {**WIDE, "PERFKIT_TEST_SLOW": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "perfkit.cli",
            "run",
            "--data",
            str(data),
            "--quarter",
            "2024/25 Q2",
            "--out",
            str(out),
            "--notebook",
            str(nb),
            "--formats",
            "html,pdf",
            "--force",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    deadline = time.time() + 60
    while not list(out.glob(".staging-*")) and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(settle)  # with 3 s, the kernel is usually executing the slow cell; with 0, it is still starting
    return proc


@pytest.mark.parametrize("how", ["interrupt", "interrupt as the job starts", "kill"])
def test_an_interrupted_run_leaves_earlier_outputs_intact(data, tmp_path, how):
    nb = notebook(
        tmp_path / "pack.ipynb", "import os, time\nif os.environ.get('PERFKIT_TEST_SLOW'):\n    time.sleep(120)"
    )
    out = tmp_path / "out"
    assert perfkit("run", "--data", data, "--quarter", "2024/25 Q2", "--out", out, "--notebook", nb).returncode == 0
    published = out / "2024-25-Q2"
    before = snapshot(published, skip=())
    # a Ctrl-C as the job starts lands before its kernel runs a cell (or even exists): there is no cell to
    # interrupt, and the job must not go on to run the slow one
    proc = _start_slow_run(data, out, nb, settle=0.0 if how == "interrupt as the job starts" else 3.0)
    if how.startswith("interrupt"):
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
        proc.wait(timeout=60)
        assert proc.returncode == 130
        assert not list(out.glob(".staging-*")), "an interrupted run cleans its staging folder"
    else:
        proc.kill()  # the process is killed outright: nothing runs to clean up
        proc.wait(timeout=30)
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the kernel, if it has not noticed its parent died
        except ProcessLookupError:
            pass
    assert snapshot(published, skip=()) == before  # nothing half-written, nothing removed
    # the next run removes staging folders left by dead processes, and runs normally
    assert perfkit("run", "--data", data, "--quarter", "2024/25 Q2", "--out", out, "--notebook", nb).returncode == 0
    assert not list(out.glob(".staging-*"))


def test_status_shows_fresh_stale_failed_and_missing(data, tmp_path):
    out = tmp_path / "out"
    good = notebook(tmp_path / "pack.ipynb", "x = 1")
    run_batch(load_register(data), quarter_range("2024/25 Q1", "2024/25 Q2"), out, ("html",))
    bad = notebook(tmp_path / "broken.ipynb", "raise RuntimeError('no')")
    run_batch(load_register(data), quarter_range("2024/25 Q2", "2024/25 Q2"), out, ("html",), notebooks=[bad, good])
    text = (data / "actuals.csv").read_text().replace("A9,2024/25 Q2,42,", "A9,2024/25 Q2,43,")
    (data / "actuals.csv").write_text(text)
    rows = {(r.quarter.slug, r.notebook): r.state for r in output_status(load_register(data), out)}
    assert rows[("2023-24-Q2", "quarterly_performance")] == "missing"
    assert rows[("2024-25-Q1", "quarterly_performance")] == "fresh"  # does not read Q2
    assert rows[("2024-25-Q2", "quarterly_performance")] == "stale"  # reads the restated Q2 figure
    assert rows[("2024-25-Q2", "broken")] == "failed"
    assert rows[("2024-25-Q2", "pack")] == "stale"  # a council notebook reads everything
    proc = perfkit("status", "--data", data, "--out", out)
    assert proc.returncode == 0 and "1 fresh, 2 stale, 1 failed, 3 missing" in proc.stdout


def test_quiet_prints_only_the_final_line(data, tmp_path):
    proc = perfkit("run", "--data", data, "--quarter", "2024/25 Q2", "--out", tmp_path, "--formats", "html", "--quiet")
    assert proc.returncode == 0 and proc.stdout.strip() == "Done: 1 run, 0 up to date."
    proc = perfkit(
        "run", "--data", data, "--quarter", "2024/25 Q2", "--out", tmp_path, "--formats", "html", "--verbose"
    )
    assert "2024/25 Q2 quarterly_performance: up to date, skipped" in proc.stdout


def _plain(quarter, name, out="out"):
    from pathlib import Path

    from perfkit.batch.jobs import Job

    return Job(quarter, Path(f"{name}.ipynb"), Path("data"), Path(out))


def _update(quarter, objective, out="out"):
    from pathlib import Path

    from perfkit.batch.jobs import Job

    nb = Path("objective_update.ipynb")
    return Job(quarter, nb, Path("data"), Path(out), parameters=(("objective", objective),), stem=f"u-{objective}")


def test_jobs_is_a_whole_number_of_at_least_one_or_auto():
    from perfkit.batch.executors import check_jobs
    from perfkit.errors import PerfkitError

    assert [check_jobs(v) for v in (1, 3, "auto", " Auto ")] == [1, 3, "auto", "auto"]
    for wrong in (0, -2, 2.5, True, "two", "", None):
        with pytest.raises(PerfkitError, match='whole number of at least 1, such as 2, or "auto"'):
            check_jobs(wrong)


@pytest.mark.parametrize(
    ("cpus", "units", "expected"),
    [
        (2, 16, 2),  # this machine: both CPUs
        (8, 16, 4),  # a larger machine: at most four by default
        (8, 3, 3),  # never more processes than there is work to share out
        (2, 1, 1),  # one notebook, or one quarter's objective updates: run here
        (1, 16, 1),  # one CPU: run here
    ],
)
def test_auto_runs_one_notebook_per_usable_cpu_at_most_four(monkeypatch, cpus, units, expected):
    from perfkit.batch import executors

    monkeypatch.setattr(executors, "usable_cpus", lambda: cpus)
    assert executors._workers("auto", units) == expected
    assert executors._workers(3, units) == 3  # a number given is taken as it is


def test_a_quarters_objective_updates_are_one_unit_of_work_and_everything_else_its_own():
    from perfkit.batch.executors import _units
    from perfkit.periods import Quarter

    q1, q2 = Quarter(2024, 1), Quarter(2024, 2)
    jobs = [_update(q1, "a"), _plain(q1, "quarterly"), _update(q2, "a"), _update(q1, "b"), _update(q2, "b")]
    units = _units(jobs)
    assert [[j.name for j in unit] for unit in units] == [["u-a", "u-b"], ["quarterly"], ["u-a", "u-b"]]
    assert [unit[0].quarter for unit in units] == [q1, q1, q2]


def test_the_command_line_takes_auto_by_default_and_explains_a_wrong_jobs():
    from perfkit.cli import _parser

    parser = _parser()
    args = parser.parse_args(["run"])
    assert args.jobs == "auto"
    assert parser.parse_args(["run", "--jobs", "AUTO"]).jobs == "auto"
    assert parser.parse_args(["run", "--jobs", "3"]).jobs == 3
    proc = perfkit("run", "--jobs", "0")
    assert proc.returncode == 2
    assert "'0' is not a whole number of at least 1, such as 1, 2 or 4, or auto (one per CPU, at most 4)" in proc.stderr


def _gone(pid, within=20.0):
    deadline = time.time() + within
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_a_parallel_run_killed_outright_leaves_no_worker_or_kernel_behind(data, tmp_path):
    """Killed by the out-of-memory killer, say: the workers and their kernels end too, rather than wait for ever."""
    started = tmp_path / "started"
    started.mkdir()
    nb = notebook(
        tmp_path / "pack.ipynb",
        f"import os, time\nopen(os.path.join({str(started)!r}, quarter), 'w').write(str(os.getpid()))\ntime.sleep(300)",
    )
    out = tmp_path / "out"
    run = ["run", "--data", str(data), "--from", "2024/25 Q1", "--to", "2024/25 Q2", "--out", str(out)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "perfkit.cli", *run, "--notebook", str(nb), "--formats", "html", "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 120
    while len(list(started.iterdir())) < 2 and time.time() < deadline:
        time.sleep(0.2)
    kernels = [int(p.read_text() or 0) for p in started.iterdir()]
    assert len(kernels) == 2 and all(kernels), "both notebooks should be running side by side"
    proc.kill()
    # every process holding the run's output (its workers) has ended, or this would wait for ever
    proc.communicate(timeout=60)
    assert all(_gone(pid) for pid in kernels), "a kernel outlived its worker"


#: Records, as each of perfkit's background threads starts, whether the notebook side's imports were made.
_IMPORT_ORDER_PROBE = """
import sys, threading
from perfkit.batch import executors
seen = {}
real_start = threading.Thread.start
def start(self):
    if self.name in ("perfkit-export", "perfkit-warm-up"):
        seen[self.name] = [m in sys.modules for m in ("jupyter_client.manager", "papermill")]
    return real_start(self)
threading.Thread.start = start
assert "jupyter_client.manager" not in sys.modules and "papermill" not in sys.modules
executors._init_worker(warm=True)
executors._Exporter().start()
print(sorted(seen.items()))
"""


def test_the_exporters_are_loaded_only_once_the_notebook_side_is_imported():
    """Two threads importing jupyter_client at once once failed a job with a half-made module."""
    proc = subprocess.run([sys.executable, "-c", _IMPORT_ORDER_PROBE], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[('perfkit-export', [True, True]), ('perfkit-warm-up', [True, True])]"
