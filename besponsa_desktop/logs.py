"""The program's log. It never holds patient data: an internal error is logged as its
exception type and the code locations it passed through, never its message or values
(which may quote a name, an MRN or a lab result)."""

from __future__ import annotations

import datetime as _dt
import os
import traceback
from pathlib import Path

from besponsa_desktop import __version__


def log_dir() -> Path:
    override = os.environ.get("BESPONSA_LOG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_log_dir("besponsa-desktop", appauthor=False))


def _append(lines: list[str]) -> Path | None:
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / "besponsa-desktop.log"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        return path
    except OSError:
        return None


def log_note(text: str) -> Path | None:
    """A line for IT (a setting ignored, say). The caller makes sure it holds no patient
    data and no value a person typed."""
    stamp = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    return _append([f"{stamp} besponsa-desktop {__version__}: {text}"])


def log_internal_error(error: BaseException) -> Path | None:
    """Record where an unexpected error happened. Returns the log file, or None if even the
    log could not be written (the caller still exits cleanly)."""
    frames = traceback.extract_tb(error.__traceback__)
    lines = [
        f"{_dt.datetime.now(_dt.UTC).isoformat(timespec='seconds')} besponsa-desktop "
        f"{__version__}: internal error {type(error).__module__}.{type(error).__qualname__}"
    ]
    lines += [f"  at {Path(f.filename).name}:{f.lineno} in {f.name}" for f in frames]
    return _append(lines)
