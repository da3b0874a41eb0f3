"""The services over a patient's course, for the command line and the window alike.

Each change loads the course (its events, replayed through the core), asks the core to
apply the new event (a refusal carries the core's reasons, and nothing is stored), and
appends the event to the store against the version it was based on (a course changed in
the meantime is a ConflictError: reload, never overwrite). Nothing here decides anything
clinical: the core does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from besponsa_desktop.app.errors import NotFound, Refused, StoreError
from besponsa_desktop.app.results import (
    AuditResult,
    CheckOutcome,
    MoveOptions,
    PatientFound,
    Recorded,
    Saved,
    Verification,
)
from besponsa_desktop.app.settings import OPTIONS, small_dose_protocol
from besponsa_desktop.store.location import Location

if TYPE_CHECKING:
    from besponsa_desktop.core.course import Course
    from besponsa_desktop.core.models import Plan
    from besponsa_desktop.store.repository import SqlCourseStore, StoredCourse

# Request keys the institution's settings fill when a request leaves them out.
SETTING_DEFAULTS = {
    "volume_rounding_ml": "volume_rounding_ml",
    "weight_change_threshold_pct": "weight_change_threshold_pct",
}


def now() -> datetime:
    """The moment a record is made, with this workstation's UTC offset (the ward's): the
    core takes the ward's date from it (a dose moved to a day already past is refused)."""
    return datetime.now(UTC).astimezone()


def ward_time(moment: datetime) -> datetime:
    """A time given, in the ward's time with its offset: one typed without an offset is the
    workstation's local time on that date (summer time as it was then); one with an offset is
    converted, so that its date is the ward's date."""
    return moment.astimezone()


@dataclass(frozen=True)
class Loaded:
    """A course as stored (its events) and as the core rebuilds it from them.

    ``refused``: when a stored entry is refused by today's rules (a course kept by an
    older version of the program), the course is what the entries before it build, and
    this says which entry and why; nothing more can be added to such a course."""

    course: Course
    stored: StoredCourse
    refused: str | None = None

    @property
    def version(self) -> int:
        return self.stored.version

    @property
    def mrn(self) -> str:
        return self.stored.patient["mrn"]


class CourseService:
    """Plan, save, record, reschedule, response, double check, next, history, export and
    import, over one store. The store is opened on first use."""

    def __init__(self, settings: Mapping[str, Any] | None = None,
                 db: Location | Path | str | None = None, *, read_only: bool = False) -> None:
        self.settings = {o.key: o.default for o in OPTIONS} | dict(settings or {})
        # None: the settings' database (ward URL, else file, else the default file),
        # resolved when the store is first used so that a refusal reaches the caller there.
        self.location: Location | Path | str | None = db
        self._store: SqlCourseStore | None = None
        self.read_only = read_only  # only reads: a database that cannot be written still opens

    # ---------------------------------------------------------------- the store
    @property
    def store(self) -> SqlCourseStore:
        if self._store is None:
            from besponsa_desktop.app.database import location
            from besponsa_desktop.store.repository import open_store

            where = self.location
            if not isinstance(where, Location):
                where = location(None if where is None else str(where), self.settings)
            self._store = open_store(where, read_only=self.read_only)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # ---------------------------------------------------------------- planning
    def with_settings(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """The request with the institution's settings where it says nothing."""
        filled = dict(request)
        for key, option in SETTING_DEFAULTS.items():
            if key not in filled:
                filled[key] = self.settings[option]
        protocol = small_dose_protocol(self.settings)
        if protocol is not None and "small_dose_protocol" not in filled:
            filled["small_dose_protocol"] = protocol
        return filled

    def plan(self, request: object) -> Plan:
        """The core's plan for a request (text or data); InvalidRequest for bad input."""
        from besponsa_desktop.core.planner import make_plan
        from besponsa_desktop.core.validation import parse_request_json

        if isinstance(request, str | bytes):
            import json

            parse_request_json(request)  # duplicate keys, non-finite numbers: refused here
            request = json.loads(request)
        if isinstance(request, Mapping):
            request = self.with_settings(request)
        return make_plan(request, mrn_ignore_case=self.mrn_ignores_case)

    @property
    def mrn_ignores_case(self) -> bool:
        """The institution's MRNs ignore letter case (setting ``mrn_letter_case``)."""
        return self.settings.get("mrn_letter_case") == "ignore"

    # ---------------------------------------------------------------- loading
    def load(self, mrn: str) -> Loaded | None:
        from besponsa_desktop.core.mrn import normalise_mrn

        # the MRN as every path reads it (core/mrn.py), so one patient is one course
        stored = self.store.load(normalise_mrn(mrn, ignore_case=self.mrn_ignores_case))
        if stored is None:
            return None
        course, refused = replay_stored(stored)
        return Loaded(course, stored, refused)

    def require(self, mrn: str) -> Loaded:
        loaded = self.load(mrn)
        if loaded is None:
            raise NotFound("no course is stored for this MRN")
        return loaded

    def version(self, mrn: str) -> int:
        loaded = self.store.load(mrn)
        return 0 if loaded is None else loaded.version

    def _commit(self, loaded: Loaded | None, patient: Mapping[str, str], event: Any,
                expected_version: int | None, what: str,
                store: SqlCourseStore | None = None) -> tuple[Course, int]:
        """Apply one event (the core decides) and append it (the store keeps it; ``store``:
        another login to the same database, for a second person's double check)."""
        from besponsa_desktop.core.course import CourseRefused, apply

        if loaded is not None and loaded.refused:
            raise StoreError(f"{what}: not recorded: {loaded.refused}. Nothing can be added "
                             "to this course until it is reviewed (export it for review)")
        base = None if loaded is None else loaded.course
        based_on = 0 if loaded is None else loaded.version
        if expected_version is not None and expected_version != based_on:
            from besponsa_desktop.store.errors import ConflictError

            raise ConflictError(expected_version, based_on)
        try:
            course = apply(base, event)
        except CourseRefused as refused:
            raise Refused(refused.reasons, what) from None
        version = (store or self.store).append(patient, based_on,
                                               [event.model_dump(mode="json")])
        return course, version

    def signer(self, by: str | None) -> str:
        """Who signs a change. On a ward database: the database user who logged in (the
        server checks it); a different name is refused. On a database file: the name
        given, else the user logged in to this computer."""
        user = self.store.signed_in_user()
        if user is None:
            return _signer(by)
        if by is not None and by.strip() and " ".join(by.split()) != user:
            raise StoreError(f"by: on the ward database a change is signed by the database "
                             f"user who makes it ({user}), not by another name")
        return user

    # ---------------------------------------------------------------- saving a plan
    def save_plan(self, plan: Plan, *, by: str | None = None,
                  expected_version: int | None = None) -> Saved:
        """Save a plan in its patient's course. ``expected_version``: the version the caller
        loaded (0 for a new course); None: whatever is stored now (a one-shot command)."""
        from besponsa_desktop.core.course import PlanSaved

        signer = self.signer(by)
        loaded = self.load(plan.patient.mrn)
        event = _event(PlanSaved, by=signer, at=now(), plan=plan)
        patient = plan.patient.model_dump(mode="json")
        course, version = self._commit(loaded, patient, event, expected_version, "plan")
        cycle = course.cycle(plan.cycle.number)
        assert cycle is not None
        revision = len(cycle.revisions(plan.dose_day))
        return Saved(version, plan.cycle.number, plan.dose_day, revision,
                     plan.decision.value, signer)

    # ---------------------------------------------------------------- the dose record
    def record_dose(self, mrn: str, cycle: int, day: int, status: str, *, by: str,
                    at: datetime | None = None, moved_to: date | None = None,
                    reason: str | None = None, toxicity_days: int | None = None,
                    expected_version: int | None = None) -> Recorded:
        """Record a dose given (at a date and time), held, moved (to a date the rules
        allow) or omitted, with the reason."""
        from besponsa_desktop.core import course as core

        fields: dict[str, Any] = {"by": self.signer(by), "at": now(), "cycle": cycle,
                                  "day": day}
        given_at = None
        if at is not None:
            try:
                given_at = ward_time(at)
            except (OverflowError, ValueError, OSError):
                raise StoreError("at: this date and time cannot be placed in this "
                                 "computer's time zone") from None
        kinds: dict[str, tuple[type[Any], dict[str, Any]]] = {
            "given": (core.DoseGiven, {"given_at": given_at}),
            "held": (core.DoseHeld, {"reason": reason, "toxicity_days": toxicity_days or 0}),
            "moved": (core.DoseMoved, {"to": moved_to, "reason": reason}),
            "omitted": (core.DoseOmitted, {"reason": reason}),
        }
        if status not in kinds:
            raise StoreError(f"status: must be one of {', '.join(kinds)}")
        kind, extra = kinds[status]
        _only(status, at=at, moved_to=moved_to, reason=reason, toxicity_days=toxicity_days)
        event = _event(kind, **fields, **extra)
        loaded = self.require(mrn)
        _course, version = self._commit(loaded, loaded.stored.patient, event, expected_version,
                                        f"cycle {cycle} Day {day}")
        return Recorded(version, f"cycle {cycle} Day {day} {status}")

    def void_record(self, mrn: str, cycle: int, day: int, entry: int, *, by: str,
                    reason: str, expected_version: int | None = None) -> Recorded:
        """A correction: the entry is voided with a reason and stays in the history."""
        from besponsa_desktop.core.course import RecordVoided

        event = _event(RecordVoided, by=self.signer(by), at=now(), cycle=cycle, day=day,
                       entry=entry, reason=reason)
        loaded = self.require(mrn)
        _course, version = self._commit(loaded, loaded.stored.patient, event, expected_version,
                                        f"cycle {cycle} Day {day}")
        return Recorded(version, f"cycle {cycle} Day {day} entry {entry} voided")

    def reschedule_options(self, mrn: str, cycle: int, day: int) -> MoveOptions:
        from besponsa_desktop.core.course import CourseRefused, allowed_dates

        loaded = self.require(mrn)
        try:
            found = allowed_dates(loaded.course, cycle, day, at=now())
        except CourseRefused as refused:
            raise Refused(refused.reasons, f"cycle {cycle} Day {day}") from None
        return MoveOptions(list(found.dates), found.reason)

    # ---------------------------------------------------------------- response, check
    def record_response(self, mrn: str, cycle: int, response: str, *, by: str,
                        mrd_negative: bool = False,
                        expected_version: int | None = None) -> Recorded:
        from besponsa_desktop.core.course import ResponseRecorded

        event = _event(ResponseRecorded, by=self.signer(by), at=now(), cycle=cycle,
                       response=response, mrd_negative=mrd_negative)
        loaded = self.require(mrn)
        _course, version = self._commit(loaded, loaded.stored.patient, event, expected_version,
                                        f"cycle {cycle}")
        return Recorded(version, f"response after cycle {cycle}")

    def double_check(self, mrn: str, cycle: int, day: int, *, checked_by: str | None = None,
                     height: float, weight: float, height_unit: str = "cm",
                     weight_unit: str = "kg", revision: int | None = None,
                     expected_version: int | None = None,
                     login: tuple[str, str] | None = None) -> CheckOutcome:
        """A second person's blind re-entry of height and weight for a plan revision (the
        latest when not given); the core compares and refuses the preparer as checker.

        On a ward database the second person logs in (``login``: their database user name
        and password, used for this one connection and not kept) and signs as that user;
        the database refuses a check by the user who saved the plan revision."""
        from besponsa_desktop.core.course import DoubleChecked
        from besponsa_desktop.core.double_check import UnitError, to_cm, to_kg

        for what, value in (("height", height), ("weight", weight)):
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise StoreError(f"{what}: must be a positive number")
        try:
            height_cm = to_cm(height, height_unit)
            weight_kg = to_kg(weight, weight_unit)
        except UnitError as error:
            raise StoreError(str(error)) from None
        checker_store: SqlCourseStore | None = None
        if self.store.is_server:
            if login is None:
                raise StoreError("checked_by: on the ward database the second person logs in "
                                 "with their own database user name and password")
            checker_store = self.store.as_user(*login)
            checker = checker_store.signed_in_user()
            assert checker is not None
            if checked_by is not None and checked_by.strip() and \
                    " ".join(checked_by.split()) != checker:
                checker_store.close()
                raise StoreError(f"checked_by: the second person logged in as {checker}")
            checked_by = checker
        elif checked_by is None or not checked_by.strip():
            raise StoreError("checked_by: the second person's name is required")
        try:
            loaded = self.require(mrn)
            record = loaded.course.cycle(cycle)
            latest = None if record is None else record.latest_plan(day)
            if latest is None:
                raise NotFound(f"no plan is stored for cycle {cycle} Day {day}")
            chosen = latest.revision if revision is None else revision
            event = _event(DoubleChecked, by=checked_by, at=now(), cycle=cycle, day=day,
                           revision=chosen, checked_by=checked_by, height_cm=height_cm,
                           weight_kg=weight_kg)
            course, version = self._commit(loaded, loaded.stored.patient, event,
                                           expected_version, "double check", checker_store)
        finally:
            if checker_store is not None:
                checker_store.close()
        after = course.cycle(cycle)
        assert after is not None
        check = after.checks[-1]
        return CheckOutcome(version, check.matched, tuple(check.mismatches), cycle, day,
                            check.revision, check.prepared_by, check.checked_by)

    def verification(self, mrn: str, cycle: int, day: int) -> Verification:
        return verification_of(self.require(mrn).course, cycle, day)

    # ---------------------------------------------------------------- next cycle
    def next_cycle_request(self, mrn: str) -> dict[str, Any]:
        from besponsa_desktop.core.course import CourseRefused, next_cycle_request

        loaded = self.require(mrn)
        if loaded.refused:
            raise StoreError(f"next cycle: this course cannot be continued: {loaded.refused}")
        try:
            request: dict[str, Any] = next_cycle_request(loaded.course)
        except CourseRefused as refused:
            raise Refused(refused.reasons, "next cycle") from None
        return request

    def day_request(self, mrn: str, cycle: int, day: int) -> dict[str, Any]:
        """A request for a Day 8 or 15 plan (or a revised Day 1) of a cycle, pre-filled by
        the core from the cycle's Day 1 plan (its start, level, response)."""
        from besponsa_desktop.core.course import CourseRefused, day_request

        loaded = self.require(mrn)
        try:
            request: dict[str, Any] = day_request(loaded.course, cycle, day)
        except CourseRefused as refused:
            raise Refused(refused.reasons, f"cycle {cycle} Day {day}") from None
        return request

    # ---------------------------------------------------------------- reading
    def history(self, mrn: str) -> dict[str, Any]:
        from besponsa_desktop.app.views import history_data

        loaded = self.require(mrn)
        return history_data(loaded, self.store.verify().head)

    def find_patients(self, text: str) -> list[PatientFound]:
        found = []
        for match in self.store.find_patients(text):
            cycles = 0
            last_start = None
            state = ""
            try:
                loaded = self.load(match.mrn)
            except StoreError:
                loaded = None
            if loaded is not None:
                cycles = len(loaded.course.cycles)
                if loaded.course.cycles:
                    last_start = loaded.course.cycles[-1].start_date.isoformat()
                state = loaded.course.state.status.value
            found.append(PatientFound(match.mrn, match.name, match.date_of_birth, match.sex,
                                      cycles, last_start, state))
        return found

    def verify(self, expect: str | None = None) -> AuditResult:
        """Walk the hash chain; with ``expect`` (a chain head kept outside the database, in
        full or short form), also check that the chain still ends there or runs on from it."""
        result = self.store.verify()
        out = AuditResult(result.intact, result.entries, result.head, result.head_short,
                          result.broken_id, result.problem)
        if out.intact and expect:
            wanted = expect.strip().lower()
            if not self.store.chain_contains(wanted):
                return AuditResult(False, result.entries, result.head, result.head_short, None,
                                   f"the chain no longer holds the head {wanted} kept outside "
                                   "the database (it was rewritten or cut short)")
        return out

    # ---------------------------------------------------------------- export, import
    def export(self, mrn: str) -> dict[str, Any]:
        from besponsa_desktop.app import exchange

        loaded = self.require(mrn)
        return exchange.export_data(loaded, self.store.verify().head)

    def import_course(self, data: Any, *, by: str | None = None) -> Any:
        from besponsa_desktop.app import exchange

        return exchange.import_data(self, data, by=self.signer(by))


# ---------------------------------------------------------------- helpers


def replay_stored(stored: StoredCourse) -> tuple[Course, str | None]:
    """The course the stored events make, rebuilt by the core, and which stored entry the
    rules refuse (None when all pass). A patient row that is not the course's is reported,
    never guessed around."""
    import json

    from pydantic import ValidationError

    from besponsa_desktop.core.course import EVENT, CourseRefused, apply
    from besponsa_desktop.core.validation import problems_from

    course = None
    refused = None
    for stored_event in stored.events:
        try:
            event = EVENT.validate_json(json.dumps(stored_event.payload))
            course = apply(course, event)
        except (ValidationError, CourseRefused) as error:
            if isinstance(error, CourseRefused):
                why = "; ".join(f"{r.message} [{r.code}; {r.source}]" for r in error.reasons)
            else:
                why = "it is not a valid entry (" + "; ".join(
                    f"{p.path}: {p.message}" for p in problems_from(error)) + ")"
            refused = (f"entry {stored_event.seq} ({stored_event.kind}) and the "
                       f"{len(stored.events) - stored_event.seq} after it are refused by the "
                       f"rules: {why}")
            break
    if course is None:
        raise StoreError("the stored course cannot be loaded: " + (refused or "no entries"))
    if course.patient.model_dump(mode="json") != stored.patient:
        raise StoreError("the stored course cannot be loaded: its patient row differs from "
                         "the patient its entries record (changed outside the program)")
    return course, refused


def verification_of(course: Course, cycle: int, day: int) -> Verification:
    """Whether the plan in force for a cycle and day is double-checked (the core says)."""
    from besponsa_desktop.core.course import verification

    found = verification(course, cycle, day)
    if found is None:
        return Verification(verified=False, revision=0)
    return Verification(
        verified=bool(found.verified), revision=int(found.revision),
        prepared_by=found.prepared_by, checked_by=found.checked_by,
        checked_at=None if found.checked_at is None else found.checked_at.isoformat(),
    )


def _event(kind: Callable[..., Any], **fields: Any) -> Any:
    """An event model; a field the model refuses (an empty name, a reason missing) is
    reported as a refusal naming the field."""
    from pydantic import ValidationError

    from besponsa_desktop.core.validation import problems_from

    try:
        return kind(**fields)
    except ValidationError as error:
        problems = problems_from(error)
        raise StoreError("; ".join(f"{p.path}: {p.message}" for p in problems)) from None


def _only(status: str, **given: Any) -> None:
    """Options that belong to another kind of record are refused, not ignored."""
    allowed = {"given": {"at"}, "held": {"reason", "toxicity_days"},
               "moved": {"moved_to", "reason"}, "omitted": {"reason"}}[status]
    for name, value in given.items():
        if value is not None and name not in allowed:
            raise StoreError(f"{name}: not for a dose recorded as {status}")
    required = {"given": ("at",), "moved": ("moved_to", "reason"), "held": ("reason",),
                "omitted": ("reason",)}[status]
    for name in required:
        if given.get(name) is None or (isinstance(given[name], str) and not given[name].strip()):
            raise StoreError(f"{name}: required for a dose recorded as {status}")


def _signer(by: str | None) -> str:
    """Who signs: the name given, or the logged-in user (from the login session)."""
    if by is not None and by.strip():
        return " ".join(by.split())
    from besponsa_desktop.store.identity import os_user

    return os_user()
