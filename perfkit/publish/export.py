"""Export an executed notebook as the published appendix: HTML, then PDF from the same HTML.

HTML comes from nbconvert with perfkit's own template (``perfkit/publish/templates``):
outputs and markdown only, no prompts, no CDN scripts, one file. The PDF is
made from that HTML by WeasyPrint, which needs neither LaTeX nor a browser,
lays out A4 pages with CSS paged media, and writes a tagged PDF (PDF/UA-1).
"""

from __future__ import annotations

import re
from html import escape, unescape
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

__all__ = ["TEMPLATES", "export_html", "export_pdf"]

TEMPLATES = Path(__file__).parent / "templates"
_ANCHOR = re.compile(r'<a class="anchor-link" href="#[^"]*">[^<]*</a>')
_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def strip_anchor_links(html: str) -> str:
    """Remove nbconvert's pilcrow links from headings: screen readers would read each one aloud."""
    return _ANCHOR.sub("", html)


def _table_of_contents(html: str) -> str:
    """Insert a linked table of contents of the level-2 headings where the template left a marker."""
    body = html.split("<main", 1)[-1]
    items = [(hid, _TAG.sub("", text).strip()) for hid, text in _H2.findall(body)]
    if not items:
        return html.replace("<!--perfkit-toc-->", "")
    links = "".join(f'<li><a href="#{escape(hid)}">{escape(unescape(text))}</a></li>' for hid, text in items)
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
    return _table_of_contents(html)


def export_pdf(html: str, path: Path, base_url: str | None = None) -> None:
    """Write the HTML appendix as a tagged, A4, paged PDF.

    Parameters
    ----------
    html
        The appendix from :func:`export_html`.
    path
        Where to write the PDF.
    base_url
        For resolving relative links (the appendix has none; images are embedded).
    """
    from weasyprint import HTML  # imported here: it loads Pango, which the HTML-only path does not need

    HTML(string=html, base_url=base_url or str(path.parent)).write_pdf(path, pdf_variant="pdf/ua-1")
