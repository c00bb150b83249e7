"""Check a whole data folder in one pass: the register and every survey wave.

Every problem is collected, with the file, the row as the user sees it in
Excel (the header is row 1), the column, what is wrong and how to fix it.
Errors stop a report being made; warnings are shown and do not.

Examples
--------
>>> report = pk.validate_folder(tiny_dir)
>>> report.ok, len(report.errors), len(report.warnings), report.waves
(True, 0, 1, [])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .data.folders import find_data_dir
from .errors import DataValidationError, Problem

if TYPE_CHECKING:  # a report can be made, and shown, without pandas (a rerun's, from its record)
    from .data.register import Register
    from .survey.config import WaveConfig

__all__ = ["ValidationReport", "validate_folder"]


@dataclass
class ValidationReport:
    """Everything found in a data folder: made by :func:`validate_folder`.

    Attributes
    ----------
    data_dir
        The folder checked.
    problems
        Every :class:`~perfkit.errors.Problem` found; :attr:`errors` and :attr:`warnings` split them.
    register
        The register, when it could be loaded.
    waves
        The names of the survey waves checked.

    Examples
    --------
    >>> report = pk.validate_folder(tiny_dir)
    >>> report.ok
    True
    >>> [p] = report.warnings
    >>> p.file, p.row, p.column, p.severity
    ('targets.csv', None, 'target', 'warning')
    >>> p.message
    "A8 has figures for 2024/25 but no target, so it will show as 'no target'."
    >>> report.raise_if_invalid() is report.register
    True
    """

    data_dir: Path
    problems: list[Problem] = field(default_factory=list)
    register: Register | None = None
    waves: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_if_invalid(self) -> Register:
        """The register, or :class:`DataValidationError` listing every problem when there is an error."""
        if not self.ok or self.register is None:
            raise DataValidationError(self.problems)
        return self.register


def _survey_problems(data_dir: Path) -> tuple[list[Problem], list[str]]:
    """Check every wave under ``survey/``: its settings, responses, margins, and that the margins fit."""
    from .survey.answers import check_questions
    from .survey.config import load_wave_config
    from .survey.design import build_design, design_weights
    from .survey.responses import read_population, read_responses
    from .survey.weighting import rake

    root = data_dir / "survey"
    problems: list[Problem] = []
    names: list[str] = []
    if not root.is_dir():
        return problems, names
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        names.append(folder.name)
        try:
            wave = load_wave_config(folder)
        except DataValidationError as exc:
            problems += exc.problems
            continue
        problems += wave.warnings
        responses = margins = None
        for step in ("responses", "population"):
            try:
                if step == "responses":
                    responses = read_responses(wave)
                else:
                    margins = read_population(wave) if wave.needs_population else {}
            except DataValidationError as exc:
                problems += exc.problems
        if responses is not None and wave.min_cell > len(responses):
            problems.append(
                Problem(
                    f"survey/{wave.name}/survey.toml",
                    None,
                    "min_cell",
                    f"min_cell ({wave.min_cell:,}) is more than the wave's {len(responses):,} respondents, so "
                    "every result will be withheld.",
                    "Set min_cell to the smallest group whose results may be published, such as 10.",
                    "warning",
                )
            )
        if responses is None or margins is None:
            continue
        try:
            label = f"survey/{wave.name}/{wave.responses.name if wave.responses else 'responses'}"
            start = design_weights(responses, wave, label) if wave.weight else None
            if wave.has_design:
                build_design(responses, wave, label)
            weighting = rake(
                responses,
                margins,
                list(wave.weight_by),
                trim=wave.trim,
                label=f"survey/{wave.name}/population.csv",
                start=start,
            )
            problems += check_questions(responses, wave)
            if not weighting.converged:
                problems.append(_not_converged(wave))
        except DataValidationError as exc:
            problems += exc.problems
    return problems, names


def _not_converged(wave: WaveConfig) -> Problem:
    if wave.trim:
        message = "The weights cannot meet every population share within the trimming limits."
        fix = "Widen the [trim] limits or merge small categories"
    else:
        message = "The weights do not meet every population share to 1e-8 after 1,000 rounds of raking."
        fix = "Check that the shares in population.csv agree with each other, or merge small categories"
    return Problem(
        f"survey/{wave.name}/survey.toml" if wave.trim else f"survey/{wave.name}/population.csv",
        None,
        "trim" if wave.trim else None,
        message,
        f"{fix}; the appendix will say the weighting did not converge.",
        "warning",
    )


def _objective_slugs(register: Register) -> list[Problem]:
    """Objectives whose report would have no file name, or the file name of another's (design §6)."""
    from .slugs import slug_problems

    listed = register.council.listed_objectives
    problems = slug_problems(listed, "objective", "council.toml", "objectives")
    named = {p.message for p in problems}
    others = [o for o in dict.fromkeys(register.metrics["objective"]) if o not in listed]
    # an objective only in metrics.csv is checked against those council.toml lists too
    problems += [
        p for p in slug_problems([*listed, *others], "objective", "metrics.csv", "objective") if p.message not in named
    ]
    return problems


def validate_folder(data_dir: str | Path) -> ValidationReport:
    """Check the register and every survey wave of a data folder, reporting every problem at once.

    Parameters
    ----------
    data_dir
        The council's data folder; a relative path is also looked for in the parent folders.

    Returns
    -------
    ValidationReport
        Never raises for problems in the data: they are all in the report.

    Examples
    --------
    >>> report = pk.validate_folder(tiny_dir)
    >>> report.ok, [p.column for p in report.warnings]
    (True, ['target'])
    >>> report.register.council.name
    'Tiny Test Council'
    """
    from .data.register import load_register

    folder = find_data_dir(data_dir)
    report = ValidationReport(folder)
    try:
        report.register = load_register(folder)
        report.problems += report.register.warnings
        report.problems += _objective_slugs(report.register)
    except DataValidationError as exc:
        report.problems += exc.problems
    survey, report.waves = _survey_problems(folder)
    report.problems += survey
    return report
