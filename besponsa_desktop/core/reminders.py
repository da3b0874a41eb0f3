"""Standing label instructions shown with every plan (they apply to every patient)."""

from __future__ import annotations

from besponsa_desktop.core.findings import finding
from besponsa_desktop.core.models import Finding
from besponsa_desktop.core.profiles import LabelProfile, Rule

# The signs of VOD/SOS a patient is told to report, in words a patient understands.
VOD_SIGNS = (
    "rapid weight gain",
    "pain or tenderness under the right ribs (right upper quadrant)",
    "yellow skin or eyes (jaundice)",
    "a swollen abdomen (ascites)",
)


def standing(profile: LabelProfile, hsct_planned: bool) -> list[Finding]:
    out = [
        finding(
            profile,
            Rule.PREMEDICATION,
            "premedication",
            "premedicate before every dose with a corticosteroid, an antipyretic and an "
            "antihistamine",
        ),
        finding(
            profile,
            Rule.MONITORING,
            "labs_before_each_dose",
            "before each dose: liver tests (ALT, AST, total bilirubin, alkaline phosphatase) "
            "and a full blood count",
        ),
        finding(
            profile,
            Rule.PREPARATION,
            "infusion_only",
            "intravenous infusion only, over 1 hour at 50 mL/h; never an intravenous push or bolus",
        ),
        finding(
            profile,
            Rule.MONITORING,
            "observe_after_infusion",
            "observe the patient during the infusion and for at least 1 hour after it ends",
        ),
        finding(
            profile,
            Rule.BOXED,
            "vod_risk",
            "hepatotoxicity including fatal VOD/SOS: watch for " + "; ".join(VOD_SIGNS),
        ),
        finding(
            profile,
            Rule.QT,
            "qt_prolongation",
            "QT prolongation: ECG and electrolytes before starting and periodically; caution "
            "with QT-prolonging drugs",
        ),
        finding(
            profile,
            Rule.MONITORING,
            "myelosuppression",
            "myelosuppression: monitor for infection and bleeding",
        ),
    ]
    if hsct_planned:
        out.append(
            finding(
                profile,
                Rule.BOXED,
                "vod_risk_hsct",
                "HSCT planned: higher risk of VOD/SOS and post-HSCT non-relapse mortality "
                "(more so with conditioning containing 2 alkylating agents and bilirubin ≥ ULN "
                "before HSCT); this is why 2 cycles are recommended",
            )
        )
    if profile.mentions_tumour_lysis:
        out.append(
            finding(
                profile,
                Rule.TLS,
                "tumour_lysis",
                "high tumour burden: uric-acid-lowering premedication and hydration (tumour "
                "lysis syndrome)",
            )
        )
    return out
