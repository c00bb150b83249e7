"""``perfkit returns make|collect|status`` on the command line: messages and exit codes (design §7)."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest

from perfkit.cli import main
from tests.support.returns import CUSTOMER, HOUSING, Q3, SIGNED_BY, copy_fixture, fill, snapshot


@pytest.fixture
def folder(tmp_path):
    return copy_fixture(tmp_path)


def _make(folder, capsys) -> dict:
    assert main(["returns", "make", "--data", str(folder), "--quarter", Q3]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        f"Made 2 returns for 2024/25 Q3 in {folder / 'returns' / '2024-25-Q3'} (return by Friday 24 January 2025):"
    )
    assert out.splitlines()[1:] == [
        "  customer-services.xlsx: Customer Services, 3 metrics, 0 milestones; contact performance@test.gov.uk",
        "  housing.xlsx: Housing, 4 metrics, 0 milestones; contact Jo Bloggs, housing@test.gov.uk",
    ]
    return {p.stem: p for p in (folder / "returns" / "2024-25-Q3").glob("*.xlsx")}


def test_make_collect_status(folder, capsys):
    made = _make(folder, capsys)
    fill(made["housing"], {"Metrics!K3": 29, SIGNED_BY: "Jo Bloggs"})
    assert main(["returns", "collect", "--data", str(folder), str(made["housing"])]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "1 workbook read: 1 entry written, 0 unchanged, 0 conflicts, 0 refused."
    ]
    # status exits 0 even with a return outstanding
    assert main(["returns", "status", "--data", str(folder), "--quarter", Q3]) == 0
    out = capsys.readouterr().out
    assert "Returns for 2024/25 Q3" in out  # the table; its rows are tested in test_status.py
    assert out.splitlines()[-1].startswith("2024/25 Q3: 2 services, 1 returned, 1 outstanding; deadline Friday 24")


def test_refused_workbooks_and_conflicts_exit_1(folder, capsys):
    made = _make(folder, capsys)
    fill(made["housing"], {"Metrics!K3": "thirty", SIGNED_BY: "Jo"})
    assert main(["returns", "collect", "--data", str(folder), str(made["housing"])]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "1 workbook read: 0 entries written, 0 unchanged, 0 conflicts, 1 refused."
    )
    fill(made["housing"], {"Metrics!K3": 29})
    assert main(["returns", "collect", "--data", str(folder), str(made["housing"])]) == 0
    fill(made["housing"], {"Metrics!K3": 31})
    assert main(["returns", "collect", "--data", str(folder), str(made["housing"])]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "1 workbook read: 0 entries written, 0 unchanged, 1 conflict (left as they were: --replace applies them), "
        "0 refused."
    )
    assert main(["returns", "collect", "--replace", "--data", str(folder), str(made["housing"])]) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["returns", "make", "--quarter", "2024/25 Q5"], "--quarter 2024/25 Q5: '2024/25 Q5' names Q5"),
        (
            ["returns", "make", "--service", "Housnig"],
            "--service Housnig: There is no service 'Housnig'. Did you mean Housing?",
        ),
        (["returns", "collect", "nothing.xlsx"], "nothing.xlsx: no such file or folder."),
        (["returns", "collect", "--check", "--run", "x.xlsx"], "--run cannot be used with --check"),
        (["returns", "status", "--quarter", "Q3"], "--quarter Q3: 'Q3' has no financial year."),
    ],
)
def test_invalid_usage_exits_2_and_changes_nothing(folder, capsys, monkeypatch, args, message):
    monkeypatch.chdir(folder.parent)
    before = snapshot(folder)
    assert main([*args[:2], "--data", str(folder), *args[2:]]) == 2
    assert message in " ".join(capsys.readouterr().err.split())
    assert snapshot(folder) == before


def test_an_invalid_register_exits_2(folder, capsys):
    made = _make(folder, capsys)
    (folder / "metrics.csv").write_text(
        (folder / "metrics.csv").read_text(encoding="utf-8").replace("percent,higher", "percent,upwards", 1),
        encoding="utf-8",
    )
    before = snapshot(folder)
    assert main(["returns", "collect", "--data", str(folder), str(made["housing"])]) == 2
    err = capsys.readouterr().err
    assert "upwards" in err and "polarity" in err
    assert snapshot(folder) == before


#: Worked out by hand from tests/fixtures/returns and the entries in tests/support/returns.py:
#: value, target and status as metric_status.csv writes them, and whether it is an exception.
STATUSES = {
    "CUS.01": ("96.0", "95.0", "green", "false"),  # 0.96 in a percentage cell is 96 ≥ 95
    "CUS.02": ("1234", "1000", "green", "false"),  # "1,234" ≥ 1000
    "CUS.03": ("71", "72", "amber", "false"),  # " 71 " < 72, within the tolerance of 2
    "HOU.01": ("50.0", "50.0", "green", "false"),  # 100 × 27 / 54 = 50.0 ≥ 50
    "HOU.02": ("33.5", "28.0", "red", "true"),  # lower is better: 33.5 > 28 + 2 (the Q3 target, not the year's 30)
    "HOU.03": ("130", "", "trend", "false"),
    "HOU.04": ("88", "90", "amber", "false"),  # "88%" < 90, within 5% of it (85.5)
}


def test_collect_run_reruns_the_quarter_with_the_new_figures(folder, tmp_path, capsys):
    made = _make(folder, capsys)
    fill(made["customer-services"], CUSTOMER, formats={"Metrics!K2": "0%"})
    fill(made["housing"], HOUSING)
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
            str(made["customer-services"]),
            str(made["housing"]),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 workbooks read: 9 entries written, 0 unchanged, 0 conflicts, 0 refused." in proc.stdout
    assert "Running the reports of 2024/25 Q3:" in proc.stdout
    with open(out / "2024-25-Q3" / "metric_status.csv", newline="", encoding="utf-8") as f:
        rows = {r["code"]: (r["value"], r["target"], r["status"], r["exception"]) for r in csv.DictReader(f)}
    assert rows == STATUSES
    assert (out / "2024-25-Q3" / "quarterly_performance.html").exists()
