"""One objective's update for scrutiny (seed 000): the sections of ``notebooks/objective_update.ipynb``.

North East Derbyshire reports each Council Plan objective to its scrutiny
committee on its own: a purpose line, the objective's strategies and tactics,
"Regarding targeted metrics two have been flagged at exception … These were also
flagged at Q1", the metrics for trend monitoring and their direction, the
milestones in the council's own words, and the notable achievements. This module
drafts that report from the assessment; as in :mod:`perfkit.report`, each section
takes the :class:`ObjectiveReport` and, optionally, the rows to show.

Numbers follow GOV.UK style (one to nine in words, 10 and over in figures), and a
list of more than three names becomes a bulleted list rather than a long sentence.

Examples
--------
>>> rep = prepare_objective(tiny, "2024/25 Q2", "good services")
>>> rep
ObjectiveReport(Tiny Test Council, 2024/25 Q2, Good services: 8 metrics)
>>> print(targeted_paragraphs(rep)[0].text)
Regarding targeted metrics, of the seven Council Plan targets for 2024/25 Q2, two are on target, two within \
tolerance, one without a figure, one without a target and one flagged at exception: % of complaints answered \
within 15 working days; it was also flagged at Q1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pandas as pd

from .achievements import achievements, challenges, named, render_achievements, render_challenges
from .assess import actions_due, assess
from .data.register import Register, load_register, objectives_in
from .errors import UnknownObjectiveError
from .narrative import join_words, number_word, status_phrase, trend_phrase
from .periods import Quarter, long_date, parse_quarter
from .render.formatting import DIRECTION_LABELS, format_value
from .render.html import Html
from .render.tables import Column, html_table, text_cell
from .report import final_outturn_section, remedial_actions
from .slugs import match_objective
from .statuses import GROUPS, in_sentence

__all__ = [
    "ObjectiveReport",
    "Paragraph",
    "UnknownObjectiveError",
    "actions_followed_up",
    "final_outturns",
    "introduction",
    "match_objective",
    "milestone_paragraphs",
    "milestones",
    "objectives_in",
    "plan_structure",
    "prepare_objective",
    "resolve_objectives",
    "summary",
    "targeted_metrics",
    "targeted_paragraphs",
    "trend_metrics",
    "trend_paragraphs",
]

#: A list of more names than this is shown as bullets, not within a sentence.
MAX_INLINE = 3


# --- which objectives -----------------------------------------------------------------------------------


def resolve_objectives(
    register: Register, names: Sequence[str], quarters: Sequence[Quarter]
) -> tuple[dict[Quarter, list[str]], list[str]]:
    """Which objective reports a run makes in each quarter (design §7), and notes on the quarters left out.

    Parameters
    ----------
    names
        Objective names (any case) or slugs, or ``all``.
    quarters
        The quarters of the run.

    Returns
    -------
    dict, list of str
        The objectives to report in each quarter (only quarters with at least one), and a
        note for each name a quarter's plan does not have.

    Raises
    ------
    UnknownObjectiveError
        When a name is in no quarter's plan, listing the objectives.

    Examples
    --------
    >>> chosen, notes = resolve_objectives(tiny, ["A Green Place"], [pk.Quarter(2024, 2)])
    >>> {q.label: objs for q, objs in chosen.items()}, notes
    ({'2024/25 Q2': ['A green place']}, [])
    """
    by_quarter = {q: objectives_in(register, q) for q in quarters}
    chosen: dict[Quarter, list[str]] = {q: [] for q in quarters}
    notes = []
    for name in dict.fromkeys(names):
        if name.strip().casefold() == "all":
            for q, objs in by_quarter.items():
                chosen[q] += [o for o in objs if o not in chosen[q]]
            continue
        found = {q: match_objective(name, objs) for q, objs in by_quarter.items()}
        if not any(found.values()):
            known = list(dict.fromkeys(o for objs in by_quarter.values() for o in objs))
            where = quarters[0].label if len(quarters) == 1 else f"{min(quarters).label} to {max(quarters).label}"
            raise UnknownObjectiveError(name, known, where)
        for q, obj in found.items():
            if obj is None:
                notes.append(f"{q.label}: the plan then has no objective '{name}', so no report is made for it.")
            elif obj not in chosen[q]:
                chosen[q].append(obj)
    return {q: objs for q, objs in chosen.items() if objs}, notes


# --- the report -----------------------------------------------------------------------------------------


@dataclass
class ObjectiveReport:
    """Everything one objective's update shows for one quarter: made by :func:`prepare_objective`.

    Attributes
    ----------
    register
        The loaded register.
    quarter
        The quarter reported.
    objective
        The objective, as the plan names it.
    table
        The whole council's assessment of the quarter (:func:`perfkit.assess`); the
        methods select the objective's rows.
    """

    register: Register
    quarter: Quarter
    objective: str
    table: pd.DataFrame

    def __repr__(self) -> str:
        return (
            f"ObjectiveReport({self.register.council.name}, {self.quarter.label}, {self.objective}: "
            f"{len(self.rows()):,} metrics)"
        )

    @property
    def plan_title(self) -> str:
        return self.register.plan_title(self.quarter)

    @property
    def previous_label(self) -> str:
        """The quarter before, as the tables name it ("Q1", or "2023/24 Q4" across a year)."""
        return self.quarter.previous().short_relative_to(self.quarter)

    def rows(self) -> pd.DataFrame:
        """The objective's metrics and milestones reported in the quarter (later outturns of an old plan apart)."""
        t = self.table
        return t.loc[(t["objective"] == self.objective) & ~t["final_outturn"].astype(bool)]

    def targeted(self) -> pd.DataFrame:
        """The objective's targeted metrics."""
        rows = self.rows()
        return rows.loc[rows["kind"] == "target"]

    def trend(self) -> pd.DataFrame:
        """The objective's metrics monitored for trend that were due in the quarter."""
        rows = self.rows()
        return rows.loc[(rows["kind"] == "trend") & (rows["status"] != "not_due")]

    def milestones(self) -> pd.DataFrame:
        """The objective's milestones."""
        rows = self.rows()
        return rows.loc[rows["kind"] == "milestone"]

    def actions_due(self) -> pd.DataFrame:
        """Remedial actions for the objective's metrics, set in earlier quarters and due by this quarter's end.

        Columns as :func:`perfkit.assess.actions_due`, with each metric's status now, latest action first.
        """
        m = self.register.metrics
        mine = m.index[m["objective"] == self.objective]
        actions = actions_due(self.register, self.quarter, self.table)
        return actions.loc[actions["code"].isin(mine)].reset_index(drop=True)

    def final_outturns(self) -> pd.DataFrame:
        """The objective's outturns of an earlier plan published this quarter (``final_outturn``), shown apart."""
        t = self.table
        return t.loc[(t["objective"] == self.objective) & t["final_outturn"].astype(bool)]

    def achievements(self) -> pd.DataFrame:
        """The objective's key achievements (design §7; see :func:`perfkit.achievements.achievements`)."""
        return achievements(self.table, self.register, self.objective)

    def challenges(self) -> pd.DataFrame:
        """The objective's challenges (design §7; see :func:`perfkit.achievements.challenges`)."""
        return challenges(self.table, self.register, self.objective)

    def updates(self) -> pd.DataFrame:
        """The services' notes of significant work under the objective's strategies and tactics.

        They are the quarter's highlights of kind ``update`` about the objective.
        """
        h = self.register.highlights
        h = h.loc[
            (h["period_index"] == self.quarter.index) & (h["kind"] == "update") & (h["objective"] == self.objective)
        ]
        return h.sort_values("row", kind="stable")

    def strategies(self) -> list[tuple[str, list[str]]]:
        """The objective's strategies, each with its tactics, in the order they first appear in metrics.csv.

        Strategies and tactics that only the quarter's highlights name follow.
        """
        m = self.register.metrics
        pairs = list(
            zip(
                m.loc[m["objective"] == self.objective, "strategy"],
                m.loc[m["objective"] == self.objective, "tactic"],
                strict=True,
            )
        )
        h = self.updates()
        pairs += list(zip(h["strategy"], h["tactic"], strict=True))
        found: dict[str, list[str]] = {}
        for strategy, tactic in pairs:
            if not strategy:
                continue
            tactics = found.setdefault(strategy, [])
            if tactic and tactic not in tactics:
                tactics.append(tactic)
        return list(found.items())


