"""``council.toml``: the council, its plans, and its own words for statuses (design §3).

Every key is optional. v1 keys: ``name``, ``plan_title``, ``objectives``. Contract v2
adds ``[statuses]``, ``[labels]``, ``[rag]``, ``[tiers]``, ``[report]`` and
``[[plans]]``. Each problem is reported against the key it concerns.

Examples
--------
>>> problems = []
>>> council = parse_council('''
... name = "Bolsover District Council"
... [statuses]
... "On track" = "on_track"
... "Affected by Covid-19" = "paused"
... [[plans]]
... title = "Council Ambition 2020–2024"
... from = "2020/21 Q1"
... to = "2023/24 Q4"
... ''', problems)
>>> council.vocabulary.classify("affected by covid-19"), council.plan_title_for(parse_quarter("2021/22 Q3"))
('paused', 'Council Ambition 2020–2024')
>>> problems
[]
"""

from __future__ import annotations

import difflib
import itertools
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CellError, PeriodError, Problem
from ..periods import Quarter, parse_quarter
from ..statuses import CLASSES, LABEL_KEYS, Vocabulary, normalise_word, parse_class
from .typed_cells import Tolerance, parse_tolerance

__all__ = [
    "CUMULATIVE_TRENDS",
    "TIERS",
    "Council",
    "Plan",
    "ReportInfo",
    "council_from",
    "load_council",
    "parse_council",
]

FILE = "council.toml"

#: The two tiers of metrics, and what they are called when the council does not say.
TIERS = {"plan": "Council Plan targets", "service": "Service indicators"}

#: ``[rag] cumulative_trend``: how year-to-date figures are compared with the previous quarter.
CUMULATIVE_TRENDS = ("n/a", "previous")

_KNOWN_KEYS = ("name", "plan_title", "objectives", "statuses", "labels", "rag", "tiers", "report", "plans", "returns")
_V2_KEYS = ("statuses", "labels", "rag", "tiers", "report", "plans")


@dataclass(frozen=True)
class Plan:
    """A Council Plan in force from one quarter to another (``[[plans]]``)."""

    title: str
    first: Quarter
    last: Quarter
    objectives: tuple[str, ...] = ()

    def covers(self, quarter: Quarter) -> bool:
        return self.first <= quarter <= self.last


@dataclass(frozen=True)
class ReportInfo:
    """``[report]``: the front matter of the reports (seeds 000 and 004)."""

    author: str = ""
    contact: str = ""
    classification: str = "This report is public"


@dataclass(frozen=True)
class Council:
    """What ``council.toml`` says about the council and its plan.

    Attributes
    ----------
    name, plan_title, objectives
        v1: the council's name, its plan's title and objectives in display order
        (``plan_title`` and ``objectives`` also serve quarters in no ``[[plans]]`` entry).
    vocabulary
        ``[statuses]`` and ``[labels]``: the council's words.
    tolerance
        ``[rag] tolerance``: the bands for metrics whose own tolerance is blank.
    cumulative_trend
        ``[rag] cumulative_trend``: ``n/a`` (default) or ``previous``.
    tiers
        ``[tiers]``: what the council calls its ``plan`` and ``service`` tiers.
    report
        ``[report]``: author, contact and classification.
    plans
        ``[[plans]]`` in time order.
    v2
        Whether any contract v2 key is used.
    """

    name: str = "Council"
    plan_title: str = "Council Plan"
    objectives: tuple[str, ...] = ()
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    tolerance: Tolerance | None = None
    cumulative_trend: str = "n/a"
    tiers: tuple[tuple[str, str], ...] = tuple(TIERS.items())
    report: ReportInfo = field(default_factory=ReportInfo)
    plans: tuple[Plan, ...] = ()
    v2: bool = False

    def plan_for(self, quarter: Quarter) -> Plan | None:
        """The ``[[plans]]`` entry in force in a quarter, or ``None``."""
        for plan in self.plans:
            if plan.covers(quarter):
                return plan
        return None

    def plan_title_for(self, quarter: Quarter) -> str:
        """The title of the plan in force in a quarter (``plan_title`` when no entry covers it)."""
        plan = self.plan_for(quarter)
        return plan.title if plan else self.plan_title

    def objectives_for(self, quarter: Quarter) -> tuple[str, ...]:
        """The objectives, in display order, of the plan in force in a quarter."""
        plan = self.plan_for(quarter)
        return plan.objectives if (plan and plan.objectives) else self.objectives

    @property
    def listed_objectives(self) -> tuple[str, ...]:
        """Every objective council.toml lists, top level and plans, in order, once each."""
        seen = dict.fromkeys(self.objectives)
        for plan in self.plans:
            seen.update(dict.fromkeys(plan.objectives))
        return tuple(seen)

    def tier_label(self, tier: str) -> str:
        """What the council calls a tier (``[tiers]``), e.g. ``Council Plan targets``."""
        return dict(self.tiers).get(tier, TIERS.get(tier, tier))


