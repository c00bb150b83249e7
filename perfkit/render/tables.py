"""Accessible HTML tables: a caption, header cells with scope, every text escaped.

Status is always shown as a word and a symbol (the symbol hidden from screen
readers, which read the word), so nothing is told by colour alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape, unescape

import numpy as np
import pandas as pd

from ..assess import STATUSES
from ..statuses import describe
from .html import Html

__all__ = ["Column", "caption_html", "caption_text", "html_table", "scroll_wrap", "status_badge", "text_cell"]


def status_badge(status: str, label: str | None = None) -> str:
    """A status as symbol and word, e.g. ``✖ Exception``, coloured for those who see colour.

    ``label`` is the word to show instead of the default: the council's own (``status_label``).

    >>> status_badge("paused", "Affected by Covid-19")  # doctest: +ELLIPSIS
    '<span class="status status-paused" ...><span aria-hidden="true">●</span> Affected by Covid-19</span>'
    """
    s = STATUSES.get(status) or describe(status)  # v2 classes (paused, overdue…) have default words too
    return (
        f'<span class="status status-{s.key}" style="color:{s.colour};font-weight:600">'
        f'<span aria-hidden="true">{s.symbol}</span> {escape(label or s.label)}</span>'
    )


def caption_html(caption: str) -> str:
    """A caption as markup: text escaped, :class:`~perfkit.render.html.Html` as it is."""
    return str(caption) if isinstance(caption, Html) else escape(caption)


def caption_text(caption: str) -> str:
    """A caption as plain text (for an ``aria-label``): an Html caption without its tags.

    >>> caption_text(Html('Key facts: <span class="code">CUS.01</span> &amp; more'))
    'Key facts: CUS.01 & more'
    """
    return unescape(re.sub(r"<[^>]+>", "", caption)) if isinstance(caption, Html) else caption


def text_cell(value: object) -> str:
    """Any value as escaped text, so data can never inject markup."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return escape(str(value))


@dataclass(frozen=True)
class Column:
    """One column of a table: the header, and how to render a row's cell as HTML."""

    header: str
    render: Callable[[Mapping], str]  # returns safe HTML
    numeric: bool = False


def count_column(header: str, key: str, *, thousands: bool = True) -> Column:
    """A numeric column showing ``row[key]`` as a whole number (``1,234``, or ``1234`` without ``thousands``).

    >>> count_column("Exceptions", "red").render({"red": 1234})
    '1,234'
    """

    def render(row: Mapping) -> str:
        return f"{row[key]:,}" if thousands else str(row[key])

    return Column(header, render, numeric=True)


def _records(frame: pd.DataFrame) -> list[dict]:
    """The rows as dicts of Python values, what ``frame.to_dict("records")`` gives, ten times faster.

    ``to_dict`` reads each cell of a text column on its own (30 ms for a table of 50 metrics); here
    the table is converted in one step, then the cells of object and extension columns are boxed as
    ``to_dict`` boxes them (``<NA>`` becomes ``None``, NumPy numbers Python ones).

    >>> _records(pd.DataFrame({"code": pd.array(["A1", None], dtype="string"), "n": [1, 2], "x": [0.5, None]}))
    [{'code': 'A1', 'n': 1, 'x': 0.5}, {'code': None, 'n': 2, 'x': nan}]
    """
    from pandas.api.extensions import ExtensionDtype

    try:  # what to_dict boxes each such cell with; not public API, so a pandas without it takes the slow road
        from pandas.core.dtypes.cast import maybe_box_native
    except ImportError:  # pragma: no cover - depends on the pandas version
        return frame.to_dict("records")

    names = frame.columns.tolist()
    boxed = [
        i for i, dtype in enumerate(frame.dtypes) if dtype == np.dtype(object) or isinstance(dtype, ExtensionDtype)
    ]
    rows = frame.to_numpy(dtype=object).tolist()
    for row in rows:
        for i in boxed:
            row[i] = maybe_box_native(row[i])
    return [dict(zip(names, row, strict=True)) for row in rows]


def html_table(
    rows: Sequence[dict] | pd.DataFrame,
    columns: Sequence[Column],
    caption: str,
    *,
    row_header: int | None = 0,
    css_class: str = "data",
) -> str:
    """Render rows as an accessible table.

    Parameters
    ----------
    rows
        Records (or a DataFrame) passed to each column's ``render``.
    columns
        The columns in order.
    caption
        What the table shows; read first by screen readers. Text is escaped; an
        :class:`~perfkit.render.html.Html` caption is markup already (e.g. a metric code
        in a ``<span class="code">`` that never breaks across lines).
    row_header
        Index of the column whose cells name the row (``<th scope="row">``), or ``None``.
    css_class
        The table's classes in the house style: ``data``, with ``compact`` (as wide as its
        figures), ``plan`` (the plan's columns) or ``long`` (set column widths for hundreds of rows).
    """
    records = _records(rows) if isinstance(rows, pd.DataFrame) else list(rows)
    head = "".join(f'<th scope="col"{" class=num" if c.numeric else ""}>{escape(c.header)}</th>' for c in columns)
    body = []
    for rec in records:
        cells = []
        for i, c in enumerate(columns):
            tag = "th" if i == row_header else "td"
            scope = ' scope="row"' if i == row_header else ""
            cls = ' class="num"' if c.numeric else ""
            cells.append(f"<{tag}{scope}{cls}>{c.render(rec)}</{tag}>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    table = (
        f'<table class="{css_class}"><caption>{caption_html(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
    return scroll_wrap(table, caption_text(caption))


def scroll_wrap(table: str, label: str) -> str:
    """Let a wide table scroll sideways on a phone without moving the page.

    The wrapper is a named region reachable by keyboard, so people who do not
    use a mouse can scroll it too (WCAG 2.1.1 and 1.4.10).
    """
    return f'<div class="table-wrap" role="region" aria-label="{escape(label)}" tabindex="0">{table}</div>'
