"""`perfkit validate` output: a table on a terminal, plain lines otherwise, JSON for scripts (issue 13, point 9)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from perfkit import cli
from perfkit.pipeline import select_quarters
from tests.support import FIXTURES
from tests.support.folders import write_folder


@pytest.fixture
def bad(tmp_path):
    folder = tmp_path / "council"
    shutil.copytree(FIXTURES / "tiny", folder)
    with open(folder / "actuals.csv", "a", encoding="utf-8") as f:
        f.write("A4,2024/25 Q3,twenty,,,\n")  # row 25
        f.write("A3,2024/25 Q3,[bold]fifteen[/bold] percent,,,\n")  # row 26: text that looks like console markup
    return folder


def _run(*args, columns="80"):
    env = {**os.environ, "COLUMNS": columns}
    return subprocess.run(
        [sys.executable, "-m", "perfkit.cli", "validate", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_plain_lines_when_not_a_terminal(bad):
    proc = _run("--data", bad)
    assert proc.returncode == 2
    lines = proc.stdout.splitlines()
    assert "┃" not in proc.stdout and "│" not in proc.stdout  # never a table
    assert (
        "error: actuals.csv, row 25, column 'value', A4: 'twenty' is not a number. Enter a number such as 95 or "
        "12.5; any words about it belong in the commentary." in lines
    )
    # the text is shown as written: not read as markup, not wrapped at 80 columns
    (markup,) = [line for line in lines if "row 26" in line]
    assert "'[bold]fifteen[/bold] percent' is not a number." in markup and len(markup) > 80
    assert lines[-1] == "2 errors and 1 warning: fix the errors and run perfkit validate again."


def test_json_for_scripts(bad):
    proc = _run("--data", bad, "--format", "json")
    assert proc.returncode == 2
    found = json.loads(proc.stdout)
    assert found[0] == {
        "severity": "error",
        "file": "actuals.csv",
        "row": 25,
        "column": "value",
        "code": "A4",
        "message": "'twenty' is not a number.",
        "fix": "Enter a number such as 95 or 12.5; any words about it belong in the commentary.",
    }
    assert [p["severity"] for p in found] == ["error", "error", "warning"]


def test_json_of_a_valid_folder_is_its_warnings(tiny_dir):
    proc = _run("--data", tiny_dir, "--format", "json")
    assert proc.returncode == 0
    (warning,) = json.loads(proc.stdout)
    assert (warning["severity"], warning["code"], warning["column"]) == ("warning", "A8", "target")


def test_plain_success_line(tiny_dir, capsys):
    assert cli.main(["validate", "--data", str(tiny_dir), "--format", "plain"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("warning: targets.csv, column 'target', A8: A8 has figures for 2024/25 but no target")
    assert out[-1].endswith("the data is valid: 12 metrics, 23 actuals, quarters 2023/24 Q2 to 2024/25 Q2.")


def test_all_plans_only_the_quarters_with_actuals(tmp_path):
    # figures in four scattered quarters: 2021/22 Q1 to 2024/25 Q1 would be 13 quarters
    folder = write_folder(
        tmp_path / "s",
        [{"code": "M1"}],
        [],
        [{"code": "M1", "period": f"{y}/{(y + 1) % 100:02d} Q1", "value": "5"} for y in (2021, 2022, 2023, 2024)],
    )
    from perfkit.data.register import load_register

    chosen = select_quarters(load_register(folder), all_quarters=True)
    assert [q.label for q in chosen] == ["2021/22 Q1", "2022/23 Q1", "2023/24 Q1", "2024/25 Q1"]
