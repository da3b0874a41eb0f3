"""Entry point: no arguments opens the window; ``--smoke`` starts it, waits until it is
painted, prints the time and exits; ``--load REQUEST.json`` opens the window with the form
filled from a request; anything else is the command line.

Output is UTF-8 whatever the console or pipe (Windows would otherwise encode a pipe in the
ANSI code page, cp1252, and fail on the first character outside it). A window that cannot
start says so in a message box when there is no console to read (pythonw.exe, a menu
entry) and logs where it failed (docs: packaging/README.md, "When the window does not
start")."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    utf8_output()
    # The program uses no pydantic plugin: without this, building the first model reads
    # the entry points of every installed distribution to look for one.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    args = list(sys.argv[1:] if argv is None else argv)
    window_args = _window_args(args)
    if window_args is not None:
        problem = _no_display()
        if problem:
            print(f"besponsa-desktop: {problem}", file=sys.stderr)
            return 2
        smoke, load = window_args
        try:
            # The dosing rules before Qt: once PySide6 is loaded it reads the source of
            # every module imported after it (its __feature__ hook), ~30 ms for these.
            import besponsa_desktop.core.planner  # noqa: F401
            from besponsa_desktop.ui.app import run
        except ImportError as error:  # a broken installation: say so; --smoke must fail
            return start_failed(
                error, f"{error.name or 'a module'} could not be loaded; reinstall the program",
                show=not smoke,
            )
        try:
            return run(smoke=smoke, load=load)
        except Exception as error:  # never a silent exit or a bare traceback
            return start_failed(error, "an internal error stopped it", show=not smoke)
    from besponsa_desktop.cli import main as cli_main

    return cli_main(args)


def utf8_output() -> None:
    """stdout and stderr write UTF-8, on a console, a pipe or a file alike. pythonw.exe has
    neither (None): nothing to do."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
            reconfigure(encoding="utf-8")


def start_failed(error: BaseException, why: str, show: bool) -> int:
    """The window could not start: log where (never patient data), say why on stderr and,
    where nobody would see stderr, in a message box. Returns the exit code, 1."""
    log = _log(error)
    where = f" Details for IT are in {log}." if log else ""
    message = f"besponsa-desktop: the window cannot start: {why}.{where}"
    print(message, file=sys.stderr)  # does nothing under pythonw.exe (no stderr)
    if show and (sys.stderr is None or sys.platform == "win32"):
        _message_box("besponsa-desktop could not start", message)
    return 1


def _log(error: BaseException) -> str | None:
    try:
        from besponsa_desktop.logs import log_internal_error

        path = log_internal_error(error)
        return str(path) if path else None
    except Exception:  # the log itself cannot be written (e.g. platformdirs is missing)
        return None


def _message_box(title: str, text: str) -> None:
    """Qt's message box if Qt loads, else (Windows) the system's own."""
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox

        if QApplication.instance() is None:
            QApplication([sys.argv[0] if sys.argv else "besponsa-desktop"])
        QMessageBox.critical(None, title, text)
        return
    except Exception:
        pass
    if sys.platform == "win32":
        import ctypes

        ctypes.windll.user32.MessageBoxW(None, text, title, 0x10)  # MB_ICONERROR


def _no_display() -> str | None:
    """On Linux without a display Qt aborts with a core dump; say what to do instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "no display to open the window on (DISPLAY is not set). Run it in a desktop "
        "session; for a check without a screen, set QT_QPA_PLATFORM=offscreen "
        "(e.g. QT_QPA_PLATFORM=offscreen besponsa-desktop --smoke)"
    )


def _window_args(args: list[str]) -> tuple[bool, str | None] | None:
    """(smoke, request file) when the arguments ask for the window, else None."""
    smoke, load, rest = False, None, list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--smoke":
            smoke = True
        elif arg == "--load" and rest:
            load = rest.pop(0)
        elif arg.startswith("--load="):
            load = arg.split("=", 1)[1]
        else:
            return None
    return smoke, load


if __name__ == "__main__":
    sys.exit(main())
