"""Content hashes of files (SHA-256), kept apart from the modules that need pandas.

The cache keys, the manifests and the validation record all compare files by content; an
unchanged rerun checks them without loading pandas or numpy, so this module imports only
the standard library.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["sha256_file"]


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex.

    Examples
    --------
    >>> sha256_file(tiny_dir / "metrics.csv") == hashlib.sha256((tiny_dir / "metrics.csv").read_bytes()).hexdigest()
    True
    """
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
