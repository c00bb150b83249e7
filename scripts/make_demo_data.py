"""Generate the synthetic "Demo District Council" register in data/demo/ (contract v2).

Seeded, so running it again gives the same files. The figures are invented but
shaped like a district council's: seasonal demand, slow improvement, a couple
of services under strain. The latest quarter (2024/25 Q2) is steered so that
every status appears, including two persistent exceptions and a metric with
no data and its reason, the things a report must handle.

The folder uses every part of contract v2 (DESIGN.md §3, §4), so the reports
can be seen doing each: two plans in ``[[plans]]``, objectives → strategies →
tactics (:data:`PLAN`), plan and service tiers, the council's own status words,
milestones, an override and a confirming word, a half-yearly metric, a strict
target, two tolerance bands, a metric that starts part-way, outturns published a
year later (one from the earlier plan: a final outturn), remedial actions, and
``highlights.csv``. ``data/demo/README.md`` maps each feature to its metric.

The 39 metrics of the v1 demo keep their random series (drawn first, in the
same order, from the same seed); everything v2 added is written out by hand
below, so it can be read and checked without running anything.

    python scripts/make_demo_data.py
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import perfkit as pk

OUT = Path(__file__).resolve().parent.parent / "data" / "demo"
FIRST, LAST = pk.Quarter(2022, 1), pk.Quarter(2024, 2)
YEARS = (2022, 2023, 2024)

WORK = "A great place to work"
SERVICES = "A great place to access good public services"
LIVE = "A great place to live well"
ENV = "A great place that cares for the environment"


@dataclass
class M:
    """A figure-based metric whose series is drawn at random (the v1 demo's 39)."""

    code: str
    title: str
    objective: str
    service: str
    owner: str
    unit: str
    polarity: str
    kind: str
    base: float  # level in 2022/23 Q1
    slope: float = 0.0  # change per quarter
    noise: float = 1.0
    target: float | None = None  # year target (all years unless targets given)
    targets: dict = field(default_factory=dict)  # {(start_year, quarter or 0): target}
    frequency: str = "quarterly"
    tolerance: str = ""
    decimals: int = 1
    cumulative: bool = False
    seasonal: tuple = (0, 0, 0, 0)
    denominator: int = 0  # > 0: give numerator and denominator instead of value
    report_quarter: int = 0  # annual metrics: the quarter they are reported in
    fixed: dict = field(default_factory=dict)  # {Quarter: value} overrides
    lo: float = 0.0
    hi: float = float("inf")
    comparison: str = ""  # written before every target: ">" for a strict target
    start: str = ""


METRICS = [
    # A great place to work
    M(
        "WRK.01",
        "Average working days lost to sickness per employee",
        WORK,
        "Human Resources",
        "Head of HR",
        "days",
        "lower",
        "target",
        2.4,
        -0.02,
        0.15,
        target=2.2,
        tolerance="10%",
        decimals=2,
        seasonal=(-0.1, -0.2, 0.1, 0.3),
    ),
    M(
        "WRK.02",
        "Staff turnover (%)",
        WORK,
        "Human Resources",
        "Head of HR",
        "percent",
        "lower",
        "target",
        3.4,
        -0.03,
        0.3,
        target=3.5,
        tolerance="0.5",
    ),
    M(
        "WRK.03",
        "% of staff appraisals completed",
        WORK,
        "Human Resources",
        "Head of HR",
        "percent",
        "higher",
        "target",
        84,
        0.9,
        1.5,
        target=90,
        tolerance="5",
        lo=0,
        hi=100,
    ),
    M(
        "WRK.04",
        "% of mandatory training completed",
        WORK,
        "Human Resources",
        "Head of HR",
        "percent",
        "higher",
        "target",
        88,
        0.5,
        1.0,
        target=90,
        tolerance="3",
        lo=0,
        hi=100,
    ),
    M(
        "WRK.05",
        "Number of apprentices in post",
        WORK,
        "Human Resources",
        "Head of HR",
        "number",
        "higher",
        "target",
        9,
        0.3,
        1.0,
        target=12,
        tolerance="2",
        decimals=0,
    ),
    M(
        "WRK.06",
        "Staff engagement score (annual staff survey)",
        WORK,
        "Human Resources",
        "Head of HR",
        "percent",
        "higher",
        "target",
        72,
        1.2,
        1.0,
        target=75,
        tolerance="3",
        decimals=0,
        frequency="annual",
        report_quarter=4,
        lo=0,
        hi=100,
    ),
    M(
        "WRK.07",
        "Agency staff spend (£000, year to date)",
        WORK,
        "Finance",
        "Chief Finance Officer",
        "currency",
        "lower",
        "trend",
        95,
        2,
        8,
        decimals=0,
        cumulative=True,
    ),
    # A great place to access good public services
    M(
        "SRV.01",
        "% of formal complaints responded to within 15 working days",
        SERVICES,
        "Customer Services",
        "Customer Services Manager",
        "percent",
        "higher",
        "target",
        92,
        0.0,
        1.5,
        target=95,
        tolerance="5%",
        denominator=140,
        fixed={pk.Quarter(2024, 1): (82, 100), pk.Quarter(2024, 2): (97, 115)},
    ),
    M(
        "SRV.02",
        "% of internal reviews responded to within 20 working days",
        SERVICES,
        "Customer Services",
        "Customer Services Manager",
        "percent",
        "higher",
        "target",
        93,
        0.0,
        2.0,
        target=95,
        tolerance="5%",
        denominator=40,
        fixed={pk.Quarter(2024, 1): (31, 38), pk.Quarter(2024, 2): (30, 36)},
    ),
    M(
        "SRV.03",
        "% of Freedom of Information requests answered within 20 working days",
        SERVICES,
        "Legal and Democratic",
        "Information Governance Officer",
        "percent",
        "higher",
        "target",
        91,
        0.5,
        1.5,
        target=95,
        tolerance="5%",
        denominator=180,
    ),
    M(
        "SRV.04",
        "% of calls to the contact centre answered",
        SERVICES,
        "Customer Services",
        "Customer Services Manager",
        "percent",
        "higher",
        "target",
        88,
        0.4,
        1.2,
        target=90,
        tolerance="3",
        seasonal=(0.5, 0, 0.5, -1.5),
        lo=0,
        hi=100,
    ),
    M(
        "SRV.05",
        "Average time to answer a call (seconds)",
        SERVICES,
        "Customer Services",
        "Customer Services Manager",
        "number",
        "lower",
        "target",
        95,
        -2.5,
        6,
        target=90,
        tolerance="10%",
        decimals=0,
        seasonal=(0, -5, 0, 15),
    ),
    M(
        "SRV.06",
        "% of council tax collected (year to date)",
        SERVICES,
        "Revenues and Benefits",
        "Revenues Manager",
        "percent",
        "higher",
        "target",
        0,
        0,
        0.25,
        cumulative=True,
        tolerance="0.5",
        targets={(y, q): t for y in YEARS for q, t in zip((1, 2, 3, 4), (29.0, 56.5, 84.0, 97.5), strict=True)},
        fixed={},
        lo=0,
        hi=100,
    ),
    M(
        "SRV.07",
        "% of business rates collected (year to date)",
        SERVICES,
        "Revenues and Benefits",
        "Revenues Manager",
        "percent",
        "higher",
        "target",
        0,
        0,
        0.4,
        cumulative=True,
        tolerance="1",
        targets={(y, q): t for y in YEARS for q, t in zip((1, 2, 3, 4), (30.0, 57.0, 83.0, 98.0), strict=True)},
        lo=0,
        hi=100,
    ),
    M(
        "SRV.08",
        "Average days to process new Housing Benefit claims",
        SERVICES,
        "Revenues and Benefits",
        "Benefits Manager",
        "days",
        "lower",
        "target",
        19,
        -0.2,
        1.0,
        target=18,
        tolerance="2",
    ),
    M(
        "SRV.09",
        "Average days to process changes of circumstances",
        SERVICES,
        "Revenues and Benefits",
        "Benefits Manager",
        "days",
        "lower",
        "target",
        7.5,
        -0.1,
        0.6,
        target=8,
        tolerance="1",
    ),
    M(
        "SRV.10",
        "% of undisputed invoices paid within 30 days",
        SERVICES,
        "Finance",
        "Chief Finance Officer",
        "percent",
        "higher",
        "target",
        96,
        0.1,
        0.6,
        target=97,
        tolerance="1",
        lo=0,
        hi=100,
        fixed={pk.Quarter(2024, 2): None},
    ),
    M(
        "SRV.11",
        "% of transactions completed online",
        SERVICES,
        "Digital Services",
        "Digital Services Manager",
        "percent",
        "higher",
        "trend",
        41,
        1.4,
        1.0,
        lo=0,
        hi=100,
    ),
    M(
        "SRV.12",
        "Number of residents registered for an online account",
        SERVICES,
        "Digital Services",
        "Digital Services Manager",
        "number",
        "higher",
        "target",
        0,
        0,
        0,
        decimals=0,
        fixed={pk.Quarter(2024, 1): 1840, pk.Quarter(2024, 2): 3215},
        start="2024/25 Q1",  # counted from the quarter the online account went live (SRV.M1)
    ),
    M(
        "SRV.13",
        "Contact centre customer satisfaction (%)",
        SERVICES,
        "Customer Services",
        "Customer Services Manager",
        "percent",
        "higher",
        "trend",
        86,
        0.3,
        1.0,
        decimals=0,
        lo=0,
        hi=100,
    ),
    # A great place to live well
    M(
        "LIV.01",
        "% of households facing homelessness where it was prevented",
        LIVE,
        "Housing Options",
        "Housing Options Manager",
        "percent",
        "higher",
        "target",
        56,
        0.2,
        4,
        target=50,
        comparison=">",  # "more than 50%", as Bolsover's CUS.06 (seed 002): 50.0% is not enough
        tolerance="5",
        denominator=36,
        fixed={pk.Quarter(2024, 2): (18, 36)},
    ),
    M(
        "LIV.02",
        "Number of affordable homes delivered (year to date)",
        LIVE,
        "Strategic Housing",
        "Strategic Housing Manager",
        "number",
        "higher",
        "target",
        0,
        0,
        0,
        decimals=0,
        cumulative=True,
        targets={(y, q): t for y in YEARS for q, t in zip((1, 2, 3, 4), (15, 35, 55, 80), strict=True)},
    ),
    M(
        "LIV.03",
        "Average days to re-let council homes",
        LIVE,
        "Housing Management",
        "Housing Management Manager",
        "days",
        "lower",
        "target",
        30,
        0.4,
        2.0,
        target=28,
        tolerance="10%",
        decimals=0,
        fixed={pk.Quarter(2024, 1): 29, pk.Quarter(2024, 2): 35},
    ),
    M(
        "LIV.04",
        "% of major planning applications decided within 13 weeks",
        LIVE,
        "Planning",
        "Planning Manager",
        "percent",
        "higher",
        "target",
        88,
        0.3,
        3,
        target=90,
        tolerance="5",
        lo=0,
        hi=100,
    ),
    M(
        "LIV.05",
        "% of minor planning applications decided within 8 weeks",
        LIVE,
        "Planning",
        "Planning Manager",
        "percent",
        "higher",
        "target",
        82,
        0.6,
        2.5,
        target=85,
        tolerance="5",
        lo=0,
        hi=100,
    ),
    M(
        "LIV.06",
        "Number of disabled facilities grants completed",
        LIVE,
        "Private Sector Housing",
        "Private Sector Housing Manager",
        "number",
        "higher",
        "target",
        22,
        0.3,
        3,
        target=22,
        tolerance="3",
        decimals=0,
    ),
    M(
        "LIV.07",
        "Visits to council leisure centres",
        LIVE,
        "Leisure",
        "Leisure Manager",
        "number",
        "higher",
        "trend",
        118000,
        1500,
        3500,
        decimals=0,
        seasonal=(0, -6000, -2000, 9000),
    ),
    M(
        "LIV.08",
        "% of residents satisfied with their local area (residents' survey)",
        LIVE,
        "Policy and Performance",
        "Information, Engagement and Performance Manager",
        "percent",
        "higher",
        "target",
        74,
        0.6,
        1.0,
        target=75,
        tolerance="3",
        decimals=0,
        frequency="annual",
        report_quarter=2,
        lo=0,
        hi=100,
    ),
    M(
        "LIV.09",
        "Number of anti-social behaviour incidents reported",
        LIVE,
        "Community Safety",
        "Community Safety Manager",
        "number",
        "lower",
        "trend",
        410,
        -4,
        25,
        decimals=0,
        seasonal=(20, 45, -10, -55),
    ),
    M(
        "LIV.10",
        "% of food premises rated 4 or 5 for hygiene",
        LIVE,
        "Environmental Health",
        "Environmental Health Manager",
        "percent",
        "higher",
        "target",
        93,
        0.2,
        0.7,
        target=94,
        tolerance="2",
        lo=0,
        hi=100,
    ),
    # A great place that cares for the environment
    M(
        "ENV.01",
        "% of household waste sent for reuse, recycling or composting",
        ENV,
        "Streetscene",
        "Streetscene Manager",
        "percent",
        "higher",
        "target",
        47,
        0.3,
        1.0,
        target=50,
        tolerance="5%",
        seasonal=(3, 4, -1, -6),
        lo=0,
        hi=100,
    ),
    M(
        "ENV.02",
        "Residual household waste per household (kg)",
        ENV,
        "Streetscene",
        "Streetscene Manager",
        "number",
        "lower",
        "target",
        118,
        -0.6,
        3,
        target=115,
        tolerance="5%",
        decimals=0,
        seasonal=(-2, -4, 2, 6),
    ),
    M(
        "ENV.03",
        "Missed bin collections per 100,000 collections",
        ENV,
        "Streetscene",
        "Streetscene Manager",
        "number",
        "lower",
        "target",
        48,
        -0.8,
        5,
        target=45,
        tolerance="5",
        decimals=0,
    ),
    M(
        "ENV.04",
        "Number of fly-tipping incidents",
        ENV,
        "Streetscene",
        "Streetscene Manager",
        "number",
        "lower",
        "trend",
        260,
        -3,
        20,
        decimals=0,
        seasonal=(15, 25, -5, -35),
    ),
    M(
        "ENV.05",
        "% of streets with unacceptable levels of litter",
        ENV,
        "Streetscene",
        "Streetscene Manager",
        "percent",
        "lower",
        "target",
        6.5,
        -0.08,
        0.5,
        target=6,
        tolerance="1",
        lo=0,
        hi=100,
    ),
    M(
        "ENV.06",
        "Council operational carbon emissions (tonnes CO2e)",
        ENV,
        "Climate Change",
        "Climate Change Officer",
        "number",
        "lower",
        "target",
        3400,
        -70,
        30,
        target=3000,
        tolerance="5%",
        decimals=0,
        frequency="annual",
        report_quarter=4,
    ),
    M(
        "ENV.07",
        "Number of trees planted (year to date)",
        ENV,
        "Parks and Open Spaces",
        "Parks Manager",
        "number",
        "higher",
        "target",
        0,
        0,
        0,
        decimals=0,
        cumulative=True,
        targets={(y, q): t for y in YEARS for q, t in zip((1, 2, 3, 4), (150, 400, 1500, 3000), strict=True)},
    ),
    M(
        "ENV.08",
        "Number of public electric vehicle charge points",
        ENV,
        "Climate Change",
        "Climate Change Officer",
        "number",
        "none",
        "trend",
        12,
        2.2,
        0.6,
        decimals=0,
    ),
    M(
        "ENV.09",
        "% of council fleet that is low emission",
        ENV,
        "Streetscene",
        "Streetscene Manager",
        "percent",
        "higher",
        "target",
        8,
        1.6,
        0.5,
        target=20,
        tolerance="2",
        lo=0,
        hi=100,
        targets={(2022, 0): 10, (2023, 0): 15, (2024, 0): 20},
    ),
]


# --- The plan: objectives → strategies → tactics → metrics and milestones ---------------------------------
# The order here is the order of metrics.csv, so the reports list strategies and tactics in it (§3).

PLAN = {
    WORK: {
        "Value and develop our workforce": {
            "Look after our staff's health and wellbeing": ["WRK.01", "WRK.08", "WRK.06"],
            "Keep our people's skills up to date": ["WRK.03", "WRK.04"],
            "Recruit and keep the staff we need": ["WRK.M1", "WRK.02", "WRK.07"],
        },
        "Grow our own talent": {
            "Expand apprenticeships and work placements": ["WRK.05"],
        },
    },
    SERVICES: {
        "Continually improve Council services to deliver excellence and value for money": {
            "Respond to complaints and information requests on time": ["SRV.01", "SRV.02", "SRV.03", "SRV.M2"],
            "Collect income and pay suppliers promptly": ["SRV.06", "SRV.07", "SRV.10"],
            "Process benefit claims quickly": ["SRV.08", "SRV.09"],
        },
        "Make it easy to contact us and do business online": {
            "Answer calls promptly and resolve enquiries first time": ["SRV.14", "SRV.04", "SRV.05", "SRV.13"],
            "Move more transactions online": ["SRV.M1", "SRV.11", "SRV.12"],
        },
    },
    LIVE: {
        "Deliver homes people need": {
            "Increase the supply of affordable homes": ["LIV.02", "LIV.M2"],
            "Make best use of existing homes": ["LIV.03", "LIV.11"],
            "Plan for growth": ["LIV.M1", "LIV.04", "LIV.05"],
        },
        "Support our communities to be healthier and more independent": {
            "Prevent homelessness": ["LIV.01"],
            "Help people live independently": ["LIV.06"],
            "Encourage active lifestyles": ["LIV.07"],
        },
        "Keep our communities safe, clean and welcoming": {
            "Make people proud of where they live": ["LIV.08"],
            "Tackle anti-social behaviour": ["LIV.09"],
            "Protect public health": ["LIV.10"],
        },
    },
    ENV: {
        "Reduce waste and recycle more": {
            "Increase reuse and recycling": ["ENV.01", "ENV.02"],
            "Run a reliable collection service": ["ENV.03"],
        },
        "Keep our streets clean": {
            "Tackle fly-tipping and litter": ["ENV.05", "ENV.04"],
        },
        "Reach net zero by 2030": {
            "Cut the council's own emissions": ["ENV.M1", "ENV.M2", "ENV.06", "ENV.09"],
            "Grow the district's tree cover": ["ENV.07"],
            "Help residents and businesses cut emissions": ["ENV.M3", "ENV.10", "ENV.08"],
        },
    },
}

#: Supporting service indicators (tier "service"); every other metric and milestone is a Council Plan target.
SERVICE_TIER = {
    "WRK.02", "WRK.04", "WRK.07", "SRV.03", "SRV.04", "SRV.05", "SRV.09", "SRV.10", "SRV.13",
    "LIV.07", "LIV.09", "LIV.10", "ENV.03", "ENV.04", "ENV.08",
}  # fmt: skip


@dataclass
class H:
    """A figure-based metric written out by hand: its targets and rows are given, not drawn.

    ``rows`` maps the quarter a figure is published in to ``(value, for_period)``.
    """

    code: str
    title: str
    objective: str
    service: str
    owner: str
    unit: str
    polarity: str
    frequency: str
    tolerance: str
    decimals: int
    targets: list[tuple[str, str, str]]  # (year, quarter / H1 / H2 / blank, target)
    rows: dict[str, tuple[float, str]]
    start: str = ""
    end: str = ""


HAND = [
    # Half-yearly, with a target for each half: a Q2 row measures H1, a Q4 row H2.
    # 2023/24 H1: 62 against 64, within the 3-point tolerance (amber); the others meet their half's target.
    H(
        "WRK.08",
        "% of staff who would recommend the council as a place to work (pulse survey)",
        WORK,
        "Human Resources",
        "Head of HR",
        "percent",
        "higher",
        "half-yearly",
        "3",
        0,
        [
            (y, h, t)
            for y, targets in (("2022/23", (60, 62)), ("2023/24", (64, 66)), ("2024/25", (68, 70)))
            for h, t in zip(("H1", "H2"), targets, strict=True)
        ],
        {
            "2022/23 Q2": (61, ""),
            "2022/23 Q4": (63, ""),
            "2023/24 Q2": (62, ""),
            "2023/24 Q4": (67, ""),
            "2024/25 Q2": (69, ""),
        },
    ),
    # Two bands: on, above or within 5% of 80 is green (76.0 and up), within 10% amber (72.0 and up).
    # It joins the plan part-way, in 2023/24 Q3, when the new telephone system could count it.
    H(
        "SRV.14",
        "% of customer enquiries resolved at the first point of contact",
        SERVICES,
        "Customer Services",
        "Customer Services Manager",
        "percent",
        "higher",
        "quarterly",
        "5%/10%",
        1,
        [("2023/24", "", "80"), ("2024/25", "", "80")],
        {"2023/24 Q3": (74.0, ""), "2023/24 Q4": (76.0, ""), "2024/25 Q1": (78.3, ""), "2024/25 Q2": (73.0, "")},
        start="2023/24 Q3",
    ),
    # A year's outturn published in Q2 of the next year (for_period): 2023/24's 41 is judged against
    # 2023/24's target of 45 (10%: amber down to 40.5), and shown as "2023/24 outturn".
    H(
        "LIV.11",
        "Number of long-term empty homes brought back into use",
        LIVE,
        "Private Sector Housing",
        "Private Sector Housing Manager",
        "number",
        "higher",
        "annual",
        "10%",
        0,
        [("2021/22", "", "40"), ("2022/23", "", "40"), ("2023/24", "", "45"), ("2024/25", "", "50")],
        {"2022/23 Q2": (38, "2021/22"), "2023/24 Q2": (45, "2022/23"), "2024/25 Q2": (41, "2023/24")},
    ),
    # A metric of the earlier plan only (end 2022/23 Q4). DESNZ publishes these estimates about
    # two years late, so its last two outturns arrive after the plan ended: final outturns, reported
    # under "Council Plan 2020–23" in 2023/24 Q2 and 2024/25 Q2.
    H(
        "ENV.10",
        "District carbon dioxide emissions per resident (tonnes, DESNZ estimates)",
        ENV,
        "Climate Change",
        "Climate Change Officer",
        "number",
        "lower",
        "annual",
        "5%",
        1,
        [("2020/21", "", "5.2"), ("2021/22", "", "5"), ("2022/23", "", "4.8")],
        {"2022/23 Q2": (5.1, "2020/21"), "2023/24 Q2": (5.2, "2021/22"), "2024/25 Q2": (4.7, "2022/23")},
        end="2022/23 Q4",
    ),
]


@dataclass
class Milestone:
    """A commitment judged by the progress its service reports: ``updates`` maps a quarter to (word, % done)."""

    code: str
    title: str
    objective: str
    service: str
    owner: str
    due: str
    updates: dict[str, tuple[str, int | None]]
    start: str = ""
    revised_due: dict[str, str] = field(default_factory=dict)  # {quarter: the new due date given then}


MILESTONES = [
    # Achieved in the latest quarter, on its due date.
    Milestone(
        "WRK.M1",
        "Adopt a new Workforce Strategy",
        WORK,
        "Human Resources",
        "Head of HR",
        "2024/25 Q2",
        {
            "2023/24 Q1": ("On track", 10),
            "2023/24 Q2": ("On track", 25),
            "2023/24 Q3": ("On track", 40),
            "2023/24 Q4": ("On track", 60),
            "2024/25 Q1": ("On track", 85),
            "2024/25 Q2": ("Achieved", 100),
        },
        start="2023/24 Q1",
    ),
    # Achieved in 2024/25 Q1; with no row in Q2 it is carried forward as "Achieved previously".
    Milestone(
        "SRV.M1",
        "Launch the new online customer account",
        SERVICES,
        "Digital Services",
        "Digital Services Manager",
        "2024/25 Q1",
        {
            "2023/24 Q1": ("Not started", 0),
            "2023/24 Q2": ("On track", 20),
            "2023/24 Q3": ("On track", 45),
            "2023/24 Q4": ("On track", 80),
            "2024/25 Q1": ("Achieved", 100),
        },
        start="2023/24 Q1",
    ),
    # On track, due by a date (31 December 2024), with its share complete.
    Milestone(
        "SRV.M2",
        "Review complaints handling and report the findings to Cabinet",
        SERVICES,
        "Customer Services",
        "Customer Services Manager",
        "2024-12-31",
        {"2024/25 Q1": ("On track", 10), "2024/25 Q2": ("On track", 40)},
        start="2024/25 Q1",
    ),
    # Due by March 2024, revised in 2023/24 Q3 to March 2025 (the report shows both dates); on track since.
    Milestone(
        "LIV.M1",
        "Submit the Local Plan review for examination",
        LIVE,
        "Planning",
        "Planning Manager",
        "2023/24 Q4",
        {
            "2023/24 Q1": ("On track", 20),
            "2023/24 Q2": ("On track", 30),
            "2023/24 Q3": ("Under review", 40),
            "2023/24 Q4": ("On track", 50),
            "2024/25 Q1": ("On track", 60),
            "2024/25 Q2": ("On track", 75),
        },
        start="2023/24 Q1",
        revised_due={"2023/24 Q3": "2024/25 Q4"},
    ),
    # Held up by something outside the council's control, and past its due date (June 2024) in Q2.
    Milestone(
        "LIV.M2",
        "Start on site at the Market Street affordable housing scheme",
        LIVE,
        "Strategic Housing",
        "Strategic Housing Manager",
        "2024/25 Q1",
        {
            "2023/24 Q1": ("On track", 10),
            "2023/24 Q2": ("On track", 20),
            "2023/24 Q3": ("On track", 35),
            "2023/24 Q4": ("At risk", 40),
            "2024/25 Q1": ("Affected by cost of living", 45),
            "2024/25 Q2": ("Affected by cost of living", 50),
        },
        start="2023/24 Q1",
    ),
    # In both plans (no start); its service sent no update in 2022/23 Q2; achieved in 2023/24 Q1.
    Milestone(
        "ENV.M1",
        "Adopt a Climate Change Action Plan",
        ENV,
        "Climate Change",
        "Climate Change Officer",
        "2023/24 Q2",
        {
            "2022/23 Q1": ("On track", 20),
            "2022/23 Q2": ("No update", None),
            "2022/23 Q3": ("On track", 45),
            "2022/23 Q4": ("On track", 70),
            "2023/24 Q1": ("Achieved", 100),
        },
    ),
    # At risk in 2024/25 Q1; no update in Q2, after its due date (June 2024): overdue, an exception.
    Milestone(
        "ENV.M2",
        "Install solar panels on the council depot",
        ENV,
        "Climate Change",
        "Climate Change Officer",
        "2024/25 Q1",
        {"2023/24 Q3": ("On track", 10), "2023/24 Q4": ("On track", 35), "2024/25 Q1": ("At risk", 60)},
        start="2023/24 Q3",
    ),
    # Not due until 2025/26; no update in 2024/25 Q2.
    Milestone(
        "ENV.M3",
        "Launch a Warm Homes grant scheme for private tenants",
        ENV,
        "Private Sector Housing",
        "Private Sector Housing Manager",
        "2025/26 Q2",
        {"2024/25 Q1": ("On track", 15)},
        start="2024/25 Q1",
    ),
]

COUNCIL_TOML = f'''name = "Demo District Council"
# The title for a quarter in no [[plans]] entry; also what a report shows that does not look up the plan in force.
plan_title = "Council Plan 2023–27"

[[plans]]
title = "Council Plan 2020–23"
from = "2020/21 Q1"
to = "2022/23 Q4"
objectives = [
    "{SERVICES}",
    "{LIVE}",
    "{ENV}",
    "{WORK}",
]

[[plans]]
title = "Council Plan 2023–27"
from = "2023/24 Q1"
to = "2026/27 Q4"
objectives = [
    "{WORK}",
    "{SERVICES}",
    "{LIVE}",
    "{ENV}",
]

# The council's own words for progress, each mapped to a status class.
[statuses]
"Achieved" = "achieved"
"Achieved previously" = "achieved"
"On track" = "on_track"
"At risk" = "at_risk"
"Off track" = "off_track"
"Not started" = "not_started"
"Affected by cost of living" = "paused"
"Under review" = "under_review"
"Withdrawn" = "withdrawn"
"No update" = "no_update"

# Its words for the statuses perfkit works out from the figures.
[labels]
green = "On target"
amber = "Close to target"
red = "Off target"
no_data = "Awaiting data"
overdue = "Overdue"

[tiers]
plan = "Council Plan targets"
service = "Service performance indicators"

[report]
author = "Sam Okafor, Information, Engagement and Performance Manager"
contact = "performance@demo-district.example, 01234 567890"
classification = "This report is public"
'''

# --- What the officers wrote ------------------------------------------------------------------------------

COMMENTARY = {
    "SRV.01": [
        "Two vacancies in the complaints team and a rise in stage 1 complaints about waste collections. "
        "Recruitment is under way and performance will be reviewed as part of a light touch review of this area.",
        "The two complaints officer posts were filled in August; the backlog of older complaints is being cleared "
        "first, which holds the 15-day figure down this quarter. A light touch review reports to SMT in November.",
    ],
    "SRV.02": [
        "Internal reviews have become more complex, and several needed legal advice before a response.",
        "Reviews are now allocated within two days of receipt; performance will be reviewed alongside formal "
        "complaints in the light touch review.",
    ],
    "LIV.03": [
        "Eleven empty homes needed major works after long tenancies ended, and the voids contractor was short of "
        "staff in August. An additional contractor starts in October.",
    ],
}
GENERIC = (
    "Performance is below target this quarter; the service has an improvement plan in place and will report "
    "progress next quarter."
)
NO_DATA_REASON = {
    "SRV.10": "Figures are not available: the move to the new finance system in August 2024 has delayed the "
    "payments report. Q2 figures will be reported with Q3.",
}

#: Commentary on metrics that are not at exception (exceptions get COMMENTARY or GENERIC).
NOTES = {
    ("WRK.01", "2024/25 Q2"): "Sickness absence fell for the third quarter running; stress-related absence is "
    "down since the wellbeing champions started in April.",
    ("WRK.02", "2024/25 Q2"): "Turnover is steady and below the 3.5% ceiling.",
    ("WRK.03", "2024/25 Q2"): "Appraisals are on target; the two services behind have dates booked.",
    ("WRK.04", "2024/25 Q2"): "Data protection refresher training was completed by 96% of staff.",
    ("WRK.05", "2024/25 Q2"): "Ten apprentices are in post; four more start in January.",
    ("WRK.07", "2024/25 Q2"): "Agency spend is higher than last year because of cover for the complaints team.",
    ("WRK.08", "2024/25 Q2"): "69% of the 412 staff who answered the September pulse survey would recommend us.",
    ("SRV.03", "2024/25 Q2"): "FOI response times recovered after two new officers finished training.",
    ("SRV.04", "2024/25 Q2"): "Calls answered stayed above target despite the garden waste renewal peak.",
    ("SRV.05", "2024/25 Q2"): "Average wait was 70 seconds, helped by the call-back option added in July.",
    ("SRV.06", "2024/25 Q2"): "Council tax collection is on profile for the year.",
    ("SRV.07", "2024/25 Q2"): "Business rates collection is slightly ahead of profile.",
    ("SRV.08", "2024/25 Q2"): "New claims are processed within target; claims have fallen as Universal Credit "
    "migration continues.",
    ("SRV.09", "2024/25 Q2"): "Changes of circumstances are processed well within target.",
    ("SRV.11", "2024/25 Q2"): "More than half of transactions are now completed online.",
    ("SRV.12", "2024/25 Q2"): "3,215 residents have registered since the online account went live in April. "
    "A target will be set once a full year's take-up is known.",
    ("SRV.13", "2024/25 Q2"): "88% of callers surveyed were satisfied with the service they received.",
    ("SRV.14", "2024/25 Q2"): "Fewer enquiries were resolved first time while three new advisers were trained; "
    "the figure is within 10% of target.",
    ("SRV.M2", "2024/25 Q2"): "Case files and customer feedback have been reviewed; findings go to SMT in "
    "November and Cabinet in December.",
    ("SRV.M1", "2024/25 Q1"): "The online account went live on 3 April 2024.",
    ("LIV.01", "2024/25 Q2"): "Homelessness was prevented for 18 of the 36 households who approached the "
    "council: exactly half, short of the target of more than half.",
    ("LIV.02", "2024/25 Q2"): "33 affordable homes have been delivered this year. Two housing association "
    "schemes (24 homes) were paused in August when build costs rose.",
    ("LIV.04", "2024/25 Q2"): "All but one major application was decided in time.",
    ("LIV.05", "2024/25 Q2"): "Minor applications are above target.",
    ("LIV.06", "2024/25 Q2"): "The backlog of approvals has been cleared with the home improvement agency.",
    ("LIV.07", "2024/25 Q2"): "Visits were lower in the summer holidays, as every year.",
    ("LIV.08", "2024/25 Q2"): "From the July 2024 Residents' Survey.",
    ("LIV.09", "2024/25 Q2"): "Reports rose over the summer, mostly in the town centre; extra patrols ran in August.",
    ("LIV.10", "2024/25 Q2"): "Food hygiene ratings remain above target.",
    ("LIV.11", "2024/25 Q2"): "The 2023/24 outturn: 41 long-term empty homes were brought back into use.",
    ("LIV.M1", "2023/24 Q3"): "Changes to the National Planning Policy Framework in December 2023 mean the "
    "draft plan's housing figures must be revisited; Council agreed a revised timetable, with submission by "
    "March 2025.",
    ("LIV.M1", "2024/25 Q2"): "The Regulation 19 consultation ran from 5 August to 30 September 2024.",
    ("LIV.M2", "2023/24 Q4"): "Tenders came in 18% over budget; the scheme is being value-engineered.",
    ("LIV.M2", "2024/25 Q2"): "Build costs are still above the scheme's budget; a bid for more grant has gone "
    "to Homes England.",
    ("ENV.01", "2024/25 Q2"): "Recycling was helped by the garden waste round's busiest summer.",
    ("ENV.02", "2024/25 Q2"): "Residual waste per household is below target.",
    ("ENV.03", "2024/25 Q2"): "Missed collections fell after the round changes settled in.",
    ("ENV.04", "2024/25 Q2"): "Fly-tipping is down on last year; two prosecutions this quarter.",
    ("ENV.05", "2024/25 Q2"): "The August litter survey found 5.6% of streets below standard.",
    ("ENV.07", "2024/25 Q2"): "Planting caught up with the year's profile.",
    ("ENV.08", "2024/25 Q2"): "Four charge points opened at the Mill Lane car park.",
    ("ENV.09", "2024/25 Q2"): "Two electric refuse vehicles joined the fleet in July.",
    ("ENV.10", "2024/25 Q2"): "The final outturn for 2022/23, from the estimates DESNZ published in June 2024.",
    ("ENV.M1", "2023/24 Q1"): "Council adopted the Climate Change Action Plan 2023–30 in June 2023.",
    ("ENV.M2", "2024/25 Q1"): "The panels are installed, but the grid connection date has slipped to the autumn.",
    ("ENV.M3", "2024/25 Q1"): "The scheme's eligibility rules are being drafted with the Home Improvement Agency.",
    ("WRK.M1", "2024/25 Q2"): "Cabinet adopted the Workforce Strategy 2024–27 on 11 September 2024.",
}

#: A status word on a target metric's row: (word, reason). With a reason, the word overrides the figures'
#: status (they stay visible beside it); without one it must confirm them (same group).
WORDS = {
    # computed red (33 against 35, no tolerance); the council reports it as held up by costs
    ("LIV.02", "2024/25 Q2"): ("Affected by cost of living", "Two housing association schemes were paused in "
    "August when build costs rose by a fifth"),
    # computed amber (10 against 12, tolerance 2)
    ("WRK.05", "2024/25 Q2"): ("Under review", "Apprenticeship places are being re-planned under the new "
    "Workforce Strategy"),
    # computed green (53.8% against 50.0%): the word confirms it
    ("ENV.01", "2024/25 Q2"): ("On track", ""),
}  # fmt: skip

#: Remedial actions: (action, when it should take effect). Those due by 2024/25 Q2 are followed up then.
ACTIONS = {
    ("SRV.01", "2024/25 Q1"): ("Fill the two vacant complaints officer posts", "2024/25 Q2"),
    ("SRV.01", "2024/25 Q2"): ("Report a light touch review of complaints handling to SMT", "2024-11-30"),
    ("SRV.02", "2024/25 Q1"): ("Allocate each internal review within two days of receipt", "2024/25 Q2"),
    ("SRV.02", "2024/25 Q2"): ("Include internal reviews in the light touch review", "2024-11-30"),
    ("LIV.03", "2024/25 Q2"): ("Appoint a second voids contractor", "2024/25 Q3"),
    ("LIV.06", "2024/25 Q1"): ("Clear the backlog of grant approvals with the home improvement agency", "2024/25 Q2"),
    ("ENV.07", "2024/25 Q1"): ("Plant the stock held back by the dry spring in the autumn season", "2024/25 Q3"),
    ("LIV.02", "2024/25 Q2"): ("Work with the housing associations to restart the paused schemes", "2024/25 Q4"),
    ("LIV.M2", "2023/24 Q4"): ("Value-engineer the scheme and re-tender the build contract", "2024/25 Q1"),
    ("LIV.M2", "2024/25 Q2"): ("Bid to Homes England for additional grant", "2024/25 Q3"),
    ("ENV.M2", "2024/25 Q1"): ("Agree a connection date with the distribution network operator", "2024/25 Q2"),
}

#: highlights.csv: (period, service, kind, objective, strategy, tactic, code, text).
HIGHLIGHTS = [
    ("2024/25 Q1", "Digital Services", "achievement", "", "", "", "SRV.M1",
     "The online customer account went live on 3 April 2024; 1,840 residents registered in its first quarter."),
    ("2024/25 Q1", "Parks and Open Spaces", "challenge", "", "", "", "ENV.07",
     "A dry spring held back planting; the stock will be planted in the autumn season."),
    ("2024/25 Q2", "Human Resources", "achievement", "", "", "", "WRK.M1",
     "Cabinet adopted the Workforce Strategy 2024–27 after consultation with staff and the trade unions."),
    ("2024/25 Q2", "Digital Services", "achievement", SERVICES, "Make it easy to contact us and do business "
     "online", "Move more transactions online", "",
     "More than 3,200 residents now have an online account, six months after it went live."),
    ("2024/25 Q2", "Policy and Performance", "achievement", LIVE, "", "", "",
     "The July 2024 Residents' Survey results and their demographic insight were published in September."),
    ("2024/25 Q2", "Streetscene", "achievement", "", "", "", "ENV.01",
     "Recycling reached 53.8%, helped by the garden waste round's busiest summer."),
    ("2024/25 Q2", "Customer Services", "challenge", SERVICES, "Continually improve Council services to deliver "
     "excellence and value for money", "Respond to complaints and information requests on time", "",
     "Complaint response times remain below target while the new officers clear the backlog; a light touch "
     "review reports in November."),
    ("2024/25 Q2", "Strategic Housing", "challenge", "", "", "", "LIV.02",
     "Rising build costs paused two housing association schemes (24 homes) in August."),
    ("2024/25 Q2", "Climate Change", "challenge", "", "", "", "ENV.M2",
     "The depot's solar panels are installed but cannot generate until the grid connection is made."),
    ("2024/25 Q2", "Planning", "update", LIVE, "Deliver homes people need", "Plan for growth", "",
     "The Regulation 19 consultation on the Local Plan review ran from August to September 2024."),
    ("2024/25 Q2", "Revenues and Benefits", "achievement", "", "", "", "",
     "The Revenues team was shortlisted for a national award for its work with residents in arrears."),
]  # fmt: skip

ACTUALS_COLUMNS = [
    "code", "period", "value", "numerator", "denominator", "commentary",
    "status", "status_reason", "progress", "revised_due", "action", "action_due", "for_period",
]  # fmt: skip


def _series(m: M, rng: np.random.Generator) -> dict[pk.Quarter, object]:
    out: dict[pk.Quarter, object] = {}
    for t, q in enumerate(pk.quarter_range(FIRST, LAST)):
        if q in m.fixed:
            out[q] = m.fixed[q]
            continue
        if m.code == "SRV.12":
            continue  # a new metric from 2024/25 Q1
        if m.frequency == "annual" and q.number != m.report_quarter:
            continue
        if m.cumulative and m.targets:
            target = m.targets[(q.start_year, q.number)]
            v = target * (1 + rng.normal(0.01, 0.03)) if m.unit != "percent" else target + rng.normal(0.1, m.noise)
        elif m.cumulative:
            v = (m.base + m.slope * t) * q.number + rng.normal(0, m.noise)
        else:
            v = m.base + m.slope * t + m.seasonal[q.number - 1] + rng.normal(0, m.noise)
        v = float(np.clip(v, m.lo, m.hi))
        if m.denominator:
            den = int(m.denominator * rng.uniform(0.85, 1.15))
            num = round(den * v / 100)
            out[q] = (min(num, den), den)
        else:
            out[q] = round(v, m.decimals + (1 if m.unit != "number" else 0))
    return out


def _year(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def _placed() -> dict[str, tuple[str, str, str]]:
    """Each code's (objective, strategy, tactic), in the plan's order."""
    return {
        code: (objective, strategy, tactic)
        for objective, strategies in PLAN.items()
        for strategy, tactics in strategies.items()
        for tactic, codes in tactics.items()
        for code in codes
    }


def _metric_rows() -> list[list]:
    """metrics.csv's rows, in the plan's order."""
    rows: dict[str, list] = {}
    for m in METRICS:
        decimals, cumulative = m.decimals, "yes" if m.cumulative else "no"
        rows[m.code] = [m.code, m.title, m.objective, m.service, m.owner, m.unit, m.polarity, m.kind]
        rows[m.code] += [m.frequency, m.tolerance, decimals, cumulative, m.start, "", ""]
    for h in HAND:
        rows[h.code] = [h.code, h.title, h.objective, h.service, h.owner, h.unit, h.polarity, "target"]
        rows[h.code] += [h.frequency, h.tolerance, h.decimals, "no", h.start, h.end, ""]
    for s in MILESTONES:
        rows[s.code] = [s.code, s.title, s.objective, s.service, s.owner, "", "", "milestone"]
        rows[s.code] += ["", "", "", "", s.start, "", s.due]
    placed = _placed()
    assert set(placed) == set(rows), set(placed) ^ set(rows)
    out = []
    for code, (objective, strategy, tactic) in placed.items():
        code, title, own, service, owner, *rest = rows[code]
        assert own == objective, (code, own, objective)
        tier = "service" if code in SERVICE_TIER else "plan"
        *before, start, end, due = rest
        out.append([code, title, objective, strategy, tactic, service, owner, *before, tier, start, end, due])
    return out


def _actual(code: str, period: str, **cells: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(ACTUALS_COLUMNS, "")
    row.update(code=code, period=period, **cells)
    return row


def write() -> None:
    rng = np.random.default_rng(20240930)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "council.toml").write_text(COUNCIL_TOML, encoding="utf-8")
    with open(OUT / "metrics.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "code",
                "title",
                "objective",
                "strategy",
                "tactic",
                "service",
                "owner",
                "unit",
                "polarity",
                "kind",
                "frequency",
                "tolerance",
                "decimals",
                "cumulative",
                "tier",
                "start",
                "end",
                "due",
            ]
        )
        w.writerows(_metric_rows())
    with open(OUT / "targets.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["code", "year", "quarter", "target"])
        for m in METRICS:
            if m.kind != "target" or m.code == "SRV.12":
                continue
            targets = m.targets or {(y, 0): m.target for y in YEARS}
            for (y, q), t in sorted(targets.items()):
                w.writerow([m.code, _year(y), f"Q{q}" if q else "", f"{m.comparison}{t:g}"])
        for h in HAND:
            w.writerows([h.code, *target] for target in h.targets)
    with open(OUT / "highlights.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["period", "service", "kind", "objective", "strategy", "tactic", "code", "text"])
        w.writerows(HIGHLIGHTS)
    rows = []
    for m in METRICS:
        for q, v in _series(m, rng).items():
            if v is None:
                rows.append(_actual(m.code, q.label, commentary=NO_DATA_REASON.get(m.code, "")))
            elif isinstance(v, tuple):
                rows.append(_actual(m.code, q.label, numerator=v[0], denominator=v[1]))
            else:
                rows.append(_actual(m.code, q.label, value=f"{v:g}"))
    for h in HAND:
        rows += [_actual(h.code, p, value=f"{v:g}", for_period=fp) for p, (v, fp) in h.rows.items()]
    for s in MILESTONES:
        for p, (word, done) in s.updates.items():
            progress = "" if done is None else done
            rows.append(_actual(s.code, p, status=word, progress=progress, revised_due=s.revised_due.get(p, "")))
    for row in rows:
        key = (row["code"], row["period"])
        row["commentary"] = row["commentary"] or NOTES.get(key, "")
        if key in WORDS:
            row["status"], row["status_reason"] = WORDS[key]
        if key in ACTIONS:
            row["action"], row["action_due"] = ACTIONS[key]
    _write_actuals(rows)
    # Officers comment on exceptions: add commentary to every red figure that has none.
    reg = pk.load_register(OUT)
    reds = set()
    for q in pk.quarter_range(FIRST, LAST):
        table = pk.assess(reg, q)
        reds |= {(code, q.label) for code in table.loc[table["status"] == "red", "code"]}
    for row in rows:
        key = (row["code"], row["period"])
        if key in reds and not row["commentary"]:
            notes = COMMENTARY.get(row["code"])
            if notes and pk.Quarter(2024, 1) <= pk.Quarter(*_q(row["period"])):
                row["commentary"] = notes[min(len(notes) - 1, 0 if row["period"].endswith("Q1") else 1)]
            else:
                row["commentary"] = GENERIC
    _write_actuals(rows)


def _q(label: str) -> tuple[int, int]:
    return int(label[:4]), int(label[-1])


def _write_actuals(rows: list[dict[str, object]]) -> None:
    with open(OUT / "actuals.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ACTUALS_COLUMNS)
        w.writeheader()
        w.writerows(sorted(rows, key=lambda r: (r["code"], _q(str(r["period"])))))


if __name__ == "__main__":
    write()
    reg = pk.load_register(OUT)
    table = pk.assess(reg, LAST)
    print(table["status"].value_counts().to_string())
    print(
        table.loc[
            ~table["status"].isin(["green", "trend"]),
            ["code", "value", "target", "status", "computed_status", "status_label", "persistent_exception"],
        ].to_string()
    )
