"""perfkit's speed and memory goals, measured side by side in one run.

    make bench                      # or: .venv/bin/python benchmarks/run.py [--repeat 3] [--quick] [--only NAME]

Prints a table and writes benchmarks/RESULTS.md. Each time is the median of
``--repeat`` runs (at least three for the committed results). Large inputs are
generated, seeded, under benchmarks/work/ (ignored by git).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work"
BIN = Path(sys.executable).parent
DEMO = ROOT / "data" / "demo"
QUARTER = "2024-25-Q2"
RANGE = ("--from", "2022/23 Q3", "--to", "2024/25 Q2")  # eight quarters
sys.path.insert(0, str(ROOT))
from perfkit.batch.jobs import AUTO_MAX_JOBS, usable_cpus  # noqa: E402  (what --jobs auto chooses here)
from tests.support.generate import make_register, make_survey_wave  # noqa: E402  (the seeded generators the tests use too)


@dataclass
class Row:
    """One line of the results table."""

    measurement: str
    value: str
    goal: str = ""
    met: str = ""
    note: str = ""


def run(cmd: list, **kw) -> float:
    """Run a command, fail loudly if it fails, return its wall time."""
    t = time.perf_counter()
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(map(str, cmd))}\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def median(fn, repeat: int) -> float:
    return statistics.median(fn() for _ in range(repeat))


def perfkit(*args) -> float:
    return run([BIN / "perfkit", *args, "--quiet"])


def verdict(ok: bool) -> str:
    return "yes" if ok else "NO"


# 1 -------------------------------------------------------------------------------------------
def bare_quarter(out: Path) -> float:
    """Both appendices by hand: papermill, then jupyter nbconvert, then the same PDF engine."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    t = time.perf_counter()
    for name in ("quarterly_performance", "survey_demographics"):
        run(
            [
                BIN / "papermill",
                ROOT / "notebooks" / f"{name}.ipynb",
                out / f"{name}.ipynb",
                "-p",
                "quarter",
                QUARTER,
                "-p",
                "data_dir",
                DEMO,
                "--no-progress-bar",
                # the notebooks name the project's kernel, which only `make lab` registers;
                # by hand one runs them on the environment's python3 kernel, the same interpreter
                "-k",
                "python3",
            ],
            cwd=ROOT / "notebooks",
        )
        run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", out / f"{name}.ipynb"])
        run([BIN / "weasyprint", "--pdf-variant", "pdf/ua-1", out / f"{name}.html", out / f"{name}.pdf"])
    return time.perf_counter() - t


def one_quarter(repeat: int) -> list[Row]:
    ours = median(
        lambda: perfkit("run", "--data", DEMO, "--quarter", QUARTER, "--out", WORK / "q-ours", "--force"), repeat
    )
    bare = median(lambda: bare_quarter(WORK / "q-bare"), repeat)
    ratio = ours / bare
    return [
        Row("1. One quarter, both appendices, HTML + PDF: perfkit run", f"{ours:.1f} s"),
        Row("1. Same by hand: papermill + jupyter nbconvert + weasyprint", f"{bare:.1f} s"),
        Row(
            "1. Ratio perfkit / by hand",
            f"{ratio:.2f}",
            "≤ 0.5",
            verdict(ratio <= 0.5),
            "perfkit also validates, writes metric_status.csv, survey CSV/JSON and the manifest",
        ),
    ]


SPREADSHEETS_SCRIPT = """
import sys, time
t = time.perf_counter()
import perfkit as pk
from perfkit.publish.spreadsheets import metric_status_xlsx, survey_estimates_xlsx
from perfkit.survey.estimates import ESTIMATE_COLUMNS, EXTRA_COLUMNS
reg = pk.load_register(sys.argv[1])
q = pk.parse_quarter(sys.argv[2])
table = pk.assess(reg, q)
srv = pk.prepare_survey(sys.argv[1], q) if len(sys.argv) > 3 else None
t, cpu = time.perf_counter(), time.process_time()  # from here on, what the spreadsheets add (gptables' import too)
metric_status_xlsx(table, reg.council.name, q.label)
if srv is not None:
    survey_estimates_xlsx(srv.estimates, ESTIMATE_COLUMNS + EXTRA_COLUMNS, "x", srv.current.wave.title, 10)
print(time.perf_counter() - t, time.process_time() - cpu)
"""


#: main before the table sheets' cells were written straight to XlsxWriter (--xlsx-baseline for another)
XLSX_BASELINE = "3d848dee14c87628018e8b68ed2698b7e034cdd9"


def _spreadsheet_seconds(folder: Path, quarter: str, survey: bool, tree: Path = ROOT) -> tuple[float, float]:
    """Wall and CPU seconds the spreadsheets take, in a fresh interpreter running perfkit from ``tree``."""
    cmd = [sys.executable, "-c", SPREADSHEETS_SCRIPT, folder, quarter, *(["survey"] if survey else [])]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    # in WORK: python -c puts the folder it runs in first on sys.path, ahead of PYTHONPATH
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=True, env=env, cwd=WORK)
    wall, cpu = proc.stdout.split()[-2:]
    return float(wall), float(cpu)


