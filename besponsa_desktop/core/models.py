"""The request a pharmacist makes and the plan the core returns.

These models are the vocabulary every layer shares: the window builds a PlanRequest, the
core returns a Plan, and the printout and the store take the same Plan. Requests are strict:
an unknown key is an error (a misspelt ``heigth_cm`` must never be silently ignored), a
boolean must be a boolean, and implausible values are refused with a hint of what probably
happened (see ``plausibility``).
"""

from __future__ import annotations

import datetime
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from besponsa_desktop.core import plausibility as pl
from besponsa_desktop.core.mrn import CONTEXT_IGNORE_CASE, normalise_mrn


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


class Label(StrEnum):
    US = "US"
    EU = "EU"


class BsaFormula(StrEnum):
    MOSTELLER = "mosteller"
    DUBOIS = "dubois"
    HAYCOCK = "haycock"
    GEHAN_GEORGE = "gehan_george"


class Response(StrEnum):
    CR = "cr"
    CRI = "cri"
    NONE = "none"

    @property
    def achieved(self) -> bool:
        return self in (Response.CR, Response.CRI)


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


class Decision(StrEnum):
    PROCEED = "proceed"
    HOLD = "hold"
    DISCONTINUE = "discontinue"
    NOT_ELIGIBLE = "not_eligible"


# Measured values, each with its range and plausibility check (see plausibility).
HeightCm = Annotated[float, AfterValidator(pl.check_height_cm)]
WeightKg = Annotated[float, AfterValidator(pl.check_weight_kg)]
BsaCap = Annotated[float, AfterValidator(pl.check_bsa_cap)]
Anc = Annotated[float, AfterValidator(pl.check_anc)]
Platelets = Annotated[float, AfterValidator(pl.check_platelets)]
NonNegative = Annotated[float, AfterValidator(pl.check_nonnegative)]
Uln = Annotated[float, AfterValidator(pl.check_positive)]
CreatinineUmolL = Annotated[float, AfterValidator(pl.check_creatinine_umol)]
CreatinineMgDl = Annotated[float, AfterValidator(pl.check_creatinine_mg_dl)]
Blasts = Annotated[float, AfterValidator(pl.check_blasts)]


class Patient(Strict):
    name: str = Field(min_length=1, max_length=200)
    mrn: str = Field(min_length=1, max_length=64)
    date_of_birth: date
    sex: Sex

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        if value != value.strip():
            raise ValueError("must not start or end with spaces")
        return value

    @field_validator("mrn")
    @classmethod
    def _one_patient_one_mrn(cls, value: str, info: ValidationInfo) -> str:
        # see core/mrn.py: the same MRN however it was typed, invisible characters refused
        context = info.context if isinstance(info.context, dict) else {}
        return normalise_mrn(value, ignore_case=bool(context.get(CONTEXT_IGNORE_CASE)))


class CycleInput(Strict):
    number: int = Field(ge=1, le=pl.MAX_CYCLE_NUMBER)
    start_date: date
    extend_to_28_days: bool = False


class Counts(Strict):
    """Blood counts in ×10⁹/L."""

    anc: Anc
    platelets: Platelets


class Labs(Strict):
    taken_on: date
    anc: Anc
    platelets: Platelets
    platelets_after_transfusion: bool = False
    low_counts_attributed_to_disease: bool = False
    low_counts_duration_days: int = Field(default=0, ge=0, le=365)
    total_bilirubin: NonNegative
    total_bilirubin_uln: Uln
    bilirubin_from_gilbert_or_hemolysis: bool = False
    ast: NonNegative
    ast_uln: Uln
    alt: NonNegative
    alt_uln: Uln
    serum_creatinine_umol_l: CreatinineUmolL | None = None
    serum_creatinine_mg_dl: CreatinineMgDl | None = None
    peripheral_blasts_per_mm3: Blasts | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Labs:
        problems: list[tuple[str, str]] = []
        umol, mg = self.serum_creatinine_umol_l, self.serum_creatinine_mg_dl
        if umol is None and mg is None:
            problems.append(
                (
                    "serum_creatinine_umol_l",
                    "serum creatinine is required (in µmol/L or mg/dL)",
                )
            )
        if umol is not None and mg is not None:
            problems.append(
                ("serum_creatinine_mg_dl", "give serum creatinine once: µmol/L or mg/dL")
            )
        for name, value, uln, limit in (
            ("total_bilirubin", self.total_bilirubin, self.total_bilirubin_uln, 30),
            ("ast", self.ast, self.ast_uln, 100),
            ("alt", self.alt, self.alt_uln, 100),
        ):
            problem = pl.ratio_problem(name, value, uln, limit)
            if problem:
                problems.append((name, problem))
        if problems:
            raise pl.FieldProblems(problems)
        return self

    @property
    def creatinine_mg_dl(self) -> float:
        if self.serum_creatinine_mg_dl is not None:
            return self.serum_creatinine_mg_dl
        assert self.serum_creatinine_umol_l is not None
        return self.serum_creatinine_umol_l / pl.CREATININE_UMOL_PER_MG_DL