def prepare_objective(
    data_dir: str | Path | Register = "data/demo", quarter: str | Quarter | None = None, objective: str | None = None
) -> ObjectiveReport:
    """Load the register and assess the quarter for one objective's update.

    Parameters
    ----------
    data_dir
        The council's data folder, or a register already loaded.
    quarter
        The quarter in any spelling; by default the latest with figures.
    objective
        The objective's name in any case, or its slug; blank (or ``None``) for the first objective
        of the plan in force, as when the notebook is opened in JupyterLab.

    Raises
    ------
    UnknownObjectiveError
        When the plan in force in the quarter has no such objective, listing those it has.
    """
    register = data_dir if isinstance(data_dir, Register) else load_register(data_dir)
    q = register.latest_quarter() if quarter in (None, "") else parse_quarter(quarter)
    objs = objectives_in(register, q)
    found = match_objective(objective, objs) if objective else (objs[0] if objs else None)
    if found is None:
        raise UnknownObjectiveError(objective or "", objs, q.label)
    return ObjectiveReport(register, q, found, assess(register, q))


# --- sentences ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the summary: its text, and a bulleted list after it when the list is long.

    ``text`` ends with ``:`` when ``items`` follow it.
    """

    text: str
    items: tuple[str, ...] = ()

    def html(self) -> str:
        bullets = "".join(f"<li>{escape(i)}</li>" for i in self.items)
        return f"<p>{escape(self.text)}</p>" + (f"<ul>{bullets}</ul>" if bullets else "")


def _capitalise(s: str) -> str:
    return s[:1].upper() + s[1:]


def _verb(n: int) -> str:
    return "is" if n == 1 else "are"


def _group_phrase(group: str, word: str) -> str:
    # seed 000: "flagged at exception"
    return "flagged at exception" if (group == "exception" and word == "Exception") else status_phrase(word)


def _persistence(rows: pd.DataFrame, quarter: Quarter) -> list[tuple[str, str]]:
    """(title, the quarter it was also at exception in, as the report says it) of each persistent exception."""
    return [
        (r["title"], parse_quarter(r["previous_due"]).short_relative_to(quarter))
        for r in rows.to_dict("records")
        if r["persistent_exception"]
    ]


def targeted_paragraphs(rep: ObjectiveReport, rows: pd.DataFrame | None = None) -> list[Paragraph]:
    """Seed 000's sentence for each tier: "Regarding targeted metrics, of the N …, X are on target, Y within
    tolerance and Z flagged at exception: A and B; A was also flagged at Q1".

    Counted are the targeted metrics due in the quarter (trend metrics and those not due are not),
    in the four groups of design §4, each class of *other* by its own word. More than
    :data:`MAX_INLINE` exceptions are listed as bullets.
    """
    targeted = rep.targeted() if rows is None else rows
    vocab = rep.register.vocabulary
    counted = targeted.loc[targeted["group"] != ""]
    if counted.empty:
        return [Paragraph(f"No targeted metric of this objective was due for {rep.quarter.label}.")]
    out = []
    for n_tier, tier in enumerate(t for t in ("plan", "service") if (counted["tier"] == t).any()):
        sub = counted.loc[counted["tier"] == tier]
        label = in_sentence(rep.register.council.tier_label(tier))
        parts: list[tuple[int, str]] = []
        for group in ("on_track", "within_tolerance"):
            n = int((sub["group"] == group).sum())
            if n:
                parts.append((n, _group_phrase(group, vocab.group_word(group))))
        other = sub.loc[sub["group"] == "other"]
        for status in dict.fromkeys(other["status"]):
            n = int((other["status"] == status).sum())
            parts.append((n, status_phrase(vocab.label(status))))
        # the exceptions last, so the names that follow the colon are theirs
        n = int((sub["group"] == "exception").sum())
        if n:
            parts.append((n, _group_phrase("exception", vocab.group_word("exception"))))
        said = [f"{number_word(n)} {_verb(n) + ' ' if i == 0 else ''}{phrase}" for i, (n, phrase) in enumerate(parts)]
        total = len(sub)
        if total == 1:  # "Of the one service indicators, one is …": a tier's name has no singular
            lead = "Regarding targeted metrics, for" if n_tier == 0 else "For"
            text = f"{lead} {rep.quarter.label}, one of the {label} was due, and it is {parts[0][1]}"
        else:
            if len(parts) == 1:  # "Of the five …, five are on target" said the number twice
                said = [f"{'both' if total == 2 else 'all ' + number_word(total)} are {parts[0][1]}"]
            lead = "Regarding targeted metrics, of" if n_tier == 0 else "Of"
            text = f"{lead} the {number_word(total)} {label} for {rep.quarter.label}, {join_words(said)}"
        exceptions = sub.loc[sub["group"] == "exception"]
        persistent = _persistence(exceptions, rep.quarter)
        if exceptions.empty:
            out.append(Paragraph(text + "."))
        elif len(exceptions) > MAX_INLINE:
            also = dict(persistent)
            items = tuple(t + (f" (also flagged at {also[t]})" if t in also else "") for t in exceptions["title"])
            out.append(Paragraph(text + ":", items))
        else:
            text += ": " + join_words(list(exceptions["title"]))
            by_when: dict[str, list[str]] = {}
            for title, when in persistent:
                by_when.setdefault(when, []).append(title)
            for when, titles in by_when.items():
                if len(exceptions) == 1:
                    text += f"; it was also flagged at {when}"
                elif len(titles) == len(exceptions):
                    text += f"; {'both' if len(titles) == 2 else 'all'} were also flagged at {when}"
                else:
                    text += f"; {join_words(titles)} {'was' if len(titles) == 1 else 'were'} also flagged at {when}"
            out.append(Paragraph(text + "."))
    return out


_TREND_ORDER = ("improved", "up", "no_change", "worsened", "down", "n/a")


def trend_paragraphs(rep: ObjectiveReport, rows: pd.DataFrame | None = None) -> list[Paragraph]:
    """Seed 000's "Regarding the three metrics for trend monitoring, all are showing improved trends from Q1"."""
    trend = rep.trend() if rows is None else rows
    n = len(trend)
    prev = rep.previous_label
    if n == 0:
        return [Paragraph("No metric of this objective is monitored for trend this quarter.")]
    lead = f"Regarding the {'one metric' if n == 1 else number_word(n) + ' metrics'} for trend monitoring"
    groups: dict[str, list[str]] = {}
    for r in trend.to_dict("records"):
        groups.setdefault(r["vs_previous"], []).append(r["title"])
    if n == 1:
        key, (title,) = next(iter(groups.items()))
        return [Paragraph(f"{lead}, {title}, it {trend_phrase(key, prev)}.")]
    if len(groups) == 1 and "n/a" not in groups:
        key = next(iter(groups))
        whole = "both" if n == 2 else "all"
        if key == "improved":
            return [Paragraph(f"{lead}, {whole} are showing improved trends from {prev}.")]
        return [Paragraph(f"{lead}, {whole} {trend_phrase(key, prev)}.")]
    ordered = [(k, groups[k]) for k in _TREND_ORDER if k in groups]
    if any(len(titles) > MAX_INLINE for _, titles in ordered):
        items = tuple(f"{t}: {trend_phrase(k)}" for k, titles in ordered for t in titles)
        return [Paragraph(f"{lead}, compared with {prev}:", items)]
    clauses = [f"{number_word(len(titles))} {trend_phrase(k)} ({join_words(titles)})" for k, titles in ordered]
    return [Paragraph(f"{lead}, compared with {prev}, {join_words(clauses)}.")]


