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

import pandas as pd

from .assess import TierCounts, group_counts
from .periods import Quarter, parse_quarter

__all__ = ["count_phrase", "counting_sentence", "draft_narrative", "join_words", "number_word", "status_phrase"]

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
    → ``affected by Covid-19``), and an initialism keeps all of them (``KPI met``).

    >>> status_phrase("Affected by Covid-19"), status_phrase("Exception"), status_phrase("RAG green")
    ('affected by Covid-19', 'at exception', 'RAG green')
    """
    if word in _DEFAULT_PHRASES:
        return _DEFAULT_PHRASES[word]
    if len(word) > 1 and word[1].isupper():
        return word
    return word[:1].lower() + word[1:]


def counting_sentence(counts: TierCounts, when: str) -> str:
    """One tier's counting sentence: the total of the four groups, then each part in the council's words.

    >>> from perfkit.assess import GroupCount
    >>> c = TierCounts("plan", "Customer targets", 10, (GroupCount("on_track", "on_track", "On track", 6),
    ...     GroupCount("paused", "other", "Affected by Covid-19", 4)))
    >>> counting_sentence(c, "2020/21 Q1")
    'Of the 10 Customer targets for 2020/21 Q1, six are on track and four affected by Covid-19.'
    """
    parts = [p for p in counts.parts if p.count]
    said = []
    for i, p in enumerate(parts):
        verb = ("is " if p.count == 1 else "are ") if i == 0 else ""
        said.append(f"{number_word(p.count)} {verb}{status_phrase(p.word)}")
    if counts.total == 1:  # "Of the one Customer targets" would not read
        return f"Of the {counts.tier_label} for {when}, {join_words(said)}."
    return f"Of the {number_word(counts.total)} {counts.tier_label} for {when}, {join_words(said)}."


def _counting_paragraph(table: pd.DataFrame, quarter: Quarter) -> str:
    """v2: a counting sentence per tier, then the exceptions by name."""
    current = table.loc[~table["final_outturn"].astype(bool)]
    tiers = [c for c in group_counts(current) if c.total]
    if not tiers:
        return f"No target or milestone was due for {quarter.label}."
    text = " ".join(counting_sentence(c, quarter.label) for c in tiers)
    names = _exception_names(current.loc[current["group"] == "exception"], quarter)
    if names:
        red = table.attrs.get("vocabulary")
        word = red.label("red") if red is not None else "Exception"
        text += f" {_capitalise(status_phrase(word))}: {_named(names)}."
    return text


def _targeted_paragraph(table: pd.DataFrame, quarter: Quarter) -> str:
    if table.attrs.get("v2"):
        return _counting_paragraph(table, quarter)
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
    not_due = table.loc[table["status"] == "not_due"]
    if len(not_due):
        verb = "is" if len(not_due) == 1 else "are"
        sentences.append(f"{_capitalise(count_phrase(len(not_due), 'annual metric'))} {verb} not due this quarter.")
    if not sentences:
        return "Every metric due this quarter has a figure."
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
        Three paragraphs: targeted metrics, trend monitoring, data notes.

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
    return [_targeted_paragraph(table, q), _trend_paragraph(table, q), _data_paragraph(table, q)]
