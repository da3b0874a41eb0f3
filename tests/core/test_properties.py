"""Invariants over many generated requests (hypothesis)."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from besponsa_desktop.core import regimen
from besponsa_desktop.core.models import Decision, PlanRequest
from besponsa_desktop.core.planner import make_plan
from besponsa_desktop.core.preparation import DELIVERABLE_MG_PER_VIAL
from besponsa_desktop.core.validation import InvalidRequest
from tests.factories import request

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def valid_requests(draw):
    number = draw(st.integers(1, 8))
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 700)))
    day = draw(st.sampled_from([1, 8, 15]))
    dose_date = start + timedelta(days=day - 1)
    low_baseline = draw(st.booleans())
    data = request(
        label=draw(st.sampled_from(["US", "EU"])),
        ph_positive=draw(st.booleans()),
        tki_failed=draw(st.booleans()),
        height_cm=draw(st.floats(140, 210)),
        weight_kg=draw(st.floats(35, 250)),
        confirm_body_size=True,  # any combination here is possible (BMI 7.9–128)
        measured_on=(dose_date - timedelta(days=draw(st.integers(0, 5)))).isoformat(),
        bsa_formula=draw(st.sampled_from(["mosteller", "dubois", "haycock", "gehan_george"])),
        cycle={
            "number": number,
            "start_date": start.isoformat(),
            "extend_to_28_days": number == 1 and draw(st.booleans()),
        },
        dose_day=day,
        hsct_planned=draw(st.booleans()),
        mrd_negative=draw(st.booleans()),
        volume_rounding_ml=draw(st.sampled_from([0.01, 0.05, 0.1])),
        labs={
            "taken_on": (dose_date - timedelta(days=draw(st.integers(0, 3)))).isoformat(),
            "anc": draw(st.floats(0, 20)),
            "platelets": draw(st.floats(0, 600)),
            "platelets_after_transfusion": draw(st.booleans()),
            "low_counts_attributed_to_disease": draw(st.booleans()),
            "low_counts_duration_days": draw(st.integers(0, 60)),
            "total_bilirubin": draw(st.floats(2, 80)),
            "ast": draw(st.floats(5, 400)),
            "alt": draw(st.floats(5, 400)),
            "serum_creatinine_umol_l": draw(st.floats(30, 900)),
            "peripheral_blasts_per_mm3": draw(st.floats(0, 60000)),
        },
        events={
            "vod": draw(st.booleans()) and draw(st.booleans()),
            "severe_infusion_reaction": draw(st.booleans()) and draw(st.booleans()),
            "nonhematologic_grade": draw(st.integers(0, 4)),
        },
    )
    if number >= 2:
        level = draw(st.integers(0, 2))
        data.update(
            response=draw(st.sampled_from(["cr", "cri", "none"])),
            dose_level=level,
            longest_toxicity_interruption_days=draw(st.integers(0, 40)),
            baseline={
                "anc": draw(st.floats(0.1, 10)) if low_baseline else 2.0,
                "platelets": draw(st.floats(5, 400)),
            },
            prior_cycle_start={"anc": draw(st.floats(0, 10)), "platelets": draw(st.floats(0, 400))},
        )
    return data


def plan_or_none(data):
    try:
        return make_plan(data)
    except InvalidRequest as invalid:
        # The one request-level refusal that depends on the computed dose level.
        assert [p.path for p in invalid.problems] == ["dose_day"], invalid.problems
        return None


@SETTINGS
@given(valid_requests())
def test_no_dose_above_its_table_1_amount(data):
    plan = plan_or_none(data)
    if plan is None:
        return
    row = regimen.regimen_for(plan.cycle.number, plan.request.response, plan.cycle.extended)
    for dose in plan.doses:
        assert dose.mg_per_m2 <= row.mg_per_m2[dose.day] + 1e-12
        assert dose.mg_per_m2 <= regimen.MAX_MG_PER_M2_PER_DOSE


@SETTINGS
@given(valid_requests())
def test_doses_are_at_least_6_days_apart(data):
    plan = plan_or_none(data)
    if plan is None:
        return
    dates = [d.date for d in plan.doses]
    assert all((b - a).days >= 6 for a, b in itertools.pairwise(dates))


@SETTINGS
@given(valid_requests())
def test_dose_level_never_below_the_level_in_force(data):
    plan = plan_or_none(data)
    if plan is None:
        return
    assert plan.dose_level >= plan.request.dose_level


@SETTINGS
@given(valid_requests())
def test_cycle_total_never_above_1_8_mg_per_m2_times_bsa(data):
    plan = plan_or_none(data)
    if plan is None:
        return
    assert plan.total_mg_per_m2 <= regimen.MAX_MG_PER_M2_PER_CYCLE + 1e-9
    # the displayed mg are the printed BSA × mg/m², rounded half-up to 0.01 mg each
    assert abs(plan.bsa_m2 - plan.bsa_m2_used) <= 0.005 + 1e-9
    assert plan.total_mg <= 1.8 * plan.bsa_m2 + 0.005 * len(plan.doses) + 1e-9


@SETTINGS
@given(valid_requests())
def test_vials_always_deliver_the_dose(data):
    plan = plan_or_none(data)
    if plan is None:
        return
    for dose in plan.doses:
        assert dose.vials * DELIVERABLE_MG_PER_VIAL >= dose.delivered_mg - 1e-9
        assert dose.vials * DELIVERABLE_MG_PER_VIAL >= dose.dose_mg_exact - 0.0125


@SETTINGS
@given(valid_requests())
def test_proceed_only_when_every_gate_passed(data):
    plan = plan_or_none(data)
    if plan is None:
        return
    request = plan.request
    labs = request.labs
    gates_failed = (
        request.events.vod
        or request.events.severe_infusion_reaction
        or request.events.nonhematologic_grade >= 2
        or (labs.total_bilirubin > 1.5 * labs.total_bilirubin_uln)
        or labs.ast > 2.5 * labs.ast_uln
        or labs.alt > 2.5 * labs.alt_uln
        or (
            request.cycle.number == 1
            and request.dose_day == 1
            and (labs.peripheral_blasts_per_mm3 or 0) > 10000
        )
        or (
            request.cycle.number >= 2
            and request.dose_day == 1
            and (
                labs.platelets_after_transfusion
                or (request.baseline.anc >= 1 and labs.anc < 1)
                or (request.baseline.platelets >= 50 and labs.platelets < 50)
            )
        )
        or plan.age_years < (18 if request.label == "EU" else 1)
    )
    if plan.decision is Decision.PROCEED:
        assert not gates_failed
        assert plan.reasons == []
    else:
        assert plan.reasons, "a decision other than proceed always carries its reasons"
    for item in plan.reasons + plan.warnings:
        assert item.code and item.message and item.source


@SETTINGS
@given(valid_requests())
def test_every_plan_survives_a_json_round_trip(data):
    plan = plan_or_none(data)
    if plan is None:
        return
    assert PlanRequest.model_validate_json(plan.request.model_dump_json()) == plan.request
    json.loads(plan.model_dump_json())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def mutate(base, path_value):
    path, value = path_value
    data = json.loads(json.dumps(base))
    target = data
    for key in path[:-1]:
        target = target.setdefault(key, {}) if isinstance(target, dict) else target
    if isinstance(target, dict):
        target[path[-1]] = value
    return data


FIELDS = [
    ("height_cm",),
    ("weight_kg",),
    ("measured_on",),
    ("label",),
    ("cycle", "number"),
    ("cycle", "start_date"),
    ("dose_day",),
    ("response",),
    ("dose_level",),
    ("labs", "anc"),
    ("labs", "taken_on"),
    ("labs", "total_bilirubin_uln"),
    ("patient", "date_of_birth"),
    ("patient",),
    ("labs",),
    ("events",),
    ("baseline",),
    ("bsa_cap_m2",),
    ("volume_rounding_ml",),
    ("unknown",),
]


@settings(max_examples=300, deadline=None)
@given(st.tuples(st.sampled_from(FIELDS), json_values))
def test_no_request_however_strange_raises_anything_but_a_validation_error(path_value):
    data = mutate(request(), path_value)
    try:
        make_plan(data)
    except InvalidRequest as invalid:
        assert invalid.problems and all(p.message for p in invalid.problems)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_json_document_is_either_planned_or_refused(value):
    try:
        make_plan(value)
    except InvalidRequest as invalid:
        assert invalid.problems
