"""The ``perfkit`` command: run, validate, status, returns.

Every error perfkit expects (bad data, a bad quarter, a failing notebook) is
shown as a short explanation with a non-zero exit code. Anything unexpected is
written with its traceback to a log file, and the user is told where.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import math
import os
import sys
import tempfile
import traceback
from pathlib import Path

from rich.console import Console
from rich.table import Table

from . import __version__
from .batch.jobs import AUTO_MAX_JOBS, EXECUTORS, FORMATS
from .batch.progress import Progress
from .errors import DataValidationError, OutputFolderError, PerfkitError, PeriodError, Problem, UsageError
from .publish.safe_files import create_unique
from .returns.commands import add_parser as add_returns_parser
from .returns.commands import run_returns
from .terminal import cell, plain
from .validate import validate_folder

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

EXIT_CODES = f"""exit codes:
  {EXIT_OK}    success
  {EXIT_FAILED}    a quarter or notebook failed, or a request could not be met; the message says why
  {EXIT_INVALID}    the data is invalid (nothing was run, no output changed), or the command line is wrong
  {EXIT_INTERNAL}    an internal error perfkit could not explain: the details are in a log file whose path is printed
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C); outputs of earlier runs are unchanged"""

VALIDATE_FORMATS = ("table", "plain", "json")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="perfkit",
        description="Quarterly council performance reporting from data.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"perfkit {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute the appendix notebooks and publish HTML and PDF")
    run.add_argument("--data", default="data/demo", help="the council's data folder (default: data/demo)")
    which = run.add_mutually_exclusive_group()
    which.add_argument("--quarter", help="the quarter to report, e.g. 2024/25 Q2 (default: the latest with data)")
    which.add_argument("--from", dest="first", metavar="Q", help="first quarter of a range (with --to)")
    which.add_argument("--all", action="store_true", help="every quarter with data")
    run.add_argument("--to", dest="last", metavar="Q", help="last quarter of a range (with --from)")
    run.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    run.add_argument("--formats", default="html,pdf", help="comma-separated: html, pdf (default: both)")
    run.add_argument(
        "--notebook",
        action="append",
        default=[],
        metavar="PATH",
        help="run this notebook instead of perfkit's own (repeatable); it gets quarter and data_dir",
    )
    run.add_argument(
        "--objective",
        action="append",
        metavar="NAME",
        help="make this Council Plan objective's update for scrutiny instead of the appendices: its name in any "
        "case, its file name (slug), or all (repeatable); writes objective-<slug>.html, .pdf and .ipynb",
    )
    run.add_argument(
        "--jobs",
        type=_jobs,
        default="auto",
        metavar="N",
        help=f"run N notebooks at once (default auto: one per CPU, at most {AUTO_MAX_JOBS})",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="run every notebook, even when its outputs are fresh, and validate the data in full",
    )
    run.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="local",
        help="local processes, or a Dask cluster (a local one unless --scheduler is given)",
    )
    run.add_argument(
        "--scheduler", metavar="ADDRESS", help="submit to an existing Dask scheduler, e.g. tcp://10.0.0.5:8786"
    )
    run.add_argument(
        "--timeout",
        type=_positive_seconds,
        metavar="SECONDS",
        help="fail a notebook when one cell runs longer than this many seconds (a positive number, e.g. 600 or 2.5)",
    )
    run.add_argument(
        "--wait",
        action="store_true",
        help="if another run is publishing into the same --out, wait for it instead of stopping at once",
    )
    noise = run.add_mutually_exclusive_group()
    noise.add_argument("--quiet", action="store_true", help="print only failures and the final line")
    noise.add_argument("--verbose", action="store_true", help="also print skipped notebooks, timings and data warnings")

    val = sub.add_parser("validate", help="check a data folder against the data contract")
    val.add_argument("--data", default="data/demo", help="the council's data folder (default: data/demo)")
    val.add_argument(
        "--format",
        choices=VALIDATE_FORMATS,
        help="table (the default on a terminal), plain (one problem per line: the default otherwise) "
        "or json (a list of problems, for scripts)",
    )

    st = sub.add_parser("status", help="which quarters' appendices are fresh, stale, failed or missing")
    st.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    st.add_argument(
        "--data", default="data/demo", help="the data folder the outputs are made from (default: data/demo)"
    )
    add_returns_parser(sub)
    return p


def _positive_seconds(text: str) -> float:
    """``--timeout``: a positive, finite number of seconds; argparse reports anything else (exit 2).

    >>> _positive_seconds("2.5")
    2.5
    >>> _positive_seconds("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: '0' is not a positive number of seconds: give a number above 0, such as 600 or 2.5
    """
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a positive number of seconds: give a number above 0, such as 600 or 2.5"
        )
    return value


def _jobs(text: str) -> int | str:
    """``--jobs``: a whole number of at least 1, or auto."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a whole number of at least 1, such as 1, 2 or 4, or auto (one per CPU, at most "
            f"{AUTO_MAX_JOBS})"
        )
    return value


