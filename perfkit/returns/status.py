"""Where a round of returns stands: what an officer needs to chase it.

For each service with metrics in the quarter: whether its return was collected
(when, and who signed it off, from ``returns/log.csv``), or else who to contact
and how many days are left before the deadline or have passed since; and the
metrics and milestones due that still have no entry in the register.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..periods import Quarter, parse_quarter
from .collect import log_path
from .settings import latest_ended_quarter
from .tables import CsvTable
from .template import deadline_date
from .view import load_view

__all__ = ["RoundStatus", "ServiceStatus", "returns_status"]


@dataclass
class ServiceStatus:
    """One service's return for the quarter.

    Attributes
    ----------
    returned_at
        When its return was collected (ISO time), or ``""`` when it is outstanding.
    missing
        Codes of the metrics and milestones due in the quarter with no entry yet (annual
        metrics, entered when available, are not counted).
    """

    service: str
    contact: str
    returned_at: str = ""
    signed_off_by: str = ""
    file: str = ""
    missing: list[str] = field(default_factory=list)

    @property
    def returned(self) -> bool:
        return bool(self.returned_at)


@dataclass
class RoundStatus:
    """The round of returns for one quarter."""

    quarter: Quarter
    deadline: dt.date
    today: dt.date
    services: list[ServiceStatus]

    @property
    def days_left(self) -> int:
        """Days to the deadline (negative when past it)."""
        return (self.deadline - self.today).days

    def when(self) -> str:
        """``due in 5 days``, ``due today`` or ``3 days past the deadline``."""
        n = self.days_left
        if n > 0:
            return f"due in {n} day{'s' if n != 1 else ''}"
        if n == 0:
            return "due today"
        return f"{-n} day{'s' if n != -1 else ''} past the deadline"

    def summary(self) -> str:
        """One line: how many returned, not signed off, outstanding, and the deadline."""
        returned = [s for s in self.services if s.returned]
        unsigned = [s for s in returned if not s.signed_off_by]
        outstanding = len(self.services) - len(returned)
        unsigned_text = f" ({len(unsigned)} not signed off)" if unsigned else ""
        return (
            f"{self.quarter.label}: {len(self.services)} service{'s' if len(self.services) != 1 else ''}, "
            f"{len(returned)} returned{unsigned_text}, {outstanding} outstanding; deadline "
            f"{deadline_date(self.deadline)} ({self.when()})."
        )


def returns_status(data_dir: str | Path, quarter: object = None, today: dt.date | None = None) -> RoundStatus:
    """The state of a quarter's returns.

    Parameters
    ----------
    data_dir
        The council's data folder.
    quarter
        The quarter (default: the latest that has ended).
    today
        The date the days are counted from (default today).
    """
    today = today or dt.date.today()
    q = parse_quarter(quarter) if quarter is not None else latest_ended_quarter(today)
    view = load_view(data_dir)
    returned: dict[str, dict[str, str]] = {}
    path = log_path(view.data_dir)
    if path.exists():
        log = CsvTable.open(path, "log")
        for i in log.rows_where(field="returned"):
            try:
                if parse_quarter(log.get(i, "period")) != q:
                    continue
            except ValueError:
                continue
            returned[log.get(i, "new").casefold()] = {
                c: log.get(i, c) for c in ("collected_at", "signed_off_by", "file")
            }  # the latest return wins
    services = []
    for service in view.services(q):
        status = ServiceStatus(service, view.settings.contact_for(service, view.owners(service)))
        got = returned.get(service.casefold())
        if got:
            status.returned_at, status.signed_off_by, status.file = (
                got["collected_at"],
                got["signed_off_by"],
                got["file"],
            )
        status.missing = [
            m.code
            for m in view.metrics_of(service, q)
            if (m.kind == "milestone" or m.frequency != "annual") and view.row(m.code, q) is None
        ]
        services.append(status)
    return RoundStatus(q, view.settings.deadline(q), today, services)
