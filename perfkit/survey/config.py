"""Survey waves: ``survey/<wave>/survey.toml``, its questions, and which wave a quarter uses."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataValidationError, Problem
from ..periods import Quarter

__all__ = ["Question", "WaveConfig", "find_waves", "load_wave_config", "waves_for_quarter"]

RESPONSE_FILES = ("responses.csv", "responses.xlsx", "responses.sav")


@dataclass(frozen=True)
class Question:
    """One question: which answers count as positive, and which are left out of the base."""

    key: str
    label: str
    positive: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    statement: str = ""  # e.g. "are satisfied with the way the council runs things", for the narrative


@dataclass(frozen=True)
class WaveConfig:
    """What ``survey.toml`` says about one wave."""

    name: str
    folder: Path
    title: str
    fieldwork_end: dt.date
    id: str
    weight_by: tuple[str, ...]
    breakdowns: tuple[str, ...]
    min_cell: int
    questions: tuple[Question, ...]
    trim: tuple[float, float] | None = None
    responses: Path | None = field(default=None)
    population_source: str = ""  # e.g. "Census 2021", named in the narrative


def _strings(value, name: str, problems: list[Problem], label: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(
            Problem(label, None, name, f"{name} must be a list of names.", f'Write it as {name} = ["age_band", "sex"].')
        )
        return ()
    return tuple(v.strip() for v in value)


def load_wave_config(folder: Path) -> WaveConfig:
    """Read and check ``folder/survey.toml``.

    Raises
    ------
    DataValidationError
        Naming every problem in the file.
    """
    label = f"survey/{folder.name}/survey.toml"
    problems: list[Problem] = []
    path = folder / "survey.toml"
    try:
        doc = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise DataValidationError(
            [
                Problem(
                    label,
                    None,
                    None,
                    "The wave has no survey.toml.",
                    "Add survey.toml describing the wave (see the README).",
                )
            ]
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataValidationError(
            [
                Problem(
                    label,
                    None,
                    None,
                    f"The file is not valid TOML ({exc}).",
                    "Check quotes and brackets against the example in the README.",
                )
            ]
        ) from None

    def need(key: str, kind, example: str):
        if key not in doc:
            problems.append(Problem(label, None, key, f"'{key}' is missing.", f"Add a line such as {example}."))
            return None
        if not isinstance(doc[key], kind):
            problems.append(
                Problem(label, None, key, f"'{key}' has the wrong kind of value.", f"Write it as {example}.")
            )
            return None
        return doc[key]

    title = need("title", str, 'title = "Residents\' Survey 2024"') or folder.name
    end = need("fieldwork_end", dt.date, "fieldwork_end = 2024-07-31 (a date, without quotes)")
    rid = need("id", str, 'id = "respondent_id"') or ""
    weight_by = _strings(doc.get("weight_by", []), "weight_by", problems, label)
    breakdowns = _strings(doc.get("breakdowns", []), "breakdowns", problems, label)
    min_cell = doc.get("min_cell", 10)
    if not isinstance(min_cell, int) or isinstance(min_cell, bool) or min_cell < 1:
        problems.append(
            Problem(
                label,
                None,
                "min_cell",
                f"min_cell must be a whole number of at least 1, not {min_cell!r}.",
                "Write min_cell = 10.",
            )
        )
        min_cell = 10
    trim = None
    if "trim" in doc:
        t = doc["trim"]
        lo, hi = (t.get("lower"), t.get("upper")) if isinstance(t, dict) else (None, None)
        if not (isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and 0 < lo < 1 < hi):
            problems.append(
                Problem(
                    label,
                    None,
                    "trim",
                    "trim needs lower below 1 and upper above 1.",
                    "Write [trim] then lower = 0.3 and upper = 3 (multiples of the mean weight).",
                )
            )
        else:
            trim = (float(lo), float(hi))
    questions = []
    qs = doc.get("questions", {})
    if not isinstance(qs, dict) or not qs:
        problems.append(
            Problem(
                label,
                None,
                "questions",
                "No questions are defined.",
                "Add a [questions.KEY] table with label and positive answers for each question.",
            )
        )
        qs = {}
    for key, q in qs.items():
        if not isinstance(q, dict) or not isinstance(q.get("label"), str) or not q.get("positive"):
            problems.append(
                Problem(
                    label,
                    None,
                    f"questions.{key}",
                    "A question needs a label and positive answers.",
                    f'Under [questions.{key}] write label = "..." and positive = ["Very satisfied"].',
                )
            )
            continue
        questions.append(
            Question(
                key=key,
                label=q["label"],
                positive=_strings(q["positive"], f"questions.{key}.positive", problems, label),
                exclude=_strings(q.get("exclude", []), f"questions.{key}.exclude", problems, label),
                statement=str(q.get("statement", "")),
            )
        )
    responses = next((folder / f for f in RESPONSE_FILES if (folder / f).exists()), None)
    if responses is None:
        problems.append(
            Problem(
                f"survey/{folder.name}",
                None,
                None,
                "The wave has no responses file.",
                "Add responses.csv, responses.xlsx or responses.sav.",
            )
        )
    if not (folder / "population.csv").exists():
        problems.append(
            Problem(
                f"survey/{folder.name}",
                None,
                None,
                "The wave has no population.csv.",
                "Add population.csv with columns variable, category, share.",
            )
        )
    if problems:
        raise DataValidationError(problems)
    return WaveConfig(
        folder.name,
        folder,
        title,
        end,
        rid,
        weight_by,
        breakdowns,
        min_cell,
        tuple(questions),
        trim,
        responses,
        str(doc.get("population_source", "")),
    )


def find_waves(data_dir: Path) -> list[WaveConfig]:
    """Every wave under ``data_dir/survey/``, oldest fieldwork first."""
    root = data_dir / "survey"
    if not root.is_dir():
        return []
    waves = [load_wave_config(p) for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    return sorted(waves, key=lambda w: w.fieldwork_end)


def waves_for_quarter(waves: list[WaveConfig], quarter: Quarter) -> tuple[WaveConfig | None, WaveConfig | None]:
    """The wave a quarter's report uses (latest with fieldwork ended by the quarter's end) and the one before it."""
    done = [w for w in waves if w.fieldwork_end <= quarter.end]
    if not done:
        return None, None
    return done[-1], (done[-2] if len(done) > 1 else None)
