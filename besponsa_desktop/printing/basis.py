"""How the doses were reached (dosing basis) and when they fall (the infusion calendar)."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Spacer, TableStyle

from besponsa_desktop.core.models import Plan
from besponsa_desktop.core.regimen import MIN_DAYS_BETWEEN_DOSES
from besponsa_desktop.printing import fonts
from besponsa_desktop.printing.calendar_grid import (
    MonthGrid,
    marks_for,
    month_title,
    months_spanned,
)
from besponsa_desktop.printing.styles import Kit, make_table
from besponsa_desktop.printing.text import count, day, qty, span

_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
)


def bsa_text(plan: Plan) -> str:
    text = f"{qty(plan.bsa_m2, 'm²')} — {plan.bsa_formula_text}"
    if plan.bsa_m2_used != plan.bsa_m2_exact:
        text += (
            f". Calculated {qty(plan.bsa_m2_exact, 'm²')}; capped at {qty(plan.bsa_m2_used, 'm²')} "
            "by the institution's setting"
        )
    return text


def basis_section(plan: Plan, kit: Kit, width: float) -> list[Flowable]:
    st = kit.styles
    label_w = 118
    rows = [
        ("Height", qty(plan.height_cm, "cm", 1)),
        ("Weight", qty(plan.weight_kg, "kg", 1)),
        ("Measured on", day(plan.measured_on)),
        ("Body surface area", bsa_text(plan)),
        ("Dose level", f"{plan.dose_level} — {plan.dose_level_reason}"),
    ]
    # plain-string cells where the text is short and ours: much faster than paragraphs
    facts = make_table(
        [[k, v if len(v) < 60 else kit.p(v, st.cell)] for k, v in rows],
        colWidths=[label_w, width - label_w],
    )
    facts.setStyle(_GRID)
    facts.setStyle(TableStyle([("FONTNAME", (0, 0), (0, -1), fonts.BOLD)]))

    body: list[list[object]] = [
        ["Day", "Date", "mg/m²", "Dose", "Volume\nto withdraw", "Vials\nto open"]
    ]
    for dose in plan.doses:
        body.append(
            [
                f"Day {dose.day}",
                day(dose.date),
                qty(dose.mg_per_m2, "mg/m²", 3),
                qty(dose.dose_mg, "mg"),
                qty(dose.volume_ml, "mL"),
                str(dose.vials),
            ]
        )
    body.append(
        [
            "Cycle total",
            count(len(plan.doses), "dose"),
            qty(plan.total_mg_per_m2, "mg/m²", 3),
            qty(plan.total_mg, "mg"),
            "",
            "",
        ]
    )
    fractions = (0.13, 0.22, 0.15, 0.15, 0.19, 0.16)
    doses = make_table(body, colWidths=[width * f for f in fractions], repeatRows=1)
    doses.setStyle(_GRID)
    doses.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), fonts.BOLD),
                ("FONTNAME", (0, 0), (0, -1), fonts.BOLD),
                ("FONTNAME", (3, 0), (3, -1), fonts.BOLD),
                ("FONTNAME", (0, -1), (-1, -1), fonts.BOLD),
                ("LINEABOVE", (0, -1), (-1, -1), 1.5, colors.black),
                ("LINEBELOW", (0, 0), (-1, 0), 1.5, colors.black),
            ]
        )
    )
    return [
        kit.p("Dosing basis", st.h1),
        facts,
        Spacer(1, 5),
        doses,
        Spacer(1, 3),
        kit.p(f"Rounding convention: {plan.rounding_convention}", st.small),
    ]


def calendar_lines(plan: Plan) -> list[str]:
    """The calendar in words (markup): each dose with its date and window, the dose-free
    interval, the next cycle."""
    lines = []
    for dose in plan.doses:
        text = f"<b>Day {dose.day}: {day(dose.date)} — {qty(dose.dose_mg, 'mg')}</b>"
        if dose.window_start != dose.window_end:
            text += (
                f"; may be given {span(dose.window_start, dose.window_end)}, at least "
                f"{MIN_DAYS_BETWEEN_DOSES} days after the previous dose"
            )
        else:
            text += "; Day 1 has no window (a later Day 1 moves the whole cycle)"
        lines.append(text)
    free = plan.cycle.dose_free_from
    if free is not None:
        last = plan.cycle.last_day
        lines.append(f"<b>Dose-free interval:</b> {span(free, last)}")
    else:
        lines.append(f"<b>Dose-free interval:</b> none in a {plan.cycle.length_days}-day cycle 1")
    lines.append(
        f"<b>Next cycle (cycle {plan.cycle.number + 1}) Day 1 due:</b> "
        f"{day(plan.cycle.next_cycle_due)}, if the plan for it allows"
    )
    return lines


KEY = (
    "<b>Key:</b> thick border = dose day with its dose; dashed border = a day the Day 8 or "
    "Day 15 dose may be given instead (±2 days, at least 6 days after the previous dose); "
    "diagonal lines = dose-free "
    "interval; double border = the next cycle's Day 1; D1, D2 ... = day of this cycle; "
    "shaded = a date shown in the neighbouring month; grey numbers = not a day of this cycle."
)


def calendar_section(plan: Plan, kit: Kit, width: float) -> list[Flowable]:
    st = kit.styles
    marks = marks_for(plan)
    months = months_spanned(plan)
    row_height = 38 if len(months) == 1 else 36
    grids = [
        [
            kit.p(month_title(year, month), st.calendar_title),
            MonthGrid(year, month, marks, row_height=row_height),
        ]
        for year, month in months
    ]
    intro: list[Flowable] = [
        kit.p(f"Infusion calendar — cycle {plan.cycle.number}", st.h1),
        *[kit.m(line, st.body) for line in calendar_lines(plan)],
        Spacer(1, 2),
    ]
    key = [Spacer(1, 3), kit.m(KEY, st.small)]
    grids[-1] += key  # the key stays with the grid it explains
    return [
        KeepTogether([*intro, *grids[0]]),
        *[KeepTogether(grid) for grid in grids[1:]],
    ]
