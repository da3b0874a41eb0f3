"""From a validated request to a plan: each table's rule is asked in turn, and the decision
is the most severe of their answers (not eligible > discontinue > hold > proceed).

The rules themselves live in one module per table; this module only orders them.
"""

from __future__ import annotations

from datetime import timedelta

from besponsa_desktop import __version__
from besponsa_desktop.core import (
    bsa,
    counts,
    criteria,
    cycle_limits,
    dose_levels,
    eligibility,
    patient_checks,
    preparation,
    reminders,
    schedule,
    toxicity,
)
from besponsa_desktop.core.findings import finding
from besponsa_desktop.core.models import (
    CycleOut,
    Decision,
    Dose,
    Finding,
    Plan,
    PlanRequest,
    Preparation,
)
from besponsa_desktop.core.numbers import above, exact, fmt, fmt_against, round_places
from besponsa_desktop.core.plausibility import age_in_years
from besponsa_desktop.core.profiles import LabelProfile, Rule, profile_for
from besponsa_desktop.core.regimen import regimen_for
from besponsa_desktop.core.validation import InvalidRequest, Problem, parse_request

_CYCLE_LIMIT_WORDS = {
    "no_response_by_cycle_3": "no CR or CRi within 3 cycles: stop treatment",
    "hsct_cycles_complete": "going on to HSCT: 2 cycles are recommended, a 3rd only without "
    "CR/CRi and MRD negativity, never more than 3",
    "max_cycles": "not going on to HSCT: at most 6 cycles",
}


def make_plan(data: object, *, mrn_ignore_case: bool = False) -> Plan:
    """Validate raw request data and plan it. Raises InvalidRequest for bad input.
    ``mrn_ignore_case``: the institution's MRNs ignore letter case (see core/mrn.py)."""
    request = (
        data
        if isinstance(data, PlanRequest)
        else parse_request(data, mrn_ignore_case=mrn_ignore_case)
    )
    return plan(request)


