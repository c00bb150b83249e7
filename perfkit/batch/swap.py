"""Replace a quarter's output folder in one atomic step: a kill at any moment leaves the old folder or the new one.

The new folder is built aside, in ``<out>/.staging-<pid>-<name>-publish-…``: hard links to the
files of the current folder that stay, the new files moved in, the new manifest written, and
every new file and folder flushed to disk. One ``renameat2(RENAME_EXCHANGE)`` call then swaps
it with the current folder (Linux 3.15 or later, on ext4, XFS, Btrfs, tmpfs and most others),
and the old folder, which is now at the staging path, is removed.

Where the exchange is not available (another system, or a file system without it) the swap is
two renames: the current folder to ``<out>/.previous-<name>``, then the new one into place. A
kill between the two leaves nothing at ``<name>`` for a moment; :func:`recover`, run by the next
run before anything else, renames ``.previous-<name>`` back, and readers such as
``perfkit status`` read it meanwhile (:func:`current_folder`).

The invariant the tests check by killing runs at every step: ``<out>/<name>`` (or, in the
fallback's gap, ``<out>/.previous-<name>``) is always a complete folder, either the old set of
files with its manifest or the new set with its own; staging folders are garbage, removed by
:func:`recover` under the output folder's lock (:mod:`perfkit.batch.lock`).

Two environment variables exist for the tests only: ``PERFKIT_TEST_KILL_AT`` (a number *n*,
or a checkpoint's name, or ``name#n``) makes this process kill itself with SIGKILL at the *n*-th
checkpoint it reaches (or the first, or *n*-th, of that name); ``PERFKIT_TEST_NO_EXCHANGE=1``
takes the two-rename path.
"""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import shutil
import signal
import stat
from collections.abc import Collection, Mapping
from pathlib import Path

__all__ = [
    "KILL_AT_ENV",
    "NO_EXCHANGE_ENV",
    "PREVIOUS_PREFIX",
    "STAGING_PREFIX",
    "checkpoint",
    "current_folder",
    "make_staging",
    "recover",
    "remove",
    "replace_folder",
]

STAGING_PREFIX = ".staging-"
PREVIOUS_PREFIX = ".previous-"
KILL_AT_ENV = "PERFKIT_TEST_KILL_AT"
NO_EXCHANGE_ENV = "PERFKIT_TEST_NO_EXCHANGE"

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_reached: dict[str, int] = {}  # checkpoints reached in this process: in all (""), and by name


def checkpoint(name: str) -> None:
    """A point where a test may kill this process (see the module's notes); nothing otherwise."""
    target = os.environ.get(KILL_AT_ENV)
    if not target:
        return
    _reached[""] = _reached.get("", 0) + 1
    _reached[name] = _reached.get(name, 0) + 1
    wanted, _, nth = target.partition("#")
    by_number = wanted.isdigit() and int(wanted) == _reached[""]
    by_name = wanted == name and int(nth or 1) == _reached[name]
    if by_number or by_name:
        os.kill(os.getpid(), signal.SIGKILL)


def _libc_renameat2():
    try:
        return ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # not Linux, or a C library without it (glibc < 2.28)
        return None


_renameat2 = _libc_renameat2()


def _rename2(src: Path, dst: Path, flags: int) -> bool:
    """``renameat2``; ``False`` when this system or file system does not offer it (the caller falls back)."""
    if _renameat2 is None or os.environ.get(NO_EXCHANGE_ENV):
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(src), None, str(dst))


def make_staging(out_dir: Path, label: str) -> Path:
    """A new, empty folder ``<out>/.staging-<pid>-<label>-<random>``, made with the usual permissions.

    Not ``tempfile.mkdtemp``: its folders are private to the owner (0700), and a staging folder
    becomes a published quarter folder that others (a web server, colleagues) must read.
    """
    for _ in range(100):
        path = out_dir / f"{STAGING_PREFIX}{os.getpid()}-{label}-{secrets.token_hex(6)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "every staging folder name tried was taken", str(out_dir))


