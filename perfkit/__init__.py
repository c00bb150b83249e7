"""perfkit: quarterly council performance reporting from data."""

from importlib.metadata import PackageNotFoundError, version

from .errors import DataValidationError, PerfkitError, PeriodError, Problem
from .periods import Quarter, latest_quarter, parse_quarter, parse_year, quarter_range

try:
    __version__ = version("perfkit")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = [
    "__version__",
    "DataValidationError",
    "PerfkitError",
    "PeriodError",
    "Problem",
    "Quarter",
    "latest_quarter",
    "parse_quarter",
    "parse_year",
    "quarter_range",
]
