"""The cycle as the patient's course records it: each dose given (with the time), still to
come (with its date, moved or re-based), held, omitted or not given because treatment was
discontinued, with the reason; and the state of the course. The sheet thus matches the
record: the dose pages and the calendar use the same dates."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import Flowable, Spacer, TableStyle

from besponsa_desktop.printing import fonts
from besponsa_desktop.printing.options import CourseRecord
from besponsa_desktop.printing.styles import Kit, make_table
from besponsa_desktop.printing.text import day, moment

_GRID = TableStyle([
    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
    ("FONTNAME", (0, 0), (-1, 0), fonts.BOLD),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
])


def when_text(dose: object) -> str:
    given_at = getattr(dose, "given_at", None)
    on = getattr(dose, "date", None)
    if given_at is not None:
        return moment(given_at)
    return day(on) if on is not None else "—"


def course_section(record: CourseRecord, kit: Kit, width: float) -> list[Flowable]:
    st = kit.styles
    out: list[Flowable] = [kit.p(f"Cycle {record.cycle} in the patient's record", st.h2)]
    if record.state:
        out.append(kit.m(f"<b>{kit.esc(record.state)}</b>", st.body))
    body: list[list[object]] = [["Day", "Status", "Date", "Reason"]]
    for dose in record.doses:
        body.append([
            f"Day {dose.day}",
            kit.p(dose.status_text.upper(), st.cell),
            when_text(dose),
            kit.p(dose.reason or "", st.cell),
        ])
    table = make_table(body, colWidths=[width * f for f in (0.1, 0.3, 0.25, 0.35)],
                       repeatRows=1)
    table.setStyle(_GRID)
    out.append(table)
    if record.chain_head:
        out.append(kit.p(f"Record chain head {record.chain_head} (audit verify --expect "
                         f"{record.chain_head} checks the database still holds this record).",
                         st.small))
    out.append(Spacer(1, 6))
    return out
