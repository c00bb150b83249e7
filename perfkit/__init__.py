"""perfkit: quarterly council performance reporting from data.

``import perfkit as pk`` is the front door for analysts::

    rep = pk.prepare("data/demo")              # load, validate and assess the latest quarter
    rep.exceptions()                           # the metrics at exception, persistent ones first
    srv = pk.prepare_survey("data/demo")       # the residents' survey for that quarter
    pk.run(quarter="2024/25 Q1", force=True)   # publish a quarter's appendices, as `perfkit run`

Only the errors and the period helpers are imported with the package; everything
else (pandas, the survey's scipy, papermill, nbconvert) loads on first use, so
``import perfkit`` stays fast for the command line. The README's "From Python"
section shows an analyst's everyday tasks; every public name has examples in its
``help()``.

Examples
--------
>>> import perfkit as pk
>>> rep = pk.prepare(tiny_dir)
>>> rep.quarter.label, len(rep.exceptions())
('2024/25 Q2', 3)
>>> [f"{s.symbol} {s.label}" for s in pk.STATUSES.values()][:3]
['✔ On target', '▲ Within tolerance', '✖ Exception']
>>> s = pk.ALL_STATUSES["on_track"]   # every status, the v2 classes too: its default word, symbol and colour
>>> s.label, s.colour
('On track', '#1E6B34')
>>> from importlib.metadata import version
>>> pk.__version__ == version("perfkit")
True
"""

import sys
import types
from importlib import import_module

from .errors import (
    CellError,
    DataValidationError,
    OutputFolderError,
    PerfkitError,
    PeriodError,
    Problem,
    RakingError,
    RunError,
    RunInterrupted,
    UnknownNameError,
    UnknownObjectiveError,
    UsageError,
)
from .periods import Quarter, latest_quarter, parse_quarter, parse_year, quarter_range

#: Public names loaded on first use: name -> (module, attribute, or None for the module itself).
_LAZY = {
    "Register": ("perfkit.data.register", "Register"),
    "load_register": ("perfkit.data.register", "load_register"),
    "ValidationReport": ("perfkit.validate", "ValidationReport"),
    "validate_folder": ("perfkit.validate", "validate_folder"),
    "STATUSES": ("perfkit.assess", "STATUSES"),
    "ALL_STATUSES": ("perfkit.statuses", "ALL_STATUSES"),
    "assess": ("perfkit.assess", "assess"),
    "assess_history": ("perfkit.assess", "assess_history"),
    "draft_narrative": ("perfkit.narrative", "draft_narrative"),
    "QuarterReport": ("perfkit.report", "QuarterReport"),
    "prepare": ("perfkit.report", "prepare"),
    "metric_profile": ("perfkit.report", "metric_profile"),
    "report": ("perfkit.report", None),
    "SurveyAnalysis": ("perfkit.survey.analysis", "SurveyAnalysis"),
    "prepare_survey": ("perfkit.survey.report", "prepare"),
    "survey_report": ("perfkit.survey.report", None),
    "trend_chart": ("perfkit.render.charts", "trend_chart"),
    "figure": ("perfkit.render.charts", "figure"),
    "BatchSummary": ("perfkit.batch.jobs", "BatchSummary"),
    "run": ("perfkit.pipeline", "run"),
}


def _version() -> str:
    # importlib.metadata and the search of the installed packages cost more than the rest of
    # `import perfkit`, so the version is looked up only when asked for (perfkit --version, a manifest).
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("perfkit")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


def __getattr__(name: str):
    if name == "__version__":
        globals()[name] = _version()
        return globals()[name]
    if name in _LAZY:
        module, attribute = _LAZY[name]
        loaded = import_module(module)
        value = loaded if attribute is None else getattr(loaded, attribute)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'perfkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


class _Package(types.ModuleType):
    """perfkit itself: a public function keeps its name when the module of the same name is imported.

    Importing ``perfkit.assess`` (which ``pk.prepare`` does) would otherwise bind that module
    over the function ``pk.assess``. The module stays in ``sys.modules``, so
    ``from perfkit.assess import summary_counts`` still works.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, types.ModuleType) and _LAZY.get(name, ("", None)) == (f"{__name__}.{name}", name):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "ALL_STATUSES",
    "STATUSES",
    "BatchSummary",
    "CellError",
    "DataValidationError",
    "OutputFolderError",
    "PerfkitError",
    "PeriodError",
    "Problem",
    "Quarter",
    "QuarterReport",
    "RakingError",
    "Register",
    "RunError",
    "RunInterrupted",
    "SurveyAnalysis",
    "UnknownNameError",
    "UnknownObjectiveError",
    "UsageError",
    "ValidationReport",
    "__version__",
    "assess",
    "assess_history",
    "draft_narrative",
    "figure",
    "latest_quarter",
    "load_register",
    "metric_profile",
    "parse_quarter",
    "parse_year",
    "prepare",
    "prepare_survey",
    "quarter_range",
    "report",
    "run",
    "survey_report",
    "trend_chart",
    "validate_folder",
]
