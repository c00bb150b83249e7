"""Survey waves: ``survey/<wave>/survey.toml``, its questions, and which wave a quarter uses.

Each key of ``survey.toml`` is checked by one small function below, so a new key
(the design keys of DESIGN §5, for example) is one more function and one more
name in :data:`WAVE_KEYS`. Every problem is collected, naming the key and how
to write it; keys perfkit does not know are warned about, since a misspelt
``min_cel = 5`` would otherwise be ignored without a word.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataValidationError, Problem
from ..periods import Quarter
from .files import check_regular, read_bytes

__all__ = [
    "DESIGN_COLUMNS",
    "QUESTION_KEYS",
    "RESPONSE_FILES",
    "TRIM_KEYS",
    "VARIANCES",
    "WAVE_KEYS",
    "Question",
    "WaveConfig",
    "find_waves",
    "load_wave_config",
    "waves_for_quarter",
]

RESPONSE_FILES = ("responses.csv", "responses.xlsx", "responses.sav")
#: The keys ``survey.toml`` may have at the top level.
WAVE_KEYS = (
    "title",
    "fieldwork_end",
    "id",
    "weight_by",
    "breakdowns",
    "min_cell",
    "trim",
    "population_source",
    "weight",
    "strata",
    "cluster",
    "fpc",
    "variance",
    "questions",
)
#: The design keys of ``survey.toml`` (DESIGN §5, Designs v2) that name a column of the responses.
DESIGN_COLUMNS = ("weight", "strata", "cluster", "fpc")
#: The values ``variance`` may take.
VARIANCES = ("fixed", "raked")
#: The keys of the ``[trim]`` table.
TRIM_KEYS = ("lower", "upper")
#: The keys a ``[questions.KEY]`` table may have.
QUESTION_KEYS = ("label", "positive", "exclude", "statement")


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
    """What ``survey.toml`` says about one wave, and the warnings found reading it."""

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
    warnings: tuple[Problem, ...] = ()
    # The sampling design (DESIGN §5, Designs v2): column names, "" when not given.
    weight: str = ""
    strata: str = ""
    cluster: str = ""
    fpc: str = ""
    variance: str = "fixed"

    @property
    def has_design(self) -> bool:
        """Whether strata, clusters or a finite population correction change the standard errors."""
        return bool(self.strata or self.cluster or self.fpc)

    @property
    def needs_population(self) -> bool:
        """Whether the wave is raked to population.csv (not when the agency's final weights are used as delivered)."""
        return bool(self.weight_by) or not self.weight


#: Control characters other than tab and line breaks: invisible, and never meant in a label or name.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class _Checks:
    """The problems found in one ``survey.toml``, each naming its key."""

    def __init__(self, label: str):
        self.label = label
        self.problems: list[Problem] = []

    def add(self, key: str | None, message: str, fix: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.label, None, key, message, fix, severity))

    def visible(self, key: str, text: str) -> bool:
        """Whether ``text`` is free of control characters (written as escapes such as ``\\u0007``)."""
        found = CONTROL_CHARACTERS.search(text)
        if found:
            self.add(
                key,
                f"{key} holds a control character (U+{ord(found.group()):04X}), which cannot be shown.",
                "Remove the escape (such as \\u0007) from the text.",
            )
        return found is None


def _read_toml(path: Path, label: str) -> dict:
    if not path.exists():
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
        )
    raw = read_bytes(path, label)
    fix, row = "Check quotes and brackets against the example in the README.", None
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        message, fix = "The file is not UTF-8 text.", "Save it again as UTF-8 text (any text editor can)."
    except tomllib.TOMLDecodeError as exc:
        message = f"The file is not valid TOML ({exc})."
        line = re.search(r"at line (\d+)", str(exc))
        row = int(line.group(1)) if line else None
        if "date" in str(exc):
            fix = "Write dates as YYYY-MM-DD, without quotes, and check the day exists (2024-02-30 does not)."
    except RecursionError:
        message = "The file is nested too deeply to read (lists or tables inside one another hundreds of times)."
        fix = "survey.toml needs only the keys of the example in the README: remove the nested values."
    raise DataValidationError([Problem(label, row, None, message, fix)])


