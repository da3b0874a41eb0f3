"""Paragraphs that do their costly work once.

Parsing the markup and breaking it into lines are most of a paragraph's cost. Tables wrap
each cell again to draw it and KeepInFrame wraps its content twice, and the dose pages
repeat most of their text; line breaking depends only on the text, the style and the
width, so the result is kept per width and shared by twins (same text and style).
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Paragraph
from reportlab.rl_config import _FUZZ


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
            return super().wrap(availWidth, availHeight)
        done = self._breaks.get(availWidth)
        if done is None:
            width, height = super().wrap(availWidth, availHeight)
            self._breaks[availWidth] = (self.blPara, self._wrapWidths, height)
            return width, height
        # split() may have dropped blPara: restore all that wrap() would have set
        self.blPara, self._wrapWidths, self.height = done
        self.width = availWidth
        return availWidth, self.height
