"""Real councils' registers give back the judgements the councils published.

Each folder under ``tests/data/real/`` is a register transcribed from one council's
own published quarterly reports, with a ``SOURCES.md`` that links every figure and
word to its document. Its ``expected.csv`` holds, for each metric and quarter, the
judgement the council published: the status word as the council prints it
(``status_label``), and the class and group DESIGN §4 gives it, worked out by hand
from the rules and the council's words, never from perfkit's output. An optional
``expected_counts.csv`` holds the council's own count sentences ("Six targets were
on track and four targets had been affected by Covid19").

The first test checks the transcription against the data contract (DESIGN §3)
without the engine; the others load each folder with ``perfkit.load_register``,
assess each quarter with ``perfkit.assess`` and compare the v2 columns of
DESIGN §6.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import math
import re
import tomllib
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import perfkit as pk
from perfkit.errors import PeriodError

REAL = Path(__file__).parent / "real"
FOLDERS = sorted(p for p in REAL.iterdir() if p.is_dir())

# DESIGN §3, v1 and v2 columns of each table: (required, optional).
COLUMNS = {
    "metrics": (
        {"code", "title", "objective", "service", "unit", "polarity", "kind", "frequency"},
        {"strategy", "tactic", "owner", "tolerance", "decimals", "cumulative", "tier", "start", "end", "due"},
    ),
    "targets": ({"code", "year", "target"}, {"quarter"}),
    "actuals": (
        {"code", "period"},
        {
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
        },
    ),
}
EXPECTED_REQUIRED = {"code", "period", "status_label", "group", "source"}
CLASSES = {
    "achieved",
    "on_track",
    "at_risk",
    "off_track",
    "not_started",
    "paused",
    "under_review",
    "withdrawn",
    "no_update",
}
STATUSES = CLASSES | {"green", "amber", "red", "no_data", "no_target", "not_due", "trend", "overdue"}
GROUPS = {"on_track", "within_tolerance", "exception", "other"}
DIRECTIONS = {"improved", "worsened", "no_change", "up", "down", "n/a"}
DEFAULT_LABELS = {
    "On target",
    "Within tolerance",
    "Exception",
    "No data",
    "No target",
    "Not due",
    "Trend",
    "No update",
    "Overdue",
    "Achieved previously",
}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _header(path: Path) -> set[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {name.strip() for name in next(csv.reader(handle))}


def _word(text: str) -> str:
    """A status word as DESIGN matches it: ignoring case and repeated spaces."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def _council(folder: Path) -> dict:
    return tomllib.loads((folder / "council.toml").read_text(encoding="utf-8"))


def _parses_as_period(text: str) -> bool:
    """A quarter, a half or a year, in any spelling DESIGN §2 accepts."""
    try:
        pk.parse_quarter(text)
        return True
    except PeriodError:
        pass
    try:
        pk.parse_year(text)
        return True
    except PeriodError:
        pass
    half = re.fullmatch(r"(?:(.+?)[\s-]+(H[12])|(H[12])\s+(.+))", text.strip(), flags=re.IGNORECASE)
    if not half:
        return False
    year = half.group(1) or half.group(4)
    try:
        pk.parse_year(year)
        return True
    except PeriodError:
        return False


