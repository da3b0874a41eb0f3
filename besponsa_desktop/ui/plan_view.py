"""The output side of the window: the decision banner with its reasons, BSA, the dose table,
the cycle calendar, warnings and reminders; or, while the fields are not valid, what to fix.

The banner's colour is never the only signal: it always carries the decision in words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape as _html_escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from besponsa_desktop.controller import FieldProblem, fmt
from besponsa_desktop.entry import MONTHS, human_date
from besponsa_desktop.ui import look
from besponsa_desktop.ui.calendar_view import CycleCalendar

# decision value -> (words, background, text colour)
BANNERS = {
    "proceed": ("PROCEED", "#1b6e34", "#ffffff"),
    "hold": ("HOLD", "#f2b705", "#1a1a1a"),
    "discontinue": ("DISCONTINUE", "#a4161a", "#ffffff"),
    "not_eligible": ("NOT ELIGIBLE", "#4a1d6e", "#ffffff"),
    "incomplete": ("NOT YET A PLAN", "#d9d9d9", "#1a1a1a"),
    "loading": ("LOADING THE DOSING RULES", "#d9d9d9", "#1a1a1a"),
    "failed": ("NO PLAN — INTERNAL ERROR", "#1a1a1a", "#ffffff"),
}
HEADINGS = ("Day", "Date", "May move to", "mg/m²", "Dose", "Withdraw", "Vials",
            "NaCl 0.9%", "Rate")


LEGEND = (
    "<b>Day N</b> dose day (dark blue) · <b>window</b> a day the dose may move to (±2 "
    "days, at least 6 days after the previous dose; light blue) · <b>no dose</b> dose-free "
    "interval (grey, hatched) · "
    "<b>C due</b> next cycle due (framed)"
)
HELD_LEGEND = (
    "<b>DN on hold</b> the day a dose was planned (dashed, hatched): <b>not to be given</b> "
    "until the hold is resolved and a new plan is made"
)


def escape(text: str) -> str:
    """Text for a rich-text label. Quotes stay as they are: Qt's labels show the hex entity
    html.escape makes of an apostrophe ("day&#x27;s") as it is."""
    return _html_escape(text, quote=False)


def _plain(html: str) -> str:
    """Rich text as words, for a screen reader."""
    import re
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def short_day(day: Any) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


def day_span(first: Any, last: Any) -> str:
    """'6–10 Dec', '29 Dec – 2 Jan': short, so the table fits a narrow window."""
    if first == last:
        return "no window"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {MONTHS[last.month - 1]}"
    return f"{short_day(first)} – {short_day(last)}"


def _section(title: str) -> QLabel:
    label = QLabel(title)
    label.setObjectName("section")
    return label


class DoseTable(QTableWidget):
    """The dose table: every column as wide as its widest text, never cut. When the plan
    area is narrower than the columns (1024 px, or 125–150 % scaling), the table scrolls
    sideways within itself, and is as tall as its rows plus that scroll bar; the banner
    and the rest of the plan still wrap to the window."""

    def fit_height(self) -> None:
        rows = sum(self.rowHeight(r) for r in range(self.rowCount()))
        header = self.horizontalHeader().sizeHint().height()
        columns = sum(self.columnWidth(c) for c in range(self.columnCount()))
        sideways = columns > self.width() - 2 * self.frameWidth()
        bar = self.horizontalScrollBar().sizeHint().height() if sideways else 0
        height = header + rows + 2 * self.frameWidth() + 2 + bar
        if self.height() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_height()


class PlanView(QScrollArea):
    """Renders a core Plan (or the problems). ``fieldActivated`` asks to focus a field."""

    fieldActivated = Signal(str)

    def __init__(self, label_for: Callable[[str], str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet(look.STYLE)
        self.setWidgetResizable(True)
        self.label_for = label_for
        self.decision = "loading"
        body = QWidget()
        body.setObjectName("planBody")
        column = QVBoxLayout(body)
        column.setContentsMargins(8, 6, 8, 8)
        column.setSpacing(6)

        self.banner = QFrame()
        self.banner.setObjectName("banner")
        self.banner.setAccessibleName("Decision")
        banner_layout = QVBoxLayout(self.banner)
        banner_layout.setContentsMargins(12, 8, 12, 10)
        self.banner_title = QLabel()
        self.banner_title.setObjectName("bannerTitle")
        self.banner_title.setWordWrap(True)  # a narrow (or high-DPI) window keeps every word
        self.banner_reasons = QLabel()
        self.banner_reasons.setObjectName("bannerReasons")
        self.banner_reasons.setWordWrap(True)
        self.banner_reasons.setTextFormat(Qt.TextFormat.RichText)
        self.banner_reasons.linkActivated.connect(self._link)
        # Readable with the keyboard and by a screen reader: the decision, its reasons and
        # the doses take focus (Tab) and carry their text as accessible text.
        keyboard = (Qt.TextInteractionFlag.TextSelectableByMouse
                    | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.banner_title.setTextInteractionFlags(keyboard)
        self.banner_title.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.banner_reasons.setTextInteractionFlags(
            keyboard | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
            | Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.banner_reasons.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        banner_layout.addWidget(self.banner_title)
        banner_layout.addWidget(self.banner_reasons)
        column.addWidget(self.banner)

        # Warnings that bear on the decision (stale labs or measurements, a weight change,
        # an implausible combination), with the banner: read before any number below.
        self.top_warnings = QLabel()
        self.top_warnings.setObjectName("topWarnings")
        self.top_warnings.setAccessibleName("Check before using this plan")
        self.top_warnings.setWordWrap(True)
        self.top_warnings.setTextFormat(Qt.TextFormat.RichText)
        self.top_warnings.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.top_warnings.hide()
        column.addWidget(self.top_warnings)

        self.details = QWidget()
        details = QVBoxLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        details.setSpacing(6)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        details.addWidget(self.summary)

        self.table_title = _section("Doses")
        details.addWidget(self.table_title)
        self.table = DoseTable(0, len(HEADINGS))
        self.table.setObjectName("doses")
        self.table.setAccessibleName("Dose table")
        self.table.setHorizontalHeaderLabels(list(HEADINGS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # arrows read cell by cell
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.horizontalHeader().setStretchLastSection(False)
        details.addWidget(self.table)
        self.table_note = QLabel()
        self.table_note.setObjectName("note")
        self.table_note.setWordWrap(True)
        details.addWidget(self.table_note)
        self.course_note = QLabel()  # what the patient's course records for this cycle
        self.course_note.setObjectName("note")
        self.course_note.setWordWrap(True)
        self.course_note.hide()
        details.addWidget(self.course_note)

        self.calendar_title = _section("Cycle calendar")
        details.addWidget(self.calendar_title)
        self.calendar = CycleCalendar()
        details.addWidget(self.calendar)
        self.legend = QLabel(LEGEND)
        self.legend.setObjectName("note")
        self.legend.setWordWrap(True)
        details.addWidget(self.legend)

        self.warnings_title = _section("Warnings")
        details.addWidget(self.warnings_title)
        self.warnings = QLabel()
        self.warnings.setObjectName("warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        details.addWidget(self.warnings)
        details.addWidget(_section("Standing reminders"))
        self.reminders = QLabel()
        self.reminders.setObjectName("reminders")
        self.reminders.setWordWrap(True)
        self.reminders.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        details.addWidget(self.reminders)
        column.addWidget(self.details)
        column.addStretch(1)
        self.setWidget(body)
        self._set_banner("loading", "")
        self.details.hide()

    # ---------------------------------------------------------------- the banner
    def _set_banner(self, decision: str, html: str, subtitle: str = "") -> None:
        self.decision = decision
        words, background, colour = BANNERS[decision]
        self.banner.setStyleSheet(
            f"#banner {{ background: {background}; border-radius: 4px; }}"
            f"#banner QLabel {{ color: {colour}; }}"
        )
        self.banner_title.setText(words + (f"  —  {subtitle}" if subtitle else ""))
        self.banner_reasons.setText(html)
        self.banner_reasons.setVisible(bool(html))
        self.banner.setAccessibleDescription(words)
        self.banner_title.setAccessibleName("Decision")
        self.banner_title.setAccessibleDescription(self.banner_title.text())
        self.banner_reasons.setAccessibleName("Reasons")
        self.banner_reasons.setAccessibleDescription(_plain(html))

    def banner_text(self) -> str:
        return f"{self.banner_title.text()}\n{self.banner_reasons.text()}"

    def _link(self, target: str) -> None:
        if target.startswith("field:"):
            self.fieldActivated.emit(target.removeprefix("field:"))

    # ---------------------------------------------------------------- states
    def show_loading(self) -> None:
        self._set_banner("loading", "")
        self.details.hide()
        self.top_warnings.hide()

    def show_failure(self, message: str) -> None:
        """The rules failed: no plan at all, and why (nothing below to prepare from)."""
        self._set_banner("failed", f"<p>{escape(message)}</p>")
        self.details.hide()
        self.top_warnings.hide()

    def show_problems(self, problems: Iterable[FieldProblem]) -> None:
        """The plan area while anything is invalid: what to fix, nothing else."""
        problems = list(problems)
        wrong = [p for p in problems if not p.missing]
        missing = [p for p in problems if p.missing]
        parts: list[str] = []
        if wrong:
            items = "".join(
                f"<li>{self._field_link(p)}: {escape(p.message)}</li>" for p in wrong
            )
            parts.append(f"<p><b>Correct:</b></p><ul>{items}</ul>")
        if missing:
            names = ", ".join(self._field_link(p) for p in missing)
            parts.append(f"<p><b>Still to fill in:</b> {names}</p>")
        parts.append("<p>Nothing can be printed or saved until these are done.</p>")
        count = len(problems)
        subtitle = f"{count} field{'s' if count != 1 else ''} to complete or correct"
        self._set_banner("incomplete", "".join(parts), subtitle)
        self.details.hide()
        self.top_warnings.hide()

    def _field_link(self, problem: FieldProblem) -> str:
        if not problem.field:
            return "<b>Request</b>"
        name = escape(self.label_for(problem.field))
        return f'<a href="field:{problem.field}">{name}</a>'

    def show_plan(self, plan: Any) -> None:
        decision = str(plan.decision.value)
        day = plan.dose_day
        dose_date = plan.cycle.start_date.toordinal() + day - 1
        from datetime import date

        when = human_date(date.fromordinal(dose_date))
        subtitle = f"cycle {plan.cycle.number}, Day {day} ({when})"
        reasons = "".join(
            f"<li>{escape(r.message)}<br><small>Source: {escape(r.source)}</small></li>"
            for r in plan.reasons
        )
        html = f"<ol style='margin-left:-20px'>{reasons}</ol>" if reasons else ""
        if decision == "proceed":
            html = escape(f"Give the Day {day} dose as in the table below.")
        self._set_banner(decision, html, subtitle)
        self._fill_summary(plan)
        self._fill_table(plan)
        # no doses (discontinue, not eligible): no calendar, and no "next cycle due"
        has_doses = bool(plan.doses)
        self.calendar.set_plan(plan if has_doses else None)
        for widget in (self.calendar_title, self.calendar, self.legend):
            widget.setVisible(has_doses)
        on_hold = decision == "hold"
        self.calendar_title.setText("Cycle calendar — ON HOLD: no dose to give"
                                    if on_hold else "Cycle calendar")
        self.legend.setText(HELD_LEGEND if on_hold else LEGEND)
        self._fill_findings(plan)
        self.details.show()

    def show_course_note(self, text: str) -> None:
        """The cycle as the patient's course records it (moved, given, omitted, stopped)."""
        self.course_note.setText(f"<b>In the course:</b> {escape(text)}" if text else "")
        self.course_note.setVisible(bool(text))

    def _fill_summary(self, plan: Any) -> None:
        cap = ""
        if plan.bsa_m2_used != plan.bsa_m2_exact:
            cap = f" (capped; calculated {fmt(plan.bsa_m2_exact)} m²)"
        lines = [
            f"<b>BSA {fmt(plan.bsa_m2)} m²</b>{cap} — {escape(plan.bsa_formula_text)}; "
            f"height {fmt(plan.height_cm, 1)} cm, weight {fmt(plan.weight_kg, 1)} kg, "
            f"measured {human_date(plan.measured_on)}",
        ]
        if plan.doses:
            lines += [
                f"<b>Dose level {plan.dose_level}</b> — {escape(plan.dose_level_reason)}",
                f"Cycle {plan.cycle.number}: {plan.cycle.length_days} days from "
                f"{human_date(plan.cycle.start_date)}; total {fmt(plan.total_mg_per_m2, 3)} "
                f"mg/m² ({fmt(plan.total_mg)} mg).",
            ]
        lines.append(f"Label: {escape(plan.label_document)}")
        self.summary.setText("<br>".join(lines))

    def _row_words(self, row: int) -> str:
        """A row of the table as a screen reader reads it: 'Day 1 Tue 1 Dec 2026: Dose
        1.35 mg, Withdraw 5.4 mL, ...'."""
        columns = range(self.table.columnCount())
        texts = [item.text() if (item := self.table.item(row, c)) else "" for c in columns]
        heads = [item.text() if (item := self.table.horizontalHeaderItem(c)) else ""
                 for c in columns]
        first = f"{texts[0].removeprefix('▶ ')} {texts[1]}"
        return first + ": " + ", ".join(
            f"{head} {text}" for head, text in zip(heads[2:], texts[2:], strict=True))

    def _fill_table(self, plan: Any) -> None:
        doses = list(plan.doses)
        on_hold = plan.decision.value == "hold"
        # The header sizes its columns once, after the fill: in ResizeToContents mode it
        # would measure every column again after each cell (about 1 ms a cell).
        header_view = self.table.horizontalHeader()
        header_view.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setRowCount(len(doses))
        for row, dose in enumerate(doses):
            checked = dose.day == plan.dose_day
            window = day_span(dose.window_start, dose.window_end)
            cells = (
                ("▶ " if checked else "") + f"Day {dose.day}",
                human_date(dose.date),
                window,
                f"{fmt(dose.mg_per_m2, 3)} mg/m²",
                f"{fmt(dose.dose_mg)} mg",
                f"{fmt(dose.volume_ml)} mL",
                f"{dose.vials}",
                *_preparation_cells(dose),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col >= 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if checked:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if on_hold:  # greyed: a held dose must not look ready to prepare
                    item.setForeground(QColor("#8a8a8a"))
                self.table.setItem(row, col, item)
        header_view.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        # Never a cut number ("46" for 46.3 mL): the table scrolls sideways when narrow.
        self.table.fit_height()
        self.table.setVisible(bool(doses))
        self.table.setAccessibleDescription(
            ("ON HOLD, not to be given. " if on_hold else "")
            + "; ".join(self._row_words(row) for row in range(len(doses))))
        if not doses:
            self.table_title.setText("Doses")
            self.table_note.setText("<b>No doses: this treatment is not to be given.</b>")
            return
        if on_hold:
            self.table_title.setText("Doses — ON HOLD: not to be given until the hold is "
                                     "resolved")
            self.table_title.setStyleSheet("background: #f2b705; color: #1a1a1a; padding: 2px;")
        else:
            self.table_title.setText("Doses")
            self.table_title.setStyleSheet("")
        first = doses[0]
        if on_hold:  # nothing on screen reads as how to prepare a held dose
            self.table_note.setText("<b>Not to be prepared or given while on hold.</b> The "
                                    "amounts are shown only to compare with a new plan.")
            return
        bag = next((d for d in doses if d.preparation.value == "bag"), None)
        dilution = (
            f"withdraw the volume shown and add it to the sodium chloride 0.9% shown, "
            f"{fmt(bag.diluent_total_ml)} mL in all; infuse over {bag.infusion_minutes} "
            "minutes. "
            if bag is not None
            else ""
        )
        small = _small_dose_note([d for d in doses if d.preparation.value == "small_dose"])
        self.table_note.setText(
            f"inotuzumab ozogamicin: reconstitute each vial with "
            f"{fmt(first.reconstitution_water_ml_per_vial)} mL sterile water; {dilution}"
            f"{escape(plan.rounding_convention)}{small}"
        )

    def _fill_findings(self, plan: Any) -> None:
        from besponsa_desktop.controller import checks_before_deciding

        with_decision = checks_before_deciding()
        first = [w for w in plan.warnings if w.code in with_decision]
        warnings = [w for w in plan.warnings if w.code not in with_decision]
        self.top_warnings.setText(
            "<b>Check before using this plan:</b><ul style='margin-left:-20px'>" + "".join(
                f"<li>{escape(w.message)} <small>({escape(w.source)})</small></li>"
                for w in first
            ) + "</ul>"
        )
        self.top_warnings.setVisible(bool(first))
        self.top_warnings.setAccessibleDescription(
            "; ".join(w.message for w in first))
        self.warnings_title.setText(f"Warnings ({len(warnings)})" if warnings else "Warnings")
        self.warnings.setText(
            "<ul style='margin-left:-20px'>" + "".join(
                f"<li>{escape(w.message)} <small>({escape(w.source)})</small></li>"
                for w in warnings
            ) + "</ul>"
            if warnings else "None."
        )
        self.reminders.setText(
            "<ul style='margin-left:-20px'>" + "".join(
                f"<li>{escape(r.message)} <small>({escape(r.source)})</small></li>"
                for r in plan.reminders
            ) + "</ul>"
        )


def _preparation_cells(dose: Any) -> tuple[str, str]:
    """Sodium chloride and rate; a small dose without the institution's protocol numbers
    says so rather than show a bag it cannot have."""
    if dose.sodium_chloride_ml is None or dose.rate_ml_per_h is None:
        return "syringe protocol", "protocol"
    suffix = " (syringe)" if dose.preparation.value == "small_dose" else ""
    return f"{fmt(dose.sodium_chloride_ml)} mL{suffix}", f"{fmt(dose.rate_ml_per_h)} mL/h"


def _small_dose_note(doses: list[Any]) -> str:
    """One line for the small doses; their details are under Warnings."""
    if not doses:
        return ""
    days = ", ".join(f"Day {d.day}" for d in doses)
    references = {d.preparation_protocol for d in doses}
    how = (
        f" ({escape(next(iter(references)))}, the institution's, not the label's)"
        if None not in references and len(references) == 1
        else ""
    )
    return (
        f"<br><b>{days}: small dose — prepare by the institution's small-volume (syringe) "
        f"protocol{how}. You confirm this before printing (details under Warnings).</b>"
    )
