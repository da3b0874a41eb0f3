"""Label profiles: the US Prescribing Information and the EU SmPC.

The two labels share the dosing tables; they differ in who may be treated, in the
contraindications, and in one sentence of the blood-count table (the US 28-day rule).
Every citation the program prints comes from ``cite``; a source marked [verify] was
encoded from a reading of the label whose exact wording was not retrieved (see
shared/clinical-reference.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from besponsa_desktop.core.models import Label


class Rule(StrEnum):
    REGIMEN = "regimen"
    CYCLE_LIMITS = "cycle_limits"
    COUNTS = "counts"
    COUNTS_28_DAYS = "counts_28_days"
    TOXICITY = "toxicity"
    INTERRUPTION = "interruption"
    PREMEDICATION = "premedication"
    CYTOREDUCTION = "cytoreduction"
    MONITORING = "monitoring"
    PREPARATION = "preparation"
    STABILITY = "stability"
    INDICATION = "indication"
    CONTRAINDICATIONS = "contraindications"
    HEPATIC = "hepatic"
    RENAL = "renal"
    BOXED = "boxed"
    QT = "qt"
    CONTRACEPTION = "contraception"
    TLS = "tls"
    PROGRAM = "program"


@dataclass(frozen=True)
class LabelProfile:
    label: Label
    document: str
    min_age_years: int
    # US PI Table 2: discontinue when low counts last >28 days and are drug-related.
    discontinue_cytopenia_over_28_days: bool
    # EU SmPC 4.1: a Ph+ patient must have failed at least one TKI.
    requires_tki_failure_if_ph_positive: bool
    # EU SmPC 4.3 lists contraindications; the US PI lists none [verify].
    has_contraindications: bool
    # EU SmPC 4.4 asks for tumour-lysis prophylaxis in high tumour burden.
    mentions_tumour_lysis: bool
    sources: dict[Rule, str]

    def cite(self, rule: Rule) -> str:
        return self.sources[rule]


_US_SOURCES = {
    Rule.REGIMEN: "US PI Section 2, Table 1",
    Rule.CYCLE_LIMITS: "US PI Section 2, Table 1",
    Rule.COUNTS: "US PI Section 2, Table 2",
    Rule.COUNTS_28_DAYS: "US PI Section 2, Table 2",
    Rule.TOXICITY: "US PI Section 2, Table 3",
    Rule.INTERRUPTION: "US PI Section 2, Table 4 [verify]",
    Rule.PREMEDICATION: "US PI Section 2 (premedication)",
    Rule.CYTOREDUCTION: "US PI Section 2 (cytoreduction)",
    Rule.MONITORING: "US PI Sections 2 and 5",
    Rule.PREPARATION: "US PI Section 2.4",
    Rule.STABILITY: "US PI Section 2.4 [verify]",
    Rule.INDICATION: "US PI Section 1",
    Rule.CONTRAINDICATIONS: "US PI Section 4 (none listed) [verify]",
    Rule.HEPATIC: "US PI Section 8.6 and Section 2, Table 3",
    Rule.RENAL: "US PI Section 8.7",
    Rule.BOXED: "US PI Boxed Warning; Section 5.1",
    Rule.QT: "US PI Section 5",
    Rule.CONTRACEPTION: "US PI Sections 5 and 8",
    Rule.TLS: "EU SmPC Section 4.4",
    Rule.PROGRAM: "program convention (not a label rule)",
}

_EU_SOURCES = {
    Rule.REGIMEN: "EU SmPC Section 4.2, Table 1",
    Rule.CYCLE_LIMITS: "EU SmPC Section 4.2",
    Rule.COUNTS: "EU SmPC Section 4.2, Table 2",
    Rule.COUNTS_28_DAYS: "EU SmPC Section 4.2, Table 2",
    Rule.TOXICITY: "EU SmPC Section 4.2, Table 3",
    Rule.INTERRUPTION: "EU SmPC Section 4.2, Table 4 [verify]",
    Rule.PREMEDICATION: "EU SmPC Section 4.2 (premedication)",
    Rule.CYTOREDUCTION: "EU SmPC Section 4.2 (cytoreduction)",
    Rule.MONITORING: "EU SmPC Sections 4.2 and 4.4",
    Rule.PREPARATION: "EU SmPC Section 6.6",
    Rule.STABILITY: "EU SmPC Section 6.3 [verify]",
    Rule.INDICATION: "EU SmPC Section 4.1",
    Rule.CONTRAINDICATIONS: "EU SmPC Section 4.3",
    Rule.HEPATIC: "EU SmPC Section 4.2 (hepatic impairment)",
    Rule.RENAL: "EU SmPC Section 4.2 (renal impairment)",
    Rule.BOXED: "EU SmPC Section 4.4 (hepatotoxicity, VOD/SOS)",
    Rule.QT: "EU SmPC Section 4.4",
    Rule.CONTRACEPTION: "EU SmPC Section 4.6",
    Rule.TLS: "EU SmPC Section 4.4",
    Rule.PROGRAM: "program convention (not a label rule)",
}

US = LabelProfile(
    label=Label.US,
    document="US Prescribing Information (revision 3/2024)",
    min_age_years=1,
    discontinue_cytopenia_over_28_days=True,
    requires_tki_failure_if_ph_positive=False,
    has_contraindications=False,
    mentions_tumour_lysis=False,
    sources=_US_SOURCES,
)

EU = LabelProfile(
    label=Label.EU,
    document="EU Summary of Product Characteristics",
    min_age_years=18,
    discontinue_cytopenia_over_28_days=False,
    requires_tki_failure_if_ph_positive=True,
    has_contraindications=True,
    mentions_tumour_lysis=True,
    sources=_EU_SOURCES,
)

PROFILES = {Label.US: US, Label.EU: EU}


def profile_for(label: Label) -> LabelProfile:
    return PROFILES[label]
