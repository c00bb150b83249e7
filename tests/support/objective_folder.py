"""A small v2 council worked by hand for the objective update and the achievements and challenges (design §7).

2024/25 Q2, objective "Customers" (plan targets unless said; no [rag] tolerance, so a miss
without a metric tolerance is red):

====  ======================  =====================  ==============  =================
code  what                    Q1 → Q2 (target)       status in Q2    why it is listed
====  ======================  =====================  ==============  =================
C1    higher, 5% tolerance    80 → 80 (90)           red, persistent exception, with its action
C2    higher                  95 → 96 (90)           green           improved on Q1: achievement
C3    higher, 5% tolerance    88 → 87 (90)           amber           (band down to 85.5)
C4    lower                   9 → 12 (10)            red             exception, not persistent
C5    higher                  – → 60 (50); 55 a year ago  green      no Q1 figure: improved on a year ago
C6    higher                  99 → 95 (90)           green           worsened: not an achievement
C7    trend, higher           10 → 12                trend           improved
C8    trend, higher           5 → 4                  trend           worsened
C9    higher                  10 (90) + "Affected by Covid-19"  paused (other)  an override is no exception
M1    milestone, due Q4       On track → Achieved    achieved        became achieved: achievement
M2    milestone               Achieved → Achieved previously  achieved  achieved before: not listed
M3    milestone, due Q1       On track               on_track, past due  challenge (past due)
M4    milestone, due Q1       Off track + action     off_track (exception), past due  challenge once, as exception
====  ======================  =====================  ==============  =================

Objective "Place": P1, 10 against 50, red. Highlights for Q2, in file order: an achievement
and an update under Customers, a challenge about C1, an achievement with neither objective
nor code (Parks), an achievement under Place, a second achievement under Customers.
"""

from __future__ import annotations

from pathlib import Path

from .folders import COUNCIL, write_folder

COUNCIL_TOML = COUNCIL.replace('objectives = ["Customers"]', 'objectives = ["Customers", "Place"]')

TITLES = {
    "C1": "Complaints answered on time",
    "C2": "Calls answered",
    "C3": "Emails answered in five days",
    "C4": "Days to answer letters",
    "C5": "Residents using the app",
    "C6": "Forms completed online",
    "C7": "Web visits",
    "C8": "Library loans",
    "C9": "Visits to the contact centre",
    "M1": "Open the new contact centre",
    "M2": "Publish the customer charter",
    "M3": "Replace the phone system",
    "M4": "Move forms to the new platform",
    "P1": "Trees planted",
}


