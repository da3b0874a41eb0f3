"""Warnings about the patient that do not change the decision: renal function, hepatic
category, weight change, rounding and timing; and the end dates for contraception and
breastfeeding."""

from __future__ import annotations

import calendar
from datetime import date
from fractions import Fraction

from besponsa_desktop.core import plausibility as pl
from besponsa_desktop.core.findings import finding
from besponsa_desktop.core.models import Counselling, Finding, Labs, PlanRequest, Sex
from besponsa_desktop.core.numbers import above, below, exact, fmt, fmt_against, fmt_exact
from besponsa_desktop.core.plausibility import CREATININE_UMOL_PER_MG_DL
from besponsa_desktop.core.profiles import LabelProfile, Rule
from besponsa_desktop.core.reminders import VOD_SIGNS

CRCL_NOT_STUDIED_BELOW = 15.0  # mL/min: end-stage renal disease not studied
ADULT_AGE = 18
CONTRACEPTION_MONTHS = {Sex.FEMALE: 8, Sex.MALE: 5}
BREASTFEEDING_MONTHS = 2
LABS_OLD_AFTER_DAYS = 3  # program convention
MEASUREMENT_OLD_AFTER_DAYS = 14  # program convention
ROUNDING_DEVIATION_WARN_PCT = 5.0  # program convention; HOPA accepts up to 10%

# Warnings that bear on the decision itself: the numbers it rests on may be out of date or
# wrong. The window shows them with the decision, and the printout before the doses.
CHECK_BEFORE_DECIDING = frozenset(
    {"labs_old", "measurement_old", "weight_changed", "unusual_body_size",
     "body_size_confirmed", "weight_change_confirmed"}
)


def cockcroft_gault(
    age_years: int, weight_kg: float, sex: Sex, creatinine_mg_dl: float | Fraction
) -> Fraction:
    """Exact, on the values as entered, so a clearance of exactly 15 mL/min is 15."""
    crcl = (140 - age_years) * exact(weight_kg) / (72 * exact(creatinine_mg_dl))
    return crcl * Fraction(85, 100) if sex is Sex.FEMALE else crcl


def creatinine_mg_dl(labs: Labs) -> Fraction:
    if labs.serum_creatinine_mg_dl is not None:
        return exact(labs.serum_creatinine_mg_dl)
    assert labs.serum_creatinine_umol_l is not None
    return exact(labs.serum_creatinine_umol_l) / exact(CREATININE_UMOL_PER_MG_DL)


def renal(
    profile: LabelProfile, request: PlanRequest, age_years: int
) -> tuple[Fraction | None, list[Finding]]:
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
        age_years, request.weight_kg, request.patient.sex, creatinine_mg_dl(request.labs)
    )
    if below(crcl, CRCL_NOT_STUDIED_BELOW):
        return crcl, [
            finding(
                profile,
                Rule.RENAL,
                "crcl_below_15",
                f"creatinine clearance {fmt_against(crcl, CRCL_NOT_STUDIED_BELOW, 0)} mL/min "
                "(Cockcroft–Gault) is below "
                f"{fmt(CRCL_NOT_STUDIED_BELOW)} mL/min: end-stage renal disease has not been "
                "studied",
            )
        ]
    return crcl, []


def hepatic_category(labs: Labs) -> str:
    """NCI ODWG category, used for pharmacokinetics, not for dosing."""
    tb = exact(labs.total_bilirubin) / exact(labs.total_bilirubin_uln)
    ast = exact(labs.ast) / exact(labs.ast_uln)
    if above(tb, 3):
        return "severe (NCI ODWG: total bilirubin > 3 × ULN)"
    if above(tb, 1.5):
        return "moderate (NCI ODWG: total bilirubin > 1.5–3 × ULN)"
    if above(tb, 1) or above(ast, 1):
        return "mild (NCI ODWG: bilirubin ≤ ULN with AST > ULN, or bilirubin > 1–1.5 × ULN)"
    return "normal (NCI ODWG: bilirubin and AST ≤ ULN)"


def hepatic_warning(profile: LabelProfile, labs: Labs) -> list[Finding]:
    tb = exact(labs.total_bilirubin) / exact(labs.total_bilirubin_uln)
    if above(tb, 1.5):
        return [
            finding(
                profile,
                Rule.HEPATIC,
                "hepatic_impairment_moderate_or_severe",
                f"total bilirubin is {fmt_against(tb, 1.5)} × ULN: data in moderate or severe "
                "hepatic impairment are limited; monitor closely for VOD/SOS",
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
    # exact, so 30.1 → 33.11 kg is 10%, not the 9.999999999999993% of floats
    change = (exact(request.weight_kg) - exact(previous)) / exact(previous) * 100
    if abs(change) >= exact(threshold):
        return [
            finding(
                profile,
                Rule.PROGRAM,
                "weight_changed",
                f"weight {fmt_exact(request.weight_kg)} kg has changed by "
                f"{'-' if change < 0 else ''}{fmt_against(abs(change), threshold, 1)}% since "
                f"the previous cycle ({fmt_exact(previous)} kg), at or beyond the "
                f"{fmt(threshold)}% threshold: re-verify the dose",
            )
        ]
    return []


def body_size(profile: LabelProfile, request: PlanRequest, age_years: int) -> list[Finding]:
    """A confirmed implausible body size, or an unusual one, said with the decision."""
    out: list[Finding] = []
    value = pl.bmi(request.height_cm, request.weight_kg)
    who, (low, high), (usual_low, usual_high) = pl.bmi_bands(age_years)
    said = (f"height {fmt(request.height_cm, 1)} cm and weight {fmt(request.weight_kg, 1)} kg "
            f"give BMI {fmt(value, 1)} kg/m²")
    if not low <= value <= high:
        out.append(finding(profile, Rule.PROGRAM, "body_size_confirmed",
                           f"{said}, outside {fmt(low)}–{fmt(high)} kg/m² for {who}: "
                           "confirmed as right by the person planning"))
    elif not usual_low <= value <= usual_high:
        out.append(finding(profile, Rule.PROGRAM, "unusual_body_size",
                           f"{said}, unusual for {who} (outside {fmt(usual_low)}–"
                           f"{fmt(usual_high)} kg/m²): check both and their units"))
    change = pl.weight_change_pct(request)
    if change is not None and abs(change) >= pl.WEIGHT_CHANGE_CONFIRM_PCT:
        out.append(finding(profile, Rule.PROGRAM, "weight_change_confirmed",
                           f"weight changed by {fmt(change, 1)}% since the previous cycle: "
                           "confirmed as right by the person planning"))
    return out


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
