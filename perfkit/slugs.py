"""Names as file and folder names (design §6): an objective's report is ``objective-<slug>.html``.

A slug is the name turned into ASCII, lower-cased, each run of other characters
replaced by one ``-``, at most 60 characters. An empty slug, or two names with the
same slug, would give a report no file name or two reports one: both are
validation errors (:func:`slug_problems`).

Examples
--------
>>> slug("A Great Place to Access Good Public Services")
'a-great-place-to-access-good-public-services'
>>> slug("Revenues & Benefits"), slug("Café Services"), slug("–")
('revenues-benefits', 'cafe-services', '')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from .errors import Problem

__all__ = ["MAX_SLUG", "match_objective", "slug", "slug_problems"]

#: The longest slug, in characters.
MAX_SLUG = 60


def slug(name: str) -> str:
    """A name as a file or folder name: lower case, ASCII, each run of other characters one ``-``, ≤ 60 characters.

    >>> slug("  Housing: 2024–2027 ") , len(slug("x" * 80))
    ('housing-2024-2027', 60)
    """
    # accents come off (é → e); any other character, an en dash included, separates words
    bare = "".join(c for c in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", bare).strip("-")[:MAX_SLUG].strip("-")


def match_objective(name: str, objectives: Sequence[str]) -> str | None:
    """The objective ``name`` means, in any case and spacing or by its slug; ``None`` if none.

    Here rather than in :mod:`perfkit.objective` so that an unchanged rerun can tell, without
    pandas, whether an objective's update published earlier still applies.

    >>> match_objective("GOOD  services", ["Good services", "A green place"])
    'Good services'
    >>> match_objective("a-green-place", ["Good services", "A green place"]) is None
    False
    """
    wanted = " ".join(str(name).split()).casefold()
    for obj in objectives:
        if obj.casefold() == wanted or slug(obj) == wanted:
            return obj
    return None


def slug_problems(names: Iterable[str], what: str, file: str, column: str) -> list[Problem]:
    """Errors for names whose slug is empty or is shared with another name.

    Parameters
    ----------
    names
        The names, each once.
    what
        What they are, e.g. ``objective``.
    file, column
        Where they are written, for the message.

    Examples
    --------
    >>> names = ["Work & Skills", "Work skills", "Housing"]
    >>> [p.message for p in slug_problems(names, "objective", "metrics.csv", "objective")]
    ["The objectives 'Work & Skills' and 'Work skills' would have the same file name (objective-work-skills)."]
    """
    problems = []
    by_slug: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        s = slug(name)
        if not s:
            problems.append(
                Problem(
                    file,
                    None,
                    column,
                    f"The {what} '{name}' has no letter or digit in a-z or 0-9, so its report would have no file name.",
                    f"Give the {what} a name with at least one letter or digit.",
                )
            )
            continue
        by_slug.setdefault(s, []).append(name)
    for s, same in by_slug.items():
        if len(same) > 1:
            quoted = " and ".join(f"'{n}'" for n in same)
            problems.append(
                Problem(
                    file,
                    None,
                    column,
                    f"The {what}s {quoted} would have the same file name ({what}-{s}).",
                    "Rename one of them so their names differ in more than case, accents or punctuation.",
                )
            )
    return problems
