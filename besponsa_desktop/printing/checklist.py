"""One dose: how to prepare it, and the checklist the nurse fills in while giving it.

Every amount comes from the Plan's Dose; every limit from the core's named constants.
Boxes to tick and times to write are vector shapes (see boxes).
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepInFrame,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)

from besponsa_desktop.core import preparation
from besponsa_desktop.core.models import Dose, Plan, Preparation
from besponsa_desktop.core.numbers import exact, fmt, fmt_against, fmt_exact, fmt_thousands
from besponsa_desktop.core.regimen import MIN_DAYS_BETWEEN_DOSES
from besponsa_desktop.core.toxicity import BILIRUBIN_LIMIT_X_ULN, TRANSAMINASE_LIMIT_X_ULN
from besponsa_desktop.printing import fonts
from besponsa_desktop.printing.boxes import TickBox, TimeField, WriteLine
from besponsa_desktop.printing.options import FROM_50_ML_BAG, PrintOptions
from besponsa_desktop.printing.styles import Kit, make_table
from besponsa_desktop.printing.text import count, day, qty, span

DRUG = "inotuzumab ozogamicin"
BOX_COL = 7 * mm

PREMEDICATIONS = ("Corticosteroid", "Antipyretic", "Antihistamine")  # with no order set
AS_PRESCRIBED = "as prescribed: ______________________________"

SIGNATURE_ROLES = (
    ("Prepared by", ""),
    (
        "Independent double check (second person)",
        "drug, dose, calculation, volume, route, rate, expiry, cycle, day",
    ),
    ("Administered by", ""),
)

_PLAIN = [
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("LEFTPADDING", (0, 0), (-1, -1), 2),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
]


def _ticks(kit: Kit, items: list[str], width: float) -> Table:
    """Rows of [tick box | markup text]."""
    table = make_table(
        [[TickBox(), kit.m(text, kit.styles.step)] for text in items],
        colWidths=[BOX_COL, width - BOX_COL],
    )
    table.setStyle(
        TableStyle(
            [*_PLAIN, ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 3)]
        )
    )
    return table


def _times(kit: Kit, fields: list[tuple[str, str]], width: float) -> Table:
    """A row of labelled time boxes: [label | __:__ | note] ..."""
    cells: list[object] = []
    widths: list[float] = []
    field = 22 * mm
    # label columns share the width by label length, so none needs to wrap
    weights = [max(len(label), len(note) * 0.8) for label, note in fields]
    free = width - field * len(fields)
    for (label, note), weight in zip(fields, weights, strict=True):
        text = f"<b>{label}</b>" + (f"<br/><font size='7.5'>{note}</font>" if note else "")
        cells += [kit.m(text, kit.styles.cell), TimeField()]
        widths += [free * weight / sum(weights), field]
    table = make_table([cells], colWidths=widths)
    table.setStyle(TableStyle(_PLAIN))
    table.hAlign = "LEFT"
    return table


def _observed(kit: Kit, observe_text: str, width: float) -> Table:
    """[box] observed for at least 1 hour ... | Observation ended at | __:__ on one line."""
    text = kit.m(
        f"Patient observed for <b>at least {observe_text}</b> after the end of the infusion.",
        kit.styles.step,
    )
    label = kit.m("<b>Observation ended at</b>", kit.styles.cell)
    widths = [BOX_COL, 0, 44 * mm, 24 * mm]
    widths[1] = width - sum(widths)
    table = make_table([[TickBox(), text, label, TimeField()]], colWidths=widths)
    table.setStyle(TableStyle(_PLAIN))
    return table


def _heading(kit: Kit, text: str) -> Flowable:
    return kit.p(text, kit.styles.h2)


def dose_title(plan: Plan, dose: Dose, kit: Kit, width: float) -> Table:
    st = kit.styles
    rows: list[list[object]] = [
        [
            kit.m(f"Day {dose.day} — {day(dose.date)}", st.h1),
            kit.m(f"{DRUG} {qty(dose.dose_mg, 'mg')}", st.h1),
        ],
    ]
    detail = (
        f"{qty(dose.mg_per_m2, 'mg/m²', 3)} for BSA {qty(plan.bsa_m2, 'm²')} · by intravenous "
        f"infusion · cycle {plan.cycle.number}, dose level {plan.dose_level}"
    )
    if dose.window_start != dose.window_end:
        detail += (
            f"<br/>May be given {span(dose.window_start, dose.window_end)}, at least "
            f"{MIN_DAYS_BETWEEN_DOSES} days after the previous dose."
        )
    rows.append([kit.m(detail, st.body), ""])
    table = make_table(rows, colWidths=[width * 0.45, width * 0.55])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 2.5, colors.black),
                ("SPAN", (0, 1), (1, 1)),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
            ]
        )
    )
    return table


def _dilution_step(dose: Dose, dilution: str) -> str:
    """How the 50 mL is made, as the institution does it (setting ``dilution_method``)."""
    # a bag dose always has its bag's numbers (None only for a small dose)
    assert dose.diluent_total_ml is not None and dose.sodium_chloride_ml is not None
    assert dose.final_concentration_mg_per_ml is not None
    total = qty(dose.diluent_total_ml, "mL")
    final = qty(dose.final_concentration_mg_per_ml, "mg/mL", 4)
    if dilution == FROM_50_ML_BAG:
        return (
            f"<b>Take a {total} bag of 0.9% sodium chloride; first withdraw and discard "
            f"{qty(dose.volume_ml, 'mL')}</b> of it, <b>then add the "
            f"{qty(dose.volume_ml, 'mL')}</b> of {DRUG}: {total} in all, {final}. "
            "<b>Protect from light.</b>"
        )
    return (
        f"<b>Into an empty infusion bag, put {qty(dose.sodium_chloride_ml, 'mL')} of 0.9% "
        f"sodium chloride and add the {qty(dose.volume_ml, 'mL')}</b> of {DRUG}: {total} "
        f"in all, {final}. <b>Protect from light.</b>"
    )


def _write_ins(kit: Kit, labels: list[tuple[str, float]], width: float) -> Table:
    """Labelled lines to write on, side by side: [label | ______] ..."""
    cells: list[object] = []
    widths: list[float] = []
    for label, share in labels:
        cells += [kit.m(f"<b>{label}</b>", kit.styles.cell), WriteLine(6 * mm)]
        text_w = 4 * mm + 2.2 * mm * len(label)
        widths += [text_w, width * share - text_w]
    table = make_table([cells], colWidths=widths)
    table.setStyle(TableStyle(_PLAIN))
    table.hAlign = "LEFT"
    return table


def _check_note(plan: Plan, dose: Dose) -> str:
    """How each number follows from the printed ones, so a second person can recompute it;
    and how far the measured amount is from the dose calculated from the unrounded BSA."""
    sign = "+" if dose.deviation_pct > 0 else ""
    return (
        f"{qty(plan.bsa_m2, 'm²')} × {qty(dose.mg_per_m2, 'mg/m²', 4)} = "
        f"{qty(dose.dose_mg, 'mg')}; {qty(dose.dose_mg, 'mg')} ÷ "
        f"{qty(preparation.CONCENTRATION_MG_PER_ML, 'mg/mL')} rounded to "
        f"{qty(plan.request.volume_rounding_ml, 'mL')} = {qty(dose.volume_ml, 'mL')}, which "
        f"delivers {qty(dose.delivered_mg, 'mg', 4)}: {sign}{fmt(dose.deviation_pct)}% from "
        f"the {qty(dose.dose_mg_exact, 'mg', 4)} calculated from the unrounded BSA."
    )


def _withdrawn(dose: Dose) -> str:
    """What the volume holds (mL × 0.25 mg/mL), and the dose when rounding the volume made
    it differ: '6 mL' holds 1.5 mg, never labelled 1.51 mg."""
    held = qty(dose.delivered_mg, "mg", 4)
    if dose.delivered_mg == dose.dose_mg:
        return held
    return f"= {held}; the dose is {qty(dose.dose_mg, 'mg')}"


def _small_dose_steps(dose: Dose, kit: Kit) -> list[str]:
    """A dose too small for the label's 50 mL bag: the institution's protocol numbers when
    one covers it, otherwise none — the pharmacist writes in what the protocol gives."""
    if dose.diluent_total_ml is not None and dose.sodium_chloride_ml is not None:
        return [
            f"<b>Add to 0.9% sodium chloride to a total of {qty(dose.diluent_total_ml, 'mL')} "
            f"in a syringe</b> (that is {qty(dose.sodium_chloride_ml, 'mL')} of 0.9% sodium "
            f"chloride + {qty(dose.volume_ml, 'mL')}; "
            f"{qty(dose.final_concentration_mg_per_ml or 0, 'mg/mL', 4)}), as the "
            f"institution's small-volume protocol <b>{kit.esc(dose.preparation_protocol or '')}"
            "</b> says (the institution's protocol, not the label's). <b>Protect from light.</b>",
        ]
    return [
        "<b>Small dose: prepare by the institution's small-volume (syringe) protocol.</b> "
        f"In the label's {qty(preparation.TOTAL_VOLUME_ML, 'mL')} bag this dose would be "
        f"below {qty(preparation.FINAL_CONCENTRATION_MG_PER_ML[0], 'mg/mL')}; this program "
        "does not give syringe volumes. The pharmacist writes the protocol, its total volume, "
        "infusion time and rate below. <b>Protect from light.</b>",
    ]


def preparation_section(dose: Dose, kit: Kit, width: float, plan: Plan,
                        dilution: str = "empty_bag") -> list[Flowable]:
    conc = preparation.CONCENTRATION_MG_PER_ML
    note = _check_note(plan, dose)
    small = dose.preparation is Preparation.SMALL_DOSE
    steps = [
        f"<b>Open {count(dose.vials, 'vial')}</b> of {DRUG} (counted by "
        f"{qty(preparation.DELIVERABLE_MG_PER_VIAL, 'mg')} = "
        f"{qty(preparation.DELIVERABLE_ML_PER_VIAL, 'mL')} deliverable per vial).",
        f"<b>Reconstitute each vial with {qty(dose.reconstitution_water_ml_per_vial, 'mL')} "
        f"Sterile Water for Injection</b> to {qty(conc, 'mg/mL')}. "
        "<b>Swirl gently; do not shake.</b>",
        f"<b>Withdraw {qty(dose.volume_ml, 'mL')}</b> ({_withdrawn(dose)}). "
        f"Discard the rest. <font size='7.5'>{note}</font>",
    ]
    if small:
        steps += _small_dose_steps(dose, kit)
    else:
        steps.append(_dilution_step(dose, dilution))
    if small:
        steps.append(
            "<b>Pharmacist confirmed the small-dose preparation</b> (the program asked for "
            "this confirmation before printing): name ____________________"
        )
    to_dilution = preparation.RECONSTITUTED_TO_DILUTED_MAX_H
    to_end = preparation.RECONSTITUTED_TO_END_OF_INFUSION_MAX_H
    heading = "A. Preparation" + (
        " — SMALL DOSE: institution's small-volume (syringe) protocol" if small else ""
    )
    protocol_lines: list[Flowable] = []
    if small and dose.diluent_total_ml is None:
        protocol_lines.append(
            _write_ins(
                kit,
                [("Protocol", 0.4), ("Total mL", 0.2), ("Minutes", 0.2), ("mL/h", 0.2)],
                width,
            )
        )
    return [
        _heading(kit, heading),
        _ticks(kit, steps, width),
        *protocol_lines,
        _write_ins(kit, [("Vial lot", 0.5), ("Expiry", 0.5)], width),
        Spacer(1, 3),
        _times(
            kit,
            [
                ("Reconstituted at", ""),
                ("Dilute by", f"reconstituted + {to_dilution} h"),
                ("Infusion must end by", f"reconstituted + {to_end} h"),
            ],
            width,
        ),
    ]


def values_used(plan: Plan, dose: Dose) -> tuple[str, str, str]:
    """Beside each criterion, the values this plan was made with (liver, counts,
    toxicity); a later dose of the cycle needs new results, and says so."""
    labs = plan.request.labs
    events = plan.request.events

    def ratio(name: str, value: float, uln: float, limit: float) -> str:
        # as entered, and the ratio with the places that show its side of the limit
        exact_ratio = exact(value) / exact(uln)
        return (f"{name} {fmt_exact(value)} = {fmt_against(exact_ratio, limit)} × ULN "
                f"(ULN {fmt_exact(uln)})")

    when = f"labs of {day(labs.taken_on)}"
    if dose.day != plan.dose_day:
        when += "; new results are needed before this dose"
    bili, transaminase = BILIRUBIN_LIMIT_X_ULN, TRANSAMINASE_LIMIT_X_ULN
    liver = "; ".join((
        ratio("total bilirubin", labs.total_bilirubin, labs.total_bilirubin_uln, bili),
        ratio("AST", labs.ast, labs.ast_uln, transaminase),
        ratio("ALT", labs.alt, labs.alt_uln, transaminase)))
    counts = (f"ANC {fmt_exact(labs.anc)} ×10⁹/L, platelets {fmt_exact(labs.platelets)} ×10⁹/L"
              + (" (after a transfusion)" if labs.platelets_after_transfusion else ""))
    if labs.peripheral_blasts_per_mm3 is not None:
        counts += f", peripheral blasts {fmt_thousands(labs.peripheral_blasts_per_mm3)}/mm³"
    grade = events.nonhematologic_grade
    toxicity = (f"worst non-haematologic grade {grade}"
                + (f" (before treatment {events.nonhematologic_pretreatment_grade})"
                   if grade else "")
                + f"; VOD/SOS {'yes' if events.vod else 'no'}; severe liver toxicity "
                f"{'yes' if events.severe_liver_toxicity else 'no'}")
    return (f"{liver} ({when})", f"{counts} ({when})", toxicity)


def checklist_section(plan: Plan, dose: Dose, kit: Kit, width: float,
                      options: PrintOptions | None = None) -> list[Flowable]:
    st = kit.styles
    options = options or PrintOptions()
    # the criteria are the core's words, built from the limits its rules apply; beside
    # each, the values the plan used
    liver, counts_text, toxicity_text = dose.before_dose
    liver_used, counts_used, toxicity_used = values_used(plan, dose)
    used = "<br/><font size='8'>Plan made with: {}</font>"
    before = [
        f"<b>Liver tests reviewed</b>: {kit.esc(liver)}." + used.format(kit.esc(liver_used)),
        f"<b>Blood count reviewed</b>: {kit.esc(counts_text)}."
        + used.format(kit.esc(counts_used)),
        f"<b>Toxicity</b>: {kit.esc(toxicity_text)}." + used.format(kit.esc(toxicity_used)),
    ]
    allergies = make_table(
        [[kit.m("<b>Allergies</b>", st.cell), WriteLine(6 * mm), TickBox(),
          kit.m("none known", st.cell)]],
        colWidths=[24 * mm, width - 24 * mm - BOX_COL - 26 * mm, BOX_COL, 26 * mm],
    )
    allergies.setStyle(TableStyle(_PLAIN))
    out: list[Flowable] = [
        _heading(
            kit, "B. Before the dose — if any is not met, do not give: contact the prescriber"
        ),
        _ticks(kit, before, width),
        allergies,
    ]
    premed = _premedication_table(kit, options, width)
    out += [
        _heading(kit, "Premedication before every dose"
                 + (" (the institution's order set)" if options.premedications
                    else " (drug and dose as prescribed)")),
        premed,
    ]
    out += [
        _heading(kit, "C. The infusion"),
        _ticks(
            kit,
            [
                "<b>Intravenous infusion only</b> — never an intravenous push or bolus.",
                infusion_text(dose),
            ],
            width,
        ),
        _times(kit, [("Infusion started at", ""), ("Infusion ended at", "")], width * 0.7),
    ]
    observe = preparation.OBSERVE_AFTER_MINUTES
    observe_text = f"{observe // 60} hour" if observe == 60 else f"{observe} minutes"
    reaction = make_table(
        [
            [
                "Infusion reaction?",
                TickBox(),
                "No",
                TickBox(),
                "Yes → action taken:",
                WriteLine(),
            ]
        ],
        colWidths=[36 * mm, BOX_COL, 12 * mm, BOX_COL, 44 * mm, 0],
    )
    reaction._argW[-1] = width - sum(reaction._argW[:-1])
    reaction.setStyle(
        TableStyle(
            [*_PLAIN, ("FONTSIZE", (0, 0), (-1, -1), 9.5), ("FONTNAME", (0, 0), (0, 0), fonts.BOLD)]
        )
    )
    out += [
        _heading(kit, "D. Afterwards"),
        _observed(kit, observe_text, width),
        Spacer(1, 2),
        reaction,
        kit.p(
            "On a reaction: stop the infusion, treat, tell the prescriber (severe or "
            "life-threatening: treatment is stopped permanently).",
            st.small,
        ),
    ]
    sig_rows: list[list[object]] = [["Step", "Name", "Signature", "Date and time"]]
    for role, what in SIGNATURE_ROLES:
        text = f"<b>{role}</b>" + (f"<br/><font size='7'>{what}</font>" if what else "")
        # the spacer keeps every row tall enough to sign in, whatever the text
        sig_rows.append([kit.m(text, st.cell), Spacer(1, 5.5 * mm), "", ""])
    sig_widths = [84 * mm, 0, 36 * mm, 30 * mm]
    sig_widths[1] = width - sum(sig_widths)
    signatures = make_table(sig_rows, colWidths=sig_widths)
    signatures.setStyle(
        TableStyle(
            [
                *_PLAIN,
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("LINEBELOW", (0, 0), (-1, 0), 1.5, colors.black),
                ("FONTNAME", (0, 0), (-1, 0), fonts.BOLD),
            ]
        )
    )
    out += [_heading(kit, "E. Signatures"), signatures]
    return out


def infusion_text(dose: Dose) -> str:
    """Rate and duration: the label's bag, the institution's syringe, or none invented."""
    minutes, rate, total = dose.infusion_minutes, dose.rate_ml_per_h, dose.diluent_total_ml
    if minutes is None or rate is None or total is None:
        return (
            "<b>Rate and duration as the institution's small-volume (syringe) protocol "
            "says</b>: ______ mL/h over ______ minutes, at room temperature; protected from "
            "light."
        )
    duration = f"{minutes // 60} hour" if minutes == 60 else f"{minutes} minutes"
    container = "bag" if dose.preparation is Preparation.BAG else "syringe"
    return (
        f"<b>{qty(rate, 'mL/h')} over {duration}</b> ({qty(total, 'mL')}), at room "
        f"temperature; {container} protected from light."
    )


def _premedication_table(kit: Kit, options: PrintOptions, width: float) -> Table:
    """The institution's order set (drug, dose, route, when), or, with none configured,
    one line per usual group to be written in as prescribed."""
    head = ["Given", "Premedication", "Time given", "Initials"]
    rows: list[list[object]] = [list(head)]
    if options.premedications:
        for item in options.premedications:
            rows.append([TickBox(), kit.m(kit.esc(item.text()), kit.styles.cell), TimeField(),
                         ""])
    else:
        for name in PREMEDICATIONS:
            rows.append([TickBox(), kit.m(f"<b>{name}</b> {AS_PRESCRIBED}", kit.styles.cell),
                         TimeField(), ""])
    widths = [13 * mm, 0, 26 * mm, 18 * mm]
    widths[1] = width - sum(widths)
    table = make_table(rows, colWidths=widths,
                       rowHeights=[None] + [7.5 * mm] * (len(rows) - 1))
    table.setStyle(
        TableStyle(
            [
                *_PLAIN,
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("LINEBELOW", (0, 0), (-1, 0), 1.5, colors.black),
                ("FONTNAME", (0, 0), (-1, 0), fonts.BOLD),
            ]
        )
    )
    table.hAlign = "LEFT"
    return table


def doses_on_this_sheet(plan: Plan) -> list[Dose]:
    """The doses still to give, from the day this plan was made for (earlier doses of the
    cycle were given under an earlier plan)."""
    return [dose for dose in plan.doses if dose.day >= plan.dose_day]


def dose_pages(plan: Plan, kit: Kit, width: float, height: float,
               options: PrintOptions | None = None) -> list[Flowable]:
    """Exactly one page per dose: the page goes to the ward with the bag, so its
    preparation, checks and signatures must never be split over two sheets. Content that
    would overflow (a long name in the header, US Letter) is shrunk slightly to fit."""
    out: list[Flowable] = []
    for dose in doses_on_this_sheet(plan):
        content = [dose_title(plan, dose, kit, width), Spacer(1, 2)]
        options = options or PrintOptions()
        content += preparation_section(dose, kit, width, plan, options.dilution)
        content += checklist_section(plan, dose, kit, width, options)
        out += [PageBreak(), KeepInFrame(width, height, content, mode="shrink")]
    return out
