"""Issue 15, finding 7: a window holds only the days a dose may really move to — within
±2 days and at least 6 days after the previous dose."""

from datetime import date, timedelta

from besponsa_desktop.core import schedule
from besponsa_desktop.printing.calendar_grid import Kind, marks_for
from tests.factories import plan_of, request

START = date(2026, 12, 1)


def _cycle_day(n):
    return START + timedelta(days=n - 1)


def test_day_8_window_starts_on_day_7_six_days_after_day_1():
    assert schedule.window(START, 8) == (_cycle_day(6), _cycle_day(10))  # the label's ±2
    assert schedule.allowed_window(START, 8) == (_cycle_day(7), _cycle_day(10))


def test_day_15_window_starts_on_day_14_six_days_after_day_8():
    assert schedule.allowed_window(START, 15) == (_cycle_day(14), _cycle_day(17))


def test_plan_and_printed_calendar_never_offer_a_day_under_6_days_after_the_previous_dose():
    plan = plan_of(request())
    by_day = {d.day: d for d in plan.doses}
    assert by_day[8].window_start == _cycle_day(7)
    assert by_day[15].window_start == _cycle_day(14)
    marks = marks_for(plan)
    assert marks[_cycle_day(6)].kind is Kind.CYCLE
    assert marks[_cycle_day(13)].kind is Kind.CYCLE
    windows = sorted(d for d, m in marks.items() if m.kind is Kind.WINDOW)
    assert windows == [_cycle_day(n) for n in (7, 9, 10, 14, 16, 17)]
    for on in windows:
        moved = int(marks[on].lines[1].split()[1])  # "Day 8 dose"
        previous = by_day[{8: 1, 15: 8}[moved]].date
        assert (on - previous).days >= 6


def test_window_agrees_with_the_dates_the_course_allows_after_doses_given_on_their_day():
    from besponsa_desktop.core import course as c
    from tests.core.course_helpers import first_plan, given, plan_day

    course = given(first_plan(), 1, 1)
    first, last = schedule.allowed_window(START, 8)
    options = c.allowed_dates(course, 1, 8).dates
    assert (options[0], options[-1]) == (first, last)
    course = given(plan_day(course, 1, 8), 1, 8)
    first, last = schedule.allowed_window(START, 15)
    options = c.allowed_dates(course, 1, 15).dates
    assert (options[0], options[-1]) == (first, last)
