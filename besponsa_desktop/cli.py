"""The command line: headless commands over the application layer (``app``), which asks
the core and keeps the course in the store. The institution's settings (the user's file and
IT's system file, as the window reads them) apply here too.

Exit codes: 0 done (whatever the plan's decision); 2 invalid input, one line per problem on
stderr naming the field (also a refusal by the rules, each reason with its code and label
section, or by the store: unknown MRN, a conflicting save); 1 a check that failed
(``audit verify`` found a broken entry, a double check did not match) or an unexpected
internal error, with a short message (details, never patient data, in the log).
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
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from besponsa_desktop import __version__
from besponsa_desktop.app.errors import Refused, StoreError
from besponsa_desktop.core.strict_json import (
    MAX_IMPORT_BYTES,
    MAX_REQUEST_BYTES,
    check_size,
    printable,
)
from besponsa_desktop.core.validation import InvalidRequest, Problem

if TYPE_CHECKING:
    from besponsa_desktop.app.courses import CourseService
    from besponsa_desktop.app.database import Location

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID = 0, 1, 2


class UsageError(Exception):
    """Bad command-line use or an unreadable input file: reported like invalid input."""


class CheckFailed(Exception):
    """A check ran and found a problem (exit 1): the message says which."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors returned to ``main`` (which escapes what they echo)
    rather than printed raw and exited."""

    def error(self, message: str) -> NoReturn:
        raise BadArguments(self.format_usage(), self.prog, message)


class BadArguments(Exception):
    def __init__(self, usage: str, prog: str, message: str) -> None:
        super().__init__(message)
        self.usage, self.prog, self.message = usage, prog, message





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


def _service(args: argparse.Namespace, create: bool, write: bool = True) -> CourseService:
    """The application over the course database the command names: ``--db``, else the
    settings' database file, else the default location. Reading commands never create
    one."""
    from besponsa_desktop.app.courses import CourseService
    from besponsa_desktop.app.settings import InstitutionSettings

    settings = InstitutionSettings().values()
    where = _location(args, settings)
    if not create and where.path is not None and not where.path.exists():
        raise UsageError(f"{where.path}: no such database")
    return CourseService(settings, where, read_only=not write)


def _location(args: argparse.Namespace, settings: dict[str, Any]) -> Location:
    """``--db`` (a file path or a ``postgresql://`` URL), else the settings' ward database
    URL, else their database file, else the default file."""
    from besponsa_desktop.app.database import location

    return location(getattr(args, "db", None), settings)


@contextlib.contextmanager
def _course_service(
    args: argparse.Namespace, create: bool, write: bool = True
) -> Iterator[CourseService]:
    """``write=False`` for commands that only read: they also work on a database this user
    cannot write (a read-only file or mount), which is opened read-only."""
    service = _service(args, create, write)
    try:
        yield service
    finally:
        service.close()


def cmd_plan(args: argparse.Namespace, out: TextIO) -> int:
    # Planned (and so validated) before the database is opened: invalid input saves
    # nothing and creates nothing.
    with _course_service(args, create=True) as service:
        plan = service.plan(_read_input(args.request))
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
                # The printout is rendered and written first, and put in place only once
                # the plan is saved: a printout that fails saves nothing (a retry never
                # adds a revision), and a save that fails leaves no printout of an unsaved
                # plan.
                from besponsa_desktop.app.printout import render
                from besponsa_desktop.files import os_problem, staged

                # the pharmacist named on the sheet is the one signing the plan (--by)
                data = render(plan, service.settings, pharmacist=args.by or "")
                try:
                    printout.enter_context(staged(Path(args.pdf), data))
                except OSError as error:
                    raise UsageError(
                        f"{args.pdf}: cannot write the printout ({os_problem(error)})"
                        + ("; nothing was saved" if args.save else "")
                    ) from None
            saved = service.save_plan(plan, by=args.by) if args.save else None
        if args.pdf and saved is not None:
            # Once saved, the sheet shows the course as stored (its schedule, the chain
            # head); the printout above already stands should this one fail.
            from besponsa_desktop.app.printout import render
            from besponsa_desktop.files import write_atomic

            write_atomic(Path(args.pdf), render(plan, service.settings,
                                                service.history(plan.patient.mrn),
                                                (saved.cycle, saved.day),
                                                pharmacist=args.by or ""))
    out.write(plan.model_dump_json(indent=2) + "\n")
    return EXIT_OK


# ---------------------------------------------------------------- the course store


def _json_out(data: object, out: TextIO) -> None:
    out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    with _course_service(args, create=False, write=False) as service:
        _json_out(service.history(args.mrn), out)
    return EXIT_OK


def cmd_next(args: argparse.Namespace, out: TextIO) -> int:
    with _course_service(args, create=False, write=False) as service:
        _json_out(service.next_cycle_request(args.mrn), out)
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.app.exchange import export_text

    with _course_service(args, create=False, write=False) as service:
        text = export_text(service.require(args.mrn), service.store.verify().head)
    if args.output:
        from besponsa_desktop.files import os_problem, write_atomic

        try:
            # private (0600) and whole: a temporary file beside it, renamed over it
            write_atomic(Path(args.output), text.encode("utf-8"))
        except OSError as error:
            raise UsageError(
                f"{args.output}: cannot write the export ({os_problem(error)})"
            ) from None
        out.write(f"exported 1 course to {args.output}\n")
    else:
        out.write(text)
    return EXIT_OK


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.core.strict_json import loads

    data = loads(_read_input(args.file, MAX_IMPORT_BYTES, "import file"),
                 limit=MAX_IMPORT_BYTES, what="import file")
    with _course_service(args, create=True) as service:
        done = service.import_course(data, by=args.by)
    out.write(f"imported 1 course ({done.events} entries, {done.plans} plans, each "
              "recomputed and checked by the rules)\n")
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


def _mrn_arg(text: str) -> str:
    """An MRN read as the form and an import read it (core/mrn.py), so the same patient is
    found however the MRN was typed."""
    from besponsa_desktop.core.mrn import normalise_mrn

    try:
        return normalise_mrn(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"MRN {error}") from None


def cmd_record(args: argparse.Namespace, out: TextIO) -> int:
    with _course_service(args, create=False) as service:
        done = service.record_dose(
            args.mrn, args.cycle, args.day, args.status, by=args.by, at=args.at,
            moved_to=args.to, reason=args.reason, toxicity_days=args.toxicity_days,
        )
    out.write(f"recorded: {done.text} (course version {done.version})\n")
    return EXIT_OK


def cmd_correct(args: argparse.Namespace, out: TextIO) -> int:
    with _course_service(args, create=False) as service:
        done = service.void_record(args.mrn, args.cycle, args.day, args.entry, by=args.by,
                                   reason=args.reason)
    out.write(f"recorded: {done.text} (course version {done.version}); the entry stays "
              "in the history\n")
    return EXIT_OK


def cmd_reschedule(args: argparse.Namespace, out: TextIO) -> int:
    with _course_service(args, create=False, write=False) as service:
        options = service.reschedule_options(args.mrn, args.cycle, args.day)
    _json_out({"dates": [d.isoformat() for d in options.dates], "reason": options.reason}, out)
    return EXIT_OK


def cmd_response(args: argparse.Namespace, out: TextIO) -> int:
    with _course_service(args, create=False) as service:
        done = service.record_response(args.mrn, args.cycle, args.response, by=args.by,
                                       mrd_negative=args.mrd_negative)
    out.write(f"recorded: {done.text} (course version {done.version})\n")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.app.double_check import NOT_VERIFIED, TOLERANCE_TEXT

    with _course_service(args, create=False) as service:
        login = None
        if service.store.is_server:
            # The second person logs in to the ward database as themselves.
            login = (args.by, _password(args))
        result = service.double_check(
            args.mrn, args.cycle, args.day, checked_by=args.by, height=args.height,
            weight=args.weight, height_unit=args.height_unit, weight_unit=args.weight_unit,
            revision=args.revision, login=login,
        )
    if not result.matched:
        raise CheckFailed(
            f"double check: the re-entered {' and '.join(result.mismatches)} "
            f"{'do' if len(result.mismatches) > 1 else 'does'} not match the plan "
            f"({TOLERANCE_TEXT}); {NOT_VERIFIED}"
        )
    out.write(f"verified: cycle {result.cycle} Day {result.day} revision {result.revision}, "
              f"independently double-checked by {result.checked_by}\n")
    return EXIT_OK


def _password(args: argparse.Namespace) -> str:
    """The second person's database password: one line of standard input with
    ``--password-stdin``, else asked on the terminal. Never an argument (it would show in
    the process list) and never kept."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    try:
        return getpass.getpass(f"database password for {args.by}: ")
    except EOFError:
        raise UsageError("the second person's database password is needed (no terminal: "
                         "use --password-stdin)") from None


def cmd_audit_verify(args: argparse.Namespace, out: TextIO) -> int:
    with _course_service(args, create=False, write=False) as service:
        result = service.verify(args.expect)
    if not result.intact:
        where = f" at entry {result.broken_id}" if result.broken_id is not None else ""
        raise CheckFailed(f"audit trail broken{where}: {result.problem}")
    out.write(f"audit trail intact: {result.entries} entries; chain head {result.head_short}\n")
    return EXIT_OK


def _database_location(args: argparse.Namespace) -> Location:
    from besponsa_desktop.app.settings import InstitutionSettings

    return _location(args, InstitutionSettings().values())


def cmd_db_status(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.app import database

    found = database.status(_database_location(args))
    if args.json:
        _json_out(found.as_data(), out)
    else:
        out.write(database.describe(found))
    return EXIT_OK if found.up_to_date else EXIT_INTERNAL


def cmd_db_init(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.app import database

    found = database.init(_database_location(args))
    out.write(f"created: schema revision {found.revision} in {found.database}\n")
    return EXIT_OK


def cmd_db_upgrade(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.app import database

    before, after = database.upgrade(_database_location(args))
    if before.up_to_date:
        out.write(f"up to date: schema revision {after.revision} in {after.database}\n")
    else:
        was = (f"version {before.legacy_version}" if before.legacy_version is not None
               else f"revision {before.revision or 'none'}")
        out.write(f"upgraded: schema {was} -> revision {after.revision} in "
                  f"{after.database}\n")
    return EXIT_OK


def cmd_db_roles(args: argparse.Namespace, out: TextIO) -> int:
    from besponsa_desktop.app import database

    out.write(database.roles_sql())
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
    plan.add_argument("--save", action="store_true",
                      help="also record the plan in the patient's course (by MRN)")
    plan.add_argument("--by", metavar="NAME", help="the pharmacist signing the plan: saved "
                      "with --save, named on the printout")
    plan.add_argument(
        "--small-doses-confirmed",
        action="store_true",
        help="with --pdf: the pharmacist confirms that the plan's small doses are prepared by "
        "the institution's small-volume (syringe) protocol",
    )
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
    parser.add_argument("--db", metavar="PATH|URL",
                        help="the course database: a file, or a ward database "
                        "(postgresql://server/database; see docs/ward-deployment.md). "
                        "Default: the settings, else a file in the user data folder")


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
                        help="write to FILE (private to the user) instead of standard output")
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
                        help="when the dose was given, in the ward's time (an offset such as "
                        "+01:00 may be added); not later than now")
    record.add_argument("--to", type=_date_arg, metavar="YYYY-MM-DD",
                        help="the new date (today or later)")
    record.add_argument("--reason", help="why the dose was held, moved or omitted")
    record.add_argument("--toxicity-days", type=int, metavar="DAYS",
                        help="days dosing was interrupted for toxicity (sets Table 4)")
    record.add_argument("--by", required=True, metavar="NAME", help="who records it")
    _db_option(record)
    record.set_defaults(handler=cmd_record)

    correct = commands.add_parser(
        "correct", help="void a dose-record entry (a correction); it stays in the history",
        description="Void one entry of a dose's record (numbered from 1, as history shows "
        "them), with the reason. The entry is kept, marked void; record again if needed.",
    )
    _dose_options(correct)
    correct.add_argument("--entry", type=int, required=True, metavar="N")
    correct.add_argument("--reason", required=True, help="why the entry is wrong")
    correct.add_argument("--by", required=True, metavar="NAME", help="who corrects it")
    _db_option(correct)
    correct.set_defaults(handler=cmd_correct)

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
    check.add_argument("--by", required=True, metavar="NAME",
                       help="the second person (on a ward database: their database user, "
                       "whose password is then asked for)")
    check.add_argument("--password-stdin", action="store_true",
                       help="on a ward database: read the second person's password from "
                       "standard input")
    check.add_argument("--prepared-by", metavar="NAME",
                       help="ignored: the preparer is the name the plan revision was saved "
                       "under (kept so that older scripts still run)")
    check.add_argument("--revision", type=int, metavar="N",
                       help="the plan revision checked (default: the latest); a check of a "
                       "revision that is no longer the latest verifies nothing")
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
    verify.add_argument("--expect", metavar="HEAD",
                        help="a chain head kept outside the database (printed on printouts "
                        "and exports): the chain must still hold it")
    _db_option(verify)
    verify.set_defaults(handler=cmd_audit_verify)
    _database_commands(commands)


def _database_commands(commands: argparse._SubParsersAction[_Parser]) -> None:
    db = commands.add_parser(
        "db", help="set up, check or upgrade the course database's schema",
        description="For IT: the schema of the course database. A ward database "
        "(PostgreSQL) is only ever changed by these commands; a database file is also "
        "upgraded when the program opens it. See docs/ward-deployment.md.")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    status = actions.add_parser(
        "status", help="the database's schema revision and this program's; exit 1 when "
        "an upgrade is needed")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    _db_option(status)
    status.set_defaults(handler=cmd_db_status)
    init = actions.add_parser("init", help="create the schema in an empty database")
    _db_option(init)
    init.set_defaults(handler=cmd_db_init)
    upgrade = actions.add_parser(
        "upgrade", help="bring the schema to this program's revision (one transaction)")
    _db_option(upgrade)
    upgrade.set_defaults(handler=cmd_db_upgrade)
    roles = actions.add_parser(
        "roles", help="print the SQL that creates a ward database's roles (run it with psql)")
    roles.set_defaults(handler=cmd_db_roles)


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
    except Refused as refused:
        for line in refused.lines():
            err.write(f"error: {printable(line)}\n")
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
