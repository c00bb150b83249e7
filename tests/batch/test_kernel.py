"""Kernels started ahead of their jobs: each serves one job, starts clean, and none is left running."""

import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

import perfkit as pk
from perfkit.batch import execute, kernel
from tests.support.notebooks import write_notebook

FIRST, LAST = "2023/24 Q4", "2024/25 Q2"
QUARTERS = ["2023-24-Q4", "2024-25-Q1", "2024-25-Q2"]

#: What a job finds when it starts, then what it leaves behind for a next job to find, if it could.
PROBE = """
import json, os, sys
import perfkit
found = {
    "variable": "leftover" in globals(),
    "module_attribute": getattr(perfkit, "probe_flag", None),
    "module": "probe_injected" in sys.modules,
    "environment": os.environ.get("PERFKIT_PROBE"),
    "matplotlib_setting": __import__("matplotlib").rcParams["lines.linewidth"],
    "warm": "perfkit.report" in sys.modules,
    "pid": os.getpid(),
}
leftover = quarter
perfkit.probe_flag = quarter
sys.modules["probe_injected"] = sys
os.environ["PERFKIT_PROBE"] = quarter
__import__("matplotlib").rcParams["lines.linewidth"] = 9.5
print(json.dumps(found))
"""


@pytest.fixture
def data(tiny_dir, tmp_path):
    target = tmp_path / "data"
    shutil.copytree(tiny_dir, target)
    return target


@pytest.fixture
def probe(tmp_path):
    return write_notebook(tmp_path / "notebooks" / "probe.ipynb", PROBE)


