"""The first thing on the sheet: may the nurse prepare, and why not if not."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from besponsa_desktop.core.models import Decision, Finding, Plan
from besponsa_desktop.printing.checklist import doses_on_this_sheet
from besponsa_desktop.printing.page import DECISION_WORDS
from besponsa_desktop.printing.styles import Kit, make_table

NO_PREPARATION = (
    "This sheet carries no preparation or administration instructions. Do not prepare or "
    "give inotuzumab ozogamicin. Contact the prescriber and the pharmacist: a new plan is "
    "needed before any dose."
)

PROCEED_TEXT = (
    "Prepare and give the doses of this cycle as set out below, one page per dose. "
    "Before each dose, check the criteria on its page; if one is not met, do not give "
    "the dose and contact the prescriber."
)


def banner(plan: Plan, kit: Kit, width: float) -> Table:
    st = kit.styles
    proceed = plan.decision is Decision.PROCEED
    words = DECISION_WORDS[plan.decision]
    text = PROCEED_TEXT if proceed else NO_PREPARATION
    if proceed and plan.dose_day > 1:
        days = [f"Day {d.day}" for d in doses_on_this_sheet(plan)]
        earlier = [f"Day {d.day}" for d in plan.doses if d.day < plan.dose_day]
        text += (
            f" This plan was made for Day {plan.dose_day}: the dose pages are for "
            f"{' and '.join(days)} only ({', '.join(earlier)} was planned on an earlier sheet)."
        )
    rows = [
        [kit.p(words, st.banner if proceed else st.banner_reverse)],
        [kit.p(text, st.banner_text)],
    ]
    table = make_table(rows, colWidths=[width])
    style = [
        ("BOX", (0, 0), (-1, -1), 3, colors.black),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]
    if not proceed:
        # reversed type: unmistakable, and survives any photocopier
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.black))
    table.setStyle(TableStyle(style))
    return table


def findings_list(
    title: str, items: list[Finding], kit: Kit, width: float, large: bool = False
) -> list[Flowable]:
    """Numbered findings, each with the label section that produced it."""
    if not items:
        return []
    st = kit.styles
    text_style = st.step if large else st.cell
    rows = [
        [
            kit.m(f"<b>{n}.</b>", text_style),
            kit.m(
                f"{kit.esc(item.message)}<br/><font size='7.5'>{kit.esc(item.source)}</font>",
                text_style,
            ),
        ]
        for n, item in enumerate(items, start=1)
    ]
    table = make_table(rows, colWidths=[22, width - 22])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return [kit.p(f"{title} ({len(items)})", st.h2), table]


def decision_section(plan: Plan, kit: Kit, width: float) -> list[Flowable]:
    out: list[Flowable] = [banner(plan, kit, width), Spacer(1, 4)]
    if plan.decision is not Decision.PROCEED:
        out += findings_list(
            f"Why: {DECISION_WORDS[plan.decision].split(' —')[0]}",
            plan.reasons,
            kit,
            width,
            large=True,
        )
        out += findings_list("Also noted", plan.warnings, kit, width)
    else:
        out += findings_list("Read before preparing", plan.warnings, kit, width, large=True)
    return out
