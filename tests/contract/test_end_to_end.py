"""`perfkit run` on the tiny fixture, checked file by file against the output contract (design §6)."""

import csv
import json
import os
import re
import subprocess
import sys

import pytest
from pypdf import PdfReader

from perfkit.publish.data_files import METRIC_STATUS_COLUMNS, sha256_file

# Worked out by hand in test_assess.py
EXPECTED = {
    "A1": ("84.3", "95.0", "red", "improved", "worsened", "true", "true"),
    "A2": ("97.0", "97.0", "green", "improved", "n/a", "false", "false"),
    "A3": ("90.3", "95.0", "amber", "improved", "n/a", "false", "false"),
    "A4": ("22.0", "20.0", "amber", "improved", "n/a", "false", "false"),
    "A5": ("50.0", "50.0", "green", "n/a", "n/a", "false", "false"),
    "A6": ("", "70", "not_due", "n/a", "n/a", "false", "false"),
    "A7": ("", "98.0", "no_data", "n/a", "n/a", "false", "false"),
    "A8": ("12", "", "no_target", "n/a", "n/a", "false", "false"),
    "A9": ("42", "", "trend", "improved", "n/a", "false", "false"),
    "A10": ("55", "50", "green", "n/a", "improved", "false", "false"),
    "A11": ("110", "120", "red", "improved", "n/a", "true", "false"),
    "A12": ("76", "80", "red", "n/a", "improved", "true", "true"),
}


@pytest.fixture(scope="module")
def run_output(tmp_path_factory):
    from conftest import FIXTURES

    out = tmp_path_factory.mktemp("outputs")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "perfkit.cli",
            "run",
            "--data",
            str(FIXTURES / "tiny"),
            "--quarter",
            "Q2 2024/25",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COLUMNS": "300"},  # paths printed whole, however long pytest's folder name
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out / "2024-25-Q2", proc.stdout


def test_run_writes_every_file_of_the_output_contract(run_output):
    folder, stdout = run_output
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "manifest.json",
        "metric_status.csv",
        "metric_status.xlsx",
        "quarterly_performance.html",
        "quarterly_performance.ipynb",
        "quarterly_performance.pdf",
    ]
    assert str(folder / "quarterly_performance.html") in stdout
    assert not list(folder.parent.glob(".staging-*")), "staging folders must be cleaned up"


def test_metric_status_csv_has_the_contract_columns_and_hand_worked_statuses(run_output):
    folder, _ = run_output
    with open(folder / "metric_status.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0].keys()) == METRIC_STATUS_COLUMNS
    got = {
        r["code"]: (
            r["value"],
            r["target"],
            r["status"],
            r["vs_previous"],
            r["vs_last_year"],
            r["exception"],
            r["persistent_exception"],
        )
        for r in rows
    }
    assert got == EXPECTED
    assert {r["period"] for r in rows} == {"2024/25 Q2"}


def test_manifest_records_inputs_versions_timings_and_result(run_output):
    folder, _ = run_output
    m = json.loads((folder / "manifest.json").read_text())
    assert m["result"] == "success" and m["slug"] == "2024-25-Q2"
    assert set(m["inputs"]["files"]) == {"council.toml", "metrics.csv", "targets.csv", "actuals.csv"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in m["inputs"]["files"].values())
    job = m["jobs"]["quarterly_performance"]
    assert set(m["jobs"]) == {"quarterly_performance"}  # no survey wave in this folder
    assert job["parameters"]["quarter"] == "2024-25-Q2" and job["result"] == "success"
    assert re.fullmatch(r"[0-9a-f]{64}", job["inputs"]["notebook"]) and re.fullmatch(r"[0-9a-f]{64}", job["key"])
    assert job["notebook"].endswith("notebooks/quarterly_performance.ipynb")
    assert {"perfkit", "papermill", "nbconvert", "weasyprint"} <= set(m["versions"])
    assert job["timings_seconds"]["total"] > job["timings_seconds"]["execute"] > 0
    assert m["outputs"]["quarterly_performance.pdf"]["bytes"] == (folder / "quarterly_performance.pdf").stat().st_size
    # the spreadsheet is an output like any other: recorded with its hash, made by the appendix's job
    book = m["outputs"]["metric_status.xlsx"]
    assert book["sha256"] == sha256_file(folder / "metric_status.xlsx")
    assert "metric_status.xlsx" in job["outputs"]


def test_html_has_no_inputs_no_prompts_and_escapes_commentary(run_output):
    folder, _ = run_output
    html = (folder / "quarterly_performance.html").read_text(encoding="utf-8")
    assert 'lang="en-GB"' in html
    assert "<title>Quarterly performance report, 2024/25 Q2 – Tiny Test Council</title>" in html
    assert "report.prepare" not in html and "In&nbsp;[" not in html and "jp-InputPrompt" not in html
    # A1's commentary holds a script tag: it must appear as text, never as markup
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html  # the appendix runs no script at all
    assert not re.search(r'(src|href)="(https?:)?//', html), "nothing may be loaded from another host"
    # the drafted narrative names the persistent exception as the seed reports do
    assert "% of complaints answered within 15 working days (also at exception in Q1)" in html
    # status is a word and a symbol, not colour alone
    assert '<span aria-hidden="true">✖</span> Exception' in html
    # every image has alt text written from the data
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', html)
    assert alts and all(a.startswith(("Bar chart", "Line chart")) for a in alts)
    assert any("rose from 80.0% in 2024/25 Q1 to 84.3% in 2024/25 Q2, against a target of 95.0%" in a for a in alts)


def test_pdf_is_tagged_a4_in_british_english_with_page_numbers(run_output):
    folder, _ = run_output
    reader = PdfReader(folder / "quarterly_performance.pdf")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title == "Quarterly performance report, 2024/25 Q2 – Tiny Test Council"
    n = len(reader.pages)
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert f"Page 1 of {n}" in reader.pages[0].extract_text()
    assert f"Page {n} of {n}" in reader.pages[-1].extract_text()
    assert "Tiny Test Council · Quarterly performance report · 2024/25 Q2" in reader.pages[1].extract_text()
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert titles[:3] == ["Headline", "Summary", "Exceptions in detail"]


def test_executed_notebook_received_the_parameters(run_output):
    import nbformat

    folder, _ = run_output
    nb = nbformat.read(folder / "quarterly_performance.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "2024-25-Q2" in injected[0].source
    assert nb.metadata["perfkit"]["council"] == "Tiny Test Council"
