"""`perfkit status` never calls an output fresh when an input changed, and says why it is stale.

The outputs here are published from made-up files (no notebook runs): status reads only the
manifests and the files, so this is all it needs, and it keeps these tests quick.
"""

import os
import shutil

import pytest

from perfkit.batch.freshness import output_status
from perfkit.batch.jobs import JobResult, plan_jobs
from perfkit.batch.publishing import publish
from perfkit.batch.swap import make_staging
from perfkit.data.register import load_register
from perfkit.periods import parse_quarter
from tests.support import ROOT

QUARTERS = ("2023/24 Q4", "2024/25 Q2")


def publish_made_up(register, out, quarters=QUARTERS):
    """Publish every planned job of these quarters, as if its notebook had run."""
    for job in plan_jobs(register, [parse_quarter(q) for q in quarters], out, ("html",)):
        out.mkdir(parents=True, exist_ok=True)
        staging = make_staging(out, "made-up")
        files = []
        for suffix in (".ipynb", ".html"):
            files.append(staging / f"{job.name}{suffix}")
            files[-1].write_text(f"{job.label}{suffix}")
        assert publish(JobResult(job, files, 1.0, {"total": 1.0}, staging=staging)).ok


def states(data, out):
    return {(r.quarter.label, r.notebook): (r.state, r.reason) for r in output_status(load_register(data), out)}


@pytest.fixture
def demo(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "demo", data)
    out = tmp_path / "out"
    publish_made_up(load_register(data), out)
    return data, out


def test_made_from_the_current_inputs_is_fresh(demo):
    got = states(*demo)
    for q in QUARTERS:
        assert got[(q, "quarterly_performance")] == ("fresh", "")
        assert got[(q, "survey_demographics")] == ("fresh", "")
    assert got[("2024/25 Q1", "quarterly_performance")] == ("missing", "")


def test_a_deleted_survey_wave_makes_its_appendices_stale_and_says_so(demo):
    data, out = demo
    shutil.rmtree(data / "survey" / "2023")
    got = states(data, out)
    # 2023/24 Q4 had only the 2023 wave: its survey appendix no longer applies, but its files are still published
    assert got[("2023/24 Q4", "survey_demographics")] == ("stale", "its survey wave 2023 is gone")
    # 2024/25 Q2 compared the 2024 wave with 2023's
    assert got[("2024/25 Q2", "survey_demographics")] == ("stale", "its survey wave 2023 is gone")
    assert got[("2024/25 Q2", "quarterly_performance")] == ("fresh", "")  # reads no survey


def test_a_change_that_keeps_size_and_modification_time_is_still_seen(demo):
    data, out = demo
    actuals = data / "actuals.csv"
    before = actuals.stat()
    data_bytes = actuals.read_bytes()
    assert b"ENV.01,2024/25 Q2,53.8," in data_bytes
    actuals.write_bytes(data_bytes.replace(b"ENV.01,2024/25 Q2,53.8,", b"ENV.01,2024/25 Q2,53.9,", 1))
    os.utime(actuals, ns=(before.st_atime_ns, before.st_mtime_ns))  # as a copy that keeps times would
    assert actuals.stat().st_size == before.st_size and actuals.stat().st_mtime_ns == before.st_mtime_ns
    got = states(data, out)
    assert got[("2024/25 Q2", "quarterly_performance")] == ("stale", "actuals changed")
    assert got[("2023/24 Q4", "quarterly_performance")] == ("fresh", "")  # does not read 2024/25 Q2


def test_an_output_changed_or_deleted_by_hand_is_stale(demo):
    data, out = demo
    (out / "2024-25-Q2" / "quarterly_performance.html").write_text("edited by hand")
    (out / "2023-24-Q4" / "survey_demographics.ipynb").unlink()
    got = states(data, out)
    assert got[("2024/25 Q2", "quarterly_performance")] == (
        "stale",
        "quarterly_performance.html has been changed since it was made",
    )
    assert got[("2023/24 Q4", "survey_demographics")] == ("stale", "survey_demographics.ipynb has been deleted")


DAMAGE = {
    "cut short": (b'{"jobs": {"quarterly_performance": {"res', "manifest.json is damaged: not valid JSON"),
    "not text": (b"\xff\xfe\x00garbage", "manifest.json cannot be read"),
    "a list": (b"[1, 2, 3]", "manifest.json is damaged: it has no list of jobs"),
    # refused by Python's parser with a ValueError of its own (more than 4,300 digits), and a RecursionError
    "a number too long": (b'{"jobs": {}, "n": ' + b"1" * 5000 + b"}", "manifest.json is damaged: it is not JSON"),
    "nested too deep": (b"[" * 100_000 + b"]" * 100_000, "manifest.json is damaged: it is not JSON"),
    "jobs not a table": (b'{"jobs": "all of them"}', "manifest.json is damaged: it has no list of jobs"),
    "outputs outside the folder": (
        b'{"jobs": {"quarterly_performance": {"result": "success", "key": "k", "outputs": '
        b'{"../../etc/passwd": {"bytes": 1, "sha256": "' + b"0" * 64 + b'"}}}}}',
        "manifest.json is damaged: the entries for quarterly_performance cannot be used",
    ),
    "sizes as text": (
        b'{"jobs": {"quarterly_performance": {"result": "success", "key": "k", "outputs": '
        b'{"quarterly_performance.html": {"bytes": "12", "sha256": "' + b"0" * 64 + b'"}}}}}',
        "manifest.json is damaged: the entries for quarterly_performance cannot be used",
    ),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_manifest_is_never_trusted_and_the_other_quarters_are_still_shown(demo, damage):
    data, out = demo
    content, reason = DAMAGE[damage]
    (out / "2024-25-Q2" / "manifest.json").write_bytes(content)
    got = states(data, out)
    state, why = got[("2024/25 Q2", "quarterly_performance")]
    assert state == "stale" and why.startswith(reason)
    assert got[("2023/24 Q4", "quarterly_performance")] == ("fresh", "")


def test_a_council_notebook_that_is_gone_leaves_its_outputs_stale(tmp_path, tiny_dir):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = tmp_path / "pack.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), nb)
    out = tmp_path / "out"
    register = load_register(tiny_dir)
    job = plan_jobs(register, [parse_quarter("2024/25 Q2")], out, ("html",), [nb])[0]
    out.mkdir()
    staging = make_staging(out, "made-up")
    (staging / "pack.html").write_text("pack")
    publish(JobResult(job, [staging / "pack.html"], 1.0, {"total": 1.0}, staging=staging))
    assert states(tiny_dir, out)[("2024/25 Q2", "pack")] == ("fresh", "")
    nb.unlink()
    assert states(tiny_dir, out)[("2024/25 Q2", "pack")] == ("stale", f"its notebook {nb} is gone")
