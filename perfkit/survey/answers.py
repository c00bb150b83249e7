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


def _kinds(uniques: list[str], question: Question) -> tuple[np.ndarray, np.ndarray]:
    """For each distinct answer and then for a missing one: is it positive, and is it out of the base."""
    positive = {_norm(p) for p in question.positive}
    excluded = {_norm(e) for e in question.exclude} | {""}
    is_pos = np.array([_norm(u) in positive for u in uniques] + [False])
    is_out = np.array([_norm(u) in excluded for u in uniques] + [True])  # code -1 (missing) is out of the base
    return is_pos, is_out


def classify(answers: pd.Series, question: Question) -> tuple[np.ndarray, np.ndarray]:
    """``(positive, in_base)`` as 0/1 and boolean arrays for one question's answers.

    Answers are compared ignoring case and repeated spaces.
    """
    codes, uniques = factorize(answers)
    is_pos, is_out = _kinds(uniques, question)
    in_base = ~is_out[codes]
    y = (is_pos[codes] & in_base).astype(float)
    return y, in_base


def check_questions(responses: pd.DataFrame, wave: WaveConfig) -> list[Problem]:
    """What the answers say about the questions in survey.toml.

    * a question nobody is in the base of (every answer blank or excluded): a warning, its results are
      withheld like any small group's; when that is every question, an error (the file holds no answers);
    * positive answers that no respondent gave: an error when none of a question's are found (almost
      surely a misspelling), a warning when some are.
    """
    label = f"survey/{wave.name}/survey.toml"
    problems = []
    empty = []
    for q in wave.questions:
        codes, found = factorize(responses[q.key])
        _, is_out = _kinds(found, q)
        if not (~is_out[codes]).any():
            empty.append(q.key)
            problems.append(
                Problem(
                    label,
                    None,
                    f"questions.{q.key}",
                    f"No respondent is in the base of {q.key}: every answer is blank"
                    f"{' or one of exclude' if q.exclude else ''}, so its results will be withheld.",
                    f"Check that the column {q.key} in the responses holds this wave's answers.",
                    "warning",
                )
            )
            continue
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
    if wave.questions and len(empty) == len(wave.questions):
        problems.append(
            Problem(
                f"survey/{wave.name}/{wave.responses.name if wave.responses else 'responses'}",
                None,
                None,
                "No respondent answered any of the questions: every answer is blank or excluded.",
                "Check that this is the right file, and that the question columns hold the answers.",
            )
        )
    return problems
