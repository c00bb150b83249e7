"""What service returns need of data contract v2, in one place.

The council's status words come from its ``council.toml`` as the register loader
reads it (:mod:`perfkit.data.council`, :mod:`perfkit.statuses`), periods from
:mod:`perfkit.periods`, the kinds of highlight from :mod:`perfkit.data.highlights`.
Everything else in :mod:`perfkit.returns` asks this module.

Examples
--------
>>> words = Words((("On track", "on_track"), ("On alert", "at_risk")))
>>> words.canonical("  on   ALERT "), words.canonical("Paused"), words.accepted()
('On alert', None, ['On track', 'On alert'])
>>> Words().canonical("ON_TRACK"), Words().accepted()[:3]
('On track', ['Achieved', 'On track', 'At risk'])
>>> parse_for_period("2023/2024"), parse_for_period("h1 2024/25"), parse_due("31/03/2025"), parse_due("Q3 2024/25")
('2023/24', '2024/25 H1', '2025-03-31', '2024/25 Q3')
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..data.council import load_council
from ..data.highlights import HIGHLIGHT_KINDS
from ..errors import CellError, PeriodError, Problem
from ..periods import Quarter, parse_period, year_label
from ..statuses import CLASSES, Vocabulary, class_phrase

__all__ = [
    "CLASSES",
    "HIGHLIGHT_KINDS",
    "Words",
    "ended_halves",
    "ended_years",
    "half_label",
    "load_words",
    "parse_due",
    "parse_for_period",
]


@dataclass(frozen=True)
class Words:
    """The council's status words (``[statuses]``): without them, the class names are the words (design §3)."""

    pairs: tuple[tuple[str, str], ...] = ()
    vocabulary: Vocabulary = field(default_factory=Vocabulary, compare=False)

    def __post_init__(self) -> None:
        if self.pairs and not self.vocabulary.words:
            object.__setattr__(self, "vocabulary", Vocabulary.from_council(dict(self.pairs)))

    def accepted(self) -> list[str]:
        """The words a return's drop-down offers, as the council spells them."""
        return [w for w, _ in self.vocabulary.words] or [class_phrase(c) for c in CLASSES]

    def canonical(self, text: str) -> str | None:
        """A word as the council spells it, matched ignoring case and repeated spaces; ``None`` if unknown."""
        return self.vocabulary.word(text) if self.vocabulary.classify(text) else None


def load_words(data_dir: Path) -> Words:
    """The ``[statuses]`` of a folder's ``council.toml`` (already checked by the register loader)."""
    problems: list[Problem] = []
    vocabulary = load_council(data_dir, problems).vocabulary
    return Words(vocabulary.words, vocabulary)


def half_label(start_year: int, number: int) -> str:
    """``2024/25 H1``: the label of a half of a financial year."""
    return f"{year_label(start_year)} H{number}"


def parse_for_period(text: str) -> str:
    """The period a figure measures, as its canonical label: a year, a half or a quarter.

    Raises
    ------
    CellError
        When the text is none of them.
    """
    try:
        return parse_period(text).label
    except PeriodError:
        raise CellError(
            f"'{' '.join(str(text).split())}' is not a period a figure can measure.",
            "Choose a year (2023/24), a half (2024/25 H1) or a quarter (2024/25 Q2) from the drop-down.",
        ) from None


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_due(value: object) -> str:
    """A due date as the register stores it: ``2025-03-31``, or a period's label (``2024/25 Q3``).

    Accepts a date cell, ``2025-03-31``, ``31/03/2025`` (day first), or a quarter, half or year.

    Raises
    ------
    CellError
        When it is none of them.
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    s = " ".join(str(value).split())
    fix = "Enter a date (31/03/2025) or a quarter (2025/26 Q1)."
    for pattern, order in ((_ISO, (1, 2, 3)), (_UK, (3, 2, 1))):
        m = pattern.match(s)
        if m:
            try:
                return dt.date(*(int(m[i]) for i in order)).isoformat()
            except ValueError:
                raise CellError(f"'{s}' is not a date that exists.", fix) from None
    try:
        return parse_for_period(s)
    except CellError:
        raise CellError(f"'{s}' is not a date.", fix) from None


def ended_years(quarter: Quarter, count: int = 2) -> list[str]:
    """The latest ``count`` financial years ended by the end of ``quarter``, latest first.

    >>> ended_years(Quarter(2024, 2)), ended_years(Quarter(2024, 4))
    (['2023/24', '2022/23'], ['2024/25', '2023/24'])
    """
    last = quarter.start_year if quarter.number == 4 else quarter.start_year - 1
    return [year_label(last - i) for i in range(count)]


def ended_halves(quarter: Quarter, count: int = 2) -> list[str]:
    """The latest ``count`` halves ended by the end of ``quarter``, latest first.

    >>> ended_halves(Quarter(2024, 2)), ended_halves(Quarter(2024, 1))
    (['2024/25 H1', '2023/24 H2'], ['2023/24 H2', '2023/24 H1'])
    """
    index = quarter.start_year * 2 + (quarter.number // 2) - 1  # the last half ended, as start_year * 2 + (h - 1)
    return [half_label(i // 2, i % 2 + 1) for i in range(index, index - count, -1)]
