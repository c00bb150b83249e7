"""Collecting returns: the round trip make → fill → collect gives the register worked out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from perfkit.errors import DataValidationError, UsageError
from perfkit.returns import collect_returns, make_returns
from tests.support.returns import (
    COLLECTED_AT,
    CUSTOMER,
    EXPECTED,
    EXPECTED_HIGHLIGHTS,
    HOUSING,
    MADE_AT,
    ORIGINAL,
    Q3,
    SIGNED_BY,
    copy_fixture,
    fill,
    snapshot,
)


@pytest.fixture
def folder(tmp_path):
    return copy_fixture(tmp_path)


@pytest.fixture
def returns(folder):
    made = make_returns(folder, Q3, made_at=MADE_AT)
    return {path.stem: path for path, _ in made.made}


@pytest.fixture
def filled(returns):
    fill(returns["customer-services"], CUSTOMER, formats={"Metrics!K2": "0%"})
    fill(returns["housing"], HOUSING)
    return [returns["customer-services"], returns["housing"]]


def _log(folder) -> list[dict[str, str]]:
    text = (folder / "returns" / "log.csv").read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_round_trip_gives_the_register_worked_out_by_hand(folder, filled):
    assert (folder / "actuals.csv").read_bytes() == ORIGINAL
    done = collect_returns(folder, filled, now=COLLECTED_AT)
    assert (folder / "actuals.csv").read_bytes() == EXPECTED
    assert (folder / "highlights.csv").read_bytes() == EXPECTED_HIGHLIGHTS
    assert done.exit_code == 0
    assert done.summary() == "2 workbooks read: 9 entries written, 0 unchanged, 0 conflicts, 0 refused."
    # Customer Services did not sign off: collected, with a warning naming the cell.
    assert done.lines() == [
        "customer-services.xlsx, Instructions!B22: The return is not signed off; it is collected and listed as "
        "'returned, not signed off'. Ask the service who signed it off."
    ]


def test_every_change_is_logged_with_its_cell(folder, filled):
    collect_returns(folder, filled, now=COLLECTED_AT)
    log = _log(folder)
    assert list(log[0]) == [
        "collected_at",
        "file",
        "sha256",
        "sheet",
        "cell",
        "code",
        "period",
        "field",
        "old",
        "new",
        "signed_off_by",
    ]
    # 2 + 2 + 3 fields of Customer Services, 2 + 4 + 2 + 1 of Housing, 2 highlights, 2 returns received
    assert len(log) == 7 + 9 + 2 + 2
    first = log[0]
    assert (first["collected_at"], first["file"], first["sheet"], first["cell"], first["code"]) == (
        "2025-01-22T14:30:00+00:00",
        "customer-services.xlsx",
        "Metrics",
        "K2",
        "CUS.01",
    )
    assert (first["period"], first["field"], first["old"], first["new"], first["signed_off_by"]) == (
        "2024/25 Q3",
        "value",
        "",
        "96",
        "",
    )
    action_due = next(r for r in log if r["field"] == "action_due")
    assert (action_due["cell"], action_due["new"], action_due["signed_off_by"]) == (
        "S3",
        "2025-01-31",
        "Jo Bloggs, Head of Housing",
    )
    received = [(r["file"], r["cell"], r["period"], r["new"]) for r in log if r["field"] == "returned"]
    assert received == [
        ("customer-services.xlsx", "B22", "2024/25 Q3", "Customer Services"),
        ("housing.xlsx", "B22", "2024/25 Q3", "Housing"),
    ]
    assert all(len(r["sha256"]) == 64 for r in log)


def test_collecting_twice_changes_nothing(folder, filled):
    collect_returns(folder, filled, now=COLLECTED_AT)
    before = snapshot(folder)
    again = collect_returns(folder, filled, now=COLLECTED_AT + dt.timedelta(hours=1))
    assert snapshot(folder) == before
    assert again.summary() == "2 workbooks read: 0 entries written, 9 unchanged, 0 conflicts, 0 refused."
    assert again.exit_code == 0


def test_check_reports_and_writes_nothing(folder, filled):
    before = snapshot(folder)
    done = collect_returns(folder, filled, check=True, now=COLLECTED_AT)
    assert snapshot(folder) == before
    assert done.summary() == "2 workbooks read: 9 entries would be written, 0 unchanged, 0 conflicts, 0 refused."


def test_a_conflict_is_listed_and_left_unless_replace(folder, filled, returns):
    collect_returns(folder, filled, now=COLLECTED_AT)
    after_first = snapshot(folder)
    # A corrected resubmission: CUS.02's figure and CUS.01's commentary differ from what was collected.
    fix = fill(
        returns["customer-services"],
        {"Metrics!K3": 1243, "Metrics!O2": "Backlog cleared.", SIGNED_BY: "Sam Lee"},
        to=folder.parent / "customer-services-v2.xlsx",
    )
    done = collect_returns(folder, [fix], now=COLLECTED_AT)
    assert done.exit_code == 1
    assert snapshot(folder) == after_first
    assert done.lines() == [
        "customer-services-v2.xlsx, Metrics!O2, CUS.01: conflict for 2024/25 Q3: commentary: the register has "
        "'Backlog cleared, \"as promised\". New system live.', the return 'Backlog cleared.'. Left as it was; "
        "--replace applies the return's.",
        "customer-services-v2.xlsx, Metrics!K3, CUS.02: conflict for 2024/25 Q3: figure: the register has '1234', "
        "the return '1243'. Left as it was; --replace applies the return's.",
    ]
    assert done.summary() == (
        "1 workbook read: 0 entries written, 1 unchanged, 2 conflicts (left as they were: --replace applies them), "
        "0 refused."
    )

    replaced = collect_returns(folder, [fix], replace=True, now=COLLECTED_AT)
    assert replaced.exit_code == 0
    assert replaced.summary() == (
        "1 workbook read: 2 entries written (2 replacing different entries), 1 unchanged, 0 conflicts, 0 refused."
    )
    expected = EXPECTED.replace(
        b'"Backlog cleared, ""as promised"".\nNew system live.",,,', b"Backlog cleared.,,,"
    ).replace(b"CUS.02,2024/25 Q3,1234,", b"CUS.02,2024/25 Q3,1243,")
    assert (folder / "actuals.csv").read_bytes() == expected
    log = _log(folder)[-3:]
    assert [(r["cell"], r["field"], r["old"], r["new"], r["signed_off_by"]) for r in log] == [
        ("O2", "commentary", 'Backlog cleared, "as promised".\nNew system live.', "Backlog cleared.", "Sam Lee"),
        ("K3", "value", "1234", "1243", "Sam Lee"),
        ("B22", "returned", "", "Customer Services", "Sam Lee"),
    ]


def test_an_invalid_entry_refuses_its_workbook_and_the_others_go_ahead(folder, filled, returns):
    # Housing's HOU.04 gets a numerator without a denominator, beside valid entries.
    fill(returns["housing"], {"Metrics!L5": 5})
    done = collect_returns(folder, filled, now=COLLECTED_AT)
    assert done.exit_code == 1
    assert done.lines()[1:3] == [
        "housing.xlsx: refused: 1 invalid entry; nothing from this workbook is collected until they are corrected:",
        "  housing.xlsx, Metrics!M5, HOU.04: The denominator is blank but the numerator is given. "
        "Give both the numerator and the denominator, or neither.",
    ]
    assert done.summary() == "2 workbooks read: 3 entries written, 0 unchanged, 0 conflicts, 1 refused."
    assert (folder / "actuals.csv").read_bytes() == (
        b"code,period,value,numerator,denominator,commentary,for_period\r\n"
        + ORIGINAL.split(b"\r\n", 1)[1]
        + b'CUS.01,2024/25 Q3,96,,,"Backlog cleared, ""as promised"".\nNew system live.",\r\n'
        b"CUS.02,2024/25 Q3,1234,,,Busy quarter,\r\n"
        b'CUS.03,2024/25 Q3,71,,,"Annual survey, 2023/24.",2023/24\r\n'
    )
    assert not (folder / "highlights.csv").exists()
    assert [r["file"] for r in _log(folder) if r["field"] == "returned"] == ["customer-services.xlsx"]


def test_a_cell_that_is_not_a_number_is_reported_where_it_is(folder, returns):
    path = fill(returns["housing"], {"Metrics!K3": "about 30", "Metrics!K4": 131})
    before = snapshot(folder)
    done = collect_returns(folder, [path], now=COLLECTED_AT)
    assert snapshot(folder) == before
    # The words after the problem are the register loader's own advice, the same as perfkit validate gives.
    assert done.lines()[1].startswith("  housing.xlsx, Metrics!K3, HOU.02: 'about 30' is not a number. Enter a number")


def test_an_unknown_status_word_lists_the_words(folder, returns):
    path = fill(returns["housing"], {"Metrics!K3": 33, "Metrics!P3": "Dunno", "Metrics!Q3": "why"})
    done = collect_returns(folder, [path], now=COLLECTED_AT)
    assert done.lines()[1] == (
        "  housing.xlsx, Metrics!P3, HOU.02: 'Dunno' is not one of the council's status words. Choose one from the "
        "list: Achieved, On track, At risk, Off track, Not started, Paused, Under review, Withdrawn, No update."
    )


def test_figure_not_available_is_written_only_where_there_is_no_figure(folder, returns):
    cs = fill(returns["customer-services"], {"Metrics!O2": "Figures delayed by the new system.", SIGNED_BY: "Sam Lee"})
    collect_returns(folder, [cs], now=COLLECTED_AT)
    assert (
        (folder / "actuals.csv")
        .read_bytes()
        .endswith(b"HOU.04,2024/25 Q2,91,,,\r\nCUS.01,2024/25 Q3,,,,Figures delayed by the new system.\r\n")
    )
    # Later the figure comes, with the commentary saying so: the commentary differs, a conflict.
    late = fill(
        returns["customer-services"],
        {"Metrics!K2": 97, "Metrics!O2": "Late figure."},
        to=folder.parent / "late.xlsx",
    )
    done = collect_returns(folder, [late], now=COLLECTED_AT)
    assert done.conflicts == 1
    collect_returns(folder, [late], replace=True, now=COLLECTED_AT)
    assert (folder / "actuals.csv").read_bytes().endswith(b"CUS.01,2024/25 Q3,97,,,Late figure.\r\n")
    # A return with no figure, where the register has one, is not collected: a note says so.
    again = collect_returns(folder, [cs], now=COLLECTED_AT)
    assert again.lines() == [
        "customer-services.xlsx, Metrics!A2, CUS.01: note: The register already has a figure for 2024/25 Q3, so this "
        "row without one is not collected."
    ]
    assert (folder / "actuals.csv").read_bytes().endswith(b"CUS.01,2024/25 Q3,97,,,Late figure.\r\n")


def test_highlights_are_replaced_as_a_set_never_duplicated(folder, filled, returns):
    collect_returns(folder, filled, now=COLLECTED_AT)
    changed = fill(
        returns["housing"],
        {"Highlights!C3": "Demand for temporary accommodation keeps rising."},
        to=folder.parent / "h2.xlsx",
    )
    done = collect_returns(folder, [changed], now=COLLECTED_AT)
    assert done.exit_code == 1
    assert done.lines() == [
        "h2.xlsx, Highlights!C2: conflict: The register already has 2 different highlights of Housing for 2024/25 Q3. "
        "The return's 2 highlights are not collected; --replace replaces the register's with them."
    ]
    assert (folder / "highlights.csv").read_bytes() == EXPECTED_HIGHLIGHTS
    collect_returns(folder, [changed], replace=True, now=COLLECTED_AT)
    assert (folder / "highlights.csv").read_bytes() == (
        b"period,service,kind,text,objective,code\r\n"
        b'2024/25 Q3,Housing,achievement,"New lettings policy adopted, with cross-party support.",Homes,\r\n'
        b"2024/25 Q3,Housing,challenge,Demand for temporary accommodation keeps rising.,,HOU.03\r\n"
    )


def test_an_invalid_register_is_refused_before_anything_is_read(folder, filled):
    (folder / "targets.csv").write_text("code,year,target\nCUS.01,2024/26,95\n", encoding="utf-8")
    before = snapshot(folder)
    with pytest.raises(DataValidationError) as err:
        collect_returns(folder, filled)
    assert "'2024/26' is not a financial year" in str(err.value)
    assert snapshot(folder) == before


def test_a_missing_path_is_a_usage_error(folder):
    with pytest.raises(UsageError, match=r"nothing\.xlsx: no such file or folder"):
        collect_returns(folder, [folder / "nothing.xlsx"])


def test_a_folder_of_returns_is_read_whole_and_blank_returns_are_not_counted(folder, filled):
    done = collect_returns(folder, [folder / "returns" / "2024-25-Q3"], now=COLLECTED_AT)
    assert done.summary() == "2 workbooks read: 9 entries written, 0 unchanged, 0 conflicts, 0 refused."
    assert (folder / "actuals.csv").read_bytes() == EXPECTED


def test_two_returns_for_one_service_refuse_the_second(folder, filled, returns):
    copy = folder.parent / "housing (1).xlsx"
    copy.write_bytes(returns["housing"].read_bytes())
    done = collect_returns(folder, [returns["housing"], copy], now=COLLECTED_AT)
    assert done.lines()[-1] == (
        "housing (1).xlsx: refused: is a second return for Housing, 2024/25 Q3 (the first is housing.xlsx). "
        "Collect one of them: the corrected one, with --replace if the first was collected before."
    )


def test_a_problem_the_check_cannot_place_refuses_every_workbook_that_wrote(folder, filled, monkeypatch):
    from perfkit.errors import Problem
    from perfkit.returns import collect

    def load_register(path):
        raise DataValidationError([Problem("targets.csv", None, None, "Something across tables.", "Fix it.")])

    monkeypatch.setattr(collect, "load_register", load_register)
    before = snapshot(folder)
    done = collect_returns(folder, filled, now=COLLECTED_AT)
    assert snapshot(folder) == before
    assert done.exit_code == 1 and len(done.refused) == 2
    assert done.lines()[1] == (
        "  customer-services.xlsx: the register would become invalid: targets.csv: Something across tables. Fix it."
    )