def _problem_table(problems: list[Problem], title: str) -> Table:
    # every cell is a Text: rich never reads a bracket from the data as markup
    table = Table(title=cell(title), show_lines=False, header_style="bold")
    for col in ("Level", "File", "Row", "Column", "Metric", "What is wrong", "How to fix it"):
        table.add_column(col, overflow="fold")
    for p in problems:
        cells = (p.severity, p.file, "" if p.row is None else p.row, p.column or "", p.code or "", p.message, p.fix)
        table.add_row(*map(cell, cells))
    return table


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise UsageError(f"Unknown format '{', '.join(unknown) or text}'. Use --formats html,pdf, html or pdf.")
    return chosen


def _cmd_run(args, console: Console) -> int:
    import warnings

    from .pipeline import run

    if args.last and not args.first:
        raise UsageError("--to needs --from: give the first quarter of the range too.")
    if args.first and not args.last:
        raise UsageError("--from needs --to: give the last quarter of the range too.")
    formats = _formats(args.formats)
    notebooks = [_notebook(p) for p in args.notebook] if args.notebook else None

    def validated(report) -> None:
        if report.warnings and args.verbose:
            console.print(_problem_table(report.warnings, f"{args.data}: warnings (the data can be used)"))
        elif report.warnings and not args.quiet:
            console.print(
                f"{len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''} about the "
                f"data: see perfkit validate --data {plain(args.data)}",
                highlight=False,
                markup=False,
            )

    err_console = Console(stderr=True, highlight=False, emoji=False)
    show = Progress(console, quiet=args.quiet, verbose=args.verbose)
    with warnings.catch_warnings(record=True) as caught, show:
        warnings.simplefilter("always", UserWarning)
        summary = run(
            args.data,
            args.quarter,
            first=args.first,
            last=args.last,
            all_quarters=args.all,
            out=args.out,
            formats=formats,
            notebooks=notebooks,
            jobs=args.jobs,
            force=args.force,
            executor=args.executor,
            scheduler=args.scheduler,
            timeout=args.timeout,
            wait=args.wait,
            on_wait=lambda message: err_console.print(plain(message), markup=False, highlight=False),
            on_validated=validated,
            on_start=show.start,
            on_done=show.done,
            objective=args.objective,
        )
    for w in caught:
        if issubclass(w.category, UserWarning):
            console.print(f"Note: {plain(w.message)}", markup=False, highlight=False)
    show.summary(summary)
    if summary.internal:
        return EXIT_INTERNAL
    return EXIT_FAILED if summary.failed else EXIT_OK


def _notebook(path: str) -> Path:
    p = Path(path)
    if p.suffix != ".ipynb" or not p.is_file():
        raise UsageError(f"--notebook {path}: no such notebook. Give the path of an .ipynb file.")
    return p.resolve()


def _plain_line(p: Problem) -> str:
    """One problem on one line: ``error: actuals.csv, row 14, column 'value', CUS.05: … How to fix it.``"""
    return " ".join(f"{p.severity}: {p}".split())


def _validate_plain(report, args) -> int:
    """Plain lines (or JSON), for a file, a pipe or a script: never wrapped, one problem per line."""
    import json

    if args.format == "json":
        print(json.dumps([p.as_dict() for p in report.problems], ensure_ascii=False, indent=2))
        return EXIT_OK if report.ok else EXIT_INVALID
    for p in report.problems:
        print(plain(_plain_line(p)))
    if not report.ok:
        print(
            f"{len(report.errors)} error{'s' if len(report.errors) != 1 else ''} and "
            f"{len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}: fix the errors "
            "and run perfkit validate again."
        )
        return EXIT_INVALID
    print(plain(_valid_summary(report, args)))
    return EXIT_OK


def _valid_summary(report, args) -> str:
    reg = report.raise_if_invalid()
    waves = f", survey waves {', '.join(report.waves)}" if report.waves else ""
    return (
        f"{args.data}: the data is valid: {len(reg.metrics)} metrics, {len(reg.actuals)} actuals, quarters "
        f"{reg.quarters_with_data()[0].label} to {reg.latest_quarter().label}{waves}."
    )


def _cmd_validate(args, console: Console) -> int:
    report = validate_folder(args.data)
    chosen = args.format or ("table" if console.is_terminal else "plain")
    if chosen != "table":
        return _validate_plain(report, args)
    if report.problems:
        title = (
            f"{args.data}: {len(report.errors)} problem{'s' if len(report.errors) != 1 else ''} to fix"
            if report.errors
            else f"{args.data}: warnings (the data can be used)"
        )
        console.print(_problem_table(report.problems, title))
    if not report.ok:
        console.print(
            f"{len(report.errors)} error{'s' if len(report.errors) != 1 else ''} and "
            f"{len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}: fix the errors "
            "and run perfkit validate again.",
            highlight=False,
        )
        return EXIT_INVALID
    console.print(plain(_valid_summary(report, args)), highlight=False, markup=False)
    return EXIT_OK


