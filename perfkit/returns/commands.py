"""``perfkit returns make|collect|status``: the command line of service returns (design §10).

Exit codes as design §7: 0 when everything was done; 1 when a workbook was
refused, a conflict remains, or a workbook already there was left as it was;
2 for invalid usage or an invalid register. ``status`` exits 0 even when returns
are outstanding.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from ..errors import PeriodError, UnknownNameError, UsageError
from ..periods import parse_quarter
from ..terminal import cell, plain

__all__ = ["add_parser", "run_returns"]

DATA_HELP = "the council's data folder (default: data/demo)"


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``returns`` and its three commands to the ``perfkit`` parser."""
    returns = sub.add_parser(
        "returns",
        help="make, collect and chase the quarterly service returns (spreadsheets services fill in)",
        description="The quarter's round of service returns: make a workbook per service, collect them "
        "when they come back, and see which are outstanding.",
    )
    cmds = returns.add_subparsers(dest="returns_command", required=True)

    make = cmds.add_parser("make", help="write one return workbook per service for a quarter")
    make.add_argument("--data", default="data/demo", help=DATA_HELP)
    make.add_argument("--quarter", help="the quarter (default: the latest that has ended)")
    make.add_argument(
        "--out",
        metavar="DIR",
        help="where the quarter's folder of workbooks goes (default: returns/ in the data folder)",
    )
    make.add_argument("--service", metavar="NAME", help="only this service's workbook (its name in any case, or slug)")

    collect = cmds.add_parser("collect", help="read completed return workbooks into the register")
    collect.add_argument("paths", nargs="+", metavar="PATH", help="return workbooks (.xlsx), or folders of them")
    collect.add_argument("--data", default="data/demo", help=DATA_HELP)
    collect.add_argument("--quarter", help="collect only returns for this quarter (default: each workbook's own)")
    collect.add_argument("--check", action="store_true", help="report what would be collected; write nothing")
    collect.add_argument(
        "--replace", action="store_true", help="apply entries that differ from the register (a corrected return)"
    )
    collect.add_argument(
        "--run", action="store_true", help="then run the reports of the quarters collected (as perfkit run)"
    )
    collect.add_argument("--out", default="outputs", help="with --run: the output folder (default: outputs)")
    collect.add_argument("--formats", default="html,pdf", help="with --run: html, pdf or both (default: both)")

    status = cmds.add_parser("status", help="which services have returned, and what is still missing")
    status.add_argument("--data", default="data/demo", help=DATA_HELP)
    status.add_argument("--quarter", help="the quarter (default: the latest that has ended)")


def _quarter(text: str | None):
    if text is None:
        return None
    try:
        return parse_quarter(text)
    except PeriodError as exc:
        raise UsageError(f"--quarter {text}: {exc}") from None


def _make(args, console: Console, main: Callable[[list[str]], int]) -> int:
    from .make import make_returns
    from .template import deadline_date

    try:
        made = make_returns(args.data, _quarter(args.quarter), out=args.out, service=args.service)
    except UnknownNameError as exc:
        raise UsageError(f"--service {args.service}: {exc}") from None
    if made.made:
        console.print(
            plain(
                f"Made {len(made.made)} return{'s' if len(made.made) != 1 else ''} for {made.quarter.label} in "
                f"{made.folder} (return by {deadline_date(made.deadline)}):"
            ),
            markup=False,
            soft_wrap=True,
        )
        for path, m in made.made:
            contact = f"; contact {m.contact}" if m.contact else ""
            console.print(
                plain(
                    f"  {path.name}: {m.service}, {m.metrics} metric{'s' if m.metrics != 1 else ''}, "
                    f"{m.milestones} milestone{'s' if m.milestones != 1 else ''}{contact}"
                ),
                markup=False,
                soft_wrap=True,
            )
    for path, why in made.skipped:
        console.print(
            plain(f"{path.name}: left as it was: {why}. Move it elsewhere to make a blank return again."),
            markup=False,
            soft_wrap=True,
        )
    return made.exit_code


def _collect(args, console: Console, main: Callable[[list[str]], int]) -> int:
    from .collect import collect_returns

    if args.run and args.check:
        raise UsageError("--run cannot be used with --check: --check writes nothing, so there is nothing new to run.")
    done = collect_returns(
        args.data, args.paths, quarter=_quarter(args.quarter), check=args.check, replace=args.replace
    )
    for line in done.lines():
        console.print(plain(line), markup=False, soft_wrap=True)
    console.print(plain(done.summary()), markup=False, soft_wrap=True)
    code = done.exit_code
    if args.run:
        if code != 0:
            console.print("The reports were not run: collect every return first (see above), then run them.")
            return code
        for q in done.quarters:
            console.print(plain(f"Running the reports of {q.label}:"), markup=False)
            code = max(
                code,
                main(["run", "--data", args.data, "--quarter", q.label, "--out", args.out, "--formats", args.formats]),
            )
    return code


def _status(args, console: Console, main: Callable[[list[str]], int]) -> int:
    from .status import returns_status

    state = returns_status(args.data, _quarter(args.quarter))
    table = Table(title=cell(f"Returns for {state.quarter.label}"), header_style="bold")
    for col in ("Service", "Return", "Signed off by", "Contact", "Without an entry"):
        table.add_column(col, overflow="fold")
    for s in state.services:
        if s.returned:
            got = f"returned {s.returned_at[:10]} ({s.file})"
            signed = s.signed_off_by or "not signed off"
        else:
            got = f"outstanding: {state.when()}"
            signed = ""
        missing = ", ".join(s.missing) if s.missing else "none"
        table.add_row(*(cell(c) for c in (s.service, got, signed, s.contact if not s.returned else "", missing)))
    console.print(table)
    console.print(plain(state.summary()), markup=False, soft_wrap=True)
    return 0


def run_returns(args: argparse.Namespace, console: Console, main: Callable[[list[str]], int]) -> int:
    """Run ``perfkit returns …``; ``main`` is the ``perfkit`` entry point, for ``collect --run``."""
    return {"make": _make, "collect": _collect, "status": _status}[args.returns_command](args, console, main)