class _Keys:
    """Records problems about council.toml against the key they concern."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems

    def error(self, key: str, message: str, fix: str, severity: str = "error") -> None:
        self.problems.append(Problem(FILE, None, key, message, fix, severity))

    def text(self, table: dict, key: str, where: str, default: str) -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            self.error(where, f"{where} is not text.", f'Write it in quotes: {key} = "…".')
            return default
        return " ".join(value.split())

    def table(self, doc: dict, key: str) -> dict:
        value = doc.get(key, {})
        if not isinstance(value, dict):
            self.error(key, f"{key} is not a table.", f"Write it as a [{key}] heading followed by lines key = value.")
            return {}
        return value


def _statuses(keys: _Keys, table: dict) -> dict[str, str]:
    words: dict[str, str] = {}
    seen: dict[str, str] = {}
    for word, name in table.items():
        where = f"[statuses] {word}"
        text = " ".join(str(word).split())
        if not text:
            keys.error(where, "A status word is blank.", 'Write each word in quotes: "On track" = "on_track".')
            continue
        cls = parse_class(name) if isinstance(name, str) else None
        if cls is None:
            keys.error(
                where,
                f"'{name}' is not a status class.",
                f'Map each word to one of: {", ".join(CLASSES)} (e.g. "{text}" = "on_track").',
            )
            continue
        norm = normalise_word(text)
        if norm in seen:
            keys.error(
                where,
                f"'{text}' is listed twice (also as '{seen[norm]}'); words match ignoring case and spaces.",
                "Keep one of them.",
            )
            continue
        seen[norm] = text
        words[text] = cls
    return words


def _labels(keys: _Keys, table: dict) -> dict[str, str]:
    labels: dict[str, str] = {}
    for key, word in table.items():
        where = f"[labels] {key}"
        if key not in LABEL_KEYS:
            guess = difflib.get_close_matches(str(key), LABEL_KEYS, n=1)
            hint = f"Did you mean '{guess[0]}'? " if guess else ""
            keys.error(
                where, f"'{key}' is not a status perfkit assigns.", f"{hint}Use one of: {', '.join(LABEL_KEYS)}."
            )
            continue
        if not isinstance(word, str) or not word.strip():
            keys.error(where, f"The word for {key} is not text.", f'Write it in quotes: {key} = "On track".')
            continue
        labels[key] = " ".join(word.split())
    return labels


def _rag(keys: _Keys, table: dict) -> tuple[Tolerance | None, str]:
    tolerance = None
    raw = table.get("tolerance")
    if raw is not None:
        try:
            tolerance = parse_tolerance(str(raw))
        except CellError as exc:
            keys.error("[rag] tolerance", exc.message, exc.fix)
    trend = table.get("cumulative_trend", "n/a")
    if trend not in CUMULATIVE_TRENDS:
        keys.error(
            "[rag] cumulative_trend",
            f"'{trend}' is not a way of comparing year-to-date figures.",
            'Write cumulative_trend = "previous" (compare with the previous quarter) or "n/a" (the default).',
        )
        trend = "n/a"
    for key in table:
        if key not in ("tolerance", "cumulative_trend"):
            keys.error(
                f"[rag] {key}",
                f"'{key}' is not a [rag] setting and is ignored.",
                "[rag] takes tolerance and cumulative_trend.",
                "warning",
            )
    return tolerance, str(trend)


def _plans(keys: _Keys, entries: object) -> tuple[Plan, ...]:
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        keys.error("plans", "plans is not a list of plans.", "Write each plan under its own [[plans]] heading.")
        return ()
    plans: list[Plan] = []
    for number, entry in enumerate(entries, start=1):
        where = f"[[plans]] {number}"
        title = keys.text(entry, "title", f"{where} title", "")
        if not title:
            keys.error(f"{where} title", "The plan has no title.", 'Add title = "Council Plan 2024–28".')
        ends = []
        for key in ("from", "to"):
            value = entry.get(key)
            if value is None:
                keys.error(f"{where} {key}", f"The plan has no '{key}' quarter.", f'Add {key} = "2024/25 Q1".')
                continue
            try:
                ends.append(parse_quarter(value))
            except PeriodError as exc:
                keys.error(f"{where} {key}", exc.message, exc.fix)
        objectives = entry.get("objectives", [])
        if not isinstance(objectives, list) or not all(isinstance(o, str) for o in objectives):
            keys.error(
                f"{where} objectives",
                "objectives is not a list of names.",
                'Write objectives = ["First objective", "Second objective"].',
            )
            objectives = []
        if len(ends) != 2 or not title:
            continue
        first, last = ends
        if last < first:
            keys.error(
                f"{where} to",
                f"The plan '{title}' ends ({last.label}) before it starts ({first.label}).",
                "Put the first quarter in from and the last in to.",
            )
            continue
        plans.append(Plan(title, first, last, tuple(" ".join(o.split()) for o in objectives)))
    plans.sort(key=lambda p: p.first)
    for earlier, later in itertools.pairwise(plans):
        if later.first <= earlier.last:
            keys.error(
                "plans",
                f"The plans '{earlier.title}' ({earlier.first.label} to {earlier.last.label}) and "
                f"'{later.title}' ({later.first.label} to {later.last.label}) overlap.",
                "Give each quarter to one plan: end the first before the second starts.",
            )
    return tuple(plans)


def parse_council(text: str, problems: list[Problem]) -> Council:
    """Read the text of ``council.toml``; problems are appended to ``problems``."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(
            Problem(FILE, None, None, f"The file is not valid TOML ({exc}).", 'Write lines like name = "Demo Council".')
        )
        return Council()
    return council_from(doc, problems)


