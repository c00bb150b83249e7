"""Run the appendix notebooks for one or more quarters and publish their outputs.

For each quarter a job executes the notebook with papermill in a staging
folder beside the output folder, exports HTML and PDF there, writes
``metric_status.csv`` and ``manifest.json``, and only then moves each file
into ``outputs/<slug>/`` with an atomic rename. A job that fails leaves the
outputs of an earlier good run exactly as they were.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import nbformat

from . import __version__
from .assess import assess
from .errors import RunError
from .outputs import metric_status_csv, sha256_file, write_json
from .periods import Quarter
from .publish import export_html, export_pdf
from .register import Register

__all__ = ["DEFAULT_NOTEBOOKS", "FORMATS", "JobResult", "run_quarter", "project_notebook"]

FORMATS = ("html", "pdf")
NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
DEFAULT_NOTEBOOKS = ("quarterly_performance.ipynb",)


def project_notebook(name: str) -> Path:
    """The path of one of perfkit's own notebooks."""
    path = NOTEBOOK_DIR / name
    if not path.exists():
        raise RunError(f"The notebook {path} is missing. Reinstall perfkit from its source folder.")
    return path


@dataclass
class JobResult:
    """What one job (a notebook for a quarter) produced."""

    quarter: Quarter
    notebook: str
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def _versions() -> dict[str, str]:
    names = ("papermill", "nbconvert", "nbformat", "pandas", "matplotlib", "weasyprint")
    return {"perfkit": __version__, "python": platform.python_version(), **{n: version(n) for n in names}}


def _kernel_manager_class(socket_dir: Path):
    """A kernel manager that talks to the kernel over Unix sockets in a private folder.

    Local IPC needs no TCP ports (so parallel jobs cannot race for one) and
    nothing is exposed on the network, which also silences ipykernel's warning
    about unencrypted TCP.
    """
    from jupyter_client.manager import AsyncKernelManager

    class LocalKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(transport="ipc", ip=str(socket_dir / "kernel"), **kwargs)

    return LocalKernelManager


def _execute(notebook: Path, target: Path, quarter: Quarter, data_dir: Path) -> None:
    import papermill as pm  # imported here: its start-up cost is paid only when a notebook runs

    # Unix socket paths are limited to about 100 characters, so not inside a deep output folder.
    with tempfile.TemporaryDirectory(prefix="perfkit-") as sockets:
        try:
            pm.execute_notebook(
                str(notebook), str(target),
                parameters={"quarter": quarter.slug, "data_dir": str(data_dir)},
                kernel_name="python3", progress_bar=False, log_output=False,
                cwd=str(notebook.parent), kernel_manager_class=_kernel_manager_class(Path(sockets)),
            )
            return
        except pm.PapermillExecutionError as exc:
            error = exc
    source = (error.source or "").strip()
    first_line = source.splitlines()[0][:60] if source else ""
    raise RunError(
        f"The notebook {notebook.name} failed for {quarter.label} in cell [{error.exec_count}] "
        f"(which starts '{first_line}'): {error.ename}: {error.evalue}."
    ) from error


def run_quarter(register: Register, quarter: Quarter, out_dir: Path, formats: tuple[str, ...] = FORMATS,
                notebook: Path | None = None) -> JobResult:
    """Execute the appendix notebook for one quarter and publish its outputs atomically.

    Parameters
    ----------
    register
        The validated register (its folder is passed to the notebook).
    quarter
        The quarter to report.
    out_dir
        The output root; files go to ``out_dir/<slug>/``.
    formats
        Any of ``html`` and ``pdf``.
    notebook
        The notebook to run (default: perfkit's quarterly performance notebook).

    Raises
    ------
    RunError
        When the notebook or an export fails; nothing is published then.
    """
    started = time.perf_counter()
    notebook = notebook or project_notebook(DEFAULT_NOTEBOOKS[0])
    stem = notebook.stem
    final = out_dir / quarter.slug
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{quarter.slug}-", dir=out_dir))
    timings: dict[str, float] = {}
    try:
        t = time.perf_counter()
        executed = staging / f"{stem}.ipynb"
        _execute(notebook, executed, quarter, register.data_dir)
        timings["execute"] = time.perf_counter() - t

        nb = nbformat.read(executed, as_version=4)
        council = register.council
        nb.metadata["perfkit"] = {
            **nb.metadata.get("perfkit", {}),
            "council": council.name,
            "plan_title": council.plan_title,
            "report_title": nb.metadata.get("perfkit", {}).get("title", stem.replace("_", " ").capitalize()),
            "quarter": quarter.label,
            "period": f"{quarter.months}: the period ending {quarter.end:%-d %B %Y}",
            "produced": dt.date.today().strftime("%-d %B %Y"),
            "perfkit_version": __version__,
        }
        nbformat.write(nb, executed)
        produced = [executed]
        if "html" in formats or "pdf" in formats:
            t = time.perf_counter()
            html = export_html(nb)
            timings["html"] = time.perf_counter() - t
            if "html" in formats:
                (staging / f"{stem}.html").write_text(html, encoding="utf-8")
                produced.append(staging / f"{stem}.html")
            if "pdf" in formats:
                t = time.perf_counter()
                export_pdf(html, staging / f"{stem}.pdf")
                timings["pdf"] = time.perf_counter() - t
                produced.append(staging / f"{stem}.pdf")
        status_path = staging / "metric_status.csv"
        status_path.write_text(metric_status_csv(assess(register, quarter)), encoding="utf-8")
        produced.append(status_path)

        timings["total"] = time.perf_counter() - started
        manifest = {
            "quarter": quarter.label,
            "slug": quarter.slug,
            "result": "success",
            "produced_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "inputs": {
                "data_dir": str(register.data_dir),
                "files": {p.name: sha256_file(p) for p in register.files},
                "notebooks": {notebook.name: sha256_file(notebook)},
                "parameters": {"quarter": quarter.slug, "data_dir": str(register.data_dir)},
            },
            "outputs": {p.name: {"bytes": p.stat().st_size, "sha256": sha256_file(p)} for p in produced},
            "versions": _versions(),
            "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
        }
        write_json(staging / "manifest.json", manifest)
        produced.append(staging / "manifest.json")

        final.mkdir(parents=True, exist_ok=True)
        published = []
        for path in produced:  # the manifest last: it vouches for the files before it
            os.replace(path, final / path.name)
            published.append(final / path.name)
        return JobResult(quarter, notebook.name, published, time.perf_counter() - started)
    except RunError as exc:
        # Keep the executed notebook, error and all, for debugging; publish nothing else.
        kept = ""
        if (staging / f"{stem}.ipynb").exists():
            failed = final / "failed"
            failed.mkdir(parents=True, exist_ok=True)
            os.replace(staging / f"{stem}.ipynb", failed / f"{stem}.ipynb")
            kept = f" The executed notebook, with the error, is kept at {failed / f'{stem}.ipynb'}."
        raise RunError(f"{exc}{kept} No appendix was published for this quarter.") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
