"""Drafted paragraphs for the report, in plain British English.

The draft says only what the assessment shows: counts by status, the metrics
at exception (marking those also at exception in their previous due quarter),
the direction of the trend-monitoring metrics, and the metrics without data.
It is a starting point an analyst edits, written the way performance teams
write it (``seeds/000``: "two have been flagged at exception ... also flagged
at Q1"). A folder that uses contract v2 gets one counting sentence per tier, in
the council's own words (``seeds/002``: "six are on track and four affected by
Covid-19"); a v1 folder keeps the v1 wording word for word.

Examples
--------
>>> count_phrase(1, "metric"), count_phrase(2, "metric"), count_phrase(12, "metric")
('one metric', 'two metrics', '12 metrics')
>>> join_words(["A", "B", "C"])
'A, B and C'
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .assess import TierCounts, group_counts
from .periods import Quarter, long_date, parse_quarter
from .statuses import Vocabulary, in_sentence

__all__ = [
    "bullets",
    "count_phrase",
    "counting_sentence",
    "draft_narrative",
    "exception_phrase",
    "join_words",
    "number_word",
    "objective_paragraph",
    "status_phrase",
    "trend_phrase",
]

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

#: How many metrics a sentence names before it says "and N others".
MAX_NAMED = 10


def number_word(n: int) -> str:
    """One to nine in words, larger numbers in figures, as council reports write them."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"


def count_phrase(n: int, noun: str, plural: str | None = None) -> str:
    """``one metric``, ``two metrics``, ``12 metrics``."""
    word = plural or noun + "s"
    return f"{number_word(n)} {noun if n == 1 else word}"


def join_words(items: list[str]) -> str:
    """Join with commas and a final "and" (no Oxford comma)."""
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def _capitalise(s: str) -> str:
    return s[:1].upper() + s[1:]


def _named(items: list[str]) -> str:
    if len(items) > MAX_NAMED:
        rest = len(items) - MAX_NAMED
        return join_words([*items[:MAX_NAMED], f"{number_word(rest)} other{'s' if rest != 1 else ''}"])
    return join_words(items)


def _exception_names(table: pd.DataFrame, quarter: Quarter) -> list[str]:
    names = []
    # v2: an overridden red is not an exception; a table drafted by hand may only have a status
    exceptions = (
        table.loc[table["exception"].astype(bool)] if "exception" in table else table.loc[table["status"] == "red"]
    )
    for row in exceptions.itertuples():
        name = row.title
        if row.persistent_exception:
            previous = parse_quarter(row.previous_due).short_relative_to(quarter)
            name += f" (also at exception in {previous})"
        names.append(name)
    return names


#: The default words for the statuses an exception sentence names, for a table drafted without a vocabulary.
_DEFAULT_WORDS = {"red": "Exception", "overdue": "Overdue", "off_track": "Off track"}

#: How the default words read after "six are …" in a sentence.
_DEFAULT_PHRASES = {
    "Exception": "at exception",
    "No data": "without a figure",
    "No target": "without a target",
    "No update": "without an update",
}


def status_phrase(word: str) -> str:
    """A status word as it reads inside a sentence: ``On track`` → ``on track``; ``Exception`` → ``at exception``.

    A council's own word keeps its capitals after the first letter (``Affected by Covid-19``
    → ``affected by Covid-19``), and an initialism keeps all of them (``KPI met``): see
    :func:`perfkit.statuses.in_sentence`.

    >>> status_phrase("Affected by Covid-19"), status_phrase("Exception"), status_phrase("RAG green")
    ('affected by Covid-19', 'at exception', 'RAG green')
    """
    if word in _DEFAULT_PHRASES:
        return _DEFAULT_PHRASES[word]
    return in_sentence(word)


def _parts(counts: TierCounts, verb: bool = True) -> str:
    """``six are on track and four affected by Covid-19`` (``six on track …`` without ``verb``).

    When every one is in one part: ``both are on track``, ``all nine are on track``.
    """
    parts = [p for p in counts.parts if p.count]
    if len(parts) == 1 and counts.total > 1:
        whole = "both" if counts.total == 2 else f"all {number_word(counts.total)}"
        return f"{whole} {'are ' if verb else ''}{status_phrase(parts[0].word)}"
    said = []
    for i, p in enumerate(parts):
        is_are = ("is " if p.count == 1 else "are ") if (i == 0 and verb) else ""
        said.append(f"{number_word(p.count)} {is_are}{status_phrase(p.word)}")
    return join_words(said)