def spreadsheets(repeat: int, ref: str = XLSX_BASELINE) -> list[Row]:
    """What metric_status.xlsx and survey_estimates.xlsx add to a one-quarter run, of the demo and at 5,000 metrics.

    At 5,000 metrics the workbook is written before (``ref``, unpacked from git) and now, taking turns
    in each repetition, so that a busy moment of a shared machine falls on both.
    """
    load_before = _load()
    run_time = median(
        lambda: perfkit("run", "--data", DEMO, "--quarter", QUARTER, "--out", WORK / "q-xlsx", "--force"), repeat
    )
    books = median(lambda: _spreadsheet_seconds(DEMO, QUARTER, True)[0], repeat)
    share = books / run_time
    folder = WORK / "xlsx-5000"
    if not (folder / "metrics.csv").exists():
        make_register(folder, 5000, n_quarters=12)
    quarter = pk_latest(folder)
    large_run = median(
        lambda: perfkit("run", "--data", folder, "--quarter", quarter, "--out", WORK / "q-xlsx-5000", "--force"),
        repeat,
    )
    trees = {"before": baseline_tree(ref), "now": ROOT}
    large: dict[str, list[tuple[float, float]]] = {which: [] for which in trees}
    for _ in range(repeat):
        for which, tree in trees.items():
            large[which].append(_spreadsheet_seconds(folder, quarter, False, tree))
    wall = {which: statistics.median(w for w, _ in times) for which, times in large.items()}
    cpu = {which: statistics.median(c for _, c in times) for which, times in large.items()}
    return [
        Row(
            "S. One quarter of the demo, both appendices: perfkit run",
            f"{run_time:.1f} s",
            note=f"{load_before} at the start of these rows, {_load()} at their end",
        ),
        Row(
            "S. Writing metric_status.xlsx and survey_estimates.xlsx in it",
            f"{books:.2f} s ({100 * share:.1f}%)",
            "≤ 10% of the run",
            verdict(share <= 0.10),
            "gptables' import included; measured in a fresh interpreter",
        ),
        Row("S. 5,000 metrics, one quarter, both appendices: perfkit run", f"{large_run:.1f} s"),
        Row(
            "S. metric_status.xlsx of the 5,000-metric register: before / now",
            f"{wall['before']:.2f} / {wall['now']:.2f} s ({100 * wall['now'] / large_run:.1f}% of its run)",
            "≤ 10% of the run",
            verdict(wall["now"] <= 0.10 * large_run),
            f"CPU {cpu['before']:.2f} / {cpu['now']:.2f} s; before = {ref[:7]}, the table's cells written by gptables, "
            "now straight to XlsxWriter; gptables' import included, in a fresh interpreter",
        ),
    ]


def pk_latest(folder: Path) -> str:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, perfkit as pk; print(pk.load_register(sys.argv[1]).latest_quarter().slug)",
            str(folder),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


# 2, 3 ----------------------------------------------------------------------------------------
def eight_quarters(repeat: int) -> list[Row]:
    out = WORK / "range"
    cold = median(lambda: perfkit("run", "--data", DEMO, *RANGE, "--out", out, "--force", "--jobs", "1"), repeat)
    rerun = median(lambda: perfkit("run", "--data", DEMO, *RANGE, "--out", out), repeat)
    two = median(
        lambda: perfkit("run", "--data", DEMO, *RANGE, "--out", WORK / "range2", "--force", "--jobs", "2"), repeat
    )
    jobs = sum(
        len(json.loads((out / q / "manifest.json").read_text())["jobs"])
        for q in os.listdir(out)
        if (out / q / "manifest.json").exists()
    )
    return [
        Row(f"2. Eight quarters cold ({jobs} notebooks), --jobs 1", f"{cold:.1f} s"),
        Row("2. Unchanged rerun of the eight quarters", f"{rerun:.2f} s"),
        Row("2. Rerun / cold", f"{rerun / cold:.1%}", "≤ 1%", verdict(rerun / cold <= 0.01)),
        Row("3. Eight quarters cold, --jobs 2", f"{two:.1f} s"),
        Row(
            "3. --jobs 2 / --jobs 1", f"{two / cold:.2f}", "≤ 0.5", verdict(two / cold <= 0.5), f"{os.cpu_count()} CPUs"
        ),
    ]


# 4 -------------------------------------------------------------------------------------------
LOAD_SCRIPT = """
import sys, time
t = time.perf_counter()
import perfkit as pk
reg = pk.load_register(sys.argv[1])
table = pk.assess(reg, reg.latest_quarter())
print(time.perf_counter() - t)
"""


def register_scale(repeat: int, sizes: list[int]) -> list[Row]:
    rows, run_times = [], {}
    for n in sizes:
        folder = WORK / f"register-{n}"
        if not (folder / "actuals.csv").exists():
            make_register(folder, n, n_quarters=12)

        def load(folder: Path = folder) -> float:
            out = subprocess.run(
                [sys.executable, "-c", LOAD_SCRIPT, folder], capture_output=True, text=True, check=True
            )
            return float(out.stdout.strip())

        t_load = median(load, repeat)
        t_run = median(
            lambda folder=folder, n=n: perfkit(
                "run", "--data", folder, "--quarter", QUARTER, "--out", WORK / f"out-{n}", "--force"
            ),
            repeat,
        )
        run_times[n] = t_run
        pages = _pdf_pages(WORK / f"out-{n}" / QUARTER / "quarterly_performance.pdf")
        goal = "≤ 2 s" if n == max(sizes) else ""
        rows.append(
            Row(
                f"4. {n:,} metrics × 12 quarters: load, validate and assess",
                f"{t_load:.2f} s",
                goal,
                verdict(t_load <= 2) if goal else "",
                "including Python and pandas start-up",
            )
        )
        rows.append(
            Row(f"4. {n:,} metrics: one-quarter run, HTML + PDF", f"{t_run:.1f} s", "", "", f"PDF {pages} pages")
        )
    small, big = min(sizes), max(sizes)
    ratio = run_times[big] / run_times[small]
    rows.append(Row(f"4. Run at {big:,} / run at {small:,} metrics", f"{ratio:.2f}", "≤ 2", verdict(ratio <= 2)))
    return rows


def _pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


# 5 -------------------------------------------------------------------------------------------
# Weighting and estimation are timed on their own, on generated responses without a data folder,
# so this reaches below the public API: perfkit.survey's Question, WaveConfig and rake, and estimate_wave.
SURVEY_SCRIPT = """
import datetime as dt, json, resource, sys, time
sys.path.insert(0, sys.argv[2])
from tests.support.generate import make_survey
from perfkit.survey import Question, WaveConfig, rake
from perfkit.survey.estimates import estimate_wave
n = int(sys.argv[1])
frame, margins = make_survey(n)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
questions = tuple(Question(f"q{i}", f"Question {i}", ("Very satisfied", "Fairly satisfied"), ("Don't know",))
                  for i in range(10))
wave = WaveConfig("bench", None, "Benchmark", dt.date(2024, 7, 31), "respondent_id", ("age_band", "sex", "ward"),
                  ("age_band", "sex", "ward", "disability", "ethnicity"), 10, questions)
t = time.perf_counter()
w = rake(frame, margins, list(wave.weight_by))
est, _ = estimate_wave(frame, w.weights, wave, margins)
elapsed = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "peak_mb": peak / 1024, "data_mb": before / 1024, "rows": len(est)}))
"""


