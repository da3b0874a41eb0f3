"""Ranges and plausibility checks for what a pharmacist types.

A value outside its range is refused, never clamped. Where a typical slip explains the value
(a height in metres in a centimetre field, a neutrophil count per mm³ instead of ×10⁹/L),
the message says so, with the value it probably meant.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from besponsa_desktop.core.numbers import fmt_date

if TYPE_CHECKING:
    from besponsa_desktop.core.models import PlanRequest

MAX_CYCLE_NUMBER = 20
HEIGHT_CM = (45.0, 250.0)
WEIGHT_KG = (3.0, 350.0)
ANC_MAX = 100.0
PLATELETS_MAX = 2000.0
CREATININE_UMOL_L = (10.0, 2000.0)
CREATININE_MG_DL = (0.1, 25.0)
CREATININE_UMOL_PER_MG_DL = 88.4
BLASTS_MAX = 2_000_000.0
BSA_CAP_M2 = (1.0, 3.0)
MAX_AGE_YEARS = 120
VOLUME_ROUNDING_STEPS_ML = (0.01, 0.05, 0.1)
# Table 1's ±2 days for Days 8 and 15 (regimen.DAY_WINDOW; regimen imports the models).
DOSE_DATE_WINDOW_DAYS = 2
# The label's bag (PI Section 2.4); kept here so the request model can check an institution's
# small-volume protocol against it without importing the preparation rules.
BAG_TOTAL_VOLUME_ML = 50.0
FINAL_CONCENTRATION_MG_PER_ML = (0.01, 0.1)


class FieldProblems(ValueError):
    """Problems found across several fields at once, each with its JSON path.

    Raised from model validators so that every problem is reported together and each names
    its own field rather than the whole request.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))
        self.problems = problems


def _g(value: float) -> str:
    return f"{value:,.10g}"


def check_height_cm(value: float) -> float:
    low, high = HEIGHT_CM
    if 0.3 <= value <= 2.5:
        raise ValueError(
            f"{_g(value)} looks like metres; enter the height in centimetres "
            f"({_g(round(value * 100, 1))} cm?)"
        )
    if high < value <= 2500:
        raise ValueError(
            f"{_g(value)} cm is taller than {_g(high)} cm; if this is millimetres, "
            f"enter {_g(round(value / 10, 1))} cm"
        )
    if not low <= value <= high:
        raise ValueError(f"{_g(value)} cm is outside {_g(low)}–{_g(high)} cm")
    return value


def check_weight_kg(value: float) -> float:
    low, high = WEIGHT_KG
    if value >= 1000:
        raise ValueError(
            f"{_g(value)} looks like grams; enter the weight in kilograms "
            f"({_g(round(value / 1000, 1))} kg?)"
        )
    if high < value:
        raise ValueError(
            f"{_g(value)} kg is above {_g(high)} kg; if this is pounds, "
            f"it is {_g(round(value * 0.45359237, 1))} kg"
        )
    if not low <= value:
        raise ValueError(f"{_g(value)} kg is below {_g(low)} kg")
    return value


def check_anc(value: float) -> float:
    if value < 0:
        raise ValueError("must not be negative")
    if value > ANC_MAX:
        raise ValueError(
            f"{_g(value)} ×10⁹/L is implausible; it looks like a count per mm³ "
            f"({_g(value)}/mm³ is {_g(value / 1000)} ×10⁹/L)"
        )
    return value


def check_platelets(value: float) -> float:
    if value < 0:
        raise ValueError("must not be negative")
    if value > PLATELETS_MAX:
        raise ValueError(
            f"{_g(value)} ×10⁹/L is implausible; it looks like a count per mm³ "
            f"({_g(value)}/mm³ is {_g(value / 1000)} ×10⁹/L)"
        )
    return value


def check_nonnegative(value: float) -> float:
    if value < 0:
        raise ValueError("must not be negative")
    return value


def check_positive(value: float) -> float:
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


def check_creatinine_umol(value: float) -> float:
    low, high = CREATININE_UMOL_L
    if 0 < value < low:
        raise ValueError(
            f"{_g(value)} µmol/L is implausibly low; it looks like mg/dL "
            f"(choose mg/dL, or enter {_g(round(value * 88.4))} µmol/L)"
        )
    if not low <= value <= high:
        raise ValueError(f"{_g(value)} µmol/L is outside {_g(low)}–{_g(high)} µmol/L")
    return value


