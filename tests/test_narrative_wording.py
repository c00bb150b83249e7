"""The drafted sentences read as a council officer writes them (the release review's wording follow-ups).

Each case is a small register written row by row; the expected sentences are written out by hand
from the rows: which metrics are red, which milestone is past its due date, and the council's words
in ``[labels]`` and ``[tiers]``.
"""

from __future__ import annotations

import ast

import pytest

from perfkit.assess import assess
from perfkit.data.register import load_register
from perfkit.narrative import draft_narrative, objective_paragraph, trend_phrase
from perfkit.objective import prepare_objective, targeted_paragraphs, trend_paragraphs
from perfkit.periods import parse_quarter
from perfkit.statuses import in_sentence
from tests.support import ROOT
from tests.support.folders import COUNCIL, write_folder

#: The demo council's words: red is "Off target", and the service tier has a plain-English name.
WORDS = (
    COUNCIL
    + '[labels]\ngreen = "On target"\namber = "Close to target"\nred = "Off target"\noverdue = "Overdue"\n'
    + '[tiers]\nplan = "Council Plan targets"\nservice = "Service performance indicators"\n'
)
Q2 = parse_quarter("2024/25 Q2")


def _t(code, target="50"):
    return {"code": code, "year": "2024/25", "quarter": "", "target": target}