# 5c ------------------------------------------------------------------------------------------
# A sampling design (DESIGN §5 v2): strata, household clusters, design weights and fpc, raked as before.
DESIGN_SCRIPT = """
import datetime as dt, json, resource, sys, time
sys.path.insert(0, sys.argv[2])
from tests.support.generate import make_design_survey
from perfkit.survey import Question, WaveConfig, rake
from perfkit.survey.design import build_design, design_weights
from perfkit.survey.estimates import estimate_wave
n = int(sys.argv[1])
frame, margins = make_design_survey(n)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
questions = tuple(Question(f"q{i}", f"Question {i}", ("Very satisfied", "Fairly satisfied"), ("Don't know",))
                  for i in range(10))
wave = WaveConfig("bench", None, "Benchmark", dt.date(2024, 7, 31), "respondent_id", ("age_band", "sex", "ward"),
                  ("age_band", "sex", "ward", "disability", "ethnicity"), 10, questions, weight="design_weight",
                  strata="ward", cluster="household_id", fpc="ward_households")
t, cpu = time.perf_counter(), time.process_time()
start = design_weights(frame, wave, "responses.csv")
design = build_design(frame, wave, "responses.csv")
w = rake(frame, margins, list(wave.weight_by), start=start)
est, _ = estimate_wave(frame, w.weights, wave, margins, design)
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "cpu": cpu, "peak_mb": peak / 1024, "data_mb": before / 1024,
                  "rows": len(est), "clusters": len(design.psu_stratum), "strata": len(design.n_psu)}))
"""


def survey_design(repeat: int, n: int) -> list[Row]:
    """Weight and estimate ``n`` respondents in strata and household clusters, with design weights and fpc."""
    results = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", DESIGN_SCRIPT, str(n), ROOT], capture_output=True, text=True, check=True
        )
        results.append(json.loads(out.stdout))
    seconds = statistics.median(r["seconds"] for r in results)
    peak = statistics.median(r["peak_mb"] for r in results)
    first = results[0]
    cpu = statistics.median(r["cpu"] for r in results)
    what = (
        f"{first['strata']} strata, {first['clusters']:,} household clusters, design weights, fpc, raked; "
        f"{cpu:.2f} s of CPU time (wall time includes waiting for a busy machine)"
    )
    return [
        Row(
            f"5c. Survey design, {n:,} respondents: weight and estimate ({first['rows']} estimates)",
            f"{seconds:.2f} s",
            "≤ 10 s",
            verdict(seconds <= 10),
            what,
        ),
        Row(
            f"5c. Survey design, {n:,} respondents: peak memory of the process",
            f"{peak:,.0f} MB",
            "≤ 2 GB",
            verdict(peak <= 2048),
            f"{statistics.median(r['data_mb'] for r in results):,.0f} MB with the responses loaded",
        ),
    ]


def survey_scale(repeat: int, sizes: list[int]) -> list[Row]:
    rows = []
    for n in sizes:
        results = []
        for _ in range(repeat):
            out = subprocess.run(
                [sys.executable, "-c", SURVEY_SCRIPT, str(n), ROOT], capture_output=True, text=True, check=True
            )
            results.append(json.loads(out.stdout))
        seconds = statistics.median(r["seconds"] for r in results)
        peak = statistics.median(r["peak_mb"] for r in results)
        data = statistics.median(r["data_mb"] for r in results)
        top = n == max(sizes)
        rows.append(
            Row(
                f"5. Survey, {n:,} respondents: weight and estimate ({results[0]['rows']} estimates)",
                f"{seconds:.2f} s",
                "≤ 10 s" if top else "",
                verdict(seconds <= 10) if top else "",
            )
        )
        rows.append(
            Row(
                f"5. Survey, {n:,} respondents: peak memory of the process",
                f"{peak:,.0f} MB",
                "≤ 2 GB" if top else "",
                verdict(peak <= 2048) if top else "",
                f"{data:,.0f} MB with the responses loaded, before weighting",
            )
        )
    return rows


# 5b ------------------------------------------------------------------------------------------
QUESTIONS_SCRIPT = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
t = time.perf_counter()
from perfkit.survey.analysis import analyse_wave
from perfkit.survey.config import load_wave_config
from perfkit.validate import validate_folder
report = validate_folder(sys.argv[1])
assert report.ok, report.errors
validated = time.perf_counter() - t
result = analyse_wave(load_wave_config(Path(sys.argv[1]) / "survey" / "2024"))
elapsed = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"validate": validated, "seconds": elapsed, "peak_mb": peak / 1024, "rows": len(result.estimates)}))
"""
#: Runs a command and reports its time and the peak memory of its largest process (the kernel included).
PEAK_SCRIPT = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, capture_output=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": time.perf_counter() - t, "peak_mb": peak / 1024}))
"""


