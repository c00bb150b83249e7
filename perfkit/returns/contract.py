"""What service returns need of data contract v2, in one place.

Contract v2 (status words, milestones, later outturns, highlights) is read here,
defensively, from the files as design §3 fixes them, so that returns work on a
v1 folder (no milestones; the status words are the class names) and on a v2
folder alike. Everything else in :mod:`perfkit.returns` asks this module.

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
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import CellError, PeriodError
from ..periods import Quarter, parse_quarter, parse_year, year_label

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

#: The classes a service can report (design §3, "Status classes").
CLASSES = (
    "achieved",
    "on_track",
    "at_risk",
    "off_track",
    "not_started",
    "paused",
    "under_review",
    "withdrawn",
    "no_update",
)

#: The kinds of a highlight (design §3, highlights.csv).
HIGHLIGHT_KINDS = ("achievement", "challenge", "update")


def _norm(text: str) -> str:
    return " ".join(str(text).replace("_", " ").split()).casefold()


def _phrase(name: str) -> str:
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Words:
    """The council's status words: ``(word, class)`` pairs of ``[statuses]``, in order.

    Without ``[statuses]`` the class names are the words, in any case, with ``_`` or
    spaces (design §3).
    """

    pairs: tuple[tuple[str, str], ...] = ()

    def accepted(self) -> list[str]:
        """The words a return's drop-down offers, as the council spells them."""
        if self.pairs:
            return [w for w, _ in self.pairs]
        return [_phrase(c) for c in CLASSES]

    def canonical(self, text: str) -> str | None:
        """A word as the council spells it, matched ignoring case and repeated spaces; ``None`` if unknown."""
        key = _norm(text)
        if self.pairs:
            by_word = {" ".join(w.split()).casefold(): w for w, _ in self.pairs}
            return by_word.get(" ".join(str(text).split()).casefold())
        for c in CLASSES:
            if _norm(c) == key:
                return _phrase(c)
        return None


def load_words(data_dir: Path) -> Words:
    """The ``[statuses]`` of a folder's ``council.toml`` (already checked by the register loader)."""
    path = data_dir / "council.toml"
    if not path.exists():
        return Words()
    try:
        doc = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return Words()
    table = doc.get("statuses", {})
    if not isinstance(table, dict):
        return Words()
    return Words(tuple((" ".join(str(w).split()), str(c)) for w, c in table.items() if isinstance(c, str)))


_HALF = re.compile(
    r"^(?:(?P<y>\d{4}\s*[/\-_]\s*\d{2,4})[\s\-_/]*H(?P<h>\d)|H(?P<h2>\d)[\s\-_/]*(?P<y2>\d{4}\s*[/\-_]\s*\d{2,4}))$",
    re.I,
)


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
    s = " ".join(str(text).split())
    m = _HALF.match(s)
    if m:
        start = parse_year((m["y"] or m["y2"]).replace(" ", ""))
        number = int(m["h"] or m["h2"])
        if number in (1, 2):
            return half_label(start, number)
    for parse in (lambda t: year_label(parse_year(t)), lambda t: parse_quarter(t).label):
        try:
            return parse(s)
        except PeriodError:
            continue
    raise CellError(
        f"'{s}' is not a period a figure can measure.",
        "Choose a year (2023/24), a half (2024/25 H1) or a quarter (2024/25 Q2) from the drop-down.",
    )


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
