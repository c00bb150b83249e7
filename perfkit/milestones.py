"""Milestones: commitments judged by the progress their service reports (design §4, contract v2).

A milestone is due for an update every quarter it belongs to the plan. With a
row for the quarter it takes the class of the reported word: the council's
judgement stands, and once the quarter ends after the due date in force it is
also flagged *past due*. Without a row it has *no update*, or is *overdue* (an
exception) after its due date if it was never achieved; an achievement or a
withdrawal carries forward.

Examples
--------
>>> import datetime as dt
>>> on_track = Update(parse_quarter("2022/23 Q3").index, "on_track", "On track")
>>> state = milestone_state([on_track], dt.date(2022, 9, 30), parse_quarter("2022/23 Q3"), Vocabulary())
>>> state.status, state.label, state.past_due
('on_track', 'On track', True)
>>> milestone_state([on_track], dt.date(2022, 9, 30), parse_quarter("2022/23 Q4"), Vocabulary()).status
'overdue'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .periods import Quarter, parse_quarter  # noqa: F401 - parse_quarter is used by the examples
from .statuses import Vocabulary

__all__ = ["MilestoneState", "Update", "milestone_state"]

#: Classes a milestone keeps in later quarters without a new row, and that are never past due.
SETTLED = ("achieved", "withdrawn")


@dataclass(frozen=True)
class Update:
    """One reported update of a milestone: the row of ``actuals.csv`` as the assessment needs it."""

    period_index: int
    status: str
    word: str
    revised_due: dt.date | None = None


@dataclass(frozen=True)
class MilestoneState:
    """A milestone's status in a quarter.

    Attributes
    ----------
    status
        The reported class, or ``no_update`` or ``overdue``; a carried-forward class.
    label
        The word shown: the council's reported word, or the ``[labels]`` word perfkit assigns
        (``achieved_previously`` for a carried-forward achievement).
    past_due
        The quarter ends after the due date in force and the milestone is neither achieved nor withdrawn.
    due_in_force
        The latest ``revised_due`` given up to the quarter, else the metric's ``due``.
    revised_due
        That latest ``revised_due``, or ``None``.
    carried
        The status was carried forward from an earlier quarter.
    """

    status: str
    label: str
    past_due: bool
    due_in_force: dt.date | None
    revised_due: dt.date | None
    carried: bool = False


def milestone_state(
    updates: Sequence[Update], due: dt.date | None, quarter: Quarter, vocabulary: Vocabulary
) -> MilestoneState:
    """A milestone's status in ``quarter`` from its updates (in time order; later ones are ignored).

    Parameters
    ----------
    updates
        The milestone's rows, earliest first.
    due
        The metric's ``due`` (a quarter given as a due date means its last day), or ``None``.
    quarter
        The quarter assessed.
    vocabulary
        The council's words.
    """
    upto = [u for u in updates if u.period_index <= quarter.index]
    revised = next((u.revised_due for u in reversed(upto) if u.revised_due is not None), None)
    in_force = revised or due
    ended_after_due = in_force is not None and quarter.end > in_force
    current = upto[-1] if upto and upto[-1].period_index == quarter.index else None
    if current is not None:
        past = ended_after_due and current.status not in SETTLED
        return MilestoneState(current.status, current.word, past, in_force, revised)
    last = upto[-1] if upto else None
    if last is not None and last.status in SETTLED:
        label = vocabulary.label("achieved_previously") if last.status == "achieved" else last.word
        return MilestoneState(last.status, label, False, in_force, revised, carried=True)
    if ended_after_due and not any(u.status == "achieved" for u in upto):
        return MilestoneState("overdue", vocabulary.label("overdue"), True, in_force, revised)
    return MilestoneState("no_update", vocabulary.label("no_update"), ended_after_due, in_force, revised)