def check_creatinine_mg_dl(value: float) -> float:
    low, high = CREATININE_MG_DL
    if high < value <= CREATININE_UMOL_L[1]:
        raise ValueError(
            f"{_g(value)} mg/dL is implausibly high; it looks like µmol/L "
            f"(choose µmol/L, or enter {_g(round(value / 88.4, 2))} mg/dL)"
        )
    if not low <= value <= high:
        raise ValueError(f"{_g(value)} mg/dL is outside {_g(low)}–{_g(high)} mg/dL")
    return value


def check_blasts(value: float) -> float:
    if value < 0:
        raise ValueError("must not be negative")
    if value > BLASTS_MAX:
        raise ValueError(f"{_g(value)}/mm³ is implausible (above {_g(BLASTS_MAX)}/mm³)")
    return value


def check_bsa_cap(value: float) -> float:
    low, high = BSA_CAP_M2
    if not low <= value <= high:
        raise ValueError(f"a BSA cap of {_g(value)} m² is outside {_g(low)}–{_g(high)} m²")
    return value


def ratio_problem(name: str, value: float, uln: float, limit: float) -> str | None:
    """A value many times its upper limit of normal usually means mixed units."""
    if uln > 0 and value / uln > limit:
        return (
            f"{_g(value)} is {_g(round(value / uln, 1))} × its upper limit of normal "
            f"({_g(uln)}); check that {name} and its ULN are in the same unit"
        )
    return None


def age_in_years(born: date, on: date) -> int:
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def date_problems(request: PlanRequest) -> list[tuple[str, str]]:
    """Dates that contradict each other: born after measured, labs after the dose, ..."""
    problems: list[tuple[str, str]] = []
    born = request.patient.date_of_birth
    start = request.cycle.start_date
    nominal = start.fromordinal(start.toordinal() + request.dose_day - 1)
    dose_date = request.dose_date or nominal
    if request.dose_date is not None and not (
        request.dose_day != 1 and abs((request.dose_date - nominal).days) <= DOSE_DATE_WINDOW_DAYS
    ):
        problems.append(
            (
                "dose_date",
                f"{fmt_date(request.dose_date)} is not within the Day {request.dose_day} window"
                + (
                    " (Day 1 has none: its date is the cycle's start date)"
                    if request.dose_day == 1
                    else f" ({fmt_date(nominal)} ±{DOSE_DATE_WINDOW_DAYS} days)"
                ),
            )
        )
        dose_date = nominal
    if not 2000 <= start.year <= 2100:
        problems.append(("cycle.start_date", f"{fmt_date(start)} is not a plausible date"))
    if born > start:
        problems.append(("patient.date_of_birth", "is after the cycle's Day 1; check both dates"))
    elif age_in_years(born, start) > MAX_AGE_YEARS:
        problems.append(
            (
                "patient.date_of_birth",
                f"gives an age above {MAX_AGE_YEARS} years; check the year",
            )
        )
    if request.measured_on < born:
        problems.append(("measured_on", "is before the date of birth"))
    if request.measured_on > dose_date:
        problems.append(
            (
                "measured_on",
                f"{fmt_date(request.measured_on)} is after the dose being planned "
                f"(Day {request.dose_day}, {fmt_date(dose_date)}); use the measurement "
                "taken before it",
            )
        )
    if request.labs.taken_on > dose_date:
        problems.append(
            (
                "labs.taken_on",
                f"{fmt_date(request.labs.taken_on)} is after the dose being planned "
                f"(Day {request.dose_day}, {fmt_date(dose_date)}); the labs must come "
                "before the dose",
            )
        )
    if request.labs.taken_on < born:
        problems.append(("labs.taken_on", "is before the date of birth"))
    return problems


# ---------------------------------------------------------------- height and weight together
# Each value may be in range while the two together describe no patient of that age: a
# weight typed in pounds into the kg box, the wrong unit chosen. The body mass index is the
# measure. Three bands (program conventions, chosen wide so that a real patient is only
# ever asked to confirm, never refused):
# - possible: BMI 7–200 kg/m². Outside it no human body has been recorded (the heaviest
#   recorded adults stayed below 190; starvation is fatal before 8-9): refused, cannot be
#   confirmed.
# - plausible for the age: adults (18 and over) 13–60 kg/m² (WHO: below 16 is severe
#   thinness, 40 and over obesity class III; these limits lie well outside both). Children
#   1–17: 10–40 kg/m², wider than the CDC 2000 BMI-for-age charts' 3rd–97th percentiles at
#   every age from 2 to 20 (about 13 to 34 kg/m²) [verify against local growth charts].
#   Outside: a problem on the weight that asks to correct it or confirm it
#   (``confirm_body_size``).
# - usual: adults 16–40, children 12–32 kg/m²; outside it, a warning with the decision.
BMI_POSSIBLE = (7.0, 200.0)
ADULT_BMI_PLAUSIBLE = (13.0, 60.0)
CHILD_BMI_PLAUSIBLE = (10.0, 40.0)
ADULT_BMI_USUAL = (16.0, 40.0)
CHILD_BMI_USUAL = (12.0, 32.0)
ADULT_AGE_YEARS = 18
# A weight this far from the previous cycle's (either way) is more often a slip (pounds for
# kilograms is -55% or +120%) than a change in three or four weeks: confirm or correct.
# Program convention; the institution's re-verify threshold (10%) is a warning below it.
WEIGHT_CHANGE_CONFIRM_PCT = 25.0
# How each message ends, so a caller (the window) can offer the confirmation it asks for.
CONFIRM_BODY_SIZE = "correct it, or confirm that height and weight are both right"
CONFIRM_WEIGHT_CHANGE = "correct it, or confirm the change"
LB_PER_KG = 1 / 0.45359237


