"""Service returns: the quarterly spreadsheets services fill in, made and collected by perfkit (design §10).

``make_returns`` writes one workbook per service for a quarter; services fill it
in with Excel, LibreOffice or Google Sheets; ``returns_status`` says which are
outstanding; ``collect_returns`` reads them back into the register, checked with
the rules of ``perfkit validate``, and logs every change in ``returns/log.csv``.
The command line is ``perfkit returns make|collect|status``.

The names load on first use, so that ``perfkit --help`` does not import openpyxl and pandas.

Examples
--------
>>> import tempfile
>>> from perfkit.returns import make_returns
>>> made = make_returns(tiny_dir, "2024/25 Q3", out=tempfile.mkdtemp(), service="housing")
>>> [(path.name, m.service, m.metrics) for path, m in made.made]
[('housing.xlsx', 'Housing', 1)]
"""

from importlib import import_module

__all__ = ["Collected", "MadeReturns", "RoundStatus", "collect_returns", "make_returns", "returns_status"]

_WHERE = {
    "Collected": "collect",
    "collect_returns": "collect",
    "MadeReturns": "make",
    "make_returns": "make",
    "RoundStatus": "status",
    "returns_status": "status",
}


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'perfkit.returns' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