def milestone_paragraphs(rep: ObjectiveReport, rows: pd.DataFrame | None = None) -> list[Paragraph]:
    """The milestones' progress in the council's own words: "Of the ten milestones, six are on track and four
    affected by Covid-19", then those past their due date."""
    ms = rep.milestones() if rows is None else rows
    if ms.empty:
        return []
    counts: dict[str, int] = {}
    for group in (*GROUPS, ""):
        for word in ms.loc[ms["group"] == group, "status_label"]:
            counts[word] = counts.get(word, 0) + 1
    said = [
        f"{number_word(n)} {_verb(n) + ' ' if i == 0 else ''}{status_phrase(w)}"
        for i, (w, n) in enumerate(counts.items())
    ]
    if len(ms) == 1:
        r = ms.iloc[0]
        text = f"The one milestone, {r['title']}, is {status_phrase(r['status_label'])}."
    else:
        text = f"Of the {number_word(len(ms))} milestones, {join_words(said)}."
    out = [Paragraph(text)]
    late = ms.loc[ms["past_due"].astype(bool)]
    if len(late):
        names = [f"{r['title']} (due {_date(r['due_in_force'])})" for r in late.to_dict("records")]
        if len(names) > MAX_INLINE:
            out.append(Paragraph(f"{_capitalise(number_word(len(names)))} are past their due date:", tuple(names)))
        else:
            verb = "is" if len(names) == 1 else "are"
            out.append(Paragraph(f"{join_words(names)} {verb} past {'its' if len(names) == 1 else 'their'} due date."))
    return out


