"""Accessible display of a council's own figures and tables in notebooks run by perfkit.

perfkit's sections render their own charts and tables. A council's notebook
may instead show a matplotlib figure or a pandas DataFrame directly; in
every kernel perfkit starts, :func:`install` registers HTML formatters so that

* a figure is embedded as SVG with alt text: the text the author gave with
  :func:`set_alt`, or else a description written from the figure itself
  (chart type, title, axis labels, and each series' first and last values and
  range) — never a placeholder;
* a DataFrame becomes a table with a caption (``df.attrs["caption"]``, or one
  naming its columns and rows) and header cells with scope, every value escaped.

Examples
--------
>>> from matplotlib.figure import Figure
>>> fig = Figure(); ax = fig.subplots(); _ = ax.plot([1, 2, 3], [82.0, 83.1, 84.3], label="Actual")
>>> _ = ax.set_title("Complaints answered in time"); _ = ax.set_ylabel("%")
>>> print(describe_figure(fig))  # doctest: +NORMALIZE_WHITESPACE
Line chart: Complaints answered in time. Vertical axis: %. Actual rises from 82 to 84.3 over 3 points
(lowest 82, highest 84.3).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from html import escape

import numpy as np
import pandas as pd

from .render.tables import Column, html_table

__all__ = ["dataframe_html", "describe_figure", "figure_html", "install", "set_alt"]

_ALT = "_perfkit_alt"


def set_alt(fig, text: str):
    """Give a figure the alt text a reader should hear. Returns the figure."""
    setattr(fig, _ALT, text)
    return fig


def _num(v: float) -> str:
    return f"{v:,.4g}" if abs(v) < 1e6 else f"{v:,.0f}"


def _axes_description(ax) -> list[str]:
    from matplotlib.collections import PathCollection
    from matplotlib.container import BarContainer

    parts = []
    lines = [ln for ln in ax.get_lines() if len(ln.get_ydata()) > 1 and not ln.get_label().startswith("_child")]
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    kind = "Bar chart" if bars else "Line chart" if lines else "Scatter chart" if scatters else "Chart"
    head = kind + (f": {ax.get_title()}" if ax.get_title() else "")
    parts.append(head + ".")
    if ax.get_xlabel():
        parts.append(f"Horizontal axis: {ax.get_xlabel()}.")
    if ax.get_ylabel():
        parts.append(f"Vertical axis: {ax.get_ylabel()}.")
    for ln in lines:
        y = [float(v) for v in ln.get_ydata() if v is not None and not (isinstance(v, float) and math.isnan(v))]
        if not y:
            continue
        name = ln.get_label() if not ln.get_label().startswith("_") else "The line"
        trend = "rises" if y[-1] > y[0] else "falls" if y[-1] < y[0] else "stays level"
        parts.append(
            f"{name} {trend} from {_num(y[0])} to {_num(y[-1])} over {len(y)} points "
            f"(lowest {_num(min(y))}, highest {_num(max(y))})."
        )
    labels = [t.get_text() for t in ax.get_xticklabels()] or []
    for c in bars:
        heights = [p.get_height() if p.get_height() else p.get_width() for p in c.patches]
        label = c.get_label() or ""
        name = label if label and not label.startswith("_") else "Bars"
        if len(heights) <= 12 and len(labels) == len(heights) and all(labels):
            values = "; ".join(f"{lab} {_num(h)}" for lab, h in zip(labels, heights, strict=True))
        else:
            values = f"{len(heights)} bars from {_num(min(heights))} to {_num(max(heights))}"
        parts.append(f"{name}: {values}.")
    for sc in scatters:
        parts.append(f"{len(np.asarray(sc.get_offsets()))} points plotted.")
    return parts


def describe_figure(fig) -> str:
    """Alt text for a matplotlib figure: the author's own, or one written from its contents."""
    own = getattr(fig, _ALT, None)
    if own:
        return own
    parts = []
    title = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
    if title:
        parts.append(f"{title}.")
    axes = [ax for ax in fig.get_axes() if ax.get_visible()]
    for ax in axes:
        parts += _axes_description(ax)
    if len(axes) > 1:
        parts.insert(0, f"Figure with {len(axes)} charts.")
    return " ".join(parts) if parts else "An empty figure."


def figure_html(fig) -> str:
    """A figure as an embedded SVG with alt text: vector graphics in the PDF, the same bytes on every run."""
    from .render.charts import render_svg, svg_data_uri

    # the URI holds no character that HTML reads in an attribute: see perfkit.render.charts.svg_data_uri
    src, alt = svg_data_uri(render_svg(fig, tight=True)), escape(describe_figure(fig))
    return f'<figure class="chart"><img src="{src}" alt="{alt}"></figure>'


def _cell(v: object) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:,.6g}"
    return escape(str(v))


def _value_at(i: int) -> Callable[[Mapping], str]:
    def render(row: Mapping) -> str:
        return _cell(row["values"][i])

    return render


def dataframe_html(df: pd.DataFrame, max_rows: int = 200) -> str:
    """A DataFrame as an accessible table with a caption and scoped header cells."""
    caption = df.attrs.get("caption") or (
        f"Table of {len(df):,} row{'s' if len(df) != 1 else ''}: "
        f"{', '.join(map(str, df.columns[:8]))}{'…' if len(df.columns) > 8 else ''}"
    )
    shown = df.head(max_rows)
    index_name = " / ".join(str(n) for n in df.index.names if n is not None) or "Row"
    records = [
        {"index": idx, "values": rec} for idx, rec in zip(shown.index, shown.itertuples(index=False), strict=True)
    ]
    columns = [Column(index_name, lambda r: escape(str(r["index"])))]
    columns += [Column(str(c), _value_at(i)) for i, c in enumerate(shown.columns)]
    more = f'<p class="note">The first {max_rows:,} of {len(df):,} rows are shown.</p>' if len(df) > max_rows else ""
    return html_table(records, columns, str(caption)) + more


def _register(shell) -> None:
    html = shell.display_formatter.formatters["text/html"]
    html.for_type_by_name("matplotlib.figure", "Figure", figure_html)
    html.for_type(pd.DataFrame, dataframe_html)


def install() -> None:
    """Register the accessible HTML formatters in the running IPython kernel (perfkit does this for you).

    matplotlib's inline backend, when it starts (at the first ``import matplotlib.pyplot``),
    removes every formatter registered for figures and installs its PNG one; ours is
    registered again straight after. The PNG stays for JupyterLab; the exported appendix
    uses the HTML, which carries the alt text.
    """
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    try:
        # importing it may configure the inline backend at once, removing figure formatters
        import matplotlib_inline.backend_inline as inline
    except ImportError:
        _register(shell)
        return
    _register(shell)
    original = inline.select_figure_formats

    def select_figure_formats(shell, *args, **kwargs):
        original(shell, *args, **kwargs)
        _register(shell)

    inline.select_figure_formats = select_figure_formats
