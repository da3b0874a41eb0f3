"""Moving a course between databases as JSON: export, then import elsewhere.

Format 2 holds the patient and the course's events (each with who and when), and the chain
head of the database it came from. Import re-derives, it does not trust: every event is
replayed through the core as if entered now, and every plan is recomputed by the core from
its own request and refused if any number or decision differs (clinical content is
compared; ``program_version`` is not). All or nothing: a refused file stores nothing, and
the message names the element and the difference. Format 1 files (cycles, plans and dose
rows) are read by turning them into events first, in the order they were recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from besponsa_desktop.app.errors import ConflictError, StoreError
from besponsa_desktop.app.results import Imported
from besponsa_desktop.store.legacy import first_difference

if TYPE_CHECKING:
    from besponsa_desktop.app.courses import CourseService, Loaded

FORMAT = "besponsa-desktop course"
FORMAT_VERSION = 2
READS = (1, 2)


class ImportRefused(StoreError):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}; nothing was imported" if path
                         else f"{message}; nothing was imported")
        self.path = path


def export_data(loaded: Loaded, chain_head: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "patient": loaded.course.patient.model_dump(mode="json"),
        "source_chain_head": chain_head,
        "events": [event.payload for event in loaded.stored.events],
    }


def export_text(loaded: Loaded, chain_head: str) -> str:
    import json

    return json.dumps(export_data(loaded, chain_head), indent=2, ensure_ascii=False,
                      allow_nan=False) + "\n"


def _events_of(data: Any) -> tuple[list[Any], list[str]]:
    """The file's events and where each came from."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused("format", f"is not a {FORMAT} file")
    version = data.get("format_version")
    if version not in READS or isinstance(version, bool):
        raise ImportRefused("format_version", f"must be 1 or 2 (this program reads "
                            f"{', '.join(map(str, READS))} and writes {FORMAT_VERSION})")
    if version == 2:
        events = data.get("events")
        if not isinstance(events, list) or not events:
            raise ImportRefused("events", "must be a non-empty list")
        return events, [f"events[{i}]" for i in range(len(events))]
    from besponsa_desktop.store.legacy import course_events

    cycles = data.get("cycles")
    if not isinstance(cycles, list):
        raise ImportRefused("cycles", "must be a list")
    _rows_agree_with_plans(cycles)
    paths: list[str] = []
    try:
        events = course_events(data, paths)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ImportRefused("cycles", f"a format 1 course is incomplete or malformed "
                            f"({type(error).__name__}: {str(error)[:80]})") from None
    if not events:
        raise ImportRefused("cycles", "hold no plan")
    return events, paths


def _rows_agree_with_plans(cycles: list[Any]) -> None:
    """A format 1 file states each cycle's level and each dose row's mg beside its plans;
    the events are made from the plans, so a stated value that differs from them would be
    dropped silently. It is refused instead, naming the element (a cycle level lower than
    its plan's, a dose row of -5 mg)."""
    for c_index, cycle in enumerate(cycles):
        plans = cycle.get("plans") if isinstance(cycle, dict) else None
        if not isinstance(plans, list) or not plans:
            continue
        latest: dict[Any, Any] = {}
        for plan in plans:
            inner = plan.get("plan") if isinstance(plan, dict) else None
            if isinstance(inner, dict):
                latest[inner.get("dose_day")] = inner
        day_1 = latest.get(1) or next(iter(latest.values()), None)
        if day_1 is None:
            continue
        stated = cycle.get("dose_level")
        if stated != day_1.get("dose_level"):
            raise ImportRefused(f"cycles[{c_index}].dose_level",
                                f"the file says {stated!r}, its plan gives "
                                f"{day_1.get('dose_level')!r}")
        planned = {d.get("day"): d.get("dose_mg") for d in day_1.get("doses") or []
                   if isinstance(d, dict)}
        for d_index, row in enumerate(cycle.get("doses") or []):
            if not isinstance(row, dict) or row.get("day") not in planned:
                continue
            if row.get("planned_mg") != planned[row.get("day")]:
                raise ImportRefused(f"cycles[{c_index}].doses[{d_index}].planned_mg",
                                    f"the file says {row.get('planned_mg')!r}, its plan "
                                    f"gives {planned[row.get('day')]!r}")


def import_data(service: CourseService, data: Any, *, by: str) -> Imported:
    import json

    from pydantic import ValidationError

    from besponsa_desktop.core.course import EVENT, CourseRefused, PlanSaved, apply
    from besponsa_desktop.core.double_check import clinical_content
    from besponsa_desktop.core.planner import plan as plan_request
    from besponsa_desktop.core.validation import problems_from

    raw_events, paths = _events_of(data)
    course = None
    payloads = []
    plans = 0
    for raw, path in zip(raw_events, paths, strict=True):
        try:
            text = json.dumps(raw, allow_nan=False)
        except (ValueError, TypeError):
            raise ImportRefused(path, "holds a number that is not finite (NaN or "
                                "Infinity)") from None
        try:
            event = EVENT.validate_json(text)
        except ValidationError as error:
            problem = problems_from(error)[0]
            where = f"{path}.{problem.path}" if problem.path else path
            raise ImportRefused(where, problem.message) from None
        if isinstance(event, PlanSaved):
            plans += 1
            derived = plan_request(event.plan.request)
            difference = first_difference(clinical_content(event.plan),
                                          clinical_content(derived), f"{path}.plan")
            if difference:
                raise ImportRefused("", f"{difference} (recomputed from the plan's own request)")
        try:
            course = apply(course, event)
        except CourseRefused as refused:
            reasons = "; ".join(f"{r.message} [{r.code}; {r.source}]" for r in refused.reasons)
            raise ImportRefused(path, f"refused by the rules: {reasons}") from None
        payloads.append(event.model_dump(mode="json"))
    assert course is not None
    patient = course.patient.model_dump(mode="json")
    stated = data.get("patient")
    if stated != patient:
        raise ImportRefused("patient", "differs from the patient of the course's plans")
    if service.store.load(patient["mrn"]) is not None:
        raise ImportRefused("patient.mrn", "this database already has a course for this MRN")
    try:
        version = service.store.append(patient, 0, payloads, imported=True)
    except ConflictError:
        raise ImportRefused("patient.mrn", "this database already has a course for this "
                            "MRN") from None
    return Imported(patient["mrn"], len(payloads), plans, version)
