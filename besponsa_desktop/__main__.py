"""Entry point: no arguments opens the window; ``--smoke`` starts it, waits until it is
painted, prints the time and exits; ``--load REQUEST.json`` opens the window with the form
filled from a request; anything else is the command line."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    window_args = _window_args(args)
    if window_args is not None:
        problem = _no_display()
        if problem:
            print(f"besponsa-desktop: {problem}", file=sys.stderr)
            return 2
        try:
            from besponsa_desktop.ui.app import run
        except ImportError as error:  # a broken installation: say so; --smoke must fail
            print(
                f"besponsa-desktop: the window cannot start: {error.name or 'a module'} "
                "could not be loaded; reinstall the program",
                file=sys.stderr,
            )
            return 1
        smoke, load = window_args
        return run(smoke=smoke, load=load)
    from besponsa_desktop.cli import main as cli_main

    return cli_main(args)


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
