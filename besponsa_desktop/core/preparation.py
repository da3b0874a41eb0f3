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
from fractions import Fraction

from besponsa_desktop.core import plausibility as pl
from besponsa_desktop.core.models import Dose, Plan, Preparation, SmallDoseProtocol
from besponsa_desktop.core.numbers import exact, fmt, round_places, round_to_step

CONCENTRATION_MG_PER_ML = 0.25
WATER_PER_VIAL_ML = 4.0
DELIVERABLE_ML_PER_VIAL = 3.6
DELIVERABLE_MG_PER_VIAL = 0.9
TOTAL_VOLUME_ML = pl.BAG_TOTAL_VOLUME_ML  # 50 mL
FINAL_CONCENTRATION_MG_PER_ML = pl.FINAL_CONCENTRATION_MG_PER_ML  # 0.01–0.1 mg/mL
INFUSION_MINUTES = 60
RATE_ML_PER_H = 50.0
OBSERVE_AFTER_MINUTES = 60
RECONSTITUTED_TO_DILUTED_MAX_H = 4
RECONSTITUTED_TO_END_OF_INFUSION_MAX_H = 8
RECONSTITUTED_FRIDGE_MAX_H = 4
DILUTED_ROOM_MAX_H = 4  # [verify]
DILUTED_FRIDGE_MAX_H = 3  # [verify]

# Precision of each number in a Dose (docs/plan-command.md): places after the point.
DOSE_PLACES = 2  # mg
MG_PER_M2_PLACES = 4
DELIVERED_PLACES = 4  # mL × 0.25 with a 0.01 mL step needs 4
DEVIATION_PLACES = 2  # %
VOLUME_PLACES = 2  # mL
CONCENTRATION_PLACES = 4  # mg/mL
RATE_PLACES = 2  # mL/h

ROUNDING_CONVENTION = (
    "Dose = printed BSA × mg/m², half-up to 0.01 mg; volume = dose ÷ 0.25 mg/mL, half-up to "
    "{step} mL; it delivers volume × 0.25 mg/mL, shown with its deviation from the dose of "
    "the unrounded BSA. Never rounded to whole vials; vials counted by 0.9 mg deliverable."
)

SMALL_DOSE_WORDS = "small dose: prepare by the institution's small-volume (syringe) protocol"


def vials_needed(volume_ml: float) -> int:
    # Exact quotient, so 7.2 mL / 3.6 mL is 2 vials, not 3 from float noise.
    return max(1, math.ceil(exact(volume_ml) / exact(DELIVERABLE_ML_PER_VIAL)))


def dose_mg(bsa_m2_printed: float, mg_per_m2: Fraction) -> float:
    """mg from the printed BSA, so a second person can recompute it by hand."""
    return round_places(exact(bsa_m2_printed) * mg_per_m2, DOSE_PLACES)


def in_bag_range(delivered_mg: Fraction, total_ml: float) -> bool:
    low, high = FINAL_CONCENTRATION_MG_PER_ML
    concentration = delivered_mg / exact(total_ml)
    return exact(low) <= concentration <= exact(high)


def prepare_dose(
    day: int,
    on: date,
    window: tuple[date, date],
    mg_per_m2: Fraction,
    bsa_m2_printed: float,
    bsa_m2_unrounded: float,
    volume_step_ml: float,
    protocol: SmallDoseProtocol | None = None,
) -> Dose:
    unrounded_mg = exact(bsa_m2_unrounded) * mg_per_m2
    mg = dose_mg(bsa_m2_printed, mg_per_m2)
    volume_ml = round_to_step(exact(mg) / exact(CONCENTRATION_MG_PER_ML), volume_step_ml)
    delivered = exact(volume_ml) * exact(CONCENTRATION_MG_PER_ML)
    common: dict[str, object] = {
        "day": day,
        "date": on,
        "window_start": window[0],
        "window_end": window[1],
        "mg_per_m2": round_places(mg_per_m2, MG_PER_M2_PLACES),
        "dose_mg": mg,
        "dose_mg_exact": float(unrounded_mg),
        "volume_ml": volume_ml,
        "delivered_mg": round_places(delivered, DELIVERED_PLACES),
        "deviation_pct": round_places(
            (delivered - unrounded_mg) / unrounded_mg * 100, DEVIATION_PLACES
        ),
        "vials": vials_needed(volume_ml),
        "reconstitution_water_ml_per_vial": WATER_PER_VIAL_ML,
    }
    if in_bag_range(delivered, TOTAL_VOLUME_ML):
        return Dose.model_validate(
            {
                **common,
                "preparation": Preparation.BAG,
                "preparation_text": (
                    f"bag: {fmt(volume_ml)} mL added to 0.9% sodium chloride to a total of "
                    f"{fmt(TOTAL_VOLUME_ML)} mL (label)"
                ),
                "preparation_protocol": None,
                **_diluted(volume_ml, delivered, TOTAL_VOLUME_ML, INFUSION_MINUTES),
            }
        )
    return _small_dose(common, mg, volume_ml, delivered, protocol)


