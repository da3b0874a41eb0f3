"""Re-planning a moved Day 8 or 15 dose: ±2-day window, ≥6 days after the previous dose."""

from datetime import date

from besponsa_desktop.core.schedule import reschedule_options

START = date(2026, 12, 1)


def test_day_8_without_constraint_offers_its_whole_window():
    replan = reschedule_options(START, 8, date(2026, 12, 1))
    assert replan.dates == [date(2026, 12, d) for d in (7, 8, 9, 10)]


def test_day_8_when_day_1_was_given_late_starts_six_days_after_it():
    replan = reschedule_options(START, 8, date(2026, 12, 3))
    assert replan.dates == [date(2026, 12, 9), date(2026, 12, 10)]


def test_day_15_after_a_late_day_8_has_no_date_and_says_why():
    replan = reschedule_options(START, 15, date(2026, 12, 12))
    assert replan.dates == []
    assert "Fri 18 Dec 2026" in replan.reason and "Table 4" in replan.reason


def test_every_offered_date_is_in_window_and_six_days_after_previous():
    for given in range(1, 13):
        previous = date(2026, 12, given)
        for d in reschedule_options(START, 15, previous).dates:
            assert date(2026, 12, 13) <= d <= date(2026, 12, 17)
            assert (d - previous).days >= 6


def test_day_1_cannot_be_moved_within_the_cycle():
    assert reschedule_options(START, 1, None).dates == []
