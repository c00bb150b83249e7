"""The return workbooks: what they show (worked out from the fixture by hand) and how they can be used."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries

from perfkit.errors import UnknownNameError, UsageError
from perfkit.returns import make_returns
from tests.support.returns import MADE_AT, Q3, copy_fixture, fill

METRIC_HEADERS = [
    "Code",
    "Metric",
    "Unit",
    "How often",
    "Target 2024/25 Q3",
    "2023/24 Q3",
    "2023/24 Q4",
    "2024/25 Q1",
    "2024/25 Q2",
    "Commentary 2024/25 Q2",
    "Value (fill in)",
    "Numerator (fill in)",
    "Denominator (fill in)",
    "Figure for (fill in)",
    "Commentary (fill in)",
    "Status word (fill in if needed)",
    "Reason for the status word (fill in)",
    "Remedial action (fill in for an exception)",
    "Action takes effect by (fill in)",
]


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    folder = copy_fixture(tmp_path_factory.mktemp("template"))
    made = make_returns(folder, Q3, made_at=MADE_AT)
    return {path.stem: openpyxl.load_workbook(path) for path, _ in made.made}


def _rows(ws, ref: str) -> list[list[object]]:
    return [[c.value for c in row] for row in ws[ref]]


def test_one_workbook_per_service_named_by_its_slug(tmp_path):
    folder = copy_fixture(tmp_path)
    made = make_returns(folder, Q3, made_at=MADE_AT)
    assert [(p.relative_to(folder).as_posix(), m.service, m.metrics, m.milestones) for p, m in made.made] == [
        ("returns/2024-25-Q3/customer-services.xlsx", "Customer Services", 3, 0),
        ("returns/2024-25-Q3/housing.xlsx", "Housing", 4, 0),
    ]
    assert made.deadline == dt.date(2025, 1, 24) and made.exit_code == 0


def test_sheets_are_named_and_the_identity_sheet_hidden(books):
    wb = books["housing"]
    assert wb.sheetnames == ["Instructions", "Metrics", "Milestones", "Highlights", "Identity"]
    assert [ws.sheet_state for ws in wb] == ["visible"] * 4 + ["hidden"]
    assert wb.security.lockStructure
    assert wb.properties.title == "Housing: quarterly service return, 2024/25 Q3"


def test_every_table_is_a_named_excel_table_with_a_header_row_and_nothing_is_merged(books):
    wb = books["housing"]
    tables = {ws.title: {t.displayName: t.ref for t in ws.tables.values()} for ws in wb}
    assert tables == {
        "Instructions": {"HowToFill": "A3:B14", "ReturnDetails": "A16:B23"},
        "Metrics": {"MetricsToFill": "A1:S5"},
        "Milestones": {},
        "Highlights": {"HighlightsToFill": "A1:E13"},
        "Identity": {},
    }
    for ws in wb:
        assert not ws.merged_cells.ranges
        for table in ws.tables.values():
            assert table.headerRowCount == 1
            first = range_boundaries(table.ref)[1]
            assert all(isinstance(c.value, str) and c.value for c in ws[table.ref][0])
            assert first in (1, 3, 16)
    assert [c.value for c in wb["Metrics"][1]] == METRIC_HEADERS
    assert wb["Milestones"]["A1"].value == "Housing has no milestones in 2024/25 Q3: nothing to fill on this sheet."
    assert (wb["Metrics"].freeze_panes, wb["Highlights"].freeze_panes) == ("C2", "A2")


def test_the_metrics_sheet_shows_history_targets_and_last_commentary(books):
    ws = books["housing"]["Metrics"]
    # From the fixture, by hand: HOU.01 2024/25 Q1 is 45/90 = 50.0%; HOU.02's target is its Q3 target (28),
    # not the year's (30); HOU.03 is a trend metric; nothing was recorded before 2024/25 Q1 for Housing.
    assert _rows(ws, "A2:J5") == [
        ["HOU.01", "% of homelessness cases prevented", "percent", "quarterly", 50, None, None, 50, 52, None],
        [
            "HOU.02",
            "Average days to relet a council home",
            "days",
            "quarterly",
            28,
            None,
            None,
            None,
            31.5,
            "Voids backlog after the contractor changed.",
        ],
        [
            "HOU.03",
            "Households in temporary accommodation",
            "number",
            "quarterly",
            "none: monitored for trend",
            None,
            None,
            None,
            120,
            None,
        ],
        ["HOU.04", "% of repairs done on time", "percent", "quarterly", 90, None, None, None, 91, None],
    ]
    assert ws["H2"].number_format == "0.0" and ws["I5"].number_format == "0"
    assert _rows(ws, "N2:N5") == [["this quarter"]] * 4
    assert _rows(ws, "P4:Q4") == [["not used: trend metric", "not used: trend metric"]]
    cs = books["customer-services"]["Metrics"]
    assert _rows(cs, "A2:J2") == [
        [
            "CUS.01",
            "% of complaints answered within 15 working days",
            "percent",
            "quarterly",
            95,
            93.1,
            94,
            96.2,
            91.5,
            "Two staff off sick; backlog, now clearing.",
        ]
    ]
    # CUS.03 is annual: 2022/23 has a figure, 2023/24 (the latest year ended by 31 December 2024) has not.
    assert _rows(cs, "D4:E4") == [["annual: enter the year's figure when it is available", 72]]
    assert cs["N4"].value == "2023/24" and not cs["N4"].protection.locked


def test_only_the_cells_to_fill_are_unlocked_and_each_says_so_in_its_heading(books):
    for wb in books.values():
        for ws in wb.worksheets[:4]:
            assert ws.protection.sheet
            headings = {}
            for table in ws.tables.values():
                min_col, min_row, max_col, _ = range_boundaries(table.ref)
                for col in range(min_col, max_col + 1):
                    headings[col] = (min_row, ws.cell(min_row, col).value)
            unlocked = [c for row in ws.iter_rows() for c in row if not c.protection.locked]
            assert bool(unlocked) == bool(ws.tables), ws.title
            for c in unlocked:
                header_row, heading = headings[c.column]
                label = ws.cell(c.row, 1).value if ws.title == "Instructions" else heading
                assert "(fill in" in label, (ws.title, c.coordinate, label)
                assert c.fill.fgColor.rgb == "00FFF2CC"  # shaded too, but never shaded alone
                assert c.row > header_row


def test_every_cell_to_fill_has_an_input_message_and_restricted_ones_an_error_alert(books):
    wb = books["housing"]
    for ws in wb.worksheets[:4]:
        rules = ws.data_validations.dataValidation
        for row in ws.iter_rows():
            for c in row:
                if c.protection.locked:
                    continue
                [dv] = [dv for dv in rules if c.coordinate in dv.sqref]
                assert dv.showInputMessage and dv.prompt and dv.promptTitle, c.coordinate
                if dv.type in ("list", "decimal", "date"):
                    assert dv.showErrorMessage and dv.error and dv.errorStyle == "stop", c.coordinate
    by_cell = {str(dv.sqref): dv for dv in wb["Metrics"].data_validations.dataValidation}
    assert (by_cell["P2:P3 P5"].type, by_cell["P2:P3 P5"].formula1) == ("list", "StatusWords")
    assert (by_cell["K2:K5"].type, by_cell["K2:K5"].operator) == ("decimal", "between")
    words = wb["Identity"]
    name = wb.defined_names["StatusWords"]
    assert name.attr_text == "Identity!$D$2:$D$10"
    assert [words.cell(r, 4).value for r in range(2, 11)] == [
        "Achieved",
        "On track",
        "At risk",
        "Off track",
        "Not started",
        "Paused",
        "Under review",
        "Withdrawn",
        "No update",
    ]


def test_the_instructions_give_the_deadline_the_contact_and_the_sign_off(books):
    ws = books["housing"]["Instructions"]
    assert ws["A1"].value == "Quarterly service return: Housing, 2024/25 Q3 (October to December 2024)"
    assert _rows(ws, "A16:B23") == [
        ["Item", "Detail"],
        ["Council", "Test Borough Council"],
        ["Service", "Housing"],
        ["Quarter", "2024/25 Q3 (October to December 2024)"],
        ["Return by", "Friday 24 January 2025"],
        ["Contact", "Jo Bloggs, housing@test.gov.uk"],
        ["Signed off by (fill in)", None],
        ["Date signed off (fill in)", None],
    ]
    assert books["customer-services"]["Instructions"]["B21"].value == "performance@test.gov.uk"


def test_the_identity_sheet(books):
    ws = books["housing"]["Identity"]
    rows = {r[0]: r[1] for r in _rows(ws, "A2:B13")}
    assert {k: rows[k] for k in ("council", "council_name", "quarter", "service", "template_version", "made_at")} == {
        "council": "test-borough-council",
        "council_name": "Test Borough Council",
        "quarter": "2024/25 Q3",
        "service": "Housing",
        "template_version": "1",
        "made_at": "2025-01-02T09:00:00+00:00",
    }
    assert rows["inputs"] == (
        "Instructions!B22 B23;Metrics!K2:K5 L2:L5 M2:M5 O2:O5 P2:P3 P5 Q2:Q3 Q5 R2:R5 S2:S5;"
        "Highlights!B2:B13 C2:C13 D2:D13 E2:E13"
    )
    assert len(rows["sha256"]) == 64
    assert "/" not in rows["council"] and "tmp" not in str(rows)  # never the folder's path


def test_the_default_deadline_is_21_days_after_the_quarter(tmp_path):
    folder = copy_fixture(tmp_path)
    made = make_returns(folder, "2024/25 Q2", service="housing", made_at=MADE_AT)
    assert made.deadline == dt.date(2024, 10, 21)
    ws = openpyxl.load_workbook(made.made[0][0])["Instructions"]
    assert ws["B20"].value == "Monday 21 October 2024"


def test_one_service_by_name_or_slug_and_an_unknown_one(tmp_path):
    folder = copy_fixture(tmp_path)
    made = make_returns(folder, Q3, service="CUSTOMER-services", made_at=MADE_AT)
    assert [p.name for p, _ in made.made] == ["customer-services.xlsx"]
    with pytest.raises(UnknownNameError) as err:
        make_returns(folder, Q3, service="Housnig")
    assert str(err.value) == "There is no service 'Housnig'. Did you mean Housing?"


def test_a_return_with_entries_is_never_overwritten(tmp_path):
    folder = copy_fixture(tmp_path)
    made = make_returns(folder, Q3, made_at=MADE_AT)
    housing = made.made[1][0]
    fill(housing, {"Metrics!K3": 30})
    before = housing.read_bytes()
    again = make_returns(folder, Q3, made_at=MADE_AT)
    assert housing.read_bytes() == before
    assert [p.name for p, _ in again.made] == ["customer-services.xlsx"]
    assert [(p.name, why) for p, why in again.skipped] == [
        ("housing.xlsx", "it already has entries (a completed return?)")
    ]
    assert again.exit_code == 1


def test_two_services_with_the_same_file_name(tmp_path):
    folder = copy_fixture(tmp_path)
    text = (
        (folder / "metrics.csv")
        .read_text(encoding="utf-8")
        .replace("HOU.04,% of repairs done on time,Homes,Housing", "HOU.04,% of repairs done on time,Homes,HOUSING!")
    )
    (folder / "metrics.csv").write_text(text, encoding="utf-8")
    with pytest.raises(
        UsageError, match=r"The services 'Housing' and 'HOUSING!' would both be written to housing\.xlsx"
    ):
        make_returns(folder, Q3)


def test_a_deadline_is_written_with_its_weekday():
    from perfkit.periods import long_date
    from perfkit.returns.template import deadline_date

    # 31 January 2025 was a Friday, and 29 February 2024 (a leap day) a Thursday
    assert deadline_date(dt.date(2025, 1, 31)) == "Friday 31 January 2025"
    assert deadline_date(dt.date(2024, 2, 29)) == "Thursday 29 February 2024"
    # the report's own dates keep no weekday: the two names say which is which
    assert long_date(dt.date(2025, 1, 31)) == "31 January 2025"
