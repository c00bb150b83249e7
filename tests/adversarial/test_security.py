"""Hostile data and a hostile file system (issue 12): text stays text, nothing is fetched or followed.

Classes, one section each:

* escaping: markup in every field of the data is shown as text in both appendices;
* fetching: WeasyPrint fetches nothing but ``data:`` URLs and perfkit's own templates, and attaches nothing;
* console: brackets and escape sequences in the data neither crash nor reach the terminal;
* files: logs and temporary files are new, exclusive files; a link planted at their path is never followed;
* exit codes: each case ends in 0, 1 or 2, and ``perfkit --help`` lists them.
"""

import csv
import http.server
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from pypdf import PdfReader

from perfkit import cli
from perfkit.publish.export import TEMPLATES, export_pdf
from perfkit.publish.safe_files import create_exclusive, create_unique, write_atomic
from perfkit.terminal import plain
from tests.support import FIXTURES, ROOT
from tests.support.notebooks import write_notebook

QUARTER = "2024/25 Q2"
SLUG = "2024-25-Q2"
WIDE = {"COLUMNS": "400"}  # rich wraps at the terminal's width; wide, each message stays on one line


def payload(field: str, port: int) -> str:
    """What an attacker would put in a field: a script, a remote image, a local file as attachment.

    And a broken formula: matplotlib would read text between dollar signs in a chart's labels as one.
    """
    return (
        f'{field}: <script>alert("{field}")</script><img src=http://127.0.0.1:{port}/{field}.png>'
        "<link rel=attachment href=file:///etc/hostname> costs $\\frac{$"
    )


# --- a web server that records every request: the appendices must make none -----------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self):
        type(self).hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    _Recorder.hits = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()


# --- escaping: every field of the data --------------------------------------------------------------------

#: Fields and the appendix that shows them. An exception (SRV.01 is red in 2024/25 Q2) shows its code,
#: title, service, owner and commentary; "group" is a breakdown's answer, "ward" a weighting category (with
#: its population margin); the survey wave folder's name heads a column of the change table.
PERFORMANCE_FIELDS = ["council", "plan", "objective", "code", "title", "service", "owner", "commentary"]
SURVEY_FIELDS = ["council", "plan", "survey", "label", "group", "ward"]
WAVE_FOLDER = "2023 <img src=x onerror=alert(1)>"


def _hostile_copy(target: Path, port: int) -> Path:
    """The demo data with a payload in every text field, the survey wave's folder name included."""
    shutil.copytree(ROOT / "data" / "demo", target)
    p = lambda field: payload(field, port)  # noqa: E731

    council = (target / "council.toml").read_text(encoding="utf-8")
    for old, field in (
        ('"Demo District Council"', "council"),
        ('"Council Plan 2023–27"', "plan"),
        ('"A great place to work"', "objective"),
    ):
        council = council.replace(old, f"'''{p(field)}'''")
    (target / "council.toml").write_text(council, encoding="utf-8")

    tables = {n: pd.read_csv(target / f"{n}.csv", dtype=str, keep_default_na=False) for n in ("metrics", "actuals")}
    tables["targets"] = pd.read_csv(target / "targets.csv", dtype=str, keep_default_na=False)
    m, a = tables["metrics"], tables["actuals"]
    m.loc[m["objective"] == "A great place to work", "objective"] = p("objective")
    m["tactic"] = ""
    red = m["code"] == "SRV.01"
    for column in ("title", "strategy", "tactic", "service", "owner"):
        m.loc[red, column] = p(column)
    a.loc[(a["code"] == "SRV.01") & (a["period"] == QUARTER), "commentary"] = p("commentary")
    for name, table in tables.items():
        table.loc[table["code"] == "SRV.01", "code"] = p("code")
        table.to_csv(target / f"{name}.csv", index=False)

    import pyreadstat

    waves = target / "survey"
    sav = waves / "2024" / "responses.sav"
    responses_2024, _ = pyreadstat.read_sav(sav, apply_value_formats=True)
    sav.unlink()
    responses_2024 = responses_2024.astype(object).where(responses_2024.notna(), "")
    for wave, responses in (
        ("2024", responses_2024),
        ("2023", pd.read_csv(waves / "2023" / "responses.csv", dtype=str, keep_default_na=False)),
    ):
        responses["ethnicity"] = responses["ethnicity"].astype(str).replace({"White British": p("group")})
        responses["ward"] = responses["ward"].astype(str).replace({"Clay Cross North": p("ward")})
        responses.to_csv(waves / wave / "responses.csv", index=False)
        margins = pd.read_csv(waves / wave / "population.csv", dtype=str, keep_default_na=False)
        margins["category"] = margins["category"].replace({"Clay Cross North": p("ward")})
        margins.to_csv(waves / wave / "population.csv", index=False)
        toml = (waves / wave / "survey.toml").read_text(encoding="utf-8")
        toml = toml.replace(f'title = "Residents\' Survey {wave}"', f"title = '''{p('survey')}'''")
        toml = toml.replace('label = "Satisfied with the way the council runs things"', f"label = '''{p('label')}'''")
        (waves / wave / "survey.toml").write_text(toml, encoding="utf-8")
    (waves / "2023").rename(waves / WAVE_FOLDER)
    return target


