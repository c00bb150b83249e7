"""``highlights.csv`` (contract v2, optional): the quarter's key achievements and challenges, as services write them.

Columns: ``period``, ``service``, ``kind`` (``achievement``, ``challenge`` or
``update``), ``text``, and optionally ``objective``, ``strategy``, ``tactic`` and
``code`` (the metric it is about; a highlight with a code takes its objective).
"""

from __future__ import annotations

import pandas as pd

from ..errors import Problem
from ..periods import Quarter
from .checker import frame_rows
from .council import Council
from .sources import SourceTable

__all__ = ["HIGHLIGHT_KINDS", "parse_highlights"]

HIGHLIGHT_KINDS = ("achievement", "challenge", "update")


def parse_highlights(
    table: SourceTable, metrics: pd.DataFrame, council: Council, problems: list[Problem]
) -> pd.DataFrame:
    """Read and check the highlights table (see :data:`perfkit.data.register.HIGHLIGHT_DTYPES` for its columns)."""
    from .register import HIGHLIGHT_DTYPES, _Checker, _reported_quarter_index, _typed_frame

    chk = _Checker(table, problems)
    records: list[dict] = []
    try:
        if not chk.columns():
            return _typed_frame(records, HIGHLIGHT_DTYPES)
        objectives = set(council.listed_objectives) | set(metrics["objective"].tolist())
        metric_objective = dict(zip(metrics.index, metrics["objective"].tolist(), strict=True))
        for rec in frame_rows(table.frame):
            row = rec["row"]
            index = None
            if not rec["period"]:
                chk.problem(row, "period", "The period is blank.", "Enter the quarter, e.g. 2023/24 Q3.")
            else:
                index = chk.parse_once(row, "period", rec["period"], _reported_quarter_index)
            service = chk.required_text(row, "service", rec["service"])
            kind = chk.choice(row, "kind", rec["kind"], HIGHLIGHT_KINDS)
            text = chk.required_text(row, "text", rec["text"])
            code: str | None = rec["code"]
            objective = " ".join(rec["objective"].split())
            if code and code not in metric_objective:
                chk.problem(
                    row,
                    "code",
                    f"'{code}' is not a metric in the metrics table.",
                    "Correct the code, or leave it blank for a highlight about no one metric.",
                )
                code = None
            elif code:
                own = metric_objective[code]
                if objective and objective != own:
                    chk.problem(
                        row,
                        "objective",
                        f"The highlight is about {code}, whose objective is '{own}', not '{objective}'; "
                        f"it is listed under '{own}'.",
                        "Correct the objective, or the code.",
                        "warning",
                    )
                objective = own
            elif objective and objective not in objectives:
                chk.problem(
                    row,
                    "objective",
                    f"The objective '{objective}' is not one council.toml or the metrics table has, "
                    "so the highlight is shown under a section of its own.",
                    f"Use one of: {'; '.join(sorted(objectives))}.",
                    "warning",
                )
            if index is None or service is None or kind is None or text is None or code is None:
                continue
            records.append(
                {
                    "period": Quarter.from_index(index).label,
                    "period_index": index,
                    "service": service,
                    "kind": kind,
                    "text": text,
                    "objective": objective,
                    "strategy": rec["strategy"],
                    "tactic": rec["tactic"],
                    "code": code,
                    "row": row,
                }
            )
        return _typed_frame(records, HIGHLIGHT_DTYPES)
    finally:
        chk.finish()
