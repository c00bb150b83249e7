"""The ``[returns]`` table of ``council.toml``: deadlines, contacts and the council's id.

.. code-block:: toml

    [returns]
    id = "demo-dc"                   # default: the slug of name
    deadline_days = 21               # calendar days after the quarter's end (default 21)
    contact = "performance@demo.gov.uk"

    [returns.deadlines]              # a date per quarter, overriding deadline_days
    "2024/25 Q3" = 2025-01-24

    [returns.contacts]               # per service; else contact; else the metrics' owners
    "Housing" = "Jo Bloggs, housing.performance@demo.gov.uk"

Examples
--------
>>> s = parse_settings('name = "Demo District Council"\\n[returns]\\ndeadline_days = 14', "council.toml")
>>> s.council_id, s.deadline(Quarter(2024, 2))
('demo-district-council', datetime.date(2024, 10, 14))
>>> slug("Revenues & Benefits"), slug("Café Services")
('revenues-benefits', 'cafe-services')
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataValidationError, PeriodError, Problem
from ..periods import Quarter, parse_quarter
from ..slugs import slug

__all__ = ["Settings", "latest_ended_quarter", "load_settings", "parse_settings", "slug"]

FILE = "council.toml"


def latest_ended_quarter(today: dt.date) -> Quarter:
    """The latest quarter that ended before ``today``.

    >>> latest_ended_quarter(dt.date(2024, 10, 3)).label, latest_ended_quarter(dt.date(2025, 4, 1)).label
    ('2024/25 Q2', '2024/25 Q4')
    """
    start_year = today.year if today.month >= 4 else today.year - 1
    current = Quarter(start_year, (today.month - 4) % 12 // 3 + 1)
    return current.previous()


@dataclass(frozen=True)
class Settings:
    """What ``council.toml`` says about returns.

    Attributes
    ----------
    council_id
        ``[returns] id``, else the slug of ``name``: what a workbook is checked against.
    council_name
        ``name``.
    deadline_days
        Calendar days after a quarter's end that a return is due (default 21).
    deadlines
        ``[returns.deadlines]``: a date per quarter (by its index).
    contact
        ``[returns] contact``: who to send returns to and ask.
    contacts
        ``[returns.contacts]``: a service's own contact (service names folded to lower case).
    """

    council_id: str
    council_name: str = "Council"
    deadline_days: int = 21
    deadlines: dict[int, dt.date] = field(default_factory=dict)
    contact: str = ""
    contacts: dict[str, str] = field(default_factory=dict)

    def deadline(self, quarter: Quarter) -> dt.date:
        """The return-by date of a quarter."""
        return self.deadlines.get(quarter.index, quarter.end + dt.timedelta(days=self.deadline_days))

    def contact_for(self, service: str, owners: list[str] | None = None) -> str:
        """A service's contact: its own, else the council's, else its metrics' owners."""
        own = self.contacts.get(" ".join(service.split()).casefold())
        if own:
            return own
        if self.contact:
            return self.contact
        return "; ".join(dict.fromkeys(o for o in owners or [] if o))


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_settings(text: str, label: str = FILE) -> Settings:
    """Read the ``[returns]`` table from the text of ``council.toml``.

    Raises
    ------
    DataValidationError
        Naming each key that cannot be used and how to write it.
    """
    problems: list[Problem] = []

    def bad(key: str, message: str, fix: str) -> None:
        problems.append(Problem(label, None, key, message, fix))

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataValidationError(
            [Problem(label, None, None, f"The file is not valid TOML ({exc}).", 'Write lines like name = "…".')]
        ) from None
    name = " ".join(str(doc.get("name", "Council")).split())
    table = doc.get("returns", {})
    if not isinstance(table, dict):
        bad("returns", "returns is not a table.", "Write it as a [returns] heading followed by lines key = value.")
        table = {}
    council_id = table.get("id", slug(name))
    if not isinstance(council_id, str) or not council_id.strip():
        bad("[returns] id", "The council's id is not text.", 'Write id = "demo-dc".')
        council_id = slug(name)
    days = table.get("deadline_days", 21)
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        bad("[returns] deadline_days", f"'{days}' is not a number of days.", "Write deadline_days = 21.")
        days = 21
    deadlines: dict[int, dt.date] = {}
    raw = table.get("deadlines", {})
    if not isinstance(raw, dict):
        bad(
            "[returns.deadlines]",
            "deadlines is not a table.",
            'Write [returns.deadlines] then "2024/25 Q3" = 2025-01-24.',
        )
        raw = {}
    for key, value in raw.items():
        try:
            quarter = parse_quarter(key)
        except PeriodError as exc:
            bad(f"[returns.deadlines] {key}", exc.message, exc.fix)
            continue
        date = _date(value)
        if date is None:
            bad(f"[returns.deadlines] {key}", f"'{value}' is not a date.", f'Write "{quarter.label}" = 2025-01-24.')
            continue
        deadlines[quarter.index] = date
    contact = table.get("contact", "")
    if not isinstance(contact, str):
        bad("[returns] contact", "The contact is not text.", 'Write contact = "performance@council.gov.uk".')
        contact = ""
    contacts: dict[str, str] = {}
    raw = table.get("contacts", {})
    if not isinstance(raw, dict):
        bad("[returns.contacts]", "contacts is not a table.", 'Write [returns.contacts] then "Housing" = "Jo Bloggs".')
        raw = {}
    for service, who in raw.items():
        if not isinstance(who, str):
            bad(f"[returns.contacts] {service}", "The contact is not text.", f'Write "{service}" = "Jo Bloggs".')
            continue
        contacts[" ".join(service.split()).casefold()] = " ".join(who.split())
    if problems:
        raise DataValidationError(problems)
    return Settings(" ".join(council_id.split()), name, days, deadlines, " ".join(contact.split()), contacts)


def load_settings(data_dir: Path) -> Settings:
    """The ``[returns]`` settings of a data folder (defaults when there is no ``council.toml``)."""
    path = data_dir / FILE
    if not path.exists():
        return Settings(slug("Council"))
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataValidationError(
            [Problem(FILE, None, None, "The file is not UTF-8 text.", "Save it again as UTF-8.")]
        ) from None
    return parse_settings(text)
