"""Table 2: blood counts gate the start of the next cycle (Day 1 of cycle 2 on) only.

Days 8 and 15 are never held for neutropenia or thrombocytopenia. "Baseline" is the count
before BESPONSA began; the platelet count must not be one raised by a transfusion.

- Baseline ANC ≥ 1 ×10⁹/L: hold the cycle until ANC ≥ 1 ×10⁹/L.
- Baseline platelets ≥ 50 ×10⁹/L: hold the cycle until platelets ≥ 50 ×10⁹/L.
- Baseline ANC < 1 and/or platelets < 50: if either count is below its level at the start
  of the prior cycle, hold until at least one holds: (1) both back to at least the prior
  cycle's start levels; (2) ANC ≥ 1 and platelets ≥ 50; (3) stable or better disease with
  the low counts judged to be the disease.
- US only: discontinue when the low counts last more than 28 days and are drug-related.
"""

from __future__ import annotations

from besponsa_desktop.core.findings import finding
from besponsa_desktop.core.models import Counts, Finding, Labs
from besponsa_desktop.core.numbers import fmt
from besponsa_desktop.core.profiles import LabelProfile, Rule

ANC_RECOVERED = 1.0  # ×10⁹/L
PLATELETS_RECOVERED = 50.0  # ×10⁹/L
CYTOPENIA_DISCONTINUE_AFTER_DAYS = 28


def next_cycle_findings(
    profile: LabelProfile, baseline: Counts, prior_cycle_start: Counts | None, labs: Labs
) -> list[Finding]:
    """Hold (or US: discontinue) reasons for starting a later cycle; empty to proceed."""
    if labs.platelets_after_transfusion:
        return [
            finding(
                profile,
                Rule.COUNTS,
                "platelets_transfused",
                "the platelet count was raised by a transfusion and cannot be used to "
                "start the cycle; repeat the count independent of transfusion",
            )
        ]
    anc, plt = labs.anc, labs.platelets
    held: list[Finding] = []
    if baseline.anc >= ANC_RECOVERED and anc < ANC_RECOVERED:
        held.append(
            finding(
                profile,
                Rule.COUNTS,
                "anc_low",
                f"ANC {fmt(anc)} ×10⁹/L is below {fmt(ANC_RECOVERED)} ×10⁹/L; baseline was "
                f"{fmt(baseline.anc)}. Hold the cycle until ANC is at least "
                f"{fmt(ANC_RECOVERED)} ×10⁹/L",
            )
        )
    if baseline.platelets >= PLATELETS_RECOVERED and plt < PLATELETS_RECOVERED:
        held.append(
            finding(
                profile,
                Rule.COUNTS,
                "platelets_low",
                f"platelets {fmt(plt)} ×10⁹/L are below {fmt(PLATELETS_RECOVERED)} ×10⁹/L; "
                f"baseline was {fmt(baseline.platelets)}. Hold the cycle until platelets "
                f"are at least {fmt(PLATELETS_RECOVERED)} ×10⁹/L",
            )
        )
    if baseline.anc < ANC_RECOVERED or baseline.platelets < PLATELETS_RECOVERED:
        held += _low_baseline_findings(profile, baseline, prior_cycle_start, labs)
    if held and profile.discontinue_cytopenia_over_28_days:
        over = _over_28_days(profile, labs)
        if over:
            return [over]
    return held


def _low_baseline_findings(
    profile: LabelProfile, baseline: Counts, prior: Counts | None, labs: Labs
) -> list[Finding]:
    anc, plt = labs.anc, labs.platelets
    if prior is None:
        # Only Days 8 and 15 reach here without prior-cycle counts, and they are not gated.
        return []
    fell = anc < prior.anc or plt < prior.platelets
    if not fell:
        return []  # release (1): both at least at the prior cycle's start levels
    if anc >= ANC_RECOVERED and plt >= PLATELETS_RECOVERED:
        return []  # release (2)
    if labs.low_counts_attributed_to_disease:
        return []  # release (3)
    return [
        finding(
            profile,
            Rule.COUNTS,
            "anc_low" if anc < prior.anc else "platelets_low",
            f"baseline counts were low (ANC {fmt(baseline.anc)}, platelets "
            f"{fmt(baseline.platelets)} ×10⁹/L) and counts have fallen since the start of "
            f"the prior cycle (ANC {fmt(prior.anc)} → {fmt(anc)}, platelets "
            f"{fmt(prior.platelets)} → {fmt(plt)} ×10⁹/L). Hold until both are back to the "
            f"prior cycle's levels, or ANC ≥ {fmt(ANC_RECOVERED)} and platelets ≥ "
            f"{fmt(PLATELETS_RECOVERED)} ×10⁹/L, or the disease is stable or better and the "
            "low counts are judged to be the disease",
        )
    ]


def _over_28_days(profile: LabelProfile, labs: Labs) -> Finding | None:
    days = labs.low_counts_duration_days
    if days > CYTOPENIA_DISCONTINUE_AFTER_DAYS and not labs.low_counts_attributed_to_disease:
        return finding(
            profile,
            Rule.COUNTS_28_DAYS,
            "cytopenia_over_28_days",
            f"low ANC or platelets have lasted {days} days (more than "
            f"{CYTOPENIA_DISCONTINUE_AFTER_DAYS}) and are not attributed to the disease: "
            "discontinue if thought to be related to inotuzumab ozogamicin",
        )
    return None