def _date(value: object) -> str:
    return long_date(value) or "not set"


# --- sections -------------------------------------------------------------------------------------------


def introduction(rep: ObjectiveReport) -> Html:
    """The purpose line, the recommendation and the plan's objectives (seed 000's front page)."""
    c = rep.register.council
    q = rep.quarter
    objs = objectives_in(rep.register, q)
    plan = escape(rep.plan_title)
    obj = escape(rep.objective)
    listed = "".join(f"<li>{escape(o)}</li>" for o in objs)
    author = c.report
    front = [
        ("Report of", author.author),
        ("Contact officer", author.contact),
        ("Classification", author.classification),
    ]
    facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in front if v)
    return Html(
        (f'<dl class="front">{facts}</dl>' if facts else "") + "<h2>Purpose</h2>"
        f"<p>To report progress on the strategies underpinning the {plan} objective “{obj}” for {q.months}, "
        f"the period ending {long_date(q.end)}.</p>"
        "<h2>Recommendation</h2>"
        f"<p>That progress against the {plan} “{obj}” objective be noted.</p>"
        "<h2>Background</h2>"
        f"<p>The {plan} of {escape(c.name)} has {number_word(len(objs))} "
        f"objective{'s' if len(objs) != 1 else ''}:</p><ul>{listed}</ul>"
        f"<p>This report covers “{obj}”: the targeted metrics and milestones that measure it, the metrics "
        "monitored for trend, and the achievements and challenges the services reported.</p>"
    )


