"""Tidy matplotlib's SVG for the PDF: the same picture in fewer elements.

matplotlib wraps nearly every element of a chart in its own ``<g id="…">`` (one per tick, per tick
line, per label, per patch), which carries nothing but a name: over half the elements of a chart.
WeasyPrint cascades styles into, and saves and restores the graphics state around, every element it
draws, so those empty groups cost about as much to print as the marks themselves. A group with no
attribute but ``id`` changes nothing a renderer draws (nothing refers to these ids, and a group
passes on only the attributes it has), so its children take its place.
"""

from __future__ import annotations

import re

__all__ = ["unwrap_bare_groups"]

#: A group that is only a name, alone on its line as matplotlib writes it.
_BARE_G = re.compile(r'[ \t]*<g(?: id="[^"]*")?>')
#: Any other group's start tag, alone on its line (an empty group, ``<g …/>``, is kept like any element).
_OTHER_G = re.compile(r"[ \t]*<g\s[^<>]*[^/<>]>")
_END_G = re.compile(r"[ \t]*</g>")
#: A group's tag anywhere in a line.
_ANY_G = re.compile(r"</?g[\s>/]")
_EMPTY_G = re.compile(r"[ \t]*<g\b[^<>]*/>")


def unwrap_bare_groups(svg: str) -> str:
    """The SVG without the ``<g>`` elements that have no attribute but ``id``, their children kept.

    matplotlib writes each ``<g>`` start and end tag on a line of its own; an SVG written otherwise
    (a group's tags sharing a line with anything else) is returned as it is.

    >>> unwrap_bare_groups('<svg>\\n <g id="xtick_1">\\n  <g>\\n   <use x="1"/>\\n  </g>\\n </g>\\n'
    ...                    ' <g clip-path="url(#p1)">\\n  <path d="M 0 0"/>\\n </g>\\n</svg>\\n')
    '<svg>\\n   <use x="1"/>\\n <g clip-path="url(#p1)">\\n  <path d="M 0 0"/>\\n </g>\\n</svg>\\n'
    """
    kept: list[str] = []
    opened: list[bool] = []  # for each open <g>, whether its tags are kept
    for line in svg.splitlines(keepends=True):
        text = line.rstrip("\r\n")
        if _BARE_G.fullmatch(text):
            opened.append(False)
        elif _OTHER_G.fullmatch(text):
            opened.append(True)
            kept.append(line)
        elif _END_G.fullmatch(text):
            if not opened:
                return svg
            if opened.pop():
                kept.append(line)
        elif _ANY_G.search(text) and not _EMPTY_G.fullmatch(text):
            return svg  # a group's tag shares a line with something else: leave the SVG as it is
        else:
            kept.append(line)
    return svg if opened else "".join(kept)
