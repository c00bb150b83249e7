"""One objective's update (seed 000) and the achievements and challenges of design §7, on a council worked by hand.

The folder is tests/support/objective_folder.py: its docstring has the table of every
metric's figures and why it is or is not listed. The expected values here are read from
that table and the rules of design §4 and §7, not from perfkit's output.
"""

import re

import pytest

from perfkit import objective as obj
from perfkit.achievements import achievements, challenges, render_achievements
from perfkit.data.register import load_register
from perfkit.errors import UsageError
from perfkit.periods import Quarter
from perfkit.report import key_achievements, key_challenges, prepare
from perfkit.slugs import slug, slug_problems
from perfkit.validate import validate_folder
from tests.support import FIXTURES, ROOT
from tests.support.folders import COUNCIL, write_folder
from tests.support.objective_folder import TITLES, write_objective_folder

Q2 = Quarter(2024, 2)


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    return load_register(write_objective_folder(tmp_path_factory.mktemp("objective") / "data"))


@pytest.fixture(scope="module")
def customers(register):
    return obj.prepare_objective(register, "2024/25 Q2", "CUSTOMERS")


def test_the_counts_sentence_is_the_hand_worked_one(customers):
    # targets due: C1 red, C2 green, C3 amber, C4 red, C5 green, C6 green, C9 paused (an override) = 7;
    # C1 was red in Q1 too (80 < 85.5), C4 was green in Q1 (9 <= 10)
    [p] = obj.targeted_paragraphs(customers)
    assert p.text == (
        "Regarding targeted metrics, of the seven Council Plan targets for 2024/25 Q2, three are on target, "
        "one within tolerance, one affected by Covid-19 and two flagged at exception: Complaints answered on "
        "time and Days to answer letters; Complaints answered on time was also flagged at Q1."
    )
    assert p.items == ()


def test_more_than_three_exceptions_are_a_bulleted_list(customers):
    rows = customers.targeted().copy()
    rows.loc[rows["code"].isin(["C2", "C3", "C5"]), "group"] = "exception"  # five exceptions now
    [p] = obj.targeted_paragraphs(customers, rows)
    # C6 is the one green left; C9 is still overridden
    assert p.text == (
        "Regarding targeted metrics, of the seven Council Plan targets for 2024/25 Q2, one is on target, one "
        "affected by Covid-19 and five flagged at exception:"
    )
    assert p.items == (
        "Complaints answered on time (also flagged at Q1)",
        "Calls answered",
        "Emails answered in five days",
        "Days to answer letters",
        "Residents using the app",
    )
    assert "<ul><li>Complaints answered on time (also flagged at Q1)</li>" in p.html()


def test_numbers_of_10_and_over_are_figures(customers):
    import pandas as pd

    rows = pd.concat([customers.targeted()] * 2)  # every count doubled: 14 targets
    [p] = obj.targeted_paragraphs(customers, rows)
    assert p.text == (
        "Regarding targeted metrics, of the 14 Council Plan targets for 2024/25 Q2, six are on target, two within "
        "tolerance, two affected by Covid-19 and four flagged at exception:"
    )
    assert len(p.items) == 4


def test_trend_and_milestone_sentences(customers):
    # C7 10 -> 12 improved, C8 5 -> 4 worsened (both higher is better)
    assert [p.text for p in obj.trend_paragraphs(customers)] == [
        "Regarding the two metrics for trend monitoring, compared with Q1, one improved (Web visits) and one "
        "worsened (Library loans)."
    ]
    # M1 Achieved, M2 Achieved previously, M3 On track (due 2024/25 Q1: past due), M4 Off track (past due)
    assert [p.text for p in obj.milestone_paragraphs(customers)] == [
        "Of the four milestones, one is achieved, one achieved previously, one on track and one off track.",
        "Replace the phone system (due 30 June 2024) and Move forms to the new platform (due 30 June 2024) are "
        "past their due date.",
    ]


def test_all_improving_trends_read_as_the_seed_does(customers):
    rows = customers.trend().copy()
    rows["vs_previous"] = "improved"
    assert obj.trend_paragraphs(customers, rows)[0].text == (
        "Regarding the two metrics for trend monitoring, both are showing improved trends from Q1."
    )


def test_the_objective_report_holds_only_its_objectives_rows(customers):
    assert set(customers.rows()["code"]) == {c for c in TITLES if c != "P1"}
    assert customers.strategies() == [
        ("Answer first time", ["Online forms", "Phone lines"]),
        ("Listen to residents", []),
    ]


