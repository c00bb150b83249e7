"""A large register's published appendix (issue 18): short, accessible, and still listing every exception.

A contract-v2 register just over LIST_LIMIT (tests/support/generate.py), published as a user
publishes it: axe-core finds no WCAG 2.2 AA violation in the HTML, headings never skip a level,
every table has a caption and header cells, and the PDF is tagged with the objectives as bookmarks.
"""

import itertools
import re

import pandas as pd
import pytest
from pypdf import PdfReader

from perfkit.report import LIST_LIMIT, MAX_DETAILED_EXCEPTIONS
from tests.contract.conftest import TAGS, perfkit_run
from tests.support.generate import make_register


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    folder = make_register(tmp_path_factory.mktemp("reg") / "large", LIST_LIMIT + 60, n_quarters=8, seed=7, v2=True)
    return perfkit_run(folder, tmp_path_factory.mktemp("out"))


def test_every_exception_is_listed_once_in_the_html_and_in_the_pdf(published):
    status = pd.read_csv(published / "metric_status.csv", keep_default_na=False, dtype=str)
    wanted = sorted(status.loc[status["exception"] == "true", "code"])
    assert len(wanted) > MAX_DETAILED_EXCEPTIONS
    html = (published / "quarterly_performance.html").read_text(encoding="utf-8")
    section = html[html.index('id="Exceptions-in-detail"') : html.index('id="Key-achievements"')]
    detailed = re.findall(r'<h3 id="exc-([^"]+)">', section)
    rows = re.findall(r'<tr><th scope="row"><span class="code">([^<]+)</span>', section)
    assert sorted(detailed + rows) == wanted
    text = " ".join(page.extract_text() for page in PdfReader(published / "quarterly_performance.pdf").pages)
    assert all(code in text for code in wanted)


def test_headings_never_skip_a_level_and_every_table_has_a_caption_and_headers(published):
    html = (published / "quarterly_performance.html").read_text(encoding="utf-8")
    levels = [int(n) for n in re.findall(r"<h([1-6])[\s>]", html)]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    tables = re.findall(r"<table.*?</table>", html, flags=re.S)
    # a table of figures has a header row; a table of key facts has a header cell on each row
    assert tables and all("<caption>" in t and re.search(r'<th scope="(col|row)"', t) for t in tables)


def test_the_pdf_is_tagged_and_bookmarks_each_section_and_objective(published):
    reader = PdfReader(published / "quarterly_performance.pdf")
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top[:3] == ["Headline", "Summary", "Exceptions in detail"] and top[-1] == "Data notes"
    assert "A great place to work" in top and "Key achievements" in top and "Challenges" in top


def test_axe_finds_no_wcag_22_aa_violation_in_a_large_appendix(published, browser):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((published / "quarterly_performance.html").as_uri(), wait_until="load")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    violations = results.response["violations"]
    detail = "\n".join(f"{v['id']}: {v['help']} (e.g. {v['nodes'][0]['html'][:120]})" for v in violations)
    assert violations == [], detail
    page.close()


def _long_tables(box):
    """Every table box laid out with ``class="long"`` on a page.

    WeasyPrint has no public API for its laid-out boxes; ``page._page_box`` and the boxes' names
    and fields are its own, internal ones. A WeasyPrint that changes them fails this
    test loudly (no table found), never silently.
    """
    for child in getattr(box, "children", []):
        element = getattr(child, "element", None)
        if type(child).__name__ == "TableBox" and element is not None and "long" in element.get("class", "").split():
            yield child
        else:
            yield from _long_tables(child)


def _text_boxes(box):
    for child in getattr(box, "children", []):
        if type(child).__name__ == "TextBox":
            yield child
        yield from _text_boxes(child)


def test_the_further_exceptions_keep_every_figure_inside_its_column_in_the_pdf(published):
    from weasyprint import HTML

    from perfkit.publish.pdf_fetcher import AssetsOnlyFetcher

    # The long lists are laid out with set column widths (fast for hundreds of rows); a figure far wider
    # than any in the register must wrap inside its own column, not spill into the next or off the page.
    html = (published / "quarterly_performance.html").read_text(encoding="utf-8")
    start = html.index('<table class="data long">')
    first_value = html.index('<td class="num">', start) + len('<td class="num">')
    wide = "£123,456,789,012,345.67"
    html = html[:first_value] + wide + html[html.index("</td>", first_value) :]
    long_tables = re.findall(r'<table class="data long">.*?</table>', html)
    in_html = sum(len(re.findall(r"<t[dh][ >]", t)) for t in long_tables)
    document = HTML(string=html, url_fetcher=AssetsOnlyFetcher()).render()
    tables = [table for page in document.pages for table in _long_tables(page._page_box)]
    assert tables and {table.style["table_layout"] for table in tables} == {"fixed"}
    cells = [cell for table in tables for group in table.children for row in group.children for cell in row.children]
    repeated = sum(len(table.children[0].children[0].children) for table in tables[1:])  # header rows repeat
    assert len(cells) >= in_html > 0 and len(cells) <= in_html + repeated
    # the set widths, in the table's own font size (8.5 pt in print): figures 9 em, a due date 11 em
    for table in tables:
        header = table.children[0].children[0].children
        em = header[0].style["font_size"]
        for cell in header[1:]:
            wanted = 9 * em if "num" in cell.element.get("class", "").split() else 11 * em
            assert cell.width == pytest.approx(wanted, abs=0.01), cell.element.text
        # and the metric's name the rest of the table's width
        assert header[0].border_width() == pytest.approx(table.width - sum(c.border_width() for c in header[1:]), abs=1)
    page_width = document.pages[0].width
    for cell in cells:
        left, right = cell.content_box_x(), cell.content_box_x() + cell.width
        for text in _text_boxes(cell):
            assert left - 0.5 <= text.position_x and text.position_x + text.width <= right + 0.5, text.text
        assert right <= page_width
    found = "".join(text.text for cell in cells for text in _text_boxes(cell))
    assert wide in found
