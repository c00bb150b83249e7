"""Create files so that nothing planted at their path is ever followed or overwritten.

An output or temporary folder may be shared (``/tmp``, a network share). If perfkit wrote to a
fixed name such as ``/tmp/perfkit-error.log``, anyone able to create that name first, as a
symbolic link to a file of the user's, would have perfkit overwrite it. Every file perfkit
creates itself is therefore opened with ``O_CREAT | O_EXCL | O_NOFOLLOW``: the open fails if
anything, a link included, is already there, and a link is never followed. Published files are
written under a fresh unique name beside their target and renamed over it, which replaces a
link at the target rather than writing through it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import BinaryIO

__all__ = ["create_exclusive", "create_unique", "write_atomic"]

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def create_exclusive(path: str | Path, mode: int = 0o600) -> BinaryIO:
    """Open a new file for writing in binary; fail if anything is already at ``path``.

    Parameters
    ----------
    path
        The file to create. A file, folder or symbolic link (even a broken one) already
        there raises :class:`FileExistsError`, and nothing is written.
    mode
        Permissions of the new file, before the umask (default: the owner only).

    Returns
    -------
    BinaryIO
        The open file; close it (or use it in a ``with`` block).
    """
    fd = os.open(path, _FLAGS, mode)
    return os.fdopen(fd, "wb")


def create_unique(folder: str | Path, prefix: str, suffix: str = "", mode: int = 0o600) -> tuple[Path, BinaryIO]:
    """Create a new file with an unguessable name in ``folder``, as :func:`create_exclusive` does.

    Parameters
    ----------
    folder
        Where to create it; it must exist.
    prefix, suffix
        The name is ``prefix`` + 16 random hexadecimal digits + ``suffix``.
    mode
        Permissions of the new file, before the umask.

    Returns
    -------
    tuple of Path and BinaryIO
        The file's path and the file, open for writing.
    """
    folder = Path(folder)
    for _ in range(100):
        path = folder / f"{prefix}{secrets.token_hex(8)}{suffix}"
        try:
            return path, create_exclusive(path, mode)
        except FileExistsError:
            continue
    raise FileExistsError(f"Could not create a new file in {folder}: every name tried was taken.")


def write_atomic(path: str | Path, data: bytes | str, mode: int = 0o666) -> None:
    """Write ``data`` to ``path`` all at once: readers see the old file or the new one, never a part.

    The data goes to a new file with a unique name in the same folder, created exclusively
    and without following links, and is flushed to disk; that file is then renamed over
    ``path``. A symbolic link at ``path`` is replaced, never written through.

    Parameters
    ----------
    path
        The file to write (replaced if it exists).
    data
        Bytes, or text written as UTF-8.
    mode
        Permissions of the new file, before the umask (default: as ``open`` gives them).
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp, f = create_unique(path.parent, f".{path.name}.", ".tmp", mode)
    try:
        with f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
