"""Small data folders written by a test, row by row, so each case shows only what it is about."""

from __future__ import annotations

import csv
from pathlib import Path

METRIC_DEFAULTS = {
    "code": "",
    "title": "",
    "objective": "Customers",
    "service": "Customer Services",
    "unit": "percent",
    "polarity": "higher",
    "kind": "target",
    "frequency": "quarterly",
    "tolerance": "",
    "decimals": "1",
    "cumulative": "no",
    "tier": "",
    "start": "",
    "end": "",
    "due": "",
}
TARGET_COLUMNS = ["code", "year", "quarter", "target"]
ACTUAL_COLUMNS = [
    "code",
    "period",
    "value",
    "numerator",
    "denominator",
    "commentary",
    "status",
    "status_reason",
    "progress",
    "revised_due",
    "action",
    "action_due",
    "for_period",
]
HIGHLIGHT_COLUMNS = ["period", "service", "kind", "text", "objective", "strategy", "tactic", "code"]

#: The Bolsover-like council.toml of design §3, used by most v2 cases.
COUNCIL = """
name = "Test District Council"
plan_title = "Council Plan"
objectives = ["Customers"]

[statuses]
"On track" = "on_track"
"Achieved" = "achieved"
"Achieved previously" = "achieved"
"On alert" = "at_risk"
"Off track" = "off_track"
"Affected by Covid-19" = "paused"
"Under review" = "under_review"
"Withdrawn" = "withdrawn"
"Awaiting update" = "no_update"
"""


def _write(path: Path, columns: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


def write_folder(
    folder: Path,
    metrics: list[dict],
    targets: list[dict] | None = None,
    actuals: list[dict] | None = None,
    council: str = COUNCIL,
    highlights: list[dict] | None = None,
) -> Path:
    """Write ``metrics.csv``, ``targets.csv``, ``actuals.csv`` (and ``council.toml``, ``highlights.csv``).

    Metric rows take :data:`METRIC_DEFAULTS` for the cells they do not give (title = code).
    """
    folder.mkdir(parents=True, exist_ok=True)
    rows = [{**METRIC_DEFAULTS, "title": m["code"], **m} for m in metrics]
    _write(folder / "metrics.csv", list(METRIC_DEFAULTS), rows)
    _write(folder / "targets.csv", TARGET_COLUMNS, targets or [])
    _write(folder / "actuals.csv", ACTUAL_COLUMNS, actuals or [])
    if council:
        (folder / "council.toml").write_text(council, encoding="utf-8")
    if highlights is not None:
        _write(folder / "highlights.csv", HIGHLIGHT_COLUMNS, highlights)
    return folder