def _cmd_status(args, console: Console) -> int:
    from .batch.freshness import output_status
    from .data.register import load_register
    from .pipeline import resolve_out

    rows = output_status(load_register(args.data), resolve_out(args.out, args.data))
    if not rows:
        console.print(f"{plain(args.data)} has no quarters with data.", markup=False)
        return EXIT_OK
    table = Table(title=cell(f"Outputs in {args.out} for {args.data}"))
    for col in ("Quarter", "Notebook", "State", "Produced", "Took", "Why"):
        table.add_column(col, overflow="fold")
    colours = {"fresh": "green", "stale": "yellow", "failed": "red", "missing": "dim"}
    for r in rows:
        table.add_row(
            cell(r.quarter.label),
            cell(r.notebook),
            f"[{colours[r.state]}]{r.state}[/]",
            cell(r.produced),
            f"{r.seconds:.1f} s" if r.seconds else "",
            cell(r.reason),
        )
    console.print(table)
    counts = {s: sum(r.state == s for r in rows) for s in colours}
    console.print(", ".join(f"{n} {s}" for s, n in counts.items() if n))
    return EXIT_OK


def _log_folder(args: argparse.Namespace) -> Path:
    """Where the internal-error log goes: the output folder when there is one, else a new private folder."""
    out = getattr(args, "out", None)
    if out is not None:
        try:
            from .pipeline import resolve_out

            folder = resolve_out(out, args.data)
        except Exception:  # the log must be written whatever went wrong
            folder = Path(out).expanduser().resolve()
        if folder.is_dir() and os.access(folder, os.W_OK | os.X_OK):
            return folder
    return Path(tempfile.mkdtemp(prefix="perfkit-error-"))  # mode 0700: no one else can plant a link in it


def write_error_log(args: argparse.Namespace, details: str) -> Path:
    """Write ``details`` to a new log file and return its path.

    The file has a new, unguessable name and is created exclusively without following links
    (readable by the user only), so a file or link planted in a shared folder is never
    written through.
    """
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path, f = create_unique(_log_folder(args), f"perfkit-error-{stamp}-", ".log")
    with f:
        f.write(details.encode("utf-8", errors="replace"))
    return path


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``perfkit`` command. Returns its exit status (see ``EXIT_CODES``)."""
    if argv is None:  # the perfkit command itself, not a caller in a longer-lived process
        # what is alive now is the modules just imported (pandas, numpy, rich: hundreds of
        # thousands of objects) and lives as long as the process: freezing it spares every later
        # collection of the cyclic garbage collector from walking it all again (a fifth of the
        # CPU time of an unchanged rerun), and keeps it shared with forked workers
        gc.freeze()
    args = _parser().parse_args(argv)
    # emoji=False: a ":name:" in the data is printed as it is, not as an emoji. Not on a terminal
    # (a log, CI, a pipe), lines are not wrapped at 80 columns, so paths and messages stay whole.
    console = Console(highlight=False, emoji=False, soft_wrap=not sys.stdout.isatty())
    err = Console(stderr=True, highlight=False, emoji=False, soft_wrap=not sys.stderr.isatty())
    try:
        if args.command == "returns":
            return run_returns(args, console, main)
        return {"run": _cmd_run, "validate": _cmd_validate, "status": _cmd_status}[args.command](args, console)
    except DataValidationError as exc:
        err.print(_problem_table(exc.problems, "The data has problems to fix before a report can be made"))
        err.print("Nothing was run and no output was changed. Run `perfkit validate` after fixing them.")
        return EXIT_INVALID
    except (UsageError, PeriodError) as exc:  # nothing was attempted: a wrong option, folder or quarter
        err.print(plain(exc), markup=False)
        return EXIT_INVALID
    except OutputFolderError as exc:
        err.print(plain(exc), markup=False)
        return EXIT_INVALID if exc.usage else EXIT_FAILED
    except PerfkitError as exc:
        err.print(plain(exc), markup=False)
        return EXIT_FAILED
    except KeyboardInterrupt:
        err.print("Interrupted. Outputs of earlier runs are unchanged.")
        return EXIT_INTERRUPTED
    except Exception as exc:
        try:
            where = (
                f"The details are in {write_error_log(args, traceback.format_exc())}; please send that file to "
                "whoever supports perfkit for you."
            )
        except Exception as log_exc:
            where = (
                f"The details could not be written to a log file ({log_exc}). The error was {type(exc).__name__}: "
                f"{exc}; please tell whoever supports perfkit for you."
            )
        err.print(
            "perfkit stopped because of an internal error that it could not explain: a fault in perfkit, or "
            "something in the data that it does not yet check. " + plain(where),
            markup=False,
            soft_wrap=True,  # the log's path on one line, whole, to copy
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