def council_from(doc: dict, problems: list[Problem]) -> Council:
    """The :class:`Council` a parsed ``council.toml`` describes; problems are appended to ``problems``."""
    keys = _Keys(problems)
    for key in doc:
        if key not in _KNOWN_KEYS:
            guess = difflib.get_close_matches(key, _KNOWN_KEYS, n=1)
            hint = f"Did you mean '{guess[0]}'? " if guess else ""
            keys.error(
                key,
                f"'{key}' is not a council.toml setting and is ignored.",
                f"{hint}Known settings: {', '.join(_KNOWN_KEYS)}.",
                "warning",
            )
    objectives = doc.get("objectives", [])
    if not isinstance(objectives, list) or not all(isinstance(o, str) for o in objectives):
        keys.error(
            "objectives",
            "objectives is not a list of names.",
            'Write objectives = ["First objective", "Second objective"].',
        )
        objectives = []
    statuses = _statuses(keys, keys.table(doc, "statuses"))
    labels = _labels(keys, keys.table(doc, "labels"))
    tolerance, cumulative_trend = _rag(keys, keys.table(doc, "rag"))
    tiers_table = keys.table(doc, "tiers")
    tiers = dict(TIERS)
    for key in tiers_table:
        if key not in TIERS:
            keys.error(f"[tiers] {key}", f"'{key}' is not a tier.", "The tiers are plan and service.")
            continue
        tiers[key] = keys.text(tiers_table, key, f"[tiers] {key}", TIERS[key])
    report_table = keys.table(doc, "report")
    report = ReportInfo(
        author=keys.text(report_table, "author", "[report] author", ""),
        contact=keys.text(report_table, "contact", "[report] contact", ""),
        classification=keys.text(report_table, "classification", "[report] classification", ReportInfo.classification),
    )
    return Council(
        name=keys.text(doc, "name", "name", Council.name),
        plan_title=keys.text(doc, "plan_title", "plan_title", Council.plan_title),
        objectives=tuple(" ".join(o.split()) for o in objectives),
        vocabulary=Vocabulary.from_council(statuses, labels),
        tolerance=tolerance,
        cumulative_trend=cumulative_trend,
        tiers=tuple(tiers.items()),
        report=report,
        plans=_plans(keys, doc["plans"]) if "plans" in doc else (),
        v2=any(k in doc for k in _V2_KEYS),
    )


def load_council(data_dir: Path, problems: list[Problem]) -> Council:
    """Read ``council.toml`` of a data folder if there is one (through the readers' checks on files)."""
    from .sources import find_data_file, read_toml

    path = find_data_file(data_dir, FILE)
    if not os.path.lexists(path):
        return Council()
    doc = read_toml(path, path.name, problems)
    return Council() if doc is None else council_from(doc, problems)