#: How many shapes :func:`counting_sentence` has: paragraphs take them in turn so a page does not
#: read as one template repeated.
SHAPES = 3


def counting_sentence(counts: TierCounts, when: str, shape: int = 0) -> str:
    """One tier's counting sentence: the total of the four groups, then each part in the council's words.

    ``shape`` (0, 1 or 2; taken modulo :data:`SHAPES`) varies the sentence's shape, not what it says.
    The tier's name is written as it reads inside a sentence (:func:`perfkit.statuses.in_sentence`:
    ``service indicators``, but ``Council Plan targets`` and ``KPIs`` as the council writes them).

    >>> from perfkit.assess import GroupCount
    >>> c = TierCounts("plan", "Customer targets", 10, (GroupCount("on_track", "on_track", "On track", 6),
    ...     GroupCount("paused", "other", "Affected by Covid-19", 4)))
    >>> counting_sentence(c, "2020/21 Q1")
    'Of the 10 customer targets for 2020/21 Q1, six are on track and four affected by Covid-19.'
    >>> counting_sentence(c, "2020/21 Q1", shape=1)
    'For 2020/21 Q1, 10 customer targets were due: six on track and four affected by Covid-19.'
    >>> counting_sentence(c, "Our customers", shape=2)
    'Our customers has 10 customer targets due: six are on track and four affected by Covid-19.'
    """
    shape %= SHAPES
    label = in_sentence(counts.tier_label)
    if counts.total == 1:  # "Of the one Customer targets" would not read, and a tier's name has no singular
        (part,) = (p for p in counts.parts if p.count)
        return f"For {when}, one of the {label} was due, and it is {status_phrase(part.word)}."
    total = number_word(counts.total)
    if shape == 1:
        return f"For {when}, {total} {label} were due: {_parts(counts, verb=False)}."
    if shape == 2:
        return f"{when} has {total} {label} due: {_parts(counts)}."
    return f"Of the {total} {label} for {when}, {_parts(counts)}."


#: Lists longer than this become bulleted lists in v2 paragraphs (never a long sentence).
MAX_INLINE = 3


def bullets(lead: str, items: list[str], inline: str = ": ", force: bool = False) -> str:
    """A sentence naming ``items``: inline for up to :data:`MAX_INLINE`, else the lead and one ``- item`` line each.

    ``lead`` ends where the list begins (``Two are at exception``), and ``inline`` joins it to a
    list written in the sentence (``" are "`` for ``The two at exception are A and B.``). A paragraph
    with ``- `` lines is rendered as a paragraph and a bulleted list by :func:`perfkit.report.narrative`.
    ``force`` writes a list whatever its length (when the paragraph's other lists are bulleted).

    >>> bullets("Two are at exception", ["A", "B"])
    'Two are at exception: A and B.'
    >>> print(bullets("Four are at exception", ["A", "B", "C", "D"]))
    Four are at exception:
    - A
    - B
    - C
    - D
    """
    if len(items) <= MAX_INLINE and not force:
        return f"{lead}{inline}{join_words(items)}."
    if len(items) > MAX_NAMED:
        rest = len(items) - MAX_NAMED
        items = [*items[:MAX_NAMED], f"and {number_word(rest)} other{'s' if rest != 1 else ''}"]
    joined = inline.rstrip(": ")  # "The five at exception are:" before a list
    return lead + (" " + joined.strip() if joined.strip() else "") + ":\n" + "\n".join(f"- {item}" for item in items)


def exception_phrase(kind: str, status: str, status_label: str | None, vocabulary: Vocabulary | None) -> str:
    """How a sentence says an item is at exception, in the council's words.

    A metric takes the council's word for red; a milestone its own word (``[labels]``
    overdue, or the word the service reported), as a milestone is never on or off target.

    >>> exception_phrase("target", "red", "Exception", None), exception_phrase("milestone", "overdue", "", None)
    ('at exception', 'overdue')
    """

    def label(status: str) -> str:
        return vocabulary.label(status) if vocabulary is not None else _DEFAULT_WORDS.get(status, status)

    if kind == "milestone":
        word = label("overdue") if status == "overdue" else str(status_label or label(status))
    else:
        word = label("red")
    return status_phrase(word)


