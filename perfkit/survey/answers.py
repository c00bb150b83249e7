"""Which answers count: positive, in the base, or out of it. No scipy here, so validation stays quick."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import Problem
from .config import Question, WaveConfig

__all__ = ["check_questions", "classify", "factorize"]


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def factorize(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes and distinct values: a column of a million answers has a handful of distinct ones."""
    codes, uniques = pd.factorize(values, sort=False)
    return codes, [str(u) for u in uniques]


def classify(answers: pd.Series, question: Question) -> tuple[np.ndarray, np.ndarray]:
    """``(positive, in_base)`` as 0/1 and boolean arrays for one question's answers.

    Answers are compared ignoring case and repeated spaces.
    """
    codes, uniques = factorize(answers)
    positive = {_norm(p) for p in question.positive}
    excluded = {_norm(e) for e in question.exclude} | {""}
    is_pos = np.array([_norm(u) in positive for u in uniques] + [False])
    is_out = np.array([_norm(u) in excluded for u in uniques] + [True])  # code -1 (missing) is out of the base
    in_base = ~is_out[codes]
    y = (is_pos[codes] & in_base).astype(float)
    return y, in_base


def check_questions(responses: pd.DataFrame, wave: WaveConfig) -> list[Problem]:
    """Positive answers in survey.toml that no respondent gave: an error when none of a question's are found."""
    label = f"survey/{wave.name}/survey.toml"
    problems = []
    for q in wave.questions:
        found = factorize(responses[q.key])[1]
        answers = {_norm(u) for u in found}
        missing = [p for p in q.positive if _norm(p) not in answers]
        if missing:
            shown = sorted(a for a in found if a)
            problems.append(
                Problem(
                    label,
                    None,
                    f"questions.{q.key}.positive",
                    f"No respondent answered {', '.join(repr(m) for m in missing)} to {q.key}.",
                    f"Check the spelling against the answers in the data: {', '.join(repr(f) for f in shown[:8])}.",
                    "error" if len(missing) == len(q.positive) else "warning",
                )
            )
    return problems
