"""The course as people see it: one plain-data view (JSON-ready) that the command line's
``history`` prints and the window's timeline, calendar and printout read, so they always
show the same schedule: moved dates, given times, omitted doses, a discontinued course
and its reason."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from besponsa_desktop.app.courses import Loaded


def _iso(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _finding(found: Any) -> dict[str, str] | None:
    if found is None:
        return None
    return {"code": found.code, "message": found.message, "source": found.source}


def history_data(loaded: Loaded, chain_head: str) -> dict[str, Any]:
    from besponsa_desktop.app.courses import verification_of
    from besponsa_desktop.core.course import course_schedule

    course = loaded.course
    stored = {event.seq: event for event in loaded.stored.events}
    scheduled = {c.number: c for c in course_schedule(course)}
    cycles = []
    for cycle in course.cycles:
        plan_rows = []
        for revision in cycle.plans:
            latest = cycle.latest_plan(revision.day)
            current = latest is not None and latest.revision == revision.revision
            checks = [_check(c) for c in cycle.checks
                      if c.day == revision.day and c.revision == revision.revision]
            if current:
                verification = verification_of(course, cycle.number, revision.day).as_data()
            else:
                newer = latest.revision if latest else "?"
                verification = {"verified": False, "revision": revision.revision,
                                "text": f"superseded by revision {newer}"}
            plan_rows.append({
                "revision": revision.revision,
                "dose_day": revision.day,
                "current": current,
                "decision": revision.plan.decision.value,
                "saved_at": _iso(revision.at),
                "saved_by": revision.by,
                "os_user": stored[revision.seq].os_user if revision.seq in stored else None,
                "seq": revision.seq,
                "request": revision.plan.request.model_dump(mode="json"),
                "plan": revision.plan.model_dump(mode="json"),
                "double_checks": checks,
                "verification": verification,
            })
        sched = scheduled.get(cycle.number)
        response = cycle.response
        cycles.append({
            "number": cycle.number,
            "start_date": _iso(sched.start_date if sched else None),
            "length_days": sched.length_days if sched else None,
            "next_cycle_due": _iso(sched.next_cycle_due if sched else None),
            "dose_level": sched.dose_level if sched else None,
            "started": sched.started if sched else False,
            "response_after": None if response is None else response.response.value,
            "mrd_negative_after": None if response is None else response.mrd_negative,
            "plans": plan_rows,
            "doses": [_dose(d, cycle) for d in (sched.doses if sched else ())],
        })
    state = course.state
    return {
        "patient": course.patient.model_dump(mode="json"),
        "version": loaded.version,
        "refused_entries": loaded.refused,
        "state": {
            "status": state.status.value,
            "reason": _finding(state.reason),
            "cycle": state.cycle,
            "day": state.day,
        },
        "chain_head": chain_head,
        "chain_head_short": chain_head[:12],
        "cycles": cycles,
        "events": [
            {"seq": e.seq, "kind": e.kind, "by": e.by, "os_user": e.os_user, "at": e.at,
             "hash": e.hash}
            for e in loaded.stored.events
        ],
    }


def _check(check: Any) -> dict[str, Any]:
    return {
        "revision": check.revision,
        "prepared_by": check.prepared_by,
        "checked_by": check.checked_by,
        "checked_at": _iso(check.at),
        "height_cm": check.height_cm,
        "weight_kg": check.weight_kg,
        "matched": check.matched,
        "mismatches": list(check.mismatches),
    }


def _dose(dose: Any, cycle: Any) -> dict[str, Any]:
    entries = [
        {
            "entry": e.number,
            "kind": e.kind.value,
            "by": e.by,
            "at": _iso(e.at),
            "given_at": _iso(e.given_at),
            "moved_to": _iso(e.moved_to),
            "reason": e.reason,
            "toxicity_days": e.toxicity_days,
            "voided": None if e.void is None else {"by": e.void.by, "at": _iso(e.void.at),
                                                    "reason": e.void.reason},
        }
        for e in cycle.entries
        if e.day == dose.day
    ]
    return {
        "day": dose.day,
        "status": dose.status.value,
        "status_text": dose.status_text,
        "date": _iso(dose.date),
        "nominal_date": _iso(dose.nominal_date),
        "window_start": _iso(dose.window_start),
        "window_end": _iso(dose.window_end),
        "given_at": None if dose.given_at is None else dose.given_at.isoformat(
            timespec="minutes"),
        "reason": dose.reason,
        "decision": None if dose.decision is None else dose.decision.value,
        "dose_mg": dose.dose_mg,
        "volume_ml": dose.volume_ml,
        "entries": entries,
    }


def schedule_rows(history: dict[str, Any]) -> list[tuple[int, int, str, str | None]]:
    """(cycle, day, status, date) for every dose of a history: what the command line and
    the window must agree on."""
    return [
        (cycle["number"], dose["day"], dose["status"], dose["date"])
        for cycle in history["cycles"]
        for dose in cycle["doses"]
    ]
