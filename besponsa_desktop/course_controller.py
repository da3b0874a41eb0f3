"""Where the window meets the course store: opening a patient, saving the plan on screen to
their course, planning the next cycle, recording doses and the independent double check.

The store (and sqlite3) is imported on first use, never at start-up. Every store error
becomes a ``notice`` for the window (a message in the window, never a traceback or a modal
box). Saves and records carry the course version this window loaded, so that a change made
elsewhere in the meantime is reported as a conflict, never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from besponsa_desktop.controller import FieldValues

if TYPE_CHECKING:
    import sqlite3

    from besponsa_desktop.controller import PlanController

INFO, ERROR, CONFLICT = "info", "error", "conflict"
RELOAD = "reload"


@dataclass(frozen=True)
class Notice:
    """A message for the window. ``action``: what the message offers to do ("reload")."""

    kind: str  # INFO, ERROR or CONFLICT
    text: str
    action: str = ""


@dataclass(frozen=True)
class MoveOptions:
    dates: list[date]
    reason: str  # why these dates, or why there are none


CONFLICT_TEXT = (
    "{what}: this patient's course was changed elsewhere (another window or workstation) "
    "since you opened it. Nothing was overwritten. Reload the course to see the change{then}."
)
SAVE_AGAIN = "; your entries stay in the form, so you can save again if they still apply"

# The store names the field at fault as its argument ("moved_to: ..."): the window's words.
FIELD_WORDS = {
    "patient.mrn": "MRN",
    "signed_by": "Signed in as",
    "by": "Recorded by",
    "at": "Given on",
    "moved_to": "Move to",
    "reason": "Reason",
    "toxicity_interruption_days": "Interrupted",
    "checked_by": "Checked by",
    "prepared_by": "Prepared by",
    "dose_level": "Dose level",
}


def window_words(message: str) -> str:
    field, colon, rest = message.partition(": ")
    if colon and field in FIELD_WORDS:
        return f"{FIELD_WORDS[field]}: {rest}"
    return message


class CourseController(QObject):
    """The course open in the window (``course``: the store's history data) and its actions."""

    courseChanged = Signal(object)  # the history dict, or None when no course is open
    notice = Signal(object)  # Notice
    signerChanged = Signal(str)

    def __init__(self, plan: PlanController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.settings = plan.settings
        self.course: dict[str, Any] | None = None
        self.signer = ""
        # The stored plan the form shows, while the form is unchanged since it was saved or
        # opened; the double check is of that plan.
        self.plan_id: int | None = None
        self.edited = False  # the form was changed by hand since it was opened or saved
        self._conn: sqlite3.Connection | None = None
        self._conn_path: str | None = None
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close)  # checkpoint the WAL on the way out
        plan.planChanged.connect(self._plan_changed)

    # ---------------------------------------------------------------- the database
    def database_path(self) -> Path | None:
        """The settings' database file, or None for the store's default location."""
        text = str(self.settings.get("database_path") or "").strip()
        return Path(text).expanduser() if text else None

    def _connection(self) -> sqlite3.Connection:
        path = self.database_path()
        key = str(path) if path else ""
        if self._conn is not None and self._conn_path == key:
            return self._conn
        self.close()
        from besponsa_desktop.store import database

        self._conn = database.connect(path)
        self._conn_path = key
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _run(self, what: str, work: Any, then: str = ", then try again") -> Any:
        """Run ``work(conn)``; a store error becomes a notice (and None is returned)."""
        from besponsa_desktop.store.errors import ConflictError, StoreError

        try:
            return work(self._connection())
        except ConflictError:
            self._tell(CONFLICT, CONFLICT_TEXT.format(what=what, then=then), RELOAD)
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

    def find_patients(self, text: str) -> list[Any]:
        """Stored patients whose MRN or name contains the text (PatientMatch items)."""
        from besponsa_desktop.store.patients import find_patients

        found = self._run("Search", lambda conn: find_patients(conn, text))
        return found or []

    def _history(self, mrn: str) -> dict[str, Any] | None:
        from besponsa_desktop.store.courses import history

        data: dict[str, Any] | None = self._run("Open", lambda conn: history(conn, mrn))
        return data

    def open_course(self, mrn: str) -> FieldValues | None:
        """Open a patient's course: the timeline shows it and the form its latest saved plan
        (whose double check, if any, carries over). The form's values, or None."""
        data = self._history(mrn)
        if data is None:
            return None
        self._show_course(data)
        self.edited = False
        latest = latest_plan(data)
        if latest is None:
            self.plan_id = None
            self.plan.double_check = None
            return None
        values = self.plan.load_request(latest["request"])
        self.plan_id = int(latest["id"])
        self.plan.double_check = _double_check(latest.get("verification"))
        self._plan_changed(self.plan.plan)
        if self.plan_id is None:
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
        self._tell(
            INFO,
            "Reloaded the course: the timeline shows what is stored now. The form still "
            "holds your entries: compare, then save again if they still apply.",
        )
        return True

    def close_course(self) -> None:
        """A new patient: no course is open any more, and the timeline shows none (a dose
        recorded now could only go to the wrong patient)."""
        self.plan_id = None
        self.edited = False
        self._show_course(None)

    def _form_mrn(self) -> str:
        return str(self.plan.values.get("patient.mrn") or "").strip()

    def _show_course(self, data: dict[str, Any] | None) -> None:
        self.course = data
        self.courseChanged.emit(data)

    def _refresh(self) -> None:
        if self.mrn:
            data = self._history(self.mrn)
            if data is not None:
                self._show_course(data)

    # ---------------------------------------------------------------- the form
    def form_edited(self) -> None:
        """The form was changed by hand: it no longer shows the stored (or checked) plan."""
        self.plan_id = None
        self.plan.double_check = None
        self.edited = True

    def _plan_changed(self, plan: Any) -> None:
        """A replan that no longer matches the stored plan (a settings change, say) is,
        like an edit, not the plan saved or checked."""
        if self.plan_id is None:
            return
        stored = self._stored_plan(self.plan_id)
        # compared by clinical content: an upgrade alone (program_version) keeps the check
        from besponsa_desktop.core.clinical_content import same_clinical_content

        if plan is None or stored is None or not same_clinical_content(
            plan.model_dump(mode="json"), stored["plan"]
        ):
            self.form_edited()

    def _stored_plan(self, plan_id: int) -> dict[str, Any] | None:
        for cycle in (self.course or {}).get("cycles", []):
            for plan in cycle["plans"]:
                if plan["id"] == plan_id:
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
        if self.plan_id is not None and self.mrn == mrn:
            # Saving it again would make a new revision, which needs its own double check.
            self._tell(INFO, "Already saved: the plan on screen is the one stored; nothing "
                       "to save.")
            return True
        from besponsa_desktop.store.courses import course_version, save_plan

        if self.mrn != mrn:
            # A patient typed in fresh is a new course (version 0). If that MRN already has a
            # course, it must be opened first: the plan is saved against what it holds.
            stored = self._run("Not saved", lambda conn: course_version(conn, mrn))
            if stored is None:
                return False
            if stored:
                self._tell(ERROR, "Nothing saved: a course with this MRN is already stored. "
                           "Open it first (Ctrl+O), then save, so that this plan joins it "
                           "knowing what it holds.")
                return False
        # A course opened here is saved against the version loaded, never overwritten.
        expected = self.version if self.mrn == mrn else 0
        saved = self._run(
            "Not saved",
            lambda conn: save_plan(conn, plan, signed_by=self.signer, expected_version=expected),
            then=SAVE_AGAIN,
        )
        if saved is None:
            return False
        data = self._history(mrn)
        if data is not None:
            self._show_course(data)
        self.plan_id = saved.plan_id
        self.edited = False
        self.plan.double_check = None  # a new revision needs its own check
        self._tell(
            INFO,
            f"Saved cycle {saved.cycle_number} Day {saved.dose_day}, signed by {self.signer}. "
            "Not yet verified: a second person does the double check.",
        )
        return True

    # ---------------------------------------------------------------- the next cycle
    def plan_next_cycle(self) -> FieldValues | None:
        """Fill the form for Day 1 of the next cycle from the course. Weight, the date
        measured and today's labs (and the response, until recorded) are left empty."""
        if self.mrn is None:
            self._tell(ERROR, "Open a patient first (Ctrl+O): the next cycle continues a course.")
            return None
        mrn = self.mrn
        from besponsa_desktop.store.courses import next_cycle_request

        request = self._run("Next cycle", lambda conn: next_cycle_request(conn, mrn))
        if request is None:
            return None
        values = self.plan.load_request(request)
        self.plan_id = None
        self.plan.double_check = None
        cycle = request["cycle"]["number"]
        needed = "weight, the date measured and today's labs"
        if request.get("response") is None:
            needed += ", and the response to the last cycle (not yet recorded)"
        self._tell(INFO, f"Cycle {cycle} Day 1 filled in from the course. Enter {needed}.")
        return values

    # ---------------------------------------------------------------- doses
    def move_options(self, cycle: int, day: int) -> MoveOptions | None:
        """The dates a dose may move to (the core's rule), or why there are none."""
        mrn = self.mrn
        if mrn is None:
            return None
        from besponsa_desktop.store.courses import reschedule_options

        found = self._run("Move", lambda conn: reschedule_options(conn, mrn, cycle, day))
        return None if found is None else MoveOptions(list(found.dates), found.reason)

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
    ) -> bool:
        mrn = self.mrn
        if mrn is None:
            self._tell(ERROR, "Open a patient first (Ctrl+O).")
            return False
        from besponsa_desktop.store.courses import record_dose

        version = self.version
        done = self._run(
            "Not recorded",
            lambda conn: record_dose(
                conn, mrn, cycle, day, status, by=by, at=at, moved_to=moved_to, reason=reason,
                toxicity_interruption_days=toxicity_interruption_days,
                expected_version=version,
            ),
        )
        if done is None:
            return False
        self._refresh()
        self._tell(INFO, f"Recorded: cycle {cycle} Day {day} {status}, by {' '.join(by.split())}.")
        return True

    # ---------------------------------------------------------------- the double check
    def checked_plan_text(self) -> str:
        """Which saved plan a double check is of, in words (no height or weight)."""
        stored = None if self.plan_id is None else self._stored_plan(self.plan_id)
        if stored is None:
            return "The plan on screen"
        return (f"Cycle {stored['plan']['cycle']['number']} Day {stored['dose_day']}, "
                f"prepared by {stored['saved_by'] or '(no name)'}")

    def double_check(
        self, checked_by: str, height: float, weight: float, height_unit: str = "cm",
        weight_unit: str = "kg",
    ) -> bool | None:
        """Compare a second person's blind re-entry with the saved plan on screen. True
        when they match (the printout then names the checker), False when they do not,
        None when nothing could be checked (a notice says why)."""
        plan_id = self.plan_id
        if plan_id is None:
            self._tell(ERROR, "Save the plan first (Ctrl+S): the double check is of the plan "
                       "as saved, and the form has changed since.")
            return None
        from besponsa_desktop.store.double_check import record_check

        result = self._run(
            "Double check not recorded",
            lambda conn: record_check(
                conn, plan_id, checked_by=checked_by, height=height, weight=weight,
                height_unit=height_unit, weight_unit=weight_unit,
            ),
        )
        if result is None:
            return None
        self._refresh()
        if result.matched:
            status = result.status
            self.plan.double_check = _double_check(status.as_data())
            self._tell(INFO, f"Independently double-checked by {status.checked_by}: height and "
                       "weight match the saved plan.")
            return True
        self.plan.double_check = None
        self._tell(
            ERROR,
            f"Double check did not match ({' and '.join(result.mismatches)} differ from the "
            "saved plan). Recorded; the plan stays NOT YET VERIFIED. Measure again and "
            "compare with the person who prepared it.",
        )
        return False


# ---------------------------------------------------------------- reading history data


def latest_plan(data: dict[str, Any]) -> dict[str, Any] | None:
    """The most recently saved plan in a course (the highest id)."""
    plans = [plan for cycle in data.get("cycles", []) for plan in cycle["plans"]]
    return max(plans, key=lambda plan: plan["id"]) if plans else None


def _double_check(verification: dict[str, Any] | None) -> Any:
    if not verification or not verification.get("verified"):
        return None
    from besponsa_desktop.printing.options import DoubleCheck

    return DoubleCheck(
        checked_by=str(verification["checked_by"]),
        checked_at=datetime.fromisoformat(str(verification["checked_at"])),
    )


def _cycles_text(data: dict[str, Any]) -> str:
    count = len(data.get("cycles", []))
    return f"{count} cycle" + ("" if count == 1 else "s")
