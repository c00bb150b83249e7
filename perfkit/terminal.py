"""Text from the data, made safe to show on a terminal.

Codes, titles, file names and error messages can hold anything a spreadsheet cell can:
square brackets that rich would read as markup (``[/bold]`` would stop ``perfkit validate``
with a markup error), and control characters or ANSI escape sequences that would recolour,
clear or retitle the user's terminal. Every data-derived string the command line prints goes
through :func:`plain`, and is printed without markup or as a rich ``Text`` (:func:`cell`), which
rich never reads as markup.

Examples
--------
>>> plain("A1\\x1b[31m red\\x1b[0m\\x07 title")
'A1 red title'
>>> cell("[/bold] code").plain
'[/bold] code'
"""

from __future__ import annotations

import re

from rich.text import Text

__all__ = ["cell", "plain"]

# ANSI/ECMA-48 sequences: CSI (ESC [ … final byte, or the 8-bit CSI), OSC (ESC ] … BEL or ST),
# other string commands (DCS, SOS, PM, APC) and two-character escapes. Removed whole, so no
# leftover "[31m" is printed.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)"
    r"|\x1b[ -/]*[0-~]",
    re.DOTALL,
)
# C0 controls but tab and newline, DEL, C1 controls, and the Unicode bidirectional overrides
# that can make a terminal show text in another order than it is.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def plain(value: object) -> str:
    """``value`` as text with escape sequences and control characters removed (tab and newline kept).

    >>> plain("line\\r\\noverwritten\\x00")
    'line\\noverwritten'
    """
    return _CONTROLS.sub("", _ESCAPES.sub("", str(value)))


def cell(value: object) -> Text:
    """``value`` made :func:`plain`, as a rich ``Text`` (a table cell rich never reads as markup)."""
    return Text(plain(value))
