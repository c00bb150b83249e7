"""Every rule of the design's §4, on the hand-made register in tests/fixtures/tiny.

Each expected status is worked out by hand in the comment beside it.
"""

import math

import pandas as pd
import pytest

from perfkit.assess import assess, direction, objective_counts, rate, summary_counts
from perfkit.data.register import load_register
from perfkit.data.typed_cells import Tolerance


@pytest.fixture
def q2(tiny_dir):
    table = assess(load_register(tiny_dir), "2024/25 Q2")
    return table.set_index("code")


def test_rounding_at_display_precision_decides_the_status(q2):
    # A2: 96.96 shown with one decimal is 97.0, which meets the target of 97 -> green
    assert q2.loc["A2", "value"] == 97.0
    assert q2.loc["A2", "status"] == "green"


def test_rounding_also_applies_to_the_previous_quarter(tiny_dir):
    # A2 in Q1: 96.94 is 96.9, below 97 with no tolerance -> red
    q1 = assess(load_register(tiny_dir), "2024/25 Q1").set_index("code")
    assert q1.loc["A2", "value"] == 96.9
    assert q1.loc["A2", "status"] == "red"


def test_relative_tolerance_is_a_share_of_the_target(q2, tiny_dir):
    # A3: target 95, tolerance 5% -> band 4.75, amber down to 90.25. 90.3 is amber; Q1's 90.2 is red.
    assert q2.loc["A3", "tolerance_width"] == pytest.approx(4.75)
    assert q2.loc["A3", "status"] == "amber"
    q1 = assess(load_register(tiny_dir), "2024/25 Q1").set_index("code")
    assert q1.loc["A3", "status"] == "red"


def test_absolute_tolerance_for_lower_is_better_includes_the_boundary(q2, tiny_dir):
    # A4: lower is better, target 20 days, tolerance 2 -> amber up to 22.0 inclusive; Q1's 22.1 is red
    assert q2.loc["A4", "status"] == "amber"
    q1 = assess(load_register(tiny_dir), "2024/25 Q1").set_index("code")
    assert q1.loc["A4", "status"] == "red"
    # and 22.1 -> 22.0 is "improved" for a lower-is-better metric
    assert q2.loc["A4", "vs_previous"] == "improved"


def test_value_from_numerator_and_denominator(q2):
    # A5: 18 of 36 cases prevented = 50.0%, target 50 -> green
    assert q2.loc["A5", "value"] == 50.0
    assert q2.loc["A5", "status"] == "green"


def test_annual_metric_without_a_row_is_not_due(q2):
    # A6 is annual and reported in Q4
    assert q2.loc["A6", "status"] == "not_due"
    assert not q2.loc["A6", "exception"]


def test_due_metric_without_a_value_is_no_data_and_keeps_its_reason(q2):
    assert q2.loc["A7", "status"] == "no_data"
    assert "new finance system" in q2.loc["A7", "commentary"]


def test_value_without_a_target_for_the_year_is_no_target(q2):
    # A8 has a target for 2023/24 only
    assert q2.loc["A8", "status"] == "no_target"
    assert math.isnan(q2.loc["A8", "target"])


def test_trend_metric_has_status_trend_and_a_direction(q2):
    # A9: 40 -> 42, higher is better
    assert q2.loc["A9", "status"] == "trend"
    assert q2.loc["A9", "vs_previous"] == "improved"
    assert q2.loc["A9", "vs_last_year"] == "n/a"  # no 2023/24 Q2 figure


def test_cumulative_metric_is_never_compared_with_the_previous_quarter(q2):
    # A10 is year to date: Q1 30 and Q2 55 are not comparable; 2023/24 Q2 was 50 -> improved
    assert q2.loc["A10", "vs_previous"] == "n/a"
    assert q2.loc["A10", "vs_last_year"] == "improved"
    assert q2.loc["A10", "status"] == "green"  # 55 >= 50


def test_quarter_specific_target_overrides_the_year_target(q2, tiny_dir):
    # A11: year target 100, Q2 target 120. Q2 110 < 120 -> red; Q1 105 >= 100 -> green
    assert q2.loc["A11", "target"] == 120
    assert q2.loc["A11", "status"] == "red"
    q1 = assess(load_register(tiny_dir), "2024/25 Q1").set_index("code")
    assert q1.loc["A11", "target"] == 100
    assert q1.loc["A11", "status"] == "green"


