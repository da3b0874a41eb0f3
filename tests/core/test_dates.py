"""One text for a date everywhere (window, printout, command line, the core's messages),
whatever the machine's locale."""

from __future__ import annotations

import locale
from datetime import date

from besponsa_desktop import entry
from besponsa_desktop.core.dates import date_text, short_date_text
from besponsa_desktop.core.numbers import fmt_date
from besponsa_desktop.printing import text as printed
from tests.core.course_helpers import first_plan, given


def test_a_date_reads_the_same_under_a_german_or_chinese_locale(foreign_locales):
    from besponsa_desktop.core import course

    day_1_given = given(first_plan(), 1, 1)
    saved = locale.setlocale(locale.LC_TIME)
    try:
        for name in foreign_locales:
            locale.setlocale(locale.LC_TIME, name)
            day = date(2026, 12, 1)
            assert fmt_date(day) == "Tue 1 Dec 2026", name
            assert date_text(day) == "Tue 1 Dec 2026", name
            assert entry.human_date(day) == "Tue 1 Dec 2026", name
            assert printed.day(day) == "Tue 1 Dec 2026", name
            reason = course.allowed_dates(day_1_given, 1, 8).reason  # a core message
            assert "Sun 6 Dec 2026 to Thu 10 Dec 2026" in reason, name
    finally:
        locale.setlocale(locale.LC_TIME, saved)


def test_every_layer_uses_the_one_date_text():
    for day in (date(2026, 1, 5), date(2027, 2, 28), date(2028, 12, 31)):
        assert fmt_date(day) == date_text(day) == entry.human_date(day) == printed.day(day)
        assert entry.short_date(day) == short_date_text(day)