def _parses_as_due(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
        return True
    except ValueError:
        pass
    try:
        pk.parse_quarter(text)
        return True
    except PeriodError:
        return False


def test_two_councils_at_least():
    assert len(FOLDERS) >= 2, f"expected at least two council folders under {REAL}"


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_transcription_is_well_formed(folder: Path):
    problems: list[str] = []
    for name in ("council.toml", "metrics.csv", "targets.csv", "actuals.csv", "expected.csv", "SOURCES.md"):
        if not (folder / name).is_file():
            problems.append(f"{name} is missing")
    assert not problems, problems

    for table, (required, optional) in COLUMNS.items():
        header = _header(folder / f"{table}.csv")
        if missing := required - header:
            problems.append(f"{table}.csv lacks {sorted(missing)}")
        if unknown := header - required - optional:
            problems.append(f"{table}.csv has columns DESIGN §3 does not define: {sorted(unknown)}")

    metrics = {row["code"]: row for row in _rows(folder / "metrics.csv")}
    for code, row in metrics.items():
        if row["kind"] not in ("target", "trend", "milestone"):
            problems.append(f"metrics.csv {code}: kind {row['kind']!r}")
        for column in ("start", "end"):
            if row.get(column) and not _parses_as_period(row[column]):
                problems.append(f"metrics.csv {code}: {column} {row[column]!r} is not a quarter")
        if row.get("due") and not _parses_as_due(row["due"]):
            problems.append(f"metrics.csv {code}: due {row['due']!r} is not a quarter or a date")

    for row in _rows(folder / "targets.csv"):
        if row["code"] not in metrics:
            problems.append(f"targets.csv: unknown code {row['code']!r}")
        if not _parses_as_period(row["year"]):
            problems.append(f"targets.csv {row['code']}: year {row['year']!r}")
        if not re.fullmatch(r"(>=|<=|>|<)?\s*-?[\d.]+", row["target"]):
            problems.append(f"targets.csv {row['code']}: target {row['target']!r}")

    council = _council(folder)
    words = {_word(w) for w in council.get("statuses", {})}
    seen: set[tuple[str, str]] = set()
    for row in _rows(folder / "actuals.csv"):
        key = (row["code"], str(pk.parse_quarter(row["period"])))
        if row["code"] not in metrics:
            problems.append(f"actuals.csv: unknown code {row['code']!r}")
        if key in seen:
            problems.append(f"actuals.csv: {key} given twice")
        seen.add(key)
        if row.get("for_period") and not _parses_as_period(row["for_period"]):
            problems.append(f"actuals.csv {key}: for_period {row['for_period']!r}")
        if row.get("status") and words and _word(row["status"]) not in words:
            problems.append(f"actuals.csv {key}: {row['status']!r} is not one of the council's [statuses] words")

    assert EXPECTED_REQUIRED <= _header(folder / "expected.csv")
    sources = (folder / "SOURCES.md").read_text(encoding="utf-8")
    labels = set(council.get("statuses", {})) | set(council.get("labels", {}).values()) | DEFAULT_LABELS
    expected = _rows(folder / "expected.csv")
    assert expected, "expected.csv has no rows"
    for row in expected:
        key = (row["code"], row["period"])
        pk.parse_quarter(row["period"])
        if row["code"] not in metrics:
            problems.append(f"expected.csv: unknown code {row['code']!r}")
        if row["group"] not in GROUPS:
            problems.append(f"expected.csv {key}: group {row['group']!r}")
        if row.get("status") and row["status"] not in STATUSES:
            problems.append(f"expected.csv {key}: status {row['status']!r}")
        if row.get("vs_previous") and row["vs_previous"] not in DIRECTIONS:
            problems.append(f"expected.csv {key}: vs_previous {row['vs_previous']!r}")
        if row["status_label"] not in labels:
            problems.append(f"expected.csv {key}: label {row['status_label']!r} is no council word or default")
        if not row["source"] or row["source"] not in sources:
            problems.append(f"expected.csv {key}: source {row['source']!r} is not in SOURCES.md")
    assert not problems, "\n".join(problems)


# --- the engine -------------------------------------------------------------------


@functools.cache
def _register(folder: Path):
    return pk.load_register(folder)


@functools.cache
def _assessed(folder: Path, period: str) -> pd.DataFrame:
    return pk.assess(_register(folder), period)


def _text(value: object) -> str:
    """A cell of the assessed table as text: blanks empty, booleans as in metric_status.csv."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    return str(value).strip()


def _judgement_cases() -> list[tuple[Path, str]]:
    cases = []
    for folder in FOLDERS:
        periods = {row["period"] for row in _rows(folder / "expected.csv")}
        cases += [(folder, period) for period in sorted(periods)]
    return cases


def _count_cases() -> list[tuple[Path, str]]:
    cases = []
    for folder in FOLDERS:
        if (folder / "expected_counts.csv").is_file():
            periods = {row["period"] for row in _rows(folder / "expected_counts.csv")}
            cases += [(folder, period) for period in sorted(periods)]
    return cases


# The council's word and its group are compared on every row; the class, the status
# on the figures, the past-due flag and the direction wherever expected.csv fills them
# (a blank cell there asserts nothing, so registers that leave them out still run).
_ALWAYS = ("status_label", "group")
_WHERE_GIVEN = ("status", "computed_status", "past_due", "vs_previous")


@pytest.mark.parametrize("folder, period", _judgement_cases(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_published_judgements_come_back_in_the_councils_words(folder: Path, period: str):
    table = _assessed(folder, period)
    by_code = table.set_index("code")
    problems = []
    for row in _rows(folder / "expected.csv"):
        if row["period"] != period:
            continue
        code = row["code"]
        if code not in by_code.index:
            problems.append(f"{code}: not in the assessment of {period}")
            continue
        got = by_code.loc[code]
        if isinstance(got, pd.DataFrame):
            problems.append(f"{code}: {len(got)} rows in the assessment of {period}, expected one")
            continue
        checked = list(_ALWAYS) + [c for c in _WHERE_GIVEN if row.get(c)]
        for column in checked:
            if _text(got[column]) != row[column]:
                problems.append(
                    f"{code} {column}: perfkit {_text(got[column])!r}, expected {row[column]!r} "
                    f"(council: {row.get('council_trend') if column == 'vs_previous' else row.get('council_word')!r}, "
                    f"{row['source']})"
                )
    assert not problems, f"{folder.name} {period}:\n" + "\n".join(problems)


@pytest.mark.parametrize("folder, period", _count_cases(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_published_counts_come_back(folder: Path, period: str):
    table = _assessed(folder, period)
    counted = table[table["group"].map(_text) != ""]
    wanted: dict[tuple[str, str], Counter] = {}
    for row in _rows(folder / "expected_counts.csv"):
        if row["period"] == period:
            key = (row.get("tier", ""), row["objective"])
            wanted.setdefault(key, Counter())[row["status_label"]] += int(row["count"])
    for (tier, objective), counts in wanted.items():
        subset = counted
        if tier:
            subset = subset[subset["tier"].map(_text) == tier]
        if objective:
            subset = subset[subset["objective"] == objective]
        got = Counter(subset["status_label"].map(_text))
        assert got == counts, (
            f"{folder.name} {period} {objective or 'whole plan'}: perfkit {dict(got)}, council {dict(counts)}"
        )
