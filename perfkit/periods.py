"""Financial years and quarters of UK local government (April to March).

A quarter is shown to people as ``2024/25 Q2`` (its *label*) and used in
folder names and parameters as ``2024-25-Q2`` (its *slug*). Halves
(``2020/21 H1``, slug ``2020-21-H1``) and whole years (``2020/21``) are the
other periods a figure can measure (contract v2's ``for_period``). Input is
parsed leniently; output is always canonical.

Examples
--------
>>> q = parse_quarter("Q2 2024/2025")
>>> q.label, q.slug
('2024/25 Q2', '2024-25-Q2')
>>> q.previous().label, q.same_quarter_last_year().label
('2024/25 Q1', '2023/24 Q2')
>>> q.end
datetime.date(2024, 9, 30)
>>> h = parse_period("H1 2020/21")
>>> h.label, h.slug, h.last_quarter.label
('2020/21 H1', '2020-21-H1', '2020/21 Q2')
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import total_ordering
from typing import ClassVar, Self

from .errors import PeriodError

__all__ = [
    "FinancialYear",
    "Half",
    "Period",
    "Quarter",
    "latest_quarter",
    "long_date",
    "parse_due_date",
    "parse_half",
    "parse_period",
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
_H = r"H(?P<h>\d)"
_HALF_PATTERNS = (
    re.compile(rf"^{_YEAR}{_SEP}{_H}$", re.IGNORECASE),
    re.compile(rf"^{_H}{_SEP}{_YEAR}$", re.IGNORECASE),
)

_SPELLINGS = "'2024/25 Q2', '2024-25-Q2', 'Q2 2024/25' or '2024/2025 Q2'"
_HALF_SPELLINGS = "'2020/21 H1', '2020-21-H1' or 'H1 2020/21'"
_YEAR_SPELLINGS = "'2020/21', '2020-21' or '2020/2021'"
#: Every accepted form of a period, for messages about a cell that may hold any of them.
PERIOD_SPELLINGS = f"a quarter ({_SPELLINGS}), a half ({_HALF_SPELLINGS}) or a financial year ({_YEAR_SPELLINGS})"

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


def long_date(day: object) -> str:
    """A date as reports write it, ``30 June 2024``; ``""`` for no date (``None``, blank, NaN or NaT).

    >>> long_date(_dt.date(2024, 6, 30)), long_date(None), long_date(float("nan"))
    ('30 June 2024', '', '')
    """
    if not isinstance(day, _dt.date) or day != day:  # NaT is a datetime that is not equal to itself
        return ""
    return f"{day.day} {day:%B %Y}"


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
        raise PeriodError(
            f"'{s}' is not a financial year.",
            f"Write it as {_YEAR_SPELLINGS} (April 2020 to March 2021).",
        )
    return _start_year(m["y1"], m["y2"], s)


class _PartOfYear:
    """What a quarter and a half share: a numbered part of a financial year (``Q2``, ``H1``)."""

    start_year: int
    number: int
    #: How many of these make a year, and the letter that names one.
    per_year: ClassVar[int]
    letter: ClassVar[str]
    #: The numbers that exist and how to fix one that does not, for the error message.
    _valid: ClassVar[tuple[str, str]]

    def __post_init__(self) -> None:
        if not 1 <= self.number <= self.per_year:
            exist, fix = self._valid
            raise PeriodError(f"{self.letter}{self.number} does not exist: a financial year has {exist}.", fix)

    # ordering -----------------------------------------------------------
    @property
    def index(self) -> int:
        """A running number: consecutive periods of this kind differ by one."""
        return self.start_year * self.per_year + self.number - 1

    @classmethod
    def from_index(cls, index: int) -> Self:
        """The period whose :attr:`index` is ``index``."""
        return cls(index // cls.per_year, index % cls.per_year + 1)  # type: ignore[call-arg]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.index < other.index

    # names ----------------------------------------------------------------
    @property
    def year_label(self) -> str:
        """``2024/25``: the financial year's label."""
        return year_label(self.start_year)

    @property
    def label(self) -> str:
        """``2024/25 Q2`` or ``2020/21 H1``: the form shown to people."""
        return f"{self.year_label} {self.letter}{self.number}"

    @property
    def slug(self) -> str:
        """``2024-25-Q2``: the form used in folder names and parameters."""
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}-{self.letter}{self.number}"

    @property
    def short(self) -> str:
        """``Q2``: enough within a sentence that already names the year."""
        return f"{self.letter}{self.number}"

    def __str__(self) -> str:
        return self.label