def survey_questions(repeat: int, n_questions: int, n_respondents: int = 2000) -> list[Row]:
    """A wave of ``n_questions`` questions, 2,000 respondents and 4 breakdowns, with the demo register."""
    folder = WORK / f"survey-{n_questions}q"
    if not (folder / "survey" / "2024" / "survey.toml").exists():
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(DEMO, folder, ignore=shutil.ignore_patterns("survey"))
        make_survey_wave(folder / "survey" / "2024", n_questions, n_respondents)
    size = f"{n_questions:,} questions × {n_respondents:,} respondents × 4 breakdowns"
    results = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", QUESTIONS_SCRIPT, folder, ROOT], capture_output=True, text=True, check=True
        )
        results.append(json.loads(out.stdout))
    seconds = statistics.median(r["seconds"] for r in results)
    validate = statistics.median(r["validate"] for r in results)
    peak = statistics.median(r["peak_mb"] for r in results)
    out_dir = WORK / f"out-{n_questions}q"
    runs = []
    for _ in range(repeat):
        cmd = [BIN / "perfkit", "run", "--data", folder, "--quarter", QUARTER, "--out", out_dir, "--force", "--quiet"]
        proc = subprocess.run(
            [sys.executable, "-c", PEAK_SCRIPT, *map(str, cmd)], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(proc.stdout))
    manifest = json.loads((out_dir / QUARTER / "manifest.json").read_text())
    survey = manifest["jobs"]["survey_demographics"]["timings_seconds"]
    pages = _pdf_pages(out_dir / QUARTER / "survey_demographics.pdf")
    run_seconds = statistics.median(r["seconds"] for r in runs)
    run_peak = statistics.median(r["peak_mb"] for r in runs)
    return [
        Row(
            f"5. Survey, {size}: validate, weight and estimate ({results[0]['rows']:,} estimates)",
            f"{seconds:.1f} s",
            "≤ 30 s",
            verdict(seconds <= 30),
            f"of which validation {validate:.1f} s, including Python start-up",
        ),
        Row(f"5. Survey, {size}: peak memory of that process", f"{peak:,.0f} MB", "≤ 2 GB", verdict(peak <= 2048)),
        Row(
            f"5. Survey, {size}: one-quarter run, both appendices, HTML + PDF",
            f"{run_seconds:.1f} s",
            "completes",
            "yes",
            f"survey appendix: execute {survey['execute']:.1f} s, PDF {survey['pdf']:.1f} s, {pages} pages",
        ),
        Row(
            f"5. Survey, {size}: peak memory of the run's largest process",
            f"{run_peak:,.0f} MB",
            "≤ 2 GB",
            verdict(run_peak <= 2048),
        ),
    ]


# 6 -------------------------------------------------------------------------------------------
def time_budget(repeat: int) -> list[Row]:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    empty = WORK / "empty.ipynb"
    imports = WORK / "imports.ipynb"
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(new_notebook(cells=[new_code_cell("1")], metadata=kernel), empty)
    # what the appendices' first cells import: the package and the sections of both appendices
    nbformat.write(
        new_notebook(cells=[new_code_cell("import perfkit as pk\npk.report, pk.survey_report")], metadata=kernel),
        imports,
    )
    t_empty = median(lambda: run([BIN / "papermill", empty, WORK / "empty-out.ipynb", "--no-progress-bar"]), repeat)
    t_imports = median(
        lambda: run([BIN / "papermill", imports, WORK / "imports-out.ipynb", "--no-progress-bar"]), repeat
    )
    manifest = json.loads((WORK / "q-ours" / QUARTER / "manifest.json").read_text())
    rows = [
        Row("6. papermill with an empty notebook (process and kernel start)", f"{t_empty:.2f} s"),
        Row(
            "6. Importing perfkit in the kernel (papermill time above the empty notebook)",
            f"{t_imports - t_empty:.2f} s",
        ),
    ]
    for name, job in manifest["jobs"].items():
        t = job["timings_seconds"]
        rows.append(
            Row(
                f"6. {name}: execute (kernel start, imports, cells) / HTML / PDF",
                f"{t['execute']:.2f} / {t['html']:.2f} / {t['pdf']:.2f} s",
            )
        )
    for fname, meta in sorted(manifest["outputs"].items()):
        rows.append(Row(f"6. Size of {fname}", f"{meta['bytes'] / 1024:,.0f} KB"))
    return rows


# 7 -------------------------------------------------------------------------------------------
#: The last commit before ``import perfkit as pk`` became the front door (b91a838), whose
#: ``import perfkit`` loaded only the errors and the period helpers.
IMPORT_BASELINE = "322dd43"


def _baseline_source() -> Path | None:
    """The baseline's perfkit/ under benchmarks/work (from git), or None outside a git checkout."""
    folder = WORK / f"perfkit-{IMPORT_BASELINE}"
    if (folder / "perfkit" / "__init__.py").exists():
        return folder
    git = ["git", "-C", str(ROOT)]
    listed = subprocess.run([*git, "ls-tree", "-r", "--name-only", IMPORT_BASELINE, "perfkit"], capture_output=True)
    if listed.returncode != 0:
        return None
    for name in listed.stdout.decode().split():
        blob = subprocess.run([*git, "show", f"{IMPORT_BASELINE}:{name}"], capture_output=True, check=True).stdout
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(blob)
    return folder


IMPORT_SCRIPT = "import time; t = time.perf_counter(); import perfkit; print(time.perf_counter() - t)"


def import_time(repeat: int) -> list[Row]:
    """``import perfkit`` in a new interpreter each time, now and before the reshape.

    The import is timed inside the interpreter, so the interpreter's own start (about as long,
    and as noisy on a busy machine) is left out; no ``-X importtime``, which slows what it
    measures. The two versions take turns, many times over, so a busy moment affects both alike.
    """
    sources = {"now": ROOT, "before": _baseline_source()}
    times: dict[str, list[float]] = {k: [] for k, v in sources.items() if v is not None}
    for _ in range(10 * repeat):
        for k in times:
            env = {**os.environ, "PYTHONPATH": str(sources[k])}
            out = subprocess.run([sys.executable, "-c", IMPORT_SCRIPT], capture_output=True, text=True, env=env)
            times[k].append(float(out.stdout))
    now = statistics.median(times["now"])
    if "before" not in times:
        return [Row("7. import perfkit in a new interpreter", f"{now * 1000:.1f} ms", "", "", "no git: no baseline")]
    before = statistics.median(times["before"])
    return [
        Row(f"7. import perfkit before the reshape ({IMPORT_BASELINE})", f"{before * 1000:.1f} ms"),
        Row(
            "7. import perfkit now (import perfkit as pk)",
            f"{now * 1000:.1f} ms",
            "≤ 1.1 × before",
            verdict(now <= before * 1.1),
            f"{now / before:.2f} × before; median of {10 * repeat} new interpreters each",
        ),
    ]