def _text(doc: dict, key: str, checks: _Checks, example: str, required: bool = True) -> str:
    value = doc.get(key)
    if value is None:
        if required:
            checks.add(key, f"'{key}' is missing.", f"Add a line such as {example}.")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        checks.add(key, f"'{key}' must be text in quotes, not {_shown(value)}.", f"Write it as {example}.")
        return ""
    return value.strip() if checks.visible(key, value) else ""


def _shown(value: object) -> str:
    """A TOML value as the user wrote it, roughly, to quote back in a message."""
    if isinstance(value, str):
        return f'"{value}"' if value.strip() else "blank"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        shown = "[" + ", ".join(_shown(v) for v in value[:4]) + (", …]" if len(value) > 4 else "]")
        return shown if len(shown) <= 60 else "a list"
    return value.isoformat() if isinstance(value, (dt.date, dt.time)) else str(value)


def _fieldwork_end(doc: dict, checks: _Checks) -> dt.date:
    value = doc.get("fieldwork_end")
    example = "fieldwork_end = 2024-07-31"
    if isinstance(value, dt.datetime):
        # A date-time is a datetime.date too; refused rather than cut to its date, since DESIGN §5 asks for the
        # date fieldwork ended and a time (perhaps with an offset) may mean the writer had something else in mind.
        checks.add(
            "fieldwork_end",
            f"fieldwork_end is a date and time ({value.isoformat()}), not a date.",
            f"Write the date only, without a time: fieldwork_end = {value.date().isoformat()}.",
        )
    elif isinstance(value, dt.date):
        return value
    elif value is None:
        checks.add("fieldwork_end", "'fieldwork_end' is missing.", f"Add a line such as {example} (a date, no quotes).")
    elif isinstance(value, str):
        try:
            date = dt.date.fromisoformat(value.strip())
            fix = f"Remove the quotes: fieldwork_end = {date.isoformat()}."
        except ValueError:
            fix = f"Write the date as YYYY-MM-DD without quotes, e.g. {example}."
        checks.add("fieldwork_end", f"fieldwork_end is text ({_shown(value)}), not a date.", fix)
    else:
        checks.add(
            "fieldwork_end",
            f"fieldwork_end must be a date, not {_shown(value)}.",
            f"Write it as {example} (a date, no quotes).",
        )
    return dt.date.min


def _names(doc: dict, key: str, checks: _Checks, example: str, *, column: str | None = None) -> tuple[str, ...]:
    """A list of non-blank names without repeats (``column`` names the key in messages, default ``key``)."""
    value = doc.get(key, [])
    where = column or key
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        checks.add(where, f"{where} must be a list of names in quotes, not {_shown(value)}.", f"Write it as {example}.")
        return ()
    names = tuple(v.strip() for v in value if checks.visible(where, v))
    if any(not n for n in names):
        checks.add(where, f"{where} has a blank name.", f'Remove the empty "" from the list: {example}.')
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        checks.add(
            where,
            f"{where} names {', '.join(repr(r) for r in repeated)} more than once.",
            "Name each only once.",
        )
    return tuple(n for n in dict.fromkeys(names) if n)


def _min_cell(doc: dict, checks: _Checks) -> int:
    value = doc.get("min_cell", 10)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    fix = "Write min_cell = 10 (a whole number of respondents, at least 1, without quotes)."
    if isinstance(value, str) and value.strip().isdigit() and int(value) >= 1:
        fix = f"Remove the quotes: min_cell = {int(value)}."
    checks.add("min_cell", f"min_cell must be a whole number of at least 1, not {_shown(value)}.", fix)
    return 10


def _trim(doc: dict, checks: _Checks) -> tuple[float, float] | None:
    if "trim" not in doc:
        return None
    t = doc["trim"]
    lo, hi = (t.get("lower"), t.get("upper")) if isinstance(t, dict) else (None, None)
    if isinstance(t, dict):
        _unknown(t, TRIM_KEYS, checks, "trim.", top_level=False)
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lo, hi))
    if not (numbers and 0 < lo < 1 < hi):  # type: ignore[operator]  # numbers checked just before
        checks.add(
            "trim",
            "trim needs lower below 1 and upper above 1.",
            "Write [trim] then lower = 0.3 and upper = 3 (multiples of the mean weight).",
        )
        return None
    return float(lo), float(hi)  # type: ignore[arg-type]


