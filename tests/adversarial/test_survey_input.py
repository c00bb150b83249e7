"""Bad survey input (issue 12, points 10, 14, 16, 17): each class ends in a clear message and exit 2, never 3.

Each case damages one thing in a copy of a valid data folder (the tiny register and the
reference survey wave of tests/fixtures), then checks what a user would see: the file, row
and column named, what is wrong, the exit code of ``perfkit validate`` (and of ``perfkit
run``, which validates first and changes no output), and that no input file was touched.
The expected messages are written from DESIGN.md §5 and the issue, not copied from output.

Self-contained on purpose (no conftest here): the folder is built from tests/fixtures.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfkit.cli import main
from perfkit.errors import RunError
from perfkit.publish.data_files import survey_estimates_csv, write_json
from perfkit.survey.analysis import survey_for_quarter
from perfkit.survey.estimates import ESTIMATE_COLUMNS, EXTRA_COLUMNS
from perfkit.validate import validate_folder

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
WAVE = "survey/2024"
#: A wide console so rich does not wrap the messages looked for.
WIDE = {**os.environ, "COLUMNS": "400", "PYTHONPATH": str(ROOT)}


# --- the folder and how to damage it ---------------------------------------------------------------------


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """The tiny register with the reference wave (400 respondents, CSV) as survey/2024."""
    folder = tmp_path / "data"
    shutil.copytree(FIXTURES / "tiny", folder)
    shutil.copytree(FIXTURES / "survey_ref" / "wave", folder / WAVE)
    return folder


def toml(old: str, new: str):
    def edit(wave: Path) -> None:
        text = (wave / "survey.toml").read_text(encoding="utf-8")
        assert old in text, old
        (wave / "survey.toml").write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def toml_text(text: str):
    return lambda wave: (wave / "survey.toml").write_text(text, encoding="utf-8")


def toml_append(text: str):
    def edit(wave: Path) -> None:
        with open(wave / "survey.toml", "a", encoding="utf-8") as f:
            f.write(text)

    return edit


def population(old: str, new: str):
    def edit(wave: Path) -> None:
        text = (wave / "population.csv").read_text(encoding="utf-8")
        assert old in text, old
        (wave / "population.csv").write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def responses(edit_frame):
    """Rewrite responses.csv through a DataFrame edit."""

    def edit(wave: Path) -> None:
        frame = pd.read_csv(wave / "responses.csv", dtype=str, keep_default_na=False)
        edit_frame(frame).to_csv(wave / "responses.csv", index=False)

    return edit


def responses_bytes(edit_bytes):
    return lambda wave: (wave / "responses.csv").write_bytes(edit_bytes((wave / "responses.csv").read_bytes()))


def replace_responses(name: str, content: bytes):
    def edit(wave: Path) -> None:
        (wave / "responses.csv").unlink()
        (wave / name).write_bytes(content)

    return edit


def set_cell(row: int, column: str, value: str):
    """Set one cell, ``row`` as a spreadsheet shows it (the header is row 1)."""

    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[row - 2, column] = value
        return frame

    return edit


def truncated_sav() -> bytes:
    raw = (FIXTURES / "survey_ref" / "responses.sav").read_bytes()
    return raw[: len(raw) // 2]


def zip_without_workbook() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notes.txt", "not a workbook")
    return buf.getvalue()


def collapse(wave: Path) -> None:
    """Margins no weighting can meet: every 75+ respondent is made Male, but 75+ is 13% and Male 10%."""
    frame = pd.read_csv(wave / "responses.csv", dtype=str, keep_default_na=False)
    frame.loc[frame["age_band"] == "75+", "sex"] = "Male"
    frame.to_csv(wave / "responses.csv", index=False)
    population("sex,Female,0.51\nsex,Male,0.49", "sex,Female,0.9\nsex,Male,0.1")(wave)


TOML = f"{WAVE}/survey.toml"
POP = f"{WAVE}/population.csv"
RESP = f"{WAVE}/responses.csv"

#: (id, damage, [(file, row, column, words in the message)], exit code of perfkit validate)
CASES = [
    # survey.toml: the file itself
    (
        "toml-malformed",
        toml_text('title = "Unclosed\nid = "respondent_id"\n'),
        [(TOML, 1, None, "is not valid TOML")],
        2,
    ),
    (
        "toml-deeply-nested-arrays",
        toml_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n"),
        [(TOML, None, None, "nested too deeply to read")],
        2,
    ),
    (
        "toml-deeply-nested-tables",
        toml_text("x = " + "{a = " * 5_000 + "1" + "}" * 5_000 + "\n"),
        [(TOML, None, None, "nested too deeply to read")],
        2,
    ),
    (
        "toml-not-utf8",
        lambda w: (w / "survey.toml").write_bytes(b'title = "Residents\x92 Survey"\n'),
        [(TOML, None, None, "not UTF-8 text")],
        2,
    ),
    (
        "toml-empty",
        toml_text(""),
        [
            (TOML, None, "title", "'title' is missing"),
            (TOML, None, "fieldwork_end", "'fieldwork_end' is missing"),
            (TOML, None, "id", "'id' is missing"),
            (TOML, None, "questions", "No questions are defined"),
        ],
        2,
    ),
    (
        "toml-is-a-folder",
        lambda w: ((w / "survey.toml").unlink(), (w / "survey.toml").mkdir()),
        [(TOML, None, None, "survey.toml is a folder, not a file")],
        2,
    ),
    # survey.toml: wrong types and values
    ("min-cell-as-text", toml("min_cell = 10", 'min_cell = "10"'), [(TOML, None, "min_cell", 'not "10"')], 2),
    ("min-cell-negative", toml("min_cell = 10", "min_cell = -5"), [(TOML, None, "min_cell", "not -5")], 2),
    ("min-cell-zero", toml("min_cell = 10", "min_cell = 0"), [(TOML, None, "min_cell", "at least 1, not 0")], 2),
    ("min-cell-fraction", toml("min_cell = 10", "min_cell = 2.5"), [(TOML, None, "min_cell", "not 2.5")], 2),
    ("min-cell-boolean", toml("min_cell = 10", "min_cell = true"), [(TOML, None, "min_cell", "not true")], 2),
    (
        "questions-not-a-table",
        lambda w: (w / "survey.toml").write_text(
            (w / "survey.toml").read_text().split("[questions")[0] + 'questions = "satisfied_council"\n'
        ),
        [(TOML, None, "questions", 'questions must be [questions.KEY] tables, not "satisfied_council"')],
        2,
    ),
    (
        "question-without-positive",
        toml('positive = ["Very well informed", "Fairly well informed"]\n', ""),
        [(TOML, None, "questions.informed", "needs a label and positive answers")],
        2,
    ),
    (
        "positive-not-a-list",
        toml('positive = ["Very safe", "Fairly safe"]', 'positive = "Very safe"'),
        [(TOML, None, "questions.safe_after_dark.positive", 'must be a list of names in quotes, not "Very safe"')],
        2,
    ),
    (
        "positive-as-codes",
        toml('positive = ["Very safe", "Fairly safe"]', "positive = [1, 2]"),
        [(TOML, None, "questions.safe_after_dark.positive", "not [1, 2]")],
        2,
    ),
    (
        "positive-also-excluded",
        toml(
            'positive = ["Very safe", "Fairly safe"]\nexclude = ["Don\'t know"]',
            'positive = ["Very safe"]\nexclude = ["Don\'t know", "very safe"]',
        ),
        [(TOML, None, "questions.safe_after_dark.exclude", "'Very safe' is both a positive answer and left out")],
        2,
    ),
    (
        "weight-by-missing-column",
        toml('weight_by = ["age_band", "sex", "ward"]', 'weight_by = ["age_band", "sex", "wards"]'),
        [(RESP, 1, "wards", "The column 'wards' named in survey.toml (variables) is missing")],
        2,
    ),
    (
        "weight-by-without-margins",
        toml('weight_by = ["age_band", "sex", "ward"]', 'weight_by = ["age_band", "sex", "ward", "disability"]'),
        [(POP, None, "disability", "population.csv has no margins for 'disability'")],
        2,
    ),
    (
        "breakdown-is-the-id",
        toml('"disability", "ethnicity"]', '"disability", "ethnicity", "respondent_id"]'),
        [(TOML, None, "breakdowns", "names 'respondent_id', the respondent id")],
        2,
    ),
    (
        "breakdown-repeated",
        toml('breakdowns = ["age_band", "sex"', 'breakdowns = ["age_band", "sex", "sex"'),
        [(TOML, None, "breakdowns", "names 'sex' more than once")],
        2,
    ),
    (
        "breakdowns-not-a-list",
        toml('breakdowns = ["age_band", "sex", "ward", "disability", "ethnicity"]', 'breakdowns = "ward"'),
        [(TOML, None, "breakdowns", 'must be a list of names in quotes, not "ward"')],
        2,
    ),
    (
        "question-is-the-id",
        toml_append('\n[questions.respondent_id]\nlabel = "Id"\npositive = ["R24-00001"]\n'),
        [(TOML, None, "questions.respondent_id", "is the respondent id column")],
        2,
    ),
    (
        "fieldwork-end-date-time",
        toml("fieldwork_end = 2024-07-31", "fieldwork_end = 2024-07-31T10:00:00"),
        [(TOML, None, "fieldwork_end", "is a date and time (2024-07-31T10:00:00), not a date")],
        2,
    ),
    (
        "fieldwork-end-date-time-with-offset",
        toml("fieldwork_end = 2024-07-31", "fieldwork_end = 2024-07-31T23:30:00-05:00"),
        [(TOML, None, "fieldwork_end", "is a date and time (2024-07-31T23:30:00-05:00)")],
        2,
    ),
    (
        "fieldwork-end-as-text",
        toml("fieldwork_end = 2024-07-31", 'fieldwork_end = "2024-07-31"'),
        [(TOML, None, "fieldwork_end", 'is text ("2024-07-31"), not a date')],
        2,
    ),
    (
        "fieldwork-end-impossible-date",
        toml("fieldwork_end = 2024-07-31", "fieldwork_end = 2024-02-30"),
        [(TOML, 2, None, "Invalid date or datetime")],
        2,
    ),
    (
        "fieldwork-end-time-only",
        toml("fieldwork_end = 2024-07-31", "fieldwork_end = 10:00:00"),
        [(TOML, None, "fieldwork_end", "must be a date, not 10:00:00")],
        2,
    ),
    (
        "label-with-control-character",
        toml('label = "Feel safe outside', 'label = "Feel\\u0007 safe outside'),
        [(TOML, None, "questions.safe_after_dark.label", "control character (U+0007)")],
        2,
    ),
    (
        "trim-as-text",
        toml_append('\n[trim]\nlower = "0.3"\nupper = 3\n'),
        [(TOML, None, "trim", "trim needs lower below 1 and upper above 1")],
        2,
    ),
    # population.csv
    ("share-zero", population("sex,Male,0.49", "sex,Male,0"), [(POP, 7, "share", "The share is 0")], 2),
    ("share-negative", population("sex,Male,0.49", "sex,Male,-0.49"), [(POP, 7, "share", "'-0.49' is negative")], 2),
    ("share-nan", population("sex,Male,0.49", "sex,Male,NaN"), [(POP, 7, "share", "'NaN' is not a number")], 2),
    ("share-infinite", population("sex,Male,0.49", "sex,Male,inf"), [(POP, 7, "share", "'inf' is not a number")], 2),
    (
        "share-overflowing",
        population("sex,Male,0.49", "sex,Male,1e400"),
        [(POP, 7, "share", "'1e400' is not a finite number")],
        2,
    ),
    (
        "share-absurdly-large",
        population("sex,Male,0.49", "sex,Male,1e300"),
        [(POP, 7, "share", "'1e300' is far too large to be a population share or count")],
        2,
    ),
    (
        "share-absurdly-small",
        population("sex,Female,0.51\nsex,Male,0.49", "sex,Female,51000\nsex,Male,0.00001"),
        [(POP, 7, "share", "less than one in a million of the sex total")],
        2,
    ),
    ("share-blank", population("sex,Male,0.49", "sex,Male,"), [(POP, 7, "share", "The share is blank")], 2),
    (
        "shares-over-one",
        population("sex,Male,0.49", "sex,Male,0.79"),
        [(POP, 6, "share", "The shares for sex add up to 1.300, not 1")],
        2,
    ),
    (
        "shares-under-one",
        population("sex,Male,0.49", "sex,Male,0.3"),
        [(POP, 6, "share", "The shares for sex add up to 0.810, not 1")],
        2,
    ),
    (
        "category-without-respondents",
        population("ward,Wingerworth,0.15", "ward,Wingerworth,0.10\nward,Nowhere,0.05"),
        [(POP, None, "ward", "no respondent is in 'Nowhere', which is 5.0% of the population")],
        2,
    ),
    (
        "category-twice",
        population("sex,Male,0.49", "sex,Male,0.49\nsex,Male,0.49"),
        [(POP, 8, "category", "'Male' appears twice for sex")],
        2,
    ),
    ("category-blank", population("sex,Male,0.49", "sex,,0.49"), [(POP, 7, "category", "The category is blank")], 2),
    (
        "population-empty",
        lambda w: (w / "population.csv").write_bytes(b""),
        [(POP, None, None, "The file is empty")],
        2,
    ),
    (
        "population-missing-column",
        lambda w: (w / "population.csv").write_text("variable,category,count\nsex,Male,1\n"),
        [(POP, 1, "share", "The column 'share' is missing")],
        2,
    ),
    (
        "population-stray-quote",
        population("sex,Male,0.49", 'sex,"Male,0.49'),
        [(POP, 7, None, "cannot be read as CSV")],
        2,
    ),
    # responses
    (
        "sav-truncated",
        replace_responses("responses.sav", truncated_sav()),
        [(f"{WAVE}/responses.sav", None, None, "cannot be read as an SPSS .sav file")],
        2,
    ),
    (
        "sav-that-is-a-csv",
        replace_responses("responses.sav", b"respondent_id,sex\nR1,Male\n"),
        [(f"{WAVE}/responses.sav", None, None, "cannot be read as an SPSS .sav file")],
        2,
    ),
    (
        "xlsx-not-a-zip",
        replace_responses("responses.xlsx", b"respondent_id,sex\nR1,Male\n"),
        [(f"{WAVE}/responses.xlsx", None, None, "cannot be read as an Excel .xlsx workbook (File is not a zip file)")],
        2,
    ),
    (
        "xlsx-zip-without-workbook",
        replace_responses("responses.xlsx", zip_without_workbook()),
        [(f"{WAVE}/responses.xlsx", None, None, "cannot be read as an Excel .xlsx workbook")],
        2,
    ),
    ("responses-empty", responses_bytes(lambda b: b""), [(RESP, None, None, "The file is empty")], 2),
    (
        "responses-header-only",
        responses_bytes(lambda b: b.split(b"\n")[0] + b"\n"),
        [(RESP, None, None, "no respondents: only a header row")],
        2,
    ),
    (
        "responses-one-respondent",
        responses_bytes(lambda b: b"\n".join(b.split(b"\n")[:2]) + b"\n"),
        [(RESP, None, None, "one respondent; survey estimates need at least two")],
        2,
    ),
    (
        "responses-is-a-folder",
        lambda w: ((w / "responses.csv").unlink(), (w / "responses.csv").mkdir()),
        [(RESP, None, None, "responses.csv is a folder, not a file")],
        2,
    ),
    (
        "responses-nul-bytes",
        responses_bytes(lambda b: b.replace(b"R24-00003", b"R24\x00\x0000003")),
        [(RESP, 4, None, "contains NUL bytes")],
        2,
    ),
    (
        "responses-two-files",
        lambda w: shutil.copy(FIXTURES / "survey_ref" / "responses.sav", w / "responses.sav"),
        [(WAVE, None, None, "more than one responses file (responses.csv, responses.sav)")],
        2,
    ),
    (
        "responses-column-twice",
        responses_bytes(lambda b: b.replace(b",comments\n", b",sex\n", 1)),
        [(RESP, 1, "sex", "names the column 'sex' 2 times")],
        2,
    ),
    (
        "responses-row-too-long",
        responses_bytes(lambda b: b.replace(b"R24-00004,", b"R24-00004,extra,", 1)),
        [(RESP, 5, None, "The row has 13 cells where the rows above have 12")],
        2,
    ),
    (
        "respondent-id-blank",
        responses(set_cell(3, "respondent_id", "")),
        [(RESP, 3, "respondent_id", "The respondent id is blank")],
        2,
    ),
    (
        "group-with-control-character",
        responses(set_cell(6, "ethnicity", "White\x1bBritish")),
        [(RESP, 6, "ethnicity", "control character (U+001B)")],
        2,
    ),
    (
        "all-answers-blank",
        responses(
            lambda f: f.assign(
                satisfied_council="", value_for_money="", satisfied_area="", safe_after_dark="", informed=""
            )
        ),
        [(RESP, None, None, "No respondent answered any of the questions")],
        2,
    ),
    (
        "positive-answer-misspelt",
        toml('positive = ["Very safe", "Fairly safe"]', 'positive = ["Very saef"]'),
        [(TOML, None, "questions.safe_after_dark.positive", "No respondent answered 'Very saef' to safe_after_dark")],
        2,
    ),
    (
        "weights-collapse",
        collapse,
        [(POP, None, None, "cannot all be met by these respondents: raking drove the weights of")],
        2,
    ),
]


def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _cli(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "400"
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize(("damage", "expected", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_survey_input_is_named_and_refused(data, damage, expected, code):
    damage(data / WAVE)
    before = _snapshot(data)
    report = validate_folder(data)
    found = [(p.file, p.row, p.column, p.message) for p in report.errors]
    for file, row, column, words in expected:
        assert any((f, r, c) == (file, row, column) and words in m for f, r, c, m in found), (words, found)
    rc, shown = _cli("validate", "--data", str(data))
    assert rc == code
    assert "internal error" not in shown and "Traceback" not in shown
    # the words up to any bracket: how the console shows "[...]" is the console's business (markup escaping)
    assert expected[0][0] in shown and re.split(r"[(\[]", expected[0][3])[0].strip() in shown
    assert _snapshot(data) == before  # reading never changes an input


@pytest.mark.parametrize("case", ["share-zero", "sav-truncated", "fieldwork-end-date-time", "weights-collapse"])
def test_run_refuses_bad_survey_input_and_leaves_outputs_alone(data, tmp_path, case):
    damage = dict((c[0], c[1]) for c in CASES)[case]
    damage(data / WAVE)
    out = tmp_path / "out"
    (out / "2024-25-Q2").mkdir(parents=True)
    (out / "2024-25-Q2" / "survey_estimates.csv").write_text("an earlier run's file\n")
    before = _snapshot(out)
    rc, shown = _cli("run", "--data", str(data), "--out", str(out), "--quarter", "2024/25 Q2", "--formats", "html")
    assert rc == 2
    assert "Nothing was run and no output was changed" in shown
    assert _snapshot(out) == before


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda p: os.mkfifo(p), id="fifo"),
        pytest.param(lambda p: os.symlink("/dev/zero", p), id="device"),
    ],
)
@pytest.mark.parametrize("name", ["responses.csv", "population.csv", "survey.toml"])
def test_a_pipe_or_device_in_place_of_a_file_is_refused_without_blocking(data, make, name):
    target = data / WAVE / name
    target.unlink()
    make(target)
    # in a subprocess with a timeout, so that a regression (opening the FIFO) fails rather than hangs
    proc = subprocess.run(
        [sys.executable, "-m", "perfkit.cli", "validate", "--data", str(data)],
        capture_output=True,
        text=True,
        env=WIDE,
        timeout=120,
    )
    kind = "a named pipe (FIFO)" if target.is_fifo() else "a device"
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"{WAVE}/{name}" in proc.stdout and f"{name} is {kind}, not a file" in proc.stdout


# --- accepted input, with the output it must give ------------------------------------------------------------


def test_counts_instead_of_shares_are_accepted_and_normalised(data):
    shares = survey_for_quarter(data, "2024/25 Q2")
    text = (data / WAVE / "population.csv").read_text()
    counts = ["variable,category,share"] + [
        f"{v},{c},{round(float(s) * 123_456)}" for v, c, s in (line.split(",") for line in text.splitlines()[1:])
    ]
    (data / WAVE / "population.csv").write_text("\n".join(counts) + "\n")
    assert validate_folder(data).ok
    from_counts = survey_for_quarter(data, "2024/25 Q2")
    # 0.51 of 123,456 rounds to 62,963 (0.509999…): the margin moves by under 1e-5, and so do the weights
    np.testing.assert_allclose(from_counts.current.weighting.weights, shares.current.weighting.weights, rtol=1e-4)


def test_a_question_nobody_answered_is_withheld_with_its_n(data, tmp_path):
    responses(lambda f: f.assign(informed="Don't know"))(data / WAVE)
    report = validate_folder(data)
    assert report.ok
    (warning,) = [w for w in report.warnings if w.column == "questions.informed"]
    assert warning.file == TOML and "No respondent is in the base of informed" in warning.message
    analysis = survey_for_quarter(data, "2024/25 Q2")
    text = survey_estimates_csv(analysis.estimates, ESTIMATE_COLUMNS + EXTRA_COLUMNS)
    rows = list(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False).itertuples())
    informed = [r for r in rows if r.question == "informed"]
    assert informed and all(r.n == "0" and r.suppressed == "true" and r.pct == r.se == r.ci_low == "" for r in informed)
    from perfkit.survey import report as survey_report

    html = survey_report.by_group(analysis) + survey_report.narrative(analysis) + survey_report.key_findings(analysis)
    text = re.sub(r'src="data:[^"]*"', "", str(html))  # the images' base64 may spell anything
    assert not re.search(r"\bnan\b|\binf\b", text, re.IGNORECASE)
    assert "All respondents: not shown, fewer than 10 answered." in html


def test_group_names_with_markup_or_dollar_signs_are_shown_as_text(data):
    responses(
        lambda f: f.assign(
            ethnicity=f["ethnicity"].replace(
                {"White British": "<b>White</b> British", "Mixed or multiple": r"$\frac$ Mixed"}
            )
        )
    )(data / WAVE)
    assert validate_folder(data).ok
    from perfkit.survey import report as survey_report

    analysis = survey_for_quarter(data, "2024/25 Q2")
    html = str(survey_report.by_group(analysis))  # the chart draws "$" as a dollar sign, not as TeX
    assert "&lt;b&gt;White&lt;/b&gt; British" in html and "<b>White</b>" not in html
    assert r"$\frac$ Mixed" in html


def test_unknown_settings_are_warned_about_not_ignored_silently(data):
    toml("min_cell = 10", "min_cel = 5")(data / WAVE)
    toml_append("\nmin_cell = 3\n")(data / WAVE)  # after [questions.informed], so it belongs to that question
    report = validate_folder(data)
    assert report.ok
    found = {(w.column, w.fix) for w in report.warnings if w.file == TOML}
    assert ("min_cel", "Did you mean min_cell? Correct the name, or remove the line.") in found
    assert (
        "questions.informed.min_cell",
        "min_cell belongs above the first [table] heading: move the line there.",
    ) in found


def test_a_min_cell_above_the_number_of_respondents_is_warned_about(data):
    toml("min_cell = 10", "min_cell = 401")(data / WAVE)
    report = validate_folder(data)
    assert report.ok
    (warning,) = [w for w in report.warnings if w.column == "min_cell"]
    assert (warning.file, warning.message) == (
        TOML,
        "min_cell (401) is more than the wave's 400 respondents, so every result will be withheld.",
    )


# --- strict outputs ----------------------------------------------------------------------------------------


def test_survey_outputs_hold_no_nan_or_infinity_and_json_is_strict(data, tmp_path):
    toml("min_cell = 10", "min_cell = 40")(data / WAVE)  # many groups withheld
    analysis = survey_for_quarter(data, "2024/25 Q2")
    text = survey_estimates_csv(analysis.estimates, ESTIMATE_COLUMNS + EXTRA_COLUMNS)
    cells = {c.lower() for line in text.splitlines() for c in line.split(",")}
    assert not cells & {"nan", "inf", "-inf", "infinity"}
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    withheld = frame[frame["suppressed"] == "true"]
    assert len(withheld) > 0 and (withheld["n"].astype(int) < 40).all()
    assert (withheld[["pct", "se", "ci_low", "ci_high"]] == "").all().all()
    path = tmp_path / "survey_weighting.json"
    write_json(path, analysis.current.weighting.diagnostics())

    def refuse(constant):
        raise AssertionError(f"{constant} in strict JSON")

    values = json.loads(path.read_text(), parse_constant=refuse)
    assert all(math.isfinite(v) for v in values.values() if isinstance(v, float))


def test_a_nan_in_survey_weighting_json_is_a_clear_error_and_nothing_is_written(tmp_path):
    path = tmp_path / "survey_weighting.json"
    with pytest.raises(RunError) as info:
        write_json(path, {"converged": True, "design_effect": float("nan"), "n": 400})
    assert str(info.value).startswith(
        "survey_weighting.json was not written: design_effect is not a number (NaN or infinity)"
    )
    assert not path.exists()


# --- the batch -----------------------------------------------------------------------------------------------


def test_a_survey_failure_fails_its_job_only_and_the_batch_goes_on(data, tmp_path, monkeypatch):
    import nbformat
    from nbformat.v4 import new_notebook

    import perfkit.survey
    from perfkit.batch import execute
    from perfkit.batch.executors import run_batch
    from perfkit.data.register import load_register
    from perfkit.periods import parse_quarter

    def notebook_ran(job, target, share=False):  # the kernel is not what is tested here
        nbformat.write(new_notebook(), target)

    def unexpected(data_dir, quarter):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(execute, "_execute", notebook_ran)
    monkeypatch.setattr(perfkit.survey, "survey_for_quarter", unexpected)
    out = tmp_path / "out"
    # jobs=1: the faults are planted in this process, which a pool's workers may not share
    summary = run_batch(load_register(data), [parse_quarter("2024/25 Q2")], out, (), jobs=1)
    assert [r.job.name for r in summary.ran] == ["quarterly_performance"]
    (failed,) = summary.failed
    assert failed.job.name == "survey_demographics"
    log = out / "2024-25-Q2" / "failed" / "survey_demographics.traceback.txt"
    assert failed.error.startswith(
        "Making survey_demographics for 2024/25 Q2 stopped with an unexpected error "
        f"(ZeroDivisionError: float division by zero); the details are in {log}."
    )
    assert "ZeroDivisionError" in log.read_text()
    assert (out / "2024-25-Q2" / "metric_status.csv").exists()
    assert not (out / "2024-25-Q2" / "survey_estimates.csv").exists()