def plan_structure(rep: ObjectiveReport) -> Html:
    """The objective's strategies and tactics, with the services' notes of significant work under each."""
    strategies = rep.strategies()
    updates = rep.updates()
    if not strategies:
        text = "<p>The register does not divide this objective into strategies and tactics.</p>"
        return Html(text + _notes(updates))
    names = [s for s, _ in strategies]
    count = f"{number_word(len(names))} strateg{'y' if len(names) == 1 else 'ies'}"
    lead = (
        f"<p>Under the “{escape(rep.objective)}” objective there {'is' if len(names) == 1 else 'are'} {count}"
        + (f": {escape(join_words(names))}" if len(names) <= MAX_INLINE else "")
        + ". Underneath those sit tactics: the council's approaches to achieving the strategies.</p>"
    )
    parts = [lead]
    rows = rep.rows()
    for strategy, tactics in strategies:
        parts.append(f"<h3>Strategy: {escape(strategy)}</h3>")
        here = (updates["strategy"] == strategy) & (updates["tactic"] == "")
        parts.append(
            _notes(updates.loc[here]) + _measures(rows.loc[(rows["strategy"] == strategy) & (rows["tactic"] == "")])
        )
        for tactic in tactics:
            parts.append(f"<h4>Tactic: {escape(tactic)}</h4>")
            notes = updates.loc[(updates["strategy"] == strategy) & (updates["tactic"] == tactic)]
            measures = rows.loc[(rows["strategy"] == strategy) & (rows["tactic"] == tactic)]
            parts.append(_notes(notes) + _measures(measures) or "<p>Nothing was reported under this tactic.</p>")
    loose = updates.loc[updates["strategy"] == ""]
    if len(loose):
        parts.append("<h3>Other work under the objective</h3>" + _notes(loose))
    return Html("".join(parts))


