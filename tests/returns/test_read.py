"""Reading returns: what people type, and every way a workbook is refused (each with its message)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from perfkit.periods import Quarter
from perfkit.returns import collect_returns, make_returns
from perfkit.returns.read import read_return
from perfkit.returns.view import load_view
from tests.support.returns import COLLECTED_AT, MADE_AT, Q3, SIGNED_BY, SIGNED_ON, copy_fixture, fill, snapshot


@pytest.fixture
def folder(tmp_path):
    return copy_fixture(tmp_path)


@pytest.fixture
def returns(folder):
    made = make_returns(folder, Q3, made_at=MADE_AT)
    return {path.stem: path for path, _ in made.made}


def _read(path, folder, quarter=None):
    return read_return(path, load_view(folder), quarter)


# What people type ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "number_format", "value"),
    [
        ("1,234", "General", "1234"),
        (" 45 ", "General", "45"),
        ("12%", "General", "12"),
        (0.96, "0%", "96"),  # Excel keeps 96% as 0.96 in a percentage cell
        (0.965, "0.0%", "96.5"),
        (96, "General", "96"),
        (96.0, "General", "96"),
        ("£1,200.50", "General", "1200.5"),
        (12.25, "General", "12.25"),
    ],
)
def test_numbers_are_read_as_people_type_them(folder, returns, typed, number_format, value):
    path = fill(returns["customer-services"], {"Metrics!K2": typed}, formats={"Metrics!K2": number_format})
    ret = _read(path, folder)
    assert not ret.refused
    [entry] = ret.entries
    assert (entry.code, entry.fields, entry.cells["value"]) == ("CUS.01", {"value": value}, "Metrics!K2")


def test_numerator_and_denominator_give_the_figure(folder, returns):
    ret = _read(fill(returns["housing"], {"Metrics!L2": " 27 ", "Metrics!M2": 54}), folder)
    [entry] = ret.entries
    assert entry.fields == {"numerator": "27", "denominator": "54"}
    assert entry.figure == pytest.approx(50.0)  # 100 × 27 / 54 for a percent metric


def test_text_keeps_commas_quotes_and_line_breaks(folder, returns):
    typed = '  Staff back, "at last".\r\nBacklog  cleared.  '
    ret = _read(fill(returns["housing"], {"Metrics!O3": typed}), folder)
    [entry] = ret.entries
    assert entry.fields == {"commentary": 'Staff back, "at last".\nBacklog  cleared.'}


def test_status_words_in_any_case_and_dates_in_uk_order(folder, returns):
    cells = {
        "Metrics!K3": 33.5,
        "Metrics!P3": "  paUSED ",
        "Metrics!Q3": "Contractor in administration",
        "Metrics!R3": "Extra team",
        "Metrics!S3": "31/03/2025",
    }
    ret = _read(fill(returns["housing"], cells), folder)
    [entry] = ret.entries
    assert entry.fields == {
        "value": "33.5",
        "status": "Paused",
        "status_reason": "Contractor in administration",
        "action": "Extra team",
        "action_due": "2025-03-31",
    }


def test_a_quarter_is_accepted_for_an_action_date(folder, returns):
    ret = _read(fill(returns["housing"], {"Metrics!K3": 33.5, "Metrics!S3": "q1 2025/26"}), folder)
    assert ret.entries[0].fields["action_due"] == "2025/26 Q1"


def test_not_available_markers_are_blank_with_a_warning(folder, returns):
    ret = _read(fill(returns["housing"], {"Metrics!K3": "n/a", "Metrics!O3": "Contractor gone."}), folder)
    assert not ret.refused
    assert ret.entries[0].fields == {"commentary": "Contractor gone."}
    assert next(str(i) for i in ret.issues if i.severity == "warning") == (
        "housing.xlsx, Metrics!K3, HOU.02: 'n/a' is read as 'not available'. Leave the cell blank when the figure is "
        "not available, and say why in the commentary."
    )


@pytest.mark.parametrize(
    ("cell", "typed", "message"),
    [
        (
            "Metrics!K3",
            "12,5",
            "housing.xlsx, Metrics!K3, HOU.02: '12,5' has a comma where a decimal point is expected. Use a full stop "
            "for decimals (12.5, not 12,5).",
        ),
        (
            "Metrics!K3",
            dt.datetime(2025, 1, 3),
            "housing.xlsx, Metrics!K3, HOU.02: '2025-01-03' is not a number. Enter the value as a number, such as 95 "
            "or 12.5.",
        ),
        (
            "Metrics!S3",
            "soon",
            "housing.xlsx, Metrics!S3, HOU.02: 'soon' is not a date. Enter a date (31/03/2025) or a quarter "
            "(2025/26 Q1).",
        ),
        (
            "Metrics!S3",
            "31/02/2025",
            "housing.xlsx, Metrics!S3, HOU.02: '31/02/2025' is not a date that exists. Enter a date (31/03/2025) or a "
            "quarter (2025/26 Q1).",
        ),
        (
            "Highlights!B2",
            "triumph",
            "housing.xlsx, Highlights!B2: 'triumph' is not a kind of highlight. Choose one from the list: achievement, "
            "challenge, update.",
        ),
    ],
)
def test_an_invalid_cell_is_named_with_what_to_do(folder, returns, cell, typed, message):
    cells = {"Metrics!K3": 30, "Highlights!C2": "Text", "Highlights!B2": "achievement", cell: typed}
    ret = _read(fill(returns["housing"], cells), folder)
    assert ret.refused
    assert [str(i) for i in ret.errors] == [message]


def test_a_highlight_with_an_unknown_objective_or_code(folder, returns):
    cells = {
        "Highlights!B2": "achievement",
        "Highlights!C2": "One",
        "Highlights!D2": "Transport",
        "Highlights!B3": "challenge",
        "Highlights!C3": "Two",
        "Highlights!E3": "HOU.9",
        "Highlights!B4": "update",
    }
    ret = _read(fill(returns["housing"], cells), folder)
    assert [str(i) for i in ret.errors] == [
        "housing.xlsx, Highlights!D2: 'Transport' is not an objective of the plan. Choose one from the list "
        "(Customers; Homes), or leave it blank.",
        "housing.xlsx, Highlights!E3: 'HOU.9' is not a metric code. Choose a code from the list, or leave it blank.",
        "housing.xlsx, Highlights!C4: The highlight has no text. Write the highlight, or clear the row.",
    ]


def test_locked_not_used_cells_of_a_trend_metric_are_not_read(folder, returns):
    ret = _read(fill(returns["housing"], {"Metrics!K4": 130}), folder)
    assert [e.fields for e in ret.entries] == [{"value": "130"}]


def test_sign_off(folder, returns):
    ret = _read(fill(returns["housing"], {"Metrics!K4": 1, SIGNED_BY: " Jo  Bloggs ", SIGNED_ON: "20/01/2025"}), folder)
    assert (ret.signed_off_by, ret.signed_off_on) == ("Jo Bloggs", "2025-01-20")


def test_a_blank_return_is_read_as_nothing_entered(folder, returns):
    ret = _read(returns["housing"], folder)
    assert not ret.refused and ret.empty
    assert [str(i) for i in ret.issues] == [
        "housing.xlsx: Nothing is entered in this workbook, so it is not counted as returned."
    ]


# Refusals: each names the workbook and what to do, and nothing is written -------------------


def _refused(folder, path, quarter=None) -> str:
    before = snapshot(folder)
    done = collect_returns(folder, [path], quarter=quarter, now=COLLECTED_AT)
    assert snapshot(folder) == before
    assert done.exit_code == 1
    assert done.summary().endswith("0 entries written, 0 unchanged, 0 conflicts, 1 refused.")
    [line] = done.lines()
    return line


def test_refuses_a_file_that_is_not_a_workbook(folder, tmp_path):
    path = tmp_path / "housing.xlsx"
    path.write_text("code,value\nHOU.01,5\n", encoding="utf-8")
    assert _refused(folder, path) == (
        "housing.xlsx: refused: cannot be opened as an Excel workbook (.xlsx). Open it in Excel, LibreOffice or "
        "Google Sheets and save (or download) it as an Excel workbook (.xlsx)."
    )


def test_refuses_a_workbook_without_the_identity_sheet(folder, tmp_path, returns):
    plain = tmp_path / "mine.xlsx"
    openpyxl.Workbook().save(plain)
    message = (
        "refused: has no Identity sheet, so it is not a return made by perfkit, or that hidden sheet was deleted. "
        "Copy the entries into the service's return (make a fresh return with perfkit returns make) and send that."
    )
    assert _refused(folder, plain) == f"mine.xlsx: {message}"
    wb = openpyxl.load_workbook(returns["housing"])
    wb.security = None
    del wb["Identity"]
    wb["Metrics"]["K3"] = 30
    wb.save(returns["housing"])
    assert _refused(folder, returns["housing"]) == f"housing.xlsx: {message}"


def _identity(path, row: int, value: str) -> None:
    wb = openpyxl.load_workbook(path)
    wb["Identity"].cell(row, 2, value)
    wb["Metrics"]["K3"] = 30
    wb.save(path)


def test_refuses_another_template_version(folder, returns):
    _identity(returns["housing"], 6, "0")
    assert _refused(folder, returns["housing"]) == (
        "housing.xlsx: refused: was made with template version '0'; this perfkit reads version 1. Copy the entries "
        "into a return of the current version (make a fresh return with perfkit returns make)."
    )


def test_refuses_another_councils_workbook(folder, tmp_path):
    other = copy_fixture(tmp_path, "other")
    toml = (other / "council.toml").read_text(encoding="utf-8").replace("Test Borough Council", "Next Door Council")
    (other / "council.toml").write_text(toml, encoding="utf-8")
    [(path, _)] = [m for m in make_returns(other, Q3, made_at=MADE_AT).made if m[0].stem == "housing"]
    fill(path, {"Metrics!K3": 30})
    assert _refused(folder, path) == (
        "housing.xlsx: refused: was made for another council ('Next Door Council', id 'next-door-council'), not Test "
        "Borough Council (id 'test-borough-council'). Check --data names the right council's data folder, and that "
        "the service sent the right file."
    )


def test_the_council_id_can_be_set(folder):
    text = (folder / "council.toml").read_text(encoding="utf-8").replace("[returns]\n", '[returns]\nid = "tbc-2024"\n')
    (folder / "council.toml").write_text(text, encoding="utf-8")
    [(path, _)] = [m for m in make_returns(folder, Q3, made_at=MADE_AT).made if m[0].stem == "housing"]
    assert openpyxl.load_workbook(path)["Identity"]["B2"].value == "tbc-2024"


def test_refuses_a_workbook_for_another_quarter(folder, returns):
    fill(returns["housing"], {"Metrics!K3": 30})
    assert _refused(folder, returns["housing"], quarter="2024/25 Q2") == (
        "housing.xlsx: refused: was made for 2024/25 Q3, not 2024/25 Q2. Collect it with --quarter '2024/25 Q3', or "
        "ask the service for its 2024/25 Q2 return."
    )


def test_refuses_a_workbook_for_a_service_no_longer_in_the_register(folder, returns):
    fill(returns["housing"], {"Metrics!K3": 30})
    metrics = (folder / "metrics.csv").read_text(encoding="utf-8").replace(",Housing,", ",Housing Services,")
    (folder / "metrics.csv").write_text(metrics, encoding="utf-8")
    assert _refused(folder, returns["housing"]) == (
        "housing.xlsx: refused: was made for the service 'Housing', which has no metrics in 2024/25 Q3 in the "
        "register now. Check the service's name in metrics.csv (a renamed service needs its returns made again)."
    )


TAMPERED = (
    "housing.xlsx: refused: has had locked cells changed since it was made (a code, title, target or heading, or a "
    "row, column or sheet moved, added or deleted), so its entries cannot be matched safely. Ask the service to copy "
    "their entries into a fresh return (make a fresh return with perfkit returns make --service 'Housing')."
)


@pytest.mark.parametrize(
    "change",
    [
        {"Metrics!A3": "HOU.01"},  # a code
        {"Metrics!B2": "% of homelessness cases prevented or relieved"},  # a title
        {"Metrics!E3": 35},  # a target
        {"Metrics!K1": "Value"},  # a heading
        {"Metrics!I2": 60},  # last quarter's figure
        {"Instructions!B20": "2 February 2025"},  # the deadline
        {"Identity!E3": "triumph"},  # a word of a drop-down list
    ],
)
def test_refuses_a_tampered_workbook(folder, returns, change):
    fill(returns["housing"], {"Metrics!K3": 30, **change})
    assert _refused(folder, returns["housing"]) == TAMPERED


def test_a_locked_cell_typed_again_with_the_same_value_is_not_a_change(folder, returns):
    fill(returns["housing"], {"Metrics!K3": 30, "Metrics!E3": 28, "Identity!B5": "Housing"})
    assert not collect_returns(folder, [returns["housing"]], check=True).refused


def test_refuses_a_workbook_with_a_row_deleted_or_a_sheet_renamed(folder, returns):
    wb = openpyxl.load_workbook(returns["housing"])
    wb["Metrics"].delete_rows(3)
    wb["Metrics"]["K3"] = 30
    wb.save(returns["housing"])
    assert _refused(folder, returns["housing"]) == TAMPERED
    wb = openpyxl.load_workbook(returns["customer-services"])
    wb["Metrics"].title = "Figures"
    wb.save(returns["customer-services"])
    assert _refused(folder, returns["customer-services"]) == (
        "customer-services.xlsx: refused: has lost its sheet 'Metrics'. Copy the entries into a fresh return (make a "
        "fresh return with perfkit returns make)."
    )


def test_refuses_a_changed_identity_quarter(folder, returns):
    _identity(returns["housing"], 4, "2024/25 Q4")
    assert _refused(folder, returns["housing"]) == TAMPERED


def test_read_return_checks_the_quarter_asked_for(folder, returns):
    ret = _read(returns["housing"], folder, Quarter(2024, 3))
    assert ret.refusal is None and ret.quarter == Quarter(2024, 3) and ret.service == "Housing"


def test_refuses_an_identity_claiming_an_enormous_area(folder, returns):
    wb = openpyxl.load_workbook(returns["housing"])
    wb["Identity"]["B9"] = "Metrics!A1:XFD1048576"
    wb["Metrics"]["K3"] = 30
    wb.save(returns["housing"])
    assert _refused(folder, returns["housing"]) == (
        "housing.xlsx: refused: has an Identity sheet that does not describe a return (its areas are damaged or far "
        "too large). The workbook is damaged: make a fresh return with perfkit returns make."
    )