# 8 -------------------------------------------------------------------------------------------
VALIDATE_SCRIPT = """
import contextlib, io, json, resource, sys, time
t = time.perf_counter()
from perfkit import cli
with contextlib.redirect_stdout(io.StringIO()):
    code = cli.main(["validate", "--data", sys.argv[1]])
elapsed = time.perf_counter() - t
try:  # this process's own high-water mark (ru_maxrss would include what the parent held when forking)
    status = open("/proc/self/status").read()
    peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
except (OSError, IndexError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"code": code, "seconds": elapsed, "peak_mb": peak}))
"""


def _validate(folder: Path, repeat: int) -> tuple[float, float]:
    """Median seconds and peak memory of ``perfkit validate`` in a fresh process (start-up included)."""
    results = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", VALIDATE_SCRIPT, folder], capture_output=True, text=True, check=True, cwd=ROOT
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        if result["code"] != 0:
            raise SystemExit(f"perfkit validate found problems in the generated {folder}")
        results.append(result)
    return statistics.median(r["seconds"] for r in results), statistics.median(r["peak_mb"] for r in results)


def register_input(repeat: int, rows: int) -> list[Row]:
    big = WORK / f"actuals-{rows}"
    if not (big / "actuals.csv").exists():  # generated in a process of its own, to keep this one small
        run([sys.executable, ROOT / "tests" / "support" / "generate.py", "actuals", rows, big], cwd=ROOT)
    count = sum(1 for _ in open(big / "actuals.csv", "rb")) - 1
    seconds, peak = _validate(big, repeat)
    book = WORK / "formatted-workbook"
    if not (book / "register.xlsx").exists():
        run([sys.executable, ROOT / "tests" / "support" / "generate.py", "workbook", 50, book], cwd=ROOT)
    xlsx_seconds, xlsx_peak = _validate(book, repeat)
    top = rows >= 1_000_000
    return [
        Row(
            f"8. perfkit validate, {count:,} actuals rows (CSV)",
            f"{seconds:.1f} s",
            "≤ 10 s" if top else "",
            verdict(seconds <= 10) if top else "",
            "a fresh process: Python, pandas and perfkit start-up included",
        ),
        Row(
            f"8. perfkit validate, {count:,} actuals rows: peak memory",
            f"{peak:,.0f} MB",
            "≤ 1 GB" if top else "",
            verdict(peak <= 1024) if top else "",
        ),
        Row(
            "8. perfkit validate, register.xlsx formatted to row 1,048,576",
            f"{xlsx_seconds:.1f} s",
            "≤ 10 s",
            verdict(xlsx_seconds <= 10),
            f"peak {xlsx_peak:,.0f} MB; the actuals sheet has 6 styled empty cells in each row",
        ),
    ]


# 9 -------------------------------------------------------------------------------------------
# Service returns (design §10): a quarter's workbooks for 100 services of 50 metrics each, made, then
# filled in (not timed) and collected into a fresh copy of the register. Wall time of the command.
RETURNS_QUARTER = "2024/25 Q3"


def _fill_returns(made: Path, filled: Path) -> int:
    import openpyxl

    filled.mkdir(parents=True, exist_ok=True)
    entries = 0
    for path in sorted(made.glob("*.xlsx")):
        wb = openpyxl.load_workbook(path)
        ws = wb["Metrics"]
        for row in range(2, ws.max_row + 1):
            if ws.cell(row, 1).value:
                ws.cell(row, 11, round(50 + row * 0.7, 1))
                ws.cell(row, 15, "On course, with the new rota in place.")
                entries += 1
        wb["Instructions"]["B22"] = "Head of service"
        wb.save(filled / path.name)
    return entries


def returns_scale(repeat: int, services: int = 100, per_service: int = 50) -> list[Row]:
    folder = WORK / f"returns-{services}x{per_service}"
    if not (folder / "actuals.csv").exists():
        make_register(folder, services * per_service, n_quarters=12, n_services=services)

    def make() -> float:
        out = WORK / "returns-made"
        shutil.rmtree(out, ignore_errors=True)
        return run([BIN / "perfkit", "returns", "make", "--data", folder, "--quarter", RETURNS_QUARTER, "--out", out])

    t_make = median(make, repeat)
    made = next((WORK / "returns-made").iterdir())  # the quarter's folder
    filled = WORK / "returns-filled"
    shutil.rmtree(filled, ignore_errors=True)
    entries = _fill_returns(made, filled)

    def collect() -> float:
        target = WORK / "returns-collect"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(folder, target, ignore=shutil.ignore_patterns("returns"))
        return run([BIN / "perfkit", "returns", "collect", "--data", target, filled])

    t_collect = median(collect, repeat)
    size = f"{services} services × {per_service} metrics"
    return [
        Row(f"9. Returns, {size}: make the workbooks", f"{t_make:.1f} s", "≤ 20 s", verdict(t_make <= 20)),
        Row(
            f"9. Returns, {size}: collect them",
            f"{t_collect:.1f} s",
            "≤ 20 s",
            verdict(t_collect <= 20),
            f"{entries:,} entries written into 12 quarters of history",
        ),
    ]


# 10 ------------------------------------------------------------------------------------------
#: main as the v2 overhead was measured, before contract v2 (--baseline to compare with another commit)
V2_BASELINE = "5c805ef8d36f7768e96b2b1c5c67999952e94253"


