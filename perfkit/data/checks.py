"""Checks across the tables of a register, after each table has been read on its own.

Each check appends :class:`~perfkit.errors.Problem` objects naming the file,
row, column and metric code, as the readers of single tables do.
"""

from __future__ import annotations

import difflib

import pandas as pd

from ..errors import Problem
from ..periods import Quarter
from ..rating import TargetBook, rate
from ..rounding import round_half_up
from ..statuses import Vocabulary, group_of
from .council import FILE as COUNCIL_FILE
from .council import Council

__all__ = ["check_objectives", "check_overrides", "check_plans"]


def check_objectives(metrics: pd.DataFrame, council: Council, label: str, problems: list[Problem]) -> None:
    """Warn about an objective in the metrics that council.toml does not list (it would become a section of its own)."""
    listed = council.listed_objectives
    if not listed or metrics.empty:
        return
    known = set(listed)
    first: dict[str, tuple[int, str, int]] = {}
    columns = (metrics[c].tolist() for c in ("code", "objective", "row"))
    for code, objective, row in zip(*columns, strict=True):
        if objective and objective not in known:
            r, c, n = first.get(objective, (row, code, 0))
            first[objective] = (r, c, n + 1)
    for objective, (row, code, n) in first.items():
        folded = {o.casefold(): o for o in listed}
        close = difflib.get_close_matches(objective.casefold(), list(folded), n=1)
        near = folded.get(objective.casefold()) or (folded[close[0]] if close else None)
        hint = f"Did you mean '{near}'? " if near else ""
        others = f" ({n} metrics, this the first)" if n > 1 else ""
        problems.append(
            Problem(
                label,
                int(row),
                "objective",
                f"The objective '{objective}'{others} is not one council.toml lists "
                f"({'; '.join(listed)}), so it is shown as a section of its own after them.",
                f"{hint}Correct the objective, or add it to the objectives in council.toml.",
                "warning",
                str(code),
            )
        )


def check_overrides(
    metrics: pd.DataFrame,
    targets: pd.DataFrame,
    actuals: pd.DataFrame,
    broken: set[str],
    vocabulary: Vocabulary,
    label: str,
    problems: list[Problem],
) -> None:
    """A word on a target metric's row that overrides what its figures give needs a ``status_reason``.

    The word overrides when the figures give green, amber or red and the word's class
    is in another group (design §4); with no figure or no target the word is the status.
    """
    worded = actuals.loc[(actuals["status"] != "") & (actuals["status_reason"] == "") & actuals["value"].notna()]
    if worded.empty:
        return
    book = TargetBook(targets)
    for rec in worded.to_dict("records"):
        code = rec["code"]
        m = metrics.loc[code]
        if m["kind"] != "target" or code in broken:
            continue
        found = book.find(code, rec["for_period"])
        if found is None:
            continue
        dec = int(m["decimals"])
        computed = rate(
            round_half_up(rec["value"], dec),
            round_half_up(found.number, dec),
            m["polarity"],
            m["tolerance"],
            strict=found.strict,
        )
        if group_of(rec["status"]) == group_of(computed):
            continue
        problems.append(
            Problem(
                label,
                int(rec["row"]),
                "status_reason",
                f"'{rec['status_word']}' overrides what the figures give "
                f"({vocabulary.label(computed)}: {round_half_up(rec['value'], dec):.{dec}f} against a target of "
                f"{found.comparison}{round_half_up(found.number, dec):.{dec}f}), so it needs a reason.",
                "Say why in status_reason (e.g. Covid-19 closures); for a register transcribed from published "
                "reports that do not say, write: Not stated in the published report.",
                "error",
                code,
            )
        )


def check_plans(council: Council, actuals: pd.DataFrame, problems: list[Problem]) -> None:
    """Warn about quarters with figures that no ``[[plans]]`` entry covers (they take the top-level plan_title)."""
    if not council.plans or actuals.empty:
        return
    outside = [
        Quarter.from_index(int(i))
        for i in sorted(actuals["period_index"].unique())
        if council.plan_for(Quarter.from_index(int(i))) is None
    ]
    if outside:
        shown = ", ".join(q.label for q in outside[:8]) + (", …" if len(outside) > 8 else "")
        problems.append(
            Problem(
                COUNCIL_FILE,
                None,
                "plans",
                f"{len(outside)} quarter{'s' if len(outside) != 1 else ''} with figures "
                f"({shown}) {'are' if len(outside) != 1 else 'is'} in no [[plans]] entry, so "
                f"{'they are' if len(outside) != 1 else 'it is'} reported under plan_title '{council.plan_title}'.",
                "Extend a plan's from or to to cover them, or add a [[plans]] entry for them.",
                "warning",
            )
        )