def _design(doc: dict, checks: _Checks, rid: str, weight_by: tuple[str, ...]) -> dict[str, str]:
    """The design keys: each a column name, distinct from each other and from the id; and ``variance``."""
    examples = {
        "weight": 'weight = "design_weight"',
        "strata": 'strata = "ward"',
        "cluster": 'cluster = "household_id"',
        "fpc": 'fpc = "ward_population"',
    }
    design = {key: _text(doc, key, checks, example, required=False) for key, example in examples.items()}
    for key in DESIGN_COLUMNS:
        if key in doc and not design[key] and isinstance(doc[key], str):
            checks.add(
                key, f"'{key}' is blank.", f"Name a column of the responses, as in {examples[key]}, or remove it."
            )
        if design[key] and design[key] == rid:
            checks.add(key, f"{key} names '{rid}', the respondent id.", f"Name another column, as in {examples[key]}.")
    named = [design[k] for k in DESIGN_COLUMNS if design[k]]
    for column in sorted({c for c in named if named.count(c) > 1}):
        keys = [k for k in DESIGN_COLUMNS if design[k] == column]
        checks.add(
            keys[1],
            f"{' and '.join(keys)} both name the column '{column}'.",
            "Each design setting needs its own column.",
        )
    variance = doc.get("variance", "fixed")
    if variance not in VARIANCES:
        checks.add(
            "variance",
            f'variance must be "fixed" or "raked", not {_shown(variance)}.',
            'Write variance = "fixed" (final weights treated as fixed) or variance = "raked" (allow for the raking).',
        )
        variance = "fixed"
    elif variance == "raked" and not weight_by:
        checks.add(
            "variance",
            'variance = "raked" allows for raking, but the wave is not raked (weight_by is empty).',
            'Remove the line (or write variance = "fixed"), or list the raking variables in weight_by.',
        )
        variance = "fixed"
    design["variance"] = variance
    return design


def _questions(doc: dict, checks: _Checks, rid: str) -> tuple[Question, ...]:
    qs = doc.get("questions", {})
    fix = "Add a [questions.KEY] table with label and positive answers for each question."
    if not isinstance(qs, dict):
        checks.add("questions", f"questions must be [questions.KEY] tables, not {_shown(qs)}.", fix)
        return ()
    if not qs:
        checks.add("questions", "No questions are defined.", fix)
        return ()
    questions = []
    for key, q in qs.items():
        where = f"questions.{key}"
        if not key.strip():
            checks.add("questions", "A question has a blank key.", "Give it the name of its column: [questions.KEY].")
            continue
        if key == rid:
            checks.add(where, f"The question '{key}' is the respondent id column.", "Name a column of answers.")
            continue
        if not checks.visible("questions", key):
            continue
        if (
            not isinstance(q, dict)
            or not isinstance(q.get("label"), str)
            or not q["label"].strip()
            or not q.get("positive")
        ):
            checks.add(
                where,
                "A question needs a label and positive answers.",
                f'Under [questions.{key}] write label = "..." and positive = ["Very satisfied"].',
            )
            continue
        example = '["Very satisfied", "Fairly satisfied"]'
        positive = _names(q, "positive", checks, f"positive = {example}", column=f"{where}.positive")
        exclude = _names(q, "exclude", checks, 'exclude = ["Don\'t know"]', column=f"{where}.exclude")
        both = [a for a in positive if a.casefold() in {e.casefold() for e in exclude}]
        if both:
            checks.add(
                f"{where}.exclude",
                f"{', '.join(repr(b) for b in both)} is both a positive answer and left out of the base.",
                "Remove it from one of positive and exclude.",
            )
        statement = q.get("statement", "")
        if not isinstance(statement, str):
            checks.add(f"{where}.statement", "statement must be text in quotes.", 'Write statement = "are satisfied".')
            statement = ""
        if not (checks.visible(f"{where}.label", q["label"]) and checks.visible(f"{where}.statement", statement)):
            continue
        _unknown(q, QUESTION_KEYS, checks, f"{where}.", top_level=False)
        questions.append(Question(key, q["label"].strip(), positive, exclude, statement))
    return tuple(questions)


