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

For cycle 2 the prior cycle is cycle 1, whose start counts are the baseline. Each hold names
the count that blocks: a count at or above its recovery limit is not low; among the counts
below their limits, those that also fell since the prior cycle's start block (all of them if
none fell). Counts are compared exactly, as entered.
"""

from __future__ import annotations

from besponsa_desktop.core.findings import finding
from besponsa_desktop.core.models import Counts, Finding, Labs
from besponsa_desktop.core.numbers import below, fmt, fmt_against
from besponsa_desktop.core.profiles import LabelProfile, Rule

ANC_RECOVERED = 1.0  # ×10⁹/L
PLATELETS_RECOVERED = 50.0  # ×10⁹/L
CYTOPENIA_DISCONTINUE_AFTER_DAYS = 28


def prior_cycle_start(
    cycle_number: int, baseline: Counts | None, given: Counts | None
) -> Counts | None:
    """The counts at the start of the prior cycle: as given, or for cycle 2 the baseline
    (cycle 1 started from it)."""
    if given is not None:
        return given
    return baseline if cycle_number == 2 else None


def next_cycle_findings(
    profile: LabelProfile,
    baseline: Counts,
    prior_cycle_start: Counts | None,
    labs: Labs,
    prior_is_baseline: bool = False,
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
    if not below(baseline.anc, ANC_RECOVERED) and below(anc, ANC_RECOVERED):
        held.append(
            finding(
                profile,
                Rule.COUNTS,
                "anc_low",
                f"ANC {fmt_against(anc, ANC_RECOVERED)} ×10⁹/L is below "
                f"{fmt(ANC_RECOVERED)} ×10⁹/L; baseline was "
                f"{fmt(baseline.anc)}. Hold the cycle until ANC is at least "
                f"{fmt(ANC_RECOVERED)} ×10⁹/L",
            )
        )
    if not below(baseline.platelets, PLATELETS_RECOVERED) and below(plt, PLATELETS_RECOVERED):
        held.append(
            finding(
                profile,
                Rule.COUNTS,
                "platelets_low",
                f"platelets {fmt_against(plt, PLATELETS_RECOVERED)} ×10⁹/L are below "
                f"{fmt(PLATELETS_RECOVERED)} ×10⁹/L; "
                f"baseline was {fmt(baseline.platelets)}. Hold the cycle until platelets "
                f"are at least {fmt(PLATELETS_RECOVERED)} ×10⁹/L",
            )
        )
    if below(baseline.anc, ANC_RECOVERED) or below(baseline.platelets, PLATELETS_RECOVERED):
        named = {item.code for item in held}
        held += [
            item
            for item in _low_baseline_findings(
                profile, baseline, prior_cycle_start, labs, prior_is_baseline
            )
            if item.code not in named  # rows 1 and 2 already hold for that count
        ]
    if held and profile.discontinue_cytopenia_over_28_days:
        over = _over_28_days(profile, labs)
        if over:
            return [over]
    return held


def _low_baseline_findings(
    profile: LabelProfile,
    baseline: Counts,
    prior: Counts | None,
    labs: Labs,
    prior_is_baseline: bool,
) -> list[Finding]:
    anc, plt = labs.anc, labs.platelets
    if prior is None:
        # Only Days 8 and 15 reach here without prior-cycle counts, and they are not gated.
        return []
    anc_fell, plt_fell = below(anc, prior.anc), below(plt, prior.platelets)
    if not (anc_fell or plt_fell):
        return []  # release (1): both at least at the prior cycle's start levels
    anc_low, plt_low = below(anc, ANC_RECOVERED), below(plt, PLATELETS_RECOVERED)
    if not (anc_low or plt_low):
        return []  # release (2)
    if labs.low_counts_attributed_to_disease:
        return []  # release (3)
    low = [("anc_low", anc_low, anc_fell), ("platelets_low", plt_low, plt_fell)]
    blocking = [code for code, is_low, fell in low if is_low and fell] or [
        code for code, is_low, _ in low if is_low
    ]
    where = "cycle 1 (the baseline)" if prior_is_baseline else "the prior cycle"
    words = {"anc_low": "ANC", "platelets_low": "platelets"}
    return [
        finding(
            profile,
            Rule.COUNTS,
            code,
            f"{words[code]} blocks the cycle: baseline counts were low (ANC "
            f"{fmt_against(baseline.anc, ANC_RECOVERED)}, platelets "
            f"{fmt_against(baseline.platelets, PLATELETS_RECOVERED)} ×10⁹/L) and counts "
            f"have fallen since the start of {where} (ANC {fmt_against(prior.anc, anc)} → "
            f"{fmt_against(anc, prior.anc)}, platelets {fmt_against(prior.platelets, plt)} → "
            f"{fmt_against(plt, prior.platelets)} ×10⁹/L). Hold until both are back to "
            f"those levels, or ANC ≥ {fmt(ANC_RECOVERED)} and platelets ≥ "
            f"{fmt(PLATELETS_RECOVERED)} ×10⁹/L, or the disease is stable or better and the "
            "low counts are judged to be the disease",
        )
        for code in blocking
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
