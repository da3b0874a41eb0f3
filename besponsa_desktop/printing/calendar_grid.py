"""The infusion calendar: one month grid per month the cycle touches (Monday first).

Every mark has a shape as well as words, so it survives a black-and-white photocopy:
a dose day has a thick border and its dose in bold; the ±2-day window of Days 8 and 15 a
dashed border; the dose-free interval diagonal hatching; the next cycle's Day 1 a double
border. All dates and doses come from the Plan.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from reportlab.lib import colors
from reportlab.platypus import Flowable

from besponsa_desktop.core.models import Plan
from besponsa_desktop.printing import fonts
from besponsa_desktop.printing.text import MONTH_NAMES, qty


class Kind(Enum):
    OUTSIDE = "outside"  # not a day of this cycle
    CYCLE = "cycle"
    WINDOW = "window"
    DOSE = "dose"
    FREE = "free"
    NEXT = "next"


@dataclass(frozen=True)
class Mark:
    kind: Kind
    lines: tuple[str, ...] = ()
    cycle_day: int | None = None


def marks_for(plan: Plan) -> dict[date, Mark]:
    """What each date of the cycle shows, from the cycle start to the next cycle's Day 1."""
    start, due = plan.cycle.start_date, plan.cycle.next_cycle_due
    marks: dict[date, Mark] = {}
    on = start
    while on < due:
        marks[on] = Mark(Kind.CYCLE, (), (on - start).days + 1)
        on += timedelta(days=1)
    if plan.cycle.dose_free_from is not None:
        on = plan.cycle.dose_free_from
        while on < due:
            marks[on] = Mark(Kind.FREE, ("no dose",), marks[on].cycle_day)
            on += timedelta(days=1)
    for dose in plan.doses:
        on = dose.window_start
        while on <= dose.window_end:
            if on != dose.date and on in marks:
                marks[on] = Mark(
                    Kind.WINDOW, ("window for", f"Day {dose.day} dose"), marks[on].cycle_day
                )
            on += timedelta(days=1)
    for dose in plan.doses:
        marks[dose.date] = Mark(
            Kind.DOSE, (f"DOSE Day {dose.day}", qty(dose.dose_mg, "mg")), marks[dose.date].cycle_day
        )
    marks[due] = Mark(Kind.NEXT, (f"Cycle {plan.cycle.number + 1}", "Day 1 due"))
    return marks


def months_spanned(plan: Plan) -> list[tuple[int, int]]:
    first, last = plan.cycle.start_date, plan.cycle.next_cycle_due
    months: list[tuple[int, int]] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_title(year: int, month: int) -> str:
    return f"{MONTH_NAMES[month - 1]} {year}"


_WEEKDAY_HEADS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class MonthGrid(Flowable):
    """One month, Monday to Sunday, a row for each week that holds a day of the cycle."""

    HEAD = 13.0

    def __init__(self, year: int, month: int, marks: dict[date, Mark], row_height: float = 40):
        super().__init__()
        self.year, self.month, self.marks = year, month, marks
        # only the weeks this cycle touches: fewer rows, less to misread
        self.weeks = [
            week
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
            if any(on in marks and on.month == month for on in week)
        ]
        self.row_height = row_height
        self.width = 0.0
        self.height = self.HEAD + row_height * len(self.weeks)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        col = self.width / 7
        top = self.height
        canv.setFont(fonts.BOLD, 8.5)
        for i, name in enumerate(_WEEKDAY_HEADS):
            canv.drawCentredString(col * i + col / 2, top - self.HEAD + 3.5, name)
        for row, week in enumerate(self.weeks):
            y = top - self.HEAD - (row + 1) * self.row_height
            for i, on in enumerate(week):
                self._cell(on, col * i, y, col, self.row_height)
        # the grid over everything, so every cell has a visible edge
        canv.setStrokeColor(colors.black)
        canv.setLineWidth(0.5)
        rows = len(self.weeks)
        for r in range(rows + 1):
            y = top - self.HEAD - r * self.row_height
            canv.line(0, y, self.width, y)
        for c in range(8):
            canv.line(c * col, top - self.HEAD, c * col, top - self.HEAD - rows * self.row_height)

    def _cell(self, on: date, x: float, y: float, w: float, h: float) -> None:
        canv = self.canv
        in_month = on.month == self.month
        mark = self.marks.get(on, Mark(Kind.OUTSIDE))
        if not in_month:
            # a date of the neighbouring month: its own grid shows it
            canv.saveState()
            canv.setFillColor(colors.Color(0.93, 0.93, 0.93))
            canv.rect(x, y, w, h, stroke=0, fill=1)
            canv.restoreState()
            return
        canv.saveState()
        if mark.kind is Kind.FREE:
            self._hatch(x, y, w, h)
        inset = 3.0
        if mark.kind is Kind.DOSE:
            canv.setLineWidth(2.5)
            canv.rect(x + inset, y + inset, w - 2 * inset, h - 2 * inset, stroke=1, fill=0)
        elif mark.kind is Kind.WINDOW:
            canv.setLineWidth(1)
            canv.setDash(3, 2)
            canv.rect(x + inset, y + inset, w - 2 * inset, h - 2 * inset, stroke=1, fill=0)
            canv.setDash()
        elif mark.kind is Kind.NEXT:
            canv.setLineWidth(1)
            canv.rect(x + inset, y + inset, w - 2 * inset, h - 2 * inset, stroke=1, fill=0)
            canv.rect(
                x + inset + 2, y + inset + 2, w - 2 * inset - 4, h - 2 * inset - 4, stroke=1, fill=0
            )
        # date of the month, top left; day of the cycle, top right
        grey = mark.kind is Kind.OUTSIDE
        canv.setFillColor(colors.Color(0.45, 0.45, 0.45) if grey else colors.black)
        canv.setFont(fonts.BOLD if not grey else fonts.BODY, 9)
        canv.drawString(x + 5, y + h - 11, str(on.day))
        if mark.cycle_day is not None:
            canv.setFont(fonts.BODY, 6.5)
            # "D6": the day of the cycle, kept small so it is not read as a dose label
            canv.drawRightString(x + w - 5, y + h - 10, f"D{mark.cycle_day}")
        if mark.lines:
            bold = mark.kind in (Kind.DOSE, Kind.NEXT)
            size = 8 if bold else 7
            # lines start below the date row and stay inside the inner border
            first = y + h - 13 - size
            for i, line in enumerate(mark.lines):
                ly = first - i * (size + 1.5)
                canv.setFont(fonts.BOLD if bold else fonts.BODY, size)
                if mark.kind is Kind.FREE:
                    tw = canv.stringWidth(line, fonts.BODY, size)
                    canv.setFillColor(colors.white)
                    canv.rect(x + w / 2 - tw / 2 - 2, ly - 2, tw + 4, size + 2, stroke=0, fill=1)
                    canv.setFillColor(colors.black)
                canv.drawCentredString(x + w / 2, ly, line)
        canv.restoreState()

    def _hatch(self, x: float, y: float, w: float, h: float) -> None:
        canv = self.canv
        canv.saveState()
        path = canv.beginPath()
        path.rect(x, y, w, h)
        canv.clipPath(path, stroke=0, fill=0)
        canv.setStrokeColor(colors.Color(0.5, 0.5, 0.5))
        canv.setLineWidth(0.5)
        step = 6.0
        offset = -h
        while offset < w:
            canv.line(x + offset, y, x + offset + h, y + h)
            offset += step
        canv.restoreState()
