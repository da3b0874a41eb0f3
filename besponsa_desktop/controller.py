"""The one place where the window meets the dosing core, the printout and (through
``course_controller``) the course.

The window hands over what is in its fields (``FieldValues``: text as typed, units, ticks);
the controller reads them (``build_request``), asks the core for a plan and announces the
plan, or the problems, through signals. Views never call the core themselves.

The core (pydantic) is imported by ``load_core``, not at import: the controller's module
loads with the window's, and tests and tools can build a window before the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from PySide6.QtCore import QObject, Signal

from besponsa_desktop import entry
from besponsa_desktop.app.settings import small_dose_protocol
from besponsa_desktop.settings import Settings

if TYPE_CHECKING:
    from besponsa_desktop.app.printout import DoubleCheck, PrintOptions
    from besponsa_desktop.course_controller import CourseController

FieldValues = dict[str, Any]

# Field id -> how its text is read. Ids are the request's JSON paths where there is one.
TEXT, DATE, NUMBER, WHOLE, BOOL, CHOICE = "text", "date", "number", "whole", "bool", "choice"
FIELD_KINDS: dict[str, str] = {
    "label": CHOICE,
    "patient.name": TEXT,
    "patient.mrn": TEXT,
    "patient.date_of_birth": DATE,
    "patient.sex": CHOICE,
    "height_cm": NUMBER,
    "units.height": CHOICE,
    "weight_kg": NUMBER,
    "units.weight": CHOICE,
    "previous_weight_kg": NUMBER,
    "measured_on": DATE,
    "bsa_formula": CHOICE,
    "cycle.number": WHOLE,
    "cycle.start_date": DATE,
    "cycle.extend_to_28_days": BOOL,
    "dose_day": CHOICE,
    "response": CHOICE,
    "mrd_negative": BOOL,
    "hsct_planned": BOOL,
    "dose_level": CHOICE,
    "longest_toxicity_interruption_days": WHOLE,
    "baseline.anc": NUMBER,
    "baseline.platelets": NUMBER,
    "prior_cycle_start.anc": NUMBER,
    "prior_cycle_start.platelets": NUMBER,
    "labs.taken_on": DATE,
    "labs.anc": NUMBER,
    "labs.platelets": NUMBER,
    "labs.platelets_after_transfusion": BOOL,
    "labs.low_counts_attributed_to_disease": BOOL,
    "labs.low_counts_duration_days": WHOLE,
    "labs.total_bilirubin": NUMBER,
    "labs.total_bilirubin_uln": NUMBER,
    "labs.bilirubin_from_gilbert_or_hemolysis": BOOL,
    "labs.ast": NUMBER,
    "labs.ast_uln": NUMBER,
    "labs.alt": NUMBER,
    "labs.alt_uln": NUMBER,
    "labs.serum_creatinine": NUMBER,
    "units.creatinine": CHOICE,
    "labs.peripheral_blasts_per_mm3": NUMBER,
    "events.vod": BOOL,
    "events.severe_liver_toxicity": BOOL,
    "events.severe_infusion_reaction": BOOL,
    "events.nonhematologic_grade": CHOICE,
    "events.nonhematologic_pretreatment_grade": CHOICE,
    "ph_positive": CHOICE,
    "tki_failed": CHOICE,
    "contraindications.hypersensitivity": BOOL,
    "contraindications.prior_severe_or_ongoing_vod": BOOL,
    "contraindications.serious_ongoing_liver_disease": BOOL,
    "confirm_body_size": BOOL,
    "confirm_weight_change": BOOL,
    "prescriber": TEXT,
}

# The confirmations the core may ask for (an implausible height–weight combination, a
# weight far from the previous cycle's), each with the entries that, once changed, make it
# void: it was given for the values then typed.
CONFIRMATIONS: dict[str, frozenset[str]] = {
    "confirm_body_size": frozenset({"height_cm", "weight_kg", "units.height", "units.weight",
                                    "patient.date_of_birth", "cycle.start_date"}),
    "confirm_weight_change": frozenset({"weight_kg", "units.weight", "previous_weight_kg"}),
}

# The core's paths that have no field of the same name.
_PATH_TO_FIELD = {
    "labs.serum_creatinine_umol_l": "labs.serum_creatinine",
    "labs.serum_creatinine_mg_dl": "labs.serum_creatinine",
    "baseline": "baseline.anc",
    "prior_cycle_start": "prior_cycle_start.anc",
    "cycle": "cycle.number",
    "patient": "patient.name",
}

# JSON names in the core's messages, in the words of the window.
_MESSAGE_WORDS = {
    "(cr, cri or none)": "(CR, CRi or not achieved)",
}


REQUIRED = "is required"


# A NamedTuple rather than a dataclass: importing dataclasses slows the window's start.
class FieldProblem(NamedTuple):
    field: str  # a FIELD_KINDS id, or "" when no single field is to blame
    message: str

    @property
    def missing(self) -> bool:
        """Only not filled in yet (shown quietly), rather than wrong (shown in red)."""
        return self.message == REQUIRED


def blank_values(settings: Mapping[str, Any]) -> FieldValues:
    """An empty form, with the institution's defaults where a choice has one."""
    values: FieldValues = {}
    for key, kind in FIELD_KINDS.items():
        values[key] = False if kind == BOOL else ""
    values.update(
        {
            "label": settings.get("label_profile", "US"),
            "bsa_formula": settings.get("bsa_formula", "mosteller"),
            "units.height": "cm",
            "units.weight": "kg",
            "units.creatinine": "umol_l",
            "cycle.number": "1",
            "dose_day": "1",
            "dose_level": "0",
            "longest_toxicity_interruption_days": "0",
            "events.nonhematologic_grade": "0",
            "events.nonhematologic_pretreatment_grade": "0",
        }
    )
    return values