def test_achievements_follow_design_7_order(register, customers):
    rows = customers.achievements()
    # highlights of the objective in file order, then milestones achieved this quarter (M1, not M2,
    # achieved in Q1 already), then green metrics that improved: C2 on Q1, C5 (no Q1 figure) on a year ago
    assert list(zip(rows["source"], rows["code"], rows["text"], strict=True)) == [
        ("highlight", "", "Launched the new website"),
        ("highlight", "", "1,099 residents answered the survey"),
        ("milestone", "M1", ""),
        ("metric", "C2", ""),
        ("metric", "C5", ""),
    ]
    assert list(rows["compared_with"].iloc[3:]) == ["2024/25 Q1", "2023/24 Q2"]
    assert list(rows["previous_value"].iloc[3:]) == [95.0, 55.0]
    assert list(rows["commentary"].iloc[2:]) == ["Opened in August.", "New call routing.", "App relaunched."]
    # the whole council's: every highlight of the quarter (Parks' has no objective), in file order
    council = achievements(prepare(register, "2024/25 Q2").table, register)
    assert list(council["text"].iloc[:4]) == [
        "Launched the new website",
        "Green Flag award for the park",
        "Town centre reopened",
        "1,099 residents answered the survey",
    ]
    assert list(council["code"].iloc[4:]) == ["M1", "C2", "C5"]


def test_challenges_follow_design_7_order(customers):
    rows = customers.challenges()
    # the highlight about C1 (which takes C1's objective), the exception group in table order (C1, C4 and
    # the off-track milestone M4, past due but listed once), then past-due milestones not already listed (M3)
    assert list(zip(rows["source"], rows["code"], strict=True)) == [
        ("highlight", "C1"),
        ("exception", "C1"),
        ("exception", "C4"),
        ("exception", "M4"),
        ("past_due", "M3"),
    ]
    assert list(rows["action"]) == ["", "Recruit two advisers", "", "Re-tender", ""]
    assert "C9" not in set(rows["code"])  # overridden to "Affected by Covid-19": not an exception


def test_a_highlight_about_no_objective_is_only_in_the_quarterly_appendix_under_its_service(register, customers):
    rep = prepare(register, "2024/25 Q2")
    html = key_achievements(rep)
    assert "<h3>Service: Parks</h3>" in html and "Green Flag award for the park" in html
    assert html.index("<h3>Customers</h3>") < html.index("<h3>Place</h3>") < html.index("<h3>Service: Parks</h3>")
    assert "Green Flag" not in render_achievements(customers.achievements())
    assert "Green Flag" not in obj.key_achievements(customers)
    challenges_html = key_challenges(rep)
    assert "Action: Recruit two advisers (to take effect by 31 December 2024)" in challenges_html
    assert "<h3>Place</h3>" in challenges_html and "Trees planted (P1)" in re.sub(r"<[^>]+>", "", challenges_html)
    # nothing about another objective in this one's lists
    place = obj.prepare_objective(register, Q2, "place")
    assert list(challenges(place.table, register, "Place")["code"]) == ["P1"]
    assert list(place.achievements()["text"]) == ["Town centre reopened"]


def test_objective_names_match_in_any_case_or_by_slug(register):
    assert obj.match_objective("  customers ", ["Customers", "Place"]) == "Customers"
    assert obj.match_objective("place", ["Customers", "Place"]) == "Place"
    chosen, notes = obj.resolve_objectives(register, ["all"], [Q2])
    assert chosen == {Q2: ["Customers", "Place"]} and notes == []
    # the notebook opened in JupyterLab, with no objective set: the plan's first
    assert obj.prepare_objective(register, "2024/25 Q2").objective == "Customers"


def test_an_unknown_objective_lists_the_objectives(register):
    with pytest.raises(UsageError) as caught:
        obj.resolve_objectives(register, ["Custmers"], [Q2])
    message = str(caught.value)
    assert "There is no objective 'Custmers' in the plan in force in 2024/25 Q2. Did you mean Customers?" in message
    assert message.endswith("The objectives are:\n  - Customers\n  - Place")


def test_quarters_whose_plan_lacks_the_objective_are_skipped_with_a_note(tmp_path):
    council = (
        COUNCIL.replace('objectives = ["Customers"]', "")
        + '\n[[plans]]\ntitle = "Plan A"\nfrom = "2024/25 Q1"\nto = "2024/25 Q1"\nobjectives = ["Customers", "Place"]\n'
        + '\n[[plans]]\ntitle = "Plan B"\nfrom = "2024/25 Q2"\nto = "2024/25 Q4"\nobjectives = ["Customers"]\n'
    )
    metrics = [{"code": "C1"}, {"code": "P1", "objective": "Place"}]
    actuals = [{"code": c, "period": q, "value": 1} for c in ("C1", "P1") for q in ("2024/25 Q1", "2024/25 Q2")]
    register = load_register(write_folder(tmp_path, metrics, [], actuals, council))
    q1 = Quarter(2024, 1)
    chosen, notes = obj.resolve_objectives(register, ["PLACE"], [q1, Q2])
    assert chosen == {q1: ["Place"]}
    assert notes == ["2024/25 Q2: the plan then has no objective 'PLACE', so no report is made for it."]
    chosen, _ = obj.resolve_objectives(register, ["all"], [q1, Q2])
    assert chosen == {q1: ["Customers", "Place"], Q2: ["Customers"]}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("A Great Place to Access Good Public Services", "a-great-place-to-access-good-public-services"),
        ("Café & Leisure – 2024/25", "cafe-leisure-2024-25"),  # accents off, each run of others one '-'
        ("  --Housing--  ", "housing"),
        ("Straße", "strasse"),
        ("x" * 59 + " y", "x" * 59),  # cut at 60, never ending in '-'
        ("–", ""),
    ],
)
def test_slug_rule_of_design_6(name, expected):
    assert slug(name) == expected
    assert len(slug(name)) <= 60


