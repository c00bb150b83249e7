"""Make a quarter's return workbooks: one per service, in ``returns/<quarter slug>/``.

A workbook already there that holds entries (a completed return saved back into
the folder) is never overwritten: it is skipped with a message, so making the
returns again cannot lose a service's work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..periods import Quarter, parse_quarter
from ..publish.safe_files import write_atomic
from .read import read_return
from .settings import latest_ended_quarter, slug
from .template import Made, make_workbook
from .view import View, load_view

__all__ = ["MadeReturns", "make_returns"]


@dataclass
class MadeReturns:
    """The workbooks made for a quarter, and those left as they were."""

    quarter: Quarter
    folder: Path
    deadline: dt.date
    made: list[tuple[Path, Made]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every workbook was made, 1 when one was left as it was."""
        return 1 if self.skipped else 0


def _has_entries(path: Path, view: View) -> str:
    """Why a workbook at ``path`` must not be overwritten, or ``""``."""
    ret = read_return(path, view)
    if ret.refusal is not None and ret.identity is None:
        return "it is not a blank return made by perfkit"
    if ret.entries or ret.highlights or ret.signed_off_by or any(i.severity == "error" for i in ret.issues):
        return "it already has entries (a completed return?)"
    return ""


def make_returns(
    data_dir: str | Path,
    quarter: object = None,
    *,
    out: str | Path | None = None,
    service: str | None = None,
    today: dt.date | None = None,
    made_at: dt.datetime | None = None,
) -> MadeReturns:
    """Write the return workbook of each service (or one) for a quarter.

    Parameters
    ----------
    data_dir
        The council's data folder.
    quarter
        The quarter (default: the latest that has ended).
    out
        The folder the quarter's folder goes in (default: ``returns/`` in the data folder).
    service
        Only this service (any case, or its slug).
    today
        Today's date, which decides the default quarter.
    made_at
        The time recorded in each workbook.

    Raises
    ------
    DataValidationError
        When the register is invalid (nothing is written).
    UsageError
        For an unknown service, or two services whose names make the same file name.
    """
    q = parse_quarter(quarter) if quarter is not None else latest_ended_quarter(today or dt.date.today())
    view = load_view(data_dir)
    services = [view.service(service, q)] if service else view.services(q)
    if not services:
        raise UsageError(f"No metric is in the plan in {q.label}, so there are no returns to make.")
    names: dict[str, str] = {}
    for s in services:
        name = slug(s)
        if not name:
            raise UsageError(f"The service '{s}' has no letters or digits to name its workbook: rename it.")
        if name in names:
            raise UsageError(
                f"The services '{names[name]}' and '{s}' would both be written to {name}.xlsx: rename one of them "
                "in metrics.csv."
            )
        names[name] = s
    folder = (Path(out) if out is not None else view.data_dir / "returns") / q.slug
    folder.mkdir(parents=True, exist_ok=True)
    result = MadeReturns(q, folder, view.settings.deadline(q))
    for name, s in names.items():
        path = folder / f"{name}.xlsx"
        if path.exists():
            why = _has_entries(path, view)
            if why:
                result.skipped.append((path, why))
                continue
        data, made = make_workbook(view, s, q, made_at)
        write_atomic(path, data)
        result.made.append((path, made))
    return result
