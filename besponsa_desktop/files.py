"""Writing files safely: private to the user, and never half-written.

A file is written to a temporary name in the same folder, flushed to disk, then renamed over
the target in one step, so a crash leaves either the old file or the new one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    return path


def write_atomic(path: Path, data: bytes) -> None:
    with staged(path, data):
        pass


@contextlib.contextmanager
def staged(path: Path, data: bytes) -> Iterator[None]:
    """Write ``data`` to a private temporary file beside ``path`` (0600, flushed to disk),
    run the block, then put the file in place; if the block fails the file never appears.
    A failure to write (no folder, a full disk) is raised before the block runs."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    # mkstemp creates the file readable and writable by its owner only (0600).
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        yield
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def os_problem(error: OSError) -> str:
    """Why a file could not be written, in words (a full disk named as such)."""
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    if error.errno == errno.EDQUOT:
        return "the disk quota is used up"
    return error.strerror or type(error).__name__
