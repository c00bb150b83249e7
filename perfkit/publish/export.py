"""Export an executed notebook as the published appendix: HTML, then PDF from the same HTML.

HTML comes from nbconvert with perfkit's own template (``perfkit/publish/templates``):
outputs and markdown only, no prompts, no CDN scripts, one file. The PDF is
made from that HTML by WeasyPrint, which needs neither LaTeX nor a browser,
lays out A4 pages with CSS paged media, and writes a tagged PDF (PDF/UA-1).

The appendix is self-contained, so WeasyPrint is given nothing to fetch: its URL fetcher
(:class:`perfkit.publish.pdf_fetcher.AssetsOnlyFetcher`) refuses every URL but ``data:``
ones and perfkit's own template files, and no file is attached to the PDF, whatever the
HTML asks for. Text from the data is escaped before it reaches the HTML; this is the
second line of defence.
"""

from __future__ import annotations

import gc
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape, unescape
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter

__all__ = ["TEMPLATES", "export_html", "export_pdf", "warm_up"]

TEMPLATES = Path(__file__).parent / "templates"
_ANCHOR = re.compile(r'<a class="anchor-link" href="#[^"]*">[^<]*</a>')
_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


#: A code: runs of capitals and digits joined by ".", "-" or "/", with at least one capital (CUS.01,
#: 1.1.2.PI, WRK-3). Line breaking may split such a word after its "." ("CUS." / "01").
_CODE = re.compile(r"(?<![\w./-])(?=[A-Z0-9./-]*[A-Z])[A-Z0-9]+(?:[./-][A-Z0-9]+)+(?![\w/-]|\.\w)")
#: Elements whose text is not shown as text: a span there would show as markup, or break the CSS.
_RAW = re.compile(r"<(style|script|svg|title|textarea)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_TAGS = re.compile(r"(<[^>]*>)")


def keep_codes_whole(html: str) -> str:
    """Wrap each metric code in the text of the report in ``<span class="code">``, which never breaks.

    Only text is touched: not tags or their attributes (alt text, data URIs), and not the text
    of ``<style>``, ``<script>``, ``<svg>``, ``<title>`` or ``<textarea>``.

    >>> keep_codes_whole('<td>CUS.01</td><td title="CUS.01">84.3%, 1.1.2.PI and COVID-19</td>')
    '<td><span class="code">CUS.01</span></td><td title="CUS.01">84.3%, <span class="code">1.1.2.PI</span> \
and <span class="code">COVID-19</span></td>'
    """
    out, last = [], 0
    for raw in _RAW.finditer(html):
        out.append(_wrap_codes(html[last : raw.start()]))
        out.append(raw.group(0))
        last = raw.end()
    out.append(_wrap_codes(html[last:]))
    return "".join(out)


def _wrap_codes(html: str) -> str:
    parts = _TAGS.split(html)  # text, tag, text, tag, …: the odd items are tags
    for i in range(0, len(parts), 2):
        parts[i] = _CODE.sub(r'<span class="code">\g<0></span>', parts[i])
    return "".join(parts)


def strip_anchor_links(html: str) -> str:
    """Remove nbconvert's pilcrow links from headings: screen readers would read each one aloud."""
    return _ANCHOR.sub("", html)


def _table_of_contents(html: str) -> str:
    """Insert a linked table of contents of the level-2 headings where the template left a marker."""
    body = html.split("<main", 1)[-1]
    items = [(hid, _TAG.sub("", text).strip()) for hid, text in _H2.findall(body)]
    if not items:
        return html.replace("<!--perfkit-toc-->", "")
    links = "".join(f'<li><a href="#{escape(unescape(hid))}">{escape(unescape(text))}</a></li>' for hid, text in items)
    nav = f'<nav class="toc" aria-labelledby="toc-heading"><h2 id="toc-heading">Contents</h2><ol>{links}</ol></nav>'
    return html.replace("<!--perfkit-toc-->", nav, 1)


def export_html(notebook: nbformat.NotebookNode) -> str:
    """Render an executed notebook as a self-contained, accessible HTML appendix.

    The notebook's ``metadata.perfkit`` supplies the header: ``council``,
    ``plan_title``, ``report_title``, ``quarter``, ``period`` and ``produced``.
    """
    exporter = HTMLExporter(
        template_name="perfkit",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_filter("strip_anchor_links", strip_anchor_links)
    css = (TEMPLATES / "perfkit" / "perfkit.css").read_text(encoding="utf-8")
    html, _ = exporter.from_notebook_node(notebook, resources={"perfkit_css": css})
    start = max(html.find("<main"), 0)  # the header's title and running-head strings are left alone
    return _table_of_contents(html[:start] + keep_codes_whole(html[start:]))


def export_pdf(html: str, path: Path, base_url: str | None = None, url_fetcher: Any = None) -> None:
    """Write the HTML appendix as a tagged, A4, paged PDF.

    Nothing outside the HTML is fetched (see :mod:`perfkit.publish.pdf_fetcher`) and nothing
    is attached to the PDF: ``<link rel="attachment">`` and ``<a rel="attachment">`` are ignored.

    Parameters
    ----------
    html
        The appendix from :func:`export_html`.
    path
        Where to write the PDF.
    base_url
        For resolving relative links (the appendix has none; images are embedded).
    url_fetcher
        An ``AssetsOnlyFetcher`` to use (default: a new one), e.g. to see what it refused.
    """
    # imported here: WeasyPrint loads Pango, which the HTML-only path does not need
    from weasyprint import HTML

    from .pdf_fetcher import AssetsOnlyFetcher

    fetcher = AssetsOnlyFetcher() if url_fetcher is None else url_fetcher
    with _fewer_collections():
        document = HTML(string=html, base_url=base_url or str(path.parent), url_fetcher=fetcher).render(
            pdf_variant="pdf/ua-1"
        )
        document.metadata.attachments = []
        for page in document.pages:
            page.links = [link for link in page.links if link[0] != "attachment"]
        document.write_pdf(path, pdf_variant="pdf/ua-1", attachments=[])


#: How many allocations start a collection of the youngest generation while a PDF is laid out.
_YOUNG_THRESHOLD = 10_000
_GC_LOCK = threading.Lock()
_gc_users = 0
_gc_threshold: tuple[int, int, int] = gc.get_threshold()
_gc_was_frozen = False


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect garbage less often while WeasyPrint lays out and writes a PDF.

    WeasyPrint makes hundreds of thousands of small, long-lived objects (boxes, styles, glyph runs),
    so Python's cycle collector runs often, and each full collection walks every object the process
    holds (nbconvert, pandas, the notebooks): a fifth of a PDF's time. The objects that exist before
    the export are set aside (``gc.freeze``) and the youngest generation is collected after 10,000
    allocations instead of 700. Garbage is still collected. Exports in other threads share the
    setting: the first to start sets it and the last to finish puts it back. When objects were
    frozen already (the ``perfkit`` command freezes what its imports made), they stay frozen: an
    unfreeze here would hand them all back to the collector for the rest of the run.
    """
    global _gc_users, _gc_threshold, _gc_was_frozen
    with _GC_LOCK:
        if _gc_users == 0:
            _gc_threshold = gc.get_threshold()
            _gc_was_frozen = gc.get_freeze_count() > 0
            gc.freeze()
            gc.set_threshold(max(_YOUNG_THRESHOLD, _gc_threshold[0]), *_gc_threshold[1:])
        _gc_users += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_threshold)
                if not _gc_was_frozen:
                    gc.unfreeze()


#: Whether :func:`warm_up` has run in this process (or in the parent it was forked from).
_warmed = False


def warm_up() -> None:
    """Load what every export needs once per process: nbconvert's template and WeasyPrint with its fonts.

    A run calls it while its first notebook runs, so the first appendix's export is no slower
    than the others; a later call in the same process (the next ``pk.run``, a pool worker's next
    group of objective updates) does nothing. Nothing is written.
    """
    global _warmed
    if _warmed:
        return
    import io

    from nbformat.v4 import new_notebook
    from weasyprint import HTML

    from .pdf_fetcher import AssetsOnlyFetcher

    html = export_html(new_notebook(metadata={"perfkit": {"report_title": "Warm-up"}}))
    HTML(string=html, url_fetcher=AssetsOnlyFetcher()).write_pdf(io.BytesIO(), pdf_variant="pdf/ua-1")
    _warmed = True
