"""A month view of the cycle: dose days, their ±2-day windows, the dose-free interval and
the day the next cycle is due. Each mark has a word in its cell as well as a colour."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from besponsa_desktop.entry import MONTHS, WEEKDAYS, human_date

DOSE, WINDOW, DOSE_FREE, NEXT_CYCLE, IN_CYCLE = "dose", "window", "dose_free", "next", "cycle"
HELD = "held"  # a dose day under HOLD: not a dose to give
_FILL = {
    DOSE: QColor("#1f4e9c"),
    WINDOW: QColor("#dbe6f7"),
    DOSE_FREE: QColor("#ececec"),
    NEXT_CYCLE: QColor("#fff4cc"),
    IN_CYCLE: QColor("#ffffff"),
    HELD: QColor("#ffffff"),
}


@dataclass
class Cell:
    day: date
    marks: set[str] = field(default_factory=set)
    text: str = ""  # the word in the cell: "Day 8", "window", "no dose", "C2 due"


def cells_for(plan: Any) -> list[Cell]:
    """Whole weeks (Monday first) from the cycle's first week to the next cycle's Day 1.
    Under HOLD no day reads as a dose to give: the dose days say "on hold", and there are
    no windows and no next cycle due."""
    if plan.decision.value == "hold":
        return _held_cells(plan)
    cycle = plan.cycle
    first = cycle.start_date - timedelta(days=cycle.start_date.weekday())
    last = cycle.next_cycle_due + timedelta(days=6 - cycle.next_cycle_due.weekday())
    cells: dict[date, Cell] = {}
    day = first
    while day <= last:
        cells[day] = Cell(day)
        if cycle.start_date <= day < cycle.next_cycle_due:
            cells[day].marks.add(IN_CYCLE)
        day += timedelta(days=1)
    if cycle.dose_free_from is not None:
        day = cycle.dose_free_from
        while day < cycle.next_cycle_due:
            cells[day].marks.add(DOSE_FREE)
            cells[day].text = "no dose"
            day += timedelta(days=1)
    for dose in plan.doses:
        day = dose.window_start
        while day <= dose.window_end:
            if day != dose.date:
                cells[day].marks.add(WINDOW)
                cells[day].text = f"D{dose.day} window"
            day += timedelta(days=1)
    for dose in plan.doses:
        cells[dose.date].marks.add(DOSE)
        cells[dose.date].text = f"Day {dose.day}"
    due = cells[cycle.next_cycle_due]
    due.marks.add(NEXT_CYCLE)
    due.text = f"C{cycle.number + 1} due"
    return list(cells.values())


def _held_cells(plan: Any) -> list[Cell]:
    cycle = plan.cycle
    first = cycle.start_date - timedelta(days=cycle.start_date.weekday())
    last = cycle.last_day + timedelta(days=6 - cycle.last_day.weekday())
    cells: dict[date, Cell] = {}
    day = first
    while day <= last:
        cells[day] = Cell(day)
        if cycle.start_date <= day <= cycle.last_day:
            cells[day].marks.add(IN_CYCLE)
        day += timedelta(days=1)
    for dose in plan.doses:
        cells[dose.date].marks.add(HELD)
        cells[dose.date].text = f"D{dose.day} on hold"
    return list(cells.values())


def describe(plan: Any) -> str:
    """The calendar in words, for a screen reader and the tooltip."""
    if plan.decision.value == "hold":
        return "ON HOLD: no dose to give; " + "; ".join(
            f"Day {d.day} ({human_date(d.date)}) on hold" for d in plan.doses)
    parts = [f"Day {d.day}: {human_date(d.date)}" for d in plan.doses]
    if plan.cycle.dose_free_from:
        parts.append(f"dose-free from {human_date(plan.cycle.dose_free_from)}")
    parts.append(f"cycle {plan.cycle.number + 1} due {human_date(plan.cycle.next_cycle_due)}")
    return "; ".join(parts)


class CycleCalendar(QWidget):
    CELL_H = 38

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cells: list[Cell] = []
        self.setAccessibleName("Cycle calendar")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_plan(self, plan: Any) -> None:
        self.cells = cells_for(plan) if plan is not None else []
        text = describe(plan) if plan is not None else ""
        self.setAccessibleDescription(text)
        self.setToolTip(text)
        self.updateGeometry()
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def sizeHint(self) -> QSize:
        weeks = len(self.cells) // 7
        return QSize(560, 22 + weeks * self.CELL_H + 2)

    def paintEvent(self, _event: object) -> None:
        if not self.cells:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        width = (self.width() - 2) / 7
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setPen(QColor("#444444"))
        painter.setFont(small)
        for col, name in enumerate(WEEKDAYS):
            painter.drawText(QRectF(1 + col * width, 0, width, 20), Qt.AlignmentFlag.AlignCenter,
                             name)
        for index, cell in enumerate(self.cells):
            row, col = divmod(index, 7)
            rect = QRectF(1 + col * width, 22 + row * self.CELL_H, width, self.CELL_H)
            self._paint_cell(painter, rect, cell, small, bold, index == 0)
        painter.end()

    def _paint_cell(self, painter: QPainter, rect: QRectF, cell: Cell, small: QFont,
                    bold: QFont, first: bool) -> None:
        marks = cell.marks
        kind = next((k for k in (DOSE, HELD, NEXT_CYCLE, WINDOW, DOSE_FREE, IN_CYCLE)
                     if k in marks), None)
        fill = _FILL[kind] if kind else QColor("#f7f7f7")
        painter.fillRect(rect, fill)
        if kind == DOSE_FREE:  # hatched as well as grey: not only a colour
            painter.fillRect(rect, QBrush(QColor("#c4c4c4"), Qt.BrushStyle.BDiagPattern))
        painter.setPen(QPen(QColor("#b0b0b0"), 1))
        painter.drawRect(rect)
        if kind == NEXT_CYCLE:
            painter.setPen(QPen(QColor("#8a6d00"), 3))
            painter.drawRect(rect.adjusted(2, 2, -2, -2))
        if kind == HELD:  # dashed grey: a day that was to be a dose, now not to be given
            painter.fillRect(rect, QBrush(QColor("#d0d0d0"), Qt.BrushStyle.BDiagPattern))
            painter.setPen(QPen(QColor("#6a6a6a"), 2, Qt.PenStyle.DashLine))
            painter.drawRect(rect.adjusted(2, 2, -2, -2))
        text_colour = QColor("#ffffff") if kind == DOSE else QColor("#202020")
        if kind is None:
            text_colour = QColor("#9a9a9a")
        painter.setPen(text_colour)
        label = str(cell.day.day)
        if first or cell.day.day == 1:
            label += f" {MONTHS[cell.day.month - 1]}"
        painter.setFont(small)
        painter.drawText(rect.adjusted(4, 2, -4, -2),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, label)
        if cell.text:
            painter.setFont(bold if kind in (DOSE, NEXT_CYCLE) else small)
            painter.drawText(rect.adjusted(4, 2, -4, -3),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                             cell.text)
