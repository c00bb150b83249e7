"""Exception types, each with a message a non-programmer can act on.

Every error perfkit raises on purpose derives from :class:`PerfkitError`; the
command line shows its message and exits non-zero, without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class PerfkitError(Exception):
    """Base class of every error perfkit reports to a user: its message says what to do.

    Examples
    --------
    >>> try:
    ...     pk.prepare(tiny, "2024/25 Q5")
    ... except pk.PerfkitError as err:
    ...     print(err)
    '2024/25 Q5' names Q5, but a financial year has quarters Q1 to Q4. Use Q1 to Q4, written as '2024/25 Q2', \
'2024-25-Q2', 'Q2 2024/25' or '2024/2025 Q2'.
    """


class PeriodError(PerfkitError, ValueError):
    """A financial year or quarter that cannot be understood: what is wrong, and how to write it.

    Also a :class:`ValueError`.

    Examples
    --------
    >>> try:
    ...     pk.parse_quarter("Q2")
    ... except pk.PeriodError as err:
    ...     print(err.message, "|", err.fix)
    'Q2' has no financial year. | Write the quarter as '2024/25 Q2', '2024-25-Q2', 'Q2 2024/25' or '2024/2025 Q2'.
    """

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
    code
        The metric the problem concerns, when there is one (``CUS.05``).

    Examples
    --------
    >>> p = pk.Problem("actuals.csv", 12, "value", "'1,5' has a comma where a decimal point is expected.",
    ...                "Use a full stop for decimals (12.5, not 12,5).", code="CUS.05")
    >>> print(p)
    actuals.csv, row 12, column 'value', CUS.05: '1,5' has a comma where a decimal point is expected. Use a full \
stop for decimals (12.5, not 12,5).
    >>> print(tiny.warnings[0].row, tiny.warnings[0].severity, tiny.warnings[0].code)   # did not stop loading
    None warning A8
    """

    file: str
    row: int | None
    column: str | None
    message: str
    fix: str
    severity: str = "error"
    code: str | None = None

    @property
    def where(self) -> str:
        """File, row, column and metric code, as far as they are known."""
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        if self.code:
            where += f", {self.code}"
        return where

    def as_dict(self) -> dict[str, object]:
        """The problem as plain data (for ``perfkit validate --format json``)."""
        return {
            "severity": self.severity,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message": self.message,
            "fix": self.fix,
        }

    def __str__(self) -> str:
        return f"{self.where}: {self.message} {self.fix}".strip()


