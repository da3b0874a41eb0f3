"""The nurses' printout as a PDF: render_pdf(plan) -> bytes; write_pdf(plan, path).

On PROCEED: the decision, the dosing basis, the infusion calendar, one page per dose
(preparation and the administration checklist) and the counselling. On HOLD, DISCONTINUE
or NOT ELIGIBLE: the decision in large type with its numbered reasons, and nothing that
could be used to prepare a dose.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from besponsa_desktop.core.models import Decision, Plan
from besponsa_desktop.files import write_atomic
from besponsa_desktop.printing import fonts
from besponsa_desktop.printing.basis import basis_section, calendar_section
from besponsa_desktop.printing.checklist import dose_pages
from besponsa_desktop.printing.counselling import counselling_section
from besponsa_desktop.printing.decision import decision_section
from besponsa_desktop.printing.options import PrintOptions
from besponsa_desktop.printing.page import header_table, numbered_canvas
from besponsa_desktop.printing.styles import Kit, make_styles
from besponsa_desktop.printing.text import has_cjk

PAGE_SIZES = {"A4": A4, "Letter": LETTER}
MARGIN = 11 * mm
HEADER_GAP = 3 * mm


def _needs_cjk(plan: Plan, options: PrintOptions) -> bool:
    texts = [plan.patient.name, plan.patient.mrn, options.hospital_name,
             plan.request.prescriber, options.pharmacist]
    texts += [p.drug for p in options.premedications]
    if options.double_check is not None:
        texts.append(options.double_check.checked_by)
    return any(has_cjk(t) for t in texts)


def story(plan: Plan, kit: Kit, width: float, height: float = 10_000,
          options: PrintOptions | None = None) -> list[Flowable]:
    """The sheet's content, in order (the tests inspect it as well as the PDF). With the
    patient's course (``options.course``), what it records for the cycle follows the
    decision."""
    course = options.course if options is not None else None
    out = decision_section(plan, kit, width)
    if course is not None:
        from besponsa_desktop.printing.course_record import course_section

        out += course_section(course, kit, width)
    if plan.decision is not Decision.PROCEED:
        return out  # nothing to prepare from: no doses, no calendar, no checklist
    out += basis_section(plan, kit, width)
    out += calendar_section(plan, kit, width)
    out += dose_pages(plan, kit, width, height, options or PrintOptions())
    out += counselling_section(plan, kit, width)
    return out


def render_pdf(plan: Plan, options: PrintOptions | None = None) -> bytes:
    options = options or PrintOptions()
    printed_at = options.printed_at or datetime.now().astimezone()
    fonts.body_fonts()
    kit = Kit(make_styles(), fonts.cjk_font() if _needs_cjk(plan, options) else None)
    page_w, page_h = PAGE_SIZES[options.page_size]
    width = page_w - 2 * MARGIN
    header = header_table(plan, options, printed_at, kit, width)
    _, header_h = header.wrap(width, page_h)
    top = page_h - MARGIN
    frame_h = top - header_h - HEADER_GAP - MARGIN
    frame = Frame(
        MARGIN,
        MARGIN,
        width,
        frame_h,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )

    def draw_header(canvas, doc):  # type: ignore[no-untyped-def]
        # The header is the same on every page (the page number is added at the end):
        # draw it once as a form and place that form on each page; faster, smaller file.
        if not getattr(canvas, "_besponsa_header", False):
            canvas.beginForm("header")
            header.drawOn(canvas, MARGIN, top - header_h)
            canvas.endForm()
            canvas._besponsa_header = True
        canvas.doForm("header")

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=(page_w, page_h),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"Inotuzumab ozogamicin (BESPONSA) — cycle {plan.cycle.number}",
        author="besponsa-desktop",
        creator=f"besponsa-desktop {plan.program_version}",
        # identical bytes for an identical plan and time stamp (no creation-time noise)
        invariant=1,
        initialFontName=fonts.BODY,  # else every page names Helvetica, which lacks our glyphs
    )
    doc.addPageTemplates([PageTemplate(id="sheet", frames=[frame], onPage=draw_header)])
    canvasmaker = numbered_canvas((MARGIN + width - 4, top - 11))
    use_a85 = rl_config.useA85
    # binary streams: ASCII85 only makes the file bigger, and is slow without rl_accel
    rl_config.useA85 = 0
    try:
        doc.build(story(plan, kit, width, frame_h, options), canvasmaker=canvasmaker)
    finally:
        rl_config.useA85 = use_a85
    return buffer.getvalue()


def write_pdf(plan: Plan, path: Path, options: PrintOptions | None = None) -> None:
    """Render first, then write atomically: a failure leaves no file, never half of one."""
    write_atomic(Path(path), render_pdf(plan, options))
