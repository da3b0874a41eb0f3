"""Where layout matters: the tables the nurse fills in, vector tick boxes, embedded fonts,
reproducible bytes."""

from __future__ import annotations

import io
import re
from datetime import datetime

from reportlab.platypus import Table

from besponsa_desktop.printing import fonts
from besponsa_desktop.printing.boxes import TickBox, TimeField, WriteLine
from besponsa_desktop.printing.checklist import checklist_section, preparation_section
from besponsa_desktop.printing.document import render_pdf
from besponsa_desktop.printing.options import PrintOptions
from besponsa_desktop.printing.styles import Kit, make_styles
from tests.printing.conftest import PRINTED_AT, pdf_pages, plan_for


def _kit() -> Kit:
    fonts.body_fonts()
    return Kit(make_styles(), None)


def _tables(flowables):
    for f in flowables:
        if isinstance(f, Table):
            yield f
        content = getattr(f, "_content", None)
        if content:
            yield from _tables(content)


def _text(cell) -> str:
    return cell.getPlainText() if hasattr(cell, "getPlainText") else str(cell)


def test_premedication_table_has_a_row_per_drug_class_with_blanks_to_fill(proceed_plan):
    tables = list(_tables(checklist_section(proceed_plan, proceed_plan.doses[0], _kit(), 500)))
    premed = next(t for t in tables if _text(t._cellvalues[0][1]) == "Premedication")
    header = [_text(c) for c in premed._cellvalues[0]]
    assert header == ["Given", "Premedication", "Time given", "Initials"]
    rows = premed._cellvalues[1:]
    assert [_text(r[1]).split()[0] for r in rows] == ["Corticosteroid", "Antipyretic",
                                                     "Antihistamine"]
    for row in rows:
        assert isinstance(row[0], TickBox)
        assert "as prescribed: ___" in _text(row[1])  # no order set: written by hand
        assert row[3] == ""
        assert isinstance(row[2], TimeField)


def test_signature_table_has_the_three_roles(proceed_plan):
    tables = list(_tables(checklist_section(proceed_plan, proceed_plan.doses[0], _kit(), 500)))
    sig = next(t for t in tables if _text(t._cellvalues[0][0]) == "Step")
    assert [_text(c) for c in sig._cellvalues[0]] == ["Step", "Name", "Signature", "Date and time"]
    roles = [_text(r[0]) for r in sig._cellvalues[1:]]
    assert roles[0] == "Prepared by"
    assert roles[1].startswith("Independent double check (second person)")
    assert roles[2] == "Administered by"


def test_preparation_steps_each_have_a_tick_box_and_three_time_fields(proceed_plan):
    flowables = preparation_section(proceed_plan.doses[0], _kit(), 500, proceed_plan)
    tables = list(_tables(flowables))
    steps = tables[0]._cellvalues
    assert len(steps) == 4 and all(isinstance(row[0], TickBox) for row in steps)
    write_ins = [_text(c) for c in tables[1]._cellvalues[0] if not isinstance(c, WriteLine)]
    assert write_ins == ["Vial lot", "Expiry"]
    times = [c for c in tables[2]._cellvalues[0] if isinstance(c, TimeField)]
    assert len(times) == 3


def test_tick_boxes_are_drawn_not_typed(proceed_pdf):
    # No dingbat or box glyph fonts: they print as filled squares in poppler.
    raw = proceed_pdf.decode("latin-1")
    assert "ZapfDingbats" not in raw
    assert not any(ch in "".join(pdf_pages(proceed_pdf)) for ch in "☐☑☒■□")


def test_dejavu_is_embedded_and_helvetica_unused(proceed_pdf):
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(proceed_pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            if font["/Subtype"] == "/Type0":
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                assert "/FontFile2" in descriptor.get_object()  # embedded TrueType
    assert any(n.endswith("+DejaVuSans") for n in names)
    assert any(n.endswith("+DejaVuSans-Bold") for n in names)
    assert not any("Helvetica" in n for n in names)


def test_every_printed_character_has_a_glyph(proceed_pages):
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(fonts.BODY).face
    bold = pdfmetrics.getFont(fonts.BOLD).face
    text = "".join(proceed_pages)
    # the core's messages use these; Helvetica has none of ×, ⁹, ≤, ², ³, →
    text += "×10⁹/L ≤ ± µmol/L m² mm³ → – —"
    missing = {
        ch
        for ch in set(text)
        if not ch.isspace() and (ord(ch) not in face.charToGlyph or ord(ch) not in bold.charToGlyph)
    }
    assert missing == set()


def test_chinese_names_are_embedded_in_a_cjk_font():
    plan = plan_for({"patient": {"name": "王小明"}})
    data = render_pdf(plan, PrintOptions(printed_at=PRINTED_AT, hospital_name="北京协和医院"))
    text = " ".join(pdf_pages(data))
    assert "王小明" in text and "北京协和医院" in text
    assert fonts.cjk_font() == fonts.CJK_EMBEDDED  # found on this machine: embedded
    assert b"+WenQuanYiMicroHei" in data and b"/FontFile2" in data


def test_same_plan_and_time_give_the_same_bytes(proceed_plan):
    options = PrintOptions(hospital_name="St Mary", printed_at=PRINTED_AT)
    assert render_pdf(proceed_plan, options) == render_pdf(proceed_plan, options)


def test_printed_time_defaults_to_now(proceed_plan):
    before = datetime.now()
    text = pdf_pages(render_pdf(proceed_plan))[0]
    stamp = re.search(r"Printed \w{3} (\d+ \w{3} \d{4} \d\d:\d\d)", text)
    assert stamp is not None
    printed = datetime.strptime(stamp.group(1), "%d %b %Y %H:%M")
    assert abs((printed - before.replace(second=0, microsecond=0)).total_seconds()) <= 120
