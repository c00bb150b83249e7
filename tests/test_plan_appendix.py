"""The quarterly appendix shaped by the plan (issue 14 items 1, 3 and 6), on ``tests/fixtures/plan``.

Every expected value is worked out by hand from the fixture's rows and DESIGN §3–§4, in the
comments beside it; nothing is copied from the code's output. The quarter is 2024/25 Q2
(July to September 2024, ending 30 September 2024). ``[rag] tolerance = "5%/10%"``: a figure
short of target by no more than 5% of it is green, by no more than 10% amber.

Plan tier, what each metric gives in 2024/25 Q2:

- CUS.01 91.0 against 90 → green (on track).
- CUS.02 84.3 against 95, own tolerance 5 points → amber down to 90, so red; Q1 80.0 was red
  too → a persistent exception ("also at exception in Q1").
- CUS.03 milestone, "On track", 80%, due 2024/25 Q1 (30 June 2024) revised on the Q2 row to
  2024/25 Q3 (31 December 2024) → on track, not past due.
- CUS.04 milestone, "On track", 60%, due 30 June 2024 → on track, past its due date.
- CUS.05 half-yearly: the Q2 row measures 2024/25 H1, target 80 (H1), 78.0 is short by 2.5% → green.
- CUS.06 40.0 against ">50" with tolerance 2 → red on the figures; the row says "Affected by
  Covid-19" (paused, group other) with reason "Covid-19 closures" → an override: not an
  exception, counted as affected by Covid-19.
- ENV.01 3.2 days against 3.0 (lower): 5% is 3.15, 10% is 3.3 → amber (within tolerance).
- ENV.02 milestone due 30 June 2024, last row Q1 "On track", no Q2 row → overdue (an exception).
- ENV.03 trend → not counted.
- ENV.04 milestone achieved in Q1, no Q2 row → achieved previously (on track group).
- ENV.05 annual, Q2 row gives the 2023/24 outturn 72.0 against 2023/24's 70 → green.
- ENV.06 ends 2023/24 Q4, Q2 row for 2023/24 → a final outturn of "Council Ambition 2020–2024",
  counted apart.

So the plan tier counts 10: on track 6 (CUS.01, CUS.03, CUS.04, CUS.05, ENV.04, ENV.05), within
tolerance 1 (ENV.01), exception 2 (CUS.02, ENV.02), affected by Covid-19 1 (CUS.06). Service
tier: SRV.01 25.0 days against 20 (lower; 21 green, 22 amber) → red; SRV.02 55.0 against Q2's
56 (53.2 is 5% short) → green, confirmed by "On track".
"""

from __future__ import annotations

import re
from html import escape, unescape

import pandas as pd
import pytest

from perfkit import report
from perfkit.narrative import MAX_INLINE, draft_narrative, number_word
from tests.support.generate import PLAN_FIXTURE, make_plan_register

QUARTER = "2024/25 Q2"


@pytest.fixture(scope="module")
def rep():
    return report.prepare(PLAN_FIXTURE, QUARTER)


def _appendix(rep) -> str:
    """Every section, in the notebook's order, as the notebook renders them."""
    return "".join(
        [
            report.introduction(rep),
            report.headline(rep, rep.counted()),
            report.narrative(rep, rep.assessment()),
            report.exceptions(rep, rep.exceptions()),
            report.actions_followed_up(rep, rep.actions_due()),
            report.plan_by_objective(rep, rep.plan()),
            report.service_indicators(rep, rep.service_indicators()),
            report.final_outturns(rep, rep.final_outturns()),
            report.data_notes(rep, rep.data_notes()),
        ]
    )


def _text(html: str) -> str:
    """What a reader reads: tags dropped (each a space), entities resolved, spaces collapsed."""
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return re.sub(r" ([.,;:])", r"\1", text)


def _row(html: str, code: str) -> str:
    """The table row of a metric, by its code."""
    rows = re.findall(r"<tr>.*?</tr>", html, re.S)
    (found,) = [r for r in rows if f'<span class="code">{code}</span></td>' in r]
    return found


