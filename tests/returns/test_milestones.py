"""Contract v2 through a return: milestones, the council's status words, overrides, actions, halves, membership.

The folder is tests/fixtures/returns_v2: Housing has two target metrics in the plan in 2024/25 Q3
(HOU.01 quarterly; HOU.05 half-yearly, asked for in Q2 and Q4 only), one that starts in 2025/26
(HOU.06) and one that ended in 2024/25 Q2 (HOU.07), and two milestones.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys

import openpyxl
import pytest

from perfkit.returns import collect_returns, make_returns, returns_status
from tests.support import FIXTURES
from tests.support.returns import COLLECTED_AT, MADE_AT, Q3, SIGNED_BY, fill

ORIGINAL = (FIXTURES / "returns_v2" / "actuals.csv").read_bytes()


@pytest.fixture
def folder(tmp_path):
    shutil.copytree(FIXTURES / "returns_v2", tmp_path / "data")
    return tmp_path / "data"


@pytest.fixture
def housing(folder):
    [(path, made)] = make_returns(folder, Q3, made_at=MADE_AT).made
    assert (path.name, made.metrics, made.milestones) == ("housing.xlsx", 1, 2)
    return path


def _rows(ws, ref):
    return [[c.value for c in row] for row in ws[ref]]


def test_the_return_asks_for_what_is_in_the_plan_and_due(housing):
    wb = openpyxl.load_workbook(housing)
    # HOU.05 is half-yearly (not asked for in Q3); HOU.06 starts in 2025/26; HOU.07 ended in 2024/25 Q2.
    assert _rows(wb["Metrics"], "A2:A2") == [["HOU.01"]]
    assert wb["Metrics"].max_row == 2
    assert _rows(wb["Milestones"], "A1:I3") == [
        [
            "Code",
            "Milestone",
            "Due",
            "Revised due",
            "Last status",
            "Last update",
            "Status (fill in)",
            "Update (fill in)",
            "Revised due (fill in)",
        ],
        ["MS.01", "Publish the housing strategy", "2024/25 Q4", None, "On track", "Drafting.", None, None, None],
        ["MS.02", "Open the new depot", "2024-12-31", "2025-03-31", "On alert", "Contractor late.", None, None, None],
    ]
    # The drop-down offers the council's own words, in its order.
    words = wb["Identity"]
    assert [words.cell(r, 4).value for r in range(2, 8)] == [
        "On track",
        "Achieved",
        "On alert",
        "Off track",
        "Affected by Covid-19",
        "Withdrawn",
    ]
    assert [t.displayName for t in wb["Milestones"].tables.values()] == ["MilestonesToFill"]
    assert not wb["Milestones"]["G2"].protection.locked and wb["Milestones"]["F2"].protection.locked


def test_a_half_yearly_metric_in_q4_is_preset_to_its_half(folder):
    [(path, _)] = make_returns(folder, "2024/25 Q4", made_at=MADE_AT).made
    ws = openpyxl.load_workbook(path)["Metrics"]
    assert _rows(ws, "A3:E3") == [
        ["HOU.05", "% of tenants satisfied with repairs", "percent", "half-yearly: enter the half's figure", 82]
    ]
    assert ws["N3"].value == "2024/25 H2" and not ws["N3"].protection.locked
    fill(path, {"Metrics!K3": "83%", SIGNED_BY: "Jo"})
    collect_returns(folder, [path], now=COLLECTED_AT)
    assert (folder / "actuals.csv").read_bytes() == ORIGINAL + b"HOU.05,2024/25 Q4,83,,,,,,,,,,2024/25 H2\n"


ENTRIES = {
    "Metrics!K2": 45,
    "Metrics!P2": "affected by COVID-19",
    "Metrics!Q2": "Staff redeployed to the vaccination centre",
    "Metrics!R2": "Catch-up plan",
    "Metrics!S2": "2025/26 Q1",
    "Milestones!G2": "on track",
    "Milestones!H2": "Consultation closed, 40 responses.",
    "Milestones!I2": "Q1 2025/26",
    "Milestones!G3": "ACHIEVED",
    "Milestones!H3": "Opened on 2 December.",
    SIGNED_BY: "Jo Bloggs",
}

#: Worked out by hand: each word as the council spells it, the dates as the register keeps them.
EXPECTED = ORIGINAL + (
    b"HOU.01,2024/25 Q3,45,,,,Affected by Covid-19,Staff redeployed to the vaccination centre,,,Catch-up plan,"
    b"2025/26 Q1,\n"
    b'MS.01,2024/25 Q3,,,,"Consultation closed, 40 responses.",On track,,,2025/26 Q1,,,\n'
    b"MS.02,2024/25 Q3,,,,Opened on 2 December.,Achieved,,,,,,\n"
)


def test_milestones_and_an_override_round_trip(folder, housing):
    fill(housing, ENTRIES)
    done = collect_returns(folder, [housing], now=COLLECTED_AT)
    assert done.summary() == "1 workbook read: 3 entries written, 0 unchanged, 0 conflicts, 0 refused."
    assert (folder / "actuals.csv").read_bytes() == EXPECTED
    again = collect_returns(folder, [housing], now=COLLECTED_AT)
    assert again.summary() == "1 workbook read: 0 entries written, 3 unchanged, 0 conflicts, 0 refused."


def test_a_milestone_update_without_its_word_and_a_word_not_the_councils(folder, housing):
    fill(housing, {"Milestones!H2": "Consultation closed.", "Milestones!G3": "Done", SIGNED_BY: "Jo"})
    done = collect_returns(folder, [housing], now=COLLECTED_AT)
    assert done.lines() == [
        "housing.xlsx: refused: 2 invalid entries; nothing from this workbook is collected until they are corrected:",
        "  housing.xlsx, Milestones!G2, MS.01: A milestone's update needs its status word. Choose one from the list: "
        "On track, Achieved, On alert, Off track, Affected by Covid-19, Withdrawn.",
        "  housing.xlsx, Milestones!G3, MS.02: 'Done' is not one of the council's status words. Choose one from the "
        "list: On track, Achieved, On alert, Off track, Affected by Covid-19, Withdrawn.",
    ]
    assert (folder / "actuals.csv").read_bytes() == ORIGINAL


def test_an_override_without_its_reason_is_refused_by_the_validate_rules(folder, housing):
    fill(housing, {"Metrics!K2": 45, "Metrics!P2": "Affected by Covid-19", SIGNED_BY: "Jo"})
    done = collect_returns(folder, [housing], now=COLLECTED_AT)
    assert done.exit_code == 1
    assert done.lines()[0].startswith("housing.xlsx: refused: 1 invalid entry")
    assert done.lines()[1].startswith("  housing.xlsx, Metrics!Q2, HOU.01: ")
    assert "reason" in done.lines()[1]
    assert (folder / "actuals.csv").read_bytes() == ORIGINAL


def test_status_lists_milestones_without_an_update(folder, housing):
    fill(housing, {"Metrics!K2": 51, "Milestones!G2": "On track", SIGNED_BY: "Jo"})
    collect_returns(folder, [housing], now=COLLECTED_AT)
    [service] = returns_status(folder, Q3).services
    assert (service.service, service.returned, service.missing) == ("Housing", True, ["MS.02"])


#: What the quarter's report makes of the collected return, worked out by hand from design §4:
#: HOU.01's 45 misses 50 with no tolerance (red), but the service's word overrides it (paused, with
#: the reason, and the computed red kept); MS.01 is on track, its due date in force now 2025/26 Q1;
#: MS.02 is achieved on its due date (31 December 2024 is not after it): neither is past due.
STATUSES = {
    "HOU.01": ("45.0", "paused", "red", "Affected by Covid-19", "other", "false", "false", "Catch-up plan"),
    "MS.01": ("", "on_track", "", "On track", "on_track", "false", "false", ""),
    "MS.02": ("", "achieved", "", "Achieved", "on_track", "false", "false", ""),
}


def test_the_report_shows_the_collected_words(folder, housing, tmp_path):
    fill(housing, ENTRIES)
    out = tmp_path / "outputs"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "perfkit.cli",
            "returns",
            "collect",
            "--data",
            str(folder),
            "--run",
            "--formats",
            "html",
            "--out",
            str(out),
            str(housing),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(out / "2024-25-Q3" / "metric_status.csv", newline="", encoding="utf-8") as f:
        rows = {
            r["code"]: (
                r["value"],
                r["status"],
                r["computed_status"],
                r["status_label"],
                r["group"],
                r["exception"],
                r["past_due"],
                r["action"],
            )
            for r in csv.DictReader(f)
            if r["code"] in STATUSES
        }
    assert rows == STATUSES
