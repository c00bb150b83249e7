"""The last successful validation of a data folder, kept in the output folder, reused while nothing has changed.

``perfkit run`` validates the whole data folder before planning; for the survey waves that means
reading every response and raking the weights, the largest part of an unchanged rerun. A run
whose data passed records, in ``<out>/.perfkit-validated.json``, what the validation found (its
warnings and waves) with what it depends on:

* the content (SHA-256) of every file in the data folder and its subfolders, hidden ones
  included, and the name of every subfolder (a new, empty wave folder changes the result);
* perfkit's version and a hash of its code (:func:`perfkit.batch.cache.package_fingerprint`);
* the versions of Python and of the libraries that read the data.

The next run reuses it only when all of these are the same, byte for byte. A run that has
to plan loads the register again (so its own checks run); a rerun whose outputs are all up to
date need not (:mod:`perfkit.batch.rerun`, which keeps what it needs in the same record: what
the register says of its quarters, the plans of earlier runs and the landing page's digest).
Anything else (a file edited, added or removed, a new perfkit, a record that cannot be read, a
folder with a symbolic link to another folder, whose content this does not follow) means a full
validation. Only a validation without errors is recorded, so invalid data is always reported afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import stat
from dataclasses import asdict, dataclass, fields
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem
from ..hashing import sha256_file
from ..publish.safe_files import write_atomic
from ..validate import ValidationReport

if TYPE_CHECKING:
    from ..data.register import Register

__all__ = [
    "RECORD_NAME",
    "RecordedReport",
    "RunValidation",
    "data_fingerprint",
    "recorded_validation",
    "validate_for_run",
]

RECORD_NAME = ".perfkit-validated.json"

#: The shape of the record; a record of another shape is ignored.
_FORMAT = 2

#: Libraries whose reading of a file could change what validation finds.
_READERS = ("pandas", "numpy", "openpyxl", "pyreadstat")

_PROBLEM_FIELDS = tuple(f.name for f in fields(Problem))


def data_fingerprint(data_dir: Path) -> dict[str, str] | None:
    """Every entry under ``data_dir``: a file's SHA-256, or ``"folder"`` for a folder; ``None`` if not vouched for.

    ``None`` when the folder holds a symbolic link to a folder (its content would not be
    followed here, but validation reads through it), or anything that is neither a file nor a
    folder, or when an entry cannot be read.

    Examples
    --------
    >>> sorted(data_fingerprint(tiny_dir))
    ['actuals.csv', 'council.toml', 'metrics.csv', 'targets.csv']
    """
    entries: dict[str, str] = {}
    try:
        pending = [(data_dir, "")]
        while pending:
            folder, prefix = pending.pop()
            with os.scandir(folder) as scan:
                for entry in scan:
                    rel = prefix + entry.name
                    mode = entry.stat(follow_symlinks=True).st_mode
                    if stat.S_ISDIR(mode):
                        if entry.is_symlink():
                            return None
                        entries[rel + "/"] = "folder"
                        pending.append((Path(entry.path), rel + "/"))
                    elif stat.S_ISREG(mode):
                        entries[rel] = sha256_file(Path(entry.path))
                    else:
                        return None
    except OSError:
        return None
    return dict(sorted(entries.items()))


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in _READERS:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def _depends_on(data_dir: Path) -> dict | None:
    """What a validation of ``data_dir`` depends on, or ``None`` when that cannot be known."""
    from .cache import package_fingerprint

    files = data_fingerprint(data_dir)
    if files is None:
        return None
    return {
        "format": _FORMAT,
        "data_dir": str(data_dir),
        "perfkit": package_fingerprint(),
        "versions": _versions(),
        "files": files,
    }


def _read_regular(path: Path) -> bytes:
    """The bytes of a regular file; never through a link, never waiting on a pipe planted in a shared folder."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path} is not a file")
        return f.read()