def remove(path: Path) -> None:
    """Remove a file, a link or a folder tree; nothing if it is not there."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        pass


def current_folder(out_dir: Path, name: str) -> Path:
    """Where the folder ``name`` is to be read: ``<out>/<name>``, or during an interrupted two-rename swap,
    the complete folder that :func:`recover` will put back."""
    final = out_dir / name
    previous = out_dir / f"{PREVIOUS_PREFIX}{name}"
    if not final.exists() and previous.is_dir():
        return previous
    return final


def _restore(final: Path) -> bool:
    """Put back a folder left aside by a two-rename swap that was killed halfway; ``True`` if there was one."""
    previous = final.parent / f"{PREVIOUS_PREFIX}{final.name}"
    if not previous.is_dir() or previous.is_symlink():
        return False
    if final.exists() or final.is_symlink():
        remove(previous)  # the swap had finished: this is the old folder
    else:
        os.rename(previous, final)  # killed between the two renames: the old folder goes back
    return True


def recover(out_dir: Path) -> list[Path]:
    """Finish what killed runs left: restore a folder moved aside, remove staging folders.

    Call it only while holding the output folder's lock, so no run is publishing.

    Returns
    -------
    list of Path
        The folders restored or removed.
    """
    done: list[Path] = []
    if not out_dir.is_dir():
        return done
    for previous in sorted(out_dir.glob(f"{PREVIOUS_PREFIX}*")):
        if _restore(out_dir / previous.name[len(PREVIOUS_PREFIX) :]):
            done.append(previous)
    for staging in sorted(out_dir.glob(f"{STAGING_PREFIX}*")):
        remove(staging)
        done.append(staging)
    return done


def _link_or_copy(src: str, dst: Path) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError as exc:
        # another file system, a file of another user under protected_hardlinks, too many links,
        # or a file system without hard links: a copy keeps the file all the same
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EACCES):
            raise
        shutil.copy2(src, dst, follow_symlinks=False)


def _carry_over(src: Path, dst: Path, skip: Collection[str], rel: str = "") -> int:
    """Recreate ``src``'s tree in ``dst`` with hard links, leaving out the relative paths in ``skip``.

    A subfolder whose every entry is left out is left out too (``failed/`` once its last copy goes).
    Returns how many entries were carried over.
    """
    carried = 0
    with os.scandir(src) as entries:
        for entry in entries:
            name = f"{rel}{entry.name}"
            if name in skip:
                continue
            target = dst / entry.name
            if entry.is_symlink():
                os.symlink(os.readlink(entry.path), target)  # the link itself, never what it points to
            elif entry.is_dir(follow_symlinks=False):
                target.mkdir()
                os.chmod(target, stat.S_IMODE(entry.stat(follow_symlinks=False).st_mode))
                if not _carry_over(Path(entry.path), target, skip, f"{name}/") and any(os.scandir(entry.path)):
                    target.rmdir()
                    continue
            elif entry.is_file(follow_symlinks=False):
                _link_or_copy(entry.path, target)
                checkpoint("linked-file")
            else:
                continue  # sockets, pipes and devices have no place in an output folder
            carried += 1
    return carried


def _sweep(old: Path, new: Path, skip: Collection[str], rel: str = "") -> None:
    """Move across anything someone else added to the old folder while the new one was being built."""
    if not old.is_dir() or old.is_symlink():
        return
    with os.scandir(old) as entries:
        for entry in entries:
            name = f"{rel}{entry.name}"
            if name in skip:
                continue
            target = new / entry.name
            folder = entry.is_dir(follow_symlinks=False)
            there = target.exists() or target.is_symlink()
            if folder and not there and any(s.startswith(f"{name}/") for s in skip):
                # a folder this publish emptied on purpose (failed/): only what was added to it moves
                target.mkdir()
                _sweep(Path(entry.path), target, skip, f"{name}/")
                if not any(os.scandir(target)):
                    target.rmdir()
            elif not there:
                os.rename(entry.path, target)
            elif folder and target.is_dir() and not target.is_symlink():
                _sweep(Path(entry.path), target, skip, f"{name}/")


def _fsync(path: Path, *, directory: bool = False) -> None:
    fd = os.open(path, (os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if directory else os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_new(path: Path, data: bytes) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, 0o666)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def replace_folder(
    final: Path,
    files: Mapping[str, Path],
    *,
    drop: Collection[str] = (),
    write: Mapping[str, bytes] | None = None,
) -> None:
    """Publish a new version of ``final``: the current files, less ``drop``, with ``files`` and ``write`` added.

    Parameters
    ----------
    final
        The folder to replace (made if it does not exist). Its parent must exist.
    files
        Relative path in the folder (``report.html``, ``failed/report.ipynb``) → a finished file
        on the same file system, which is moved there.
    drop
        Relative paths of current files that are not carried over (files the job made before and no
        longer makes, a failed copy made stale by a success).
    write
        Relative path → bytes to write there (the manifest).

    Raises
    ------
    OSError
        When a step fails (a full disk, a read-only folder): ``final`` is then unchanged.
    """
    write = write or {}
    out_dir = final.parent
    if final.is_symlink() or (final.exists() and not final.is_dir()):
        raise NotADirectoryError(errno.ENOTDIR, "not a folder (a file or a symbolic link is there)", str(final))
    _restore(final)
    replaced = set(files) | set(write) | set(drop)
    stage = make_staging(out_dir, f"{final.name}-publish")
    try:
        checkpoint("staged")
        if final.is_dir():
            os.chmod(stage, stat.S_IMODE(final.stat().st_mode))
            _carry_over(final, stage, replaced)
        checkpoint("carried-over")
        for rel, src in files.items():
            target = stage / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(src, target)
            _fsync(target)
            checkpoint("moved-in")
        for rel, data in write.items():
            target = stage / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_new(target, data)
            checkpoint("written")
        for folder, _, _ in os.walk(stage):
            _fsync(Path(folder), directory=True)
        checkpoint("synced")
        if final.is_dir() and _rename2(stage, final, _RENAME_EXCHANGE):
            checkpoint("exchanged")  # final is the new folder; stage holds the old one
            _sweep(stage, final, replaced)
        elif final.is_dir():
            previous = out_dir / f"{PREVIOUS_PREFIX}{final.name}"
            os.rename(final, previous)
            checkpoint("moved-aside")
            try:
                os.rename(stage, final)
            except BaseException:
                os.rename(previous, final)
                raise
            checkpoint("renamed-in")
            _sweep(previous, final, replaced)
            remove(previous)
        elif not _rename2(stage, final, _RENAME_NOREPLACE):
            os.rename(stage, final)  # no folder yet: one rename
        checkpoint("published")
        _fsync(out_dir, directory=True)
    finally:
        remove(stage)  # the half-built new folder, or after an exchange the old one
    checkpoint("cleaned")
