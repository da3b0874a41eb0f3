"""Paragraph styles. Black only: the sheet is photocopied, so meaning is carried by bold
type, borders and patterns, never by colour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Table, TableStyle

from besponsa_desktop.printing import fonts
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


class Para(Paragraph):
    """A Paragraph that remembers its last line-breaking: tables wrap each cell again to
    draw it, and KeepTogether wraps its content twice; breaking depends on the width only,
    so an unchanged width reuses the result (about a third of the render time)."""

    _wrapped_for: float | None = None
    _wrapped: tuple[float, float] = (0.0, 0.0)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._wrapped_for == availWidth and hasattr(self, "blPara"):  # split() drops it
            return self._wrapped
        self._wrapped = super().wrap(availWidth, availHeight)
        self._wrapped_for = availWidth
        return self._wrapped


@dataclass(frozen=True)
class Kit:
    """Styles plus the CJK font (when the printout needs one), to make paragraphs."""

    styles: Styles
    cjk: str | None

    def esc(self, text: str) -> str:
        """User or core text made safe for paragraph markup."""
        return markup(text, self.cjk)

    def p(self, text: str, style: ParagraphStyle | None = None) -> Para:
        """A paragraph of plain text."""
        return Para(self.esc(text), style or self.styles.body)

    def m(self, marked_up: str, style: ParagraphStyle | None = None) -> Para:
        """A paragraph of markup built here, with user text passed through esc()."""
        return Para(marked_up, style or self.styles.body)


def make_table(rows: Sequence[Sequence[object]], **kwargs: object) -> Table:
    """A platypus Table whose plain-string cells (blanks to fill in) use the body font;
    reportlab's default is Helvetica, which would otherwise be named in every page."""
    made = Table(rows, **kwargs)
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
