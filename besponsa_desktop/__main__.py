"""Entry point: no arguments opens the window; ``--smoke`` starts it, waits until it is
painted, prints the time and exits; anything else is the command line."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args == ["--smoke"]:
        try:
            from besponsa_desktop.ui.app import run
        except ImportError:  # the window is not built yet: show the command line
            from besponsa_desktop.cli import main as cli_main

            return cli_main(["--help"])
        return run(smoke=bool(args))
    from besponsa_desktop.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
