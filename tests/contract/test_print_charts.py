"""The demo appendices as printed (issue 14, item 4): text sizes, vector charts and whole codes in the PDF.

Measured in the PDF itself with PDFium: a character's printed size is its font size times the
scale of its text matrix (a chart drawn 6.5 in wide and shown 3.25 in wide halves its text), so
a chart shrunk to fit would be caught here whatever its SVG says.
"""

import csv
import ctypes
import math
import re
from urllib.parse import unquote

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from tests.support import ROOT

NAMES = ("quarterly_performance", "survey_demographics")


@pytest.fixture(scope="module")
def published(demo_published):
    return demo_published


def _printed_sizes(pdf):
    """(size in points, page number, character) for every printed character of a PDF."""
    doc = pdfium.PdfDocument(pdf)
    matrix = pdfium_c.FS_MATRIX()
    found = []
    try:
        for number, page in enumerate(doc, start=1):
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            for i in range(textpage.count_chars()):
                char = text[i] if i < len(text) else ""
                if not char.strip():
                    continue
                pdfium_c.FPDFText_GetMatrix(textpage.raw, i, ctypes.byref(matrix))
                scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
                found.append((pdfium_c.FPDFText_GetFontSize(textpage.raw, i) * scale, number, char))
    finally:
        doc.close()
    return found


def _page_texts(pdf):
    doc = pdfium.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range() for page in doc]
    finally:
        doc.close()


@pytest.mark.parametrize("name", NAMES)
def test_no_text_prints_smaller_than_7_pt_and_chart_labels_are_text(published, name):
    pdf = published / f"{name}.pdf"
    sizes = _printed_sizes(pdf)
    small = [(round(s, 1), page, char) for s, page, char in sizes if s < 7 - 0.01]
    assert small == [], f"text under 7 pt: {small[:10]}"
    # the charts' own labels are among the measured text: they are vector text, not pictures
    text = "".join(_page_texts(pdf))
    words = {"quarterly_performance": ["Number of metrics", "Tolerance band"], "survey_demographics": ["% positive"]}
    for word in words[name]:
        assert word in text


@pytest.mark.parametrize("name", NAMES)
def test_charts_are_vector_graphics_in_the_pdf(published, name):
    doc = pdfium.PdfDocument(published / f"{name}.pdf")
    try:
        kinds = [obj.type for page in doc for obj in page.get_objects(max_depth=10)]
    finally:
        doc.close()
    assert kinds.count(pdfium_c.FPDF_PAGEOBJ_IMAGE) == 0  # not one raster image
    assert kinds.count(pdfium_c.FPDF_PAGEOBJ_PATH) > 500  # bars, lines, hatching and markers


def test_no_metric_code_is_split_across_lines_in_the_pdf(published):
    with open(ROOT / "data" / "demo" / "metrics.csv", encoding="utf-8") as f:
        codes = [row["code"] for row in csv.DictReader(f)]
    assert "CUS.01" not in codes and "SRV.01" in codes
    seen = 0
    for number, text in enumerate(_page_texts(published / "quarterly_performance.pdf"), start=1):
        # joining the lines makes a code broken as "SRV." / "01" whole again: there must be none to join
        joined = re.sub(r"\s*[\r\n]+\s*", "", text)
        for code in codes:
            seen += text.count(code)
            assert joined.count(code) == text.count(code), f"{code} is split across lines on page {number}"
    # every code is printed in its objective's table, and the exceptions' codes in their headings too
    assert seen >= len(codes)


@pytest.mark.parametrize("name", NAMES)
def test_every_chart_in_the_html_is_an_svg_with_alt_text(published, name):
    html = (published / f"{name}.html").read_text(encoding="utf-8")
    images = re.findall(r"<img ([^>]*)>", html)
    alts = [re.search(r'alt="([^"]+)"', attrs).group(1) for attrs in images]
    if name == "quarterly_performance":
        # the status chart, then a trend chart for each exception shown in detail
        assert alts[0].startswith("Bar chart of the") and len(alts) >= 2
        assert all(a.startswith("Line chart of") for a in alts[1:])
    else:
        # the key findings, the five questions by group and the three weighting variables of the demo survey
        assert [a[: len("Dot chart")] for a in alts] == ["Dot chart"] * 6 + ["Bar chart"] * 3
    for attrs in images:
        src = re.search(r'src="([^"]+)"', attrs).group(1)
        assert src.startswith("data:image/svg+xml;charset=utf-8,")
        svg = unquote(src.split(",", 1)[1])
        assert "<dc:date" not in svg and "<text" in svg
        assert len(src) < 120_000  # one chart: reasonable for an appendix read on a phone
    assert "data:image/png" not in html