def found(out, quarter):
    nb = nbformat.read(out / quarter / "probe.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if "found = {" in c.source]
    return json.loads(cell.outputs[0]["text"])


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_kernel_started_ahead_carries_nothing_from_one_job_to_the_next(data, probe, tmp_path, jobs):
    out = tmp_path / "out"
    summary = pk.run(data, first=FIRST, last=LAST, out=out, notebooks=[probe], formats=(), jobs=jobs)
    assert [r.job.quarter.slug for r in summary.ran] == QUARTERS
    seen = [found(out, q) for q in QUARTERS]
    for state in seen:
        # what each job set (a variable, a module's attribute, a module, an environment variable, a
        # library setting) is absent from every other: matplotlib's default line width is 1.5
        assert state["variable"] is False
        assert state["module_attribute"] is None
        assert state["module"] is False
        assert state["environment"] is None
        assert state["matplotlib_setting"] == 1.5
        assert state["warm"] is True  # the appendices' imports were made as the kernel started
    assert len({state["pid"] for state in seen}) == 3  # a kernel of its own for each job
    assert not [pid for pid in (state["pid"] for state in seen) if alive(pid)]  # and each was shut down


def test_the_next_jobs_kernel_is_launched_while_a_notebook_runs_and_none_is_left(data, probe, tmp_path, monkeypatch):
    events = []
    real_init, real_execute = kernel.Kernel.__init__, execute._execute

    def launch(self, cwd):
        events.append("launch")
        real_init(self, cwd)

    def run(job, target, share=False):
        events.append(f"start {job.quarter.slug}")
        real_execute(job, target, share)
        events.append(f"end {job.quarter.slug}")

    monkeypatch.setattr(kernel.Kernel, "__init__", launch)
    monkeypatch.setattr(execute, "_execute", run)
    pk.run(data, first=FIRST, last=LAST, out=tmp_path / "out", notebooks=[probe], formats=(), jobs=1)
    # the first kernel starts before the data is validated, each later one while the notebook before runs:
    # one kernel a job, none left over
    assert events == [
        "launch",
        "start 2023-24-Q4",
        "launch",
        "end 2023-24-Q4",
        "start 2024-25-Q1",
        "launch",
        "end 2024-25-Q1",
        "start 2024-25-Q2",
        "end 2024-25-Q2",
    ]
    assert kernel.RUNNING_KERNELS == set()


def test_a_kernel_started_early_is_shut_down_when_the_data_fails(data, probe, tmp_path, monkeypatch):
    launched = []
    real_init = kernel.Kernel.__init__

    def launch(self, cwd):
        real_init(self, cwd)
        launched.append(self)

    monkeypatch.setattr(kernel.Kernel, "__init__", launch)
    (data / "actuals.csv").write_text("this is not the actuals table\n", encoding="utf-8")
    with pytest.raises(pk.DataValidationError):
        pk.run(data, out=tmp_path / "out", notebooks=[probe], formats=())
    assert len(launched) == 1  # started while the data was checked
    assert not launched[0].manager.has_kernel
    assert kernel.RUNNING_KERNELS == set()


def test_an_unchanged_rerun_starts_no_kernel(data, probe, tmp_path, monkeypatch):
    out = tmp_path / "out"
    pk.run(data, out=out, notebooks=[probe], formats=())
    launched = []
    monkeypatch.setattr(kernel.Kernel, "__init__", lambda self, cwd: launched.append(cwd))
    summary = pk.run(data, out=out, notebooks=[probe], formats=())
    assert len(summary.skipped) == 1
    assert launched == []


#: Run in each job's kernel with --jobs 2: the kernels its worker (the kernel's parent) has alive, and whether
#: the worker has loaded WeasyPrint's Pango while this notebook runs (it waits for that, up to a limit).
WORKER_PROBE = """
import json, os, time
worker = os.getppid()

def kernels_of(parent):
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = open(f"/proc/{pid}/stat").read()
            cmd = open(f"/proc/{pid}/cmdline").read()
        except OSError:
            continue
        state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
        if int(ppid) == parent and state != "Z" and "ipykernel_launcher" in cmd:
            found.append(int(pid))
    return found

def pango_loaded():
    with open(f"/proc/{worker}/maps") as maps:
        return "libpango" in maps.read()

deadline = time.time() + 30
while not pango_loaded() and time.time() < deadline:
    time.sleep(0.2)
print(json.dumps({"worker": worker, "kernels": kernels_of(worker), "pid": os.getpid(), "warm": pango_loaded()}))
"""


def test_a_pool_worker_runs_one_kernel_at_a_time_and_warms_its_exporters_while_its_first_notebook_runs(data, tmp_path):
    folder = write_notebook(tmp_path / "notebooks" / "probe.ipynb", WORKER_PROBE).parent
    out = tmp_path / "out"
    # a new `perfkit run` process, which has not loaded WeasyPrint itself when it starts its workers
    args = ["--from", FIRST, "--to", LAST, "--out", out, "--notebook", folder / "probe.ipynb", "--formats", "html"]
    proc = subprocess.run(
        [sys.executable, "-m", "perfkit.cli", "run", "--data", data, *args, "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    seen = []
    for q in QUARTERS:
        nb = nbformat.read(out / q / "probe.ipynb", as_version=4)
        (cell,) = [c for c in nb.cells if "WORKER_PROBE" not in c.source and "pango_loaded" in c.source]
        seen.append(json.loads(cell.outputs[0]["text"]))
    assert len({s["worker"] for s in seen}) == 2  # two workers shared the three jobs
    for state in seen:
        # while a notebook runs, its worker has one kernel, its own: the last job's was shut down, and the
        # next job's is launched only once this notebook has run, to start while this job exports
        assert state["kernels"] == [state["pid"]]
        # the worker loaded the PDF exporter while its notebook ran, not only once the notebook was done
        assert state["warm"] is True


def test_a_notebook_client_misses_nothing_the_kernel_publishes_once_it_is_ready(tmp_path):
    from jupyter_core.utils import run_sync

    started = kernel.Kernel(tmp_path)  # still starting when the first client connects
    pid = started.process_id
    try:
        for i in range(12):
            client = started.manager.client()
            assert isinstance(client, kernel.ready_client_class())  # the one nbclient gets from the manager
            client.start_channels()
            received = []
            get_msg = client.iopub_channel.get_msg

            async def spy(*args, get_msg=get_msg, received=received, **kwargs):
                received.append(await get_msg(*args, **kwargs))
                return received[-1]

            client.iopub_channel.get_msg = spy
            run_sync(client.wait_for_ready)(timeout=120)
            # it was ready once the kernel's status for one of its kernel_info requests had reached it on IOPub
            assert [
                m
                for m in received
                if m["msg_type"] == "status" and m["parent_header"].get("msg_type") == "kernel_info_request"
            ]
            seen = []
            # the first thing published after it is ready, the output of a cell run at once, arrives; a client
            # that was not yet receiving would miss it and wait for the cell's end in vain
            reply = run_sync(client.execute_interactive)(f"print('line {i}')", timeout=60, output_hook=seen.append)
            assert reply["content"]["status"] == "ok"
            assert [m["content"]["text"] for m in seen if m["msg_type"] == "stream"] == [f"line {i}\n"]
            client.stop_channels()
    finally:
        started.close()
    assert not alive(pid)
