"""Contract v2 assessment (design §4 "v2 additions"): a table of cases worked out by hand.

Each case is a tiny register written row by row, a quarter, a metric, and what
§4 says its row of the assessment must hold; the reasoning is in the comment on
the case. Nothing here was copied from the code's output.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pytest

from perfkit.assess import actions_due, assess, group_counts
from perfkit.data.register import load_register
from perfkit.narrative import draft_narrative
from perfkit.periods import parse_quarter
from tests.support.folders import COUNCIL, write_folder

NO_RAG = 'name = "No RAG Council"\n'
TWO_BANDS = COUNCIL + '\n[rag]\ntolerance = "5%/10%"\n'


@dataclass
class Case:
    id: str
    metrics: list[dict]
    targets: list[dict]
    actuals: list[dict]
    quarter: str
    code: str
    expect: dict
    council: str = COUNCIL
    extra: dict = field(default_factory=dict)


def m(code="M1", **kw):
    return {"code": code, **kw}


def t(year="2024/25", target="", quarter="", code="M1"):
    return {"code": code, "year": year, "quarter": quarter, "target": target}


def a(period="2024/25 Q2", value="", code="M1", **kw):
    return {"code": code, "period": period, "value": value, **kw}


CASES = [
    # --- two bands ------------------------------------------------------------------------------
    # 5%/10% of 80: green down to 80 - 4 = 76, amber down to 80 - 8 = 72, both edges included
    Case(
        "two bands: 76 of 80 is green",
        [m(tolerance="5%/10%")],
        [t(target="80")],
        [a(value="76")],
        "2024/25 Q2",
        "M1",
        {"status": "green", "group": "on_track", "exception": False, "green_width": 4.0, "tolerance_width": 8.0},
    ),
    Case(
        "two bands: 75.9 of 80 is amber",
        [m(tolerance="5%/10%")],
        [t(target="80")],
        [a(value="75.9")],
        "2024/25 Q2",
        "M1",
        {"status": "amber", "group": "within_tolerance"},
    ),
    Case(
        "two bands: 72.0 of 80 is amber (edge)",
        [m(tolerance="5%/10%")],
        [t(target="80")],
        [a(value="72")],
        "2024/25 Q2",
        "M1",
        {"status": "amber"},
    ),
    Case(
        "two bands: 71.9 of 80 is red",
        [m(tolerance="5%/10%")],
        [t(target="80")],
        [a(value="71.9")],
        "2024/25 Q2",
        "M1",
        {"status": "red", "group": "exception", "exception": True},
    ),
    # a blank tolerance takes [rag] tolerance = 5%/10%: 76 of 80 is green
    Case(
        "[rag] tolerance fills a blank one",
        [m()],
        [t(target="80")],
        [a(value="76")],
        "2024/25 Q2",
        "M1",
        {"status": "green"},
        council=TWO_BANDS,
    ),
    # the metric's own tolerance 2 wins over [rag]: 76 is 4 short, beyond 2 -> red
    Case(
        "a metric's own tolerance wins over [rag]",
        [m(tolerance="2")],
        [t(target="80")],
        [a(value="76")],
        "2024/25 Q2",
        "M1",
        {"status": "red"},
        council=TWO_BANDS,
    ),
    # lower is better, 5%/10% of 20: green up to 21, amber up to 22
    Case(
        "two bands, lower: 21.0 of 20 is green",
        [m(polarity="lower", unit="days", tolerance="5%/10%")],
        [t(target="20")],
        [a(value="21")],
        "2024/25 Q2",
        "M1",
        {"status": "green"},
    ),
    Case(
        "two bands, lower: 21.1 of 20 is amber",
        [m(polarity="lower", unit="days", tolerance="5%/10%")],
        [t(target="20")],
        [a(value="21.1")],
        "2024/25 Q2",
        "M1",
        {"status": "amber"},
    ),
    Case(
        "two bands, lower: 22.1 of 20 is red",
        [m(polarity="lower", unit="days", tolerance="5%/10%")],
        [t(target="20")],
        [a(value="22.1")],
        "2024/25 Q2",
        "M1",
        {"status": "red"},
    ),
    # amounts in the unit, 1/3 below 50: green to 49, amber to 47
    Case(
        "absolute bands: 49 of 50 green",
        [m(unit="number", tolerance="1/3", decimals="0")],
        [t(target="50")],
        [a(value="49")],
        "2024/25 Q2",
        "M1",
        {"status": "green"},
    ),
    Case(
        "absolute bands: 47 of 50 amber",
        [m(unit="number", tolerance="1/3", decimals="0")],
        [t(target="50")],
        [a(value="47")],
        "2024/25 Q2",
        "M1",
        {"status": "amber"},
    ),
    Case(
        "absolute bands: 46 of 50 red",
        [m(unit="number", tolerance="1/3", decimals="0")],
        [t(target="50")],
        [a(value="46")],
        "2024/25 Q2",
        "M1",
        {"status": "red"},
    ),
    # --- strict targets, at display precision ---------------------------------------------------------
    Case(
        ">50: 50.0 is not above 50 -> red",
        [m()],
        [t(target=">50")],
        [a(value="50")],
        "2024/25 Q2",
        "M1",
        {"status": "red", "comparison": ">", "target": 50.0},
        council=NO_RAG,
    ),
    Case(
        ">50: 50.1 is green",
        [m()],
        [t(target=">50")],
        [a(value="50.1")],
        "2024/25 Q2",
        "M1",
        {"status": "green"},
        council=NO_RAG,
    ),
    # decimals 0: 50.4 is shown 50, judged as shown -> not above 50
    Case(
        ">50 at 0 dp: 50.4 shows 50 -> red",
        [m(decimals="0")],
        [t(target=">50")],
        [a(value="50.4")],
        "2024/25 Q2",
        "M1",
        {"status": "red", "value": 50.0},
        council=NO_RAG,
    ),
    Case(
        ">50 at 0 dp: 50.5 shows 51 -> green",
        [m(decimals="0")],
        [t(target=">50")],
        [a(value="50.5")],
        "2024/25 Q2",
        "M1",
        {"status": "green", "value": 51.0},
        council=NO_RAG,
    ),
    Case(
        ">=50: 50.0 is green",
        [m()],
        [t(target=">=50")],
        [a(value="50")],
        "2024/25 Q2",
        "M1",
        {"status": "green", "comparison": ">="},
        council=NO_RAG,
    ),
    Case(
        "<20 (lower): 20 is red",
        [m(polarity="lower", unit="days")],
        [t(target="<20")],
        [a(value="20")],
        "2024/25 Q2",
        "M1",
        {"status": "red"},
        council=NO_RAG,
    ),
    Case(
        "<20 (lower): 19.9 is green",
        [m(polarity="lower", unit="days")],
        [t(target="<20")],
        [a(value="19.9")],
        "2024/25 Q2",
        "M1",
        {"status": "green"},
        council=NO_RAG,
    ),
    Case(
        "a bare 20 on lower means <=20: 20 is green",
        [m(polarity="lower", unit="days")],
        [t(target="20")],
        [a(value="20")],
        "2024/25 Q2",
        "M1",
        {"status": "green", "comparison": ""},
        council=NO_RAG,
    ),
    # strict with a tolerance of 2 measured from the number: 50 and 48 are amber, 47.9 red
    Case(
        ">50 tolerance 2: 50 amber",
        [m(tolerance="2")],
        [t(target=">50")],
        [a(value="50")],
        "2024/25 Q2",
        "M1",
        {"status": "amber"},
        council=NO_RAG,
    ),
    Case(
        ">50 tolerance 2: 48 amber",
        [m(tolerance="2")],
        [t(target=">50")],
        [a(value="48")],
        "2024/25 Q2",
        "M1",
        {"status": "amber"},
        council=NO_RAG,
    ),
    Case(
        ">50 tolerance 2: 47.9 red",
        [m(tolerance="2")],
        [t(target=">50")],
        [a(value="47.9")],
        "2024/25 Q2",
        "M1",
        {"status": "red"},
        council=NO_RAG,
    ),
    # --- half-yearly ------------------------------------------------------------------------------
    # H1 target 60, H2 70, year 65. A Q2 row measures H1: 62 >= 60 green
    Case(
        "half-yearly Q2 measures H1 with the H1 target",
        [m(frequency="half-yearly")],
        [t(target="60", quarter="H1"), t(target="70", quarter="H2"), t(target="65")],
        [a(value="62")],
        "2024/25 Q2",
        "M1",
        {"status": "green", "target": 60.0, "for_period": "2024/25 H1", "for_period_label": "2024/25 H1"},
        council=NO_RAG,
    ),
    # a Q4 row measures H2: 68 < 70 -> red
    Case(
        "half-yearly Q4 measures H2",
        [m(frequency="half-yearly")],
        [t(target="60", quarter="H1"), t(target="70", quarter="H2"), t(target="65")],
        [a(period="2024/25 Q4", value="68")],
        "2024/25 Q4",
        "M1",
        {"status": "red", "target": 70.0, "for_period": "2024/25 H2"},
        council=NO_RAG,
    ),
    Case(
        "half-yearly is not due in Q1",
        [m(frequency="half-yearly")],
        [t(target="65")],
        [a(period="2024/25 Q2", value="62")],
        "2024/25 Q1",
        "M1",
        {"status": "not_due", "group": "", "for_period": ""},
        council=NO_RAG,
    ),
    Case(
        "half-yearly is not due in Q3",
        [m(frequency="half-yearly")],
        [t(target="65")],
        [a(period="2024/25 Q2", value="62")],
        "2024/25 Q3",
        "M1",
        {"status": "not_due"},
        council=NO_RAG,
    ),
    Case(
        "half-yearly with no Q2 row is no_data",
        [m(frequency="half-yearly")],
        [t(target="65")],
        [a(period="2024/25 Q4", value="62")],
        "2024/25 Q2",
        "M1",
        {"status": "no_data", "group": "other"},
        council=NO_RAG,
    ),
    # no H1 target: the quarter's (Q2, 61) before the year's (65): 62 >= 61 green
    Case(
        "half's target, else the quarter's",
        [m(frequency="half-yearly")],
        [t(target="61", quarter="Q2"), t(target="65")],
        [a(value="62")],
        "2024/25 Q2",
        "M1",
        {"status": "green", "target": 61.0},
        council=NO_RAG,
    ),
    Case(
        "half's target, else the year's",
        [m(frequency="half-yearly")],
        [t(target="65")],
        [a(value="62")],
        "2024/25 Q2",
        "M1",
        {"status": "red", "target": 65.0},
        council=NO_RAG,
    ),
    # previous half (2023/24 H2, reported 2023/24 Q4) 58 -> 62 improved; same half last year 64 -> worsened
    Case(
        "half-yearly directions compare halves",
        [m(frequency="half-yearly")],
        [t(target="60")],
        [a(period="2023/24 Q2", value="64"), a(period="2023/24 Q4", value="58"), a(value="62")],
        "2024/25 Q2",
        "M1",
        {"vs_previous": "improved", "vs_last_year": "worsened", "previous_value": 58.0, "last_year_value": 64.0},
        council=NO_RAG,
    ),
    # a Q1 row for the previous year's H2 (published late) is assessed against that half's target
    Case(
        "half-yearly late figure for H2 in Q1",
        [m(frequency="half-yearly")],
        [t(year="2023/24", target="70", quarter="H2"), t(target="50")],
        [a(period="2024/25 Q1", value="71", for_period="2023/24 H2")],
        "2024/25 Q1",
        "M1",
        {"status": "green", "target": 70.0, "for_period": "2023/24 H2", "for_period_label": "2023/24 H2 outturn"},
        council=NO_RAG,
    ),
    # persistent: red for H1 (Q2) and red for H2 (Q4): the previous due period is the previous half
    Case(
        "half-yearly persistent exception",
        [m(frequency="half-yearly")],
        [t(target="60")],
        [a(period="2024/25 Q2", value="50"), a(period="2024/25 Q4", value="55")],
        "2024/25 Q4",
        "M1",
        {"status": "red", "persistent_exception": True, "previous_due": "2024/25 Q2"},
        council=NO_RAG,
    ),
    # --- later outturns (for_period) ------------------------------------------------------------------
    # a year's outturn reported in the next year's Q1 takes that year's target (45), not this year's (60)
    Case(
        "a year outturn takes its year's target",
        [m(frequency="annual")],
        [t(year="2020/21", target="45"), t(year="2021/22", target="60")],
        [a(period="2021/22 Q1", value="50", for_period="2020/21")],
        "2021/22 Q1",
        "M1",
        {"status": "green", "target": 45.0, "for_period": "2020/21", "for_period_label": "2020/21 outturn"},
        council=NO_RAG,
    ),
    # outturns of consecutive years: previous period of the same length is the previous year (40 -> 50)
    Case(
        "year outturns compare with the previous year",
        [m(frequency="annual")],
        [t(year="2020/21", target="45")],
        [
            a(period="2020/21 Q1", value="40", for_period="2019/20"),
            a(period="2021/22 Q1", value="50", for_period="2020/21"),
        ],
        "2021/22 Q1",
        "M1",
        {"vs_previous": "improved", "vs_last_year": "improved", "previous_value": 40.0},
        council=NO_RAG,
    ),
    # --- membership (start, end) ---------------------------------------------------------------------
    Case(
        "before its start a metric is not reported (never no_data)",
        [m(start="2024/25 Q1", end="2024/25 Q4")],
        [t(target="50")],
        [a(value="55")],
        "2023/24 Q4",
        "M1",
        {"reported": False},
    ),
    Case(
        "within start-end a missing figure is no_data",
        [m(start="2024/25 Q1", end="2024/25 Q4")],
        [t(target="50")],
        [a(value="55")],
        "2024/25 Q1",
        "M1",
        {"status": "no_data"},
    ),
    # the 2024/25 outturn, reported in 2025/26 Q1 after the metric left the plan: a final outturn
    Case(
        "a final outturn after the plan ended",
        [m(frequency="annual", start="2024/25 Q1", end="2024/25 Q4")],
        [t(target="50")],
        [a(period="2025/26 Q1", value="55", for_period="2024/25")],
        "2025/26 Q1",
        "M1",
        {"status": "green", "final_outturn": True, "for_period_label": "2024/25 outturn"},
    ),
    # --- milestones -----------------------------------------------------------------------------------
    # due 2024/25 Q1 (30 June 2024); Q2 ends 30 September, after it: the word stands, flagged past due
    Case(
        "milestone on track after its due date is past due",
        [m(kind="milestone", unit="", polarity="", due="2024/25 Q1")],
        [],
        [a(status="On track")],
        "2024/25 Q2",
        "M1",
        {
            "status": "on_track",
            "status_label": "On track",
            "past_due": True,
            "group": "on_track",
            "exception": False,
            "due": dt.date(2024, 6, 30),
            "computed_status": "",
            "vs_previous": "n/a",
            "symbol": "✔",
        },
    ),
    # the quarter that ends on the due date is not after it
    Case(
        "milestone in its due quarter is not past due",
        [m(kind="milestone", unit="", polarity="", due="2024/25 Q2")],
        [],
        [a(status="on track")],
        "2024/25 Q2",
        "M1",
        {"status": "on_track", "past_due": False},
    ),
    Case(
        "milestone without a row after its due date is overdue",
        [m(kind="milestone", due="2024/25 Q1")],
        [],
        [a(period="2024/25 Q1", status="On track")],
        "2024/25 Q2",
        "M1",
        {
            "status": "overdue",
            "status_label": "Overdue",
            "group": "exception",
            "exception": True,
            "past_due": True,
            "symbol": "✖",
        },
    ),
    Case(
        "milestone without a row before its due date has no update",
        [m(kind="milestone", due="2024/25 Q4")],
        [],
        [a(period="2024/25 Q1", status="On track")],
        "2024/25 Q2",
        "M1",
        {"status": "no_update", "status_label": "Awaiting update", "group": "other", "past_due": False, "symbol": "●"},
    ),
    Case(
        "an achievement carries forward",
        [m(kind="milestone", due="2024/25 Q1")],
        [],
        [a(period="2024/25 Q1", status="Achieved")],
        "2024/25 Q3",
        "M1",
        {
            "status": "achieved",
            "status_label": "Achieved previously",
            "carried": True,
            "past_due": False,
            "group": "on_track",
        },
    ),
    Case(
        "[labels] achieved_previously",
        [m(kind="milestone")],
        [],
        [a(period="2024/25 Q1", status="Achieved")],
        "2024/25 Q2",
        "M1",
        {"status_label": "Completed earlier"},
        council=COUNCIL + '\n[labels]\nachieved_previously = "Completed earlier"\n',
    ),
    Case(
        "a withdrawal carries forward with its word",
        [m(kind="milestone", due="2024/25 Q1")],
        [],
        [a(period="2024/25 Q1", status="withdrawn")],
        "2024/25 Q2",
        "M1",
        {"status": "withdrawn", "status_label": "Withdrawn", "group": "other", "past_due": False},
    ),
    # revised in Q1 to 2024/25 Q4: in Q2 the due date in force is 31 March 2025, so not past due
    Case(
        "a revised due date is in force from its row on",
        [m(kind="milestone", due="2024/25 Q1")],
        [],
        [a(period="2024/25 Q1", status="On alert", revised_due="2024/25 Q4"), a(status="On alert")],
        "2024/25 Q2",
        "M1",
        {
            "status": "at_risk",
            "past_due": False,
            "revised_due": dt.date(2025, 3, 31),
            "due_in_force": dt.date(2025, 3, 31),
            "due": dt.date(2024, 6, 30),
            "group": "within_tolerance",
        },
    ),
    # a revision given in a later quarter does not reach back: in Q2 the original due (Q1) is in force
    Case(
        "a later revision does not apply earlier",
        [m(kind="milestone", due="2024/25 Q1")],
        [],
        [a(status="On track"), a(period="2024/25 Q3", status="On track", revised_due="2025-03-31")],
        "2024/25 Q2",
        "M1",
        {"past_due": True, "revised_due": None},
    ),
    Case(
        "a milestone without a due date is never past due",
        [m(kind="milestone")],
        [],
        [a(period="2030/31 Q2", status="On track")],
        "2030/31 Q2",
        "M1",
        {"past_due": False},
    ),
    Case(
        "a milestone off track twice is a persistent exception",
        [m(kind="milestone")],
        [],
        [a(period="2024/25 Q1", status="Off track"), a(status="Off track")],
        "2024/25 Q2",
        "M1",
        {"status": "off_track", "exception": True, "persistent_exception": True, "previous_due": "2024/25 Q1"},
    ),
    Case(
        "a milestone's progress is carried to the table",
        [m(kind="milestone")],
        [],
        [a(status="On track", progress="60%")],
        "2024/25 Q2",
        "M1",
        {"progress": 60.0},
    ),
    # --- a status word on a target metric's row -------------------------------------------------
    # no figure: the word is the status; the figures gave no_data
    Case(
        "a word with no figure is the status",
        [m()],
        [t(target="50")],
        [a(status="Affected by Covid-19")],
        "2024/25 Q2",
        "M1",
        {
            "status": "paused",
            "computed_status": "no_data",
            "status_label": "Affected by Covid-19",
            "group": "other",
            "exception": False,
            "symbol": "●",
        },
    ),
    Case(
        "a word with a figure but no target is the status",
        [m()],
        [],
        [a(value="40", status="on track")],
        "2024/25 Q2",
        "M1",
        {"status": "on_track", "computed_status": "no_target", "status_label": "On track"},
    ),
    # green and on_track are both in the on track group: the word confirms; status stays green
    Case(
        "a word in the same group confirms",
        [m()],
        [t(target="50")],
        [a(value="55", status="On track")],
        "2024/25 Q2",
        "M1",
        {"status": "green", "computed_status": "green", "status_label": "On track"},
    ),
    Case(
        "amber confirmed by an at_risk word",
        [m(tolerance="5")],
        [t(target="50")],
        [a(value="47", status="On alert")],
        "2024/25 Q2",
        "M1",
        {"status": "amber", "status_label": "On alert", "group": "within_tolerance"},
    ),
    # red overridden by a word of another group, with its reason: not an exception, and red stays visible
    Case(
        "an override keeps the computed status and reason",
        [m()],
        [t(target="50")],
        [a(value="40", status="Affected by Covid-19", status_reason="Covid-19 closures")],
        "2024/25 Q2",
        "M1",
        {
            "status": "paused",
            "computed_status": "red",
            "computed_label": "Exception",
            "exception": False,
            "group": "other",
            "status_reason": "Covid-19 closures",
            "status_label": "Affected by Covid-19",
        },
    ),
    # green overridden downwards by the council's own judgement: an exception
    Case(
        "an override can make an exception",
        [m()],
        [t(target="50")],
        [a(value="55", status="Off track", status_reason="Figures flattered by a one-off")],
        "2024/25 Q2",
        "M1",
        {"status": "off_track", "computed_status": "green", "exception": True, "group": "exception"},
    ),
    # --- labels and symbols ---------------------------------------------------------------------------------
    Case(
        "[labels] name the computed statuses",
        [m()],
        [t(target="50")],
        [a(value="55")],
        "2024/25 Q2",
        "M1",
        {"status": "green", "status_label": "On track", "symbol": "✔"},
        council=COUNCIL + '\n[labels]\ngreen = "On track"\n',
    ),
    Case(
        "no data keeps its own symbol",
        [m()],
        [t(target="50")],
        [a()],
        "2024/25 Q2",
        "M1",
        {"status": "no_data", "symbol": "○", "status_label": "No data"},
    ),
    # without [statuses] the class names are the words, in any case, with _ or spaces
    Case(
        "class names are the words without [statuses]",
        [m(kind="milestone")],
        [],
        [a(status="UNDER  review")],
        "2024/25 Q2",
        "M1",
        {"status": "under_review", "status_label": "Under review"},
        council=NO_RAG,
    ),
    # --- cumulative -----------------------------------------------------------------------------------------
    Case(
        "year-to-date: n/a against the previous quarter by default",
        [m(unit="number", cumulative="yes")],
        [t(target="10")],
        [a(period="2024/25 Q1", value="5"), a(value="12")],
        "2024/25 Q2",
        "M1",
        {"vs_previous": "n/a"},
        council=NO_RAG,
    ),
    # with cumulative_trend = previous, compared as the council does, across a year boundary too: 20 -> 5 worsened
    Case(
        "year-to-date compared with the previous quarter when the council says so",
        [m(unit="number", cumulative="yes")],
        [t(target="10")],
        [a(period="2023/24 Q4", value="20"), a(period="2024/25 Q1", value="5")],
        "2024/25 Q1",
        "M1",
        {"vs_previous": "worsened"},
        council=NO_RAG + '[rag]\ncumulative_trend = "previous"\n',
    ),
]


def _row(case: Case, tmp_path):
    folder = write_folder(tmp_path / "c", case.metrics, case.targets, case.actuals, case.council)
    table = assess(load_register(folder), case.quarter).set_index("code")
    return table.loc[case.code] if case.code in table.index else None


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case, tmp_path):
    row = _row(case, tmp_path)
    expect = dict(case.expect)
    if expect.pop("reported", True) is False:
        assert row is None
        return
    assert row is not None
    for key, want in expect.items():
        got = row[key]
        if isinstance(want, float) and isinstance(got, float) and math.isnan(want):
            assert math.isnan(got), key
        else:
            assert got == want, f"{key}: {got!r} != {want!r}"


# --- counting (design §4, "Groups and counting") -----------------------------------------------------------


def _bolsover(tmp_path):
    """Seed 002: ten Customer targets, six on track and four affected by Covid-19, and two service indicators."""
    metrics = [m(f"CUS.0{i}", kind="milestone") for i in range(1, 9)]
    metrics += [m("CUS.09"), m("CUS.10"), m("SRV.01", tier="service"), m("SRV.02", tier="service", kind="trend")]
    metrics += [m("CUS.11", frequency="annual")]
    targets = [t(target="50", code=c) for c in ("CUS.09", "CUS.10", "SRV.01", "CUS.11")]
    words = ["On track"] * 5 + ["Affected by Covid-19"] * 3
    actuals = [a("2020/21 Q1", code=f"CUS.0{i}", status=w) for i, w in enumerate(words, start=1)]
    actuals += [
        a("2020/21 Q1", "55", code="CUS.09"),  # green: on track
        a("2020/21 Q1", "40", code="CUS.10", status="Affected by Covid-19", status_reason="Covid-19 closures"),
        a("2020/21 Q1", "45", code="SRV.01"),  # red
        a("2020/21 Q1", "12", code="SRV.02"),
    ]
    council = COUNCIL + '[labels]\ngreen = "On track"\n[tiers]\nplan = "Customer targets"\nservice = "KPIs"\n'
    targets = [dict(r, year="2020/21") for r in targets]
    folder = write_folder(tmp_path / "b", metrics, targets, actuals, council)
    return assess(load_register(folder), "2020/21 Q1")


def test_counting_by_tier_and_group_in_the_councils_words(tmp_path):
    plan, service = group_counts(_bolsover(tmp_path))
    # plan tier: CUS.01-05 on track, CUS.06-08 paused, CUS.09 green, CUS.10 overridden to paused; CUS.11 not due
    assert (plan.tier, plan.tier_label, plan.total, plan.not_due) == ("plan", "Customer targets", 10, 1)
    assert [(p.key, p.word, p.count) for p in plan.parts] == [
        ("on_track", "On track", 6),
        ("within_tolerance", "Within tolerance", 0),
        ("exception", "Exception", 0),
        ("paused", "Affected by Covid-19", 4),
    ]
    # service tier: SRV.01 red counted; the trend metric listed apart
    assert (service.tier_label, service.total, service.trend, service.count("exception")) == ("KPIs", 1, 1, 1)


def test_the_v2_counting_sentence(tmp_path):
    table = _bolsover(tmp_path)
    targeted = draft_narrative(table)[0]
    # the tier's name reads as a sentence writes it: "customer targets", but "KPIs" as written
    assert targeted.startswith(
        "Of the 10 customer targets for 2020/21 Q1, six are on track and four affected by Covid-19."
    )
    # a tier's name has no singular, so one due reads "one of the KPIs"
    assert "For 2020/21 Q1, one of the KPIs was due, and it is at exception." in targeted
    assert targeted.endswith("One metric is at exception: SRV.01.")


def test_final_outturns_are_counted_separately(tmp_path):
    metrics = [m("OLD", frequency="annual", end="2024/25 Q4"), m("NEW", start="2025/26 Q1")]
    folder = write_folder(
        tmp_path / "f",
        metrics,
        [t(target="50", code="OLD"), t(year="2025/26", target="50", code="NEW")],
        [a("2025/26 Q1", "55", code="OLD", for_period="2024/25"), a("2025/26 Q1", "45", code="NEW")],
        COUNCIL
        + '[[plans]]\ntitle = "Old plan"\nfrom = "2020/21 Q1"\nto = "2024/25 Q4"\n'
        + '[[plans]]\ntitle = "New plan"\nfrom = "2025/26 Q1"\nto = "2028/29 Q4"\n',
    )
    table = assess(load_register(folder), "2025/26 Q1").set_index("code")
    assert table.loc["OLD", "final_outturn"] and table.loc["OLD", "plan_title"] == "Old plan"
    assert not table.loc["NEW", "final_outturn"] and table.loc["NEW", "plan_title"] == "New plan"
    (plan,) = group_counts(table.reset_index())
    assert plan.total == 1 and plan.count("exception") == 1  # NEW only
    (final,) = group_counts(table.reset_index().loc[lambda f: f["final_outturn"]].assign(final_outturn=False))
    assert final.total == 1 and final.count("on_track") == 1


def test_actions_whose_date_has_passed_are_listed_with_the_status_now(tmp_path):
    folder = write_folder(
        tmp_path / "x",
        [m("M1"), m("M2")],
        [t(target="50", code="M1"), t(target="50", code="M2")],
        [
            a("2024/25 Q1", "40", code="M1", action="Recruit two officers", action_due="2024/25 Q2"),
            a("2024/25 Q1", "40", code="M2", action="Review the process", action_due="31/12/2024"),
            a("2024/25 Q2", "52", code="M1"),
            a("2024/25 Q2", "45", code="M2"),
        ],
    )
    reg = load_register(folder)
    q2 = actions_due(reg, "2024/25 Q2")
    # M1's action was due by 30 September 2024, the end of Q2; M2's not until 31 December
    assert q2[["code", "action", "action_due", "set_in", "status"]].values.tolist() == [
        ["M1", "Recruit two officers", dt.date(2024, 9, 30), "2024/25 Q1", "green"]
    ]
    assert actions_due(reg, "2024/25 Q1").empty  # only actions set in earlier quarters
    assert list(actions_due(reg, "2024/25 Q3")["code"]) == ["M1", "M2"]


def test_the_plan_in_force_gives_the_title_and_objectives(tmp_path):
    council = (
        'name = "C"\nplan_title = "Fallback plan"\n'
        '[[plans]]\ntitle = "Ambition 2020-24"\nfrom = "2020/21 Q1"\nto = "2023/24 Q4"\n'
        'objectives = ["Our Customers", "Our Economy"]\n'
        '[[plans]]\ntitle = "Plan 2024-28"\nfrom = "2024/25 Q1"\nto = "2027/28 Q4"\nobjectives = ["Growth"]\n'
    )
    metrics = [m("E1", objective="Our Economy"), m("C1", objective="Our Customers"), m("G1", objective="Growth")]
    acts = [a(q, "1", code=c) for q in ("2019/20 Q4", "2023/24 Q4", "2024/25 Q1") for c in ("E1", "C1", "G1")]
    reg = load_register(write_folder(tmp_path / "p", metrics, [], acts, council))
    q = parse_quarter("2023/24 Q4")
    assert reg.plan_title(q) == "Ambition 2020-24"
    assert reg.objective_order(q) == ["Our Customers", "Our Economy", "Growth"]
    assert reg.plan_title(parse_quarter("2024/25 Q1")) == "Plan 2024-28"
    assert reg.objective_order(parse_quarter("2024/25 Q1"))[0] == "Growth"
    # a quarter in no plan takes plan_title, with a warning naming it
    assert reg.plan_title(parse_quarter("2019/20 Q4")) == "Fallback plan"
    (w,) = [w for w in reg.warnings if w.column == "plans"]
    assert "2019/20 Q4" in w.message and "Fallback plan" in w.message
    table = assess(reg, "2023/24 Q4")
    assert list(table["code"]) == ["C1", "E1", "G1"] and set(table["plan_title"]) == {"Ambition 2020-24"}
