"""``outputs/index.html``: every report a run has published, with its counts and links (design §6).

The page is made from the quarters' manifests, not from what one run made, so it lists
every report in the output folder whichever run made it: each quarter's appendix and
each objective's update (and the survey appendix and a council's own notebooks), with
the counts the manifest recorded and relative links to the HTML and PDF. It is
rewritten atomically at the end of every run that would change it, a run whose jobs were
all fresh included, so it never lists a report that is not there or misses one that is; an
unchanged rerun (:mod:`perfkit.batch.rerun`) compares a digest of its inputs
(:func:`index_inputs`) with the one recorded beside the page's hash instead of making it again.

It is one self-contained file (its style inline, no script, no font, no image) and
passes axe-core's WCAG 2.2 AA checks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..batch.manifest import last_success, read_manifest
from ..batch.swap import current_folder
from ..periods import Quarter, long_date, parse_quarter
from .safe_files import write_atomic

__all__ = ["INDEX", "ReportLink", "find_reports", "index_inputs", "render_index", "write_index"]

INDEX = "index.html"
TEMPLATES = Path(__file__).resolve().parent / "templates"

#: How the page names the reports it knows, in the order it lists them within a quarter.
_KINDS = {"quarterly": "Quarterly performance report", "survey": "Residents' survey", "objective": "Objective update"}


#: The order of the counts: the groups of design §4, then trend metrics.
_ORDER = ("on_track", "within_tolerance", "exception", "other", "trend")
#: The symbol beside each count's word, as in the reports: never colour alone.
_SYMBOLS = {"on_track": "✔", "within_tolerance": "▲", "exception": "✖", "other": "●", "trend": "↗"}


@dataclass(frozen=True)
class ReportLink:
    """One published report as the landing page lists it.

    Attributes
    ----------
    quarter
        The quarter it reports.
    name
        The stem of its files (``quarterly_performance``, ``objective-<slug>``).
    title
        What the page calls it.
    kind
        ``quarterly``, ``objective``, ``survey`` or ``other``.
    links
        ``(format, path relative to the output folder)`` of each of its HTML and PDF files.
    counts
        ``(symbol, word, number)`` of each group (on track, within tolerance, exception, other, trend),
        or empty when the manifest recorded none.
    total
        Metrics counted in the groups (trend metrics apart).
    """

    quarter: Quarter
    name: str
    title: str
    kind: str
    links: tuple[tuple[str, str], ...] = ()
    counts: tuple[tuple[str, str, int], ...] = field(default_factory=tuple)
    total: int = 0


def _quarter_folders(out_dir: Path) -> list[tuple[Quarter, Path]]:
    found = {}
    for path in out_dir.iterdir() if out_dir.is_dir() else []:
        if path.name.startswith("."):
            continue
        try:
            quarter = parse_quarter(path.name)
        except Exception:  # a folder of something else: not a quarter's
            continue
        if quarter.slug == path.name:
            found[quarter] = current_folder(out_dir, path.name)
    return sorted(found.items(), key=lambda item: item[0].index, reverse=True)


def _report(quarter: Quarter, folder: Path, name: str, entry: dict) -> ReportLink | None:
    good = last_success(entry)
    if good is None:
        return None
    outputs = good.get("outputs", {})
    links = tuple(
        (fmt.upper(), f"{quarter.slug}/{name}.{fmt}")
        for fmt in ("html", "pdf")
        if f"{name}.{fmt}" in outputs and (folder / f"{name}.{fmt}").is_file()
    )
    if not links:
        return None
    summary: dict = good["summary"] if isinstance(good.get("summary"), dict) else {}
    parameters: dict = good["parameters"] if isinstance(good.get("parameters"), dict) else {}
    objective = parameters.get("objective") if isinstance(parameters.get("objective"), str) else ""
    if objective:
        kind, title = "objective", f"Objective update: {objective}"
    elif name == "quarterly_performance":
        kind, title = "quarterly", _KINDS["quarterly"]
    elif name == "survey_demographics":
        kind, title = "survey", _KINDS["survey"]
    else:
        kind, title = "other", name.replace("_", " ").replace("-", " ").capitalize()
    counts: tuple[tuple[str, str, int], ...] = ()
    raw, words = summary.get("counts"), summary.get("words")
    if isinstance(raw, dict) and isinstance(words, dict):
        # the manifest keeps its keys sorted: the page shows them in the groups' order
        keys = sorted(raw, key=lambda k: (_ORDER.index(k) if k in _ORDER else len(_ORDER), k))
        counts = tuple(
            (_SYMBOLS.get(k, ""), str(words.get(k, k)), raw[k])
            for k in keys
            if isinstance(raw[k], int) and not isinstance(raw[k], bool)
        )
    total = summary.get("total", 0)
    return ReportLink(quarter, name, title, kind, links, counts, total if isinstance(total, int) else 0)


def find_reports(out_dir: Path) -> list[ReportLink]:
    """Every report published in ``out_dir`` with an HTML or PDF file, latest quarter first.

    Within a quarter the quarterly appendix comes first, then the objectives' updates
    (in name order), the survey appendix and any other notebook. A report whose last run
    failed is listed with its last good files, as they are still published.
    """
    order = {"quarterly": 0, "objective": 1, "survey": 2, "other": 3}
    reports = []
    for quarter, folder in _quarter_folders(Path(out_dir)):
        manifest = read_manifest(folder)
        found = [r for name, e in manifest.jobs.items() if (r := _report(quarter, folder, name, e)) is not None]
        reports += sorted(found, key=lambda r: (order[r.kind], r.title.casefold()))
    return reports


def index_inputs(reports: list[ReportLink], council: str = "", today: dt.date | None = None) -> str:
    """A digest of everything :func:`render_index` makes the page from but perfkit's code.

    The reports, the council, the day and the versions of the template engine (jinja2 and
    markupsafe, which could lay the same page out otherwise). An unchanged rerun
    (:mod:`perfkit.batch.rerun`) compares it with the one recorded beside the page's hash to know
    that the page would not change, without loading the template engine.

    Examples
    --------
    >>> day = dt.date(2024, 10, 1)
    >>> index_inputs([], "Tiny", day) == index_inputs([], "Tiny", day) != index_inputs([], "Tiny", dt.date(2024, 10, 2))
    True
    """
    from importlib.metadata import version

    produced = long_date(today or dt.date.today())
    engine = [version("jinja2"), version("markupsafe")]  # another version may lay the page out otherwise
    text = json.dumps([[dataclasses.astuple(r) for r in reports], council, produced, engine], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_index(reports: list[ReportLink], council: str = "", today: dt.date | None = None) -> str:
    """The landing page's HTML (the template is ``templates/landing.html.j2``), dated ``today`` (default: now)."""
    # imported here: an unchanged rerun checks the page without them (see index_inputs)
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from ..narrative import count_phrase

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    template = env.get_template("landing.html.j2")
    quarters: dict[Quarter, list[ReportLink]] = {}
    for r in reports:
        quarters.setdefault(r.quarter, []).append(r)
    today = today or dt.date.today()
    return template.render(
        council=council,
        quarters=list(quarters.items()),
        count=len(reports),
        count_text=count_phrase(len(reports), "report").capitalize(),
        produced=long_date(today),
    )


def write_index(out_dir: Path, council: str = "") -> Path:
    """Rewrite ``<out_dir>/index.html`` atomically from the manifests in ``out_dir``; returns its path.

    A page that would not change is left as it is, so a run that changes nothing touches no file.
    """
    path = Path(out_dir) / INDEX
    page = render_index(find_reports(Path(out_dir)), council).encode("utf-8")
    try:
        same = not path.is_symlink() and path.read_bytes() == page
    except OSError:
        same = False
    if not same:
        write_atomic(path, page)
    return path
