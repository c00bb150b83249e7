"""`perfkit validate`: every problem in one pass, each with its file, row (as in Excel) and column."""

import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from perfkit.publish.data_files import metric_status_csv, safe_text, survey_estimates_csv
from perfkit.validate import validate_folder
from tests.support import FIXTURES

WIDE = {**os.environ, "COLUMNS": "400"}


@pytest.fixture
def data(tmp_path):
    target = tmp_path / "council"
    shutil.copytree(FIXTURES / "tiny", target)
    wave = target / "survey" / "2024"
    shutil.copytree(FIXTURES / "survey_ref" / "wave", wave)
    return target


def where(report, severity="error"):
    return {(p.file, p.row, p.column) for p in report.problems if p.severity == severity}


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path, line):
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def test_the_fixture_is_clean(data):
    report = validate_folder(data)
    assert report.ok and report.waves == ["2024"]


# --- the register ----------------------------------------------------------------------------


def test_missing_required_column_and_missing_sheet(data, tmp_path):
    edit(data / "metrics.csv", "code,title,objective,service,owner,unit,", "code,title,objective,owner,unit,")
    assert ("metrics.csv", 1, "service") in where(validate_folder(data))
    # a workbook without an actuals sheet
    book = tmp_path / "book"
    shutil.copytree(FIXTURES / "tiny", book)
    with pd.ExcelWriter(book / "register.xlsx") as xl:
        for name in ("metrics", "targets"):
            pd.read_csv(book / f"{name}.csv", dtype=str, keep_default_na=False).to_excel(
                xl, sheet_name=name, index=False
            )
    for name in ("metrics", "targets", "actuals"):
        (book / f"{name}.csv").unlink()
    (p,) = validate_folder(book).errors
    assert (p.file, p.message) == ("register.xlsx", "The workbook has no sheet called 'actuals'.")


def test_unknown_column_is_a_warning_with_a_suggestion(data):
    edit(data / "metrics.csv", ",decimals,", ",decimal,")
    report = validate_folder(data)
    assert report.ok
    (p,) = [w for w in report.warnings if w.column == "decimal"]
    assert (p.file, p.row) == ("metrics.csv", 1) and "Did you mean 'decimals'?" in p.fix


def test_empty_file(data):
    (data / "targets.csv").write_text("")
    (p,) = validate_folder(data).errors
    assert (p.file, p.message) == ("targets.csv", "The file is empty.")


def test_duplicate_metric_codes_and_duplicate_metric_periods(data):
    append(data / "metrics.csv", "A1,Another,Good services,Customer Services,,percent,higher,target,quarterly,,1,no")
    append(data / "actuals.csv", "A2,Q2 2024/25,97,,,")  # the same period, spelt differently
    found = where(validate_folder(data))
    assert ("metrics.csv", 14, "code") in found and ("actuals.csv", 25, "period") in found


def test_actuals_and_targets_for_unknown_metrics(data):
    append(data / "actuals.csv", "A99,2024/25 Q2,5,,,")
    append(data / "targets.csv", "B1,2024/25,,5")
    found = where(validate_folder(data))
    assert ("actuals.csv", 25, "code") in found and ("targets.csv", 16, "code") in found


def test_non_numeric_numbers(data):
    append(data / "actuals.csv", "A3,2024/25 Q3,12,5,,,")  # 12,5 with a decimal comma spills into numerator
    append(data / "actuals.csv", "A4,2024/25 Q3,twenty,,,")
    append(data / "targets.csv", "A9,2024/25,,lots")
    report = validate_folder(data)
    found = where(report)
    assert ("actuals.csv", 26, "value") in found and ("targets.csv", 16, "target") in found
    assert any(p.row == 25 for p in report.errors)


def test_decimal_comma_in_a_quoted_cell_is_explained(data):
    append(data / "actuals.csv", 'A3,2024/25 Q3,"12,5",,,')
    (p,) = validate_folder(data).errors
    assert (p.row, p.column) == (25, "value") and "Use a full stop for decimals" in p.fix