@pytest.fixture(scope="module")
def published(tmp_path_factory, server):
    """Both appendices, HTML and PDF, made by `perfkit run` from the hostile copy of the demo data."""
    root = tmp_path_factory.mktemp("hostile")
    data = _hostile_copy(root / "data", server.server_address[1])
    proc = subprocess.run(
        [sys.executable, "-m", "perfkit.cli", "run", "--data", data, "--quarter", QUARTER, "--out", root / "out"],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **WIDE},
    )
    return proc, root / "out" / SLUG, server.server_address[1]


class _Page(HTMLParser):
    """The tags, text and attribute values of a page, as a browser's parser sees them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def literal(self) -> str:
        """Every text node and attribute value: where data shown as text ends up."""
        values = [v or "" for _, attrs in self.tags for v in attrs.values()]
        return "\n".join(self.text + values)


def test_the_hostile_data_is_valid_and_both_appendices_are_published(published):
    proc, folder, _ = published
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert {f"{n}.{ext}" for n in ("quarterly_performance", "survey_demographics") for ext in ("html", "pdf")} <= {
        p.name for p in folder.iterdir()
    }


@pytest.mark.parametrize("appendix", ["quarterly_performance", "survey_demographics"])
def test_no_tag_from_the_data_is_live_in_the_html(published, appendix):
    _, folder, _ = published
    page = _Page((folder / f"{appendix}.html").read_text(encoding="utf-8"))
    names = [t for t, _ in page.tags]
    for forbidden in ("script", "link", "iframe", "object", "embed", "base", "svg", "form"):
        assert forbidden not in names, forbidden
    assert names.count("style") == 1  # perfkit's own stylesheet, inline
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "img":
            _assert_inert_svg(attrs["src"])


def _assert_inert_svg(src: str) -> None:
    """A chart is an SVG data URI whose text from the data is text: no script, handler or outside link.

    (An SVG in an <img> runs no script and loads nothing in any browser; this checks the file itself.)
    """
    from urllib.parse import unquote
    from xml.etree import ElementTree

    prefix = "data:image/svg+xml;charset=utf-8,"
    assert src.startswith(prefix)
    root = ElementTree.fromstring(unquote(src[len(prefix) :]).encode("utf-8"))
    for el in root.iter():
        name = el.tag.rsplit("}", 1)[-1]
        assert name not in ("script", "foreignObject", "image", "a", "iframe"), name
        for key, value in el.attrib.items():
            assert not key.rsplit("}", 1)[-1].startswith("on"), (name, key)
            if key.rsplit("}", 1)[-1] == "href":
                assert value.startswith("#"), value  # only the SVG's own markers


@pytest.mark.parametrize(
    ("appendix", "field"),
    [("quarterly_performance", f) for f in PERFORMANCE_FIELDS] + [("survey_demographics", f) for f in SURVEY_FIELDS],
)
def test_every_field_is_shown_as_the_text_that_was_written(published, appendix, field):
    _, folder, port = published
    page = _Page((folder / f"{appendix}.html").read_text(encoding="utf-8"))
    assert payload(field, port) in page.literal()


def test_a_file_name_from_the_data_is_shown_as_text(published):
    _, folder, _ = published
    page = _Page((folder / "survey_demographics.html").read_text(encoding="utf-8"))
    assert f"% in {WAVE_FOLDER}" in page.text  # the header of the change table's column


@pytest.mark.parametrize(
    ("appendix", "title"),
    [
        ("quarterly_performance", "Quarterly performance report"),
        ("survey_demographics", "Residents' survey and demographic insight"),
    ],
)
def test_the_pdfs_have_no_attachment_and_their_title_is_the_text(published, appendix, title):
    _, folder, port = published
    reader = PdfReader(folder / f"{appendix}.pdf")
    assert reader.attachments == {}
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
    for page in reader.pages:
        assert all(a.get_object()["/Subtype"] != "/FileAttachment" for a in page.get("/Annots", []))
    assert reader.metadata.title == f"{title}, {QUARTER} – {payload('council', port)}"


def test_nothing_was_fetched_while_publishing(published, server):
    assert published[0].returncode == 0
    assert _Recorder.hits == []


def test_the_csv_keeps_the_text_exactly(published):
    _, folder, port = published
    with open(folder / "metric_status.csv", encoding="utf-8", newline="") as f:
        rows = {r["code"]: r for r in csv.DictReader(f)}
    row = rows[payload("code", port)]
    assert (row["title"], row["service"], row["status"]) == (payload("title", port), payload("service", port), "red")


# --- fetching: the PDF export's URL fetcher ----------------------------------------------------------------

# a 1x1 white PNG
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC"
)


def _live_html(port: int) -> str:
    """HTML as if escaping had failed: every way a page can make WeasyPrint fetch or attach a file."""
    css = (TEMPLATES / "perfkit" / "perfkit.css").resolve().as_uri()
    return f"""<!DOCTYPE html><html lang="en-GB"><head><title>Fetch test</title>