def _exception_item(row: Any, quarter: Quarter, word: str = "at exception") -> str:
    """An exception as a v2 sentence names it: why it is one (when the sentence's word does not say), its action."""
    name = str(row.title)
    notes = []
    if row.status == "overdue":
        due = long_date(row.due_in_force)
        if due:
            notes.append(f"due by {due}")
    elif row.status == "off_track" and row.kind != "milestone":
        notes.append("reported off track")
    if row.persistent_exception:
        notes.append(f"also {word} in {parse_quarter(row.previous_due).short_relative_to(quarter)}")
    if row.action:
        by = long_date(row.action_due)
        notes.append(f"action: {str(row.action).rstrip('.')}{', by ' + by if by else ''}")
    return f"{name} ({'; '.join(notes)})" if notes else name


def _counting_paragraph(table: pd.DataFrame, quarter: Quarter) -> str:
    """v2: a counting sentence per tier, then the exceptions by name (a bulleted list beyond three)."""
    current = table.loc[~table["final_outturn"].astype(bool)]
    tiers = [c for c in group_counts(current) if c.total]
    if not tiers:
        return f"No target or milestone was due for {quarter.label}."
    text = " ".join(counting_sentence(c, quarter.label, shape=i) for i, c in enumerate(tiers))
    exceptions = current.loc[current["group"] == "exception"]
    if len(exceptions):
        text += " " + _exceptions_sentence(exceptions, table, quarter)
    return text


def _exceptions_sentence(exceptions: pd.DataFrame, table: pd.DataFrame, quarter: Quarter) -> str:
    """``Two metrics are off target: A (…) and B (…). One milestone is overdue: C (due by …).``

    Metrics are named by the council's word for red; milestones by their own word (``[labels]``
    overdue, or the word the service reported), as a milestone is never on or off target. When
    there are more than :data:`MAX_INLINE` exceptions in all, each group of two or more is a
    bulleted list, and a sentence after a list starts a new paragraph.
    """
    vocabulary = table.attrs.get("vocabulary")
    groups: dict[tuple[str, str], list[str]] = {}
    for r in exceptions.itertuples():
        phrase = exception_phrase(r.kind, r.status, r.status_label, vocabulary)
        key = ("milestone" if r.kind == "milestone" else "metric", phrase)
        groups.setdefault(key, []).append(_exception_item(r, quarter, key[1]))
    listed = len(exceptions) > MAX_INLINE
    text = ""
    for (noun, word), items in groups.items():
        n = len(items)
        lead = f"{_capitalise(count_phrase(n, noun))} {'is' if n == 1 else 'are'} {word}"
        sentence = bullets(lead, items, inline=": ", force=listed and n > 1)
        text += ("\n\n" if "\n- " in text else " " if text else "") + sentence
    return text


def _override_paragraph(table: pd.DataFrame) -> str:
    """v2: figures the service judges differently, with the reason and what the figures say."""
    rated = table["computed_status"].isin(["green", "amber", "red"])
    overrides = table.loc[rated & (table["status"] != table["computed_status"])]
    if overrides.empty:
        return ""
    items = [
        f"{r.title} is {status_phrase(r.status_label)} ({str(r.status_reason).rstrip('.') or 'no reason given'}); "
        f"on the figures it is {status_phrase(r.computed_label)}"
        for r in overrides.itertuples()
    ]
    n = len(items)
    if n == 1:
        return f"One figure is reported in the service's own words rather than as rated: {items[0]}."
    lead = f"{_capitalise(number_word(n))} figures are reported in the service's own words rather than as rated"
    if n <= MAX_INLINE:  # each has its reason and its rating: a sentence each reads better than one list
        return f"{lead}. " + " ".join(f"{_capitalise(item)}." for item in items)
    return bullets(lead, items)