class DataValidationError(PerfkitError):
    """The data folder has one or more problems that stop a report being made.

    Parameters
    ----------
    problems
        Every problem found (errors and warnings); at least one is an error.

    Examples
    --------
    >>> err = pk.DataValidationError([
    ...     pk.Problem("metrics.csv", 2, "frequency", "'qtrly' is not a known frequency.",
    ...                "Use one of: quarterly, annual."),
    ...     pk.Problem("targets.csv", None, "target", "SRV.12 has no target.", "Add one.", "warning"),
    ... ])
    >>> print(err)
    The data has 1 problem to fix:
      - metrics.csv, row 2, column 'frequency': 'qtrly' is not a known frequency. Use one of: quarterly, annual.
    >>> len(err.problems)   # the warnings too
    2
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [f"The data has {len(errors)} problem{'s' if len(errors) != 1 else ''} to fix:"]
        lines += [f"  - {p}" for p in errors]
        super().__init__("\n".join(lines))


class UnknownNameError(PerfkitError, KeyError):
    """A code, objective, question or group that the data does not have, with the closest it does.

    Parameters
    ----------
    what
        What was looked up, e.g. ``metric code``.
    given
        What the user wrote.
    known
        Every name that would have been accepted.

    Examples
    --------
    >>> print(UnknownNameError("metric code", "SRV.1", ["SRV.01", "SRV.10", "CUS.01"]))
    There is no metric code 'SRV.1'. Did you mean SRV.01 or SRV.10?
    """

    def __init__(self, what: str, given: str, known: list[str]):
        import difflib

        self.what, self.given, self.known = what, given, list(known)
        folded = {k.casefold(): k for k in self.known}
        near = {folded[m] for m in difflib.get_close_matches(given.casefold(), list(folded), n=3, cutoff=0.6)}
        close = [k for k in self.known if k in near]  # in the data's own order, not by score
        if close:
            hint = (
                "Did you mean "
                + (" or ".join([", ".join(close[:-1]), close[-1]]) if len(close) > 1 else close[0])
                + "?"
            )
        else:
            shown = ", ".join(self.known[:10]) + (", …" if len(self.known) > 10 else "")
            hint = f"Known: {shown}."
        self.message = f"There is no {what} '{given}'. {hint}"
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.message


class CellError(PerfkitError, ValueError):
    """A spreadsheet cell that cannot be read; ``fix`` says how to correct it.

    The readers turn it into a :class:`Problem` that names the file, row and column.

    Examples
    --------
    >>> from perfkit.data.typed_cells import parse_number
    >>> try:
    ...     parse_number("12,5")
    ... except pk.CellError as err:
    ...     print(err.message, "|", err.fix)
    '12,5' has a comma where a decimal point is expected. | Use a full stop for decimals (12.5, not 12,5).
    """

    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.message = message
        self.fix = fix


class RakingError(DataValidationError):
    """A survey wave's margins cannot be met by its respondents: a :class:`DataValidationError`.

    Examples
    --------
    >>> import pandas as pd
    >>> from perfkit.survey import rake
    >>> responses = pd.DataFrame({"sex": ["Female", "Female", "Female"]})
    >>> margins = {"sex": pd.Series({"Female": 0.52, "Male": 0.48})}
    >>> try:
    ...     rake(responses, margins, ["sex"])
    ... except pk.RakingError as err:
    ...     print(err.problems[0].message)
    The margin for sex will not fit: no respondent is in 'Male', which is 48.0% of the population.
    """


class RunError(PerfkitError):
    """A notebook or export failed during ``perfkit run``.

    The fields say where, so a caller can act on them without parsing the message
    (as papermill's ``PapermillExecutionError`` does).

    Parameters
    ----------
    message
        The whole explanation shown to the user.
    notebook
        The notebook's file name, e.g. ``quarterly_performance.ipynb``.
    quarter
        The quarter's label, e.g. ``2024/25 Q2``.
    cell
        The execution count of the failing cell, when a cell failed.
    ename
        The name of the exception raised in the notebook, e.g. ``KeyError``.

    Examples
    --------
    >>> err = pk.RunError("quarterly_performance.ipynb failed in cell 4: KeyError 'SRV.99'.",
    ...                   notebook="quarterly_performance.ipynb", quarter="2024/25 Q2", cell=4, ename="KeyError")
    >>> err.notebook, err.quarter, err.cell, err.ename
    ('quarterly_performance.ipynb', '2024/25 Q2', 4, 'KeyError')
    """

    def __init__(
        self, message: str, *, notebook: str = "", quarter: str = "", cell: int | None = None, ename: str = ""
    ):
        super().__init__(message)
        self.notebook = notebook
        self.quarter = quarter
        self.cell = cell
        self.ename = ename


class RunInterrupted(RunError):
    """A notebook was stopped by Ctrl-C: not a fault of the notebook.

    Examples
    --------
    >>> err = pk.RunInterrupted("Stopped by Ctrl-C.", notebook="survey_demographics.ipynb", quarter="2024/25 Q2")
    >>> isinstance(err, pk.RunError), err.cell
    (True, None)
    """


class UsageError(PerfkitError):
    """The command or call is wrong as given (a missing folder, an option without its partner, two
    notebooks with one name): nothing was attempted, and the command line exits with status 2.

    Examples
    --------
    >>> print(UsageError("Two notebooks would both publish report.*: a/report.ipynb and b/report.ipynb."))
    Two notebooks would both publish report.*: a/report.ipynb and b/report.ipynb.
    """


class UnknownObjectiveError(UnknownNameError, UsageError):
    """An ``--objective`` that no quarter's plan has: nothing is run (``perfkit run`` exits 2).

    Parameters
    ----------
    given
        The name the user wrote.
    known
        The objectives of the plan in force.
    where
        The quarter or range searched, as shown to the user.

    Examples
    --------
    >>> err = UnknownObjectiveError("custmers", ["Customers", "Place"], "2024/25 Q2")
    >>> print(str(err).replace(". ", ".\\n"))
    There is no objective 'custmers' in the plan in force in 2024/25 Q2.
    Did you mean Customers? Give an objective's name (any case) or its file name, or all.
    The objectives are:
      - Customers
      - Place
    """

    def __init__(self, given: str, known: list[str], where: str):
        super().__init__("objective", given, known)
        listed = "".join(f"\n  - {k}" for k in known) or " none"
        self.message = (
            f"There is no objective '{given}' in the plan in force in {where}. "
            + (self.message.split(". ", 1)[1] + " " if "Did you mean" in self.message else "")
            + f"Give an objective's name (any case) or its file name, or all. The objectives are:{listed}"
        )
        self.args = (self.message,)


class OutputFolderError(PerfkitError):
    """The output folder cannot take the run's files: locked by another run, read-only, full, or not a folder.

    Parameters
    ----------
    message
        The whole explanation shown to the user, with what to do.
    path
        The folder or file concerned.
    usage
        ``True`` when the folder given cannot be used at all and nothing was attempted
        (``perfkit run`` exits 2); ``False`` when work was attempted or refused (exit 1).

    Examples
    --------
    >>> err = OutputFolderError("The disk holding outputs is full.", path="outputs")
    >>> isinstance(err, PerfkitError), err.path, err.usage
    (True, 'outputs', False)
    """

    def __init__(self, message: str, *, path: object = "", usage: bool = False):
        super().__init__(message)
        self.path = str(path)
        self.usage = usage
