"""The appendices perfkit publishes: each one's notebook, when it applies and the data files it writes.

This is the one place that knows what an appendix is made of, so the batch
runner needs no knowledge of assessment or of the survey: it executes the
notebook a job names and asks its :class:`Appendix` for the data files.

The data files are computed here from the register, not read back from the
executed notebook, on purpose: ``metric_status.csv`` and the survey estimates
are part of the output contract, so an analyst's edit to a notebook cell (a
filter, a sort) changes what the appendix shows but never what the contract
files say.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import RunError
from .periods import Quarter

if TYPE_CHECKING:  # for hints only: planning a rerun needs no pandas
    from .data.register import Register

__all__ = [
    "APPENDICES",
    "NOTEBOOK_DIR",
    "OBJECTIVE",
    "QUARTERLY",
    "SURVEY",
    "Appendix",
    "appendix_for",
    "project_notebook",
    "report_counts",
]

#: perfkit's own notebooks (a source checkout: they are edited and committed there).
NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"


def _metric_status(register: Register, quarter: Quarter, folder: Path) -> list[Path]:
    from .assess import assess
    from .publish.data_files import metric_status_csv
    from .publish.safe_files import write_atomic
    from .publish.spreadsheets import metric_status_xlsx

    table = assess(register, quarter)
    path, book = folder / "metric_status.csv", folder / "metric_status.xlsx"
    path.write_text(metric_status_csv(table), encoding="utf-8")
    council = register.council
    write_atomic(book, metric_status_xlsx(table, council.name, quarter.label, council.report.contact))
    return [path, book]


def _survey_estimates(register: Register, quarter: Quarter, folder: Path) -> list[Path]:
    from .publish.data_files import survey_estimates_csv, write_json
    from .publish.safe_files import write_atomic
    from .publish.spreadsheets import survey_estimates_xlsx
    from .survey import survey_for_quarter
    from .survey.estimates import ESTIMATE_COLUMNS, EXTRA_COLUMNS

    analysis = survey_for_quarter(register.data_dir, quarter)
    if analysis is None:
        return []
    est = folder / "survey_estimates.csv"
    est.write_text(survey_estimates_csv(analysis.estimates, ESTIMATE_COLUMNS + EXTRA_COLUMNS), encoding="utf-8")
    weighting = folder / "survey_weighting.json"
    write_json(weighting, {**analysis.current.diagnostics(), "wave": analysis.current.wave.name})
    book = folder / "survey_estimates.xlsx"
    wave, council = analysis.current.wave, register.council
    write_atomic(
        book,
        survey_estimates_xlsx(
            analysis.estimates,
            ESTIMATE_COLUMNS + EXTRA_COLUMNS,
            council.name,
            wave.title,
            wave.min_cell,
            council.report.contact,
        ),
    )
    return [est, book, weighting]


def _always(register: Register, quarter: Quarter) -> bool:
    return True


def _on_request(register: Register, quarter: Quarter) -> bool:
    """An objective's update is made only when a run asks for it (``--objective``)."""
    return False


def _no_files(register: Register, quarter: Quarter, folder: Path) -> list[Path]:
    return []


def report_counts(table, vocabulary) -> dict:
    """What the landing page shows of a report: the metrics in each group, with the council's words.

    Counted as the counting sentences count (design §4): the metrics of kind target or
    milestone due in the quarter, by group; trend metrics apart; later outturns of an
    earlier plan left out.
    """
    from .statuses import GROUPS

    current = table.loc[~table["final_outturn"].astype(bool)]
    counted = current.loc[current["group"] != ""]
    counts = {g: int((counted["group"] == g).sum()) for g in GROUPS}
    counts["trend"] = int(((current["kind"] == "trend") & (current["status"] != "not_due")).sum())
    words = {g: vocabulary.group_word(g) or "Other" for g in GROUPS}
    words["trend"] = "Trend"
    return {"counts": counts, "words": words, "total": len(counted)}


def _quarterly_summary(register: Register, quarter: Quarter, parameters: dict) -> dict:
    from .assess import assess

    return {"kind": "quarterly", **report_counts(assess(register, quarter), register.vocabulary)}


def _objective_summary(register: Register, quarter: Quarter, parameters: dict) -> dict:
    from .assess import assess

    table = assess(register, quarter)
    name = parameters.get("objective", "")
    own = table.loc[table["objective"] == name]
    return {"kind": "objective", "objective": name, **report_counts(own, register.vocabulary)}


def _has_survey(register: Register, quarter: Quarter) -> bool:
    from .batch.cache import survey_files

    return bool(survey_files(register, quarter))


@dataclass(frozen=True)
class Appendix:
    """One of perfkit's appendices.

    Attributes
    ----------
    notebook
        The notebook's file name in ``notebooks/``.
    kind
        What it reads, for the cache key: ``performance`` (the register) or ``survey`` (the waves).
    applies
        Whether the appendix is made for a quarter.
    data_files
        Writes the contract's data files for a quarter into a folder; returns their paths.
    summary
        What the manifest records of a report for the landing page (its counts), from the
        register, the quarter and the job's further parameters; ``None`` for nothing.
    """

    notebook: str
    kind: str
    applies: Callable[[Register, Quarter], bool]
    data_files: Callable[[Register, Quarter, Path], list[Path]]
    summary: Callable[[Register, Quarter, dict], dict] | None = None

    @property
    def name(self) -> str:
        return Path(self.notebook).stem

    @property
    def path(self) -> Path:
        return project_notebook(self.notebook)


QUARTERLY = Appendix("quarterly_performance.ipynb", "performance", _always, _metric_status, _quarterly_summary)
SURVEY = Appendix("survey_demographics.ipynb", "survey", _has_survey, _survey_estimates)
#: One objective's update for scrutiny (seed 000): made on request, one job per objective, each
#: publishing ``objective-<slug>.*`` (see :func:`perfkit.batch.jobs.plan_jobs`).
OBJECTIVE = Appendix("objective_update.ipynb", "performance", _on_request, _no_files, _objective_summary)

#: The appendices a run makes, in order (the objective's update only when asked for).
APPENDICES: tuple[Appendix, ...] = (QUARTERLY, SURVEY, OBJECTIVE)


def project_notebook(name: str) -> Path:
    """The path of one of perfkit's own notebooks, by file name with or without ``.ipynb``.

    Examples
    --------
    >>> project_notebook("quarterly_performance").name
    'quarterly_performance.ipynb'
    """
    file = name if name.endswith(".ipynb") else f"{name}.ipynb"
    path = NOTEBOOK_DIR / file
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb"))) or "none"
        raise RunError(
            f"There is no notebook '{file}' in {NOTEBOOK_DIR}. perfkit's notebooks are: {known}. "
            "If one of them was deleted, restore it with: git checkout notebooks/ "
            "(or python scripts/make_notebooks.py)."
        )
    return path


def appendix_for(notebook: Path) -> Appendix | None:
    """The appendix a notebook makes, or ``None`` for a council's own notebook."""
    for appendix in APPENDICES:
        if notebook.parent == NOTEBOOK_DIR and notebook.name == appendix.notebook:
            return appendix
    return None
