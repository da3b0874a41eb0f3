"""What to tell the patient: contraception, breastfeeding, and the signs of VOD/SOS to
report. The end dates are the core's (plan.counselling); nothing is recalculated here."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import Flowable, PageBreak, TableStyle

from besponsa_desktop.core.models import Plan, Sex
from besponsa_desktop.printing.boxes import TickBox
from besponsa_desktop.printing.checklist import BOX_COL
from besponsa_desktop.printing.decision import findings_list
from besponsa_desktop.printing.styles import Kit, make_table
from besponsa_desktop.printing.text import day


def counselling_items(plan: Plan) -> list[str]:
    """Markup lines, each to be ticked when the patient has been told."""
    c = plan.counselling
    items: list[str] = []
    if c.contraception_until is not None and c.last_planned_dose is not None:
        who = "" if plan.patient.sex is Sex.FEMALE else " (a man with a female partner)"
        items.append(
            f"<b>Contraception</b>{who}: effective contraception during treatment and "
            f"<b>until {day(c.contraception_until)}</b> ({c.contraception_months} months "
            f"after the last planned dose, {day(c.last_planned_dose)})."
        )
    if c.breastfeeding_until is not None and c.last_planned_dose is not None:
        items.append(
            f"<b>No breastfeeding</b> during treatment and <b>until "
            f"{day(c.breastfeeding_until)}</b> ({c.breastfeeding_months} months after the last "
            "planned dose)."
        )
    items.append(
        "<b>Report at once any sign of liver damage (VOD/SOS)</b>: "
        + "; ".join(c.report_signs)
        + "."
    )
    return items


def counselling_section(plan: Plan, kit: Kit, width: float) -> list[Flowable]:
    st = kit.styles
    rows = [[TickBox(), kit.m(item, st.step)] for item in counselling_items(plan)]
    table = make_table(rows, colWidths=[BOX_COL, width - BOX_COL])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, colors.black),
            ]
        )
    )
    out: list[Flowable] = [
        PageBreak(),  # its own page: the dose pages can go to the ward one by one
        kit.p("Counselling — tell the patient", st.h1),
        table,
    ]
    out += findings_list("Standing reminders from the label", plan.reminders, kit, width)
    return out
