"""Recording what happened to a planned dose: given (when), held, moved (to a date the rules
allow: only those are offered, and when there is none the dialog says why) or omitted, with
the reason and who records it."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from besponsa_desktop import entry
from besponsa_desktop.controller import fmt
from besponsa_desktop.course_controller import CourseController, MoveOptions, Notice
from besponsa_desktop.ui import look
from besponsa_desktop.ui.dialog_parts import (
    fit_text,
    ok_cancel,
    problem_line,
    recorded_by,
    show_refusal,
)
from besponsa_desktop.ui.double_check_dialog import patient_text

STATUSES = (("given", "Given"), ("held", "Held"), ("moved", "Moved"), ("omitted", "Omitted"))


class DoseDialog(QDialog):
    def __init__(
        self, course: CourseController, cycle: int, dose: dict[str, Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setStyleSheet(look.STYLE)
        self.course = course
        self.cycle = cycle
        self.day = int(dose["day"])
        self._moves: MoveOptions | None = None
        # The patient this dialog records for: a dose of another patient is never recorded
        # here, even if the window opened someone else meanwhile.
        self.mrn = course.mrn
        due = dose.get("date") or dose["nominal_date"]
        planned = entry.human_date(date.fromisoformat(due))
        amount = ("" if dose.get("dose_mg") is None
                  else f": {fmt(dose['dose_mg'])} mg ({fmt(dose['volume_ml'])} mL)")
        who = patient_text(course)
        self.setWindowTitle(f"Record cycle {cycle} Day {self.day} — {who}")
        column = self.column = QVBoxLayout(self)
        heading = QLabel(
            f"<b>{escape(who)}</b><br>"
            f"<b>Cycle {cycle} Day {self.day}</b>{amount}, due {planned}; now "
            f"{dose.get('status_text', dose['status']).upper()}"
        )
        heading.setWordWrap(True)
        column.addWidget(heading)

        choice = QHBoxLayout()
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        for value, text in STATUSES:
            radio = QRadioButton(text)
            self.radios[value] = radio
            self.group.addButton(radio)
            choice.addWidget(radio)
            radio.toggled.connect(self._status_changed)
        choice.addStretch(1)
        column.addLayout(choice)

        form = QFormLayout()
        self.form = form
        # never guessed as today: the date and time it was given are typed (the core
        # refuses one the rules do not allow)
        self.given_on = QLineEdit()
        self.given_on.setPlaceholderText("date given")
        self.given_on.setAccessibleName("Given on")
        self.given_on.setToolTip("Date given: 2026-12-01 or 1 Dec 2026")
        self.given_at = QLineEdit()
        self.given_at.setPlaceholderText("hh:mm")
        self.given_at.setAccessibleName("Time given")
        self.given_at.setToolTip("Time given, 24-hour: 10:30")
        self.given_at.setFixedWidth(60)
        when = QHBoxLayout()
        when.addWidget(self.given_on)
        when.addWidget(QLabel("at"))
        when.addWidget(self.given_at)
        self.given_echo = QLabel()
        self.given_echo.setObjectName("echo")
        when.addWidget(self.given_echo)
        when.addStretch(1)
        self.given_row = QWidget()
        self.given_row.setLayout(when)
        form.addRow("Given on", self.given_row)
        self.given_on.textChanged.connect(self._echo_given)

        self.move_to = QComboBox()
        self.move_to.setAccessibleName("Move to")
        self.move_to.setPlaceholderText("no date allowed")
        form.addRow("Move to", self.move_to)
        self.move_row = self.move_to
        # the rule's words, across the whole width: why these dates, or why none
        self.move_reason = QLabel()
        self.move_reason.setWordWrap(True)
        form.addRow(self.move_reason)

        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText("required: why (e.g. platelets 40 on 8 Dec)")
        form.addRow("Reason", self.reason)
        # kept when the dose is recorded again (held, then given): the next cycle's dose
        # level depends on the longest interruption
        previous = next((e.get("toxicity_days") for e in reversed(dose.get("entries", []))
                         if e["kind"] == "held" and not e.get("voided")), None)
        self.interruption = QLineEdit("" if previous is None else str(previous))
        self.interruption.setAccessibleName("Interrupted for toxicity, days")
        self.interruption.setToolTip("Days dosing was interrupted for toxicity (optional); the "
                                     "longest in a cycle sets the next dose level")
        self.interruption.setFixedWidth(60)
        self.interruption_row = QWidget()
        tox = QHBoxLayout(self.interruption_row)
        tox.setContentsMargins(0, 0, 0, 0)
        tox.addWidget(self.interruption)
        tox.addWidget(QLabel("days (if for toxicity)"))
        tox.addStretch(1)
        form.addRow("Interrupted", self.interruption_row)
        self.by = recorded_by(form, course.signer, "who records this, not who gave it")
        column.addLayout(form)
        self.problem = problem_line(column)
        self.ok = ok_cancel(self, column, "Record", self.record)
        self.radios["given"].setChecked(True)
        self._echo_given()
        self.setMinimumWidth(540)
        self.resize(540, self.sizeHint().height())

    # ---------------------------------------------------------------- the status chosen
    def status(self) -> str:
        for value, radio in self.radios.items():
            if radio.isChecked():
                return value
        return "given"

    def choose(self, status: str) -> None:
        self.radios[status].setChecked(True)

    def _status_changed(self) -> None:
        status = self.status()
        self.form.setRowVisible(self.given_row, status == "given")
        self.form.setRowVisible(self.move_row, status == "moved")
        self.form.setRowVisible(self.move_reason, status == "moved")
        self.form.setRowVisible(self.reason, status != "given")
        self.form.setRowVisible(self.interruption_row, status == "held")
        self.ok.setEnabled(True)
        if status == "moved":
            self._fill_moves()
        self.problem.hide()

    def _fill_moves(self) -> None:
        if self._moves is None:
            self._moves = self.course.move_options(self.cycle, self.day)
        self.move_to.clear()
        moves = self._moves
        if moves is None:
            self.move_reason.setText("The allowed dates could not be read (see the message "
                                     "in the course panel).")
            self.move_to.setEnabled(False)
            self.ok.setEnabled(False)
            return
        # the placeholder shows while no date is chosen: say which case it is
        self.move_to.setPlaceholderText("choose a date" if moves.dates else "no date allowed")
        for day in moves.dates:
            self.move_to.addItem(entry.human_date(day))
        self.move_to.setEnabled(bool(moves.dates))
        if moves.dates:
            self.move_reason.setText(f"Only these dates: {moves.reason}.")
        else:
            self.move_reason.setText(f"This dose cannot be moved: {moves.reason}.")
        self.move_reason.setStyleSheet(
            "color: #555555;" if moves.dates else "color: #b00020; font-weight: bold;")
        self.ok.setEnabled(bool(moves.dates))
        fit_text(self, self.move_reason)

    def move_dates(self) -> list[date]:
        """The dates offered (empty when the dose cannot move)."""
        return [] if self._moves is None else list(self._moves.dates)

    def _echo_given(self) -> None:
        try:
            day = entry.parse_date(self.given_on.text())
        except entry.EntryError:
            day = None
        self.given_echo.setText(entry.human_date(day) if day else "")

    # ---------------------------------------------------------------- recording
    def _fail(self, message: str) -> None:
        show_refusal(self, self.problem, message)

    def record(self) -> None:
        status = self.status()
        by = self.by.text().strip()
        if not by:
            self._fail("Recorded by: your name is required.")
            return
        kwargs: dict[str, Any] = {"by": by}
        if status == "given":
            try:
                day = entry.parse_date(self.given_on.text())
            except entry.EntryError as error:
                self._fail(f"Given on: {error}.")
                return
            moment = _time(self.given_at.text())
            if day is None or moment is None:
                self._fail("Given on: the date and the time (24-hour, 10:30) are required.")
                return
            kwargs["at"] = datetime.combine(day, moment)
        else:
            reason = self.reason.text().strip()
            if not reason:
                self._fail(f"Reason: a {status} dose needs the reason.")
                return
            kwargs["reason"] = reason
        if status == "held":  # how long dosing was interrupted: a hold's (Table 4)
            try:
                kwargs["toxicity_interruption_days"] = entry.parse_whole(
                    self.interruption.text())
            except entry.EntryError as error:
                self._fail(f"Interrupted: {error}.")
                return
        if status == "moved":
            dates = self.move_dates()
            index = self.move_to.currentIndex()
            if not dates:
                self._fail("Move to: no date is allowed.")
                return
            if index < 0:
                self._fail("Move to: choose one of the dates allowed.")
                return
            kwargs["moved_to"] = dates[index]
        said: list[Notice] = []

        def hear(notice: Notice) -> None:
            said.append(notice)

        self.course.notice.connect(hear)
        try:
            done = self.course.record_dose(self.cycle, self.day, status, mrn=self.mrn,
                                           **kwargs)
        finally:
            self.course.notice.disconnect(hear)
        if done:
            self.accept()
        elif said:
            self._fail(said[-1].text)


def _time(text: str) -> Any:
    parts = text.strip().replace(".", ":").split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    hour, minute = int(parts[0]), int(parts[1])
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    return datetime.min.replace(hour=hour, minute=minute).time()