def _milestone_item(row: Any) -> str:
    """``Launch the website (on track, 80% complete, due date revised to 31 December 2024)``."""
    notes = [status_phrase(str(row.status_label))]
    if isinstance(row.progress, (int, float)) and not pd.isna(row.progress) and row.status != "achieved":
        notes.append(f"{float(row.progress):g}% complete")
    if row.status == "overdue":
        notes[0] += f": it was due by {long_date(row.due_in_force)}"
    elif row.past_due:
        notes.append(f"past its due date of {long_date(row.due_in_force)}")
    elif row.revised_due is not None and not pd.isna(row.revised_due):
        notes.append(f"due date revised to {long_date(row.revised_due)}")
    return f"{row.title} ({', '.join(notes)})"


def _milestone_paragraph(table: pd.DataFrame) -> str:
    """v2: the milestones due an update, by the council's word, each with progress and dates."""
    ms = table.loc[table["kind"] == "milestone"]
    if ms.empty:
        return ""
    by_word = ms["status_label"].value_counts(sort=False)
    n = len(ms)
    if n == 1:
        return f"One milestone was due an update: {_milestone_item(next(ms.itertuples()))}."
    said = [
        f"{number_word(int(c))} {('is ' if c == 1 else 'are ') if i == 0 else ''}{status_phrase(str(w))}"
        for i, (w, c) in enumerate(by_word.items())
    ]
    if len(said) == 1:
        said = [f"{'both' if n == 2 else 'all ' + number_word(n)} are {status_phrase(str(by_word.index[0]))}"]
    lead = f"Of the {number_word(n)} milestones due an update, {join_words(said)}"
    return bullets(lead, [_milestone_item(r) for r in ms.itertuples()])


def _targeted_paragraph(table: pd.DataFrame, quarter: Quarter) -> str:
    green = int((table["status"] == "green").sum())
    amber = int((table["status"] == "amber").sum())
    red = int((table["status"] == "red").sum())
    rated = green + amber + red
    when = quarter.label
    if rated == 0:
        return f"No targeted metric could be rated against a target for {when}."
    exceptions = _named(_exception_names(table, quarter))
    if rated == 1:
        if green:
            verdict = "is on target"
        elif amber:
            verdict = "is within tolerance"
        else:
            verdict = f"is flagged at exception: {exceptions}"
        return f"The one targeted metric rated for {when} {verdict}."
    if green == rated:  # "six are on target and none is at exception" said it twice
        whole = "both" if rated == 2 else f"all {number_word(rated)}"
        return f"Of the {number_word(rated)} targeted metrics rated for {when}, {whole} are on target."
    parts = []
    if green:
        parts.append(f"{number_word(green)} {'is' if green == 1 else 'are'} on target")
    if amber:
        parts.append(f"{number_word(amber)} {'is' if amber == 1 else 'are'} within tolerance")
    if red:
        parts.append(f"{number_word(red)} {'is' if red == 1 else 'are'} flagged at exception")
    else:
        parts.append("none is at exception")
    sentence = f"Of the {number_word(rated)} targeted metrics rated for {when}, {join_words(parts)}"
    if red:
        sentence += f": {exceptions}"
    sentence += "."
    return sentence


_TREND_VERBS = {
    "improved": "improved",
    "worsened": "worsened",
    "up": "went up",
    "down": "went down",
    "no_change": "showed no change",
}


def trend_phrase(direction: str, previous: str = "") -> str:
    """How a trend metric moved, as a sentence says it: a ``vs_previous`` value and, if given, the quarter before.

    ``n/a`` (no figure to compare) reads "could not be compared".

    >>> trend_phrase("up"), trend_phrase("improved", "Q1"), trend_phrase("n/a", "Q1")
    ('went up', 'improved from Q1', 'could not be compared with Q1')
    """
    if direction == "n/a":
        return "could not be compared" + (f" with {previous}" if previous else "")
    return _TREND_VERBS[direction] + (f" from {previous}" if previous else "")


