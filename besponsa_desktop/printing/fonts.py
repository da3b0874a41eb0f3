"""Fonts embedded in the printout.

DejaVu Sans is the body font: the core's messages use ×, ⁹, ≤, ±, µ, ², ³, → and –, which the
built-in Helvetica lacks. It ships in resources/fonts/ (so a Windows build has it) and is
also looked for where Debian installs it. Names a user types may be Chinese (or other CJK);
those runs are set in WenQuanYi Micro Hei when it is found, else in the CID font MSung-Light,
which every PDF viewer supplies but which is not embedded. The CJK font is loaded only when
a printout contains CJK text: the file is 5 MB.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

BODY = "BesponsaSans"
BOLD = "BesponsaSans-Bold"
CJK_EMBEDDED = "BesponsaCJK"
CJK_CID = "MSung-Light"


class FontMissing(RuntimeError):
    """The body font was not found: printing without it would drop glyphs silently."""


def _font_dirs() -> list[Path]:
    here = Path(__file__).resolve()
    dirs = [here.parents[2] / "resources" / "fonts"]  # source tree
    bundle = getattr(sys, "_MEIPASS", None)  # a PyInstaller bundle
    if bundle:
        dirs.insert(0, Path(bundle) / "resources" / "fonts")
    dirs += [
        Path("/usr/share/fonts/truetype/dejavu"),
        Path("/usr/share/fonts/dejavu"),
        Path("/usr/share/fonts/TTF"),
    ]
    return dirs


def _find(names: tuple[str, ...], extra_dirs: tuple[Path, ...] = ()) -> Path | None:
    for folder in [*_font_dirs(), *extra_dirs]:
        for name in names:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


@dataclass(frozen=True)
class Fonts:
    body: str
    bold: str


@cache
def body_fonts() -> Fonts:
    regular = _find(("DejaVuSans.ttf",))
    bold = _find(("DejaVuSans-Bold.ttf",))
    if regular is None or bold is None:
        raise FontMissing(
            "DejaVu Sans was not found (resources/fonts/DejaVuSans.ttf); reinstall the program"
        )
    pdfmetrics.registerFont(TTFont(BODY, str(regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
    # <b> in a Paragraph picks the bold face; there is no italic face, so italic maps to
    # the upright one (the printout uses no italics: they photocopy poorly).
    addMapping(BODY, 0, 0, BODY)
    addMapping(BODY, 1, 0, BOLD)
    addMapping(BODY, 0, 1, BODY)
    addMapping(BODY, 1, 1, BOLD)
    return Fonts(BODY, BOLD)


_CJK_FILES = ("wqy-microhei.ttc", "wqy-zenhei.ttc", "msyh.ttc", "simsun.ttc")


def _cjk_dirs() -> tuple[Path, ...]:
    windows = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
    return (Path("/usr/share/fonts/truetype/wqy"), windows)


@cache
def cjk_font() -> str:
    """The font name for CJK runs, registering it on first use."""
    found = _find(_CJK_FILES, _cjk_dirs())
    if found is not None:
        try:
            pdfmetrics.registerFont(TTFont(CJK_EMBEDDED, str(found), subfontIndex=0))
            return CJK_EMBEDDED
        except Exception:  # an unusable file: fall back to the viewer's CJK font
            pass
    from reportlab.pdfbase import cidfonts
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    cidfonts.defaultUnicodeEncodings[CJK_CID] = ("cht", "UniCNS-UCS2-H")
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_CID))
    return CJK_CID
