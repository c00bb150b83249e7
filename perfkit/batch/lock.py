"""One run at a time per output folder: an exclusive lock on ``<out>/.perfkit.lock``.

Two runs publishing into the same folder could each build a quarter's new folder from the
same old one, and the second swap would drop the first run's files. So a run holds an
exclusive ``flock`` on the lock file from before it cleans up after killed runs until its
last file is published. The kernel releases the lock when the process ends, however it ends
(a kill -9 included), so a dead run never blocks the next one; the file itself stays, empty.

While held, the file names the run (process, host, start time, command), so a second run can
say who it is waiting for. Forked workers do not keep the lock: their copy of the descriptor
is closed as they start, so a worker left running after its parent was killed cannot hold it.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import socket
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputFolderError

__all__ = ["LOCK_NAME", "holder", "output_lock", "unusable_folder"]

LOCK_NAME = ".perfkit.lock"

#: Descriptors of locks this process holds: closed in forked children (see the module's notes).
_HELD: set[int] = set()


def _close_held_in_child() -> None:
    for fd in list(_HELD):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_held_in_child)


def unusable_folder(out_dir: Path, exc: OSError, doing: str) -> OutputFolderError:
    """The message for an output folder that cannot be written, from the error the system gave.

    Parameters
    ----------
    out_dir
        The folder the user chose (``--out``).
    exc
        The error raised while ``doing``.
    doing
        What perfkit was doing, e.g. ``creating the lock file``.
    """
    where = exc.filename or out_dir
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputFolderError(
            f"The disk holding {out_dir} is full (or your quota is used up): perfkit could not finish "
            f"{doing} ({where}). No earlier output was changed or removed. Free some space, or choose "
            "another folder with --out, and run again.",
            path=where,
        )
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        why = "is on a read-only file system" if exc.errno == errno.EROFS else "cannot be written by you"
        return OutputFolderError(
            f"The output folder {out_dir} {why}: perfkit could not finish {doing} ({where}). Nothing was "
            "changed there. Choose a folder you can write to with --out, or ask whoever manages it for "
            "write access.",
            path=where,
            usage=True,
        )
    if exc.errno in (errno.ENOTDIR, errno.EEXIST, errno.ELOOP):
        return OutputFolderError(
            f"The output folder {out_dir} cannot be used: {where} is not a folder, or is a symbolic link, "
            f"which perfkit does not follow ({exc.strerror}). Choose another folder with --out, or remove "
            "what is in the way.",
            path=where,
            usage=True,
        )
    return OutputFolderError(
        f"perfkit could not finish {doing} in {out_dir}: {exc.strerror or exc} ({where}). No earlier output "
        "was changed or removed.",
        path=where,
    )


def holder(fd: int) -> str:
    """Who holds the lock open as ``fd``, as a phrase for a message (from what the holder wrote in it)."""
    try:
        info = json.loads(os.pread(fd, 65536, 0).decode("utf-8"))
        return (
            f"process {int(info['pid'])} on {info['host']}, started {info['started']} "
            f"({' '.join(map(str, info['command']))})"
        )
    except (OSError, ValueError, KeyError, TypeError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return "a run that has only just started"


def _open_lock_file(out_dir: Path) -> int:
    path = out_dir / LOCK_NAME
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        if not out_dir.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(out_dir))
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        raise unusable_folder(out_dir, exc, "creating the lock file that keeps two runs apart") from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OutputFolderError(
            f"{path} is not a plain file, so perfkit cannot use it to keep two runs apart. Remove it and run again.",
            path=path,
            usage=True,
        )
    return fd


def _describe_self(fd: int) -> None:
    argv = list(sys.argv) or ["python"]
    from_cli = argv[0].endswith(("perfkit", "cli.py"))
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": ["perfkit", *argv[1:]] if from_cli else ["Python", Path(argv[0]).name],
    }
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
    except OSError:
        pass  # the description only helps a second run's message; the lock is what matters


@contextmanager
def output_lock(out_dir: Path, *, wait: bool = False, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the output folder's lock for the duration of a ``with`` block.

    Parameters
    ----------
    out_dir
        The output root (created if missing).
    wait
        When another run holds the lock: wait for it (``True``) or fail at once (``False``).
    on_wait
        Called once with a message before waiting.

    Raises
    ------
    OutputFolderError
        When another run holds the lock and ``wait`` is false, or the folder cannot be written.
    """
    fd = _open_lock_file(out_dir)
    owner = os.getpid()
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            who = holder(fd)
            if not wait:
                raise OutputFolderError(
                    f"Another perfkit run is publishing into {out_dir}: {who}. Nothing was run, so that run's "
                    "results are safe. Run again when it has finished, or add --wait to start as soon as it "
                    "does. (A run that was killed does not hold this lock: it ends with its process.)",
                    path=out_dir / LOCK_NAME,
                ) from None
            if on_wait:
                on_wait(f"Waiting for another perfkit run publishing into {out_dir}: {who}.")
            fcntl.flock(fd, fcntl.LOCK_EX)
        _HELD.add(fd)
        _describe_self(fd)
        yield
    finally:
        if os.getpid() == owner:  # in a forked child the descriptor was already closed as it started
            if fd in _HELD:
                _HELD.discard(fd)
                try:
                    os.ftruncate(fd, 0)
                except OSError:
                    pass
            os.close(fd)  # releases the lock