<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">
<link rel="stylesheet" href="{css}">
<link rel="attachment" href="file:///etc/hostname">
</head><body><h1>Fetch test</h1>
<img src="http://127.0.0.1:{port}/remote.png" alt="remote">
<img src="file:///etc/hostname" alt="local file">
<img src="{TEMPLATES.resolve().as_uri()}/perfkit/../../../../../../etc/hostname" alt="escape from the templates">
<img src="{PIXEL}" alt="embedded">
<p style="background: url(http://127.0.0.1:{port}/background.png)">text</p>
<a rel="attachment" href="file:///etc/hostname">attached</a>
</body></html>"""


def test_the_pdf_export_fetches_only_data_urls_and_package_assets(tmp_path, server):
    from perfkit.publish.pdf_fetcher import AssetsOnlyFetcher

    port = server.server_address[1]
    before = len(_Recorder.hits)
    fetcher = AssetsOnlyFetcher()
    export_pdf(_live_html(port), tmp_path / "fetch.pdf", url_fetcher=fetcher)
    assert sorted(fetcher.refused) == sorted(
        [
            f"http://127.0.0.1:{port}/style.css",
            f"http://127.0.0.1:{port}/remote.png",
            f"http://127.0.0.1:{port}/background.png",
            "file:///etc/hostname",
            f"{TEMPLATES.resolve().as_uri()}/perfkit/../../../../../../etc/hostname",  # resolves outside
        ]
    )  # not the data: image, not perfkit.css, and not the attachments, which are never even asked for
    assert len(_Recorder.hits) == before  # refused before any connection was made
    reader = PdfReader(tmp_path / "fetch.pdf")
    assert reader.attachments == {}
    assert len(reader.pages[0].images) == 1  # the data: image, and only it
    assert "Page 1 of 1" in reader.pages[0].extract_text()  # perfkit.css, a package asset, was fetched and applied


def test_the_pdf_export_refuses_by_default(tmp_path, server):
    """export_pdf as the pipeline calls it, with no fetcher given: still nothing fetched or attached."""
    before = len(_Recorder.hits)
    export_pdf(_live_html(server.server_address[1]), tmp_path / "default.pdf")
    assert len(_Recorder.hits) == before
    assert PdfReader(tmp_path / "default.pdf").attachments == {}


# --- console: markup and escape sequences in the data -------------------------------------------------------


@pytest.fixture
def tiny(tmp_path):
    target = tmp_path / "council"
    shutil.copytree(FIXTURES / "tiny", target)
    return target


def _add_actual(folder: Path, code: str) -> None:
    with open(folder / "actuals.csv", "a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow([code, QUARTER, "50", "", "", ""])


def test_markup_in_a_code_is_printed_as_text_and_validate_ends_normally(tiny, capsys, monkeypatch):
    for k, v in WIDE.items():
        monkeypatch.setenv(k, v)
    _add_actual(tiny, "A1[/bold]")
    assert cli.main(["validate", "--data", str(tiny)]) == cli.EXIT_INVALID
    out = capsys.readouterr().out
    assert "'A1[/bold]' is not a metric in the metrics table." in out
    assert "1 error and 1 warning: fix the errors and run perfkit validate again." in out


def test_escape_sequences_in_the_data_never_reach_the_terminal(tiny, capsys, monkeypatch):
    for k, v in WIDE.items():
        monkeypatch.setenv(k, v)
    _add_actual(tiny, "A1\x1b[2J\x1b]0;owned\x07\x9b31m\x00")
    assert cli.main(["validate", "--data", str(tiny)]) == cli.EXIT_INVALID
    captured = capsys.readouterr()
    shown = captured.out + captured.err
    assert "'A1' is not a metric in the metrics table." in shown
    assert not [c for c in shown if c != "\n" and (ord(c) < 32 or 127 <= ord(c) < 160)]


def test_an_error_message_quoting_the_input_is_printed_without_its_escape_sequences(tiny, capsys):
    # a quarter that cannot be understood is invalid usage: nothing was attempted (DESIGN §7)
    assert cli.main(["run", "--data", str(tiny), "--quarter", "2024/25 Q9\x1b[31m", "--formats", "html"]) == 2
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out + captured.err
    assert "2024/25 Q9" in captured.err


def test_a_notebook_named_with_markup_and_escapes_is_run_and_shown_as_text(tiny, tmp_path, capsys, monkeypatch):
    """A file name is data too: in the progress lines and in the appendix's header."""
    for k, v in WIDE.items():
        monkeypatch.setenv(k, v)
    stem = "<img src=x onerror=alert(1)>[red] brief\x1b[31m"
    notebook = tmp_path / f"{stem}.ipynb"
    write_notebook(notebook, new_markdown_cell("## Key"), "from perfkit import report\nreport.status_key()")
    out = tmp_path / "out"
    args = ["run", "--data", str(tiny), "--quarter", QUARTER, "--out", str(out), "--formats", "html"]
    code = cli.main([*args, "--notebook", str(notebook)])
    captured = capsys.readouterr()
    assert code == cli.EXIT_OK, captured.out + captured.err
    assert f"✔ {QUARTER} <img src=x onerror=alert(1)>[red] brief in " in captured.out
    assert "\x1b" not in captured.out + captured.err
    page = _Page((out / SLUG / f"{stem}.html").read_text(encoding="utf-8"))
    assert [t for t, _ in page.tags if t in ("img", "script")] == []  # the file name made no tag
    assert f"{stem.capitalize()}, {QUARTER} – Tiny Test Council" in page.text  # the <title>


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain words", "plain words"),
        ("red\x1b[31m text\x1b[0m", "red text"),
        ("8-bit \x9b1;31mCSI", "8-bit CSI"),
        ("title \x1b]0;new title\x07set", "title set"),
        ("title \x1b]0;new title\x1b\\set", "title set"),
        ("device \x1bP1$r0m\x1b\\control", "device control"),
        ("charset \x1b(Bswitch", "charset switch"),
        ("bell\x07 nul\x00 del\x7f cr\r", "bell nul del cr"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("bidi \u202eevil\u202c text", "bidi evil text"),
    ],
)
def test_plain_removes_escape_sequences_and_control_characters(text, shown):
    assert plain(text) == shown


