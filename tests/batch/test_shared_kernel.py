"""A quarter's objective updates share one kernel (DESIGN.md §6); nothing else does, and a failure ends the sharing."""

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

import perfkit as pk
from perfkit.batch import execute, executors, kernel
from perfkit.batch.jobs import Job
from tests.support.notebooks import PARAMETERS, write_notebook

#: What a job finds when it starts and what it leaves for the next: a variable, its own kernel's pid.
PROBE = """
import json, os
found = {"variable": "leftover" in globals(), "pid": os.getpid()}
leftover = objective
print(json.dumps(found))
if objective == "raises":
    raise ValueError("this objective's update fails")
if objective == "dies":
    os._exit(1)
"""


@pytest.fixture
def data(tiny_dir, tmp_path):
    target = tmp_path / "data"
    shutil.copytree(tiny_dir, target)
    return target


@pytest.fixture
def probe(tmp_path):
    return write_notebook(tmp_path / "notebooks" / "probe.ipynb", PROBE, parameters=f"{PARAMETERS}\nobjective = None")


def _job(data, out, nb, quarter, objective=None):
    params = (("objective", objective),) if objective else ()
    stem = f"{nb.stem}-{objective}" if objective else ""
    return Job(pk.parse_quarter(quarter), nb, data, out, (), parameters=params, stem=stem)


def _found(job):
    """What the probe printed, from the executed notebook in the job's staging folder."""
    nb = nbformat.read(job.staging / f"{job.job.name}.ipynb", as_version=4)
    cell = nb.cells[-1]
    return json.loads(next(o for o in cell.outputs if o.get("name") == "stdout")["text"].splitlines()[0])


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _serial(jobs):
    results = list(executors._serial(jobs))
    try:
        return results, [_found(r) for r in results]
    finally:
        for r in results:
            if r.staging is not None:
                shutil.rmtree(r.staging, ignore_errors=True)


def test_only_the_objective_updates_of_one_quarter_share_a_kernel(data, probe, tmp_path):
    out = tmp_path / "out"
    jobs = [
        _job(data, out, probe, "2024/25 Q1", "a"),
        _job(data, out, probe, "2024/25 Q1", "b"),
        _job(data, out, probe, "2024/25 Q2", "a"),
        _job(data, out, probe, "2024/25 Q2", "b"),
        _job(data, out, probe, "2024/25 Q2"),  # another notebook of that quarter (no parameters)
        _job(data, out, probe, "2024/25 Q2", "c"),  # an update again, after it
    ]
    results, seen = _serial(jobs)
    assert [r.error for r in results] == [""] * 6
    pids = [s["pid"] for s in seen]
    assert pids[0] == pids[1]  # Q1's two updates: one kernel
    assert pids[2] == pids[3]  # Q2's two updates: one kernel
    assert len({pids[0], pids[2], pids[4], pids[5]}) == 4  # never across quarters, nor with another notebook
    # each job starts in a new session: no variable of the job before it
    assert [s["variable"] for s in seen] == [False] * 6
    assert not [pid for pid in set(pids) if _alive(pid)]  # every kernel was shut down
    assert kernel.RUNNING_KERNELS == set()


def test_the_cells_of_an_update_in_a_shared_kernel_are_numbered_from_one(data, probe, tmp_path):
    out = tmp_path / "out"
    jobs = [_job(data, out, probe, "2024/25 Q2", name) for name in ("a", "b", "c")]
    results = list(executors._serial(jobs))
    counts = []
    for r in results:
        nb = nbformat.read(r.staging / f"{r.job.name}.ipynb", as_version=4)
        counts.append([c.execution_count for c in nb.cells if c.cell_type == "code"])
    # papermill's injected parameters cell, the parameters cell, the probe: 1, 2, 3 in every one
    assert counts == [[1, 2, 3]] * 3


def test_a_failed_update_ends_its_kernel_and_the_next_gets_a_new_one(data, probe, tmp_path):
    out = tmp_path / "out"
    names = ["a", "raises", "b", "dies", "c"]
    jobs = [_job(data, out, probe, "2024/25 Q2", name) for name in names]
    results = list(executors._serial(jobs))
    assert [bool(r.error) for r in results] == [False, True, False, True, False]
    assert "ValueError" in results[1].error
    assert "stopped unexpectedly" in results[3].error  # the kernel died
    seen = {r.job.parameters[0][1]: _found(r) for r in results if r.job.parameters[0][1] != "dies"}
    pids = {name: s["pid"] for name, s in seen.items()}
    assert pids["raises"] == pids["a"]  # it ran in the kernel a's update left
    assert pids["b"] != pids["a"]  # a kernel where a cell failed is not used again
    assert len({pids["a"], pids["b"], pids["c"]}) == 3  # nor one that died: c got a new one
    assert seen["b"]["variable"] is False and seen["c"]["variable"] is False
    assert kernel.RUNNING_KERNELS == set()


def test_a_process_pool_runs_each_quarters_updates_in_one_kernel_of_its_own(data, probe, tmp_path):
    """A pool worker takes a quarter's updates together, as a run here does; it keeps no kernel after them."""
    out = tmp_path / "out"
    jobs = [_job(data, out, probe, q, name) for q in ("2024/25 Q1", "2024/25 Q2") for name in ("a", "b", "c")]
    units = executors._units(jobs)
    assert [[j.parameters[0][1] for j in unit] for unit in units] == [["a", "b", "c"], ["a", "b", "c"]]
    results = list(executors._processes(units, 2))
    assert [r.error for r in results] == [""] * 6
    pids = {(r.job.quarter.label, r.job.parameters[0][1]): _found(r)["pid"] for r in results}
    q1 = {pids["2024/25 Q1", name] for name in "abc"}
    q2 = {pids["2024/25 Q2", name] for name in "abc"}
    assert len(q1) == len(q2) == 1 and q1 != q2  # one kernel for each quarter's three updates
    assert [_found(r)["variable"] for r in results] == [False] * 6  # each update starts in a new session
    assert not [pid for pid in q1 | q2 if _alive(pid)]  # no kernel outlives its worker's unit


def test_objective_updates_are_the_same_bytes_whether_they_share_a_kernel_or_not(data, tmp_path, monkeypatch):
    taken: dict[str, int | None] = {}
    real_take = execute.take_kernel

    def take(cwd, group=None):
        k = real_take(cwd, group)
        taken[f"{k.jobs} {group}"] = k.process_id
        return k

    monkeypatch.setattr(execute, "take_kernel", take)
    # jobs=1: run here, where the kernels taken can be seen (a pool's workers take theirs in other processes)
    shared = pk.run(data, first="2024/25 Q1", last="2024/25 Q2", out=tmp_path / "shared", objective="all", jobs=1)
    groups = {key.split(" ", 1)[1] for key in taken}
    assert len(groups) == 2  # one group for each quarter
    assert {n for n in (int(key.split(" ", 1)[0]) for key in taken)} == {1, 2}  # two updates in each kernel
    monkeypatch.setattr(Job, "kernel_group", property(lambda self: None))
    separate = pk.run(data, first="2024/25 Q1", last="2024/25 Q2", out=tmp_path / "separate", objective="all", jobs=1)
    assert len(shared.ran) == len(separate.ran) == 4 and not shared.failed
    compared = 0
    for r in separate.ran:
        for path in r.outputs:
            if path.suffix in (".ipynb", ".html", ".pdf"):
                twin = tmp_path / "shared" / Path(path).relative_to(tmp_path / "separate")
                assert twin.read_bytes() == path.read_bytes(), twin.name
                compared += 1
    assert compared == 12
