"""Status classes, groups, symbols and the council's words (design §3 and §4 "Labels and symbols")."""

from __future__ import annotations

import pytest

from perfkit.statuses import CLASSES, GROUPS, Vocabulary, describe, group_of, symbol

BOLSOVER = {
    "On track": "on_track",
    "Achieved": "achieved",
    "Achieved previously": "achieved",
    "On alert": "at_risk",
    "Affected by Covid-19": "paused",
    "Under review": "under_review",
    "Withdrawn": "withdrawn",
}


@pytest.mark.parametrize(
    "status, group, sym",
    [
        ("green", "on_track", "✔"),
        ("achieved", "on_track", "✔"),
        ("on_track", "on_track", "✔"),
        ("amber", "within_tolerance", "▲"),
        ("at_risk", "within_tolerance", "▲"),
        ("red", "exception", "✖"),
        ("off_track", "exception", "✖"),
        ("overdue", "exception", "✖"),
        ("paused", "other", "●"),
        ("under_review", "other", "●"),
        ("withdrawn", "other", "●"),
        ("not_started", "other", "●"),
        ("no_update", "other", "●"),
        ("no_data", "other", "○"),
        ("no_target", "other", "◇"),
        ("trend", "", "↗"),
        ("not_due", "", "–"),
    ],
)
def test_groups_and_symbols_as_section_4(status, group, sym):
    assert (group_of(status), symbol(status)) == (group, sym)


def test_every_class_has_a_group_and_a_described_status():
    assert all(group_of(c) in GROUPS for c in CLASSES)
    assert describe("paused").label == "Paused" and describe("no_update").label == "No update"


def test_words_match_ignoring_case_and_repeated_spaces():
    v = Vocabulary.from_council(BOLSOVER)
    assert v.classify("affected   BY covid-19") == "paused" and v.word(" on alert ") == "On alert"
    assert v.classify("on_track") is None  # with [statuses], only its words are accepted
    assert v.accepted()[:2] == ["On track", "Achieved"]


def test_without_statuses_the_class_names_are_the_words():
    v = Vocabulary()
    assert v.classify("Under_Review") == "under_review" and v.classify("NOT  started") == "not_started"
    assert v.classify("green") is None and v.word("on_track") == "On track"
    assert v.accepted() == list(CLASSES)


def test_labels_the_councils_then_the_first_status_word_then_the_default():
    v = Vocabulary.from_council({**BOLSOVER, "Awaiting update": "no_update"}, {"green": "On track", "overdue": "Late"})
    assert v.label("green") == "On track"  # [labels]
    assert v.label("overdue") == "Late"
    assert v.label("no_update") == "Awaiting update"  # the first [statuses] word for the class
    assert v.label("achieved_previously") == "Achieved previously"  # the default, not "Achieved"
    assert v.label("red") == "Exception" and v.label("not_due") == "Not due"
    assert v.label("paused") == "Affected by Covid-19" and v.label("not_started") == "Not started"
    assert [v.group_word(g) for g in GROUPS] == ["On track", "Within tolerance", "Exception", ""]