def seal(record: dict) -> str:
    """The SHA-256 of a record's entries (its ``seal`` apart), written with it.

    A record edited by hand, or cut short, no longer matches its seal and is ignored. It is a
    check against accidents, not a signature: whoever can write the output folder could as well
    replace the published reports and their manifests, which a run also takes as they are.
    """
    entries = {k: v for k, v in record.items() if k != "seal"}
    return hashlib.sha256(json.dumps(entries, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _recorded(path: Path, depends_on: dict) -> dict | None:
    """The record at ``path`` if it was made from exactly ``depends_on``, is sealed and has the expected shape."""
    try:
        record = json.loads(_read_regular(path))
        if not isinstance(record, dict) or record.get("depends_on") != depends_on or record.get("seal") != seal(record):
            return None
    # not text, not JSON, a number too long to read (ValueError), or nested too deep to read or to
    # write out again for the seal (RecursionError): not a record perfkit made
    except (OSError, ValueError, RecursionError):
        return None
    problems, waves = record.get("problems"), record.get("waves")
    if not isinstance(problems, list) or not isinstance(waves, list) or not all(isinstance(w, str) for w in waves):
        return None
    if not all(isinstance(p, dict) and set(p) == set(_PROBLEM_FIELDS) for p in problems):
        return None
    if any(p["severity"] != "warning" for p in problems):  # only a validation without errors is recorded
        return None
    return record


def _problems(record: dict) -> list[Problem]:
    return [Problem(**{name: p[name] for name in _PROBLEM_FIELDS}) for p in record["problems"]]


def _reuse(data_dir: Path, record: dict, depends_on: dict) -> ValidationReport | None:
    """The recorded report, with the register loaded again; ``None`` if a file changed meanwhile."""
    from ..data.register import load_register

    register = load_register(data_dir)  # planning needs it; its own checks run again
    if _depends_on(data_dir) != depends_on:  # a file saved while it was being read
        return None
    return ValidationReport(data_dir, _problems(record), register, list(record["waves"]))


class RecordedReport(ValidationReport):
    """A validation taken from the record, whose register is loaded from the data folder when first asked for.

    An unchanged rerun shows the recorded warnings and publishes nothing, so it never needs the
    register (nor pandas); a caller of :func:`perfkit.run` that asks for ``report.register`` still
    gets it, read from the folder as it is then.
    """

    _register: Register | None = None

    @property
    def register(self) -> Register | None:
        if self._register is None:
            from ..data.register import load_register

            self._register = load_register(self.data_dir)
        return self._register

    @register.setter
    def register(self, value: Register | None) -> None:
        self._register = value


def _write(path: Path, record: dict) -> None:
    """Write the record; a folder that cannot take the file only loses the shortcut."""
    record = {**{k: v for k, v in record.items() if k != "seal"}, "seal": seal(record)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    except OSError:
        pass


@dataclass
class RunValidation:
    """A run's validation of its data folder, made now or reused (see :func:`validate_for_run`).

    Attributes
    ----------
    report
        What was found.
    depends_on
        What it was made from; ``None`` when that cannot be vouched for (it is then not kept).
    record
        The record of an earlier run it was taken from; ``None`` when it was made now.
    """

    report: ValidationReport
    depends_on: dict | None
    record: dict | None = None

    @property
    def reused(self) -> bool:
        """Whether it came from the record of an earlier run."""
        return self.record is not None

    def keep(self, out_dir: Path, extra: dict | None = None) -> None:
        """Record a new validation without errors in ``out_dir`` for the next run, with ``extra`` entries.

        Called once the run has gone ahead: a run refused before it starts (a mistyped quarter,
        an output folder in use) changes nothing in the output folder, this record included. A
        reused validation is written again only when ``extra`` (what :mod:`perfkit.batch.rerun`
        keeps beside it) differs from what the record holds.

        Parameters
        ----------
        out_dir
            The run's output folder.
        extra
            Further entries of the record, each one made from what the validation depends on
            (and from the arguments or outputs the entry names), never trusted without checking.
        """
        if self.depends_on is None:
            return
        extra = extra or {}
        if self.record is not None:  # reused
            if all(self.record.get(k) == v for k, v in extra.items()):
                return  # an unchanged rerun writes nothing
            record = {**self.record, **extra}
        elif self.report.ok and self.report.register is not None:
            record = {
                "depends_on": self.depends_on,
                "problems": [asdict(p) for p in self.report.problems],
                "waves": self.report.waves,
                **extra,
            }
        else:
            return
        _write(out_dir / RECORD_NAME, record)


def validate_for_run(data_dir: Path, out_dir: Path, *, force: bool = False) -> RunValidation:
    """The data folder's validation, reused from ``out_dir`` when nothing it depends on has changed.

    Parameters
    ----------
    data_dir
        The data folder (found already: see :func:`perfkit.data.register.find_data_dir`).
    out_dir
        The run's output folder, where the record is kept (by :meth:`RunValidation.keep`).
    force
        Validate in full whatever the record says (``perfkit run --force``).

    Returns
    -------
    RunValidation
        Its report has the same problems, in the same order, and the same waves as
        :func:`perfkit.validate.validate_folder` would give; its register is loaded afresh.
    """
    from ..validate import validate_folder

    depends_on = _depends_on(data_dir)
    if depends_on is not None and not force:
        record = _recorded(out_dir / RECORD_NAME, depends_on)
        if record is not None:
            report = _reuse(data_dir, record, depends_on)
            if report is not None:
                return RunValidation(report, depends_on, record=record)
    report = validate_folder(data_dir)
    # kept only if the files were the same before validation read them as after
    if depends_on is not None and _depends_on(data_dir) != depends_on:
        depends_on = None
    return RunValidation(report, depends_on)


def recorded_validation(data_dir: Path, out_dir: Path) -> RunValidation | None:
    """The validation recorded in ``out_dir`` if nothing it depends on has changed, without loading the register.

    Its report is a :class:`RecordedReport`; ``None`` when the record cannot vouch for the data
    (then :func:`validate_for_run` decides). Reads the data folder's files to hash them, nothing else.
    """
    depends_on = _depends_on(data_dir)
    if depends_on is None:
        return None
    record = _recorded(out_dir / RECORD_NAME, depends_on)
    if record is None:
        return None
    report = RecordedReport(data_dir, _problems(record), None, list(record["waves"]))
    return RunValidation(report, depends_on, record=record)