def plan(request: PlanRequest) -> Plan:
    profile = profile_for(request.label)
    start = request.cycle.start_date
    age = age_in_years(request.patient.date_of_birth, start)
    later = request.cycle.number >= 2
    not_eligible: list[Finding] = []
    discontinue: list[Finding] = []
    hold: list[Finding] = []
    warnings: list[Finding] = []

    not_eligible += eligibility.not_eligible_findings(profile, request, age)
    warnings += eligibility.contraindication_warnings(profile, request)

    # How many cycles (Table 1 footnotes)
    for code in cycle_limits.limit_codes(
        request.cycle.number, request.response, request.mrd_negative, request.hsct_planned
    ):
        discontinue.append(
            finding(
                profile,
                Rule.CYCLE_LIMITS,
                code,
                f"cycle {request.cycle.number}: {_CYCLE_LIMIT_WORDS[code]}",
            )
        )
    if cycle_limits.is_third_hsct_cycle(request.cycle.number, request.hsct_planned) and not (
        discontinue
    ):
        warnings.append(
            finding(
                profile,
                Rule.CYCLE_LIMITS,
                "hsct_third_cycle",
                "a 3rd cycle before HSCT is only for a patient without CR/CRi and MRD "
                "negativity after 2 cycles; each further cycle raises the risk of VOD/SOS",
            )
        )

    # Table 3, discontinuation rows
    discontinue += toxicity.discontinue_findings(profile, request.events)

    # Table 4: the dose level for this cycle
    level = (
        dose_levels.next_level(request.dose_level, request.longest_toxicity_interruption_days)
        if later
        else 0
    )
    level_reason = _level_reason(request, level)
    if level > dose_levels.MAX_LEVEL:
        discontinue.append(
            finding(
                profile,
                Rule.INTERRUPTION,
                "dose_reduction_exhausted",
                f"a toxicity interruption of {request.longest_toxicity_interruption_days} days "
                f"in the previous cycle at dose level {request.dose_level} (25% decrease "
                "then 2 doses per cycle already used): discontinue permanently",
            )
        )
    if request.longest_toxicity_interruption_days > dose_levels.CONSIDER_DISCONTINUATION_OVER_DAYS:
        warnings.append(
            finding(
                profile,
                Rule.INTERRUPTION,
                "interruption_over_28_days",
                f"dosing was interrupted for {request.longest_toxicity_interruption_days} days "
                f"(more than {dose_levels.CONSIDER_DISCONTINUATION_OVER_DAYS}) for toxicity: "
                "consider permanent discontinuation",
            )
        )

    # Table 2: counts gate Day 1 of a later cycle only
    if later and request.dose_day == 1:
        assert request.baseline is not None  # required from cycle 2 by the request model
        prior = counts.prior_cycle_start(
            request.cycle.number, request.baseline, request.prior_cycle_start
        )
        for item in counts.next_cycle_findings(
            profile,
            request.baseline,
            prior,
            request.labs,
            prior_is_baseline=request.prior_cycle_start is None,
        ):
            (discontinue if item.code == "cytopenia_over_28_days" else hold).append(item)
    elif request.dose_day != 1:
        warnings += _counts_not_gating(profile, request)

    # Table 3, hold rows; the cytoreduction gate before C1D1
    hold += toxicity.hold_findings(profile, request.labs, request.events)
    cyto = eligibility.cytoreduction_finding(profile, request)
    if cyto:
        hold.append(cyto)

    # Body surface area and doses
    bsa_exact = bsa.body_surface_area(request.bsa_formula, request.height_cm, request.weight_kg)
    bsa_used = bsa_exact
    if request.bsa_cap_m2 is not None and bsa_exact > request.bsa_cap_m2:
        bsa_used = request.bsa_cap_m2
        warnings.append(
            finding(
                profile,
                Rule.PROGRAM,
                "bsa_capped",
                f"BSA {fmt(bsa_exact)} m² capped at {fmt(request.bsa_cap_m2)} m² by the "
                "institution's setting (the label sets no cap; ASCO advises full "
                "weight-based doses)",
            )
        )
    row = regimen_for(request.cycle.number, request.response, request.cycle.extend_to_28_days)
    level_def = dose_levels.LEVELS[min(level, dose_levels.MAX_LEVEL)]
    if request.dose_day not in level_def.days and level <= dose_levels.MAX_LEVEL:
        raise InvalidRequest(
            [
                Problem(
                    "dose_day",
                    f"dose level {level} gives doses on Days "
                    f"{' and '.join(str(d) for d in level_def.days)} only; there is no "
                    f"Day {request.dose_day} dose in this cycle",
                )
            ]
        )
    bsa_printed = round_places(bsa_used, 2)
    doses = [
        preparation.prepare_dose(
            day,
            schedule.day_date(start, day),
            schedule.allowed_window(start, day),
            exact(row.mg_per_m2[day]) * exact(level_def.factor),
            bsa_printed,
            bsa_used,
            request.volume_rounding_ml,
            request.small_dose_protocol,
        ).model_copy(update={"before_dose": criteria.before_dose(request, day)})
        for day in level_def.days
    ]
    for dose in doses:
        warnings += _dose_warnings(profile, dose)
    # How a dose is prepared never decides a day: a small dose is a warning, per dose.
    small = [d for d in doses if d.preparation is Preparation.SMALL_DOSE]
    if small:
        warnings.append(_small_dose_finding(profile, small))

    dose_date = request.dose_date or schedule.day_date(start, request.dose_day)
    crcl, renal = patient_checks.renal(profile, request, age)
    warnings += renal
    warnings += patient_checks.hepatic_warning(profile, request.labs)
    warnings = patient_checks.body_size(profile, request, age) + warnings
    warnings += patient_checks.weight_change(profile, request, age)
    warnings += patient_checks.timing(profile, request, dose_date)
    if request.cycle.extend_to_28_days:
        warnings.append(
            finding(
                profile,
                Rule.REGIMEN,
                "cycle_1_extended",
                "cycle 1 extended to 28 days: only for a patient who reached CR/CRi and/or "
                "needs time to recover from toxicity",
            )
        )

    decision, reasons, lower = _decide(not_eligible, discontinue, hold)
    warnings = lower + warnings
    if decision in (Decision.DISCONTINUE, Decision.NOT_ELIGIBLE):
        doses = []
    total_mg_per_m2 = sum((exact(d.mg_per_m2) for d in doses), exact(0))
    length = row.length_days
    return Plan(
        program_version=__version__,
        label=request.label,
        label_document=profile.document,
        decision=decision,
        reasons=reasons,
        warnings=warnings,
        reminders=reminders.standing(profile, request.hsct_planned),
        patient=request.patient,
        age_years=age,
        height_cm=request.height_cm,
        weight_kg=request.weight_kg,
        measured_on=request.measured_on,
        bsa_m2=bsa_printed,
        bsa_m2_exact=bsa_exact,
        bsa_m2_used=bsa_used,
        bsa_formula=request.bsa_formula,
        bsa_formula_text=bsa.FORMULA_TEXT[request.bsa_formula],
        cycle=CycleOut(
            number=request.cycle.number,
            length_days=length,
            start_date=start,
            last_day=schedule.next_cycle_due(start, length) - timedelta(days=1),
            dose_free_from=schedule.dose_free_from(start, length),
            next_cycle_due=schedule.next_cycle_due(start, length),
            extended=request.cycle.extend_to_28_days,
        ),
        dose_day=request.dose_day,
        dose_level=min(level, dose_levels.MAX_LEVEL),
        dose_level_reason=level_reason,
        total_mg_per_m2=round_places(total_mg_per_m2, preparation.MG_PER_M2_PLACES),
        total_mg=round_places(sum(exact(d.dose_mg) for d in doses), preparation.DOSE_PLACES),
        rounding_convention=preparation.ROUNDING_CONVENTION.format(
            step=fmt(request.volume_rounding_ml)
        )
        + (" " + dose_levels.CONVENTION if level > 0 else ""),
        doses=doses,
        hepatic_category=patient_checks.hepatic_category(request.labs),
        # to 0.1 mL/min, or the places that keep it on its side of 15 mL/min
        crcl_ml_min=None
        if crcl is None
        else float(fmt_against(crcl, patient_checks.CRCL_NOT_STUDIED_BELOW, 1)),
        counselling=patient_checks.counselling(
            request.patient.sex, doses[-1].date if doses else None
        ),
        request=request,
    )


