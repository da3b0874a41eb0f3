"""The command line: headless commands over the core, the printout and the store.

Exit codes: 0 done (whatever the plan's decision); 2 invalid input, one line per problem on
stderr naming the field (also a store refusal: unknown MRN, a conflicting save, a dose date
the rules do not allow); 1 a check that failed (``audit verify`` found a broken entry, a
double check did not match) or an unexpected internal error, with a short message
(details, never patient data, in the log).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from besponsa_desktop import __version__
from besponsa_desktop.core.strict_json import (
    MAX_IMPORT_BYTES,
    MAX_REQUEST_BYTES,
    check_size,
    printable,
)
from besponsa_desktop.core.validation import InvalidRequest, Problem
from besponsa_desktop.store.errors import StoreError

if TYPE_CHECKING:
    import sqlite3

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID = 0, 1, 2


class UsageError(Exception):
    """Bad command-line use or an unreadable input file: reported like invalid input."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors returned to ``main`` (which escapes what they echo)
    rather than printed raw and exited."""

    def error(self, message: str) -> NoReturn:
        raise BadArguments(self.format_usage(), self.prog, message)


class BadArguments(Exception):
    def __init__(self, usage: str, prog: str, message: str) -> None:
        super().__init__(message)
        self.usage, self.prog, self.message = usage, prog, message


class CheckFailed(Exception):
    """A check ran and found a problem (exit 1): the message says which."""


def _read_input(name: str, limit: int = MAX_REQUEST_BYTES, what: str = "request") -> str:
    """The text of a request or import file, refused unread beyond ``limit`` bytes: a huge
    file never reaches the parser nor fills the memory."""
    if name == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text stream (tests): its length in characters bounds the bytes
            text = sys.stdin.read(limit + 1)
            check_size(len(text.encode("utf-8", "surrogatepass")), limit, what)
            return text
        return _decode(stream.read(limit + 1), name, limit, what)
    try:
        with open(name, "rb") as handle:
            return _decode(handle.read(limit + 1), name, limit, what)
    except FileNotFoundError:
        raise UsageError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{name}: is a folder, not a request file") from None
    except OSError as error:
        raise UsageError(f"{name}: cannot be read ({error.strerror})") from None


def _decode(data: bytes, name: str, limit: int, what: str) -> str:
    check_size(len(data), limit, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{name}: is not UTF-8 text (a JSON file is expected)") from None


def cmd_plan(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.core.planner import make_plan

    plan = make_plan(_read_input(args.request))
    if args.pdf and not args.small_doses_confirmed:
        from besponsa_desktop.core import preparation
        from besponsa_desktop.core.numbers import fmt

        small = preparation.small_doses_to_confirm(plan)
        if small:
            days = ", ".join(f"Day {d.day} ({fmt(d.dose_mg)} mg)" for d in small)
            raise UsageError(
                f"--pdf: {days}: small dose, prepared by the institution's small-volume "
                "(syringe) protocol; the pharmacist confirms that with "
                "--small-doses-confirmed before the printout is made"
            )
    with contextlib.ExitStack() as printout:
        if args.pdf:
            # The printout is rendered and written first, and put in place only once the
            # plan is saved: a printout that fails saves nothing (a retry never adds a
            # revision), and a save that fails leaves no printout of an unsaved plan.
            from besponsa_desktop.files import os_problem, staged
            from besponsa_desktop.printing.document import render_pdf

            data = render_pdf(plan)
            try:
                printout.enter_context(staged(Path(args.pdf), data))
            except OSError as error:
                raise UsageError(
                    f"{args.pdf}: cannot write the printout ({os_problem(error)})"
                    + ("; nothing was saved" if args.save else "")
                ) from None
        if args.save:
            # Planned (and so validated) before the database is opened: invalid input saves
            # nothing and creates nothing.
            from besponsa_desktop.store.courses import save_plan

            with _open_store(args, create=True) as conn:
                save_plan(conn, plan, signed_by=args.by)
    out.write(plan.model_dump_json(indent=2) + "\n")
    return EXIT_OK


# ---------------------------------------------------------------- the course store


@contextlib.contextmanager
def _open_store(
    args: argparse.Namespace, create: bool, write: bool = True
) -> Iterator[sqlite3.Connection]:
    """The course database; ``write=False`` for commands that only read, which then also
    work on a database this user cannot write (opened read-only)."""
    from besponsa_desktop.store.database import connect, database_target

    target = database_target(args.db)  # a URL is refused before anything is created
    if args.db is not None and not create and not target.exists():
        raise UsageError(f"{args.db}: no such database")
    conn = connect(target, read_only=not write)
    try:
        yield conn
    finally:
        conn.close()


def _json_out(data: object, out: TextIO) -> None:
    out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.store.courses import history

    with _open_store(args, create=False, write=False) as conn:
        _json_out(history(conn, args.mrn), out)
    return EXIT_OK


def cmd_next(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.store.courses import next_cycle_request

    with _open_store(args, create=False, write=False) as conn:
        _json_out(next_cycle_request(conn, args.mrn), out)
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.store.exchange import export_text

    with _open_store(args, create=False, write=False) as conn:
        text = export_text(conn, args.mrn)
    if args.output is None:
        out.write(text)
        return EXIT_OK
    from besponsa_desktop.files import os_problem, write_atomic

    try:
        # private (0600) and whole: a temporary file beside it, renamed over it
        write_atomic(Path(args.output), text.encode("utf-8"))
    except OSError as error:
        raise UsageError(f"{args.output}: cannot write the export ({os_problem(error)})") from None
    return EXIT_OK


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.core.strict_json import loads
    from besponsa_desktop.store.exchange import import_course

    data = loads(_read_input(args.file, MAX_IMPORT_BYTES, "import file"),
                 limit=MAX_IMPORT_BYTES, what="import file")
    with _open_store(args, create=True) as conn:
        import_course(conn, data, signed_by=args.by)
    out.write("imported 1 course\n")
    return EXIT_OK


def _datetime_arg(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a date and time, YYYY-MM-DDTHH:MM") from None


def _mrn_arg(text: str) -> str:
    """An MRN read as the form and an import read it (core/mrn.py), so the same patient is
    found however the MRN was typed."""
    from besponsa_desktop.core.mrn import normalise_mrn

    try:
        return normalise_mrn(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"MRN {error}") from None


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a date, YYYY-MM-DD") from None


def cmd_record(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.store.courses import record_dose

    with _open_store(args, create=False) as conn:
        version = record_dose(
            conn, args.mrn, args.cycle, args.day, args.status, by=args.by, at=args.at,
            moved_to=args.to, reason=args.reason,
            toxicity_interruption_days=args.toxicity_days,
        )
    out.write(f"recorded: cycle {args.cycle} Day {args.day} {args.status} "
              f"(course version {version})\n")
    return EXIT_OK


def cmd_reschedule(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.store.courses import reschedule_options

    with _open_store(args, create=False, write=False) as conn:
        options = reschedule_options(conn, args.mrn, args.cycle, args.day)
    _json_out({"dates": [d.isoformat() for d in options.dates], "reason": options.reason}, out)
    return EXIT_OK


def cmd_response(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.core.models import Response
    from besponsa_desktop.store.courses import record_response

    with _open_store(args, create=False) as conn:
        version = record_response(conn, args.mrn, args.cycle, Response(args.response),
                                  mrd_negative=args.mrd_negative, by=args.by)
    out.write(f"recorded: response after cycle {args.cycle} (course version {version})\n")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.store import double_check
    from besponsa_desktop.store.courses import latest_plan_id

    with _open_store(args, create=False) as conn:
        plan_id = latest_plan_id(conn, args.mrn, args.cycle, args.day)
        result = double_check.record_check(
            conn, plan_id, checked_by=args.by, height=args.height, weight=args.weight,
            height_unit=args.height_unit, weight_unit=args.weight_unit,
            prepared_by=args.prepared_by,
        )
    if not result.matched:
        raise CheckFailed(
            f"double check: the re-entered {' and '.join(result.mismatches)} "
            f"{'do' if len(result.mismatches) > 1 else 'does'} not match the plan "
            f"({double_check.TOLERANCE_TEXT}); {double_check.NOT_VERIFIED}"
        )
    out.write(f"verified: {result.status.text}\n")
    return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.store.audit import verify

    with _open_store(args, create=False, write=False) as conn:
        result = verify(conn)
    if not result.intact:
        where = f" at entry {result.broken_id}" if result.broken_id is not None else ""
        raise CheckFailed(f"audit trail broken{where}: {result.problem}")
    out.write(f"audit trail intact: {result.entries} entries\n")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
    plan.add_argument(
        "--small-doses-confirmed",
        action="store_true",
        help="with --pdf: the pharmacist confirms that the plan's small doses are prepared by "
        "the institution's small-volume (syringe) protocol",
    )
    plan.add_argument("--save", action="store_true",
                      help="also record the plan in the patient's course (by MRN)")
    plan.add_argument("--by", metavar="NAME", help="with --save: the name signing the plan")
    _db_option(plan)
    plan.set_defaults(handler=cmd_plan)
    _store_commands(commands)
    return parser


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """Built once per process (argparse looks up its translations for every option: about
    1 ms per command here, which a caller that runs many commands in-process would pay)."""
    return build_parser()


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH",
                        help="the course database (default: in the user data folder)")


def _dose_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("mrn", type=_mrn_arg, help="the patient's MRN")
    parser.add_argument("--cycle", type=int, required=True, metavar="N")
    parser.add_argument("--day", type=int, required=True, choices=(1, 8, 15))


def _store_commands(commands: argparse._SubParsersAction[_Parser]) -> None:
    history = commands.add_parser("history", help="print a patient's course as JSON")
    history.add_argument("mrn", type=_mrn_arg, help="the patient's MRN")
    _db_option(history)
    history.set_defaults(handler=cmd_history)

    nxt = commands.add_parser(
        "next", help="print the next cycle's request, pre-filled from the course",
        description="Print a request for Day 1 of the next cycle, filled from the course. "
        "Add weight_kg, measured_on and labs, then run plan.",
    )
    nxt.add_argument("mrn", type=_mrn_arg, help="the patient's MRN")
    _db_option(nxt)
    nxt.set_defaults(handler=cmd_next)

    export = commands.add_parser("export", help="print a patient's course for import elsewhere")
    export.add_argument("mrn", type=_mrn_arg, help="the patient's MRN")
    export.add_argument("--output", metavar="FILE",
                        help="write to FILE (private to the user, 0600) instead of printing")
    _db_option(export)
    export.set_defaults(handler=cmd_export)

    load = commands.add_parser("import", help="load a course exported by export")
    load.add_argument("file", help="exported course (JSON), or - for standard input")
    load.add_argument("--by", metavar="NAME", help="the name signing the import")
    _db_option(load)
    load.set_defaults(handler=cmd_import)

    record = commands.add_parser(
        "record", help="record a dose as given, held, moved or omitted",
        description="Record what happened to a planned dose. given needs --at; held, moved "
        "and omitted need --reason; moved needs --to (see reschedule for allowed dates).",
    )
    _dose_options(record)
    record.add_argument("--status", required=True, choices=("given", "held", "moved", "omitted"))
    record.add_argument("--at", type=_datetime_arg, metavar="YYYY-MM-DDTHH:MM",
                        help="when the dose was given")
    record.add_argument("--to", type=_date_arg, metavar="YYYY-MM-DD", help="the new date")
    record.add_argument("--reason", help="why the dose was held, moved or omitted")
    record.add_argument("--toxicity-days", type=int, metavar="DAYS",
                        help="days dosing was interrupted for toxicity (sets Table 4)")
    record.add_argument("--by", required=True, metavar="NAME", help="who records it")
    _db_option(record)
    record.set_defaults(handler=cmd_record)

    reschedule = commands.add_parser(
        "reschedule", help="list the dates a Day 8 or 15 dose may move to, or why none")
    _dose_options(reschedule)
    _db_option(reschedule)
    reschedule.set_defaults(handler=cmd_reschedule)

    response = commands.add_parser("response", help="record the response after a cycle")
    response.add_argument("mrn", type=_mrn_arg, help="the patient's MRN")
    response.add_argument("--cycle", type=int, required=True, metavar="N")
    response.add_argument("--response", required=True, choices=("cr", "cri", "none"))
    response.add_argument("--mrd-negative", action="store_true")
    response.add_argument("--by", required=True, metavar="NAME")
    _db_option(response)
    response.set_defaults(handler=cmd_response)

    check = commands.add_parser(
        "check", help="independent double check: re-enter height and weight blind",
        description="A second person re-enters height and weight without looking at the "
        "plan. Exit 0 when they match (the plan is verified), 1 when they do not.",
    )
    _dose_options(check)
    check.add_argument("--by", required=True, metavar="NAME", help="the second person")
    check.add_argument("--prepared-by", metavar="NAME",
                       help="who prepared the plan (default: the name it was saved under)")
    check.add_argument("--height", type=float, required=True)
    check.add_argument("--height-unit", default="cm", choices=("cm", "m", "in"))
    check.add_argument("--weight", type=float, required=True)
    check.add_argument("--weight-unit", default="kg", choices=("kg", "g", "lb"))
    _db_option(check)
    check.set_defaults(handler=cmd_check)

    audit = commands.add_parser("audit", help="check the audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_commands.add_parser(
        "verify", help="exit 0 when the audit trail is intact, 1 naming the first broken entry")
    _db_option(verify)
    verify.set_defaults(handler=cmd_audit_verify)


def _print_problems(problems: Sequence[Problem], err: TextIO) -> None:
    for problem in problems:
        err.write(f"error: {printable(str(problem))}\n")


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except BadArguments as bad:
        err.write("".join(printable(line) + "\n" for line in bad.usage.splitlines()))
        err.write(f"{bad.prog}: error: {printable(bad.message)}\n")
        return EXIT_INVALID
    except SystemExit as stop:  # --help or --version: argparse has printed it
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
    except (UsageError, StoreError) as usage:
        err.write(f"error: {printable(str(usage))}\n")
        return EXIT_INVALID
    except CheckFailed as failed:
        err.write(f"{printable(str(failed))}\n")
        return EXIT_INTERNAL
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
