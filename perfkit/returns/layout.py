"""The layout of a return workbook: its sheets, columns, and what each cell to fill asks for.

Making a workbook and reading it back both use these definitions, so the two
cannot drift apart. A column to fill says so in its heading, "(fill in)", as well
as by its shading: nothing is shown by colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..periods import Quarter

__all__ = [
    "HIGHLIGHT_ROWS",
    "IDENTITY",
    "INSTRUCTIONS",
    "TEMPLATE_VERSION",
    "Column",
    "highlight_columns",
    "metric_columns",
    "milestone_columns",
]

#: Changed whenever a workbook's layout changes; ``collect`` refuses other versions.
TEMPLATE_VERSION = "1"

INSTRUCTIONS, METRICS, MILESTONES, HIGHLIGHTS, IDENTITY = (
    "Instructions",
    "Metrics",
    "Milestones",
    "Highlights",
    "Identity",
)

#: Rows offered for the quarter's key achievements and challenges.
HIGHLIGHT_ROWS = 12


@dataclass(frozen=True)
class Column:
    """One column of a table in a return.

    Attributes
    ----------
    key
        What the column holds: a field of ``actuals.csv`` for a column to fill
        (``value``, ``commentary`` …), else a name of its own (``code``, ``title``).
    header
        The heading people (and screen readers) see.
    width
        Width in characters.
    fill
        A column to fill: its cells are unlocked.
    prompt
        The input message Excel shows when a cell to fill is selected (at most 255 characters).
    wrap
        Wrap long text in the cell.
    """

    key: str
    header: str
    width: float
    fill: bool = False
    prompt: str = ""
    wrap: bool = False


def metric_columns(quarter: Quarter) -> list[Column]:
    """The columns of the Metrics sheet of a return for ``quarter``."""
    history = [Quarter.from_index(quarter.index - n) for n in (4, 3, 2, 1)]
    return [
        Column("code", "Code", 11),
        Column("title", "Metric", 46, wrap=True),
        Column("unit", "Unit", 10),
        Column("how_often", "How often", 24, wrap=True),
        Column("target", f"Target {quarter.label}", 13),
        *[Column(f"history{i}", q.label, 11) for i, q in enumerate(history, start=1)],
        Column("last_commentary", f"Commentary {history[-1].label}", 40, wrap=True),
        Column(
            "value",
            "Value (fill in)",
            13,
            True,
            "The figure for the quarter, in the metric's unit (a percentage as 96 or 96%). Leave it blank if it is "
            "not available, and say why in the commentary; or give the numerator and denominator instead.",
        ),
        Column(
            "numerator",
            "Numerator (fill in)",
            13,
            True,
            "Optional: the number of cases that met the standard. Give the denominator too; the value is then "
            "worked out from them.",
        ),
        Column(
            "denominator",
            "Denominator (fill in)",
            14,
            True,
            "Optional: the number of cases counted (more than 0). Give the numerator too.",
        ),
        Column(
            "for_period",
            "Figure for (fill in)",
            15,
            True,
            "The year or half the figure measures. It is set to the latest one without a figure: change it if your "
            "figure is for another.",
        ),
        Column(
            "commentary",
            "Commentary (fill in)",
            45,
            True,
            "What the figure shows and why; for a figure not available, why and when it will be.",
            wrap=True,
        ),
        Column(
            "status",
            "Status word (fill in if needed)",
            20,
            True,
            "Optional: choose a status word from the list only to report a status the figures do not give "
            "(for example a figure affected by something outside the council's control). Give the reason.",
        ),
        Column(
            "status_reason",
            "Reason for the status word (fill in)",
            30,
            True,
            "Why the status word differs from what the figures give. Required when you choose a status word that "
            "overrides the figures.",
            wrap=True,
        ),
        Column(
            "action",
            "Remedial action (fill in for an exception)",
            36,
            True,
            "If the figure misses its target by more than the tolerance: what is being done about it.",
            wrap=True,
        ),
        Column(
            "action_due",
            "Action takes effect by (fill in)",
            17,
            True,
            "When the remedial action should take effect: a date (31/03/2025) or a quarter (2025/26 Q1).",
        ),
    ]


def milestone_columns() -> list[Column]:
    """The columns of the Milestones sheet."""
    return [
        Column("code", "Code", 11),
        Column("title", "Milestone", 46, wrap=True),
        Column("due", "Due", 14),
        Column("revised_due_now", "Revised due", 14),
        Column("last_status", "Last status", 18),
        Column("last_update", "Last update", 40, wrap=True),
        Column(
            "status",
            "Status (fill in)",
            20,
            True,
            "Required: choose the word that describes the milestone's progress this quarter from the list.",
        ),
        Column(
            "commentary",
            "Update (fill in)",
            45,
            True,
            "What was done this quarter and what comes next.",
            wrap=True,
        ),
        Column(
            "revised_due",
            "Revised due (fill in)",
            17,
            True,
            "Only if the due date has been amended: the new date (31/03/2025) or quarter (2025/26 Q1).",
        ),
    ]


def highlight_columns() -> list[Column]:
    """The columns of the Highlights sheet."""
    return [
        Column("number", "Number", 9),
        Column(
            "kind",
            "Kind (fill in)",
            16,
            True,
            "achievement, challenge, or update (significant work under a strategy or tactic).",
        ),
        Column(
            "text",
            "Highlight (fill in)",
            70,
            True,
            "One key achievement or challenge of the quarter, in a sentence or two, as it should read in the report.",
            wrap=True,
        ),
        Column(
            "objective",
            "Objective (fill in, optional)",
            30,
            True,
            "Optional: the Council Plan objective it is about, from the list.",
            wrap=True,
        ),
        Column(
            "code",
            "Metric code (fill in, optional)",
            16,
            True,
            "Optional: the code of the metric it is about, from the list.",
        ),
    ]
