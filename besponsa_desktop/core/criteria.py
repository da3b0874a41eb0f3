"""What must be true before each dose, in words for the nurse's checklist.

The words are built from the same limits the rules use (counts, toxicity, eligibility), so
the printout can never state a criterion the program does not apply.
"""

from __future__ import annotations

from besponsa_desktop.core import counts, eligibility, toxicity
from besponsa_desktop.core.models import PlanRequest
from besponsa_desktop.core.numbers import below, fmt, fmt_thousands


def liver(request: PlanRequest) -> str:
    transaminases = f"AST and ALT at most {fmt(toxicity.TRANSAMINASE_LIMIT_X_ULN)} × ULN"
    if request.labs.bilirubin_from_gilbert_or_hemolysis:
        return (
            "total bilirubin exempt (the prescriber attributes it to Gilbert's syndrome or "
            f"hemolysis); {transaminases}"
        )
    return f"total bilirubin at most {fmt(toxicity.BILIRUBIN_LIMIT_X_ULN)} × ULN; {transaminases}"


def nonhematologic() -> str:
    return (
        f"any drug-related non-hematologic toxicity is below Grade {toxicity.HOLD_FROM_GRADE} "
        "or back to the pre-treatment grade"
    )


def blood_counts(request: PlanRequest, day: int) -> str:
    anc, plt = fmt(counts.ANC_RECOVERED), fmt(counts.PLATELETS_RECOVERED)
    if day != 1:
        return (
            "Days 8 and 15 are not held for low ANC or platelets; report low counts to the "
            "prescriber"
        )
    if request.cycle.number == 1:
        blasts = fmt_thousands(eligibility.MAX_BLASTS_BEFORE_C1D1_PER_MM3)
        return f"Cycle 1 Day 1: peripheral blasts at most {blasts}/mm³"
    baseline = request.baseline
    assert baseline is not None  # required from cycle 2 by the request model
    parts: list[str] = []
    anc_low = below(baseline.anc, counts.ANC_RECOVERED)
    plt_low = below(baseline.platelets, counts.PLATELETS_RECOVERED)
    if not anc_low:
        parts.append(f"ANC at least {anc} ×10⁹/L")
    if not plt_low:
        parts.append(f"platelets at least {plt} ×10⁹/L")
    text = "start of a cycle: " + "; ".join(parts)
    if anc_low or plt_low:
        prior = counts.prior_cycle_start(
            request.cycle.number, baseline, request.prior_cycle_start
        )
        levels = (
            f" (ANC {fmt(prior.anc)}, platelets {fmt(prior.platelets)} ×10⁹/L)" if prior else ""
        )
        text += (
            f"{'; ' if parts else ''}low baseline counts: ANC and platelets back to at least "
            f"their levels at the start of the prior cycle{levels}, or ANC at least {anc} and "
            f"platelets at least {plt} ×10⁹/L, or the low counts judged due to the disease"
        )
    return text + ". The platelet count must not be one raised by a transfusion"


def before_dose(request: PlanRequest, day: int) -> list[str]:
    return [liver(request), blood_counts(request, day), nonhematologic()]