def _measures(rows: pd.DataFrame) -> str:
    """The metrics and milestones under a strategy or tactic, each with its status word and symbol."""
    if rows.empty:
        return ""
    items = "".join(f"<li>{named(r)}: {_status(r)}</li>" for r in rows.to_dict("records"))
    return f'<p class="measures">Measured by:</p><ul class="measures">{items}</ul>'


def _notes(updates: pd.DataFrame) -> str:
    if updates.empty:
        return ""
    items = "".join(
        f'<li>{escape(str(r["text"]).strip())} <span class="service">({escape(r["service"])})</span></li>'
        for r in updates.to_dict("records")
    )
    return f'<p class="updates">Work this quarter:</p><ul class="updates">{items}</ul>'


def summary(rep: ObjectiveReport, rows: pd.DataFrame | None = None) -> Html:
    """The summary paragraphs: the targeted metrics, the trend metrics and the milestones.

    ``rows`` is :meth:`ObjectiveReport.rows` or some of them.
    """
    rows = rep.rows() if rows is None else rows
    paragraphs = [
        *targeted_paragraphs(rep, rows.loc[rows["kind"] == "target"]),
        *trend_paragraphs(rep, rows.loc[(rows["kind"] == "trend") & (rows["status"] != "not_due")]),
        *milestone_paragraphs(rep, rows.loc[rows["kind"] == "milestone"]),
    ]
    return Html("".join(p.html() for p in paragraphs))


def key_achievements(rep: ObjectiveReport, rows: pd.DataFrame | None = None) -> Html:
    """The objective's key achievements, each with its commentary (``rows``: :meth:`ObjectiveReport.achievements`)."""
    return render_achievements(rep.achievements() if rows is None else rows)


def key_challenges(rep: ObjectiveReport, rows: pd.DataFrame | None = None) -> Html:
    """The objective's challenges, with their actions (``rows``: :meth:`ObjectiveReport.challenges`)."""
    return render_challenges(rep.challenges() if rows is None else rows)


def actions_followed_up(rep: ObjectiveReport, rows: pd.DataFrame | None = None) -> Html:
    """Remedial actions for the objective's metrics that were due by the quarter's end, with each metric's status now.

    ``rows``: :meth:`ObjectiveReport.actions_due`. As in the quarterly appendix, the section has
    its own heading and is left out for a v1 register, which records no actions.
    """
    actions = rep.actions_due() if rows is None else rows
    if not rep.register.v2 and actions.empty:
        return Html("")
    return Html(
        '<h2 id="actions-followed-up">Remedial actions followed up</h2>' + remedial_actions(actions, rep.quarter)
    )


def final_outturns(rep: ObjectiveReport, rows: pd.DataFrame | None = None) -> Html:
    """The objective's figures for the last period of an earlier plan, published this quarter and counted apart.

    ``rows``: :meth:`ObjectiveReport.final_outturns`. Nothing is shown when there are none.
    """
    return final_outturn_section(rep.final_outturns() if rows is None else rows, rep.previous_label)


