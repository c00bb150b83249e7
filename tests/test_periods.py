import datetime as dt

import pytest

from perfkit.errors import PeriodError
from perfkit.periods import Quarter, latest_quarter, parse_quarter, parse_year, quarter_range


@pytest.mark.parametrize(
    "text",
    [
        "2024/25 Q2",
        "2024-25-Q2",
        "Q2 2024/25",
        "2024/2025 Q2",
        "q2 2024-25",
        "  2024/25   Q2 ",
        "2024/25Q2",
        "2024-2025-Q2",
    ],
)
def test_every_spelling_of_the_design_parses_to_the_same_quarter(text):
    q = parse_quarter(text)
    assert (q.label, q.slug) == ("2024/25 Q2", "2024-25-Q2")


@pytest.mark.parametrize(
    "text, words",
    [
        ("2024/26 Q2", "not a financial year"),
        ("Q5", "no financial year"),
        ("2024/25 Q5", "Q1 to Q4"),
        ("2024 Q2", "calendar year"),
        ("Q2 2024", "calendar year"),
        ("2024/25", "not a financial quarter"),
        ("", "not a financial quarter"),
        ("last quarter", "not a financial quarter"),
    ],
)
def test_bad_spellings_give_a_clear_error(text, words):
    with pytest.raises(PeriodError, match=words):
        parse_quarter(text)


def test_century_boundary_year():
    assert parse_quarter("1999/00 Q4") == Quarter(1999, 4)
    assert parse_quarter("1999/2000 Q4").label == "1999/00 Q4"


def test_quarter_dates_follow_the_financial_year():
    assert Quarter(2024, 1).start == dt.date(2024, 4, 1)
    assert Quarter(2024, 2).end == dt.date(2024, 9, 30)
    assert Quarter(2024, 3).end == dt.date(2024, 12, 31)
    assert Quarter(2024, 4).start == dt.date(2025, 1, 1)
    assert Quarter(2023, 4).end == dt.date(2024, 3, 31)
    assert Quarter(2024, 2).months == "July to September 2024"
    assert Quarter(2024, 4).months == "January to March 2025"


def test_previous_and_same_quarter_last_year_cross_year_boundaries():
    assert parse_quarter("2024/25 Q1").previous().label == "2023/24 Q4"
    assert parse_quarter("2023/24 Q4").next().label == "2024/25 Q1"
    assert parse_quarter("2024/25 Q2").same_quarter_last_year().label == "2023/24 Q2"


def test_ranges_are_ordered_and_inclusive():
    labels = [q.label for q in quarter_range("2023/24 Q3", "2024-25-Q2")]
    assert labels == ["2023/24 Q3", "2023/24 Q4", "2024/25 Q1", "2024/25 Q2"]
    assert quarter_range("2024/25 Q1", "2024/25 Q1") == [Quarter(2024, 1)]
    with pytest.raises(PeriodError, match="backwards"):
        quarter_range("2024/25 Q2", "2024/25 Q1")


def test_latest_quarter_with_data():
    assert latest_quarter(["2023/24 Q4", "Q2 2024/25", "2024-25-Q1"]).label == "2024/25 Q2"
    with pytest.raises(PeriodError, match="no actuals"):
        latest_quarter([])


def test_quarters_sort_in_time_order():
    qs = [parse_quarter(t) for t in ["2024/25 Q1", "2022/23 Q4", "2023/24 Q1"]]
    assert [q.label for q in sorted(qs)] == ["2022/23 Q4", "2023/24 Q1", "2024/25 Q1"]


def test_financial_year_parsing():
    assert parse_year("2024/25") == 2024
    assert parse_year("2024-2025") == 2024
    with pytest.raises(PeriodError, match="financial year"):
        parse_year("2024")
    with pytest.raises(PeriodError, match="2024/25"):
        parse_year("2024/26")
