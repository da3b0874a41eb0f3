"""Table 3: non-hematologic toxicity, checked before every dose (Days 1, 8 and 15).

- VOD/SOS or other severe liver toxicity: discontinue permanently.
- Total bilirubin > 1.5 × ULN or AST/ALT > 2.5 × ULN: hold. The label's recovery condition
  (bilirubin ≤ 1.5 × ULN and AST/ALT ≤ 2.5 × ULN before each dose) must hold before every
  dose, so either limit exceeded holds; bilirubin from Gilbert's syndrome or hemolysis is
  exempt.
- Severe or life-threatening infusion-related reaction: discontinue permanently.
- Drug-related non-hematologic toxicity Grade ≥ 2: hold until Grade 1 or the pre-treatment
  grade.

Limits are compared exactly on the values as entered (see numbers.exact), in any unit: a
bilirubin of 1.8 with a ULN of 1.2 is at 1.5 × ULN, within the limit.
"""

from __future__ import annotations

from besponsa_desktop.core.findings import finding
from besponsa_desktop.core.models import Events, Finding, Labs
from besponsa_desktop.core.numbers import at_most, exact, fmt_against, fmt_exact
from besponsa_desktop.core.profiles import LabelProfile, Rule

BILIRUBIN_LIMIT_X_ULN = 1.5
TRANSAMINASE_LIMIT_X_ULN = 2.5
HOLD_FROM_GRADE = 2


def discontinue_findings(profile: LabelProfile, events: Events) -> list[Finding]:
    out: list[Finding] = []
    if events.vod:
        out.append(
            finding(
                profile,
                Rule.TOXICITY,
                "vod",
                "hepatic veno-occlusive disease (VOD/SOS): discontinue permanently",
            )
        )
    if events.severe_liver_toxicity:
        out.append(
            finding(
                profile,
                Rule.TOXICITY,
                "severe_liver_toxicity",
                "severe liver toxicity: discontinue permanently",
            )
        )
    if events.severe_infusion_reaction:
        out.append(
            finding(
                profile,
                Rule.TOXICITY,
                "severe_infusion_reaction",
                "severe or life-threatening infusion-related reaction: discontinue permanently",
            )
        )
    return out


def _breach(name: str, value: float, factor: float, uln: float) -> str | None:
    """``name`` above factor × ULN, in words whose numbers show it above (the value, the
    limit as compared, and the ratio, each with the places that show its side)."""
    if at_most(value, factor, uln):
        return None
    limit = exact(factor) * exact(uln)
    ratio = exact(value) / exact(uln)
    return (
        f"{name} {fmt_against(value, limit)} is above {fmt_exact(factor)} × ULN "
        f"({fmt_exact(limit)}; ULN {fmt_exact(uln)}), {fmt_against(ratio, factor)} × ULN"
    )


def hepatic_breaches(labs: Labs) -> list[str]:
    """Each liver value above its limit, in words with its numbers."""
    found = [
        None
        if labs.bilirubin_from_gilbert_or_hemolysis
        else _breach(
            "total bilirubin",
            labs.total_bilirubin,
            BILIRUBIN_LIMIT_X_ULN,
            labs.total_bilirubin_uln,
        ),
        _breach("AST", labs.ast, TRANSAMINASE_LIMIT_X_ULN, labs.ast_uln),
        _breach("ALT", labs.alt, TRANSAMINASE_LIMIT_X_ULN, labs.alt_uln),
    ]
    return [text for text in found if text]


def hold_findings(profile: LabelProfile, labs: Labs, events: Events) -> list[Finding]:
    out: list[Finding] = []
    breaches = hepatic_breaches(labs)
    if breaches:
        out.append(
            finding(
                profile,
                Rule.TOXICITY,
                "hepatic_limits",
                "; ".join(breaches)
                + ". Hold until bilirubin ≤ 1.5 × ULN and AST and ALT ≤ 2.5 × ULN; "
                "discontinue permanently if they do not recover",
            )
        )
    grade = events.nonhematologic_grade
    if grade >= HOLD_FROM_GRADE and grade > events.nonhematologic_pretreatment_grade:
        out.append(
            finding(
                profile,
                Rule.TOXICITY,
                "nonhematologic_toxicity",
                f"drug-related non-hematologic toxicity Grade {grade} (pre-treatment Grade "
                f"{events.nonhematologic_pretreatment_grade}): hold until Grade 1 or the "
                "pre-treatment grade",
            )
        )
    return out