def _fmt(r, key: str) -> str:
    return escape(format_value(r[key], r["unit"], r["decimals"]))


def _status(r) -> str:
    return f'<span aria-hidden="true">{escape(r["symbol"])}</span> {text_cell(r["status_label"])}'


def targeted_metrics(rep: ObjectiveReport, rows: pd.DataFrame | None = None) -> Html:
    """The objective's targeted metrics, by strategy, each with its figures, status and commentary."""
    targeted = rep.targeted() if rows is None else rows
    if targeted.empty:
        return Html("<p>This objective has no targeted metric this quarter.</p>")
    columns = [
        Column("Metric", named),
        Column("Value", lambda r: _fmt(r, "value"), numeric=True),
        Column("Target", lambda r: _fmt(r, "target"), numeric=True),
        Column("Status", _status),
        Column(f"Compared with {rep.previous_label}", lambda r: escape(DIRECTION_LABELS[r["vs_previous"]])),
        Column("Commentary", lambda r: text_cell(r["commentary"]) or "None supplied"),
    ]
    return _by_strategy(targeted, columns, "Targeted metrics", rep.quarter)


def trend_metrics(rep: ObjectiveReport, rows: pd.DataFrame | None = None) -> Html:
    """The objective's metrics for trend monitoring, with the figures they are compared with."""
    trend = rep.trend() if rows is None else rows
    if trend.empty:
        return Html("<p>No metric of this objective is monitored for trend this quarter.</p>")
    q = rep.quarter
    columns = [
        Column("Metric", named),
        Column(q.label, lambda r: _fmt(r, "value"), numeric=True),
        Column(q.previous().label, lambda r: _fmt(r, "previous_value"), numeric=True),
        Column("Direction", lambda r: escape(DIRECTION_LABELS[r["vs_previous"]])),
        Column("Commentary", lambda r: text_cell(r["commentary"]) or "None supplied"),
    ]
    return Html(html_table(trend, columns, f"Metrics for trend monitoring, {q.label}", row_header=0))


def milestones(rep: ObjectiveReport, rows: pd.DataFrame | None = None) -> Html:
    """The objective's milestones: the council's word for each, progress, due date and commentary."""
    ms = rep.milestones() if rows is None else rows
    if ms.empty:
        return Html("<p>This objective has no milestone this quarter.</p>")

    def progress(r) -> str:
        p = r["progress"]
        return "" if pd.isna(p) else f"{p:g}%"

    def due(r) -> str:
        text = _date(r["due_in_force"]) if r["due_in_force"] is not None else "Not set"
        if r["revised_due"] is not None and r["due"] is not None:
            text += f" (revised from {_date(r['due'])})"
        return escape(text) + (" <strong>(past due)</strong>" if r["past_due"] else "")

    columns = [
        Column("Milestone", named),
        Column("Progress", _status),
        Column("Due", due),
        Column("Commentary", lambda r: text_cell(r["commentary"]) or "None supplied"),
    ]
    if ms["progress"].notna().any():  # a column of blanks says nothing
        columns.insert(2, Column("Complete", progress, numeric=True))
    return _by_strategy(ms, columns, "Milestones", rep.quarter)


def _by_strategy(rows: pd.DataFrame, columns: list[Column], what: str, quarter: Quarter) -> Html:
    """One table per strategy (in the rows' order), or one table when the register has no strategies."""
    strategies = list(dict.fromkeys(rows["strategy"]))
    if strategies == [""]:
        return Html(html_table(rows, columns, f"{what}, {quarter.label}", row_header=0))
    parts = []
    for strategy in strategies:
        sub = rows.loc[rows["strategy"] == strategy]
        name = strategy or "No strategy recorded"
        parts.append(html_table(sub, columns, f"{what}: {name}, {quarter.label}", row_header=0))
    return Html("".join(parts))
