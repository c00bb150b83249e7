"""Table cells of the plan-shaped appendix: a row of the assessment as a reader needs each fact.

Every status is a word and a symbol; an override keeps the computed status and the
reason beside the council's word; a milestone shows its due date (and the revised one),
and "past its due date" beside its word; a figure that measures a half or a year says so.

Examples
--------
>>> rec = {"kind": "target", "value": 40.0, "unit": "percent", "decimals": 1, "for_period_label": "",
...        "target": 50.0, "comparison": ">"}
>>> figure_cell(rec), target_cell(rec)
('<span class="figure">40.0%</span>', 'more than <span class="figure">50.0%</span>')
>>> code_cell("CUS.01")
'<span class="code">CUS.01</span>'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape

from ..periods import long_date
from ..statuses import describe
from .formatting import DIRECTION_LABELS, format_value
from .tables import status_badge, text_cell

__all__ = [
    "code_cell",
    "commentary_cell",
    "direction_cell",
    "due_cell",
    "figure_cell",
    "is_override",
    "metric_cell",
    "status_cell",
    "target_cell",
    "update_cell",
]

#: Rated statuses: a council's word in another group than these is an override.
_RATED = ("green", "amber", "red")

#: How a comparison target reads in a table.
_COMPARISONS = {">": "more than ", ">=": "at least ", "<": "less than ", "<=": "at most ", "": ""}


def _figure(text: str) -> str:
    """A figure and its unit kept on one line (``20.0 days``), while the words around it may wrap."""
    return f'<span class="figure">{escape(text)}</span>'


def _blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def code_cell(code: object) -> str:
    """A metric code that never breaks across lines (``CUS.`` / ``01`` in print)."""
    return f'<span class="code">{text_cell(code)}</span>'


def metric_cell(rec: Mapping) -> str:
    """The metric's code and title, e.g. for a table whose rows mix several tactics."""
    return f"{code_cell(rec['code'])} {text_cell(rec['title'])}"


def is_override(rec: Mapping) -> bool:
    """Whether the council's word overrides what the figures give (design §4): both stay visible."""
    computed = rec.get("computed_status") or ""
    return computed in _RATED and rec["status"] != computed


def status_cell(rec: Mapping) -> str:
    """The status word and symbol; ``past its due date``; for an override, the computed status and the reason."""
    label = rec.get("status_label") or describe(rec["status"]).label
    html = status_badge(rec["status"], label)
    if rec.get("past_due") and rec["status"] != "overdue":  # "Overdue" already says it
        due = long_date(rec.get("due_in_force"))
        html += f' <span class="past-due">— past its due date{", " + escape(due) if due else ""}</span>'
    if is_override(rec):
        computed = rec["computed_status"]
        reason = text_cell(rec.get("status_reason")) or "No reason given"
        html += (
            f'<span class="override">On the figures: {status_badge(computed, rec.get("computed_label") or None)}. '
            f"Reason: {reason}.</span>"
        )
    return html


def figure_cell(rec: Mapping) -> str:
    """A figure at display precision with the period it measures, or a milestone's progress."""
    if rec["kind"] == "milestone":
        progress = rec.get("progress")
        return "–" if progress is None or _blank(progress) else f"{float(progress):g}% complete"
    html = _figure(format_value(rec["value"], rec["unit"], rec["decimals"]))
    if rec.get("for_period_label") and not _blank(rec["value"]):
        html += f' <span class="period-label">({escape(rec["for_period_label"])})</span>'
    return html


def target_cell(rec: Mapping) -> str:
    """The target as judged: ``more than 50.0%`` for a strict target."""
    if _blank(rec.get("target")):
        return "–"
    words = _COMPARISONS.get(rec.get("comparison") or "", "")
    return escape(words) + _figure(format_value(rec["target"], rec["unit"], rec["decimals"]))


def due_cell(rec: Mapping) -> str:
    """A milestone's due date, and the revised one when the council has amended it."""
    due, revised = rec.get("due"), rec.get("revised_due")
    if _blank(revised) or revised == due:
        return escape(long_date(due)) if not _blank(due) else "Not set"
    original = f" (originally {escape(long_date(due))})" if not _blank(due) else ""
    return f"{escape(long_date(revised))}, revised{original}"


def direction_cell(rec: Mapping) -> str:
    """The direction against the previous period; for a half or a year, which one it was compared with."""
    text = escape(DIRECTION_LABELS[rec["vs_previous"]])
    if rec.get("for_period_label") and rec["vs_previous"] != "n/a":
        text += f" (on the previous {'half' if ' H' in rec['for_period_label'] else 'year'})"
    return text


def commentary_cell(rec: Mapping) -> str:
    """The officer's commentary, then the remedial action and when it should take effect."""
    parts = []
    if not _blank(rec.get("commentary")):
        parts.append(f"<p>{text_cell(rec['commentary'])}</p>")
    if not _blank(rec.get("action")):
        by = long_date(rec.get("action_due"))
        parts.append(
            f'<p class="action"><strong>Remedial action:</strong> {text_cell(rec["action"])}'
            f"{', to take effect by ' + escape(by) if by else ''}.</p>"
        )
    return "".join(parts)


def update_cell(rec: Mapping, quarter_label: str) -> str:
    """A milestone's latest update: this quarter's commentary, or why there is none."""
    if rec.get("carried"):
        return commentary_cell(rec) or "Completed in an earlier quarter."
    text = commentary_cell(rec)
    if text:
        return text
    if rec["status"] in ("no_update", "overdue"):
        return f"No update for {escape(quarter_label)}."
    return "No commentary supplied."