def baseline_tree(ref: str) -> Path:
    """perfkit and its notebooks as they were at ``ref``, unpacked under benchmarks/work/."""
    folder = WORK / f"baseline-{ref[:7]}"
    if not (folder / "perfkit").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref, "perfkit", "notebooks"], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def timed(cmd: list, env: dict) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of the process and every process it waited for (its kernels too).

    CPU time is what the comparison is judged on: on a shared machine the wall time of the same
    command varies by more than the 10% being measured.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env, cwd=WORK)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(map(str, cmd))}\n{proc.stdout}\n{proc.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def v2_overhead(repeat: int, ref: str) -> list[Row]:
    """What contract v2 adds to validating and to a one-quarter run of the 5,000-metric register."""
    trees = {"before v2": baseline_tree(ref), "now": ROOT}
    v1 = WORK / "register-5000"
    v2 = WORK / "register-5000-v2"
    if not (v1 / "actuals.csv").exists():
        make_register(v1, 5000, n_quarters=12)
    if not (v2 / "highlights.csv").exists():
        make_register(v2, 5000, n_quarters=12, v2=True)

    def measure(tree: Path, *args: object) -> tuple[float, float]:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        runs = [timed([sys.executable, "-m", "perfkit.cli", *args], env) for _ in range(repeat)]
        return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)

    rows = []
    for what, args in (
        ("validate", ("validate", "--data", v1)),
        (
            "one-quarter run, HTML + PDF",
            ("run", "--data", v1, "--quarter", QUARTER, "--out", WORK / "out-v2-overhead", "--force", "--quiet"),
        ),
    ):
        (wb, cb), (wn, cn) = (measure(tree, *args) for tree in trees.values())
        rows.append(
            Row(
                f"10. 5,000 metrics (v1 data), {what}: before v2 / now",
                f"{wb:.2f} / {wn:.2f} s wall, {cb:.2f} / {cn:.2f} s CPU",
                "",
                "",
                f"before v2 = {ref[:7]}",
            )
        )
        rows.append(
            Row(f"10. v2 adds to {what} (CPU now / before)", f"{cn / cb:.2f}", "≤ 1.10", verdict(cn / cb <= 1.10))
        )
    wv, cv = measure(ROOT, "validate", "--data", v2)
    rows.append(
        Row(
            "10. 5,000 metrics using v2 throughout: validate",
            f"{wv:.2f} s wall, {cv:.2f} s CPU",
            "",
            "",
            "milestones, words, outturns, two bands, strict targets, tiers, highlights",
        )
    )
    wr, cr = measure(
        ROOT, "run", "--data", v2, "--quarter", QUARTER, "--out", WORK / "out-v2-data", "--force", "--quiet"
    )
    rows.append(
        Row("10. 5,000 metrics using v2 throughout: one-quarter run, HTML + PDF", f"{wr:.1f} s wall, {cr:.1f} s CPU")
    )
    return rows


# 11 ------------------------------------------------------------------------------------------
#: main just before kernels were started ahead and exports overlapped the next notebook (issue 18)
SPEED_BASELINE = "68a4d8a83e7b7103afaf44ab877be56460563594"


@dataclass
class Goal:
    """One of issue 18's goals: measured before and after, side by side in the same run."""

    what: str
    target: str
    before: float
    after: float
    limit: float
    percent: bool = False
    note: str = ""

    def show(self, value: float) -> str:
        return f"{value:.1%}" if self.percent else f"{value:.2f}"


#: The goals measured by ``--only speed``, written as their own table at the top of RESULTS.md.
GOALS: list[Goal] = []


def _load() -> str:
    return "load average " + " / ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1 / 5 / 15 min)"


