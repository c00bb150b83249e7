"""``perfkit run --objective`` and ``outputs/index.html`` end to end, on the council worked by hand.

The data is tests/support/objective_folder.py (two objectives, Customers and Place, for
2024/25 Q2). One run makes the quarterly appendix (HTML), then one ``--objective all``
(HTML and PDF): the checks read what those runs published.
"""

import json
import re
import subprocess
import sys

import pytest
from pypdf import PdfReader

from perfkit.cli import main
from tests.contract.conftest import TAGS
from tests.support.objective_folder import TITLES, write_objective_folder

CUSTOMERS = [c for c in TITLES if c != "P1"]


def _text(html):
    """The page's text: tags removed, so a phrase is found whatever markup is inside it."""
    return re.sub(r"<[^>]+>", "", html)


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "perfkit.cli", "run", *map(str, args), "--quiet"],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("objective-run")
    data = write_objective_folder(root / "data")
    out = root / "outputs"
    quarterly = _run("--data", data, "--quarter", "2024/25 Q2", "--out", out, "--formats", "html")
    assert quarterly.returncode == 0, quarterly.stdout + quarterly.stderr
    objectives = _run("--data", data, "--quarter", "2024/25 Q2", "--out", out, "--objective", "all")
    assert objectives.returncode == 0, objectives.stdout + objectives.stderr
    return data, out


def test_each_objective_gets_its_own_files_named_by_its_slug(published):
    _, out = published
    folder = out / "2024-25-Q2"
    for stem in ("objective-customers", "objective-place"):
        for ext in ("ipynb", "html", "pdf"):
            assert (folder / f"{stem}.{ext}").is_file(), f"{stem}.{ext}"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["jobs"]["objective-customers"]["parameters"]["objective"] == "Customers"
    assert set(manifest["jobs"]) == {"quarterly_performance", "objective-customers", "objective-place"}


def test_the_objective_report_names_only_its_objectives_metrics(published):
    _, out = published
    customers = (out / "2024-25-Q2" / "objective-customers.html").read_text(encoding="utf-8")
    place = (out / "2024-25-Q2" / "objective-place.html").read_text(encoding="utf-8")
    assert '<span class="code" style="white-space:nowrap">(C1)</span>' in customers  # a code never breaks
    assert "<title>Council Plan objective: Customers, 2024/25 Q2 – Test District Council</title>" in customers
    customers, place = _text(customers), _text(place)
    for code in CUSTOMERS:
        assert f"{TITLES[code]} ({code})" in customers, code
        assert TITLES[code] not in place, code
    assert "Trees planted" not in customers and "Trees planted (P1)" in place
    assert "Green Flag" not in customers + place  # a highlight about no objective: quarterly appendix only
    assert (
        "Regarding targeted metrics, of the seven Council Plan targets for 2024/25 Q2, three are on target, one "
        "within tolerance, one affected by Covid-19 and two flagged at exception: Complaints answered on time and "
        "Days to answer letters; Complaints answered on time was also flagged at Q1." in customers
    )
    for heading in ("Strategy: Answer first time", "Strategy: Listen to residents"):
        assert heading in customers
    assert "Forms moved online" in customers  # the update highlight under its tactic
    quarterly = (out / "2024-25-Q2" / "quarterly_performance.html").read_text(encoding="utf-8")
    assert "Key achievements" in quarterly and "Green Flag award for the park" in quarterly


def test_the_objective_pdf_is_tagged(published):
    _, out = published
    reader = PdfReader(out / "2024-25-Q2" / "objective-customers.pdf")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title == "Council Plan objective: Customers, 2024/25 Q2 – Test District Council"
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert titles == [
        "Purpose",
        "Recommendation",
        "Background",
        "Summary",
        "Strategies and tactics",
        "Key achievements",
        "Challenges",
        # a v2 register: the section is there even when no action was due (C1's is due in Q3)
        "Remedial actions followed up",
        "Targeted metrics",
        "Metrics for trend monitoring",
        "Milestones",
    ]


