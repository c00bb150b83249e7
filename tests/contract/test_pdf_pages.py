"""The PDF appendices as a reader sees them: pages rendered to images, long tables, bookmarks."""

import numpy as np
import pypdfium2 as pdfium
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from pypdf import PdfReader

from perfkit.publish.export import export_html, export_pdf
from perfkit.render.tables import Column, html_table

MM = 72 / 25.4  # points per millimetre
DPI = 50


@pytest.fixture(scope="module")
def pdfs(demo_published):
    return [demo_published / f"{n}.pdf" for n in ("quarterly_performance", "survey_demographics")]


def _pages(pdf):
    """Each page as a greyscale image at DPI, rendered by PDFium (a wheel: no system tool needed)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L") for page in doc]
    finally:
        doc.close()


@pytest.mark.parametrize("which", [0, 1], ids=["performance", "survey"])
def test_nothing_spills_into_the_page_margins(pdfs, which):
    """Content that overflowed its box would print in the 16 mm side margins; they must stay blank."""
    pages = _pages(pdfs[which])
    assert len(pages) == len(PdfReader(pdfs[which]).pages) > 3
    px = DPI / 25.4  # pixels per millimetre
    for number, page in enumerate(pages, start=1):
        img = np.asarray(page)
        h, w = img.shape
        body = img[int(20 * px) : int(h - 20 * px)]  # between the running head and the footer
        left, right = body[:, : int(15 * px)], body[:, int(w - 15 * px) :]
        assert left.min() > 240 and right.min() > 240, f"ink in a side margin on page {number}"
        # and the page is not blank: something was printed between the margins
        assert body.min() < 100, f"page {number} is empty"


@pytest.mark.parametrize("which", [0, 1], ids=["performance", "survey"])
def test_every_page_has_the_running_head_and_page_n_of_m(pdfs, which):
    reader = PdfReader(pdfs[which])
    n = len(reader.pages)
    for i, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Page {i} of {n}" in text
        assert "Demo District Council · " in text  # the running head, drawn in the page margin


def test_pdfs_are_tagged_with_language_title_and_bookmarks(pdfs):
    for pdf, title, first in (
        (pdfs[0], "Quarterly performance report", "Headline"),
        (pdfs[1], "Residents' survey and demographic insight", "Summary"),
    ):
        reader = PdfReader(pdf)
        root = reader.trailer["/Root"]
        assert root["/Lang"] == "en-GB"
        assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
        assert reader.metadata.title == f"{title}, 2024/25 Q2 – Demo District Council"
        assert reader.outline[0].title == first
        width, height = (float(v) for v in reader.pages[0].mediabox[2:])
        assert (round(width / MM), round(height / MM)) == (210, 297)


def test_a_long_table_repeats_its_header_on_every_page_and_never_splits_a_row(tmp_path):
    rows = [{"code": f"M{i:03d}", "title": f"Metric number {i} with a long title that wraps " * 2} for i in range(150)]
    table = html_table(
        rows,
        [Column("Code of metric", lambda r: r["code"]), Column("Metric title", lambda r: r["title"])],
        "A long table",
    )
    cell = new_code_cell("table", outputs=[new_output("display_data", data={"text/html": table, "text/plain": ""})])
    nb = new_notebook(
        cells=[new_markdown_cell("## Long table"), cell],
        metadata={"perfkit": {"council": "Test Council", "report_title": "Long", "quarter": "2024/25 Q2"}},
    )
    export_pdf(export_html(nb), tmp_path / "long.pdf")
    reader = PdfReader(tmp_path / "long.pdf")
    assert len(reader.pages) >= 3
    seen = []
    for page in reader.pages:
        text = page.extract_text()
        assert "Code of metric" in text and "Metric title" in text  # the header row, repeated
        seen += [t for t in text.split() if t.startswith("M") and t[1:].isdigit()]
    assert seen == [f"M{i:03d}" for i in range(150)]  # every row once, in order: none split or lost


def test_exports_leave_the_garbage_collector_as_they_found_it(tmp_path):
    """The export collects less often while it runs (two at once share that) and puts it back after."""
    import gc
    import threading

    from perfkit.publish import export

    before = gc.get_threshold()
    html = export_html(new_notebook(metadata={"perfkit": {"report_title": "GC"}}))
    started, finish = threading.Barrier(2), threading.Event()
    seen = []

    def second():
        with export._fewer_collections():
            started.wait()
            finish.wait()
            seen.append(gc.get_threshold())

    thread = threading.Thread(target=second)
    thread.start()
    started.wait()  # the other export is under way while this one runs and finishes
    export_pdf(html, tmp_path / "a.pdf")
    assert gc.get_threshold() == (10_000, *before[1:])  # still the export's: the other has not finished
    finish.set()
    thread.join()
    assert seen == [(10_000, *before[1:])]
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    assert gc.isenabled()


def test_an_export_keeps_what_its_caller_froze_frozen(tmp_path):
    """The perfkit command freezes its imports' objects; an export must not hand them back to the collector."""
    import gc

    html = export_html(new_notebook(metadata={"perfkit": {"report_title": "GC"}}))
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        export_pdf(html, tmp_path / "a.pdf")
        assert gc.get_freeze_count() >= frozen  # still frozen (and what the export froze with it)
    finally:
        gc.unfreeze()


def test_the_exporters_are_warmed_up_once_per_process(monkeypatch):
    """The first export of a run is prepared while its notebook runs; a second warm-up would only lay out again."""
    from perfkit.publish import export

    made = []
    real = export.export_html
    monkeypatch.setattr(export, "_warmed", False)
    monkeypatch.setattr(export, "export_html", lambda nb: made.append(nb) or real(nb))
    export.warm_up()
    export.warm_up()
    assert len(made) == 1
