"""What every page carries: who the sheet is for, which cycle, the decision, whether the
inputs were double-checked, when and by what it was printed, and "page x of y"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table, TableStyle

from besponsa_desktop.core.models import Decision, Plan
from besponsa_desktop.printing import fonts
from besponsa_desktop.printing.options import PrintOptions
from besponsa_desktop.printing.styles import Kit, make_table
from besponsa_desktop.printing.text import day, moment, span

DRUG_TITLE = "Inotuzumab ozogamicin (BESPONSA)"
PAGE_NUMBER_WIDTH = 80.0

DECISION_WORDS = {
    Decision.PROCEED: "PROCEED",
    Decision.HOLD: "HOLD — do not prepare",
    Decision.DISCONTINUE: "DISCONTINUE — do not prepare",
    Decision.NOT_ELIGIBLE: "NOT ELIGIBLE — do not prepare",
}

NOT_VERIFIED = "NOT YET VERIFIED — height and weight have not been independently double-checked"
WRITE_IN = "________________"


def nb(text: str) -> str:
    """Plain text whose words stay on one line (no-break spaces). Apply it before escaping,
    never to markup: it would turn ``<font name=…>`` into ``<font&nbsp;name=…>``."""
    return text.replace(" ", "\u00a0")


def verification_text(options: PrintOptions) -> str:
    check = options.double_check
    if check is None:
        return NOT_VERIFIED
    # exactly what the second person did: the rest is checked at the bedside (section E)
    return (f"Height and weight re-entered blind by {check.checked_by} at "
            f"{moment(check.checked_at)}: they match the plan")


def header_table(
    plan: Plan, options: PrintOptions, printed_at: datetime, kit: Kit, width: float
) -> Table:
    st = kit.styles
    e = kit.esc
    title = f"<b>{e(options.hospital_name)}</b> · " if options.hospital_name else ""
    title += f"<b>{DRUG_TITLE}</b> · nurses' sheet"
    patient = plan.patient
    who = (
        # no line break between a label and its value, nor inside a date
        f"{e(patient.name)} &nbsp; <font size='9'>MRN</font>&nbsp;{e(nb(patient.mrn))} &nbsp; "
        f"<font size='9'>born</font>&nbsp;{e(nb(day(patient.date_of_birth)))} &nbsp; "
        f"<font size='9'>sex</font>&nbsp;{patient.sex.value}"
    )
    cycle = plan.cycle
    last_day = cycle.last_day
    cycle_text = (
        f"<b>Cycle {cycle.number}</b> ({cycle.length_days} days): "
        f"{span(cycle.start_date, last_day)} &nbsp;·&nbsp; "
        f"Decision: <b>{e(DECISION_WORDS[plan.decision])}</b>"
    )
    printed = (
        f"Printed {moment(printed_at)} · besponsa-desktop {e(plan.program_version)} · "
        f"label profile {plan.label.value}: {e(plan.label_document)}"
    )
    verified = options.double_check is not None
    prescriber = plan.request.prescriber or WRITE_IN
    pharmacist = options.pharmacist or WRITE_IN
    names = (f"Prescriber: <b>{nb(e(prescriber))}</b> &nbsp;·&nbsp; "
             f"Pharmacist: <b>{nb(e(pharmacist))}</b>")
    rows = [
        [kit.m(title, st.header), ""],
        [kit.m(who, st.header_big), ""],
        [kit.m(cycle_text, st.body), ""],
        [kit.m(names, st.body), ""],
        [kit.m(e(verification_text(options)), st.reverse if not verified else st.cell_bold), ""],
        [kit.m(printed, st.small), ""],
    ]
    table = make_table(rows, colWidths=[width - PAGE_NUMBER_WIDTH, PAGE_NUMBER_WIDTH])
    style = [
        ("SPAN", (0, 1), (1, 1)),
        ("SPAN", (0, 2), (1, 2)),
        ("SPAN", (0, 3), (1, 3)),
        ("SPAN", (0, 4), (1, 4)),
        ("SPAN", (0, 5), (1, 5)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("BOX", (0, 1), (-1, 3), 1.2, colors.black),
        ("LINEBELOW", (0, -1), (-1, -1), 1.2, colors.black),
    ]
    if not verified:
        style.append(("BACKGROUND", (0, 4), (-1, 4), colors.black))
    else:
        style.append(("BOX", (0, 4), (-1, 4), 0.8, colors.black))
    table.setStyle(TableStyle(style))
    return table


def numbered_canvas(page_number_at: tuple[float, float]) -> type[Canvas]:
    """A canvas that holds its pages until the end, then writes 'Page x of y' on each."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for state in self._held:
                self.__dict__.update(state)
                x, y = page_number_at
                self.setFont(fonts.BOLD, 10)
                self.drawRightString(x, y, f"Page {self._pageNumber} of {total}")
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas
