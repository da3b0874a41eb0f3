"""Where the window meets the patient's course: a thin Qt adapter over the application
layer (``app.courses.CourseService``). It holds no rule: opening, saving, the next cycle,
dose records, corrections and the double check are the service's (which asks the core);
this class turns their results and refusals into signals and the window's words.

The application layer (and the store, sqlite3, SQLAlchemy) is imported on first use, never
at start-up. Every refusal or store error becomes a ``notice`` for the window (a message in
the window, never a traceback or a modal box). Changes carry the course version this window
loaded, so that a change made elsewhere in the meantime is reported as a conflict, never
overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from besponsa_desktop.app.results import MoveOptions
from besponsa_desktop.controller import FieldValues

__all__ = ["CONFLICT", "ERROR", "INFO", "RELOAD", "CourseController", "MoveOptions", "Notice"]

if TYPE_CHECKING:
    from besponsa_desktop.app.courses import CourseService
    from besponsa_desktop.controller import PlanController

INFO, ERROR, CONFLICT = "info", "error", "conflict"
RELOAD = "reload"
WATCH_INTERVAL_MS = 2000  # how often an open course asks whether it changed elsewhere


@dataclass(frozen=True)
class Notice:
    """A message for the window. ``action``: what the message offers to do ("reload")."""

    kind: str  # INFO, ERROR or CONFLICT
    text: str
    action: str = ""


@dataclass(frozen=True)
class StoredRef:
    """The stored plan revision the form shows (while unchanged since saved or opened)."""

    cycle: int
    day: int
    revision: int


CONFLICT_TEXT = (
    "{what}: this patient's course was changed elsewhere (another window or workstation) "
    "since you opened it. Nothing was overwritten. Reload the course to see the change{then}."
)
SAVE_AGAIN = "; your entries stay in the form, so you can save again if they still apply"

# The application names the field at fault first ("moved_to: ..."): the window's words.
FIELD_WORDS = {
    "patient.mrn": "MRN",
    "signed_by": "Signed in as",
    "by": "Recorded by",
    "at": "Given on",
    "moved_to": "Move to",
    "reason": "Reason",
    "toxicity_days": "Interrupted",
    "checked_by": "Checked by",
    "prepared_by": "Prepared by",
    "dose_level": "Dose level",
    "height": "Height",
    "weight": "Weight",
}


def window_words(message: str) -> str:
    field, colon, rest = message.partition(": ")
    if colon and field in FIELD_WORDS:
        return f"{FIELD_WORDS[field]}: {rest}"
    return message


class CourseController(QObject):
    """The course open in the window (``course``: the application's history data) and its
    actions."""

    courseChanged = Signal(object)  # the history dict, or None when no course is open
    notice = Signal(object)  # Notice
    signerChanged = Signal(str)
    # The double check of the plan on screen (printing's DoubleCheck), or None.
    verificationChanged = Signal(object)

    def __init__(self, plan: PlanController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.settings = plan.settings
        self.course: dict[str, Any] | None = None
        self.signer = ""
        # The stored plan the form shows, while the form is unchanged since it was saved or
        # opened; the double check is of that plan revision.
        self.stored: StoredRef | None = None
        self.edited = False  # the form was changed by hand since it was opened or saved
        self._service: CourseService | None = None
        self._service_key: str | None = None
        self._watcher: Any = None  # store.changes.Watcher, while a course is open
        self._watch_timer = QTimer(self)
        self._watch_timer.setInterval(WATCH_INTERVAL_MS)
        self._watch_timer.timeout.connect(self.check_for_changes)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close)
        plan.planChanged.connect(self._plan_changed)

    # ---------------------------------------------------------------- the application
    def _database_key(self) -> str:
        """Which database the settings name (a ward database URL, else a file, else the
        default file): a change of either setting opens the other database."""
        return "|".join(str(self.settings.get(key) or "").strip()
                        for key in ("database_url", "database_path"))

    def service(self) -> CourseService:
        key = self._database_key()
        if self._service is not None and self._service_key == key:
            self._service.settings.update(self.settings.values())
            return self._service
        self.close()
        from besponsa_desktop.app.courses import CourseService

        self._service = CourseService(self.settings.values())  # the settings name the database
        self._service_key = key
        return self._service

    def close(self) -> None:
        self._stop_watching()
        if self._service is not None:
            self._service.close()
            self._service = None

    def is_ward(self) -> bool:
        """Is the course database a ward database (PostgreSQL), where people sign in? A
        database that cannot be opened says so when it is used, not here."""
        try:
            return bool(self.service().store.is_server)
        except Exception:
            return False

    # ---------------------------------------------------------------- changes elsewhere
    def _start_watching(self) -> None:
        if self._watcher is None:
            try:
                self._watcher = self.service().store.watch()
            except Exception:  # no watching is no harm: a conflict still stops an overwrite
                return
        self._watch_timer.start()

    def _stop_watching(self) -> None:
        self._watch_timer.stop()
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None

    def check_for_changes(self) -> None:
        """Another window or workstation changed the course on screen: show what is stored
        now, or, when the form holds unsaved entries, say that it must be reloaded. Asked
        every few seconds while a course is open (the ward database notifies; a database
        file is polled)."""
        if self._watcher is None or self.mrn is None:
            return
        try:
            if not self._watcher.poll():
                return
            stored = self.service().version(self.mrn)
        except Exception:
            return  # the next save says what is wrong, in words
        if stored == self.version:
            return  # this window's own change
        if self.edited:
            self._tell(CONFLICT, "This patient's course was changed on another workstation. "
                       "Your entries are still in the form; reload the course to see the "
                       "change before saving.", RELOAD)
            return
        data = self._history(self.mrn, "Update")
        if data is not None:
            self._show_course(data)
            self._tell(INFO, "This patient's course was changed on another workstation: the "
                       "timeline shows what is stored now.")

    def _run(self, what: str, work: Callable[[CourseService], Any],
             then: str = ", then try again") -> Any:
        """Run ``work(service)``; a refusal or store error becomes a notice (and None is
        returned)."""
        from besponsa_desktop.app.errors import ConflictError, Refused, StoreError

        try:
            return work(self.service())
        except ConflictError:
            self._tell(CONFLICT, CONFLICT_TEXT.format(what=what, then=then), RELOAD)
        except Refused as refused:
            reasons = " ".join(f"{f.message} ({f.source})." for f in refused.findings)
            self._tell(ERROR, f"{what}: {reasons}")
        except StoreError as error:
            self._tell(ERROR, f"{what}: {window_words(str(error))}")
        except Exception as error:  # an unexpected failure: logged, never a traceback
            from besponsa_desktop.logs import log_internal_error

            log_internal_error(error)
            self._tell(ERROR, f"{what}: an internal error occurred (logged); please tell IT.")
        return None

    def _tell(self, kind: str, text: str, action: str = "") -> None:
        self.notice.emit(Notice(kind, text, action))

    # ---------------------------------------------------------------- who signs
    def set_signer(self, name: str) -> None:
        name = " ".join(name.split())
        if name != self.signer:
            self.signer = name
            self.signerChanged.emit(name)

    # ---------------------------------------------------------------- finding, opening
    @property
    def mrn(self) -> str | None:
        return None if self.course is None else str(self.course["patient"]["mrn"])

    @property
    def version(self) -> int:
        return 0 if self.course is None else int(self.course["version"])

    @property
    def plan_id(self) -> StoredRef | None:
        """The stored plan the form shows (None when the form was changed since)."""
        return self.stored

    def find_patients(self, text: str) -> list[Any]:
        """Stored patients whose MRN or name contains the text (PatientFound items)."""
        found = self._run("Search", lambda service: service.find_patients(text))
        return found or []

    def _history(self, mrn: str, what: str = "Open") -> dict[str, Any] | None:
        data: dict[str, Any] | None = self._run(what, lambda service: service.history(mrn))
        return data

    def clear(self) -> None:
        """No course on screen (a new patient): nothing of another patient stays shown."""
        self._set_stored(None)
        self.edited = False
        self._show_course(None)

    def open_course(self, mrn: str) -> FieldValues | None:
        """Open a patient's course: the timeline shows it and the form its latest saved plan
        (whose double check, if any, carries over). The form's values, or None."""
        data = self._history(mrn)
        if data is None:
            return None
        self._set_stored(None)
        self._show_course(data)
        self.edited = False
        latest = latest_plan(data)
        if latest is None:
            return None
        cycle = int(latest["plan"]["cycle"]["number"])
        ref = StoredRef(cycle, int(latest["dose_day"]), int(latest["revision"]))
        values = self.plan.load_request(latest["request"])
        self._set_stored(ref)
        self._plan_changed(self.plan.plan)
        refused = data.get("refused_entries")
        if refused:
            self._tell(ERROR, f"Opened the course: {_cycles_text(data)}, but it cannot be "
                       f"continued: {refused}")
            return values
        if self.stored is None:
            # replanned with today's settings (rounding, threshold): not the plan stored
            self._tell(INFO, f"Opened the course: {_cycles_text(data)}. The plan saved last, "
                       "recomputed with the current settings, differs from the one stored: "
                       "check it, save it again, and have it double-checked.")
            return values
        self._tell(INFO, f"Opened the course: {_cycles_text(data)}; the form shows the plan "
                   "saved last.")
        return values

    def reload(self) -> bool:
        """Read the course again (after a conflict), leaving the form as it is."""
        mrn = self.mrn or self._form_mrn()
        if not mrn:
            return False
        data = self._history(mrn)
        if data is None:
            return False
        self._show_course(data)
        self._plan_changed(self.plan.plan)
        self._tell(
            INFO,
            "Reloaded the course: the timeline shows what is stored now. The form still "
            "holds your entries: compare, then save again if they still apply.",
        )
        return True

    def _form_mrn(self) -> str:
        return str(self.plan.values.get("patient.mrn") or "").strip()

    def _show_course(self, data: dict[str, Any] | None) -> None:
        self.course = data
        self.courseChanged.emit(data)
        self._publish_verification()
        if data is None:
            self._stop_watching()
        else:
            self._start_watching()

    def _refresh(self) -> None:
        if self.mrn:
            data = self._history(self.mrn)
            if data is not None:
                self._show_course(data)

    # ---------------------------------------------------------------- the form
    def form_edited(self) -> None:
        """The form was changed by hand: it no longer shows the stored (or checked) plan."""
        self._set_stored(None)
        self.edited = True

    def _set_stored(self, ref: StoredRef | None) -> None:
        self.stored = ref
        self._publish_verification()

    def _publish_verification(self) -> None:
        self.verificationChanged.emit(self.printed_check())

    def printed_check(self) -> Any:
        """The double check to print: only for the stored plan on screen, and only while it
        is the latest revision of its day (a check of a replaced plan verifies nothing)."""
        stored = self._stored_plan()
        if stored is None or not stored.get("current"):
            return None
        verification = stored.get("verification") or {}
        if not verification.get("verified"):
            return None
        from besponsa_desktop.app.printout import DoubleCheck

        return DoubleCheck(checked_by=str(verification["checked_by"]),
                           checked_at=datetime.fromisoformat(str(verification["checked_at"])))

    def _plan_changed(self, plan: Any) -> None:
        """A replan that no longer matches the stored plan (a settings change, say) is,
        like an edit, not the plan saved or checked."""
        if self.stored is None:
            return
        stored = self._stored_plan()
        # compared by clinical content: an upgrade alone (program_version) keeps the check
        from besponsa_desktop.core.clinical_content import same_clinical_content

        if plan is None or stored is None or not same_clinical_content(
            plan.model_dump(mode="json"), stored["plan"]
        ):
            self.form_edited()

    def _stored_plan(self) -> dict[str, Any] | None:
        ref = self.stored
        if ref is None:
            return None
        for cycle in (self.course or {}).get("cycles", []):
            if cycle["number"] != ref.cycle:
                continue
            for plan in cycle["plans"]:
                if plan["dose_day"] == ref.day and plan["revision"] == ref.revision:
                    return dict(plan)
        return None

    # ---------------------------------------------------------------- saving
    def save(self) -> bool:
        """Save the plan on screen to its patient's course, signed by the signed-in name,
        against the course version this window loaded."""
        if not self.plan.valid or self.plan.plan is None:
            self._tell(ERROR, "Nothing saved: the plan is not complete.")
            return False
        if not self.signer:
            self._tell(ERROR, "Nothing saved: type your name in “Signed in as” first; every "
                       "saved plan is signed.")
            return False
        plan = self.plan.plan
        mrn = plan.patient.mrn
        if self.stored is not None and self.mrn == mrn:
            # Saving it again would make a new revision, which needs its own double check.
            self._tell(INFO, "Already saved: the plan on screen is the one stored; nothing "
                       "to save.")
            return True
        if self.mrn != mrn:
            # A patient typed in fresh is a new course (version 0). If that MRN already has a
            # course, it must be opened first: the plan is saved against what it holds.
            stored = self._run("Not saved", lambda service: service.version(mrn))
            if stored is None:
                return False
            if stored:
                self._tell(ERROR, "Nothing saved: a course with this MRN is already stored. "
                           "Open it first (Ctrl+O), then save, so that this plan joins it "
                           "knowing what it holds.")
                return False
        expected = self.version if self.mrn == mrn else 0
        saved = self._run(
            "Not saved",
            lambda service: service.save_plan(plan, by=self.signer,
                                              expected_version=expected),
            then=SAVE_AGAIN,
        )
        if saved is None:
            return False
        data = self._history(mrn)
        if data is not None:
            self._show_course(data)
        self._set_stored(StoredRef(saved.cycle, saved.day, saved.revision))
        self.edited = False
        self._tell(
            INFO,
            f"Saved cycle {saved.cycle} Day {saved.day}, signed by {self.signer}. "
            "Not yet verified: a second person does the double check.",
        )
        return True

    # ---------------------------------------------------------------- requests from the course
    def plan_next_cycle(self) -> FieldValues | None:
        """Fill the form for Day 1 of the next cycle from the course. Weight, the date
        measured and today's labs (and the response, until recorded) are left empty."""
        if self.mrn is None:
            self._tell(ERROR, "Open a patient first (Ctrl+O): the next cycle continues a course.")
            return None
        mrn = self.mrn
        request = self._run("Next cycle", lambda service: service.next_cycle_request(mrn))
        if request is None:
            return None
        values = self.plan.load_request(request)
        self._set_stored(None)
        cycle = request["cycle"]["number"]
        needed = "weight, the date measured and today's labs"
        if request.get("response") is None and cycle > 1:
            needed += ", and the response to the last cycle (not yet recorded)"
        self._tell(INFO, f"Cycle {cycle} Day 1 filled in from the course. Enter {needed}.")
        return values

    def plan_dose_day(self, cycle: int, day: int) -> FieldValues | None:
        """Fill the form for a Day 8 or 15 plan (or a revised Day 1) of a cycle: the cycle's
        start, level and response come from the course, not from the form."""
        mrn = self.mrn
        if mrn is None:
            self._tell(ERROR, "Open a patient first (Ctrl+O).")
            return None
        request = self._run("Plan", lambda service: service.day_request(mrn, cycle, day))
        if request is None:
            return None
        values = self.plan.load_request(request)
        self._set_stored(None)
        self._tell(INFO, f"Cycle {cycle} Day {day} filled in from the course. Enter weight, "
                   "the date measured and today's labs.")
        return values

    # ---------------------------------------------------------------- doses
    def move_options(self, cycle: int, day: int) -> MoveOptions | None:
        """The dates a dose may move to (the core's rule), or why there are none."""
        mrn = self.mrn
        if mrn is None:
            return None
        found: MoveOptions | None = self._run(
            "Move", lambda service: service.reschedule_options(mrn, cycle, day))
        return found

    def record_dose(
        self,
        cycle: int,
        day: int,
        status: str,
        *,
        by: str,
        at: datetime | None = None,
        moved_to: date | None = None,
        reason: str | None = None,
        toxicity_interruption_days: int | None = None,
        mrn: str | None = None,
    ) -> bool:
        """``mrn``: the patient the record was entered for (the dose dialog's); refused when
        the window has since opened another patient."""
        if mrn is not None and mrn != self.mrn:
            self._tell(ERROR, "Not recorded: the window now shows another patient's course; "
                       "open the dose again from this patient's timeline.")
            return False
        mrn = self.mrn
        if mrn is None:
            self._tell(ERROR, "Open a patient first (Ctrl+O).")
            return False
        version = self.version
        done = self._run(
            "Not recorded",
            lambda service: service.record_dose(
                mrn, cycle, day, status, by=by, at=at, moved_to=moved_to, reason=reason,
                toxicity_days=toxicity_interruption_days, expected_version=version,
            ),
        )
        if done is None:
            return False
        self._refresh()
        self._tell(INFO, f"Recorded: cycle {cycle} Day {day} {status}, by {' '.join(by.split())}.")
        return True

    def correct_record(self, cycle: int, day: int, entry: int, *, by: str, reason: str) -> bool:
        """Void a dose-record entry with the reason; it stays in the history."""
        mrn = self.mrn
        if mrn is None:
            self._tell(ERROR, "Open a patient first (Ctrl+O).")
            return False
        version = self.version
        done = self._run("Not corrected", lambda service: service.void_record(
            mrn, cycle, day, entry, by=by, reason=reason, expected_version=version))
        if done is None:
            return False
        self._refresh()
        self._tell(INFO, f"Corrected: cycle {cycle} Day {day} entry {entry} voided (kept in "
                   "the history).")
        return True

    def record_response(self, cycle: int, response: str, *, by: str,
                        mrd_negative: bool = False) -> bool:
        """The response assessed after a cycle (cr, cri or none), as the core accepts it."""
        mrn = self.mrn
        if mrn is None:
            self._tell(ERROR, "Open a patient first (Ctrl+O).")
            return False
        version = self.version
        done = self._run("Not recorded", lambda service: service.record_response(
            mrn, cycle, response, by=by, mrd_negative=mrd_negative, expected_version=version))
        if done is None:
            return False
        self._refresh()
        self._tell(INFO, f"Recorded: the response after cycle {cycle}, by "
                   f"{' '.join(by.split())}.")
        return True

    # ---------------------------------------------------------------- the double check
    def checked_plan_text(self) -> str:
        """Which saved plan a double check is of, in words (no height or weight)."""
        stored = self._stored_plan()
        if stored is None:
            return "The plan on screen"
        return (f"Cycle {stored['plan']['cycle']['number']} Day {stored['dose_day']}, "
                f"prepared by {stored['saved_by'] or '(no name)'}")

    def double_check(
        self, checked_by: str, height: float, weight: float, height_unit: str = "cm",
        weight_unit: str = "kg", password: str | None = None,
    ) -> bool | None:
        """Compare a second person's blind re-entry with the saved plan on screen. True
        when they match (the printout then names the checker), False when they do not,
        None when nothing could be checked (a notice says why)."""
        ref = self.stored
        mrn = self.mrn
        if ref is None or mrn is None:
            self._tell(ERROR, "Save the plan first (Ctrl+S): the double check is of the plan "
                       "as saved, and the form has changed since.")
            return None
        version = self.version
        result = self._run(
            "Double check not recorded",
            lambda service: service.double_check(
                mrn, ref.cycle, ref.day, checked_by=checked_by, height=height, weight=weight,
                height_unit=height_unit, weight_unit=weight_unit, revision=ref.revision,
                expected_version=version,
                # on a ward database the second person logs in (the password is not kept)
                login=None if password is None else (checked_by, password),
            ),
        )
        if result is None:
            return None
        self._refresh()
        if result.matched:
            self._tell(INFO, f"Independently double-checked by {result.checked_by}: height "
                       "and weight match the saved plan.")
            return True
        self._tell(
            ERROR,
            f"Double check did not match ({' and '.join(result.mismatches)} differ from the "
            "saved plan). Recorded; the plan stays NOT YET VERIFIED. Measure again and "
            "compare with the person who prepared it.",
        )
        return False


# ---------------------------------------------------------------- reading history data


def latest_plan(data: dict[str, Any]) -> dict[str, Any] | None:
    """The most recently saved plan in a course (the highest entry number)."""
    plans = [plan for cycle in data.get("cycles", []) for plan in cycle["plans"]]
    return max(plans, key=lambda plan: plan["seq"]) if plans else None


def _cycles_text(data: dict[str, Any]) -> str:
    count = len(data.get("cycles", []))
    return f"{count} cycle" + ("" if count == 1 else "s")
