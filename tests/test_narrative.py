import pandas as pd
import pytest

from perfkit.assess import assess
from perfkit.data.register import load_register
from perfkit.narrative import count_phrase, draft_narrative, join_words
from perfkit.periods import parse_quarter


def _table(rows):
    """A minimal assessment table built by hand."""
    base = {
        "title": "",
        "status": "green",
        "vs_previous": "n/a",
        "persistent_exception": False,
        "previous_due": "",
        "commentary": "",
    }
    frame = pd.DataFrame([{**base, **r} for r in rows])
    frame.attrs["quarter"] = parse_quarter("2024/25 Q2")
    return frame


def test_counts_and_lists_read_naturally():
    assert count_phrase(0, "metric") == "no metrics"
    assert count_phrase(1, "metric") == "one metric"
    assert count_phrase(10, "metric") == "10 metrics"
    assert join_words([]) == ""
    assert join_words(["A"]) == "A"
    assert join_words(["A", "B"]) == "A and B"


def test_the_seed_paragraph_two_exceptions_both_persistent_and_trends_all_improved():
    # seed 000 §2.3-2.4, reproduced from an assessment
    rows = [{"title": f"Metric {i}"} for i in range(31)]
    rows += [{"title": f"Amber {i}", "status": "amber"} for i in range(7)]
    rows += [
        {
            "title": "% of formal complaints responded to within 15 working days",
            "status": "red",
            "persistent_exception": True,
            "previous_due": "2024/25 Q1",
        },
        {
            "title": "% of internal reviews responded to within 20 working days",
            "status": "red",
            "persistent_exception": True,
            "previous_due": "2024/25 Q1",
        },
    ]
    rows += [{"title": f"Trend {i}", "status": "trend", "vs_previous": "improved"} for i in range(3)]
    targeted, trend, data = draft_narrative(_table(rows))
    assert targeted == (
        "Of the 40 targeted metrics rated for 2024/25 Q2, 31 are on target, seven are within tolerance and two "
        "are flagged at exception: % of formal complaints responded to within 15 working days (also at exception "
        "in Q1) and % of internal reviews responded to within 20 working days (also at exception in Q1)."
    )
    assert trend == "Three metrics are monitored for trend; all improved from Q1."
    assert data == "Every metric due this quarter has a figure."


def test_no_targeted_metrics_and_no_trend_metrics():
    targeted, trend, data = draft_narrative(_table([{"title": "Late", "status": "no_data"}]))
    assert targeted == "No targeted metric could be rated against a target for 2024/25 Q2."
    assert trend == "No metric is monitored for trend this quarter."
    assert data == "One metric has no figure for 2024/25 Q2: Late (no reason given)."


@pytest.mark.parametrize(
    "status, words",
    [("green", "is on target."), ("amber", "is within tolerance."), ("red", "is flagged at exception: Only.")],
)
def test_one_rated_metric(status, words):
    targeted = draft_narrative(_table([{"title": "Only", "status": status}]))[0]
    assert targeted == f"The one targeted metric rated for 2024/25 Q2 {words}"


def test_no_exceptions_is_said_plainly():
    targeted = draft_narrative(_table([{"title": "A"}, {"title": "B", "status": "amber"}]))[0]
    assert targeted == (
        "Of the two targeted metrics rated for 2024/25 Q2, one is on target, one is within tolerance "
        "and none is at exception."
    )


@pytest.mark.parametrize(
    "n, whole",
    [(2, "both are on target"), (6, "all six are on target"), (12, "all 12 are on target")],
)
def test_every_rated_metric_on_target_is_said_once(n, whole):
    targeted = draft_narrative(_table([{"title": f"M{i}"} for i in range(n)]))[0]
    count = {2: "two", 6: "six", 12: "12"}[n]
    assert targeted == f"Of the {count} targeted metrics rated for 2024/25 Q2, {whole}."


def test_mixed_trend_directions_are_named():
    rows = [
        {"title": "Volunteers", "status": "trend", "vs_previous": "improved"},
        {"title": "Fly-tipping reports", "status": "trend", "vs_previous": "worsened"},
        {"title": "Visitors", "status": "trend", "vs_previous": "up"},
        {"title": "Year-to-date income", "status": "trend", "vs_previous": "n/a"},
    ]
    trend = draft_narrative(_table(rows))[1]
    assert trend == (
        "Four metrics are monitored for trend: one improved (Volunteers), one went up (Visitors) and "
        "one worsened (Fly-tipping reports) from Q1; one could not be compared with Q1 "
        "(Year-to-date income)."
    )


def test_long_lists_are_cut_with_a_count():
    rows = [{"title": f"M{i}", "status": "red"} for i in range(13)]
    targeted = draft_narrative(_table(rows))[0]
    assert targeted.endswith("M8, M9 and three others.")


def test_narrative_of_the_tiny_register(tiny_dir):
    table = assess(load_register(tiny_dir), "2024/25 Q2")
    targeted, trend, data = draft_narrative(table)
    # worked out in test_assess: 3 green, 2 amber, 3 red (A1 and A12 persistent)
    assert targeted.startswith(
        "Of the eight targeted metrics rated for 2024/25 Q2, three are on target, two are "
        "within tolerance and three are flagged at exception: "
    )
    assert "% of complaints answered within 15 working days (also at exception in Q1)" in targeted
    assert "Trees planted and" in targeted and "Trees planted (also" not in targeted
    assert "% of residents satisfied with parks (also at exception in 2023/24 Q2)" in targeted
    assert trend == "One metric is monitored for trend: Number of volunteers, which improved from Q1."
    assert data == (
        "One metric has no figure for 2024/25 Q2: % of invoices paid in 30 days (Figures delayed by "
        "the move to the new finance system). One metric has a figure but no target for 2024/25: "
        "Number of apprentices. One annual metric is not due this quarter."
    )
