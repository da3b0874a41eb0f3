"""A plan made again by an upgraded program is the same plan; any clinical change is not."""

from __future__ import annotations

from besponsa_desktop.core.clinical_content import same_clinical_content
from tests.factories import BASE, merge, plan_of


def test_an_upgrade_alone_keeps_the_plan_the_same():
    stored = plan_of(BASE).model_dump(mode="json")
    again = dict(stored, program_version="9.9.9")
    assert same_clinical_content(again, stored)


def test_a_different_dose_or_rounding_is_another_plan():
    stored = plan_of(BASE).model_dump(mode="json")
    rounded = plan_of(merge(BASE, {"volume_rounding_ml": 0.01})).model_dump(mode="json")
    heavier = plan_of(merge(BASE, {"weight_kg": 63})).model_dump(mode="json")
    assert not same_clinical_content(rounded, stored)
    assert not same_clinical_content(heavier, stored)


def test_request_fields_an_upgrade_added_at_their_default_keep_the_plan_the_same():
    stored = plan_of(BASE).model_dump(mode="json")
    old = dict(stored, request={k: v for k, v in stored["request"].items()
                                if k not in ("confirm_body_size", "prescriber")})
    assert same_clinical_content(stored, old)
    confirmed = plan_of(merge(BASE, {"weight_kg": 36.7, "height_cm": 175,
                                     "confirm_body_size": True})).model_dump(mode="json")
    stripped = dict(confirmed, request={k: v for k, v in confirmed["request"].items()
                                        if k != "confirm_body_size"})
    assert not same_clinical_content(confirmed, stripped)  # a confirmation is clinical
