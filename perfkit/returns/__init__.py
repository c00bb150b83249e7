"""Service returns: the quarterly spreadsheets services fill in, made and collected by perfkit (design §10).

``make_returns`` writes one workbook per service for a quarter; services fill it
in with Excel, LibreOffice or Google Sheets; ``returns_status`` says which are
outstanding; ``collect_returns`` reads them back into the register, checked with
the rules of ``perfkit validate``, and logs every change in ``returns/log.csv``.
The command line is ``perfkit returns make|collect|status``.
"""

from .collect import Collected, collect_returns
from .make import MadeReturns, make_returns
from .status import RoundStatus, returns_status

__all__ = ["Collected", "MadeReturns", "RoundStatus", "collect_returns", "make_returns", "returns_status"]