def _trend_paragraph(table: pd.DataFrame, quarter: Quarter) -> str:
    trend = table.loc[table["status"] == "trend"]
    n = len(trend)
    prev = quarter.previous().short_relative_to(quarter)
    if n == 0:
        return "No metric is monitored for trend this quarter."
    groups: dict[str, list[str]] = {}
    for row in trend.itertuples():
        groups.setdefault(row.vs_previous, []).append(row.title)
    comparable = [d for d in groups if d != "n/a"]
    lead = f"{_capitalise(count_phrase(n, 'metric'))} {'is' if n == 1 else 'are'} monitored for trend"
    if n == 1:
        key = trend.iloc[0]["vs_previous"]
        how = f"could not be compared with {prev}" if key == "n/a" else f"{_TREND_VERBS[key]} from {prev}"
        return f"{lead}: {trend.iloc[0]['title']}, which {how}."
    if len(comparable) == 1 and "n/a" not in groups:
        return f"{lead}; {'both' if n == 2 else 'all'} {_TREND_VERBS[comparable[0]]} from {prev}."
    clauses = []
    for key in ("improved", "up", "no_change", "worsened", "down"):
        if key in groups:
            names = groups[key]
            clauses.append(f"{number_word(len(names))} {_TREND_VERBS[key]} ({_named(names)})")
    text = f"{lead}: " + join_words(clauses) + (f" from {prev}" if clauses else "")
    if "n/a" in groups:
        names = groups["n/a"]
        sep = "; " if clauses else ""
        text += f"{sep}{number_word(len(names))} could not be compared with {prev} ({_named(names)})"
    return text + "."


def _with_reason(title: str, commentary: str) -> str:
    text = " ".join(str(commentary).split()).rstrip(".")
    return f"{title} ({text or 'no reason given'})"


def _not_due_sentence(table: pd.DataFrame) -> list[str]:
    """``Two annual metrics are not due this quarter.``, or nothing when every metric is due."""
    n = int((table["status"] == "not_due").sum())
    if not n:
        return []
    return [f"{_capitalise(count_phrase(n, 'annual metric'))} {'is' if n == 1 else 'are'} not due this quarter."]


def _data_paragraph(table: pd.DataFrame, quarter: Quarter) -> str:
    sentences = []
    no_data = table.loc[table["status"] == "no_data"]
    if len(no_data):
        items = [_with_reason(r.title, r.commentary) for r in no_data.itertuples()]
        verb = "has" if len(items) == 1 else "have"
        sentences.append(
            f"{_capitalise(count_phrase(len(items), 'metric'))} {verb} no figure for {quarter.label}: {_named(items)}."
        )
    no_target = table.loc[table["status"] == "no_target"]
    if len(no_target):
        names = _named(list(no_target["title"]))
        verb = "has" if len(no_target) == 1 else "have"
        sentences.append(
            f"{_capitalise(count_phrase(len(no_target), 'metric'))} {verb} a figure but no target "
            f"for {quarter.year_label}: {names}."
        )
    sentences += _not_due_sentence(table)
    if not sentences:
        return "Every metric due this quarter has a figure."
    return " ".join(sentences)


def _trend_paragraph_v2(table: pd.DataFrame, quarter: Quarter) -> str:
    """v2: trend metrics by direction; more than three in one direction become a bulleted list."""
    trend = table.loc[table["status"] == "trend"]
    if len(trend) <= MAX_INLINE:
        return _trend_paragraph(table, quarter)
    prev = quarter.previous().short_relative_to(quarter)
    groups: dict[str, list[str]] = {}
    for row in trend.itertuples():
        groups.setdefault(row.vs_previous, []).append(row.title)
    said = [
        f"{number_word(len(groups[k]))} {_TREND_VERBS[k]}"
        for k in ("improved", "up", "no_change", "worsened", "down")
        if k in groups
    ]
    if "n/a" in groups:
        said.append(f"{number_word(len(groups['n/a']))} could not be compared")
    items = [
        f"{title}: {_TREND_VERBS.get(k, 'not comparable')}"
        for k in ("improved", "up", "no_change", "worsened", "down", "n/a")
        for title in groups.get(k, [])
    ]
    return bullets(f"Compared with {prev}, of the {number_word(len(trend))} trend metrics, {join_words(said)}", items)


