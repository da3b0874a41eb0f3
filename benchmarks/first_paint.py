"""``besponsa-desktop --smoke`` that stops at the first paint, for counting instructions.

The window is built whole, with the dosing rules loaded, before it is first shown; after
the paint ``--smoke`` goes on to plan a request through the window. This runs the same
start-up and prints its line as soon as the window is painted, without that plan, so that a
whole-process count (valgrind) measures launch to a painted, usable window."""

from __future__ import annotations

import sys

from besponsa_desktop import __main__ as entry
from besponsa_desktop.ui import app


def _no_plan(window: object, controller: object) -> str:
    return "none: stopped at the first paint"


app.smoke_plan = _no_plan  # type: ignore[assignment]

if __name__ == "__main__":
    sys.exit(entry.main(["--smoke"]))
