"""Statuses, the council's words for them, and the groups reports count them in (design §3, §4).

A metric's *status* is either one perfkit works out from the figures (``green``,
``amber``, ``red``, ``no_data``, ``no_target``, ``not_due``, ``trend``), one it
assigns to a milestone (``no_update``, ``overdue``), or a *class* a service
reports in its own words (``on_track``, ``paused`` …). Every status belongs to a
*group* (on track, within tolerance, exception, other) that the counting
sentences use, and is shown by a word and a symbol, never by colour alone.

Examples
--------
>>> vocab = Vocabulary.from_council({"On alert": "at_risk", "Affected by Covid-19": "paused"}, {"green": "On track"})
>>> vocab.classify("  affected  by covid-19 "), vocab.word("ON ALERT")
('paused', 'On alert')
>>> vocab.label("green"), vocab.label("amber"), group_of("paused"), symbol("paused")
('On track', 'Within tolerance', 'other', '●')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

__all__ = [
    "ALL_STATUSES",
    "ASSIGNED",
    "CLASSES",
    "GROUPS",
    "GROUP_STATUSES",
    "LABEL_KEYS",
    "Status",
    "Vocabulary",
    "class_phrase",
    "describe",
    "group_of",
    "in_sentence",
    "normalise_word",
    "parse_class",
    "symbol",
]

#: What a service can report (a milestone's progress, or a word on a target metric's row).
CLASSES = (
    "achieved",
    "on_track",
    "at_risk",
    "off_track",
    "not_started",
    "paused",
    "under_review",
    "withdrawn",
    "no_update",
)

#: Statuses perfkit assigns itself, from the figures or the dates.
ASSIGNED = ("green", "amber", "red", "no_data", "no_target", "not_due", "trend", "no_update", "overdue")

#: The keys of ``[labels]`` in ``council.toml``: the assigned statuses and the carried-forward achievement.
LABEL_KEYS = (*ASSIGNED, "achieved_previously")

#: The groups the council's reports count, in report order.
GROUPS = ("on_track", "within_tolerance", "exception", "other")

#: The statuses of each group, in the order a sentence names them.
GROUP_STATUSES: dict[str, tuple[str, ...]] = {
    "on_track": ("green", "achieved", "on_track"),
    "within_tolerance": ("amber", "at_risk"),
    "exception": ("red", "off_track", "overdue"),
    "other": ("paused", "under_review", "withdrawn", "not_started", "no_update", "no_data", "no_target"),
}
_GROUP_OF = {s: g for g, members in GROUP_STATUSES.items() for s in members}

#: The status whose word names each of the first three groups in a counting sentence.
GROUP_NAMED_BY = {"on_track": "green", "within_tolerance": "amber", "exception": "red"}

_DEFAULT_LABELS = {
    "green": "On target",
    "amber": "Within tolerance",
    "red": "Exception",
    "no_data": "No data",
    "no_target": "No target",
    "not_due": "Not due",
    "trend": "Trend",
    "no_update": "No update",
    "overdue": "Overdue",
    "achieved_previously": "Achieved previously",
}

_GROUP_SYMBOLS = {"on_track": "✔", "within_tolerance": "▲", "exception": "✖", "other": "●"}
_OWN_SYMBOLS = {"no_data": "○", "no_target": "◇", "not_due": "–", "trend": "↗"}
_GROUP_COLOURS = {"on_track": "#1E6B34", "within_tolerance": "#8A4B00", "exception": "#B0182B", "other": "#4A4F55"}
_OWN_COLOURS = {"trend": "#1F4E8C", "not_due": "#4A4F55"}

_DESCRIPTIONS = {
    "green": "meets or beats its target",
    "amber": "misses its target but is within the tolerance",
    "red": "misses its target by more than the tolerance",
    "no_target": "has a figure but no target for the period",
    "no_data": "was due but no figure was supplied",
    "not_due": "is annual and not reported this quarter",
    "trend": "is monitored for direction, without a target",
    "achieved": "has been achieved",
    "on_track": "is on track, as the service reports it",
    "at_risk": "is at risk of missing its target or date, as the service reports it",
    "off_track": "is off track, as the service reports it",
    "not_started": "has not started",
    "paused": "is held up by something outside the council's control",
    "under_review": "is under review",
    "withdrawn": "has been withdrawn",
    "no_update": "is due an update but none was given",
    "overdue": "is past its due date and has not been achieved",
}


@dataclass(frozen=True)
class Status:
    """How a status is named and shown: always a word and a symbol, never colour alone.

    :data:`perfkit.STATUSES` (``pk.STATUSES``) maps each v1 status key, as in an assessment's
    ``status`` column, to its :class:`Status`, in the order reports show them;
    :data:`ALL_STATUSES` has every status, the v2 classes too, with its default word.

    Examples
    --------
    >>> list(pk.STATUSES)
    ['green', 'amber', 'red', 'no_target', 'no_data', 'not_due', 'trend']
    >>> s = pk.STATUSES["amber"]
    >>> f"{s.symbol} {s.label}: the metric {s.description}"
    '▲ Within tolerance: the metric misses its target but is within the tolerance'
    >>> s = ALL_STATUSES["paused"]
    >>> f"{s.symbol} {s.label}: the metric {s.description}"
    "● Paused: the metric is held up by something outside the council's control"
    """

    key: str
    label: str
    symbol: str
    colour: str
    description: str


def group_of(status: str) -> str:
    """The group a status counts in: ``on_track``, ``within_tolerance``, ``exception``, ``other``, or ``""``.

    Trend and not-due statuses are in no group: they are listed apart and never counted.

    >>> group_of("green"), group_of("at_risk"), group_of("overdue"), group_of("no_data"), group_of("trend")
    ('on_track', 'within_tolerance', 'exception', 'other', '')
    """
    return _GROUP_OF.get(status, "")


def symbol(status: str) -> str:
    """The symbol shown beside a status's word: its group's, or its own for no data, no target, not due and trend.

    >>> symbol("achieved"), symbol("at_risk"), symbol("off_track"), symbol("withdrawn"), symbol("no_target")
    ('✔', '▲', '✖', '●', '◇')
    """
    if status in _OWN_SYMBOLS:
        return _OWN_SYMBOLS[status]
    return _GROUP_SYMBOLS.get(group_of(status), "●")


def class_phrase(name: str) -> str:
    """A class name as a phrase: ``on_track`` → ``On track``.

    >>> class_phrase("under_review")
    'Under review'
    """
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


def describe(status: str) -> Status:
    """Default word, symbol, colour and meaning of any status perfkit knows."""
    colour = _OWN_COLOURS.get(status) or _GROUP_COLOURS.get(group_of(status), "#4A4F55")
    label = _DEFAULT_LABELS.get(status) or class_phrase(status)
    return Status(status, label, symbol(status), colour, _DESCRIPTIONS.get(status, ""))


#: Every status, with its default word: the v1 statuses first, then the classes, then ``overdue``.
ALL_STATUSES: dict[str, Status] = {
    s: describe(s) for s in ("green", "amber", "red", "no_target", "no_data", "not_due", "trend", *CLASSES, "overdue")
}


#: First words that are names, so keep their capital inside a sentence ("the Council Plan targets").
NAMES = frozenset(
    {"Council", "Cabinet", "Corporate", "Government", "District", "County", "Borough", "Mayor", "Mayor's"}
)


def in_sentence(text: str) -> str:
    """A council's word or name as it reads inside a sentence: its first letter lower-cased when that is safe.

    The first letter is lowered only when the first word is an ordinary capitalised word: not an
    initialism or a word with a capital after its first letter (``KPIs``, ``RAG green``), not a name
    in :data:`NAMES` (``Council Plan measures``), and not the start of a longer name, which shows
    as a capital on the next word (``Corporate Plan targets``, ``Key Performance Indicators``).
    Words further in keep their capitals (``Affected by Covid-19`` → ``affected by Covid-19``).

    >>> in_sentence("Service performance indicators"), in_sentence("Affected by Covid-19")
    ('service performance indicators', 'affected by Covid-19')
    >>> in_sentence("KPIs"), in_sentence("Council Plan measures"), in_sentence("Key Performance Indicators")
    ('KPIs', 'Council Plan measures', 'Key Performance Indicators')
    """
    words = text.split(" ")
    first = words[0]
    if len(first) > 1 and any(c.isupper() for c in first[1:]):
        return text
    if first in NAMES or (len(words) > 1 and words[1][:1].isupper()):
        return text
    return text[:1].lower() + text[1:]


def normalise_word(text: str) -> str:
    """A status word as it is matched: case and repeated or surrounding spaces ignored.

    >>> normalise_word("  On   Alert ")
    'on alert'
    """
    return " ".join(str(text).split()).casefold()


def _class_key(text: str) -> str:
    return normalise_word(str(text).replace("_", " "))


_CLASS_BY_KEY = {_class_key(c): c for c in CLASSES}


def parse_class(text: str) -> str | None:
    """A class name in any case, with ``_`` or spaces (``On track``, ``ON_TRACK``), or ``None``.

    >>> parse_class("Under Review"), parse_class("green")
    ('under_review', None)
    """
    return _CLASS_BY_KEY.get(_class_key(text))


@dataclass(frozen=True)
class Vocabulary:
    """The council's words for statuses: ``[statuses]`` and ``[labels]`` of ``council.toml``.

    Attributes
    ----------
    words
        ``(word, class)`` pairs in the order ``council.toml`` lists them; empty when the
        council has no ``[statuses]``, in which case the class names are the words.
    labels
        ``(key, word)`` pairs of ``[labels]``: the council's words for the statuses perfkit assigns.
    """

    words: tuple[tuple[str, str], ...] = ()
    labels: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_council(cls, statuses: Mapping[str, str] | None = None, labels: Mapping[str, str] | None = None):
        """Build from the already checked ``[statuses]`` (word → class) and ``[labels]`` (key → word) tables."""
        return cls(
            tuple((" ".join(w.split()), c) for w, c in (statuses or {}).items()),
            tuple((k, " ".join(str(v).split())) for k, v in (labels or {}).items()),
        )

    @cached_property
    def _by_word(self) -> dict[str, tuple[str, str]]:
        return {normalise_word(w): (w, c) for w, c in self.words}

    def classify(self, word: str) -> str | None:
        """The class of a reported word, or ``None`` when the vocabulary does not have it."""
        if self.words:
            hit = self._by_word.get(normalise_word(word))
            return hit[1] if hit else None
        return parse_class(word)

    def word(self, word: str) -> str:
        """A reported word as the council spells it (``on alert`` → ``On alert``; ``on_track`` → ``On track``)."""
        if self.words:
            hit = self._by_word.get(normalise_word(word))
            if hit:
                return hit[0]
        found = parse_class(word)
        return class_phrase(found) if found else " ".join(str(word).split())

    def accepted(self) -> list[str]:
        """Every word accepted, for a message listing the vocabulary."""
        return [w for w, _ in self.words] if self.words else list(CLASSES)

    def class_word(self, name: str) -> str:
        """The word for a class: the first ``[statuses]`` word for it, else the class as a phrase."""
        for w, c in self.words:
            if c == name:
                return w
        return class_phrase(name)

    def label(self, status: str) -> str:
        """The word shown for a status perfkit assigns (or any status without a reported word).

        Its ``[labels]`` word, else (for a class) the first ``[statuses]`` word for that class,
        else the default (On target, Within tolerance, Exception, No data, No target, Not due,
        Trend, No update, Overdue, Achieved previously), else the class as a phrase.
        """
        for k, w in self.labels:
            if k == status:
                return w
        if status in CLASSES:
            for w, c in self.words:
                if c == status:
                    return w
        return _DEFAULT_LABELS.get(status) or class_phrase(status)

    def group_word(self, group: str) -> str:
        """The word naming a group in a counting sentence (green's, amber's or red's word), or ``""`` for other."""
        named_by = GROUP_NAMED_BY.get(group)
        return self.label(named_by) if named_by else ""