def _a(code, value="", period="2024/25 Q2", **kw):
    return {"code": code, "period": period, "value": value, **kw}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Two red targets (one also red in Q1), one green, one overdue milestone; one service indicator, green;
    one trend metric."""
    metrics = [
        {"code": "T1", "title": "Calls answered"},
        {"code": "T2", "title": "Claims processed"},
        {"code": "T3", "title": "Rent collected"},
        {"code": "M1", "title": "Open the new depot", "kind": "milestone", "due": "2024/25 Q1"},
        {"code": "S1", "title": "Bins collected", "tier": "service"},
        {"code": "R1", "title": "Library visits", "kind": "trend", "unit": "number"},
    ]
    targets = [_t(c) for c in ("T1", "T2", "T3", "S1")]
    actuals = [
        _a("T1", "40", period="2024/25 Q1"),  # 40 of 50 is red in Q1 too (no tolerance)
        _a("T1", "40", action="Recruit two advisers", action_due="31/12/2024"),
        _a("T2", "45"),
        _a("T3", "55"),
        _a("S1", "60"),
        _a("R1", "100", period="2024/25 Q1"),
        _a("R1", "120"),
        # M1 was due by 30 June 2024 and has no update in Q2: overdue
    ]
    return write_folder(tmp_path_factory.mktemp("w") / "f", metrics, targets, actuals, WORDS)


@pytest.fixture(scope="module")
def table(folder):
    return assess(load_register(folder), Q2)


def test_metrics_and_milestones_at_exception_are_named_in_their_own_words(table):
    counting = draft_narrative(table, Q2)[0]
    # T1 and T2 red, M1 overdue: three in the "Off target" group; T3 on target
    assert counting.startswith(
        "Of the four Council Plan targets for 2024/25 Q2, one is on target and three off target. "
    )
    # the metrics by red's word, the milestone by overdue's: a milestone is never "off target"
    assert counting.endswith(
        "Two metrics are off target: Calls answered (also off target in Q1; action: Recruit two advisers, "
        "by 31 December 2024) and Claims processed. "
        "One milestone is overdue: Open the new depot (due by 30 June 2024)."
    )
    assert "The two off target" not in counting and "The one off target" not in counting


def test_a_tier_name_is_lower_case_inside_a_sentence_and_one_due_has_no_singular(table):
    counting = draft_narrative(table, Q2)[0]
    # S1 is the only service indicator: "Of the Service performance indicators for …, one is on target" did not read
    assert "For 2024/25 Q2, one of the service performance indicators was due, and it is on target." in counting
    assert "Service performance indicators" not in counting


def test_an_overdue_milestone_in_the_milestone_list(table):
    milestones = next(p for p in draft_narrative(table, Q2) if "milestone was due" in p)
    assert milestones == "One milestone was due an update: Open the new depot (overdue: it was due by 30 June 2024)."


def test_every_one_in_one_group_reads_both_or_all(tmp_path):
    metrics = [{"code": c} for c in ("T1", "T2", "T3")] + [{"code": c, "tier": "service"} for c in ("S1", "S2")]
    targets = [_t(c) for c in ("T1", "T2", "T3", "S1", "S2")]
    actuals = [_a(c, "60") for c in ("T1", "T2", "T3", "S1", "S2")]
    folder = write_folder(tmp_path / "f", metrics, targets, actuals, WORDS)
    t = assess(load_register(folder), Q2)
    # shape 0 for the plan tier, shape 1 for the service tier (the objective's number is 0)
    assert objective_paragraph(t, Q2, "Customers") == (
        "Of the three Council Plan targets for Customers, all three are on target. "
        "For Customers, two service performance indicators were due: both on target."
    )


def test_milestones_all_in_one_word(tmp_path):
    metrics = [{"code": c, "title": c, "kind": "milestone", "due": "2025/26 Q4"} for c in ("M1", "M2")]
    actuals = [_a(c, status="On track", progress="50") for c in ("M1", "M2")]
    folder = write_folder(tmp_path / "f", metrics, [], actuals, WORDS)
    paragraphs = draft_narrative(assess(load_register(folder), Q2), Q2)
    assert (
        "Of the two milestones due an update, both are on track: M1 (on track, 50% complete) and "
        "M2 (on track, 50% complete)." in paragraphs
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Service performance indicators", "service performance indicators"),
        ("Targets", "targets"),
        ("Key result indicators", "key result indicators"),
        ("Affected by Covid-19", "affected by Covid-19"),  # a capital further in stays
        ("KPIs", "KPIs"),  # an initialism
        ("RAG green", "RAG green"),
        ("Council Plan measures", "Council Plan measures"),  # a name
        ("Council targets", "Council targets"),  # "Council" is a name on its own
        ("Corporate Plan targets", "Corporate Plan targets"),  # the next word's capital: a longer name
        ("Key Performance Indicators", "Key Performance Indicators"),
        ("On track", "on track"),
        ("A", "a"),
        ("", ""),
    ],
)
def test_in_sentence(text, expected):
    assert in_sentence(text) == expected


def test_trend_phrase():
    assert trend_phrase("no_change", "Q1") == "showed no change from Q1"
    assert trend_phrase("down") == "went down"
    assert trend_phrase("n/a") == "could not be compared"


def test_objective_updates_use_only_public_names_of_the_narrative():
    tree = ast.parse((ROOT / "perfkit" / "objective.py").read_text(encoding="utf-8"))
    imported = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "narrative"
        for alias in node.names
    ]
    assert imported and not [name for name in imported if name.startswith("_")]


def test_the_objective_updates_sentences(folder):
    rep = prepare_objective(folder, Q2, "Customers")
    plan, service = (p.text for p in targeted_paragraphs(rep))
    # the objective update counts the targets with a figure: T3 green, T1 and T2 red (M1 is a milestone)
    assert plan == (
        "Regarding targeted metrics, of the three Council Plan targets for 2024/25 Q2, one is on target and two "
        "off target: Calls answered and Claims processed; Calls answered was also flagged at Q1."
    )
    assert service == "For 2024/25 Q2, one of the service performance indicators was due, and it is on target."
    # one trend metric is named by its title, not as a list ("['Library visits']" before); 100 to 120 with
    # higher better (the folder's default polarity) improved
    (trend,) = trend_paragraphs(rep)
    assert trend.text == "Regarding the one metric for trend monitoring, Library visits, it improved from Q1."
