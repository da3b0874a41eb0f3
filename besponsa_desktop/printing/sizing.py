"""Paragraphs and tables that size themselves once per width.

Sizing is most of a render: parsing markup and breaking it into lines for a paragraph,
measuring every cell for a table. Tables wrap each cell again to draw it, KeepInFrame wraps
its content twice (to measure, then to draw), and the dose pages repeat most of their
text. The size depends only on the content and the width, so it is kept per width, and a
paragraph's line breaks are shared by its twins (same text and style).

Widths closer than SAME_WIDTH count as one: KeepInFrame measures its content at its width
and draws it at that width less 1e-6 pt, which would otherwise size everything twice.
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Paragraph, Table
from reportlab.rl_config import _FUZZ

SAME_WIDTH = 1e-3  # pt


def _near(a: float | None, b: float) -> bool:
    return a is not None and abs(a - b) < SAME_WIDTH


class Para(Paragraph):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # width -> (blPara, _wrapWidths, height); shared with twins
        self._breaks: dict[float, tuple[Any, list[float], float]] = {}

    def twin(self) -> Para:
        """A new paragraph of the same text and style sharing this one's parse and breaks
        (a new object: a flowable is placed once)."""
        other = Para(self.text, self.style, self.bulletText, frags=self.frags)
        other._breaks = self._breaks
        return other

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if availWidth < _FUZZ:  # no room: reportlab says so without breaking lines
            size: tuple[float, float] = super().wrap(availWidth, availHeight)
            return size
        done = next((v for w, v in self._breaks.items() if _near(w, availWidth)), None)
        if done is None:
            width, height = super().wrap(availWidth, availHeight)
            self._breaks[availWidth] = (self.blPara, self._wrapWidths, height)  # type: ignore[has-type]
            return width, height
        # split() may have dropped blPara: restore all that wrap() would have set
        self.blPara, self._wrapWidths, self.height = done
        self.width = availWidth
        return availWidth, self.height


class SizedTable(Table):
    _sized_for: float | None = None

    def _calc(self, availWidth: float, availHeight: float) -> None:  # wrap() and split()
        if _near(self._sized_for, availWidth):
            return
        super()._calc(availWidth, availHeight)
        # a table sized only as far as availHeight goes (to split it) is sized again
        self._sized_for = availWidth if self._hmax == self._nrows else None

    def setStyle(self, tblstyle: Any) -> None:
        self._sized_for = None  # padding and fonts change the size
        super().setStyle(tblstyle)
