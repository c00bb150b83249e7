"""Halves, years and due dates (design §2: "Years and halves are parsed as leniently")."""

from __future__ import annotations

import datetime as dt

import pytest

from perfkit.errors import PeriodError
from perfkit.periods import FinancialYear, Half, Quarter, parse_due_date, parse_half, parse_period, parse_quarter


@pytest.mark.parametrize(
    "text", ["2020/21 H1", "2020-21-H1", "H1 2020/21", "2020/2021 H1", " h1  2020-21 ", "2020_21_H1"]
)
def test_a_half_in_every_accepted_spelling(text):
    h = parse_half(text)
    assert (h.label, h.slug) == ("2020/21 H1", "2020-21-H1")
    assert parse_period(text) == h


def test_a_half_spans_two_quarters_and_ends_with_the_second():
    h1, h2 = Half(2020, 1), Half(2020, 2)
    assert [q.label for q in h1.quarters] == ["2020/21 Q1", "2020/21 Q2"]
    assert (h1.start, h1.end) == (dt.date(2020, 4, 1), dt.date(2020, 9, 30))
    assert (h2.start, h2.end) == (dt.date(2020, 10, 1), dt.date(2021, 3, 31))
    assert h2.previous() == h1 and h1.previous() == Half(2019, 2) and h1.same_period_last_year() == Half(2019, 1)
    assert parse_quarter("2020/21 Q3").half == h2 and parse_quarter("2020/21 Q2").half == h1


@pytest.mark.parametrize("text", ["2020/21", "2020-21", "2020/2021", " 2020 / 21 "])
def test_a_year(text):
    y = parse_period(text)
    assert y == FinancialYear(2020) and (y.label, y.slug) == ("2020/21", "2020-21")
    assert (y.first_quarter.label, y.last_quarter.label, y.end) == ("2020/21 Q1", "2020/21 Q4", dt.date(2021, 3, 31))
    assert y.previous() == y.same_period_last_year() == FinancialYear(2019)


def test_a_quarter_is_a_period_of_one_quarter():
    q = parse_period("Q2 2020/21")
    assert isinstance(q, Quarter) and q.quarters == (q,) and q.last_quarter == q and q.length == 1
    assert (Half.length, FinancialYear.length) == (2, 4)


@pytest.mark.parametrize(
    "text, words",
    [
        ("2020/21 H3", ["'2020/21 H3'", "H1 or H2", "'2020-21-H1'"]),
        ("H1", ["'H1'", "a half ('2020/21 H1'", "a financial year ('2020/21'"]),
        ("2020/22 H1", ["'2020/22 H1'", "2020/21"]),
        ("first half", ["'first half'", "a quarter ('2024/25 Q2'"]),
    ],
)
def test_period_errors_echo_the_text_and_every_accepted_form(text, words):
    with pytest.raises(PeriodError) as info:
        parse_period(text)
    for w in words:
        assert w in str(info.value)


def test_a_half_or_a_year_where_a_quarter_is_needed_is_explained():
    with pytest.raises(PeriodError, match="'2020/21 H1' is a half year, not a financial quarter"):
        parse_quarter("2020/21 H1")
    with pytest.raises(PeriodError, match="'2020/21' is a whole financial year"):
        parse_quarter("2020/21")


@pytest.mark.parametrize(
    "text, date",
    [
        ("2022/23 Q3", dt.date(2022, 12, 31)),  # a quarter means its last day
        ("2022-23-H1", dt.date(2022, 9, 30)),
        ("2022/23", dt.date(2023, 3, 31)),
        ("2022-12-31", dt.date(2022, 12, 31)),  # as Excel dates are read
        ("2022-12-31 00:00:00", dt.date(2022, 12, 31)),
        ("31/12/2022", dt.date(2022, 12, 31)),  # day first, as in the UK
        ("1/2/2023", dt.date(2023, 2, 1)),
        ("Dec 2022", dt.date(2022, 12, 31)),  # a month means its last day
        ("February 2024", dt.date(2024, 2, 29)),
    ],
)
def test_due_dates(text, date):
    assert parse_due_date(text) == date


@pytest.mark.parametrize("text", ["soon", "31/02/2023", "Decembre 2022", "2022-13-01", ""])
def test_bad_due_dates_echo_the_text(text):
    with pytest.raises(PeriodError) as info:
        parse_due_date(text)
    assert f"'{text}'" in str(info.value) and "31/12/2022" in str(info.value)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Quarter(2024, 5), "Q5 does not exist: a financial year has quarters Q1 to Q4."),
        (lambda: Half(2024, 3), "H3 does not exist: a financial year has halves H1 and H2."),
        (lambda: Half(2024, 0), "H0 does not exist: a financial year has halves H1 and H2."),
    ],
)
def test_a_part_of_a_year_that_does_not_exist_is_named(make, message):
    with pytest.raises(PeriodError, match=message):
        make()


def test_halves_and_quarters_count_on_across_years_and_only_compare_with_their_own_kind():
    # H2 of 2023/24 is followed by H1 of 2024/25; Q4 of 2023/24 by Q1 of 2024/25
    assert Half.from_index(Half(2023, 2).index + 1) == Half(2024, 1)
    assert Quarter.from_index(Quarter(2023, 4).index + 1) == Quarter(2024, 1)
    assert sorted([Half(2024, 1), Half(2023, 2)]) == [Half(2023, 2), Half(2024, 1)]
    assert (Half(2020, 1).slug, Half(2020, 1).short, str(Half(2020, 1))) == ("2020-21-H1", "H1", "2020/21 H1")
    with pytest.raises(TypeError):
        _ = Quarter(2024, 1) < Half(2024, 1)
