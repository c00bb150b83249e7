"""Exception types, each with a message a non-programmer can act on.

Every error perfkit raises on purpose derives from :class:`PerfkitError`; the
command line shows its message and exits non-zero, without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class PerfkitError(Exception):
    """Base class of every error perfkit reports to a user."""


class PeriodError(PerfkitError, ValueError):
    """A financial year or quarter that cannot be understood: what is wrong, and how to write it."""

    def __init__(self, message: str, fix: str = ""):
        super().__init__(f"{message} {fix}".strip())
        self.message = message
        self.fix = fix


@dataclass(frozen=True)
class Problem:
    """One problem found in a data file.

    Parameters
    ----------
    file
        The file as the user knows it, e.g. ``actuals.csv`` or
        ``register.xlsx (sheet actuals)``.
    row
        The row as the user sees it in Excel (the header is row 1), or
        ``None`` when the problem concerns the whole file.
    column
        The column name, or ``None`` when the problem concerns a whole row or file.
    message
        What is wrong.
    fix
        How to fix it.
    severity
        ``"error"`` (the data cannot be used) or ``"warning"`` (shown, not fatal).
    """

    file: str
    row: int | None
    column: str | None
    message: str
    fix: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message} {self.fix}".strip()


class DataValidationError(PerfkitError):
    """The data folder has one or more problems that stop a report being made.

    Parameters
    ----------
    problems
        Every problem found (errors and warnings); at least one is an error.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [f"The data has {len(errors)} problem{'s' if len(errors) != 1 else ''} to fix:"]
        lines += [f"  - {p}" for p in errors]
        super().__init__("\n".join(lines))


class RunError(PerfkitError):
    """A notebook or export failed during ``perfkit run``."""


class RunInterrupted(RunError):
    """A notebook was stopped by Ctrl-C: not a fault of the notebook."""
