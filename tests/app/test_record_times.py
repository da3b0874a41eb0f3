"""The times of a dose record through the services (the command line's and the window's
path): the moment recorded is the ward's clock with its offset, a time given is the ward's
time, and the core's refusals of a dose given ahead of its record or moved to a day past
reach the caller with the core's message; courses stored by earlier versions (``at`` in
UTC, a time given without its offset) load as they were, or read-only when one of their
records is ahead of its own moment in every time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from besponsa_desktop.app import courses
from besponsa_desktop.app.courses import CourseService
from besponsa_desktop.app.errors import Refused, StoreError
from tests.store.store_helpers import MRN, NURSE, PHARMACIST, start_course
from tests.ward_clock import WardClock, local_zone


def test_the_moment_recorded_and_a_time_given_are_the_wards_with_its_offset(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the real clock, not the tests' ward clock
    with local_zone():  # a workstation in Central Europe
        moment = courses.now()
        assert moment.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
        assert abs(moment - datetime.now(UTC)) < timedelta(minutes=1)
        # typed without an offset: the ward's time on that date, summer time included
        assert courses.ward_time(datetime(2026, 12, 1, 10, 30)).isoformat() == \
            "2026-12-01T10:30:00+01:00"
        assert courses.ward_time(datetime(2026, 7, 1, 10, 30)).isoformat() == \
            "2026-07-01T10:30:00+02:00"
        # with an offset: converted, so that its date is the ward's
        given = courses.ward_time(datetime(2026, 12, 1, 23, 30, tzinfo=UTC))
        assert given.isoformat() == "2026-12-02T00:30:00+01:00"


def test_the_service_refuses_a_dose_given_ahead_and_a_move_to_a_past_day(
        sqlite_service: CourseService, ward_clock: WardClock) -> None:
    start_course(sqlite_service)
    ward_clock.set(datetime(2026, 11, 30, 17, 0, tzinfo=UTC))
    with pytest.raises(Refused) as refused:
        sqlite_service.record_dose(MRN, 1, 1, "given", by=NURSE,
                            at=datetime(2026, 12, 1, 10, 30, tzinfo=UTC))
    assert [f.code for f in refused.value.findings] == ["given_after_recorded"]
    assert "Tue 1 Dec 2026 10:30" in str(refused.value)
    assert sqlite_service.version(MRN) == 1
    ward_clock.set(datetime(2026, 12, 1, 10, 45, tzinfo=UTC))
    sqlite_service.record_dose(MRN, 1, 1, "given", by=NURSE,
                               at=datetime(2026, 12, 1, 10, 30, tzinfo=UTC))
    ward_clock.set(datetime(2026, 12, 9, 9, 0))
    assert sqlite_service.reschedule_options(MRN, 1, 8).dates == [
        date(2026, 12, 9), date(2026, 12, 10)]
    with pytest.raises(Refused) as refused:
        sqlite_service.record_dose(MRN, 1, 8, "moved", by=PHARMACIST, moved_to=date(2026, 12, 7),
                            reason="clinic closed")
    assert [f.code for f in refused.value.findings] == ["moved_before_recorded"]
    assert sqlite_service.version(MRN) == 2


def _stored_by_an_earlier_version(sqlite_service: CourseService, given_at: str, at: str) -> None:
    """A course as an earlier version stored it: its plan, then Day 1 "given" with the time
    as typed (no offset) and the moment recorded in UTC, appended as that version did."""
    start_course(sqlite_service)
    loaded = sqlite_service.require(MRN)
    event: dict[str, Any] = {"kind": "dose_given", "by": NURSE, "at": at, "cycle": 1,
                             "day": 1, "given_at": given_at}
    sqlite_service.store.append(loaded.stored.patient, loaded.version, [event])


def test_an_earlier_versions_course_loads_as_it_was(sqlite_service: CourseService) -> None:
    # 10:30 typed at a ward east of UTC, recorded at 09:40 UTC (10:40 there)
    _stored_by_an_earlier_version(sqlite_service, "2026-12-01T10:30:00", "2026-12-01T09:40:00Z")
    loaded = sqlite_service.require(MRN)
    assert loaded.refused is None
    history = sqlite_service.history(MRN)
    assert history["cycles"][0]["doses"][0]["status"] == "given"
    assert history["cycles"][0]["doses"][0]["given_at"] == "2026-12-01T10:30"


def test_an_earlier_versions_dose_given_ahead_of_its_record_is_named_and_read_only(
        sqlite_service: CourseService) -> None:
    # Monday's record of Tuesday's Day 1 as given, kept by an earlier version
    _stored_by_an_earlier_version(sqlite_service, "2026-12-01T10:30:00", "2026-11-29T09:00:00Z")
    loaded = sqlite_service.require(MRN)  # it loads: what the entries before it build
    assert loaded.refused is not None
    assert "entry 2 (dose_given)" in loaded.refused
    assert "given_after_recorded" in loaded.refused
    assert "Sun 29 Nov 2026 09:00 UTC" in loaded.refused
    history = sqlite_service.history(MRN)
    assert history["cycles"][0]["doses"][0]["status"] == "scheduled"
    assert "record it once it has been given" in history["refused_entries"]
    with pytest.raises(StoreError, match="Nothing can be added"):
        sqlite_service.record_dose(MRN, 1, 1, "held", by=NURSE, reason="counts")


def test_a_stored_entry_whose_moment_has_no_offset_is_named_with_the_field(
        sqlite_service: CourseService) -> None:
    # an earlier version imported whatever moment a file gave; today's model wants its offset
    _stored_by_an_earlier_version(sqlite_service, "2026-12-01T10:30:00", "2026-12-01T10:40:00")
    loaded = sqlite_service.require(MRN)
    assert loaded.refused is not None and "entry 2 (dose_given)" in loaded.refused
    assert "at: the moment a record is made needs its UTC offset" in loaded.refused
    assert sqlite_service.history(MRN)["cycles"][0]["doses"][0]["status"] == "scheduled"


def test_an_import_whose_moment_has_no_offset_is_refused_naming_the_element(
        sqlite_service: CourseService, tmp_path: Path) -> None:
    from besponsa_desktop.app.exchange import ImportRefused

    start_course(sqlite_service)
    data = sqlite_service.export(MRN)
    data["events"][0]["at"] = "2026-11-30T09:00:00"  # no offset
    other = CourseService(db=tmp_path / "other.sqlite3")
    try:
        with pytest.raises(ImportRefused) as refused:
            other.import_course(data, by=PHARMACIST)
        assert "events[0].plan_saved.at" in str(refused.value)  # the element, named
        assert "UTC offset" in str(refused.value)
    finally:
        other.close()
