"""The plan-shaped appendix of a v2 register as published: run by ``perfkit run`` to HTML and PDF.

On ``tests/fixtures/plan`` (see tests/test_plan_appendix.py for what each figure gives):
axe-core finds no WCAG 2.2 AA violation in Chromium, the page fits a phone, the PDF is tagged
with the objectives as bookmarks, nothing spills into the page margins, and no metric code is
broken across lines.
"""

import numpy as np
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from tests.contract.conftest import TAGS, perfkit_run
from tests.support.generate import PLAN_FIXTURE

DPI = 50


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    folder = perfkit_run(PLAN_FIXTURE, tmp_path_factory.mktemp("plan-published"), "--formats", "html,pdf")
    return folder / "quarterly_performance.html", folder / "quarterly_performance.pdf"


def test_axe_finds_no_wcag_22_aa_violation(published, browser):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(published[0].as_uri(), wait_until="load")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    violations = results.response["violations"]
    detail = "\n".join(f"{v['id']}: {v['help']} (e.g. {v['nodes'][0]['html'][:120]})" for v in violations)
    assert violations == [], detail
    assert results.response["passes"]
    page.close()


def test_the_page_fits_a_phone_screen(published, browser):
    page = browser.new_page(viewport={"width": 375, "height": 900})
    page.goto(published[0].as_uri(), wait_until="load")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at 375 px wide"
    page.close()


def test_the_masthead_and_contents_follow_the_plan_in_force(published):
    html = published[0].read_text(encoding="utf-8")
    # [[plans]]: "Council Plan 2024–2028" is in force from 2024/25 Q1 (the top-level title is "Council Plan")
    assert '<p class="plan">Council Plan 2024–2028</p>' in html
    contents = html.split('<nav class="toc"', 1)[1].split("</nav>", 1)[0]
    for heading in ("Our customers", "Our environment", "Performance indicators", "Final outturns"):
        assert f">{heading}</a>" in contents


def test_the_pdf_is_tagged_with_the_objectives_as_bookmarks(published):
    reader = PdfReader(published[1])
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    top = [o.title for o in reader.outline if not isinstance(o, list)]
    assert top == [
        "Headline",
        "Summary",
        "Exceptions in detail",
        "Remedial actions followed up",
        "Key achievements",  # the whole council's (objective-report's sections, DESIGN §7)
        "Challenges",
        "Our customers",
        "Our environment",
        "Performance indicators",
        "Final outturns",
        "Data notes",
    ]


def test_metric_codes_are_never_broken_across_lines_in_the_pdf(published):
    text = "\n".join(page.extract_text() for page in PdfReader(published[1]).pages)
    for code in ("CUS.01", "CUS.02", "CUS.03", "CUS.04", "CUS.05", "CUS.06", "ENV.01", "ENV.02", "SRV.01"):
        assert code in text, code
    assert "CUS.\n" not in text and "ENV.\n" not in text and "SRV.\n" not in text


def test_nothing_spills_into_the_page_margins(published):
    doc = pdfium.PdfDocument(published[1])
    try:
        pages = [page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L") for page in doc]
    finally:
        doc.close()
    px = DPI / 25.4
    for number, page in enumerate(pages, start=1):
        img = np.asarray(page)
        h, w = img.shape
        body = img[int(20 * px) : int(h - 20 * px)]
        left, right = body[:, : int(15 * px)], body[:, int(w - 15 * px) :]
        assert left.min() > 240 and right.min() > 240, f"ink in a side margin on page {number}"
