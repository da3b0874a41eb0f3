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
