"""Paragraph styles. Black only: the sheet is photocopied, so meaning is carried by bold
type, borders and patterns, never by colour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import TableStyle

from besponsa_desktop.printing import fonts
from besponsa_desktop.printing.sizing import Para, SizedTable
from besponsa_desktop.printing.text import markup


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    banner: ParagraphStyle
    banner_reverse: ParagraphStyle
    banner_text: ParagraphStyle
    header: ParagraphStyle
    header_big: ParagraphStyle
    reverse: ParagraphStyle
    step: ParagraphStyle
    calendar_title: ParagraphStyle


def make_styles() -> Styles:
    f = fonts.body_fonts()
    body = ParagraphStyle("body", fontName=f.body, fontSize=9.5, leading=12.5)
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        cell=ParagraphStyle("cell", parent=body, fontSize=9, leading=11.5),
        cell_bold=ParagraphStyle(
            "cell_bold", parent=body, fontName=f.bold, fontSize=9, leading=11.5
        ),
        h1=ParagraphStyle(
            "h1", parent=body, fontName=f.bold, fontSize=14, leading=18, spaceBefore=4, spaceAfter=4
        ),
        h2=ParagraphStyle(
            "h2", parent=body, fontName=f.bold, fontSize=11, leading=13, spaceBefore=4, spaceAfter=1
        ),
        banner=ParagraphStyle("banner", parent=body, fontName=f.bold, fontSize=24, leading=29),
        banner_reverse=ParagraphStyle(
            "banner_reverse",
            parent=body,
            fontName=f.bold,
            fontSize=26,
            leading=32,
            textColor=colors.white,
        ),
        banner_text=ParagraphStyle("banner_text", parent=body, fontSize=11, leading=14),
        header=ParagraphStyle("header", parent=body, fontSize=8.5, leading=10.5),
        header_big=ParagraphStyle(
            "header_big", parent=body, fontName=f.bold, fontSize=11.5, leading=14
        ),
        reverse=ParagraphStyle(
            "reverse",
            parent=body,
            fontName=f.bold,
            fontSize=10,
            leading=12.5,
            textColor=colors.white,
            alignment=TA_CENTER,
        ),
        step=ParagraphStyle("step", parent=body, fontSize=9.5, leading=12),
        calendar_title=ParagraphStyle(
            "calendar_title",
            parent=body,
            fontName=f.bold,
            fontSize=11,
            leading=14,
            spaceBefore=4,
            spaceAfter=2,
        ),
    )


@dataclass(frozen=True)
class Kit:
    """Styles plus the CJK font (when the printout needs one), to make paragraphs."""

    styles: Styles
    cjk: str | None
    # paragraphs made so far, by (markup, style): one document repeats much of its text
    _made: dict[tuple[str, int], Para] = field(default_factory=dict, repr=False, compare=False)

    def esc(self, text: str) -> str:
        """User or core text made safe for paragraph markup."""
        return markup(text, self.cjk)

    def p(self, text: str, style: ParagraphStyle | None = None) -> Para:
        """A paragraph of plain text."""
        return self.m(self.esc(text), style)

    def m(self, marked_up: str, style: ParagraphStyle | None = None) -> Para:
        """A paragraph of markup built here, with user text passed through esc()."""
        style = style or self.styles.body
        key = (marked_up, id(style))  # the styles live as long as the kit
        made = self._made.get(key)
        if made is not None:
            return made.twin()
        self._made[key] = made = Para(marked_up, style)
        return made


def make_table(rows: Sequence[Sequence[object]], **kwargs: object) -> SizedTable:
    """A platypus Table whose plain-string cells (blanks to fill in) use the body font;
    reportlab's default is Helvetica, which would otherwise be named in every page."""
    made = SizedTable(rows, **kwargs)
    made.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.BODY),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("LEADING", (0, 0), (-1, -1), 11.5),
            ]
        )
    )
    return made
