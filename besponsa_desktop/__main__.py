"""Entry point: no arguments opens the window; ``--smoke`` starts it, waits until it is
painted, prints the time and exits; ``--load REQUEST.json`` opens the window with the form
filled from a request; anything else is the command line."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    window_args = _window_args(args)
    if window_args is not None:
        try:
            from besponsa_desktop.ui.app import run
        except ImportError:  # the window is not built yet: show the command line
            from besponsa_desktop.cli import main as cli_main

            return cli_main(["--help"])
        smoke, load = window_args
        return run(smoke=smoke, load=load)
    from besponsa_desktop.cli import main as cli_main

    return cli_main(args)


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
