"""Text as the printout shows it: ISMP quantities, dates that cannot be misread, and
paragraph markup that is safe for any name a user types (including Chinese).

No reportlab here, so these rules can be tested and reused on their own.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from xml.sax.saxutils import escape

from besponsa_desktop.core.dates import date_text, day_month_text
from besponsa_desktop.core.numbers import fmt

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip

CJK_FONT_TAG = "cjk"  # replaced by the registered CJK font name when markup is built


def day(d: date) -> str:
    """'Tue 1 Dec 2026': weekday, day, month in letters, four-digit year (the core's one
    date text: the machine's locale never changes it)."""
    return date_text(d)


def day_short(d: date) -> str:
    """'Tue 1 Dec' for places where the year is printed next to it."""
    return day_month_text(d)


def moment(t: datetime) -> str:
    """'Mon 23 Nov 2026 08:34' (24-hour clock)."""
    return f"{day(t)} {t.hour:02d}:{t.minute:02d}"


def span(first: date, last: date) -> str:
    """'Tue 1 Dec 2026 – Mon 21 Dec 2026' (both in full: no guessing the year)."""
    return f"{day(first)} – {day(last)}"


def qty(value: float, unit: str, places: int = 2) -> str:
    """ISMP: '0.5 mg', '1 mg', '1.35 mg' — leading zero, no trailing zero, space, unit."""
    return f"{fmt(value, places)} {unit}"


def count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


# Characters DejaVu Sans lacks and a CJK font has: CJK ideographs and punctuation, kana,
# hangul, full-width forms.
_CJK = re.compile(
    "[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3200-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]+"
)


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def markup(text: str, cjk_font: str | None = None) -> str:
    """Escape user text for a reportlab Paragraph; put CJK runs in the CJK font when one
    is given (the body font has no CJK glyphs and would print empty boxes)."""
    if not cjk_font:
        return escape(text)
    out: list[str] = []
    pos = 0
    for match in _CJK.finditer(text):
        out.append(escape(text[pos : match.start()]))
        out.append(f'<font name="{cjk_font}">{escape(match.group())}</font>')
        pos = match.end()
    out.append(escape(text[pos:]))
    return "".join(out)