@pytest.mark.parametrize(
    "column, old, new",
    [
        ("unit", ",percent,higher,target,quarterly,5%,1,no", ",percentage,higher,target,quarterly,5%,1,no"),
        ("polarity", ",percent,higher,target,quarterly,5%,1,no", ",percent,up,target,quarterly,5%,1,no"),
        ("kind", ",percent,higher,target,quarterly,5%,1,no", ",percent,higher,kpi,quarterly,5%,1,no"),
        ("frequency", ",percent,higher,target,quarterly,5%,1,no", ",percent,higher,target,monthly,5%,1,no"),
        ("tolerance", ",percent,higher,target,quarterly,5%,1,no", ",percent,higher,target,quarterly,five,1,no"),
        ("polarity", ",percent,higher,target,quarterly,5%,1,no", ",percent,none,target,quarterly,5%,1,no"),
    ],
)
def test_bad_metric_definitions(data, column, old, new):
    edit(data / "metrics.csv", old, new)  # the first such row is A1, row 2
    (p,) = validate_folder(data).errors
    assert (p.file, p.row, p.column) == ("metrics.csv", 2, column)


def test_impossible_periods(data):
    append(data / "actuals.csv", "A2,2024/26 Q3,97,,,")
    append(data / "actuals.csv", "A2,Q5 2024/25,97,,,")
    append(data / "targets.csv", "A2,2024,,97")
    found = where(validate_folder(data))
    assert {("actuals.csv", 25, "period"), ("actuals.csv", 26, "period"), ("targets.csv", 16, "year")} <= found


def test_zero_or_negative_denominator_and_inconsistent_value(data):
    append(data / "actuals.csv", "A5,2024/25 Q3,,18,0,")
    append(data / "actuals.csv", "A5,2024/25 Q4,,18,-36,")
    append(data / "actuals.csv", "A5,2025/26 Q1,51,18,36,")
    report = validate_folder(data)
    found = where(report)
    assert {
        ("actuals.csv", 25, "denominator"),
        ("actuals.csv", 26, "denominator"),
        ("actuals.csv", 27, "value"),
    } <= found
    assert any("18 / 36 = 50.0" in p.message for p in report.errors)


# --- survey waves ------------------------------------------------------------------------------


def test_survey_problems_are_reported_with_the_register_in_one_pass(data):
    wave = data / "survey" / "2024"
    frame = pd.read_csv(wave / "responses.csv", dtype=str, keep_default_na=False)
    frame.loc[9, "respondent_id"] = frame.loc[0, "respondent_id"]
    frame.to_csv(wave / "responses.csv", index=False)
    append(data / "actuals.csv", "A4,2024/25 Q3,twenty,,,")
    report = validate_folder(data)
    found = where(report)
    assert ("survey/2024/responses.csv", 11, "respondent_id") in found
    assert ("actuals.csv", 25, "value") in found


def test_question_or_breakdown_missing_from_responses(data):
    edit(data / "survey" / "2024" / "survey.toml", "[questions.informed]", "[questions.informed_residents]")
    (p,) = validate_folder(data).errors
    assert (p.file, p.row, p.column) == ("survey/2024/responses.csv", 1, "informed_residents")


def test_a_category_with_no_population_margin(data):
    wave = data / "survey" / "2024"
    frame = pd.read_csv(wave / "responses.csv", dtype=str, keep_default_na=False)
    frame.loc[3, "sex"] = "Non-binary"
    frame.to_csv(wave / "responses.csv", index=False)
    (p,) = validate_folder(data).errors
    assert (p.file, p.column) == ("survey/2024/population.csv", "sex") and "'Non-binary'" in p.message


def test_margins_that_do_not_sum_to_one(data):
    edit(data / "survey" / "2024" / "population.csv", "sex,Male,0.49", "sex,Male,0.39")
    (p,) = validate_folder(data).errors
    assert (p.file, p.column) == ("survey/2024/population.csv", "share") and "add up to 0.900" in p.message


def test_malformed_survey_toml(data):
    (data / "survey" / "2024" / "survey.toml").write_text("title = 'Residents survey\nmin_cell = ten\n")
    (p,) = validate_folder(data).errors
    assert p.file == "survey/2024/survey.toml" and "not valid TOML" in p.message


def test_a_positive_answer_nobody_gave_is_a_typo(data):
    edit(
        data / "survey" / "2024" / "survey.toml",
        'positive = ["Very safe", "Fairly safe"]',
        'positive = ["Very Safe!", "Fairly sfe"]',
    )
    (p,) = validate_folder(data).errors
    assert p.column == "questions.safe_after_dark.positive" and "'Fairly safe'" in p.fix


# --- files as councils really have them ----------------------------------------------------------