@total_ordering
@dataclass(frozen=True)
class Quarter(_PartOfYear):
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

    #: What kind of period this is (quarter, half or year).
    kind: ClassVar[str] = "quarter"
    #: How many quarters it spans.
    length: ClassVar[int] = 1

    per_year: ClassVar[int] = 4
    letter: ClassVar[str] = "Q"
    _valid: ClassVar[tuple[str, str]] = ("quarters Q1 to Q4", "Use Q1 to Q4.")

    # names ----------------------------------------------------------------
    @property
    def months(self) -> str:
        """``July to September 2024``."""
        first = _MONTHS[self.number - 1]
        last = calendar.month_name[self.end.month]
        return f"{first} to {last} {self.end.year}"

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

    # as a period (shared with Half and FinancialYear) ---------------------
    @property
    def quarters(self) -> tuple[Quarter, ...]:
        """The quarters the period spans: this one."""
        return (self,)

    @property
    def first_quarter(self) -> Quarter:
        return self

    @property
    def last_quarter(self) -> Quarter:
        return self

    def same_period_last_year(self) -> Quarter:
        """The same quarter of the previous financial year."""
        return self.same_quarter_last_year()

    @property
    def half(self) -> Half:
        """The half of the financial year the quarter is in (Q1, Q2: H1; Q3, Q4: H2)."""
        return Half(self.start_year, 1 if self.number <= 2 else 2)

    @property
    def year(self) -> FinancialYear:
        """The financial year the quarter is in."""
        return FinancialYear(self.start_year)


@total_ordering
@dataclass(frozen=True)
class Half(_PartOfYear):
    """A half of a financial year: H1 (April–September) or H2 (October–March).

    Examples
    --------
    >>> h = Half(2020, 2)
    >>> h.label, h.slug, [q.label for q in h.quarters]
    ('2020/21 H2', '2020-21-H2', ['2020/21 Q3', '2020/21 Q4'])
    >>> h.previous().label, h.same_period_last_year().label, h.end
    ('2020/21 H1', '2019/20 H2', datetime.date(2021, 3, 31))
    """

    start_year: int
    number: int

    kind: ClassVar[str] = "half"
    length: ClassVar[int] = 2

    per_year: ClassVar[int] = 2
    letter: ClassVar[str] = "H"
    _valid: ClassVar[tuple[str, str]] = ("halves H1 and H2", "Use H1 or H2.")

    @property
    def quarters(self) -> tuple[Quarter, Quarter]:
        first = 2 * self.number - 1
        return (Quarter(self.start_year, first), Quarter(self.start_year, first + 1))

    @property
    def first_quarter(self) -> Quarter:
        return self.quarters[0]

    @property
    def last_quarter(self) -> Quarter:
        return self.quarters[1]

    @property
    def start(self) -> _dt.date:
        return self.first_quarter.start

    @property
    def end(self) -> _dt.date:
        return self.last_quarter.end

    def previous(self) -> Half:
        """The half before."""
        return Half.from_index(self.index - 1)

    def same_period_last_year(self) -> Half:
        return Half(self.start_year - 1, self.number)


@total_ordering
@dataclass(frozen=True)
class FinancialYear:
    """A financial year, April to March.

    Examples
    --------
    >>> y = FinancialYear(2020)
    >>> y.label, y.slug, y.last_quarter.label, y.previous().label
    ('2020/21', '2020-21', '2020/21 Q4', '2019/20')
    """

    start_year: int

    kind: ClassVar[str] = "year"
    length: ClassVar[int] = 4

    @property
    def index(self) -> int:
        return self.start_year

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, FinancialYear):
            return NotImplemented
        return self.start_year < other.start_year

    @property
    def year_label(self) -> str:
        return year_label(self.start_year)

    @property
    def label(self) -> str:
        """``2020/21``."""
        return self.year_label

    @property
    def slug(self) -> str:
        """``2020-21``."""
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def short(self) -> str:
        return self.label

    def __str__(self) -> str:
        return self.label

    @property
    def quarters(self) -> tuple[Quarter, ...]:
        return tuple(Quarter(self.start_year, n) for n in (1, 2, 3, 4))

    @property
    def first_quarter(self) -> Quarter:
        return Quarter(self.start_year, 1)

    @property
    def last_quarter(self) -> Quarter:
        return Quarter(self.start_year, 4)

    @property
    def start(self) -> _dt.date:
        return self.first_quarter.start

    @property
    def end(self) -> _dt.date:
        return self.last_quarter.end

    def previous(self) -> FinancialYear:
        return FinancialYear(self.start_year - 1)

    def same_period_last_year(self) -> FinancialYear:
        return self.previous()