def _data_paragraph_v2(table: pd.DataFrame, quarter: Quarter) -> str:
    """v2: figures missing, targets missing and annual metrics not due; lists beyond three as bullets."""
    sentences = []
    no_data = table.loc[(table["status"] == "no_data") & (table["kind"] != "milestone")]
    if len(no_data):
        n = len(no_data)
        lead = f"{_capitalise(count_phrase(n, 'metric'))} {'has' if n == 1 else 'have'} no figure for {quarter.label}"
        sentences.append(bullets(lead, [_with_reason(r.title, r.commentary) for r in no_data.itertuples()]))
    no_target = table.loc[table["status"] == "no_target"]
    if len(no_target):
        n = len(no_target)
        lead = f"{_capitalise(count_phrase(n, 'metric'))} {'has' if n == 1 else 'have'} a figure but no target"
        sentences.append(bullets(lead, list(no_target["title"])))
    sentences += _not_due_sentence(table)
    if not sentences:
        return "Every metric due this quarter has a figure."
    # a bulleted list ends its paragraph: what follows it starts a new one
    return "\n\n".join(sentences) if any("\n- " in t for t in sentences) else " ".join(sentences)


def _final_outturn_paragraph(table: pd.DataFrame) -> str:
    """v2: outturns of an earlier plan published this quarter, counted apart."""
    final = table.loc[table["final_outturn"].astype(bool)]
    if final.empty:
        return ""
    items = [f"{r.title} ({r.for_period_label}: {status_phrase(r.status_label)})" for r in final.itertuples()]
    plans = join_words(list(dict.fromkeys(final["plan_title"])))
    n = len(items)
    lead = (
        f"{_capitalise(count_phrase(n, 'final outturn'))} of the {plans} {'was' if n == 1 else 'were'} "
        "published this quarter and counted apart"
    )
    return bullets(lead, items)


def _v2_paragraphs(table: pd.DataFrame, quarter: Quarter) -> list[str]:
    current = table.loc[~table["final_outturn"].astype(bool)]
    paragraphs = [
        _counting_paragraph(table, quarter),
        _override_paragraph(current),
        _milestone_paragraph(current),
        _trend_paragraph_v2(current, quarter),
        _data_paragraph_v2(current, quarter),
        _final_outturn_paragraph(table),
    ]
    return [p for p in paragraphs if p]


def objective_paragraph(table: pd.DataFrame, quarter: Quarter, objective: str, shape: int = 0) -> str:
    """v2: one objective's counting sentence per tier, its shape varied by ``shape`` (say, the objective's number).

    Returns ``""`` when nothing of the objective was due.
    """
    current = table.loc[~table["final_outturn"].astype(bool)]
    tiers = [c for c in group_counts(current) if c.total]
    sentences = [counting_sentence(c, objective, shape=(shape + i) % SHAPES) for i, c in enumerate(tiers)]
    exceptions = current.loc[current["group"] == "exception"]
    if len(exceptions):
        sentences.append(_exceptions_sentence(exceptions, table, quarter))
    return " ".join(sentences)


def draft_narrative(table: pd.DataFrame, quarter: Quarter | str | None = None) -> list[str]:
    """Draft the summary paragraphs for a quarter's assessment.

    Parameters
    ----------
    table
        The result of :func:`perfkit.assess.assess` (or a subset, e.g. one objective).
    quarter
        The quarter assessed; by default the one recorded on ``table``.

    Returns
    -------
    list of str
        For a v1 folder, three paragraphs: targeted metrics, trend monitoring, data notes.
        For a v2 folder: the counting paragraph (one sentence per tier, then the exceptions
        with their remedial actions), then, when there are any, the overrides, the milestones,
        the trend metrics, the data notes and the final outturns of an earlier plan. A list of
        more than three items is written as a lead line and one ``- item`` line each.

    Examples
    --------
    >>> targeted, trend, notes = pk.draft_narrative(pk.assess(tiny, "2024/25 Q2"))
    >>> print(targeted)  # doctest: +NORMALIZE_WHITESPACE
    Of the eight targeted metrics rated for 2024/25 Q2, three are on target, two are within tolerance
    and three are flagged at exception: % of complaints answered within 15 working days (also at
    exception in Q1), Trees planted and % of residents satisfied with parks (also at exception in
    2023/24 Q2).
    >>> print(trend)
    One metric is monitored for trend: Number of volunteers, which improved from Q1.
    """
    q = parse_quarter(quarter) if quarter is not None else table.attrs["quarter"]
    if table.attrs.get("v2"):
        return _v2_paragraphs(table, q)
    return [_targeted_paragraph(table, q), _trend_paragraph(table, q), _data_paragraph(table, q)]
