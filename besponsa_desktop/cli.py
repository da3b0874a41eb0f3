"""The command line: headless commands over the core, the printout and the store.

Exit codes: 0 done (whatever the plan's decision); 2 invalid input, one line per problem on
stderr naming the field; 1 an unexpected internal error, with a short message (details,
never patient data, in the log).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from besponsa_desktop import __version__
from besponsa_desktop.core.validation import InvalidRequest, Problem

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID = 0, 1, 2


class UsageError(Exception):
    """Bad command-line use or an unreadable input file: reported like invalid input."""


def _read_input(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{name}: is a folder, not a request file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{name}: is not UTF-8 text (a JSON request is expected)") from None
    except OSError as error:
        raise UsageError(f"{name}: cannot be read ({error.strerror})") from None


def cmd_plan(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.core.planner import make_plan

    plan = make_plan(_read_input(args.request))
    if args.pdf:
        from besponsa_desktop.printing.document import write_pdf

        write_pdf(plan, Path(args.pdf))
    out.write(plan.model_dump_json(indent=2) + "\n")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="besponsa-desktop",
        description="Treatment planning for inotuzumab ozogamicin (BESPONSA). With no "
        "arguments, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    plan = commands.add_parser(
        "plan",
        help="plan a cycle from a JSON request; print the plan as JSON",
        description="Read a plan request (JSON; '-' for standard input), apply the label's "
        "rules and print the plan as JSON. Exit 0 whatever the decision; 2 for invalid "
        "input.",
    )
    plan.add_argument("request", help="request file, or - for standard input")
    plan.add_argument("--pdf", metavar="FILE", help="also write the nurses' printout to FILE")
    plan.set_defaults(handler=cmd_plan)
    return parser


def _print_problems(problems: Sequence[Problem], err: TextIO) -> None:
    for problem in problems:
        err.write(f"error: {problem}\n")


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse has printed its usage message
        return EXIT_OK if stop.code in (0, None) else EXIT_INVALID
    handler: Callable[[argparse.Namespace, TextIO], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(out)
        return EXIT_OK
    try:
        return handler(args, out)
    except InvalidRequest as invalid:
        _print_problems(invalid.problems, err)
        return EXIT_INVALID
    except UsageError as usage:
        err.write(f"error: {usage}\n")
        return EXIT_INVALID
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return EXIT_INTERNAL
    except Exception as error:  # the last line of defence: never a traceback to a user
        from besponsa_desktop.logs import log_internal_error

        where = log_internal_error(error)
        err.write(
            "internal error: besponsa-desktop could not complete this command"
            + (f"; details (no patient data) in {where}\n" if where else "\n")
        )
        return EXIT_INTERNAL