def test_excel_percentages_and_numbers_stored_as_text_are_read_as_shown(tmp_path):
    from openpyxl import Workbook

    book = tmp_path / "council"
    shutil.copytree(FIXTURES / "tiny", book)
    wb = Workbook()
    wb.remove(wb.active)
    for name in ("metrics", "targets", "actuals"):
        ws = wb.create_sheet(name)
        frame = pd.read_csv(book / f"{name}.csv", dtype=str, keep_default_na=False)
        ws.append([*list(frame.columns), None])  # a trailing blank column, as Excel leaves them
        for rec in frame.itertuples(index=False):
            ws.append(list(rec))  # every cell text, as "numbers stored as text"
        (book / f"{name}.csv").unlink()
    actuals = wb["actuals"]
    for row in actuals.iter_rows(min_row=2):
        if row[0].value == "A2" and row[1].value == "2024/25 Q2":
            row[2].value, row[2].number_format = 0.9696, "0.00%"  # typed as 96.96% in Excel
    wb.save(book / "register.xlsx")
    report = validate_folder(book)
    assert report.ok, report.problems
    a2 = report.register.actuals.set_index(["code", "period"]).loc[("A2", "2024/25 Q2"), "value"]
    assert a2 == pytest.approx(96.96)


def test_the_validate_command_prints_the_table_and_fails(data):
    append(data / "actuals.csv", "A4,2024/25 Q3,twenty,,,")
    proc = subprocess.run(
        [sys.executable, "-m", "perfkit.cli", "validate", "--data", data, "--format", "table"],
        capture_output=True,
        text=True,
        timeout=120,
        env=WIDE,
    )
    assert proc.returncode == 2
    assert "actuals.csv │ 25  │ value  │ A4" in proc.stdout
    assert "'twenty' is not a number." in proc.stdout and "1 error and 1 warning" in proc.stdout


def test_unreadable_input_never_shows_a_traceback(data):
    (data / "metrics.csv").write_bytes(bytes(range(256)) * 4)
    (data / "survey" / "2024" / "responses.csv").write_bytes(b"\x00\xff" * 100)
    proc = subprocess.run(
        [sys.executable, "-m", "perfkit.cli", "run", "--data", data, "--out", data / "out"],
        capture_output=True,
        text=True,
        timeout=120,
        env=WIDE,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stdout + proc.stderr
    assert "metrics.csv" in proc.stderr


def test_an_internal_error_says_so_in_one_paragraph_and_logs_the_details(monkeypatch, capsys, tiny_dir):
    from perfkit import cli

    def broken(_):
        raise RuntimeError("a bug in perfkit")

    monkeypatch.setattr(cli, "validate_folder", broken)
    assert cli.main(["validate", "--data", str(tiny_dir)]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "internal error" in err and "Traceback" not in err
    log = err.split("The details are in ")[1].split(";")[0].strip()
    assert "RuntimeError: a bug in perfkit" in open(log).read()


# --- output safety ------------------------------------------------------------------------------


def test_spreadsheet_formulas_in_text_are_neutralised_but_numbers_stay_numbers():
    assert safe_text("=1+1") == "'=1+1" and safe_text("+44 1234") == "'+44 1234"
    assert safe_text("-sum(A1)") == "'-sum(A1)" and safe_text("@cmd") == "'@cmd"
    table = pd.DataFrame(
        [
            {
                "code": "X1",
                "title": '=HYPERLINK("http://evil")',
                "objective": "@SUM(1)",
                "service": "-2+3",
                "period": "2024/25 Q2",
                "value": -3.5,
                "target": -2.0,
                "status": "red",
                "vs_previous": "n/a",
                "vs_last_year": "n/a",
                "exception": True,
                "persistent_exception": False,
                "decimals": 1,
            }
        ]
    )
    lines = metric_status_csv(table).splitlines()
    # the v1 columns; the v2 columns this hand-made table lacks are blank (past_due false)
    assert lines[1] == (
        'X1,"\'=HYPERLINK(""http://evil"")",\'@SUM(1),\'-2+3,2024/25 Q2,-3.5,-2.0,red,n/a,n/a,true,false'
        + ",,,,,,,,,,,,false,,,"
    )
    est = pd.DataFrame([{"wave": "2024", "label": "=cmd|' /C calc'!A0", "pct": -0.0, "n": 12}])
    assert (
        survey_estimates_csv(est, ["wave", "label", "pct", "n"]).splitlines()[1] == "2024,'=cmd|' /C calc'!A0,-0.0,12"
    )