def test_empty_and_colliding_objective_slugs_are_validation_errors(tmp_path):
    council = COUNCIL.replace('objectives = ["Customers"]', 'objectives = ["Work & Skills", "Work skills", "–"]')
    one = [{"code": "C1", "period": "2024/25 Q2", "value": 1}]
    folder = write_folder(tmp_path, [{"code": "C1", "objective": "Work & Skills"}], [], one, council)
    report = validate_folder(folder)
    assert not report.ok
    messages = [(p.file, p.column, p.message) for p in report.errors]
    assert (
        "council.toml",
        "objectives",
        "The objectives 'Work & Skills' and 'Work skills' would have the same file name (objective-work-skills).",
    ) in messages
    assert any(m.startswith("The objective '–' has no letter or digit") for _, _, m in messages)
    # a slug shared by an objective only metrics.csv names and one council.toml lists
    folder2 = write_folder(tmp_path / "two", [{"code": "C1", "objective": "customers!"}], [], one, COUNCIL)
    assert [p.message for p in validate_folder(folder2).errors] == [
        "The objectives 'Customers' and 'customers!' would have the same file name (objective-customers)."
    ]
    assert slug_problems(["Customers", "Place"], "objective", "council.toml", "objectives") == []


# --- actions followed up and final outturns, on the v2 demo ----------------------------------------------
# From data/demo/actuals.csv, the actions set before 2024/25 Q2 and due by its end (30 September 2024):
# SRV.01 and SRV.02 (set in Q1, due Q2), LIV.06 (Q1, due Q2), LIV.M2 (set in 2023/24 Q4, due 2024/25 Q1)
# and ENV.M2 (Q1, due Q2); ENV.07's is due in Q3, and the actions set in Q2 are not yet due. ENV.10 is
# in the earlier plan only and its 2022/23 outturn is published in 2024/25 Q2 (data/demo/README.md).


@pytest.fixture(scope="module")
def demo_updates():
    register = load_register(ROOT / "data" / "demo")
    return {o: obj.prepare_objective(register, "2024/25 Q2", o) for o in obj.objectives_in(register, Q2)}


def test_each_objective_follows_up_only_its_own_metrics_actions(demo_updates):
    got = {o: rep.actions_due()[["code", "set_in"]].values.tolist() for o, rep in demo_updates.items()}
    assert got == {
        "A great place to work": [],
        "A great place to access good public services": [["SRV.01", "2024/25 Q1"], ["SRV.02", "2024/25 Q1"]],
        # latest action first
        "A great place to live well": [["LIV.06", "2024/25 Q1"], ["LIV.M2", "2023/24 Q4"]],
        "A great place that cares for the environment": [["ENV.M2", "2024/25 Q1"]],
    }


def test_the_actions_section_says_what_became_of_each(demo_updates):
    text = _text(obj.actions_followed_up(demo_updates["A great place that cares for the environment"]))
    assert text.startswith("Remedial actions followed up One remedial action set in an earlier quarter was due")
    assert "Agree a connection date with the distribution network operator" in text
    assert "Overdue" in text  # ENV.M2 is still overdue in Q2
    none = _text(obj.actions_followed_up(demo_updates["A great place to work"]))
    assert none == (
        "Remedial actions followed up No remedial action set in an earlier quarter was due by 30 September 2024."
    )


def test_a_v1_register_has_neither_section():
    # the v1 demo records no actions and has one plan, so both sections are left out, headings included
    register = load_register(FIXTURES / "demo_v1")
    assert not register.v2
    for o in obj.objectives_in(register, Q2):
        rep = obj.prepare_objective(register, "2024/25 Q2", o)
        assert rep.actions_due().empty and rep.final_outturns().empty
        assert obj.actions_followed_up(rep) == "" and obj.final_outturns(rep) == ""


def test_final_outturns_of_the_earlier_plan_appear_under_their_objective_only(demo_updates):
    finals = {o: rep.final_outturns()["code"].tolist() for o, rep in demo_updates.items()}
    assert finals == {
        "A great place to work": [],
        "A great place to access good public services": [],
        "A great place to live well": [],
        "A great place that cares for the environment": ["ENV.10"],
    }
    assert obj.final_outturns(demo_updates["A great place to work"]) == ""
    text = _text(obj.final_outturns(demo_updates["A great place that cares for the environment"]))
    assert text.startswith("Final outturns Figures for the last period of an earlier plan")
    assert "ENV.10" in text and "Council Plan 2020" in text
    # the objective's own tables leave it out: it is counted apart
    assert "ENV.10" not in demo_updates["A great place that cares for the environment"].rows()["code"].tolist()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
