"""Generate the synthetic "Demo District Council" register in data/demo/.

Seeded, so running it again gives the same files. The figures are invented but
shaped like a district council's: seasonal demand, slow improvement, a couple
of services under strain. The latest quarter (2024/25 Q2) is steered so that
every status appears, including two persistent exceptions and a metric with
no data and its reason, the things a report must handle.

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
    code: str
    title: str
    objective: str
    strategy: str
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


METRICS = [
    # A great place to work
    M(
        "WRK.01",
        "Average working days lost to sickness per employee",
        WORK,
        "Value and develop our workforce",
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
        "Value and develop our workforce",
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
        "Value and develop our workforce",
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
        "Value and develop our workforce",
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
        "Grow our own talent",
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
        "Value and develop our workforce",
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
        "Value and develop our workforce",
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
        "Continually improve Council services to deliver excellence and value for money",
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
        "Continually improve Council services to deliver excellence and value for money",
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
        "Continually improve Council services to deliver excellence and value for money",
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
        "Continually improve Council services to deliver excellence and value for money",
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
        "Continually improve Council services to deliver excellence and value for money",
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
        "Continually improve Council services to deliver excellence and value for money",
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
        "Continually improve Council services to deliver excellence and value for money",
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
        "Continually improve Council services to deliver excellence and value for money",
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
        "Continually improve Council services to deliver excellence and value for money",
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
        "Continually improve Council services to deliver excellence and value for money",
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
        "Assist and influence other public partners to improve their services in the district",
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
        "Assist and influence other public partners to improve their services in the district",
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
    ),
    M(
        "SRV.13",
        "Contact centre customer satisfaction (%)",
        SERVICES,
        "Continually improve Council services to deliver excellence and value for money",
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
        "Support our communities to be healthier, safer, cleaner and greener",
        "Housing Options",
        "Housing Options Manager",
        "percent",
        "higher",
        "target",
        56,
        0.2,
        4,
        target=50,
        tolerance="5",
        denominator=36,
        fixed={pk.Quarter(2024, 2): (18, 36)},
    ),
    M(
        "LIV.02",
        "Number of affordable homes delivered (year to date)",
        LIVE,
        "Deliver homes people need",
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
        "Deliver homes people need",
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
        "Deliver homes people need",
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
        "Deliver homes people need",
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
        "Support our communities to be healthier, safer, cleaner and greener",
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
        "Support our communities to be healthier, safer, cleaner and greener",
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
        "Support our communities to be healthier, safer, cleaner and greener",
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
        "Support our communities to be healthier, safer, cleaner and greener",
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
        "Support our communities to be healthier, safer, cleaner and greener",
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
        "Reduce waste and recycle more",
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
        "Reduce waste and recycle more",
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
        "Reduce waste and recycle more",
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
        "Keep our streets clean",
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
        "Keep our streets clean",
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
        "Reach net zero by 2030",
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
        "Reach net zero by 2030",
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
        "Reach net zero by 2030",
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
        "Reach net zero by 2030",
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


def write() -> None:
    rng = np.random.default_rng(20240930)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "council.toml").write_text(
        'name = "Demo District Council"\n'
        'plan_title = "Council Plan 2023–27"\n'
        "objectives = [\n"
        f'    "{WORK}",\n    "{SERVICES}",\n    "{LIVE}",\n    "{ENV}",\n]\n',
        encoding="utf-8",
    )
    with open(OUT / "metrics.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "code",
                "title",
                "objective",
                "strategy",
                "service",
                "owner",
                "unit",
                "polarity",
                "kind",
                "frequency",
                "tolerance",
                "decimals",
                "cumulative",
            ]
        )
        for m in METRICS:
            w.writerow(
                [
                    m.code,
                    m.title,
                    m.objective,
                    m.strategy,
                    m.service,
                    m.owner,
                    m.unit,
                    m.polarity,
                    m.kind,
                    m.frequency,
                    m.tolerance,
                    m.decimals,
                    "yes" if m.cumulative else "no",
                ]
            )
    with open(OUT / "targets.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["code", "year", "quarter", "target"])
        for m in METRICS:
            if m.kind != "target" or m.code == "SRV.12":
                continue
            targets = m.targets or {(y, 0): m.target for y in YEARS}
            for (y, q), t in sorted(targets.items()):
                w.writerow([m.code, f"{y}/{(y + 1) % 100:02d}", f"Q{q}" if q else "", f"{t:g}"])
    rows = []
    for m in METRICS:
        for q, v in _series(m, rng).items():
            if v is None:
                rows.append([m.code, q.label, "", "", "", NO_DATA_REASON.get(m.code, "")])
            elif isinstance(v, tuple):
                rows.append([m.code, q.label, "", v[0], v[1], ""])
            else:
                rows.append([m.code, q.label, f"{v:g}", "", "", ""])
    _write_actuals(rows)
    # Officers comment on exceptions: add commentary to every red figure.
    reg = pk.load_register(OUT)
    reds = {}
    for q in pk.quarter_range(FIRST, LAST):
        table = pk.assess(reg, q)
        for code in table.loc[table["status"] == "red", "code"]:
            reds[(code, q.label)] = None
    for row in rows:
        key = (row[0], row[1])
        if key in reds:
            notes = COMMENTARY.get(row[0])
            recent = pk.Quarter(2024, 1) <= pk.Quarter(*_q(row[1]))
            if notes and recent:
                row[5] = notes[min(len(notes) - 1, 0 if row[1].endswith("Q1") else 1)]
            else:
                row[5] = GENERIC
    _write_actuals(rows)


def _q(label: str) -> tuple[int, int]:
    return int(label[:4]), int(label[-1])


def _write_actuals(rows: list[list]) -> None:
    with open(OUT / "actuals.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["code", "period", "value", "numerator", "denominator", "commentary"])
        w.writerows(sorted(rows, key=lambda r: (r[0], _q(r[1]))))


if __name__ == "__main__":
    write()
    reg = pk.load_register(OUT)
    table = pk.assess(reg, LAST)
    print(table["status"].value_counts().to_string())
    print(
        table.loc[
            table["status"].isin(["red", "amber", "no_data", "no_target", "not_due"]),
            ["code", "value", "target", "status", "persistent_exception"],
        ].to_string()
    )
