"""Warnings about the patient that do not change the decision: renal function, hepatic
category, weight change, rounding and timing; and the end dates for contraception and
breastfeeding."""

from __future__ import annotations

import calendar
from datetime import date

from besponsa_desktop.core.findings import finding
from besponsa_desktop.core.models import Counselling, Finding, Labs, PlanRequest, Sex
from besponsa_desktop.core.numbers import fmt
from besponsa_desktop.core.profiles import LabelProfile, Rule
from besponsa_desktop.core.reminders import VOD_SIGNS

CRCL_NOT_STUDIED_BELOW = 15.0  # mL/min: end-stage renal disease not studied
ADULT_AGE = 18
CONTRACEPTION_MONTHS = {Sex.FEMALE: 8, Sex.MALE: 5}
BREASTFEEDING_MONTHS = 2
LABS_OLD_AFTER_DAYS = 3  # program convention
MEASUREMENT_OLD_AFTER_DAYS = 14  # program convention
ROUNDING_DEVIATION_WARN_PCT = 5.0  # program convention; HOPA accepts up to 10%


def cockcroft_gault(age_years: int, weight_kg: float, sex: Sex, creatinine_mg_dl: float) -> float:
    crcl = (140 - age_years) * weight_kg / (72 * creatinine_mg_dl)
    return crcl * 0.85 if sex is Sex.FEMALE else crcl


def renal(
    profile: LabelProfile, request: PlanRequest, age_years: int
) -> tuple[float | None, list[Finding]]:
    if age_years < ADULT_AGE:
        return None, [
            finding(
                profile,
                Rule.RENAL,
                "crcl_not_calculated_pediatric",
                "Cockcroft–Gault is an adult formula; creatinine clearance not calculated "
                "for a patient under 18 — assess renal function clinically",
            )
        ]
    crcl = cockcroft_gault(
        age_years, request.weight_kg, request.patient.sex, request.labs.creatinine_mg_dl
    )
    if crcl < CRCL_NOT_STUDIED_BELOW:
        return crcl, [
            finding(
                profile,
                Rule.RENAL,
                "crcl_below_15",
                f"creatinine clearance {fmt(crcl, 0)} mL/min (Cockcroft–Gault) is below "
                f"{fmt(CRCL_NOT_STUDIED_BELOW)} mL/min: end-stage renal disease has not been "
                "studied",
            )
        ]
    return crcl, []


def hepatic_category(labs: Labs) -> str:
    """NCI ODWG category, used for pharmacokinetics, not for dosing."""
    tb = labs.total_bilirubin / labs.total_bilirubin_uln
    ast = labs.ast / labs.ast_uln
    if tb > 3:
        return "severe (NCI ODWG: total bilirubin > 3 × ULN)"
    if tb > 1.5:
        return "moderate (NCI ODWG: total bilirubin > 1.5–3 × ULN)"
    if tb > 1 or ast > 1:
        return "mild (NCI ODWG: bilirubin ≤ ULN with AST > ULN, or bilirubin > 1–1.5 × ULN)"
    return "normal (NCI ODWG: bilirubin and AST ≤ ULN)"


def hepatic_warning(profile: LabelProfile, labs: Labs) -> list[Finding]:
    tb = labs.total_bilirubin / labs.total_bilirubin_uln
    if tb > 1.5:
        return [
            finding(
                profile,
                Rule.HEPATIC,
                "hepatic_impairment_moderate_or_severe",
                f"total bilirubin is {fmt(tb)} × ULN: data in moderate or severe hepatic "
                "impairment are limited; monitor closely for VOD/SOS",
            )
        ]
    return []


def weight_change(profile: LabelProfile, request: PlanRequest, age_years: int) -> list[Finding]:
    """Re-verify the dose when weight changed by the threshold or more: 10% for adults and
    5% for children by default (common practice; institutional settings)."""
    previous = request.previous_weight_kg
    if previous is None:
        return []
    threshold = (
        request.weight_change_threshold_pct
        if age_years >= ADULT_AGE
        else request.pediatric_weight_change_threshold_pct
    )
    change = (request.weight_kg - previous) / previous * 100
    if abs(change) >= threshold:
        return [
            finding(
                profile,
                Rule.PROGRAM,
                "weight_changed",
                f"weight {fmt(request.weight_kg, 1)} kg has changed by {fmt(change, 1)}% since "
                f"the previous cycle ({fmt(previous, 1)} kg), at or beyond the "
                f"{fmt(threshold)}% threshold: re-verify the dose",
            )
        ]
    return []


def timing(profile: LabelProfile, request: PlanRequest, dose_date: date) -> list[Finding]:
    out: list[Finding] = []
    labs_age = (dose_date - request.labs.taken_on).days
    if labs_age > LABS_OLD_AFTER_DAYS:
        out.append(
            finding(
                profile,
                Rule.PROGRAM,
                "labs_old",
                f"labs were taken {labs_age} days before the dose: liver tests and a full "
                "blood count are needed before each dose",
            )
        )
    measured_age = (dose_date - request.measured_on).days
    if measured_age > MEASUREMENT_OLD_AFTER_DAYS:
        out.append(
            finding(
                profile,
                Rule.PROGRAM,
                "measurement_old",
                f"height and weight were measured {measured_age} days before the dose: "
                "re-weigh the patient",
            )
        )
    return out


def add_months(day: date, months: int) -> date:
    """Same day of the month, or the month's last day when it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def counselling(sex: Sex, last_dose: date | None) -> Counselling:
    if last_dose is None:
        return Counselling(
            last_planned_dose=None,
            contraception_until=None,
            contraception_months=None,
            breastfeeding_until=None,
            breastfeeding_months=None,
            report_signs=list(VOD_SIGNS),
        )
    months = CONTRACEPTION_MONTHS[sex]
    female = sex is Sex.FEMALE
    return Counselling(
        last_planned_dose=last_dose,
        contraception_until=add_months(last_dose, months),
        contraception_months=months,
        breastfeeding_until=add_months(last_dose, BREASTFEEDING_MONTHS) if female else None,
        breastfeeding_months=BREASTFEEDING_MONTHS if female else None,
        report_signs=list(VOD_SIGNS),
    )