class Events(Strict):
    vod: bool = False
    severe_liver_toxicity: bool = False
    severe_infusion_reaction: bool = False
    nonhematologic_grade: int = Field(default=0, ge=0, le=4)
    nonhematologic_pretreatment_grade: int = Field(default=0, ge=0, le=4)


class Contraindications(Strict):
    """The EU SmPC's contraindications (section 4.3); asked for under the EU profile."""

    hypersensitivity: bool = False
    prior_severe_or_ongoing_vod: bool = False
    serious_ongoing_liver_disease: bool = False


class SmallDoseProtocol(Strict):
    """The institution's own small-volume (syringe) protocol for a dose too small for the
    label's 50 mL bag. The label's syringe text is not encoded; this is the institution's,
    printed as such with its reference. The dose is added to 0.9% sodium chloride to
    ``total_volume_ml``; it applies to doses whose final concentration lies between
    ``min_concentration_mg_per_ml`` and the label's 0.1 mg/mL."""

    reference: str = Field(min_length=1, max_length=200)
    total_volume_ml: float
    min_concentration_mg_per_ml: float
    infusion_minutes: int = Field(ge=1, le=240)

    @field_validator("reference")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name the institution's protocol (it is printed and cited)")
        return value

    @field_validator("total_volume_ml")
    @classmethod
    def _volume(cls, value: float) -> float:
        if not 0 < value < pl.BAG_TOTAL_VOLUME_ML:
            raise ValueError(
                f"must be more than 0 and less than the label's {pl.BAG_TOTAL_VOLUME_ML:g} mL "
                "bag (mL)"
            )
        return value

    @field_validator("min_concentration_mg_per_ml")
    @classmethod
    def _concentration(cls, value: float) -> float:
        low, high = pl.FINAL_CONCENTRATION_MG_PER_ML
        if not low <= value <= high:
            raise ValueError(
                f"must lie within the labelled final concentration {low:g}–{high:g} mg/mL"
            )
        return value


# Keys that only a later cycle needs. Also checked on the raw request when other fields are
# invalid (see validation), so that everything missing is reported at once.
REQUIRED_FROM_CYCLE_2 = {
    "response": "is required from cycle 2 on (cr, cri or none)",
    "baseline": "the counts before treatment began are required from cycle 2 on",
}


