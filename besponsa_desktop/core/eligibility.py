"""Who may receive inotuzumab ozogamicin, and the gate before Cycle 1 Day 1.

- US PI Section 1: adults and children 1 year and older; EU SmPC 4.1: adults only, and a
  Ph+ patient must have failed at least one tyrosine kinase inhibitor.
- EU SmPC 4.3 contraindications: hypersensitivity; prior confirmed severe or ongoing
  VOD/SOS; serious ongoing liver disease. The US PI lists none [verify]; a hypersensitivity
  entered under the US profile is surfaced as a warning for the prescriber.
- Circulating lymphoblasts: cytoreduce to ≤ 10,000/mm³ before Cycle 1 Day 1.
"""

from __future__ import annotations

from besponsa_desktop.core.findings import finding
from besponsa_desktop.core.models import Finding, PlanRequest
from besponsa_desktop.core.numbers import above, fmt_thousands, fmt_thousands_against
from besponsa_desktop.core.profiles import LabelProfile, Rule

MAX_BLASTS_BEFORE_C1D1_PER_MM3 = 10_000

_CONTRAINDICATIONS = (
    (
        "hypersensitivity",
        "contraindicated_hypersensitivity",
        "hypersensitivity to inotuzumab ozogamicin or an excipient",
    ),
    (
        "prior_severe_or_ongoing_vod",
        "contraindicated_prior_vod",
        "prior confirmed severe or ongoing hepatic veno-occlusive disease (VOD/SOS)",
    ),
    (
        "serious_ongoing_liver_disease",
        "contraindicated_liver_disease",
        "serious ongoing liver disease (e.g. cirrhosis, nodular regenerative hyperplasia, "
        "active hepatitis)",
    ),
)


def not_eligible_findings(
    profile: LabelProfile, request: PlanRequest, age_years: int
) -> list[Finding]:
    out: list[Finding] = []
    if age_years < profile.min_age_years:
        out.append(
            finding(
                profile,
                Rule.INDICATION,
                "age_below_minimum",
                f"age {age_years} years at Day 1 is below the {profile.label.value} label's "
                f"minimum of {profile.min_age_years} "
                f"year{'s' if profile.min_age_years > 1 else ''}",
            )
        )
    if (
        profile.requires_tki_failure_if_ph_positive
        and request.ph_positive
        and request.tki_failed is False
    ):
        out.append(
            finding(
                profile,
                Rule.INDICATION,
                "ph_positive_without_tki_failure",
                "Philadelphia-chromosome-positive ALL: the EU label requires failure of at "
                "least one tyrosine kinase inhibitor first",
            )
        )
    if profile.has_contraindications:
        for attribute, code, words in _CONTRAINDICATIONS:
            if getattr(request.contraindications, attribute):
                out.append(
                    finding(profile, Rule.CONTRAINDICATIONS, code, f"contraindicated: {words}")
                )
    return out


def contraindication_warnings(profile: LabelProfile, request: PlanRequest) -> list[Finding]:
    """Under a label without contraindications, a ticked one still reaches the prescriber."""
    if profile.has_contraindications:
        return []
    return [
        finding(
            profile,
            Rule.CONTRAINDICATIONS,
            f"{code}_reported",
            f"reported: {words}. The US label lists no contraindication; the EU label "
            "contraindicates this. Prescriber to review before treatment",
        )
        for attribute, code, words in _CONTRAINDICATIONS
        if getattr(request.contraindications, attribute)
    ]


def cytoreduction_finding(profile: LabelProfile, request: PlanRequest) -> Finding | None:
    blasts = request.labs.peripheral_blasts_per_mm3
    if request.cycle.number != 1 or request.dose_day != 1 or blasts is None:
        return None
    if above(blasts, MAX_BLASTS_BEFORE_C1D1_PER_MM3):
        return finding(
            profile,
            Rule.CYTOREDUCTION,
            "cytoreduction_required",
            f"peripheral blasts {fmt_thousands_against(blasts, MAX_BLASTS_BEFORE_C1D1_PER_MM3)}"
            "/mm³ are above "
            f"{fmt_thousands(MAX_BLASTS_BEFORE_C1D1_PER_MM3)}/mm³: cytoreduce (hydroxyurea, "
            "steroids and/or vincristine) before Cycle 1 Day 1",
        )
    return None
