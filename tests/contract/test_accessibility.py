"""Published appendices in a real browser: axe-core finds no WCAG 2.2 AA violation and nothing is fetched.

Both of perfkit's appendices (from the demo council) and a council's own
notebook run through perfkit are opened from disk in Debian's Chromium with
Playwright; axe-core checks the tags wcag2a, wcag2aa, wcag21a, wcag21aa and
wcag22aa. Every request the page makes is recorded: only the file itself and
data: URIs are allowed.
"""

import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from perfkit.assess import STATUSES
from perfkit.render.colours import contrast_ratio
from tests.contract.conftest import TAGS, perfkit_run
from tests.support import FIXTURES


def _council_notebook(path):
    """A council's own notebook: a matplotlib figure and a DataFrame, shown the plain way."""
    nb = new_notebook(
        cells=[
            new_code_cell('quarter = None\ndata_dir = "data/demo"', metadata={"tags": ["parameters"]}),
            new_markdown_cell("## Recycling"),
            new_code_cell(
                "import matplotlib.pyplot as plt\nimport pandas as pd\n"
                "df = pd.DataFrame({'quarter': ['Q1', 'Q2', 'Q3'], 'rate': [41.5, 43.0, 44.8]})\n"
                "fig, ax = plt.subplots()\nax.plot(df['quarter'], df['rate'], label='Recycling rate')\n"
                "ax.set_title('Household waste recycled'); ax.set_ylabel('%')\nplt.show()"
            ),
            new_markdown_cell("## Figures"),
            new_code_cell("df"),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "perfkit": {"title": "Recycling briefing"},
        },
    )
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def appendices(demo_published, tmp_path_factory):
    nb = _council_notebook(tmp_path_factory.mktemp("nb") / "recycling_briefing.ipynb")
    own = perfkit_run(FIXTURES / "tiny", tmp_path_factory.mktemp("own"), "--formats", "html", "--notebook", nb)
    return {
        "quarterly_performance": demo_published / "quarterly_performance.html",
        "survey_demographics": demo_published / "survey_demographics.html",
        "recycling_briefing": own / "recycling_briefing.html",
    }


def _open(browser, path, width=1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.route(re.compile(r"^(https?|wss?|ftp)://"), lambda route: route.abort())
    page.goto(path.as_uri(), wait_until="load")
    return page, requests


@pytest.mark.parametrize("name", ["quarterly_performance", "survey_demographics", "recycling_briefing"])
def test_axe_finds_no_wcag_22_aa_violation_and_no_request_leaves_the_file(appendices, browser, name):
    from axe_playwright_python.sync_playwright import Axe

    page, requests = _open(browser, appendices[name])
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    violations = results.response["violations"]
    detail = "\n".join(
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes, e.g. {v['nodes'][0]['html'][:120]})" for v in violations
    )
    assert violations == [], detail
    assert results.response["passes"], "axe ran no check at all"
    outside = [u for u in requests if not u.startswith(("file://", "data:"))]
    assert outside == [], outside
    page.close()


@pytest.mark.parametrize("name", ["quarterly_performance", "survey_demographics", "recycling_briefing"])
def test_the_page_fits_a_phone_screen(appendices, browser, name):
    page, _ = _open(browser, appendices[name], width=375)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at 375 px wide"
    page.close()


def test_a_council_notebook_figure_gets_alt_text_from_its_data_and_its_table_a_caption(appendices):
    html = appendices["recycling_briefing"].read_text(encoding="utf-8")
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', html)
    assert alts == [
        "Line chart: Household waste recycled. Vertical axis: %. Recycling rate rises from 41.5 to 44.8 "
        "over 3 points (lowest 41.5, highest 44.8)."
    ]
    assert "<caption>Table of 3 rows: quarter, rate</caption>" in html
    assert '<th scope="col">rate</th>' in html and '<th scope="row">0</th>' in html
    assert "<title>Recycling briefing, 2024/25 Q2 – Tiny Test Council</title>" in html
    assert re.search(r'<nav class="toc"[^>]*>.*href="#Recycling".*href="#Figures"', html, re.S)


def test_contrast_ratio_matches_wcag_reference_values():
    # WCAG 2 definitions: black on white is 21:1; #767676 on white is the well-known 4.54:1 minimum grey
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#FFFFFF") < 4.5


def test_status_colours_meet_4_5_to_1_on_white_and_on_the_table_band():
    for status in STATUSES.values():
        assert contrast_ratio(status.colour, "#FFFFFF") >= 4.5, status.key
        assert contrast_ratio(status.colour, "#EEF2F7") >= 4.5, status.key