def test_headings_follow_the_plan_objective_strategy_tactic_properly_nested(rep):
    html = report.plan_by_objective(rep)
    headings = [(int(level), _text(text)) for level, text in re.findall(r"<h([2-6])[^>]*>(.*?)</h\1>", html, re.S)]
    # objectives in council.toml's order; strategies and tactics in metrics.csv's order; ENV.06 (the
    # only metric of "Cleaner streets" without a tactic) is a final outturn, so it is not here
    assert headings == [
        (2, "Our customers"),
        (3, "Excellent and accessible services"),
        (4, "Answer customers first time"),
        (4, "Put services online"),
        (3, "Listen to customers"),
        (2, "Our environment"),
        (3, "Cleaner streets"),
        (4, "Reduce fly-tipping"),
        (3, "Recycle more"),
    ]
    # the service indicators and the final outturn are not in the plan's section
    for code in ("SRV.01", "SRV.02", "ENV.06"):
        assert f">{code}<" not in html


def test_every_commentary_in_the_data_is_in_the_appendix(rep):
    html = _appendix(rep)
    actuals = pd.read_csv(PLAN_FIXTURE / "actuals.csv", dtype=str, keep_default_na=False)
    q2 = actuals.loc[(actuals["period"] == QUARTER) & (actuals["commentary"] != "")]
    # counted in the fixture: 2024/25 Q2 rows with commentary are CUS.01-06, ENV.01, ENV.03, ENV.05, ENV.06
    # and SRV.01 (ENV.02 and ENV.04 have no Q2 row, SRV.02's has none)
    assert len(q2) == 11
    for rec in q2.to_dict("records"):
        assert escape(rec["commentary"]) in html, rec["code"]
    # escaped, never markup
    assert "&lt;60s&gt;" in html and "<60s>" not in html


def test_an_override_shows_the_computed_status_and_the_reason_everywhere(rep):
    plan = report.plan_by_objective(rep)
    cell = _text(_row(plan, "CUS.06"))
    assert "● Affected by Covid-19 On the figures: ✖ Exception. Reason: Covid-19 closures." in cell
    # not an exception: no section of its own
    assert "exc-CUS.06" not in report.exceptions(rep)
    # and in the narrative, in the council's words, with what the figures give
    assert (
        "% of people facing homelessness prevented from becoming homeless is affected by Covid-19 "
        "(Covid-19 closures); on the figures it is at exception" in report.narrative(rep)
    )