def speed_goals(repeat: int, ref: str) -> list[Row]:
    """Issue 18's four goals, each before (``ref``, unpacked from git) and now, taking turns in each repetition.

    Each repetition runs every command once for both whichs (and the by-hand route once), so a
    busy moment of a shared machine falls on both; each figure is the median over repetitions.
    """
    trees = {"before": baseline_tree(ref), "now": ROOT}
    small, big = WORK / "register-50", WORK / "register-5000"
    for folder, n in ((small, 50), (big, 5000)):
        if not (folder / "actuals.csv").exists():
            make_register(folder, n, n_quarters=12)
    times: dict[tuple[str, str], list[float]] = {}
    cpus: dict[tuple[str, str], list[float]] = {}  # the run and every process it waited for, kernels included
    pages: dict[str, int] = {}

    def cli(which: str, what: str, *args: object, prefix: tuple[str, ...] = ()) -> None:
        env = {**os.environ, "PYTHONPATH": str(trees[which])}
        wall, cpu = timed([*prefix, sys.executable, "-m", "perfkit.cli", *args, "--quiet"], env)
        times.setdefault((what, which), []).append(wall)
        cpus.setdefault((what, which), []).append(cpu)

    load_before = _load()
    for _ in range(repeat):
        for which in trees:
            out = WORK / f"speed-{which}"
            cli(which, "quarter", "run", "--data", DEMO, "--quarter", QUARTER, "--out", out / "q", "--force")
            cli(which, "cold", "run", "--data", DEMO, *RANGE, "--out", out / "range", "--force", "--jobs", "1")
            cli(which, "rerun", "run", "--data", DEMO, *RANGE, "--out", out / "range")
            cli(which, "jobs2", "run", "--data", DEMO, *RANGE, "--out", out / "range2", "--force", "--jobs", "2")
            if which == "now" and usable_cpus() > 1 and shutil.which("taskset"):
                # the same default run confined to one CPU: how a run scales with the CPUs it is given
                one_cpu = ("taskset", "-c", str(min(os.sched_getaffinity(0))))
                cli(which, "one cpu", "run", "--data", DEMO, *RANGE, "--out", out / "range1", "--force", prefix=one_cpu)
                cli(which, "all cpus", "run", "--data", DEMO, *RANGE, "--out", out / "range1", "--force")
            for folder, n in ((small, 50), (big, 5000)):
                cli(which, f"m{n}", "run", "--data", folder, "--quarter", QUARTER, "--out", out / f"m{n}", "--force")
                pages[f"{which} {n}"] = _pdf_pages(out / f"m{n}" / QUARTER / "quarterly_performance.pdf")
        times.setdefault(("quarter", "by hand"), []).append(bare_quarter(WORK / "q-bare"))
    load_after = _load()
    t = {key: statistics.median(values) for key, values in times.items()}
    hand = t["quarter", "by hand"]
    GOALS[:] = [
        Goal(
            "1. One quarter, both appendices, HTML + PDF: perfkit / papermill + nbconvert + WeasyPrint by hand",
            "≤ 0.5",
            t["quarter", "before"] / hand,
            t["quarter", "now"] / hand,
            0.5,
            note=f"by hand {hand:.1f} s; perfkit {t['quarter', 'before']:.1f} s before, "
            f"{t['quarter', 'now']:.1f} s now; each with its default --jobs (1 before; auto now, "
            f"{min(usable_cpus(), AUTO_MAX_JOBS)} notebooks at once on this machine)",
        ),
        Goal(
            "2. Eight quarters cold (13 notebooks): --jobs 2 / --jobs 1",
            "≤ 0.5",
            t["jobs2", "before"] / t["cold", "before"],
            t["jobs2", "now"] / t["cold", "now"],
            0.5,
            note=f"{os.cpu_count()} CPUs; --jobs 1 {t['cold', 'before']:.1f} s before, {t['cold', 'now']:.1f} s now; "
            f"--jobs 2 {t['jobs2', 'before']:.1f} s before, {t['jobs2', 'now']:.1f} s now",
        ),
        Goal(
            "3. Unchanged rerun of the eight quarters, validation included / the cold run (--jobs 1)",
            "≤ 1%",
            t["rerun", "before"] / t["cold", "before"],
            t["rerun", "now"] / t["cold", "now"],
            0.01,
            percent=True,
            note=f"rerun {t['rerun', 'before']:.2f} s before, {t['rerun', 'now']:.2f} s now",
        ),
        Goal(
            "4. One-quarter run at 5,000 metrics / at 50 metrics, HTML + PDF",
            "≤ 2",
            t["m5000", "before"] / t["m50", "before"],
            t["m5000", "now"] / t["m50", "now"],
            2.0,
            note=f"50 metrics {t['m50', 'before']:.1f} s before, {t['m50', 'now']:.1f} s now; 5,000 metrics "
            f"{t['m5000', 'before']:.1f} s before, {t['m5000', 'now']:.1f} s now; PDF {pages['now 5000']} pages "
            f"(before {pages['before 5000']})",
        ),
    ]
    rows = [
        Row(g.what, g.show(g.after), g.target, verdict(g.after <= g.limit), f"before {g.show(g.before)}; {g.note}")
        for g in GOALS
    ]
    if ("one cpu", "now") in t:
        rows.append(
            Row(
                f"11. Eight quarters cold, default --jobs: on all {usable_cpus()} CPUs / confined to one CPU",
                f"{t['all cpus', 'now'] / t['one cpu', 'now']:.2f}",
                "",
                "",
                f"{t['all cpus', 'now']:.1f} s / {t['one cpu', 'now']:.1f} s (taskset): how the run scales with "
                "the CPUs it is given, which --jobs 1 (itself using two CPUs) does not show",
            )
        )
    rows.append(
        Row("11. Machine load while measuring", "", "", "", f"{load_before} at the start, {load_after} at the end")
    )
    c = {key: statistics.median(values) for key, values in cpus.items()}
    for what, label in (
        ("quarter", "one quarter, both appendices"),
        ("cold", "eight quarters cold, --jobs 1"),
        ("jobs2", "eight quarters cold, --jobs 2"),
        ("rerun", "unchanged rerun of the eight quarters"),
        ("m50", "one quarter at 50 metrics"),
        ("m5000", "one quarter at 5,000 metrics"),
    ):
        rows.append(
            Row(
                f"11. CPU time, {label}: before / now",
                f"{c[what, 'before']:.1f} / {c[what, 'now']:.1f} s",
                "",
                "",
                f"wall {t[what, 'before']:.1f} / {t[what, 'now']:.1f} s; the run and every process it waited for",
            )
        )
    rows += _time_budget_now()
    return rows


def _time_budget_now() -> list[Row]:
    """Where a one-quarter run's time goes now, from the manifest of the last run measured above."""
    manifest = json.loads((WORK / "speed-now" / "q" / QUARTER / "manifest.json").read_text())
    rows = []
    for name, job in manifest["jobs"].items():
        t = job["timings_seconds"]
        rows.append(
            Row(
                f"11. {name} now: execute (waiting for its kernel, then the cells) / HTML / PDF",
                f"{t['execute']:.2f} / {t['html']:.2f} / {t['pdf']:.2f} s",
                "",
                "",
                "the export overlaps the next notebook's execution",
            )
        )
    return rows


# 12 ------------------------------------------------------------------------------------------
#: main before a quarter's objective updates shared one kernel (--objectives-baseline for another)
OBJECTIVES_BASELINE = "5034cf4b1a654927b2548b7277728282cf491cb4"


def objective_updates(repeat: int, ref: str) -> list[Row]:
    """Issue 14 item 8: every objective's update for one quarter against the quarterly appendix alone.

    Both HTML + PDF, for the demo's one quarter, before (``ref``) and now, taking turns in each
    repetition so a busy moment of the shared machine falls on all four; each figure is the median.
    """
    trees = {"before": baseline_tree(ref), "now": ROOT}
    times: dict[tuple[str, str], list[float]] = {}
    cpus: dict[tuple[str, str], list[float]] = {}
    load_before = _load()
    for _ in range(repeat):
        for which, tree in trees.items():
            env = {**os.environ, "PYTHONPATH": str(tree)}
            out = WORK / f"objectives-{which}"
            quarterly = tree / "notebooks" / "quarterly_performance.ipynb"
            for what, args in (
                ("quarterly", ("--notebook", quarterly)),
                ("objectives", ("--objective", "all")),
            ):
                cmd = [sys.executable, "-m", "perfkit.cli", "run", "--data", DEMO, "--quarter", QUARTER]
                wall, cpu = timed([*cmd, *args, "--out", out / what, "--force", "--quiet"], env)
                times.setdefault((what, which), []).append(wall)
                cpus.setdefault((what, which), []).append(cpu)
    load_after = _load()
    t = {key: statistics.median(values) for key, values in times.items()}
    c = {key: statistics.median(values) for key, values in cpus.items()}
    made = sorted(p.name for p in (WORK / "objectives-now" / "objectives" / QUARTER).glob("objective-*.pdf"))
    rows = []
    for which in trees:
        ratio = t["objectives", which] / t["quarterly", which]
        rows.append(
            Row(
                f"12. {len(made)} objective updates / the quarterly appendix alone, one quarter, HTML + PDF ({which})",
                f"{ratio:.2f} (CPU {c['objectives', which] / c['quarterly', which]:.2f})",
                "≤ 2",
                verdict(ratio <= 2),
                f"--objective all {t['objectives', which]:.1f} s (CPU {c['objectives', which]:.1f} s); quarterly "
                f"appendix alone {t['quarterly', which]:.1f} s (CPU {c['quarterly', which]:.1f} s)"
                + (f"; before = {ref[:7]}" if which == "before" else "; one kernel for the quarter's updates")
                + f"; measured on its own (`--only objectives --repeat {repeat}`) on {time.strftime('%Y-%m-%d')}",
            )
        )
    rows.append(
        Row("12. Machine load while measuring", "", "", "", f"{load_before} at the start, {load_after} at the end")
    )
    return rows