def _diluted(
    volume_ml: float, delivered: Fraction, total_ml: float, minutes: int
) -> dict[str, float | int]:
    return {
        "sodium_chloride_ml": round_places(exact(total_ml) - exact(volume_ml), VOLUME_PLACES),
        "diluent_total_ml": total_ml,
        "final_concentration_mg_per_ml": round_places(
            delivered / exact(total_ml), CONCENTRATION_PLACES
        ),
        "infusion_minutes": minutes,
        "rate_ml_per_h": round_places(exact(total_ml) * 60 / minutes, RATE_PLACES),
    }


def _small_dose(
    common: dict[str, object],
    mg: float,
    volume_ml: float,
    delivered: Fraction,
    protocol: SmallDoseProtocol | None,
) -> Dose:
    """Below 0.01 mg/mL in the 50 mL bag. The label's syringe method is not encoded: the
    institution's own protocol applies when one is configured and covers the dose;
    otherwise no diluent, volume, time or rate is given."""
    low = FINAL_CONCENTRATION_MG_PER_ML[0]
    in_bag = fmt(delivered / exact(TOTAL_VOLUME_ML), 4)
    why = (
        f"{fmt(mg)} mg in the label's {fmt(TOTAL_VOLUME_ML)} mL bag would be {in_bag} mg/mL, "
        f"below the labelled {fmt(low)} mg/mL"
    )
    if protocol is not None:
        high = FINAL_CONCENTRATION_MG_PER_ML[1]
        concentration = delivered / exact(protocol.total_volume_ml)
        if exact(protocol.min_concentration_mg_per_ml) <= concentration <= exact(high):
            numbers = _diluted(
                volume_ml, delivered, protocol.total_volume_ml, protocol.infusion_minutes
            )
            return Dose.model_validate(
                {
                    **common,
                    "preparation": Preparation.SMALL_DOSE,
                    "preparation_text": (
                        f"{SMALL_DOSE_WORDS} ({protocol.reference}), not the label's: "
                        f"{fmt(volume_ml)} mL added to 0.9% sodium chloride to a total of "
                        f"{fmt(protocol.total_volume_ml)} mL "
                        f"({fmt(numbers['final_concentration_mg_per_ml'], 4)} mg/mL), infused "
                        f"over {protocol.infusion_minutes} minutes at "
                        f"{fmt(numbers['rate_ml_per_h'])} mL/h. {why}"
                    ),
                    "preparation_protocol": protocol.reference,
                    **numbers,
                }
            )
        why += (
            f"; it is also outside the institution's protocol ({protocol.reference}: "
            f"{fmt(protocol.min_concentration_mg_per_ml, 4)}–{fmt(high)} mg/mL in "
            f"{fmt(protocol.total_volume_ml)} mL)"
        )
    return Dose.model_validate(
        {
            **common,
            "preparation": Preparation.SMALL_DOSE,
            "preparation_text": (
                f"{SMALL_DOSE_WORDS}. {why}. The label's syringe method is not encoded in "
                "this program, so no diluent volume, time or rate is given; the pharmacist "
                "confirms the preparation before printing"
            ),
            "preparation_protocol": None,
            "sodium_chloride_ml": None,
            "diluent_total_ml": None,
            "final_concentration_mg_per_ml": None,
            "infusion_minutes": None,
            "rate_ml_per_h": None,
        }
    )


def small_doses_to_confirm(plan: Plan) -> list[Dose]:
    """The small doses on the printout (from the day planned on): the pharmacist confirms
    their preparation before the sheet is printed or saved."""
    return [
        dose
        for dose in plan.doses
        if dose.day >= plan.dose_day and dose.preparation is Preparation.SMALL_DOSE
    ]


def confirmation_question(doses: list[Dose]) -> str:
    """What the pharmacist confirms, in words (the window's dialog and the command line)."""
    days = "; ".join(f"Day {d.day}: {fmt(d.dose_mg)} mg — {d.preparation_text}" for d in doses)
    return (
        f"{days}.\n\nConfirm that each small dose will be prepared by the institution's "
        "small-volume (syringe) protocol, and that you have checked it, before the sheet is "
        "printed."
    )
