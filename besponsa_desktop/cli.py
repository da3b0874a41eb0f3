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
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from besponsa_desktop import __version__
from besponsa_desktop.core.validation import InvalidRequest, Problem
from besponsa_desktop.store.errors import StoreError

if TYPE_CHECKING:
    import sqlite3

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID = 0, 1, 2


class UsageError(Exception):
    """Bad command-line use or an unreadable input file: reported like invalid input."""


class CheckFailed(Exception):
    """A check ran and found a problem (exit 1): the message says which."""


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
    if args.save:
        # Planned (and so validated) before the database is opened: invalid input saves
        # nothing and creates nothing.
        from besponsa_desktop.store.courses import save_plan

        with _open_store(args, create=True) as conn:
            save_plan(conn, plan, signed_by=args.by)
    if args.pdf:
        from besponsa_desktop.printing.document import write_pdf

        write_pdf(plan, Path(args.pdf))
    out.write(plan.model_dump_json(indent=2) + "\n")
    return EXIT_OK


# ---------------------------------------------------------------- the course store


@contextlib.contextmanager
def _open_store(args: argparse.Namespace, create: bool) -> Iterator[sqlite3.Connection]:
    from besponsa_desktop.store.database import connect

    if args.db is not None and not create and not Path(args.db).exists():
        raise UsageError(f"{args.db}: no such database")
    conn = connect(args.db)
    try:
        yield conn
    finally:
        conn.close()


def _json_out(data: object, out: TextIO) -> None:
    out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.store.courses import history

    with _open_store(args, create=False) as conn:
        _json_out(history(conn, args.mrn), out)
    return EXIT_OK


def cmd_next(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.store.courses import next_cycle_request

    with _open_store(args, create=False) as conn:
        _json_out(next_cycle_request(conn, args.mrn), out)
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.store.exchange import export_text

    with _open_store(args, create=False) as conn:
        out.write(export_text(conn, args.mrn))
    return EXIT_OK


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.store.exchange import import_course

    text = _read_input(args.file)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"{args.file}: is not JSON (line {error.lineno})") from None
    with _open_store(args, create=True) as conn:
        import_course(conn, data, signed_by=args.by)
    out.write("imported 1 course\n")
    return EXIT_OK


def _datetime_arg(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a date and time, YYYY-MM-DDTHH:MM") from None


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

    with _open_store(args, create=False) as conn:
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

    with _open_store(args, create=False) as conn:
        result = verify(conn)
    if not result.intact:
        where = f" at entry {result.broken_id}" if result.broken_id is not None else ""
        raise CheckFailed(f"audit trail broken{where}: {result.problem}")
    out.write(f"audit trail intact: {result.entries} entries\n")
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


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH",
                        help="the course database (default: in the user data folder)")


def _dose_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("mrn", help="the patient's MRN")
    parser.add_argument("--cycle", type=int, required=True, metavar="N")
    parser.add_argument("--day", type=int, required=True, choices=(1, 8, 15))


def _store_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    history = commands.add_parser("history", help="print a patient's course as JSON")
    history.add_argument("mrn", help="the patient's MRN")
    _db_option(history)
    history.set_defaults(handler=cmd_history)

    nxt = commands.add_parser(
        "next", help="print the next cycle's request, pre-filled from the course",
        description="Print a request for Day 1 of the next cycle, filled from the course. "
        "Add weight_kg, measured_on and labs, then run plan.",
    )
    nxt.add_argument("mrn", help="the patient's MRN")
    _db_option(nxt)
    nxt.set_defaults(handler=cmd_next)

    export = commands.add_parser("export", help="print a patient's course for import elsewhere")
    export.add_argument("mrn", help="the patient's MRN")
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
    response.add_argument("mrn", help="the patient's MRN")
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
    except (UsageError, StoreError) as usage:
        err.write(f"error: {usage}\n")
        return EXIT_INVALID
    except CheckFailed as failed:
        err.write(f"{failed}\n")
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