def _decide(
    not_eligible: list[Finding], discontinue: list[Finding], hold: list[Finding]
) -> tuple[Decision, list[Finding], list[Finding]]:
    """The most severe category decides; findings of lower categories become warnings."""
    ranked = [
        (Decision.NOT_ELIGIBLE, not_eligible),
        (Decision.DISCONTINUE, discontinue),
        (Decision.HOLD, hold),
    ]
    for index, (decision, found) in enumerate(ranked):
        if found:
            lower = [f for _, rest in ranked[index + 1 :] for f in rest]
            return decision, found, lower
    return Decision.PROCEED, [], []


def _level_reason(request: PlanRequest, level: int) -> str:
    if request.cycle.number == 1:
        return "cycle 1: full dose"
    days = request.longest_toxicity_interruption_days
    if level > request.dose_level:
        return (
            f"dose level {request.dose_level} → {level}: dosing was interrupted for {days} days "
            f"(14 or more) for toxicity in the previous cycle (Table 4)"
        )
    if level == 0:
        return "full dose: no dose reduction in force"
    return (
        f"dose level {level} stays in force: a reduced dose is never re-escalated "
        f"({dose_levels.LEVELS[level].description})"
    )


def _counts_not_gating(profile: LabelProfile, request: PlanRequest) -> list[Finding]:
    labs = request.labs
    low = labs.anc < counts.ANC_RECOVERED or labs.platelets < counts.PLATELETS_RECOVERED
    if not low:
        return []
    return [
        finding(
            profile,
            Rule.REGIMEN,
            "counts_low_not_gating",
            f"ANC {fmt(labs.anc)} and platelets {fmt(labs.platelets)} ×10⁹/L: Days 8 and 15 "
            "are not held for neutropenia or thrombocytopenia; monitor for infection and "
            "bleeding",
        )
    ]


def _dose_warnings(profile: LabelProfile, dose: Dose) -> list[Finding]:
    limit = patient_checks.ROUNDING_DEVIATION_WARN_PCT
    if above(abs(dose.deviation_pct), limit):
        return [
            finding(
                profile,
                Rule.PROGRAM,
                "rounding_deviation",
                f"Day {dose.day}: {fmt(dose.volume_ml)} mL delivers {fmt(dose.delivered_mg, 4)} "
                f"mg, "
                f"{fmt_against(abs(dose.deviation_pct), limit, 1)}% "
                f"{'above' if dose.deviation_pct > 0 else 'below'} the "
                f"{fmt(dose.dose_mg_exact, 4)} mg calculated from the unrounded BSA (more "
                f"than {fmt(limit)}%); choose a finer volume rounding step",
            )
        ]
    return []


def _small_dose_finding(profile: LabelProfile, doses: list[Dose]) -> Finding:
    each = "; ".join(f"Day {d.day}: {fmt(d.dose_mg)} mg" for d in doses)
    configured = all(d.preparation_protocol for d in doses)
    how = (
        "The institution's configured protocol gives the syringe volumes (printed as the "
        "institution's, not the label's)"
        if configured
        else "No diluent volume, time or rate is given for a dose no configured protocol "
        "covers (the label's syringe method is not encoded in this program)"
    )
    return finding(
        profile,
        Rule.PREPARATION,
        "small_dose",
        f"{each} — small dose: prepare by the institution's small-volume (syringe) "
        f"protocol; below the labelled {fmt(preparation.FINAL_CONCENTRATION_MG_PER_ML[0])} "
        f"mg/mL in a {fmt(preparation.TOTAL_VOLUME_ML)} mL bag. {how}. The pharmacist "
        "confirms the preparation before printing. The clinical decision does not depend on "
        "how the dose is prepared",
    )