class PlanRequest(Strict):
    label: Label = Label.US
    patient: Patient
    height_cm: HeightCm
    weight_kg: WeightKg
    measured_on: date
    bsa_formula: BsaFormula = BsaFormula.MOSTELLER
    bsa_cap_m2: BsaCap | None = None
    cycle: CycleInput
    dose_day: Literal[1, 8, 15] = 1
    # The date a Day 8 or 15 dose is planned for when it is not its nominal day (moved
    # within its ±2-day window, or re-based after the dose before it); None: the nominal day.
    dose_date: date | None = None
    response: Response | None = None
    mrd_negative: bool = False
    hsct_planned: bool = False
    dose_level: int = Field(default=0, ge=0, le=2)
    longest_toxicity_interruption_days: int = Field(default=0, ge=0, le=365)
    baseline: Counts | None = None
    prior_cycle_start: Counts | None = None
    labs: Labs
    events: Events = Events()
    ph_positive: bool | None = None
    tki_failed: bool | None = None
    contraindications: Contraindications = Contraindications()
    previous_weight_kg: WeightKg | None = None
    weight_change_threshold_pct: float = 10.0
    pediatric_weight_change_threshold_pct: float = 5.0
    volume_rounding_ml: float = 0.1
    small_dose_protocol: SmallDoseProtocol | None = None
    # The person planning has checked an implausible height–weight combination, or a
    # weight far from the previous cycle's, and confirms it (see plausibility).
    confirm_body_size: bool = False
    confirm_weight_change: bool = False
    # Who prescribed the treatment: named on every page of the printout.
    prescriber: str = Field(default="", max_length=200)

    @field_validator("prescriber")
    @classmethod
    def _prescriber(cls, value: str) -> str:
        if value != value.strip():
            raise ValueError("must not start or end with spaces")
        return value

    @field_validator("volume_rounding_ml")
    @classmethod
    def _rounding(cls, value: float) -> float:
        if value not in pl.VOLUME_ROUNDING_STEPS_ML:
            allowed = ", ".join(f"{v:g}" for v in pl.VOLUME_ROUNDING_STEPS_ML)
            raise ValueError(f"must be one of {allowed} (mL)")
        return value

    @field_validator("weight_change_threshold_pct", "pediatric_weight_change_threshold_pct")
    @classmethod
    def _threshold(cls, value: float) -> float:
        if not 1 <= value <= 50:
            raise ValueError("must be between 1 and 50 (%)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> PlanRequest:
        problems = pl.date_problems(self)
        if not problems:  # the age the limits depend on needs sound dates
            problems += pl.body_size_problems(self) + pl.weight_change_problems(self)
        if self.cycle.number >= 2:
            problems += self._later_cycle_problems()
        else:
            problems += self._first_cycle_problems()
        if self.label is Label.EU:
            if self.ph_positive is None:
                problems.append(
                    (
                        "ph_positive",
                        "is required under the EU label (a Ph+ patient must have failed "
                        "a tyrosine kinase inhibitor)",
                    )
                )
            elif self.ph_positive and self.tki_failed is None:
                problems.append(("tki_failed", "is required for a Ph+ patient under the EU label"))
        if problems:
            raise pl.FieldProblems(problems)
        return self

    def _later_cycle_problems(self) -> list[tuple[str, str]]:
        problems = [
            (key, message)
            for key, message in REQUIRED_FROM_CYCLE_2.items()
            if getattr(self, key) is None
        ]
        # Cycle 2's prior cycle is cycle 1, which started from the baseline counts.
        if self.baseline is not None and (
            (self.baseline.anc < 1 or self.baseline.platelets < 50)
            and self.prior_cycle_start is None
            and self.dose_day == 1
            and self.cycle.number >= 3
        ):
            problems.append(
                (
                    "prior_cycle_start",
                    "is required: baseline ANC was below 1 ×10⁹/L or platelets below "
                    "50 ×10⁹/L, so the counts at the start of the prior cycle decide "
                    "whether this cycle may start",
                )
            )
        if self.cycle.extend_to_28_days:
            problems.append(
                (
                    "cycle.extend_to_28_days",
                    "only cycle 1 can be extended; later cycles are always 28 days",
                )
            )
        return problems

    def _first_cycle_problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if self.dose_level != 0:
            problems.append(("dose_level", "cycle 1 is always given at full dose (level 0)"))
        if self.longest_toxicity_interruption_days != 0:
            problems.append(
                (
                    "longest_toxicity_interruption_days",
                    "refers to the previous cycle; cycle 1 has none, so it must be 0",
                )
            )
        if self.dose_day == 1 and self.labs.peripheral_blasts_per_mm3 is None:
            problems.append(
                (
                    "labs.peripheral_blasts_per_mm3",
                    "is required before cycle 1 Day 1 (cytoreduction to 10,000/mm³ or fewer)",
                )
            )
        return problems


# ---------------------------------------------------------------- the plan


class Finding(BaseModel):
    """One reason for a decision, or one warning: stable code, plain words, label source."""

    model_config = ConfigDict(frozen=True)

    code: str
    message: str
    source: str


class Preparation(StrEnum):
    """How a dose is prepared; never a reason to hold it (the label decides the day)."""

    BAG = "bag"  # the label's 50 mL bag, 0.01–0.1 mg/mL
    SMALL_DOSE = "small_dose"  # too small for the bag: the institution's small-volume protocol


class Dose(BaseModel):
    """One dose. The bag's (or the institution's syringe's) diluent, concentration, time and
    rate are None for a small dose no configured protocol covers: nothing is invented."""

    model_config = ConfigDict(frozen=True)

    day: int
    date: datetime.date
    window_start: datetime.date
    window_end: datetime.date
    mg_per_m2: float
    dose_mg: float
    dose_mg_exact: float
    volume_ml: float
    delivered_mg: float
    deviation_pct: float
    vials: int
    reconstitution_water_ml_per_vial: float
    preparation: Preparation
    # The preparation in words, for the window and the printout.
    preparation_text: str
    # The institution's protocol reference when its syringe numbers apply; None for the bag.
    preparation_protocol: str | None
    sodium_chloride_ml: float | None
    diluent_total_ml: float | None
    final_concentration_mg_per_ml: float | None
    infusion_minutes: int | None
    rate_ml_per_h: float | None
    # What must be true before this dose, in words (liver, counts, toxicity).
    before_dose: list[str] = []


class CycleOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int
    length_days: int
    start_date: date
    last_day: date
    dose_free_from: date | None
    next_cycle_due: date
    extended: bool


class Counselling(BaseModel):
    model_config = ConfigDict(frozen=True)

    last_planned_dose: date | None
    contraception_until: date | None
    contraception_months: int | None
    breastfeeding_until: date | None
    breastfeeding_months: int | None
    report_signs: list[str]


class Plan(BaseModel):
    model_config = ConfigDict(frozen=True)

    program_version: str
    label: Label
    label_document: str
    decision: Decision
    reasons: list[Finding]
    warnings: list[Finding]
    reminders: list[Finding]
    patient: Patient
    age_years: int
    height_cm: HeightCm
    weight_kg: WeightKg
    measured_on: date
    bsa_m2: float
    bsa_m2_exact: float
    bsa_m2_used: float
    bsa_formula: BsaFormula
    bsa_formula_text: str
    cycle: CycleOut
    dose_day: int
    dose_level: int
    dose_level_reason: str
    total_mg_per_m2: float
    total_mg: float
    rounding_convention: str
    doses: list[Dose]
    hepatic_category: str
    crcl_ml_min: float | None
    counselling: Counselling
    request: PlanRequest
