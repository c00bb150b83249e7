"""Collect completed returns into the register, check them with the validate rules, and log every change.

One call reads every workbook, refuses those that cannot be collected (each with
its reason), compares the entries of the others with the register, checks the
register as it would become with the same rules as ``perfkit validate`` (a
workbook with any invalid entry is refused whole; the others go ahead), then
writes ``actuals.csv`` (or ``register.xlsx``) and ``highlights.csv`` atomically
and appends every change to ``returns/log.csv``. ``check=True`` writes nothing.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..data.register import load_register
from ..errors import DataValidationError, PerfkitError, Problem, UsageError
from ..periods import Quarter, parse_quarter
from .merge import Outcome, apply_return
from .read import Issue, Return, read_return
from .tables import CsvTable, Table, XlsxTable, open_table
from .view import View, load_view

__all__ = ["LOG_COLUMNS", "Collected", "collect_returns", "log_path"]

LOG_COLUMNS = [
    "collected_at",
    "file",
    "sha256",
    "sheet",
    "cell",
    "code",
    "period",
    "field",
    "old",
    "new",
    "signed_off_by",
]
HIGHLIGHT_COLUMNS = ["period", "service", "kind", "text", "objective", "code"]


def log_path(data_dir: Path) -> Path:
    """``returns/log.csv`` of a data folder: always there, whatever ``--out`` says."""
    return data_dir / "returns" / "log.csv"


@dataclass
class Result:
    """What became of one workbook."""

    ret: Return
    outcomes: list[Outcome] = field(default_factory=list)
    highlights: Outcome | None = None

    @property
    def all_outcomes(self) -> list[Outcome]:
        return self.outcomes + ([self.highlights] if self.highlights else [])


@dataclass
class Collected:
    """The result of collecting returns.

    Attributes
    ----------
    results
        One per workbook, in the order given.
    check
        Nothing was written (``--check``).
    """

    results: list[Result]
    check: bool = False
    replace: bool = False

    @property
    def refused(self) -> list[Result]:
        return [r for r in self.results if r.ret.refused]

    @property
    def accepted(self) -> list[Result]:
        return [r for r in self.results if not r.ret.refused]

    def _count(self, state: str) -> int:
        n = 0
        for r in self.accepted:
            for o in r.outcomes:
                n += o.state == state or (state == "unchanged" and o.state == "kept")
            if r.highlights is not None:
                if r.highlights.state == "written":
                    n += len(r.highlights.highlights) if state == "written" else 0
                elif r.highlights.state == state:
                    n += len(r.highlights.highlights) if state == "unchanged" else 1
        return n

    @property
    def written(self) -> int:
        return self._count("written")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def conflicts(self) -> int:
        return self._count("conflict")

    @property
    def replaced(self) -> int:
        """Entries written over different ones (``--replace``)."""
        return sum(1 for r in self.accepted for o in r.all_outcomes if o.state == "written" and o.conflicts)

    @property
    def exit_code(self) -> int:
        """0 when everything was written (or would be), 1 when a workbook was refused or a conflict remains."""
        return 1 if self.refused or self.conflicts else 0

    @property
    def quarters(self) -> list[Quarter]:
        """The quarters of the workbooks collected, in order."""
        return sorted({r.ret.quarter for r in self.accepted if r.ret.quarter is not None})

    def lines(self) -> list[str]:
        """Every problem, conflict and note, one per line, each naming the workbook, cell and code."""
        out: list[str] = []
        for r in self.results:
            ret = r.ret
            if ret.refusal is not None:
                out.append(f"{ret.name}: refused: {ret.refusal.message} {ret.refusal.fix}".strip())
                continue
            errors = [i for i in ret.issues if i.severity == "error"]
            if errors:
                out.append(
                    f"{ret.name}: refused: {len(errors)} invalid entr{'ies' if len(errors) != 1 else 'y'}; "
                    "nothing from this workbook is collected until they are corrected:"
                )
                out += [f"  {i}" for i in errors]
            for o in r.all_outcomes:
                if o.state == "conflict":
                    out.append(f"{ret.name}, {_conflict(o)}")
                elif o.state == "kept" and o.entry is not None:
                    out.append(f"{ret.name}, {o.entry.cell('code')}, {o.entry.code}: note: {o.note}")
            out += [f"  {i}" if errors else str(i) for i in ret.issues if i.severity != "error"]
        return out

    def summary(self) -> str:
        """The last line: workbooks read, entries written, unchanged, conflicts, refused."""
        n = len(self.results)
        verb = "would be written" if self.check else "written"
        conflicts = self.conflicts
        tail = ""
        if conflicts and not self.replace:
            tail = " (left as they were: --replace applies them)"
        replaced = f" ({self.replaced} replacing different entries)" if self.replaced else ""
        return (
            f"{n} workbook{'s' if n != 1 else ''} read: {self.written} entr{'ies' if self.written != 1 else 'y'} "
            f"{verb}{replaced}, {self.unchanged} unchanged, {conflicts} conflict{'s' if conflicts != 1 else ''}{tail}, "
            f"{len(self.refused)} refused."
        )


def _short(text: str, limit: int = 60) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def _conflict(o: Outcome) -> str:
    """One line for a conflicting entry: each field the register and the return disagree on."""
    if o.entry is None:  # the highlights
        where = o.highlights[0].cell if o.highlights else ""
        return (
            f"{where}: conflict: {o.note} The return's {len(o.highlights)} highlights are not collected; "
            "--replace replaces the register's with them."
        )
    parts = []
    for c in o.conflicts:
        name = "figure" if c.field == "figure" else c.field.replace("_", " ")
        parts.append(f"{name}: the register has '{_short(c.old)}', the return '{_short(c.new)}'")
    first = o.conflicts[0]
    return (
        f"{first.cell}, {first.code}: conflict for {first.period}: {'; '.join(parts)}. "
        "Left as it was; --replace applies the return's."
    )


def _files(paths: Iterable[str | Path]) -> list[Path]:
    found: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found += sorted(
                f for f in path.iterdir() if f.suffix.lower() == ".xlsx" and not f.name.startswith(("~$", "."))
            )
        elif path.exists():
            found.append(path)
        else:
            raise UsageError(f"{p}: no such file or folder. Give the return workbooks (.xlsx) or a folder of them.")
    unique = list(dict.fromkeys(f.resolve() for f in found))
    if not unique:
        raise UsageError("No workbooks to collect: give the return workbooks (.xlsx) or a folder of them.")
    return unique


def _tables(view: View) -> tuple[Table, Table]:
    if view.actuals_path is None:  # pragma: no cover - the register loader requires actuals
        raise PerfkitError("The register has no actuals table.")
    actuals = open_table(view.actuals_path, "actuals")
    path = view.highlights_path
    assert path is not None
    if path.suffix.lower() == ".xlsx":
        highlights: Table = open_table(path, "highlights", like=actuals)
    elif path.exists():
        highlights = CsvTable.open(path, "highlights")
    else:
        highlights = CsvTable.new(path, HIGHLIGHT_COLUMNS, actuals if isinstance(actuals, CsvTable) else None)
    return actuals, highlights


def _plan(returns: list[Return], view: View, replace: bool) -> tuple[Table, Table, list[Result], dict]:
    """Apply the returns in memory, noting which return and entry made each record."""
    actuals, highlights = _tables(view)
    results = []
    owners: dict[tuple[str, int], tuple[Result, object]] = {}
    for ret in returns:
        result = Result(ret)
        result.outcomes, result.highlights = apply_return(ret, actuals, highlights, view, replace)
        for o in result.outcomes:
            if o.state == "written":
                for i in o.records:
                    owners[("actuals", i)] = (result, o.entry)
                for c in o.changes:
                    if not actuals.encodable(c.new):
                        ret.issues.append(
                            Issue(
                                ret.name,
                                c.cell,
                                c.code,
                                f"{actuals.label} is saved as Windows-1252 text, which cannot hold a character of "
                                f"'{_short(c.new)}'.",
                                f"Save {actuals.label} as 'CSV UTF-8' in Excel, or remove the character.",
                            )
                        )
        if result.highlights is not None and result.highlights.state == "written":
            for i, h in zip(result.highlights.records, result.highlights.highlights, strict=True):
                owners[("highlights", i)] = (result, h)
        results.append(result)
    return actuals, highlights, results, owners


def _check_register(view: View, actuals: Table, highlights: Table) -> tuple[list[Problem], list[int], list[int]]:
    """The register as it would become, checked by the register loader (the rules of ``perfkit validate``)."""
    with tempfile.TemporaryDirectory(prefix="perfkit-returns-") as tmp:
        folder = Path(tmp)
        for name in ("council.toml", "metrics.csv", "targets.csv", "register.xlsx"):
            src = _find(view.data_dir, name)
            if src is not None:
                shutil.copyfile(src, folder / name)
        data, actual_rows = actuals.candidate_csv()
        (folder / "actuals.csv").write_bytes(data)
        highlight_rows: list[int] = []
        if highlights.records or highlights.dirty:
            data, highlight_rows = highlights.candidate_csv()
            (folder / "highlights.csv").write_bytes(data)
        try:
            reg = load_register(folder)
            problems = list(reg.warnings)
        except DataValidationError as exc:
            problems = exc.problems
    return problems, actual_rows, highlight_rows


def _find(folder: Path, name: str) -> Path | None:
    exact = folder / name
    if exact.exists():
        return exact
    for p in folder.iterdir():
        if p.name.lower() == name:
            return p
    return None


def _attribute(problems: list[Problem], actual_rows: list[int], highlight_rows: list[int], owners: dict) -> list:
    """Each problem of the checked register against the workbook, cell and code it came from."""
    found = []
    for p in problems:
        table = "highlights" if p.file.lower().startswith("highlights") else "actuals"
        if not p.file.lower().startswith(("actuals", "highlights")) or p.row is None or p.row < 2:
            found.append((None, None, p))
            continue
        rows = highlight_rows if table == "highlights" else actual_rows
        index = p.row - 2
        record = rows[index] if 0 <= index < len(rows) else None
        owner = owners.get((table, record)) if record is not None else None
        found.append((owner[0] if owner else None, owner[1] if owner else None, p))
    return found


def collect_returns(
    data_dir: str | Path,
    paths: Iterable[str | Path],
    *,
    quarter: object = None,
    check: bool = False,
    replace: bool = False,
    now: dt.datetime | None = None,
) -> Collected:
    """Collect return workbooks into a data folder's register.

    Parameters
    ----------
    data_dir
        The council's data folder.
    paths
        Workbooks, or folders of them.
    quarter
        Collect only returns for this quarter (``--quarter``); default each workbook's own.
    check
        Report only; write nothing (``--check``).
    replace
        Apply conflicting entries: a corrected resubmission (``--replace``).
    now
        The time recorded in the log (default now).

    Returns
    -------
    Collected
        Every workbook's outcome; :attr:`Collected.exit_code` and :meth:`Collected.summary`.

    Raises
    ------
    DataValidationError
        When the register itself is invalid (nothing is read or written).
    UsageError
        For a path that does not exist or a quarter that cannot be read.
    """
    wanted = parse_quarter(quarter) if quarter is not None else None
    files = _files(paths)
    view = load_view(data_dir)
    returns = [read_return(f, view, wanted) for f in files]
    seen: dict[tuple[str, Quarter], str] = {}
    for ret in returns:
        if ret.refused or ret.quarter is None:
            continue
        key = (ret.service, ret.quarter)
        if key in seen:
            ret.refuse(
                f"is a second return for {ret.service}, {ret.quarter.label} (the first is {seen[key]}).",
                "Collect one of them: the corrected one, with --replace if the first was collected before.",
            )
        else:
            seen[key] = ret.name
    # Plan, check the register as it would become, refuse the workbooks it blames, and plan again.
    while True:
        live = [r for r in returns if not r.refused]
        actuals, highlights, results, owners = _plan(live, view, replace)
        if any(r.refused for r in live):
            continue
        problems, actual_rows, highlight_rows = _check_register(view, actuals, highlights)
        blamed = False
        for result, item, p in _attribute(problems, actual_rows, highlight_rows, owners):
            if result is None:
                if p.severity == "error":
                    # A problem across rows or tables: blamed on the workbooks that wrote its metric
                    # (contract v2's problems name it), else on every workbook that wrote anything.
                    code = getattr(p, "code", None) or ""
                    writers = [r for r in results if any(o.state == "written" for o in r.all_outcomes)]
                    named = [r for r in writers if any(o.entry and o.entry.code == code for o in r.all_outcomes)]
                    for r in named or writers:
                        r.ret.issues.append(Issue(r.ret.name, "", code, f"the register would become invalid: {p}"))
                        blamed = True
                continue
            cell, code = _where(item, p)
            result.ret.issues.append(Issue(result.ret.name, cell, code, p.message, p.fix, p.severity))
            blamed = blamed or p.severity == "error"
        if not blamed:
            break
    by_ret = {id(r.ret): r for r in results}
    collected = Collected([by_ret.get(id(ret)) or Result(ret) for ret in returns], check, replace)
    if not check:
        _write(view, actuals, highlights, collected, now)
    return collected


def _where(item: object, p: Problem) -> tuple[str, str]:
    from .read import Entry, Highlight

    if isinstance(item, Entry):
        return item.cell(p.column or "code"), item.code
    if isinstance(item, Highlight):
        return item.cell, item.code
    return "", ""


def _write(view: View, actuals: Table, highlights: Table, collected: Collected, now: dt.datetime | None) -> None:
    if isinstance(actuals, XlsxTable) and isinstance(highlights, XlsxTable) and highlights.book is actuals.book:
        if actuals.apply() | highlights.apply():
            actuals.write()
    else:
        actuals.save()
        highlights.save()
    _log(view.data_dir, collected.accepted, now)


def _log(data_dir: Path, results: list[Result], now: dt.datetime | None) -> None:
    path = log_path(data_dir)
    stamp = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat()
    rows: list[dict[str, str]] = []
    log = CsvTable.open(path, "log") if path.exists() else None
    logged = {log.get(i, "sha256") for i in log.rows_where(field="returned")} if log else set()
    for r in results:
        ret = r.ret
        base = {"collected_at": stamp, "file": ret.name, "sha256": ret.sha256, "signed_off_by": ret.signed_off_by}
        for o in r.all_outcomes:
            if o.state != "written":
                continue
            for c in o.changes:
                sheet, _, cell = c.cell.rpartition("!")
                rows.append(
                    {**base, "sheet": sheet, "cell": cell, "code": c.code, "period": c.period, "field": c.field}
                    | {"old": c.old, "new": c.new}
                )
        complete = not any(o.state == "conflict" for o in r.all_outcomes)
        if ret.sha256 not in logged and ret.identity and ret.quarter and not ret.empty and complete:
            sheet, _, cell = ret.identity.sign_off_name_cell.rpartition("!")
            rows.append(
                {**base, "sheet": sheet, "cell": cell, "code": "", "period": ret.quarter.label, "field": "returned"}
                | {"old": "", "new": ret.service}
            )
    if not rows:
        return
    if log is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # With a byte-order mark, so that Excel opens the log's names and commentary correctly.
        log = CsvTable(path, b"\xef\xbb\xbf" + ",".join(LOG_COLUMNS).encode() + b"\r\n", "log")
    for row in rows:
        log.append(row)
    log.save()
