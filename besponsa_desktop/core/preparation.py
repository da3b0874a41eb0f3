"""Preparation and administration (US PI Section 2.4; EU SmPC Section 6.6).

Each single-dose vial is reconstituted with 4 mL Sterile Water for Injection to 0.25 mg/mL
and delivers 3.6 mL = 0.9 mg (the EU carton says 1 mg: that is the content, not what can be
withdrawn). Vials are counted by 0.9 mg, never by 1 mg, and the dose is never rounded to
whole vials: the remainder of the last vial is discarded. The dose is added to 0.9% sodium
chloride to a total of 50 mL (0.01–0.1 mg/mL) and infused over 1 hour at 50 mL/h.
"""

from __future__ import annotations

import math
from datetime import date

from besponsa_desktop.core.models import Dose
from besponsa_desktop.core.numbers import round_places, round_to_step

CONCENTRATION_MG_PER_ML = 0.25
WATER_PER_VIAL_ML = 4.0
DELIVERABLE_ML_PER_VIAL = 3.6
DELIVERABLE_MG_PER_VIAL = 0.9
TOTAL_VOLUME_ML = 50.0
FINAL_CONCENTRATION_MG_PER_ML = (0.01, 0.1)
INFUSION_MINUTES = 60
RATE_ML_PER_H = 50.0
OBSERVE_AFTER_MINUTES = 60
RECONSTITUTED_TO_DILUTED_MAX_H = 4
RECONSTITUTED_TO_END_OF_INFUSION_MAX_H = 8
RECONSTITUTED_FRIDGE_MAX_H = 4
DILUTED_ROOM_MAX_H = 4  # [verify]
DILUTED_FRIDGE_MAX_H = 3  # [verify]
DOSE_PLACES = 2

ROUNDING_CONVENTION = (
    "Dose calculated from the unrounded BSA and shown to 0.01 mg; the volume to withdraw is "
    "the unrounded dose ÷ 0.25 mg/mL rounded half-up to the nearest {step} mL, and the "
    "deviation of the measured amount from the calculated dose is shown. Never rounded to "
    "whole vials; vials counted by 0.9 mg deliverable."
)


def vials_needed(volume_ml: float) -> int:
    # Round the quotient first so 7.2 mL / 3.6 mL is 2 vials, not 3 from float noise.
    return max(1, math.ceil(round(volume_ml / DELIVERABLE_ML_PER_VIAL, 9)))


def prepare_dose(
    day: int,
    on: date,
    window: tuple[date, date],
    mg_per_m2: float,
    bsa_m2: float,
    volume_step_ml: float,
) -> Dose:
    exact_mg = mg_per_m2 * bsa_m2
    volume_ml = round_to_step(exact_mg / CONCENTRATION_MG_PER_ML, volume_step_ml)
    delivered_mg = volume_ml * CONCENTRATION_MG_PER_ML
    return Dose(
        day=day,
        date=on,
        window_start=window[0],
        window_end=window[1],
        mg_per_m2=mg_per_m2,
        dose_mg=round_places(exact_mg, DOSE_PLACES),
        dose_mg_exact=exact_mg,
        volume_ml=volume_ml,
        delivered_mg=round_places(delivered_mg, 4),
        deviation_pct=round_places((delivered_mg - exact_mg) / exact_mg * 100, 2),
        vials=vials_needed(volume_ml),
        reconstitution_water_ml_per_vial=WATER_PER_VIAL_ML,
        sodium_chloride_ml=round_places(TOTAL_VOLUME_ML - volume_ml, 2),
        diluent_total_ml=TOTAL_VOLUME_ML,
        final_concentration_mg_per_ml=round_places(delivered_mg / TOTAL_VOLUME_ML, 4),
        infusion_minutes=INFUSION_MINUTES,
        rate_ml_per_h=RATE_ML_PER_H,
    )


def concentration_in_range(dose: Dose) -> bool:
    low, high = FINAL_CONCENTRATION_MG_PER_ML
    return low <= dose.final_concentration_mg_per_ml <= high