def _cycle_number(values: Mapping[str, Any]) -> int | None:
    try:
        return entry.parse_whole(str(values.get("cycle.number", "")))
    except entry.EntryError:
        return None


def applicable(values: Mapping[str, Any]) -> set[str]:
    """The fields that apply to what has been entered so far; the rest are hidden and left
    out of the request."""
    cycle = _cycle_number(values)
    first = cycle is None or cycle <= 1
    day = str(values.get("dose_day", "1"))
    result = set(FIELD_KINDS)
    if first:
        result -= {
            "response",
            "mrd_negative",
            "dose_level",
            "longest_toxicity_interruption_days",
            "baseline.anc",
            "baseline.platelets",
        }
    else:
        result.discard("cycle.extend_to_28_days")
    for key in CONFIRMATIONS:  # offered when the core asks (PlanController.shown_fields)
        if not values.get(key):
            result.discard(key)
    if first or day != "1":
        result -= {"prior_cycle_start.anc", "prior_cycle_start.platelets"}
    if not (first and day == "1"):
        result.discard("labs.peripheral_blasts_per_mm3")
    if not values.get("labs.low_counts_attributed_to_disease"):
        result.discard("labs.low_counts_duration_days")
    if values.get("label") != "EU":
        result -= {
            "ph_positive",
            "tki_failed",
            "contraindications.hypersensitivity",
            "contraindications.prior_severe_or_ongoing_vod",
            "contraindications.serious_ongoing_liver_disease",
        }
    elif values.get("ph_positive") != "yes":
        result.discard("tki_failed")
    return result