def write_objective_folder(folder: Path) -> Path:
    s1, s2 = "Answer first time", "Listen to residents"
    t1, t2 = "Online forms", "Phone lines"

    def metric(code: str, **kw) -> dict:
        return {"code": code, "title": TITLES[code], "objective": "Customers", **kw}

    metrics = [
        metric("C1", tolerance="5%", strategy=s1, tactic=t1),
        metric("C2", strategy=s1, tactic=t2),
        metric("C3", tolerance="5%", strategy=s1, tactic=t2),
        metric("C4", unit="days", polarity="lower", strategy=s2),
        metric("C5", strategy=s2),
        metric("C6", strategy=s2),
        metric("C7", kind="trend", unit="number", strategy=s2),
        metric("C8", kind="trend", unit="number", strategy=s2),
        metric("C9", strategy=s2),
        metric("M1", kind="milestone", unit="", polarity="", due="2024/25 Q4", strategy=s1, tactic=t2),
        metric("M2", kind="milestone", unit="", polarity="", strategy=s2),
        metric("M3", kind="milestone", unit="", polarity="", due="2024/25 Q1", strategy=s1, tactic=t2),
        metric("M4", kind="milestone", unit="", polarity="", due="2024/25 Q1", strategy=s1, tactic=t1),
        {"code": "P1", "title": TITLES["P1"], "objective": "Place", "service": "Parks", "unit": "number"},
    ]
    targets = [
        {"code": c, "year": "2024/25", "target": t}
        for c, t in (("C1", 90), ("C2", 90), ("C3", 90), ("C4", 10), ("C5", 50), ("C6", 90), ("C9", 90), ("P1", 50))
    ]
    q1, q2, ly = "2024/25 Q1", "2024/25 Q2", "2023/24 Q2"
    actuals = [
        {"code": "C1", "period": q1, "value": 80, "commentary": "Two vacancies."},
        {
            "code": "C1",
            "period": q2,
            "value": 80,
            "commentary": "Vacancies still open.",
            "action": "Recruit two advisers",
            "action_due": "2024/25 Q3",
        },
        {"code": "C2", "period": q1, "value": 95},
        {"code": "C2", "period": q2, "value": 96, "commentary": "New call routing."},
        {"code": "C3", "period": q1, "value": 88},
        {"code": "C3", "period": q2, "value": 87},
        {"code": "C4", "period": q1, "value": 9},
        {"code": "C4", "period": q2, "value": 12, "commentary": "Backlog after the system change."},
        {"code": "C5", "period": ly, "value": 55},
        {"code": "C5", "period": q2, "value": 60, "commentary": "App relaunched."},
        {"code": "C6", "period": q1, "value": 99},
        {"code": "C6", "period": q2, "value": 95},
        {"code": "C7", "period": q1, "value": 10},
        {"code": "C7", "period": q2, "value": 12},
        {"code": "C8", "period": q1, "value": 5},
        {"code": "C8", "period": q2, "value": 4},
        {"code": "C9", "period": q2, "value": 10, "status": "Affected by Covid-19", "status_reason": "Closures"},
        {"code": "M1", "period": q1, "status": "On track"},
        {"code": "M1", "period": q2, "status": "Achieved", "commentary": "Opened in August."},
        {"code": "M2", "period": q1, "status": "Achieved"},
        {"code": "M2", "period": q2, "status": "Achieved previously"},
        {"code": "M3", "period": q2, "status": "On track", "commentary": "Supplier chosen."},
        {"code": "M4", "period": q2, "status": "Off track", "action": "Re-tender", "action_due": "2024/25 Q4"},
        {"code": "P1", "period": q2, "value": 10, "commentary": "Too dry to plant."},
    ]
    highlights = [
        {
            "period": q2,
            "service": "Customer Services",
            "kind": "achievement",
            "text": "Launched the new website",
            "objective": "Customers",
            "strategy": s1,
            "tactic": t1,
        },
        {
            "period": q2,
            "service": "Customer Services",
            "kind": "update",
            "text": "Forms moved online",
            "objective": "Customers",
            "strategy": s1,
            "tactic": t1,
        },
        {
            "period": q2,
            "service": "Customer Services",
            "kind": "challenge",
            "text": "Recruitment is slow",
            "code": "C1",
        },
        {"period": q2, "service": "Parks", "kind": "achievement", "text": "Green Flag award for the park"},
        {"period": q2, "service": "Parks", "kind": "achievement", "text": "Town centre reopened", "objective": "Place"},
        {
            "period": q2,
            "service": "Customer Services",
            "kind": "achievement",
            "text": "1,099 residents answered the survey",
            "objective": "Customers",
        },
        {
            "period": q1,
            "service": "Customer Services",
            "kind": "achievement",
            "text": "An earlier quarter's news",
            "objective": "Customers",
        },
    ]
    write_folder(folder, metrics, targets, actuals, COUNCIL_TOML, highlights)
    _with_columns(folder / "metrics.csv", metrics, ("strategy", "tactic"))
    return folder


def _with_columns(path: Path, rows: list[dict], columns: tuple[str, ...]) -> None:
    """Add columns that write_folder leaves out (strategy and tactic) to a CSV it wrote."""
    import csv

    with open(path, newline="", encoding="utf-8") as f:
        written = list(csv.DictReader(f))
    fields = [*written[0].keys(), *columns]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for have, row in zip(written, rows, strict=True):
            writer.writerow({**have, **{c: row.get(c, "") for c in columns}})
