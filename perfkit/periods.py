"""Financial years and quarters of UK local government (April to March).

A quarter is shown to people as ``2024/25 Q2`` (its *label*) and used in
folder names and parameters as ``2024-25-Q2`` (its *slug*). Input is parsed
leniently; output is always canonical.

Examples
--------
>>> q = parse_quarter("Q2 2024/2025")
>>> q.label, q.slug
('2024/25 Q2', '2024-25-Q2')
>>> q.previous().label, q.same_quarter_last_year().label
('2024/25 Q1', '2023/24 Q2')
>>> q.end
datetime.date(2024, 9, 30)
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import total_ordering

from .errors import PeriodError

__all__ = [
    "Quarter",
    "latest_quarter",
    "parse_quarter",
    "parse_year",
    "quarter_range",
    "warn_if_after",
    "year_label",
]

_YEAR = r"(?P<y1>\d{4})\s*[/\-_]\s*(?P<y2>\d{2}|\d{4})"
_Q = r"Q(?P<q>\d)"
_SEP = r"[\s\-_/]*"
_QUARTER_PATTERNS = (
    re.compile(rf"^{_YEAR}{_SEP}{_Q}$", re.IGNORECASE),
    re.compile(rf"^{_Q}{_SEP}{_YEAR}$", re.IGNORECASE),
)
_YEAR_PATTERN = re.compile(rf"^{_YEAR}$")

_SPELLINGS = "'2024/25 Q2', '2024-25-Q2', 'Q2 2024/25' or '2024/2025 Q2'"

_MONTHS = ("April", "July", "October", "January")


def _start_year(y1: str, y2: str, text: str) -> int:
    start = int(y1)
    end = int(y2)
    expected = start + 1 if len(y2) == 4 else (start + 1) % 100
    if end != expected:
        raise PeriodError(
            f"'{text}' is not a financial year: a financial year runs April to March, "
            f"so {start} is followed by {start + 1}.",
            f"Write {start}/{(start + 1) % 100:02d}.",
        )
    return start


def year_label(start_year: int) -> str:
    """The label of the financial year starting in April of ``start_year``.

    >>> year_label(2024)
    '2024/25'
    """
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def parse_year(text: object) -> int:
    """Parse a financial year such as ``2024/25`` and return its start year.

    Parameters
    ----------
    text
        ``2024/25``, ``2024-25`` or ``2024/2025``.

    Returns
    -------
    int
        The calendar year in which the financial year starts (2024).

    Raises
    ------
    PeriodError
        When the text is not a financial year.

    Examples
    --------
    >>> pk.parse_year("2024/25"), pk.parse_year("2024-2025")
    (2024, 2024)
    >>> pk.parse_year("2024/26")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    perfkit.errors.PeriodError: '2024/26' is not a financial year: ... so 2024 is followed by 2025. Write 2024/25.
    """
    s = str(text).strip()
    m = _YEAR_PATTERN.match(s)
    if not m:
        raise PeriodError(f"'{s}' is not a financial year.", "Write it as '2024/25' (April 2024 to March 2025).")
    return _start_year(m["y1"], m["y2"], s)


@total_ordering
@dataclass(frozen=True)
class Quarter:
    """A quarter of a financial year.

    Parameters
    ----------
    start_year
        Calendar year in which the financial year starts (2024 for 2024/25).
    number
        1 (April–June), 2 (July–September), 3 (October–December) or 4 (January–March).

    Examples
    --------
    >>> q = pk.Quarter(2024, 4)
    >>> q.label, q.slug, q.months, q.end
    ('2024/25 Q4', '2024-25-Q4', 'January to March 2025', datetime.date(2025, 3, 31))
    >>> q.next().label, q.previous() < q
    ('2025/26 Q1', True)
    """

    start_year: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3, 4):
            raise PeriodError(
                f"Q{self.number} does not exist: a financial year has quarters Q1 to Q4.", "Use Q1 to Q4."
            )

    # ordering -----------------------------------------------------------
    @property
    def index(self) -> int:
        """A running number: consecutive quarters differ by one."""
        return self.start_year * 4 + self.number - 1

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        """The quarter whose :attr:`index` is ``index``."""
        return cls(index // 4, index % 4 + 1)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Quarter):
            return NotImplemented
        return self.index < other.index

    # names ----------------------------------------------------------------
    @property
    def year_label(self) -> str:
        """``2024/25``."""
        return year_label(self.start_year)

    @property
    def label(self) -> str:
        """``2024/25 Q2``: the form shown to people."""
        return f"{self.year_label} Q{self.number}"

    @property
    def slug(self) -> str:
        """``2024-25-Q2``: the form used in folder names and parameters."""
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}-Q{self.number}"

    @property
    def short(self) -> str:
        """``Q2``: enough within a sentence that already names the year."""
        return f"Q{self.number}"

    @property
    def months(self) -> str:
        """``July to September 2024``."""
        first = _MONTHS[self.number - 1]
        last = calendar.month_name[self.end.month]
        return f"{first} to {last} {self.end.year}"

    def __str__(self) -> str:
        return self.label

    # dates ----------------------------------------------------------------
    @property
    def start(self) -> _dt.date:
        """First day of the quarter."""
        month = 4 + 3 * (self.number - 1)
        year = self.start_year
        if month > 12:
            month -= 12
            year += 1
        return _dt.date(year, month, 1)

    @property
    def end(self) -> _dt.date:
        """Last day of the quarter."""
        first_of_next = self.next().start
        return first_of_next - _dt.timedelta(days=1)

    # arithmetic -----------------------------------------------------------
    def next(self) -> Quarter:
        """The following quarter."""
        return Quarter.from_index(self.index + 1)

    def previous(self) -> Quarter:
        """The quarter before."""
        return Quarter.from_index(self.index - 1)

    def same_quarter_last_year(self) -> Quarter:
        """The same quarter of the previous financial year."""
        return Quarter(self.start_year - 1, self.number)

    def short_relative_to(self, other: Quarter) -> str:
        """``Q1`` when in the same financial year as ``other``, else the full label."""
        return self.short if self.start_year == other.start_year else self.label


def parse_quarter(text: object) -> Quarter:
    """Parse a quarter written in any of the accepted spellings.

    Parameters
    ----------
    text
        ``2024/25 Q2``, ``2024-25-Q2``, ``Q2 2024/25``, ``2024/2025 Q2`` (case
        and spacing do not matter), or a :class:`Quarter`.

    Returns
    -------
    Quarter

    Raises
    ------
    PeriodError
        For anything else, e.g. ``2024/26 Q2``, ``Q5`` or ``2024 Q2``.

    Examples
    --------
    >>> pk.parse_quarter("q2 2024/2025")
    Quarter(start_year=2024, number=2)
    >>> pk.parse_quarter("2024 Q2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    perfkit.errors.PeriodError: '2024 Q2' gives a calendar year, ... Write it as '2024/25 Q2', '2024-25-Q2', ...
    """
    if isinstance(text, Quarter):
        return text
    s = " ".join(str(text).split())
    for pattern in _QUARTER_PATTERNS:
        m = pattern.match(s)
        if m:
            start = _start_year(m["y1"], m["y2"], s)
            number = int(m["q"])
            if number not in (1, 2, 3, 4):
                raise PeriodError(
                    f"'{s}' names Q{number}, but a financial year has quarters Q1 to Q4.", "Use Q1 to Q4."
                )
            return Quarter(start, number)
    if re.fullmatch(r"Q\d", s, re.IGNORECASE):
        raise PeriodError(f"'{s}' has no financial year.", f"Write the quarter as {_SPELLINGS}.")
    if re.fullmatch(r"\d{4}\s*[\-_ ]?\s*Q\d|Q\d\s*[\-_ ]?\s*\d{4}", s, re.IGNORECASE):
        raise PeriodError(
            f"'{s}' gives a calendar year, which is ambiguous for a financial quarter.", f"Write it as {_SPELLINGS}."
        )
    raise PeriodError(f"'{s}' is not a financial quarter.", f"Write it as {_SPELLINGS}.")


def quarter_range(first: object, last: object) -> list[Quarter]:
    """Every quarter from ``first`` to ``last``, both included, in order.

    Raises
    ------
    PeriodError
        When ``last`` comes before ``first``.

    Examples
    --------
    >>> [q.label for q in pk.quarter_range("2023/24 Q4", "2024-25-Q2")]
    ['2023/24 Q4', '2024/25 Q1', '2024/25 Q2']
    """
    a, b = parse_quarter(first), parse_quarter(last)
    if b < a:
        raise PeriodError(f"The range {a.label} to {b.label} runs backwards.", "Put the earlier quarter first.")
    return [Quarter.from_index(i) for i in range(a.index, b.index + 1)]


def latest_quarter(periods: Iterable[object]) -> Quarter:
    """The latest of the given quarters (any spelling).

    Raises
    ------
    PeriodError
        When there are none.

    Examples
    --------
    >>> pk.latest_quarter(["2024/25 Q1", "Q4 2023/24", "2024-25-Q2"]).label
    '2024/25 Q2'
    """
    parsed = [parse_quarter(p) for p in periods]
    if not parsed:
        raise PeriodError(
            "There are no actuals, so there is no latest quarter to report on.", "Add rows to the actuals table."
        )
    return max(parsed)


def warn_if_after(quarters: Iterable[Quarter], latest: Quarter, *, stacklevel: int = 2) -> None:
    """Warn when a quarter asked for comes after ``latest``, the data's latest quarter with figures.

    Not an error: a report can be made before every figure is in. But every metric due then
    would show "no data", which is more often a mistyped quarter than an early report.
    ``stacklevel`` counts from the caller of this function, as :func:`warnings.warn` does.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_if_after([parse_quarter("2025/26 Q1")], parse_quarter("2024/25 Q2"))
    >>> print(caught[0].message)
    2025/26 Q1 is after the latest quarter with figures (2024/25 Q2): every metric due then will show 'no data'.
    """
    beyond = [q for q in quarters if q > latest]
    if beyond:
        warnings.warn(
            f"{beyond[0].label} is after the latest quarter with figures ({latest.label}): "
            "every metric due then will show 'no data'.",
            UserWarning,
            stacklevel=stacklevel + 1,
        )