#: A period a figure can measure: a quarter, a half or a whole financial year.
Period = Quarter | Half | FinancialYear


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
                    f"'{s}' names Q{number}, but a financial year has quarters Q1 to Q4.",
                    f"Use Q1 to Q4, written as {_SPELLINGS}.",
                )
            return Quarter(start, number)
    if re.fullmatch(r"Q\d", s, re.IGNORECASE):
        raise PeriodError(f"'{s}' has no financial year.", f"Write the quarter as {_SPELLINGS}.")
    if any(p.match(s) for p in _HALF_PATTERNS) or _YEAR_PATTERN.match(s):
        what = "a half year" if any(p.match(s) for p in _HALF_PATTERNS) else "a whole financial year"
        raise PeriodError(f"'{s}' is {what}, not a financial quarter.", f"Write a quarter as {_SPELLINGS}.")
    if re.fullmatch(r"\d{4}\s*[\-_ ]?\s*Q\d|Q\d\s*[\-_ ]?\s*\d{4}", s, re.IGNORECASE):
        raise PeriodError(
            f"'{s}' gives a calendar year, which is ambiguous for a financial quarter.", f"Write it as {_SPELLINGS}."
        )
    raise PeriodError(f"'{s}' is not a financial quarter.", f"Write it as {_SPELLINGS}.")


def parse_half(text: object) -> Half:
    """Parse a half of a financial year: ``2020/21 H1``, ``2020-21-H1``, ``H1 2020/21`` or ``2020/2021 H1``.

    >>> parse_half("2020-21-h2").label
    '2020/21 H2'

    Raises
    ------
    PeriodError
        For anything else, echoing the text and the accepted forms.
    """
    if isinstance(text, Half):
        return text
    s = " ".join(str(text).split())
    for pattern in _HALF_PATTERNS:
        m = pattern.match(s)
        if m:
            start = _start_year(m["y1"], m["y2"], s)
            number = int(m["h"])
            if number not in (1, 2):
                raise PeriodError(
                    f"'{s}' names H{number}, but a financial year has halves H1 and H2.",
                    f"Use H1 or H2, written as {_HALF_SPELLINGS}.",
                )
            return Half(start, number)
    raise PeriodError(f"'{s}' is not a half of a financial year.", f"Write it as {_HALF_SPELLINGS}.")


def parse_period(text: object) -> Period:
    """Parse a quarter, a half or a financial year, whichever the text is.

    Parameters
    ----------
    text
        ``2020/21 Q2`` (any spelling :func:`parse_quarter` accepts), ``2020/21 H1``
        (any spelling :func:`parse_half` accepts) or ``2020/21`` (a year), or a period.

    Returns
    -------
    Quarter, Half or FinancialYear

    Raises
    ------
    PeriodError
        Echoing the text and every accepted form.

    Examples
    --------
    >>> [parse_period(t).label for t in ("Q3 2020/21", "2020-21-H1", "2020/2021")]
    ['2020/21 Q3', '2020/21 H1', '2020/21']
    """
    if isinstance(text, (Quarter, Half, FinancialYear)):
        return text
    s = " ".join(str(text).split())
    if any(p.match(s) for p in _QUARTER_PATTERNS):
        return parse_quarter(s)
    if any(p.match(s) for p in _HALF_PATTERNS):
        return parse_half(s)
    m = _YEAR_PATTERN.match(s)
    if m:
        return FinancialYear(_start_year(m["y1"], m["y2"], s))
    if not s:
        raise PeriodError("The period is blank.", f"Write {PERIOD_SPELLINGS}.")
    raise PeriodError(f"'{s}' is not a financial period.", f"Write {PERIOD_SPELLINGS}.")


_MONTH_NUMBERS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    name.lower(): i for i, name in enumerate(calendar.month_abbr) if name
}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{4})$")


def parse_due_date(text: object) -> _dt.date:
    """A due date as councils write it: a date, a month, or a period (meaning its last day).

    Accepts ``2022-12-31`` (as Excel dates are read), ``31/12/2022`` (day first, as in
    the UK), ``Dec 2022`` or ``December 2022`` (the month's last day), and any quarter,
    half or financial year (its last day: ``2022/23 Q3`` is 31 December 2022).

    >>> parse_due_date("2022/23 Q3"), parse_due_date("Dec 2022"), parse_due_date("31/12/2022")
    (datetime.date(2022, 12, 31), datetime.date(2022, 12, 31), datetime.date(2022, 12, 31))

    Raises
    ------
    PeriodError
        Echoing the text and the accepted forms.
    """
    if isinstance(text, _dt.datetime):
        return text.date()
    if isinstance(text, _dt.date):
        return text
    s = " ".join(str(text).split())
    fix = f"Write a date (2022-12-31 or 31/12/2022), a month (Dec 2022) or {PERIOD_SPELLINGS}."
    try:
        m = _ISO_DATE.match(s)
        if m:
            return _dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _UK_DATE.match(s)
        if m:
            return _dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        raise PeriodError(f"'{s}' is not a date that exists.", fix) from None
    m = _MONTH_YEAR.match(s)
    if m and m[1].lower() in _MONTH_NUMBERS:
        year, month = int(m[2]), _MONTH_NUMBERS[m[1].lower()]
        return _dt.date(year, month, calendar.monthrange(year, month)[1])
    try:
        return parse_period(s).end
    except PeriodError:
        raise PeriodError(f"'{s}' is not a due date.", fix) from None


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
