"""The application services: every change applied by the core (a refusal carries its
reasons and stores nothing), saved against the version it was based on; the double check
tied to a plan revision; import re-derives every plan and refuses the whole file."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from besponsa_desktop.app.courses import CourseService
from besponsa_desktop.app.errors import ConflictError, Refused
from besponsa_desktop.app.exchange import ImportRefused
from tests.store.store_helpers import (
    CHECKER,
    MRN,
    PHARMACIST,
    cycle1_request,
    give,
    plan_day,
    plan_for,
    start_course,
)


@pytest.fixture(autouse=True)
def _private_log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BESPONSA_LOG_DIR", str(tmp_path / "logs"))


def test_after_vod_the_next_cycle_is_refused_with_the_reason_and_source(service) -> None:
    start_course(service)
    give(service, 1, 1)
    plan = plan_day(service, 1, 8, events={"vod": True})
    assert plan.decision.value == "discontinue"
    version = service.version(MRN)
    with pytest.raises(Refused) as refused:
        service.next_cycle_request(MRN)
    finding = refused.value.findings[0]
    assert finding.code == "course_discontinued" and "VOD" in finding.message
    assert finding.source  # the label section
    history = service.history(MRN)
    assert history["state"]["status"] == "discontinued"
    assert [d["status"] for d in history["cycles"][0]["doses"]][1:] == [
        "not_given_discontinued", "not_given_discontinued"]
    with pytest.raises(Refused):
        service.record_dose(MRN, 1, 15, "given", by="Nora", at=datetime(2026, 12, 15, 10))
    assert service.version(MRN) == version  # nothing stored


def test_a_change_based_on_an_older_version_is_a_conflict(service) -> None:
    start_course(service)
    with pytest.raises(ConflictError):
        service.save_plan(plan_for(cycle1_request(weight_kg=63)), by=PHARMACIST,
                          expected_version=0)
    with pytest.raises(ConflictError):
        service.record_dose(MRN, 1, 1, "given", by="Nora", at=datetime(2026, 12, 1, 10),
                            expected_version=0)
    assert service.version(MRN) == 1


def test_a_check_of_a_replaced_revision_does_not_verify_the_latest(service) -> None:
    start_course(service)
    service.save_plan(plan_for(cycle1_request(weight_kg=63)), by=PHARMACIST)
    outcome = service.double_check(MRN, 1, 1, checked_by=CHECKER, height=165, weight=62,
                                   revision=1)
    assert outcome.matched and outcome.revision == 1
    latest = service.verification(MRN, 1, 1)
    assert latest.revision == 2 and not latest.verified
    plans = service.history(MRN)["cycles"][0]["plans"]
    assert plans[0]["verification"]["text"] == "superseded by revision 2"
    outcome = service.double_check(MRN, 1, 1, checked_by=CHECKER, height=165, weight=63)
    assert outcome.revision == 2 and service.verification(MRN, 1, 1).verified


def test_the_institution_settings_fill_what_a_request_leaves_out(tmp_path: Path) -> None:
    service = CourseService({"volume_rounding_ml": 0.01}, tmp_path / "x.sqlite3")
    request = cycle1_request()
    request.pop("volume_rounding_ml", None)
    # BSA 1.89 m²: Day 1 1.51 mg = 6.04 mL at the 0.01 mL step (6 mL at the default 0.1)
    request["height_cm"], request["weight_kg"] = 177.8, 72.6
    assert service.plan(request).doses[0].volume_ml == 6.04
    request["volume_rounding_ml"] = 0.1  # what the request says wins
    assert service.plan(request).doses[0].volume_ml == 6.0


def test_the_institution_small_dose_protocol_fills_a_request(tmp_path: Path) -> None:
    service = CourseService({
        "small_dose_protocol_reference": "SOP 7.2", "small_dose_total_volume_ml": 10.0,
        "small_dose_min_concentration_mg_per_ml": 0.025, "small_dose_infusion_minutes": 60.0,
    }, tmp_path / "x.sqlite3")
    request = cycle1_request()
    request.update(height_cm=98, weight_kg=18)
    request["patient"] = {**request["patient"], "date_of_birth": "2020-01-01"}
    request["labs"] = {**request["labs"], "serum_creatinine_umol_l": 30}
    day8 = service.plan(request).doses[1]
    assert (day8.preparation_protocol, day8.diluent_total_ml) == ("SOP 7.2", 10)


# ---------------------------------------------------------------- import re-derives


def _exported(service: CourseService) -> dict[str, Any]:
    start_course(service)
    give(service, 1, 1)
    return service.export(MRN)


def _refused(other: CourseService, data: dict[str, Any], *words: str) -> str:
    with pytest.raises(ImportRefused) as refused:
        other.import_course(data)
    message = str(refused.value)
    for word in words:
        assert word in message, message
    assert "nothing was imported" in message
    assert other.store.load(MRN) is None  # all or nothing
    return message


def test_an_exported_course_imports_and_exports_the_same(service, other) -> None:
    data = _exported(service)
    done = other.import_course(json.loads(json.dumps(data)))
    assert (done.mrn, done.events, done.plans) == (MRN, 2, 1)
    again = other.export(MRN)
    assert again["events"] == data["events"] and again["patient"] == data["patient"]
    assert again["source_chain_head"] != data["source_chain_head"]  # each database's own


def test_import_refuses_a_dose_ten_times_the_rules(service, other) -> None:
    data = _exported(service)
    forged = copy.deepcopy(data)
    forged["events"][0]["plan"]["doses"][0]["dose_mg"] *= 10
    _refused(other, forged, "events[0].plan.doses[0].dose_mg", "13.5", "1.35")


def test_import_refuses_a_forged_body_surface_area(service, other) -> None:
    forged = _exported(service)
    forged["events"][0]["plan"]["bsa_m2"] = 2.5
    _refused(other, forged, "events[0].plan.bsa_m2", "2.5")


def test_import_refuses_a_proceed_plan_whose_own_request_holds(service, other) -> None:
    forged = _exported(service)
    # bilirubin over 1.5 x ULN and AST over 2.5 x ULN: the rules hold (Table 3)
    forged["events"][0]["plan"]["request"]["labs"].update(total_bilirubin=50, ast=200)
    message = _refused(other, forged, "events[0].plan.decision", "'proceed'", "'hold'")
    assert "recomputed from the plan's own request" in message


def test_import_refuses_a_double_check_by_the_preparer(service, other) -> None:
    forged = _exported(service)
    forged["events"].append({"kind": "double_checked", "by": PHARMACIST,
                             "at": "2026-12-01T09:00:00Z", "cycle": 1, "day": 1,
                             "revision": 1, "checked_by": PHARMACIST, "height_cm": 165,
                             "weight_kg": 62})
    _refused(other, forged, "events[2]", "checker_is_preparer")


def test_an_imported_check_that_does_not_match_verifies_nothing(service, other) -> None:
    data = _exported(service)
    data["events"].append({"kind": "double_checked", "by": CHECKER,
                           "at": "2026-12-01T09:00:00Z", "cycle": 1, "day": 1,
                           "revision": 1, "checked_by": CHECKER, "height_cm": 1,
                           "weight_kg": 999})
    other.import_course(data)
    assert not other.verification(MRN, 1, 1).verified


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_import_refuses_numbers_that_are_not_finite(service, other, value) -> None:
    forged = _exported(service)
    forged["events"][0]["plan"]["doses"][0]["dose_mg"] = value
    _refused(other, forged, "events[0]", "not finite")


def test_import_refuses_a_dose_given_the_rules_do_not_allow(service, other) -> None:
    forged = _exported(service)
    forged["events"][1]["given_at"] = "2026-12-04T10:00:00"  # Day 1 is given on its date
    _refused(other, forged, "events[1]", "refused by the rules")


def test_import_refuses_a_course_the_database_already_has(service, other) -> None:
    data = _exported(service)
    other.import_course(copy.deepcopy(data))
    with pytest.raises(ImportRefused, match="already has a course"):
        other.import_course(data)


def test_import_refuses_an_unknown_format_version(service, other) -> None:
    data = dict(_exported(service), format_version=3)
    _refused(other, data, "format_version")


def test_a_format_1_file_is_read_by_turning_it_into_events(other) -> None:
    plan = plan_for(cycle1_request())
    old = {
        "format": "besponsa-desktop course", "format_version": 1,
        "patient": plan.patient.model_dump(mode="json"),
        "cycles": [{
            "number": 1, "start_date": "2026-12-01", "dose_level": 0,
            "response_after": None, "mrd_negative_after": None,
            "plans": [{"dose_day": 1, "decision": "proceed",
                       "saved_at": "2026-11-30T09:00:00Z", "saved_by": PHARMACIST,
                       "os_user": "ann", "request": plan.request.model_dump(mode="json"),
                       "plan": plan.model_dump(mode="json"), "double_checks": []}],
            "doses": [{"day": 1, "planned_date": "2026-12-01", "planned_mg": 1.35,
                       "planned_volume_ml": 5.4, "status": "given",
                       "scheduled_date": "2026-12-01", "given_at": "2026-12-01T10:30",
                       "reason": None, "recorded_by": "Nora",
                       "recorded_at": "2026-12-01T11:00:00Z",
                       "toxicity_interruption_days": None}],
        }],
    }
    forged = copy.deepcopy(old)
    forged["cycles"][0]["plans"][0]["plan"]["doses"][1]["dose_mg"] = 8.4
    message = _refused(other, forged, "cycles[0].plans[0].plan.doses[1].dose_mg")
    assert "8.4" in message
    done = other.import_course(old)
    assert done.events == 2
    assert [d["status"] for d in other.history(MRN)["cycles"][0]["doses"]] == [
        "given", "scheduled", "scheduled"]
