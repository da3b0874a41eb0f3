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
