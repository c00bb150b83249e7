"""Compare a return's entries with the register, field by field, and apply what may be applied.

The rules (design §10):

* a blank never changes a field; a row with nothing entered is not returned;
* a row with no figure but a commentary records a figure not available, written
  only where the register has no figure yet;
* a field the register leaves blank is filled; an equal one is unchanged (numbers
  are compared as the report prints them, words ignoring case);
* a different one is a **conflict**: the whole entry is left as it was unless
  ``replace`` (a corrected resubmission), which also replaces the figure as a
  whole (value, numerator and denominator together);
* a service's highlights for a quarter are replaced as a set: added when the
  register has none, unchanged when it has the same, else a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..data.typed_cells import parse_number
from ..errors import CellError, PerfkitError
from ..rounding import round_half_up
from .contract import parse_due, parse_for_period
from .read import Entry, Highlight, Return
from .tables import Table, _quarter_key
from .view import View

__all__ = ["Change", "Outcome", "apply_return"]

FIGURE = ("value", "numerator", "denominator")


@dataclass(frozen=True)
class Change:
    """One field changed (or to change) in the register, and the cell it came from."""

    cell: str
    code: str
    period: str
    field: str
    old: str
    new: str


@dataclass
class Outcome:
    """What became of one entry: ``written``, ``unchanged``, ``conflict`` or ``kept`` (not collected)."""

    state: str
    entry: Entry | None = None
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Change] = field(default_factory=list)
    note: str = ""
    records: list[int] = field(default_factory=list)
    highlights: list[Highlight] = field(default_factory=list)


def _number(text: str) -> float | None:
    try:
        return parse_number(text) if text.strip() else None
    except CellError:
        return None


def _figure(cells: dict[str, str], unit: str) -> float | None:
    value = _number(cells.get("value", ""))
    if value is not None:
        return value
    num, den = _number(cells.get("numerator", "")), _number(cells.get("denominator", ""))
    if num is not None and den:
        return (100.0 if unit == "percent" else 1.0) * num / den
    return None


def _same(field_name: str, old: str, new: str, view: View, decimals: int) -> bool:
    """Whether two entries of a field say the same, as the report would show them."""
    if field_name in FIGURE or field_name == "progress":
        a, b = _number(old), _number(new)
        if a is None or b is None:
            return old.strip() == new.strip()
        if field_name == "value":
            return round_half_up(a, decimals) == round_half_up(b, decimals)
        return round(a, 9) == round(b, 9)
    if field_name == "status":
        return (view.words.canonical(old) or old.strip().casefold()) == (view.words.canonical(new) or new.casefold())
    if field_name in ("revised_due", "action_due"):
        return _canonical(parse_due, old) == _canonical(parse_due, new)
    if field_name == "for_period":
        return _canonical(parse_for_period, old) == _canonical(parse_for_period, new)
    return _plain(old) == _plain(new)


def _canonical(parse, text: str) -> str:
    try:
        return parse(text)
    except (CellError, PerfkitError):
        return " ".join(text.split())


def _plain(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    return "\n".join(line.rstrip() for line in lines)


def _entry(entry: Entry, ret: Return, table: Table, view: View, replace: bool) -> Outcome:
    assert ret.quarter is not None
    period = ret.quarter.label
    metric = view.metrics.get(entry.code)
    unit = metric.unit if metric else ""
    i = table.find(entry.code, period)
    if i is None:
        cells = {"code": entry.code, "period": period, **entry.fields}
        changes = [Change(entry.cell(f), entry.code, period, f, "", v) for f, v in entry.fields.items()]
        return Outcome("written", entry, changes, records=[table.append(cells)])
    old = {f: table.get(i, f) for f in {*entry.fields, *FIGURE}}
    old_figure = _figure(old, unit)
    entered = [f for f in FIGURE if f in entry.fields]
    if entry.kind == "metric" and not entered and old_figure is not None and "status" not in entry.fields:
        return Outcome(
            "kept",
            entry,
            note=f"The register already has a figure for {period}, so this row without one is not collected.",
        )
    fills: list[Change] = []
    conflicts: list[Change] = []
    if entered and old_figure is not None:
        differs = entry.figure is not None and round_half_up(old_figure, entry.decimals) != round_half_up(
            entry.figure, entry.decimals
        )
        differs = differs or any(
            old[f] and not _same(f, old[f], entry.fields[f], view, entry.decimals) for f in entered
        )
        if differs:
            shown_old = old["value"] or (f"{old['numerator']} / {old['denominator']}" if old["numerator"] else "")
            shown_new = entry.fields.get("value") or f"{entry.fields.get('numerator', '')} / " + entry.fields.get(
                "denominator", ""
            )
            conflicts.append(Change(entry.cell(entered[0]), entry.code, period, "figure", shown_old, shown_new))
        else:
            fills += [Change(entry.cell(f), entry.code, period, f, "", entry.fields[f]) for f in entered if not old[f]]
    elif entered:
        fills += [Change(entry.cell(f), entry.code, period, f, old[f], entry.fields[f]) for f in entered]
    for name, new in entry.fields.items():
        if name in FIGURE:
            continue
        was = old.get(name, "")
        change = Change(entry.cell(name), entry.code, period, name, was, new)
        if not was:
            fills.append(change)
        elif not _same(name, was, new, view, entry.decimals):
            conflicts.append(change)
    if conflicts and not replace:
        return Outcome("conflict", entry, conflicts=conflicts, records=[i])
    changes = fills + [c for c in conflicts if c.field != "figure"]
    if any(c.field == "figure" for c in conflicts):
        # A corrected figure replaces the old one whole: value, numerator and denominator together.
        changes += [
            Change(entry.cell(entered[0]), entry.code, period, f, old[f], entry.fields.get(f, ""))
            for f in FIGURE
            if old[f] != entry.fields.get(f, "")
        ]
    for c in changes:
        table.set(i, c.field, c.new)
    return Outcome("written" if changes else "unchanged", entry, changes, conflicts, records=[i])


def _highlight_key(kind: str, text: str, objective: str, code: str) -> tuple[str, ...]:
    return (kind.strip().casefold(), _plain(text), " ".join(objective.split()).casefold(), code.strip().casefold())


def _highlights(ret: Return, table: Table, replace: bool) -> Outcome | None:
    assert ret.quarter is not None
    if not ret.highlights:
        return None
    period = ret.quarter.label
    existing = [
        i
        for i, rec in enumerate(table.records)
        if rec is not None
        and _quarter_key(table.get(i, "period")) == period
        and " ".join(table.get(i, "service").split()).casefold() == ret.service.casefold()
    ]
    old = sorted(
        _highlight_key(table.get(i, "kind"), table.get(i, "text"), table.get(i, "objective"), table.get(i, "code"))
        for i in existing
    )
    new = sorted(_highlight_key(h.kind, h.text, h.objective, h.code) for h in ret.highlights)
    if existing and old == new:
        return Outcome("unchanged", highlights=list(ret.highlights))
    removed = [
        Change(ret.highlights[0].cell, table.get(i, "code"), period, "highlight", _describe(table, i), "")
        for i in existing
    ]
    added = [Change(h.cell, h.code, period, "highlight", "", f"{h.kind}: {h.text}") for h in ret.highlights]
    if existing and not replace:
        return Outcome(
            "conflict",
            conflicts=removed,
            note=f"The register already has {len(existing)} different highlight{'s' if len(existing) != 1 else ''} "
            f"of {ret.service} for {period}.",
            highlights=list(ret.highlights),
        )
    for i in existing:
        table.delete(i)
    records = []
    for h in ret.highlights:
        cells = {"period": period, "service": ret.service, "kind": h.kind, "text": h.text}
        if h.objective:
            cells["objective"] = h.objective
        if h.code:
            cells["code"] = h.code
        records.append(table.append(cells))
    return Outcome("written", changes=removed + added, records=records, highlights=list(ret.highlights))


def _describe(table: Table, i: int) -> str:
    return f"{table.get(i, 'kind')}: {table.get(i, 'text')}"


def apply_return(
    ret: Return, actuals: Table, highlights: Table | None, view: View, replace: bool
) -> tuple[list[Outcome], Outcome | None]:
    """Compare a return with the register's tables and apply it to them in memory.

    Returns
    -------
    tuple
        One :class:`Outcome` per entry, and the outcome of the highlights (``None`` when none were entered).
    """
    outcomes = [_entry(e, ret, actuals, view, replace) for e in ret.entries]
    hl = _highlights(ret, highlights, replace) if highlights is not None else None
    return outcomes, hl