def test_progress_lines_show_names_with_brackets_exactly_and_without_escape_sequences(tmp_path):
    from rich.console import Console

    from perfkit.batch.executors import BatchSummary
    from perfkit.batch.jobs import Job, JobResult
    from perfkit.batch.progress import Progress
    from perfkit.periods import parse_quarter

    job = Job(parse_quarter(QUARTER), tmp_path / "brief [red]x[bold]\x1b[2J\\.ipynb", tmp_path, tmp_path)
    console = Console(record=True, width=300, highlight=False, emoji=False)
    done = JobResult(job, [tmp_path / "[/i]\x1b]0;t\x07.html"], 1.25)
    failed = JobResult(job, error="The notebook failed: KeyError: '[/red]\x1b[31m'.")
    with Progress(console, verbose=True) as show:
        show.start([job, job], [job])
        show.done(done)
        show.done(failed)
        show.summary(BatchSummary([done, failed]))
    label = f"{QUARTER} brief [red]x[bold]\\"
    assert console.export_text().splitlines() == [
        "2 notebooks to run, 1 up to date.",
        f"– {label}: up to date, skipped",
        f"✔ {label} in 1.2 s ()",
        f"    {tmp_path}/[/i].html",
        f"✖ {label} failed",
        "",
        "1 of 2 notebooks failed:",
        f"  - {label}: The notebook failed: KeyError: '[/red]'.",
        "Done: 1 run, 0 up to date, 1 failed.",
    ]


# --- files: logs and temporary files --------------------------------------------------------------------------


def _broken(*args, **kwargs):
    raise RuntimeError("a bug in perfkit")


def _log_path(err: str) -> Path:
    return Path(err.split("The details are in ")[1].split("; please send")[0])


