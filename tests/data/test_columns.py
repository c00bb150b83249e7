"""Whole-column parsing gives exactly what parsing each cell would, problems included."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from perfkit.data.columns import duplicated_keys, parse_distinct, parse_numbers
from perfkit.data.register import _Checker
from perfkit.data.sources import SourceTable
from perfkit.errors import CellError, Problem


def checker(texts: list[str], column: str = "value") -> tuple[_Checker, list[Problem]]:
    frame = pd.DataFrame({"row": np.arange(2, len(texts) + 2), column: pd.Series(texts, dtype=object)})
    problems: list[Problem] = []
    return _Checker(SourceTable("actuals", "actuals.csv", Path("actuals.csv"), frame), problems), problems


def one_by_one(texts: list[str], required: bool = False) -> tuple[list[float], list[Problem]]:
    """The reference: each cell through the per-cell parser, as the loader did before columns were vectorised."""
    chk, problems = checker(texts)
    values = [chk.number(row, "value", text, required=required) for row, text in enumerate(texts, start=2)]
    chk.finish()
    return values, problems


def whole_column(texts: list[str], required: bool = False) -> tuple[list[float], list[Problem]]:
    chk, problems = checker(texts)
    values = parse_numbers(chk, "value", required=required).tolist()
    chk.finish()
    return values, problems


def same(a: list[float], b: list[float]) -> bool:
    return all((math.isnan(x) and math.isnan(y)) or x == y for x, y in zip(a, b, strict=True))


def test_a_column_of_plain_and_awkward_numbers():
    texts = ["12", "1e3", ".5", "-3.25", "", "95%", "1,234.5", "£1,200", "(4)", "n/a", "inf", "12,5", "1_000"]
    values, problems = whole_column(texts)
    assert same(values, [12, 1000, 0.5, -3.25, math.nan, 95, 1234.5, 1200, -4] + [math.nan] * 4)
    assert [(p.row, p.severity) for p in problems] == [(11, "warning"), (12, "error"), (13, "error"), (14, "error")]


def test_a_required_column_reports_blanks_by_row():
    values, problems = whole_column(["5", "", "6", ""], required=True)
    assert same(values, [5, math.nan, 6, math.nan])
    assert [(p.row, p.message) for p in problems] == [(3, "The value is blank."), (5, "The value is blank.")]


number_text = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=-1e16, max_value=1e16).map(lambda x: f"{x:,.2f}"),
    st.integers(-(10**17), 10**17).map(str),
    st.sampled_from(["", "n/a", "-", "1e400", "nan", "NaN", "Infinity", "95%", "1_0", "٣", "0x1f", ".", "+.5", "5."]),
    st.text(alphabet="0123456789.,-+eE%£() _", max_size=8),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(number_text, max_size=30))
def test_whole_column_parsing_matches_cell_by_cell_parsing(texts):
    texts = [t.strip() for t in texts]  # the readers strip every cell
    expected_values, expected_problems = one_by_one(texts)
    values, problems = whole_column(texts)
    assert same(values, expected_values)
    assert problems == expected_problems


def test_each_distinct_text_is_parsed_once_and_every_bad_row_reported():
    calls = []

    def parser(text):
        calls.append(text)
        if text == "bad":
            raise CellError(f"'{text}' is bad.", "Fix it.")
        return len(text)

    chk, problems = checker(["ab", "bad", "ab", "", "bad"], column="period")
    values, ok = parse_distinct(chk, "period", parser, blank=("Blank.", "Fill it."))
    chk.finish()
    assert sorted(calls) == ["ab", "bad"]
    assert values.tolist() == [2, None, 2, None, None] and ok.tolist() == [True, False, True, False, False]
    assert [(p.row, p.message) for p in problems] == [(3, "'bad' is bad."), (5, "Blank."), (6, "'bad' is bad.")]


def test_duplicated_keys_name_the_first_row():
    dup, first = duplicated_keys(
        {"code": np.array(["A", "B", "A", "A", "B"]), "period": np.array([1, 1, 1, 2, 1])},
        np.array([10, 11, 12, 13, 14]),
    )
    assert dup.tolist() == [False, False, True, False, True]
    assert first[dup].tolist() == [10, 11]