def bmi(height_cm: float, weight_kg: float) -> float:
    return weight_kg / (height_cm / 100) ** 2


def _fmt1(value: float) -> str:
    text = f"{value:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def bmi_bands(age_years: int) -> tuple[str, tuple[float, float], tuple[float, float]]:
    """Who the limits are for, and the plausible and usual BMI bands at that age."""
    if age_years >= ADULT_AGE_YEARS:
        return "an adult", ADULT_BMI_PLAUSIBLE, ADULT_BMI_USUAL
    return "a child", CHILD_BMI_PLAUSIBLE, CHILD_BMI_USUAL


def _pounds_hint(height_cm: float, weight_kg: float, plausible: tuple[float, float]) -> str:
    """If the number was pounds (or kilograms shown as pounds), what it would be."""
    for value, unit_slip in ((weight_kg / LB_PER_KG, "pounds"), (weight_kg * LB_PER_KG, "kg")):
        if plausible[0] <= bmi(height_cm, value) <= plausible[1]:
            said = "typed in pounds" if unit_slip == "pounds" else "converted twice"
            return f"; if it was {said}, it is {_fmt1(value)} kg"
    return ""


def body_size_problems(request: PlanRequest) -> list[tuple[str, str]]:
    """Height and weight together, for the patient's age: refused outside what is possible,
    to be confirmed outside what is plausible."""
    height, weight = request.height_cm, request.weight_kg
    value = bmi(height, weight)
    # the BMI first: a narrow window shows the start of a message beside its field
    where = f"BMI {_fmt1(value)} kg/m² (height {_fmt1(height)} cm, weight {_fmt1(weight)} kg)"
    low, high = BMI_POSSIBLE
    if not low <= value <= high:
        return [("weight_kg", f"{where}: no patient has it (possible {_g(low)}–{_g(high)} "
                 "kg/m²): correct the height or the weight, or their units; this cannot be "
                 "confirmed")]
    age = age_in_years(request.patient.date_of_birth, request.cycle.start_date)
    who, (low, high), _usual = bmi_bands(age)
    if low <= value <= high or request.confirm_body_size:
        return []
    return [("weight_kg", f"{where} is outside {_g(low)}–{_g(high)} kg/m², the program's limits "
             f"for {who}{_pounds_hint(height, weight, (low, high))}: {CONFIRM_BODY_SIZE}")]


def weight_change_pct(request: PlanRequest) -> float | None:
    previous = request.previous_weight_kg
    if previous is None:
        return None
    return (request.weight_kg - previous) / previous * 100


def weight_change_problems(request: PlanRequest) -> list[tuple[str, str]]:
    change = weight_change_pct(request)
    if change is None or abs(change) < WEIGHT_CHANGE_CONFIRM_PCT or request.confirm_weight_change:
        return []
    previous = request.previous_weight_kg
    assert previous is not None
    hint = ""
    for value, said in ((request.weight_kg / LB_PER_KG, "typed in pounds"),
                        (request.weight_kg * LB_PER_KG, "converted twice")):
        if abs(value - previous) / previous * 100 < WEIGHT_CHANGE_CONFIRM_PCT:
            hint = f"; if it was {said}, it is {_fmt1(value)} kg"
            break
    return [("weight_kg", f"{_fmt1(request.weight_kg)} kg is {change:+.1f}% from the previous "
             f"cycle's {_fmt1(previous)} kg ({_g(WEIGHT_CHANGE_CONFIRM_PCT)}% or more is "
             f"more often a slip than a change){hint}: {CONFIRM_WEIGHT_CHANGE}")]