def _unknown(doc: dict, known: tuple[str, ...], checks: _Checks, prefix: str = "", top_level: bool = True) -> None:
    for key in doc:
        if key in known:
            continue
        near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        if not top_level and key in WAVE_KEYS:
            fix = f"{key} belongs above the first [table] heading: move the line there."
        elif near:
            fix = f"Did you mean {prefix}{near[0]}? Correct the name, or remove the line."
        else:
            fix = "Remove the line, or check the name against the README."
        checks.add(
            f"{prefix}{key}", f"'{prefix}{key}' is not a setting perfkit knows, so it is ignored.", fix, "warning"
        )


def _files(folder: Path, checks: _Checks, population_needed: bool = True) -> Path | None:
    where = f"survey/{folder.name}"
    present = [folder / f for f in RESPONSE_FILES if (folder / f).exists()]
    responses = None
    if not present:
        checks.problems.append(
            Problem(
                where,
                None,
                None,
                "The wave has no responses file.",
                "Add responses.csv, responses.xlsx or responses.sav.",
            )
        )
    elif len(present) > 1:
        checks.problems.append(
            Problem(
                where,
                None,
                None,
                f"The wave has more than one responses file ({', '.join(p.name for p in present)}), "
                "so which to use is not clear.",
                "Keep the one with the final responses and move the others out of the wave's folder.",
            )
        )
    else:
        responses = present[0]
        problem = check_regular(responses, f"{where}/{responses.name}")
        if problem is not None:
            checks.problems.append(problem)
    population = folder / "population.csv"
    # With the agency's final weights used as delivered (weight, no weight_by) there is nothing to rake to.
    if not population_needed:
        return responses
    if not population.exists():
        checks.problems.append(
            Problem(
                where,
                None,
                None,
                "The wave has no population.csv.",
                "Add population.csv with columns variable, category, share.",
            )
        )
    else:
        problem = check_regular(population, f"{where}/population.csv")
        if problem is not None:
            checks.problems.append(problem)
    return responses


def load_wave_config(folder: Path) -> WaveConfig:
    """Read and check ``folder/survey.toml``, and that the wave's data files are there.

    Raises
    ------
    DataValidationError
        Naming every problem in the file.
    """
    label = f"survey/{folder.name}/survey.toml"
    doc = _read_toml(folder / "survey.toml", label)
    checks = _Checks(label)
    title = _text(doc, "title", checks, 'title = "Residents\' Survey 2024"') or folder.name
    end = _fieldwork_end(doc, checks)
    rid = _text(doc, "id", checks, 'id = "respondent_id"')
    weight_by = _names(doc, "weight_by", checks, 'weight_by = ["age_band", "sex"]')
    breakdowns = _names(doc, "breakdowns", checks, 'breakdowns = ["age_band", "sex", "ward"]')
    for key, names in (("weight_by", weight_by), ("breakdowns", breakdowns)):
        if rid and rid in names:
            checks.add(
                key,
                f"{key} names '{rid}', the respondent id: every respondent would be a group of one.",
                f"Remove '{rid}' from {key}.",
            )
    min_cell = _min_cell(doc, checks)
    trim = _trim(doc, checks)
    questions = _questions(doc, checks, rid)
    population_source = _text(doc, "population_source", checks, 'population_source = "Census 2021"', required=False)
    design = _design(doc, checks, rid, weight_by)
    _unknown(doc, WAVE_KEYS, checks)
    responses = _files(folder, checks, population_needed=bool(weight_by) or not design["weight"])
    errors = [p for p in checks.problems if p.severity == "error"]
    if errors:
        raise DataValidationError(checks.problems)
    return WaveConfig(
        folder.name,
        folder,
        title,
        end,
        rid,
        weight_by,
        breakdowns,
        min_cell,
        questions,
        trim,
        responses,
        population_source,
        tuple(checks.problems),
        **design,
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