def goals_table() -> list[str]:
    """Issue 18's goals as a table of their own: goal, before, after."""
    if not GOALS:
        return []
    lines = [
        "## Speed goals (issue 18): before and after, measured side by side",
        "",
        f"Before = {SPEED_BASELINE[:7]} (main before this work), unpacked from git under benchmarks/work/.",
        "",
        "| Goal | Target | Before | After | Met | Note |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {g.what} | {g.target} | {g.show(g.before)} | {g.show(g.after)} | {verdict(g.after <= g.limit)} | {g.note} |"
        for g in GOALS
    ]
    return [*lines, ""]


def machine() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pkgs = [
        "perfkit",
        "pandas",
        "numpy",
        "papermill",
        "nbconvert",
        "nbclient",
        "ipykernel",
        "weasyprint",
        "matplotlib",
        "scipy",
        "distributed",
    ]
    return [
        f"- Machine: {os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.machine()}",
        f"- Python {platform.python_version()}; " + ", ".join(f"{p} {version(p)}" for p in pkgs),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is reported)")
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each: a smoke test of this script")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument(
        "--only",
        choices=[
            "quarter",
            "range",
            "register",
            "survey",
            "design",
            "questions",
            "budget",
            "import",
            "input",
            "returns",
            "v2",
            "spreadsheets",
            "speed",
            "objectives",
        ],
        action="append",
        help="measure only these (repeatable); with it, write to another --output than RESULTS.md",
    )
    parser.add_argument("--baseline", default=V2_BASELINE, help="the commit contract v2 is compared with (step v2)")
    parser.add_argument(
        "--speed-baseline", default=SPEED_BASELINE, help="the commit the speed goals are compared with (step speed)"
    )
    parser.add_argument(
        "--objectives-baseline",
        default=OBJECTIVES_BASELINE,
        help="the commit the objective updates are compared with (step objectives)",
    )
    parser.add_argument(
        "--xlsx-baseline",
        default=XLSX_BASELINE,
        help="the commit metric_status.xlsx is compared with (step spreadsheets)",
    )
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat
    WORK.mkdir(parents=True, exist_ok=True)
    console = Console()
    started = time.perf_counter()
    rows: list[Row] = []
    for name, title, step in (
        ("quarter", "one quarter against papermill + nbconvert", lambda: one_quarter(repeat)),
        ("range", "eight quarters: cache and --jobs", lambda: eight_quarters(repeat)),
        ("register", "register scale", lambda: register_scale(repeat, [50, 500] if args.quick else [50, 500, 5000])),
        (
            "survey",
            "survey scale",
            lambda: survey_scale(repeat, [1000, 10000] if args.quick else [1000, 100000, 1000000]),
        ),
        (
            "design",
            "a survey with strata and clusters",
            lambda: survey_design(repeat, 10000 if args.quick else 1000000),
        ),
        ("questions", "a survey of many questions", lambda: survey_questions(repeat, 200 if args.quick else 1000)),
        ("budget", "where the time goes", lambda: time_budget(repeat)),
        ("import", "the cost of import perfkit", lambda: import_time(repeat)),
        ("input", "register input at scale", lambda: register_input(repeat, 100_000 if args.quick else 1_000_000)),
        ("returns", "service returns", lambda: returns_scale(repeat, 10 if args.quick else 100)),
        ("v2", "what contract v2 adds", lambda: v2_overhead(repeat, args.baseline)),
        (
            "spreadsheets",
            "what the accessible spreadsheets add to a quarter",
            lambda: spreadsheets(repeat, args.xlsx_baseline),
        ),
        ("speed", "the speed goals, before and after", lambda: speed_goals(repeat, args.speed_baseline)),
        (
            "objectives",
            "every objective's update against the quarterly appendix",
            lambda: objective_updates(repeat, args.objectives_baseline),
        ),
    ):
        if args.only and name not in args.only:
            continue
        console.print(f"[bold]Measuring {title}…[/bold]")
        rows += step()
    table = Table(title=f"perfkit benchmarks (median of {repeat})")
    for col in ("Measurement", "Result", "Goal", "Met", "Note"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r.measurement, r.value, r.goal, r.met, r.note)
    console.print(table)
    lines = [
        "# perfkit benchmark results",
        "",
        f"Produced by `make bench` ({' '.join(sys.argv[1:]) or 'defaults'}) on {time.strftime('%Y-%m-%d')}; "
        f"each result is the median of {repeat} runs; the whole run took {time.perf_counter() - started:,.0f} s.",
        "",
        *machine(),
        "",
        *goals_table(),
        "| Measurement | Result | Goal | Met | Note |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {r.measurement} | {r.value} | {r.goal} | {r.met} | {r.note} |" for r in rows]
    notes = ROOT / "benchmarks" / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text(encoding="utf-8").strip()]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    console.print(f"Written to {args.output}")


if __name__ == "__main__":
    main()