def test_an_unknown_objective_exits_2_listing_the_objectives(published, tmp_path, capsys):
    data, _ = published
    code = main(["run", "--data", str(data), "--out", str(tmp_path), "--objective", "Custmers", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "There is no objective 'Custmers'" in err and "Did you mean Customers?" in err
    assert "- Customers" in err and "- Place" in err
    assert list(tmp_path.iterdir()) == []  # nothing was attempted


def test_the_landing_page_lists_every_report_with_its_counts_and_links(published):
    _, out = published
    html = (out / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr>\s*<th scope="row">([^<]*)</th>(.*?)</tr>', html, re.S)
    assert "Three reports published in this folder" in html  # GOV.UK style: one to nine in words
    assert [name for name, _ in rows] == [
        "Quarterly performance report",
        "Objective update: Customers",
        "Objective update: Place",
    ]

    def counts(cells):
        return re.findall(
            r'<li><span aria-hidden="true">[✔▲✖●↗]</span> ([^:<]+): <span class="num">(\d+)</span></li>', cells
        )

    def links(cells):
        return re.findall(r'<a href="([^"]+)">', cells)

    # Customers: on track C2 C5 C6 M1 M2 M3; within tolerance C3; exception C1 C4 M4; other C9; trend C7 C8
    customers = [("On target", "6"), ("Within tolerance", "1"), ("Exception", "3"), ("Other", "1"), ("Trend", "2")]
    assert counts(rows[1][1]) == customers
    # Place: P1 red; the whole council adds it to Customers'
    assert counts(rows[2][1]) == [
        ("On target", "0"),
        ("Within tolerance", "0"),
        ("Exception", "1"),
        ("Other", "0"),
        ("Trend", "0"),
    ]
    assert counts(rows[0][1]) == [
        ("On target", "6"),
        ("Within tolerance", "1"),
        ("Exception", "4"),
        ("Other", "1"),
        ("Trend", "2"),
    ]
    assert links(rows[0][1]) == ["2024-25-Q2/quarterly_performance.html"]
    assert links(rows[1][1]) == ["2024-25-Q2/objective-customers.html", "2024-25-Q2/objective-customers.pdf"]
    for href in re.findall(r'<a href="([^"#]+)">', html):
        assert (out / href).is_file(), href
    assert not re.search(r'(src|href)="(https?:)?//', html) and "<script" not in html and "<link" not in html


@pytest.mark.parametrize("page_name", ["index.html", "2024-25-Q2/objective-customers.html"])
def test_the_landing_page_and_the_objective_report_pass_axe(published, browser, page_name):
    from axe_playwright_python.sync_playwright import Axe

    _, out = published
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((out / page_name).as_uri(), wait_until="load")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    phone = browser.new_page(viewport={"width": 375, "height": 800})
    phone.goto((out / page_name).as_uri(), wait_until="load")
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.close()
    phone.close()
    violations = results.response["violations"]
    assert violations == [], [(v["id"], v["nodes"][0]["html"][:120]) for v in violations]
    assert results.response["passes"]
    assert [u for u in requests if not u.startswith(("file://", "data:"))] == []
    assert overflow <= 0


def test_a_run_that_only_hits_the_cache_rewrites_the_landing_page(published):
    data, out = published
    (out / "index.html").unlink()
    again = _run("--data", data, "--quarter", "2024/25 Q2", "--out", out, "--objective", "customers")
    assert again.returncode == 0, again.stdout + again.stderr
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.count('<th scope="row">') == 3  # every report in the folder, not only this run's


def test_objective_updates_run_in_batches_on_dask_from_python(published, tmp_path):
    import perfkit as pk

    data, _ = published
    summary = pk.run(
        data,
        first="2024/25 Q1",
        last="2024/25 Q2",
        out=tmp_path,
        formats=("html",),
        objective=["customers", "Place"],
        executor="dask",
        jobs=2,
    )
    made = sorted((r.job.quarter.label, r.job.name) for r in summary.ran)
    assert made == [
        ("2024/25 Q1", "objective-customers"),
        ("2024/25 Q1", "objective-place"),
        ("2024/25 Q2", "objective-customers"),
        ("2024/25 Q2", "objective-place"),
    ]
    assert summary.failed == []
    q1 = (tmp_path / "2024-25-Q1" / "objective-customers.html").read_text(encoding="utf-8")
    assert "for 2024/25 Q1" in q1 and "Complaints answered on time (C1)" in _text(q1)
    again = pk.run(data, first="2024/25 Q1", last="2024/25 Q2", out=tmp_path, formats=("html",), objective="all")
    assert len(again.skipped) == 4 and again.ran == []  # the cache: nothing changed


def test_perfkit_status_knows_the_objective_updates(published):
    from perfkit.batch.freshness import output_status
    from perfkit.data.register import load_register

    data, out = published
    rows = [(r.quarter.label, r.notebook, r.state) for r in output_status(load_register(data), out)]
    assert ("2024/25 Q2", "objective-customers", "fresh") in rows
    assert ("2024/25 Q2", "objective-place", "fresh") in rows
    assert ("2024/25 Q2", "quarterly_performance", "fresh") in rows