def _put(tree: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        tree = tree.setdefault(part, {})
    tree[leaf] = value


def build_request(
    values: Mapping[str, Any], settings: Mapping[str, Any]
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """The request dict for the core from the fields, and the problems found in reading
    them (text that is not a number or a date). A field with such a problem, or left
    empty, is left out, so the core reports what else is missing in the same pass."""
    problems: list[FieldProblem] = []
    request: dict[str, Any] = {
        "volume_rounding_ml": float(settings.get("volume_rounding_ml", 0.1)),
        "weight_change_threshold_pct": float(settings.get("weight_change_threshold_pct", 10.0)),
    }
    protocol = small_dose_protocol(settings)
    if protocol is not None:
        request["small_dose_protocol"] = protocol
    apply = applicable(values)
    for key, kind in FIELD_KINDS.items():
        if key not in apply or key.startswith("units."):
            continue
        raw = values.get(key, False if kind == BOOL else "")
        try:
            value = _read(kind, raw)
        except entry.EntryError as error:
            problems.append(FieldProblem(key, str(error)))
            continue
        if value is None:
            continue
        path, value = _to_request_value(key, value, values)
        _put(request, path, value)
    _drop_unneeded_prior_counts(request)
    return request, problems


def _read(kind: str, raw: Any) -> Any:
    if kind == BOOL:
        return bool(raw)
    text = str(raw).strip() if raw is not None else ""
    if kind == TEXT:
        return str(raw) if str(raw) else None  # spaces are the core's to judge
    if kind == CHOICE:
        return text or None
    if kind == DATE:
        return entry.parse_date(text)
    if kind == WHOLE:
        return entry.parse_whole(text)
    return entry.parse_number(text)


def _to_request_value(key: str, value: Any, values: Mapping[str, Any]) -> tuple[str, Any]:
    if key == "height_cm":
        return key, entry.to_cm(value, str(values.get("units.height", "cm")))
    if key in ("weight_kg", "previous_weight_kg"):
        return key, entry.to_kg(value, str(values.get("units.weight", "kg")))
    if key == "labs.serum_creatinine":
        unit = "mg_dl" if values.get("units.creatinine") == "mg_dl" else "umol_l"
        return f"labs.serum_creatinine_{unit}", value
    if key in ("dose_day", "dose_level") or key.startswith("events.nonhematologic"):
        return key, int(value)
    if key in ("ph_positive", "tki_failed"):
        return key, value == "yes"
    if isinstance(value, date):
        return key, value.isoformat()
    return key, value


def _drop_unneeded_prior_counts(request: dict[str, Any]) -> None:
    """Prior-cycle-start counts are asked only when baseline was low; left blank otherwise
    they are simply not sent."""
    prior = request.get("prior_cycle_start")
    if prior is None:
        return
    baseline = request.get("baseline") or {}
    low = baseline.get("anc", 99) < 1 or baseline.get("platelets", 999) < 50
    if not low and not prior:
        del request["prior_cycle_start"]


def field_for_path(path: str, fields: set[str]) -> str:
    """The field to mark for a problem the core reports at ``path`` ("" if none)."""
    if path in fields:
        return path
    mapped = _PATH_TO_FIELD.get(path)
    if mapped is not None and mapped in fields:
        return mapped
    for key in FIELD_KINDS:  # a whole group missing: mark its first field
        if key.startswith(path + ".") and key in fields:
            return key
    return ""


def fmt(value: float, *args: Any, **kwargs: Any) -> str:
    """The core's number format (no trailing zero), for the window: the window itself does
    not import the core."""
    from besponsa_desktop.core.numbers import fmt as core_fmt

    return core_fmt(value, *args, **kwargs)


def checks_before_deciding() -> frozenset[str]:
    """The warning codes the window shows with the decision, not below the calendar."""
    from besponsa_desktop.core.patient_checks import CHECK_BEFORE_DECIDING

    return frozenset(CHECK_BEFORE_DECIDING)


def premedication_problem(text: str) -> str | None:
    """Why an order set typed in the settings cannot be printed, or None (the core reads
    it)."""
    from besponsa_desktop.core.premedication import parse_premedications

    try:
        parse_premedications(text)
    except ValueError as error:
        return str(error)
    return None


def window_words(message: str) -> str:
    for json_words, words in _MESSAGE_WORDS.items():
        message = message.replace(json_words, words)
    return message


def _unit_note(field: str, values: Mapping[str, Any]) -> str:
    """A converted value's problem says what the conversion gave."""
    unit_key = {"height_cm": "units.height", "weight_kg": "units.weight",
                "previous_weight_kg": "units.weight"}.get(field)
    if not unit_key or values.get(unit_key) in ("cm", "kg"):
        return ""
    unit = values.get(unit_key)
    try:
        number = entry.parse_number(str(values.get(field, "")))
    except entry.EntryError:
        return ""
    if number is None:
        return ""
    from besponsa_desktop.core.numbers import fmt

    metric = entry.to_cm(number, "in") if unit == "in" else entry.to_kg(number, "lb")
    return f"{fmt(number)} {unit} = {fmt(metric)} {'cm' if unit == 'in' else 'kg'}: "


class PlanController(QObject):
    """Holds the current field values, the plan or the problems, and the actions."""

    planChanged = Signal(object)  # a core Plan, or None while the fields are not valid
    problemsChanged = Signal(object)  # list[FieldProblem]
    validityChanged = Signal(bool)
    statusMessage = Signal(str)
    coreReady = Signal()
    planFailed = Signal(str)  # the rules failed: the plan is withdrawn; what to tell

    FAILED = ("The plan could not be made: an internal error occurred. Nothing can be "
              "printed or saved. The error was logged (without patient data); please "
              "contact IT. Correcting or re-entering a field tries again.")

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.values: FieldValues = blank_values(settings.values())
        self.plan: Any = None
        self.problems: list[FieldProblem] = []
        self.valid = False
        self._make_plan: Callable[[object], Any] | None = None
        self._invalid_request: type[Exception] | None = None
        # Set when a second person has verified the plan's height and weight; printed on
        # every page (None: every page says NOT YET VERIFIED).
        self.double_check: DoubleCheck | None = None
        self._course: CourseController | None = None  # made on first use (imports the store)
        self.asked: set[str] = set()  # confirmations the core asks for now
        # The plan whose small doses the pharmacist confirmed; any change asks again.
        self._small_doses_confirmed_for: Any = None

    # ---------------------------------------------------------------- the core
    @property
    def core_loaded(self) -> bool:
        return self._make_plan is not None

    def load_core(self) -> None:
        """Import the dosing rules (slow: pydantic) and plan what is in the fields."""
        if self._make_plan is None:
            from besponsa_desktop.core.planner import make_plan
            from besponsa_desktop.core.validation import InvalidRequest

            def make_plan_here(data: object) -> Any:
                # the institution decides whether MRN letter case matters (settings.py)
                ignore = self.settings.get("mrn_letter_case") == "ignore"
                return make_plan(data, mrn_ignore_case=ignore)

            self._make_plan = make_plan_here
            self._invalid_request = InvalidRequest
            self.coreReady.emit()
        self.recompute()

    # ---------------------------------------------------------------- fields
    def set_values(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)
        self.recompute()

    def set_value(self, key: str, value: Any) -> None:
        if self.values.get(key) == value:
            return
        self.values[key] = value
        for confirmation, voided_by in CONFIRMATIONS.items():
            if key in voided_by:  # a confirmation is of the values typed when it was given
                self.values[confirmation] = False
        self.recompute()

    def shown_fields(self) -> set[str]:
        """The fields to show: those that apply, and the confirmations the core asks for."""
        return applicable(self.values) | self.asked

    def new_patient(self) -> FieldValues:
        """Blank fields with the institution's defaults; the window shows them. The course
        on screen is closed: nothing of another patient stays shown."""
        if self._course is not None:
            self._course.clear()
        self.set_values(blank_values(self.settings.values()))
        self.statusMessage.emit("New patient: the form is empty.")
        return dict(self.values)

    def recompute(self) -> None:
        if self._make_plan is None:
            return
        try:
            self._recompute()
        except Exception as error:  # a bug in the rules: never a stale plan on screen
            self.withdraw(error)

    def withdraw(self, error: BaseException) -> None:
        """Withdraw the plan after an internal error (nothing printable or savable), log
        where it happened (never its message, which may hold patient data) and say so."""
        from besponsa_desktop.logs import log_internal_error

        log_internal_error(error)
        was_valid = self.valid
        self.plan, self.problems, self.valid = None, [], False
        self.planChanged.emit(None)
        self.planFailed.emit(self.FAILED)
        if was_valid:
            self.validityChanged.emit(False)
        self.statusMessage.emit("An internal error withdrew the plan: please contact IT.")

    def _recompute(self) -> None:
        assert self._make_plan is not None
        settings = self.settings.values()
        request, problems = build_request(self.values, settings)
        self.asked = set()
        plan = None
        if not problems:
            assert self._invalid_request is not None
            try:
                plan = self._make_plan(request)
            except self._invalid_request as invalid:
                problems = self._core_problems(invalid.problems)  # type: ignore[attr-defined]
        else:
            # Report the core's view of the rest too, except for fields already marked.
            assert self._invalid_request is not None
            try:
                self._make_plan(request)
            except self._invalid_request as invalid:
                marked = {p.field for p in problems}
                problems += [
                    p
                    for p in self._core_problems(invalid.problems)  # type: ignore[attr-defined]
                    if p.field not in marked
                ]
        self._publish(plan, problems)

    def _core_problems(self, core_problems: list[Any]) -> list[FieldProblem]:
        fields = applicable(self.values)
        from besponsa_desktop.core import plausibility

        asks = {"confirm_body_size": plausibility.CONFIRM_BODY_SIZE,
                "confirm_weight_change": plausibility.CONFIRM_WEIGHT_CHANGE}
        self.asked |= {
            key for key, words in asks.items()
            if any(str(p.message).endswith(words) for p in core_problems)
        }
        found: list[FieldProblem] = []
        for problem in core_problems:
            group = [k for k in FIELD_KINDS if k.startswith(problem.path + ".") and k in fields]
            if problem.message == REQUIRED and problem.path and group:
                # a whole group is missing (nothing typed in it): each empty field says so
                for key in group:
                    if FIELD_KINDS[key] != BOOL and not self.values.get(key):
                        item = FieldProblem(key, REQUIRED)
                        if item not in found:
                            found.append(item)
                continue
            field = field_for_path(problem.path, fields)
            message = window_words(problem.message)
            if field:
                message = _unit_note(field, self.values) + message
            elif problem.path:
                message = f"{problem.path}: {message}"
            item = FieldProblem(field, message)
            if item not in found:
                found.append(item)
        return found

    def _publish(self, plan: Any, problems: list[FieldProblem]) -> None:
        was_valid = self.valid
        self.plan, self.problems = plan, problems
        self.valid = plan is not None
        self.problemsChanged.emit(problems)
        self.planChanged.emit(plan)
        if self.valid != was_valid:
            self.validityChanged.emit(self.valid)

    # ---------------------------------------------------------------- loading a request
    def load_request(self, data: Mapping[str, Any]) -> FieldValues:
        """Fill the fields from a request (a JSON object as the command line reads it)."""
        values = blank_values(self.settings.values())
        values.update(values_from_request(data))
        self.set_values(values)
        return dict(self.values)

    # ---------------------------------------------------------------- actions
    # ---------------------------------------------------------------- the course
    @property
    def course(self) -> CourseController:
        """The patient's course in the store: open, save, next cycle, doses, double check."""
        if self._course is None:
            from besponsa_desktop.course_controller import CourseController

            self._course = CourseController(self, self)
            self._course.verificationChanged.connect(self._verification_changed)
        return self._course

    def _verification_changed(self, check: DoubleCheck | None) -> None:
        """The course says whether the stored plan on screen is double-checked."""
        self.double_check = check

    def save(self) -> bool:
        """Save the plan to the patient's course, signed; see CourseController.save."""
        return self.course.save()

    # ---------------------------------------------------------------- the course's record
    def course_record(self) -> Any:
        """What the open course records for the cycle of the plan on screen (or None)."""
        history = None if self._course is None else self._course.course
        if not history or self.plan is None or \
                history["patient"]["mrn"] != self.plan.patient.mrn:
            return None
        from besponsa_desktop.app.printout import course_record

        return course_record(history, self.plan.cycle.number)

    def shown_plan(self, plan: Any) -> Any:
        """The plan as the window shows it: with the course's real dates (moved, re-based,
        given) and without doses not to be given, as on the printout."""
        record = self.course_record() if plan is self.plan else None
        if record is None:
            return plan
        from besponsa_desktop.app.printout import course_plan

        return course_plan(plan, record)

    def course_note(self) -> str:
        """The cycle as the course records it, in words ("" when nothing is recorded)."""
        record = self.course_record()
        if record is None:
            return ""
        parts = [record.state] if record.state else []
        for dose in record.doses:
            if dose.status == "scheduled":
                continue
            when = ""
            if dose.given_at is not None:
                when = f" {entry.short_date(dose.given_at.date())} {dose.given_at:%H:%M}"
            elif dose.date is not None:
                when = f" {entry.short_date(dose.date)}"
            why = f" ({dose.reason})" if dose.reason and dose.status != "given" else ""
            parts.append(f"Day {dose.day} {dose.status_text}{when}{why}")
        return "; ".join(parts)

    # ---------------------------------------------------------------- printing
    # reportlab is imported here, on the first print, never at start-up (~200 ms).
    def print_options(self) -> PrintOptions:
        """Hospital name, paper size, premedication order set and how the 50 mL bag is made
        from the settings; the pharmacist signed in; the double check if there is one; what
        the patient's course records for the plan's cycle, when it is open.
        ValueError when the order set in the settings cannot be read (never half-printed)."""
        from besponsa_desktop.app.printout import options

        return options(self.settings.values(), double_check=self.double_check,
                       pharmacist=self._course.signer if self._course is not None else "",
                       course=self.course_record())

    def small_doses_question(self) -> str | None:
        """What the pharmacist must confirm before this plan is printed or saved as PDF
        (its small doses' preparation); None when nothing is to confirm."""
        if self.plan is None or self._small_doses_confirmed_for == self.plan:
            return None
        from besponsa_desktop.core import preparation

        doses = preparation.small_doses_to_confirm(self.plan)
        return preparation.confirmation_question(doses) if doses else None

    def confirm_small_doses(self) -> None:
        """The pharmacist confirmed the small-dose preparation of the current plan."""
        self._small_doses_confirmed_for = self.plan
        self.statusMessage.emit("Small-dose preparation confirmed by the pharmacist.")

    def _unconfirmed(self, action: str) -> bool:
        if self.small_doses_question() is None:
            return False
        self.statusMessage.emit(
            f"{action}: the plan has small doses; confirm their preparation by the "
            "institution's small-volume (syringe) protocol first."
        )
        return True

    def render_printout(self) -> bytes:
        """The nurses' printout of the current plan, as PDF bytes."""
        if self.plan is None:
            raise ValueError("no complete plan to print")
        from besponsa_desktop.app.printout import render_with

        return render_with(self.plan, self.print_options())

    def print_plan(self) -> bytes | None:
        """The printout for the window to preview or print, or None when there is none (the
        plan is not complete, or it could not be made); the status bar says why."""
        if not self.valid:
            self.statusMessage.emit("Nothing printed: the plan is not complete.")
            return None
        if self._unconfirmed("Nothing printed"):
            return None
        try:
            return self.render_printout()
        except ValueError as error:  # the order set in the settings (set by hand by IT)
            self.statusMessage.emit(f"Nothing printed: the settings' {error}.")
            return None
        except Exception as error:  # a bug or a broken installation: never a traceback
            from besponsa_desktop.logs import log_internal_error

            log_internal_error(error)
            self.statusMessage.emit("The printout could not be made: please contact IT.")
            return None

    def export_pdf(self, path: Path) -> bool:
        """Write the printout to ``path``: private to the user, and never half-written."""
        if not self.valid:
            self.statusMessage.emit("No PDF saved: the plan is not complete.")
            return False
        if self._unconfirmed("No PDF saved"):
            return False
        from besponsa_desktop.app.printout import write_with

        try:
            write_with(self.plan, Path(path), self.print_options())
        except OSError as error:
            reason = error.strerror or "the file could not be written"
            self.statusMessage.emit(f"The PDF was not saved ({reason}): {path}")
            return False
        except Exception as error:
            from besponsa_desktop.logs import log_internal_error

            log_internal_error(error)
            self.statusMessage.emit("The PDF could not be made: please contact IT.")
            return False
        self.statusMessage.emit(f"Printout saved as PDF: {path}")
        return True

    def printed(self, pages: int, printer_name: str) -> None:
        """The window sent ``pages`` pages of the printout to a printer."""
        where = f" to {printer_name}" if printer_name else ""
        self.statusMessage.emit(f"Sent {pages} page{'s' if pages != 1 else ''}{where}.")


def values_from_request(data: Mapping[str, Any]) -> FieldValues:
    """Field values for a request dict (the inverse of ``build_request``), metric units."""
    values: FieldValues = {}

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        for key, value in node.items():
            path = f"{prefix}{key}"
            if isinstance(value, Mapping):
                walk(value, path + ".")
            else:
                values[path] = value

    walk(data, "")
    out: FieldValues = {}
    for path, value in values.items():
        if path == "labs.serum_creatinine_umol_l" and value is not None:
            out["labs.serum_creatinine"], out["units.creatinine"] = _text(value), "umol_l"
            continue
        if path == "labs.serum_creatinine_mg_dl" and value is not None:
            out["labs.serum_creatinine"], out["units.creatinine"] = _text(value), "mg_dl"
            continue
        kind = FIELD_KINDS.get(path)
        if kind is None or value is None:
            continue
        if kind == BOOL:
            out[path] = bool(value)
        elif path in ("ph_positive", "tki_failed"):
            out[path] = "yes" if value else "no"
        elif kind == DATE and isinstance(value, str):
            try:
                parsed = entry.parse_date(value)
            except entry.EntryError:
                parsed = None
            out[path] = entry.short_date(parsed) if parsed else value
        else:
            out[path] = _text(value)
    if out.get("height_cm") or out.get("weight_kg"):
        out.setdefault("units.height", "cm")
        out.setdefault("units.weight", "kg")
    return out


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
