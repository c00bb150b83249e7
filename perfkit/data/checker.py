"""What the register's readers share: suggestions for a mistyped choice, and a frame's rows as dicts."""

from __future__ import annotations

import difflib

import pandas as pd

__all__ = ["SYNONYMS", "frame_rows", "suggest"]

#: What people write for a choice, and the choice they mean: offered as "did you mean", never guessed.
SYNONYMS = {
    "%": "percent",
    "pct": "percent",
    "per cent": "percent",
    "percentage": "percent",
    "£": "currency",
    "gbp": "currency",
    "money": "currency",
    "cost": "currency",
    "count": "number",
    "no.": "number",
    "num": "number",
    "day": "days",
    "rate": "ratio",
    "index": "score",
    "points": "score",
    "high": "higher",
    "up": "higher",
    "increase": "higher",
    "higher is better": "higher",
    "low": "lower",
    "down": "lower",
    "decrease": "lower",
    "lower is better": "lower",
    "n/a": "none",
    "neither": "none",
    "targeted": "target",
    "rag": "target",
    "monitor": "trend",
    "monitoring": "trend",
    "trend monitoring": "trend",
    "commitment": "milestone",
    "project": "milestone",
    "action": "milestone",
    "qtrly": "quarterly",
    "quarter": "quarterly",
    "yearly": "annual",
    "annually": "annual",
    "year": "annual",
    "six-monthly": "half-yearly",
    "six monthly": "half-yearly",
    "6 monthly": "half-yearly",
    "biannual": "half-yearly",
    "bi-annual": "half-yearly",
    "half-year": "half-yearly",
    "council plan": "plan",
    "corporate": "plan",
    "kpi": "service",
    "pi": "service",
    "indicator": "service",
    "service indicator": "service",
    "achievements": "achievement",
    "challenges": "challenge",
    "issue": "challenge",
    "note": "update",
}


def frame_rows(frame: pd.DataFrame) -> list[dict]:
    """The rows of a frame as dicts, as ``to_dict("records")`` gives them but several times faster.

    pandas boxes every cell of a string column one by one; taking each column as a list first does
    not, which matters for registers of tens of thousands of rows.

    >>> frame_rows(pd.DataFrame({"code": ["A1", "A2"], "row": [2, 3]}))
    [{'code': 'A1', 'row': 2}, {'code': 'A2', 'row': 3}]
    """
    columns = list(frame.columns)
    return [dict(zip(columns, row, strict=True)) for row in zip(*(frame[c].tolist() for c in columns), strict=True)]


def suggest(text: str, allowed: tuple[str, ...] | list[str]) -> str | None:
    """The allowed choice a written one probably means, or ``None``.

    >>> suggest("%", ("percent", "number")), suggest("numbr", ("percent", "number")), suggest("xyz", ("a",))
    ('percent', 'number', None)
    """
    s = " ".join(text.split()).casefold()
    if SYNONYMS.get(s) in allowed:
        return SYNONYMS[s]
    guess = difflib.get_close_matches(s, [a.casefold() for a in allowed], n=1)
    if guess:
        return next(a for a in allowed if a.casefold() == guess[0])
    return None
