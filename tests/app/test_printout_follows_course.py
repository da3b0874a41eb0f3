"""The nurses' sheet matches the record: a printout made from a stored plan shows the
course's real schedule (moved and re-based dates, given times, omitted doses, a
discontinued course with its reason) — on the course table, the calendar and the dose
pages alike."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path

import pypdf

from besponsa_desktop.app.printout import course_plan, course_record, render
from besponsa_desktop.core.models import Plan
from tests.store.store_helpers import MRN, NURSE, PHARMACIST, give, plan_day, start_course

PRINTED_AT = datetime(2026, 12, 9, 8, 0).astimezone()


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_a_printout_after_day_8_moved_shows_the_moved_and_rebased_dates(sqlite_service,
                                                                        ward_clock) -> None:
    start_course(sqlite_service)
    give(sqlite_service, 1, 1)
    ward_clock.set(datetime(2026, 12, 2, 9, 0))  # moved the day after Day 1
    sqlite_service.record_dose(MRN, 1, 8, "moved", by=PHARMACIST, moved_to=date(2026, 12, 10),
                        reason="clinic closed")
    plan = plan_day(sqlite_service, 1, 8)
    history = sqlite_service.history(MRN)
    record = course_record(history, 1)
    assert record is not None
    printed = course_plan(plan, record)
    assert [(d.day, d.date) for d in printed.doses] == [
        (1, date(2026, 12, 1)), (8, date(2026, 12, 10)), (15, date(2026, 12, 16))]
    text = _text(render(plan, sqlite_service.settings, history, (1, 8), printed_at=PRINTED_AT))
    assert "Cycle 1 in the patient's record" in text
    assert "Day 8 — Thu 10 Dec 2026" in text  # the dose page, on the moved date
    assert "Day 15 — Wed 16 Dec 2026" in text  # re-based: 6 days after Day 8
    assert "MOVED" in text and "clinic closed" in text
    assert "GIVEN" in text and "Tue 1 Dec 2026 10:00" in text
    assert f"Record chain head {history['chain_head_short']}" in text


def test_a_discontinued_course_prints_so_and_no_dose_to_give(sqlite_service) -> None:
    start_course(sqlite_service)
    give(sqlite_service, 1, 1)
    plan = plan_day(sqlite_service, 1, 8, events={"vod": True})
    history = sqlite_service.history(MRN)
    text = _text(render(plan, sqlite_service.settings, history, (1, 8), printed_at=PRINTED_AT))
    assert "TREATMENT DISCONTINUED" in text
    assert text.count("NOT GIVEN — TREATMENT") == 2  # Days 8 and 15
    record = course_record(history, 1)
    first = sqlite_service.history(MRN)["cycles"][0]["plans"][0]["plan"]
    day1 = Plan.model_validate_json(json.dumps(first))
    assert [d.day for d in course_plan(day1, record).doses] == [1]  # 8 and 15 not to give


def test_the_command_line_prints_what_the_course_records(sqlite_service, tmp_path: Path,
                                                         ward_clock) -> None:
    from besponsa_desktop import cli

    start_course(sqlite_service)
    give(sqlite_service, 1, 1)
    ward_clock.set(datetime(2026, 12, 2, 9, 0))  # moved the day after Day 1
    sqlite_service.record_dose(MRN, 1, 8, "moved", by=NURSE, moved_to=date(2026, 12, 9),
                        reason="chair unavailable")
    request = sqlite_service.day_request(MRN, 1, 8)
    from tests.store.store_helpers import completed

    path = tmp_path / "day8.json"
    path.write_text(json.dumps(completed(request, date(2026, 12, 8))))
    pdf = tmp_path / "day8.pdf"
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["plan", str(path), "--save", "--by", PHARMACIST, "--pdf", str(pdf),
                     "--db", str(sqlite_service.location)], out, err)
    assert code == 0, err.getvalue()
    text = _text(pdf.read_bytes())
    assert "Day 8 — Wed 9 Dec 2026" in text and "Day 15 — Tue 15 Dec 2026" in text
