"""Things to fill in by hand, drawn as vector shapes.

Empty-box glyphs (ZapfDingbats, Unicode ☐) print as filled squares in some viewers
(poppler), so a tick box is a stroked rectangle, and a time field is a box with a colon.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from besponsa_desktop.printing import fonts


class TickBox(Flowable):
    """An empty square to tick: 4.5 mm, 1 pt line, white inside."""

    def __init__(self, size: float = 4.5 * mm) -> None:
        super().__init__()
        self.size = size
        self.width = self.height = size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        self.canv.setLineWidth(1)
        self.canv.rect(0, 0, self.size, self.size, stroke=1, fill=0)


class TimeField(Flowable):
    """A box for a clock time written by hand: '[    :    ]', 20 × 7 mm."""

    def __init__(self, width: float = 20 * mm, height: float = 6.5 * mm) -> None:
        super().__init__()
        self.width, self.height = width, height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.setLineWidth(0.8)
        canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        canv.setFont(fonts.BOLD, 11)
        canv.drawCentredString(self.width / 2, self.height / 2 - 4, ":")


class WriteLine(Flowable):
    """A line to write on (a name, an action taken), filling the width it is given."""

    def __init__(self, height: float = 7 * mm, min_width: float = 20 * mm) -> None:
        super().__init__()
        self.height = height
        self.width = min_width

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = max(self.width, avail_width)
        return self.width, self.height

    def draw(self) -> None:
        self.canv.setLineWidth(0.6)
        self.canv.line(0, 1, self.width, 1)