def test_the_counting_sentences_equal_the_hand_worked_counts(rep):
    html = report.headline(rep, rep.counted())
    assert (
        "Of the 10 Council Plan targets for 2024/25 Q2, six are on track, one within tolerance, "
        "two at exception and one affected by Covid-19." in html
    )
    # the tier's name inside a sentence starts in lower case (it heads its table as the council writes it)
    assert "two performance indicators were due: one on track and one at exception." in html
    # the table of the plan tier by group: 6, 1, 2, 1, and the trend metric listed apart
    plan_table = html.split("<caption>Council Plan targets by status, 2024/25 Q2: 10 counted</caption>")[1]
    plan_table = plan_table.split("</table>")[0]
    assert re.findall(r'<td class="num">(\d+)</td>', plan_table) == ["6", "1", "2", "1", "1"]
    # by objective: Our customers has CUS.01-06 (on track 4, exception 1, other 1); Our environment
    # ENV.01, 02, 04, 05 (on track 2, within tolerance 1, exception 1)
    by_obj = html.split("<caption>Council Plan targets by objective, 2024/25 Q2</caption>")[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", by_obj, re.S)[1:]
    assert [re.findall(r'class="num">(\d+)<', r) for r in rows] == [
        ["4", "0", "1", "1", "6"],
        ["2", "1", "1", "0", "4"],
    ]


def test_milestones_show_due_date_revised_due_latest_update_and_past_due(rep):
    plan = report.plan_by_objective(rep)
    cus03 = _text(_row(plan, "CUS.03"))
    # due 2024/25 Q1 (its end, 30 June 2024), revised on the Q2 row to 2024/25 Q3 (31 December 2024)
    assert "31 December 2024, revised (originally 30 June 2024)" in cus03
    assert "80% complete" in cus03 and "Testing with the residents' panel; launch in October." in cus03
    assert "past its due date" not in cus03
    cus04 = _text(_row(plan, "CUS.04"))
    assert "✔ On track — past its due date, 30 June 2024" in cus04 and "60% complete" in cus04
    env02 = _text(_row(plan, "ENV.02"))
    assert "✖ Overdue" in env02 and "No update for 2024/25 Q2." in env02
    env04 = _text(_row(plan, "ENV.04"))
    assert "✔ Achieved previously" in env04


def test_half_year_and_outturn_figures_are_labelled(rep):
    plan = report.plan_by_objective(rep)
    assert "78.0% (2024/25 H1)" in _text(_row(plan, "CUS.05"))
    assert "72.0% (2023/24 outturn)" in _text(_row(plan, "ENV.05"))
    # a strict target reads as words
    assert "more than 50.0%" in _text(_row(plan, "CUS.06"))


def test_exceptions_by_the_exception_column_with_remedial_actions(rep):
    # red CUS.02 (persistent, first), red SRV.01, overdue ENV.02; not the overridden CUS.06
    assert rep.exceptions()["code"].tolist() == ["CUS.02", "SRV.01", "ENV.02"]
    html = report.exceptions(rep)
    assert re.findall(r'<h3 id="exc-([^"]+)">', html) == ["CUS.02", "SRV.01", "ENV.02"]
    text = _text(html)
    assert "Remedial action Temporary staff recruited to clear the backlog To take effect by 31 December 2024" in text
    assert "Remedial action None recorded" in text  # ENV.02 has no action
    # a milestone has no chart: two figures for the two metrics
    assert html.count("<figure") == 2
    # in the plan's table too
    assert "Remedial action: Overtime agreed until the backlog is cleared, to take effect by 31 December 2024." in (
        _text(report.service_indicators(rep))
    )


def test_last_quarters_actions_now_due_are_followed_up(rep):
    html = report.actions_followed_up(rep)
    # set in Q1: CUS.02's due 2024/25 Q2 (30 September 2024), ENV.01's 31 August 2024; both by the end of Q2
    text = _text(html)
    assert "Two remedial actions set in earlier quarters were due to take effect by 30 September 2024." in text
    assert "Review of complaint handling 2024/25 Q1 30 September 2024 ✖ Exception" in text
    assert "New reporting app 2024/25 Q1 31 August 2024 ▲ Within tolerance" in text


def test_service_indicators_and_final_outturns_have_their_own_sections(rep):
    service = report.service_indicators(rep)
    assert service.startswith('<h2 id="service-indicators">Performance indicators</h2>')
    assert "SRV.01" in service and "SRV.02" in service
    final = report.final_outturns(rep)
    assert '<h2 id="final-outturns">Final outturns</h2>' in final and "<h3>Council Ambition 2020–2024</h3>" in final
    assert "950 (2023/24 outturn)" in _text(_row(final, "ENV.06"))


def test_front_matter_and_the_plan_in_force(rep):
    text = _text(report.introduction(rep))
    assert rep.plan_title == "Council Plan 2024–2028"  # [[plans]]: 2024/25 Q1 to 2027/28 Q4
    assert "Plan Council Plan 2024–2028" in text
    assert "Period July to September 2024 (2024/25 Q2), the period ending 30 September 2024" in text
    assert "Report of Kath Drury, Information, Engagement and Performance Manager" in text
    assert "Contact performance@example.gov.uk" in text and "Classification This report is public" in text
    assert "reports the 14 metrics of the Council Plan 2024–2028" in text


def test_a_list_of_more_than_three_is_a_bulleted_list(rep, tmp_path):
    # four milestones due an update: a lead sentence and four bullets
    html = report.narrative(rep)
    lists = re.findall(r"<ul>(.*?)</ul>", html, re.S)
    assert len(lists) == 1 and lists[0].count("<li>") == 4
    assert (
        "<p>Of the four milestones due an update, two are on track, one overdue and one achieved previously:</p>"
        in html
    )
    # three exceptions stay in the sentence: the two metrics by red's word, the milestone by overdue's
    assert (
        "Two metrics are at exception: % of complaints answered within 15 working days (also at exception in Q1; "
        "action: Temporary staff recruited to clear the backlog, by 31 December 2024) and Average days to process "
        "new benefit claims (action: Overtime agreed until the backlog is cleared, by 31 December 2024). "
        "One milestone is overdue: Buy two electric refuse vehicles (due by 30 June 2024).</p>"
    ) in unescape(html)
    # five exceptions: CUS.01 70.0 (red: 5% short of 90 is 85.5, 10% is 81) and ENV.01 4.0 (red: above 3.3)
    folder = make_plan_register(tmp_path / "plan")
    actuals = (folder / "actuals.csv").read_text(encoding="utf-8")
    actuals = actuals.replace("CUS.01,2024/25 Q2,91.0,", "CUS.01,2024/25 Q2,70.0,")
    actuals = actuals.replace("ENV.01,2024/25 Q2,3.2,", "ENV.01,2024/25 Q2,4.0,")
    (folder / "actuals.csv").write_text(actuals, encoding="utf-8")
    worse = report.prepare(folder, QUARTER)
    first = draft_narrative(worse.table)[0]
    metrics, milestone = first.split("\n\n")  # a sentence after a list starts a new paragraph
    lead, *items = metrics.split("\n")
    # five exceptions in all, more than MAX_INLINE: the four metrics are a list, the lone milestone a sentence
    assert lead.endswith("Four metrics are at exception:") and len(items) == 4 and 4 + 1 > MAX_INLINE
    assert all(item.startswith("- ") for item in items)
    assert milestone == "One milestone is overdue: Buy two electric refuse vehicles (due by 30 June 2024)."
    html = report.narrative(worse)
    assert html.count("<li>") == 4 + 4  # the exception metrics and the milestones


def test_numbers_follow_govuk_style(rep):
    # one to nine in words, 10 and over in figures
    assert [number_word(n) for n in (1, 2, 9, 10, 11, 1234)] == ["one", "two", "nine", "10", "11", "1,234"]
    text = " ".join(draft_narrative(rep.table))
    # no count from one to nine as a figure before the words counts are written with
    assert not re.search(r"\b[1-9] (are|is|were|on track|at exception|within|affected|metrics?|milestones?)\b", text)
    assert "Of the 10 Council Plan targets" in text and "six are on track" in text


def test_sentence_shapes_vary_across_paragraphs(rep):
    html = report.narrative(rep)
    paragraphs = [_text(p) for p in re.findall(r"<p>(.*?)</p>", html, re.S)]
    openings = [" ".join(p.split()[:3]) for p in paragraphs]
    # the tier sentences and the objectives' paragraphs each open differently
    assert openings[0] == "Of the 10"
    objectives = [p for p in paragraphs if "Our customers" in p.split(",")[0] or "Our environment" in p.split(",")[0]]
    assert len(objectives) == 2
    assert objectives[0].startswith("Of the six Council Plan targets for Our customers")
    assert objectives[1].startswith("For Our environment, four Council Plan targets were due:")
    assert len(set(openings)) == len(openings)


def test_a_v1_register_keeps_its_v1_summary(tiny_dir):
    # the v1 wording is checked word for word by tests/test_golden_v1.py; here, the appendix shows it
    rep = report.prepare(tiny_dir, "2024/25 Q2")
    assert not rep.v2
    html = report.narrative(rep)
    assert "<ul>" not in html
    assert html.startswith("<p>Of the eight targeted metrics rated for 2024/25 Q2, three are on target")
    assert report.actions_followed_up(rep) == "" and report.service_indicators(rep) == ""


def test_two_overrides_are_a_sentence_each_with_reason_and_rating(tmp_path):
    # ENV.01's 3.2 days is amber (within tolerance); "Under review" is in the other group: an override
    folder = make_plan_register(tmp_path / "plan")
    actuals = (folder / "actuals.csv").read_text(encoding="utf-8")
    actuals = actuals.replace(
        "ENV.01,2024/25 Q2,3.2,Extra crew on Fridays since August.,,",
        "ENV.01,2024/25 Q2,3.2,Extra crew on Fridays since August.,Under review,Contract retendered",
    )
    (folder / "actuals.csv").write_text(actuals, encoding="utf-8")
    paragraphs = draft_narrative(report.prepare(folder, QUARTER).table)
    assert paragraphs[1] == (
        "Two figures are reported in the service's own words rather than as rated. "
        "% of people facing homelessness prevented from becoming homeless is affected by Covid-19 "
        "(Covid-19 closures); on the figures it is at exception. "
        "Average days to remove fly-tipping is under review (Contract retendered); "
        "on the figures it is within tolerance."
    )


def test_the_headline_charts_what_the_figures_give(rep):
    html = report.headline(rep, rep.counted())
    (alt,) = re.findall(r'alt="(Bar chart[^"]*)"', html)
    # targets and trend metrics of both tiers, milestones left to the tables, an override as its figures rate
    # it: Our customers CUS.01, CUS.05, SRV.02 green and CUS.02, CUS.06 (overridden), SRV.01 red; Our
    # environment ENV.05 green, ENV.01 amber, ENV.03 trend (ENV.06, a final outturn, is not counted).
    # In the tables' groups and words: the council calls green "On track" ([labels]); amber and red keep
    # the default words
    assert alt == (
        "Bar chart of the 9 targets and indicators by group (as their figures rate them) for each objective. "
        "Our customers: 3 on track, 3 exception; Our environment: 1 on track, 1 within tolerance, 1 trend."
    )