def test_an_internal_error_is_logged_to_a_new_private_file_in_the_output_folder(tiny, tmp_path, capsys, monkeypatch):
    import perfkit.pipeline

    monkeypatch.setattr(perfkit.pipeline, "run", _broken)
    out = tmp_path / "out"
    out.mkdir()
    logs = []
    for _ in range(2):
        assert cli.main(["run", "--data", str(tiny), "--out", str(out)]) == cli.EXIT_INTERNAL
        err = capsys.readouterr().err
        assert "Traceback" not in err
        logs.append(_log_path(err))
    assert logs[0] != logs[1]  # one file per error: an earlier log is never overwritten
    for log in logs:
        assert log.parent == out and log.name.startswith("perfkit-error-") and log.suffix == ".log"
        assert stat.S_IMODE(log.lstat().st_mode) == 0o600 and not log.is_symlink()
        assert "RuntimeError: a bug in perfkit" in log.read_text(encoding="utf-8")


def test_a_link_planted_at_the_old_log_path_is_never_followed(tiny, tmp_path, capsys, monkeypatch):
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    victim = tmp_path / "victim.txt"
    victim.write_text("the user's file\n", encoding="utf-8")
    (shared / "perfkit-error.log").symlink_to(victim)
    monkeypatch.setattr(cli, "validate_folder", _broken)

    assert cli.main(["validate", "--data", str(tiny)]) == cli.EXIT_INTERNAL
    log = _log_path(capsys.readouterr().err)
    assert victim.read_text(encoding="utf-8") == "the user's file\n"
    assert log.parent.parent == shared and log.parent.name.startswith("perfkit-error-")
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700  # a folder no one else can plant a link in
    assert "RuntimeError: a bug in perfkit" in log.read_text(encoding="utf-8")


@pytest.mark.parametrize("planted", ["link to a file", "dangling link", "file"])
def test_create_exclusive_never_opens_what_is_already_there(tmp_path, planted):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    path = tmp_path / "new.log"
    if planted == "file":
        path.write_text("keep too", encoding="utf-8")
    else:
        path.symlink_to(victim if planted == "link to a file" else tmp_path / "nowhere")
    with pytest.raises(FileExistsError):
        create_exclusive(path)
    assert victim.read_text(encoding="utf-8") == "keep"
    assert not (tmp_path / "nowhere").exists()


def test_create_unique_makes_new_owner_only_files(tmp_path):
    made = [create_unique(tmp_path, "run-", ".log") for _ in range(3)]
    for path, f in made:
        f.close()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len({p for p, _ in made}) == 3


def test_write_atomic_replaces_a_planted_link_instead_of_writing_through_it(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    target = tmp_path / "manifest.json"
    target.symlink_to(victim)
    write_atomic(target, "new\n")
    assert victim.read_text(encoding="utf-8") == "keep"
    assert not target.is_symlink() and target.read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json", "victim.txt"]  # no temporary file left


def test_write_atomic_leaves_the_old_file_and_no_temporary_file_when_it_fails(tmp_path, monkeypatch):
    target = tmp_path / "manifest.json"
    target.write_text("old", encoding="utf-8")

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_the_manifest_is_written_without_following_links_planted_in_the_quarter_folder(tmp_path):
    from perfkit.batch.jobs import JobResult, plan_jobs
    from perfkit.batch.publishing import publish
    from perfkit.batch.swap import make_staging
    from perfkit.data.register import load_register
    from perfkit.periods import parse_quarter

    folder = tmp_path / "out" / SLUG
    folder.mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    (folder / ".manifest.json.tmp").symlink_to(victim)  # where the manifest's temporary file used to be
    (folder / "manifest.json").symlink_to(victim)
    nb = tmp_path / "pack.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), nb)
    job = plan_jobs(load_register(FIXTURES / "tiny"), [parse_quarter(QUARTER)], tmp_path / "out", ("html",), [nb])[0]
    staging = make_staging(tmp_path / "out", "built")  # a job's files as a worker leaves them, then published
    (staging / "pack.html").write_text("pack", encoding="utf-8")
    assert publish(JobResult(job, [staging / "pack.html"], staging=staging)).ok
    path = folder / "manifest.json"
    assert victim.read_text(encoding="utf-8") == "keep"
    assert not path.is_symlink()
    assert '"quarter": "2024/25 Q2"' in path.read_text(encoding="utf-8")


# --- exit codes -----------------------------------------------------------------------------------------------


def test_help_lists_the_exit_codes():
    proc = subprocess.run([sys.executable, "-m", "perfkit.cli", "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    lines = [line.strip() for line in proc.stdout.split("exit codes:")[1].strip().splitlines()]
    assert [line.split()[0] for line in lines] == ["0", "1", "2", "3", "130"]
    assert lines[0] == "0    success"
    assert lines[3].startswith("3    an internal error") and "log file" in lines[3]
    assert lines[4].startswith("130  interrupted")