def test_persistent_exception_quarterly(q2):
    # A1: 80 in Q1 and 84.3 in Q2, both below 95 - 4.75 = 90.25 -> red twice
    assert q2.loc["A1", "exception"] and q2.loc["A1", "persistent_exception"]
    assert q2.loc["A1", "previous_due"] == "2024/25 Q1"
    assert q2.loc["A1", "vs_previous"] == "improved"
    assert q2.loc["A1", "vs_last_year"] == "worsened"  # 86.0 a year earlier


def test_persistent_exception_annual_looks_back_to_its_last_reporting_quarter(q2):
    # A12 is annual, reported in Q2: 74 (2023/24) and 76 (2024/25) against 80 with tolerance 3 -> red both times
    assert q2.loc["A12", "persistent_exception"]
    assert q2.loc["A12", "previous_due"] == "2023/24 Q2"


def test_a_first_exception_is_not_persistent(q2):
    # A11 was green in Q1
    assert q2.loc["A11", "exception"] and not q2.loc["A11", "persistent_exception"]


def test_summary_and_objective_counts(q2):
    table = q2.reset_index()
    counts = summary_counts(table)
    assert counts.to_dict() == {
        "green": 3,
        "amber": 2,
        "red": 3,
        "no_target": 1,
        "no_data": 1,
        "not_due": 1,
        "trend": 1,
    }
    by_obj = objective_counts(table, ["Good services", "A green place"])
    assert by_obj.loc["Good services", "red"] == 1
    assert by_obj.loc["A green place", "red"] == 2
    assert by_obj["total"].tolist() == [8, 4]


def test_objectives_follow_council_toml_order(tiny_dir):
    table = assess(load_register(tiny_dir), "2024/25 Q2")
    assert list(dict.fromkeys(table["objective"])) == ["Good services", "A green place"]


@pytest.mark.parametrize(
    "value, target, polarity, tol, expected",
    [
        (95.0, 95.0, "higher", None, "green"),
        (94.9, 95.0, "higher", None, "red"),
        (90.25, 95.0, "higher", Tolerance(0.05, True), "amber"),  # exactly on the band's edge
        (90.24, 95.0, "higher", Tolerance(0.05, True), "red"),
        (3.0, 3.0, "lower", Tolerance(0.5, False), "green"),
        (3.5, 3.0, "lower", Tolerance(0.5, False), "amber"),
        (3.6, 3.0, "lower", Tolerance(0.5, False), "red"),
        (-1.9, -2.0, "lower", Tolerance(0.05, True), "amber"),  # 5% of |-2| = 0.1
        (0.3, 0.1, "lower", Tolerance(0.2, False), "amber"),  # 0.1 + 0.2 is 0.30000000000000004 in floats
    ],
)
def test_rate_edges(value, target, polarity, tol, expected):
    assert rate(value, target, polarity, tol) == expected


def test_direction_words_depend_on_polarity():
    assert direction(10.0, 12.0, "higher") == "worsened"
    assert direction(10.0, 12.0, "lower") == "improved"
    assert direction(10.0, 12.0, "none") == "down"
    assert direction(10.0, float("nan"), "higher") == "n/a"


def test_metric_status_columns_are_present(q2):
    for col in [
        "title",
        "objective",
        "service",
        "period",
        "value",
        "target",
        "status",
        "vs_previous",
        "vs_last_year",
        "exception",
        "persistent_exception",
    ]:
        assert col in q2.columns
    assert set(q2["period"]) == {"2024/25 Q2"}
    assert isinstance(q2, pd.DataFrame)


def test_codes_match_in_any_case_and_an_unknown_code_names_the_closest(tiny_dir):
    from perfkit.errors import UnknownNameError

    reg = load_register(tiny_dir)
    table = assess(reg, "2024/25 Q2", codes=["a11", " A1 "])
    # objectives in the council's order (A1 is in Good services, A11 in A green place), not the order asked for
    assert table["code"].tolist() == ["A1", "A11"]
    assert table["status"].tolist() == ["red", "red"]
    # difflib's similarity of "a0": to "a10" 2×2/5 = 0.8; to "a1" only 2×1/4 = 0.5, under the 0.6 cut-off
    with pytest.raises(UnknownNameError, match=r"There is no metric code 'A0'\. Did you mean A10\?"):
        assess(reg, "2024/25 Q2", codes=["A0"])
