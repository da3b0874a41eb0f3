"""Correcting a dose record: the wrong entry is voided with a reason and kept in the
history (never deleted nor overwritten); the right one is then recorded as usual. The
course controller asks the core, which may refuse; this dialog holds no rule."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from besponsa_desktop.course_controller import CourseController, Notice
from besponsa_desktop.ui import look
from besponsa_desktop.ui.dialog_parts import ok_cancel, problem_line, recorded_by, show_refusal
from besponsa_desktop.ui.double_check_dialog import patient_text


def entry_text(record: dict[str, Any]) -> str:
    """'given Tue 1 Dec 2026 10:30, recorded by Ann Pharmacist' (what the entry says)."""
    from datetime import datetime

    from besponsa_desktop.entry import human_date

    words = [str(record["kind"])]
    for key in ("given_at", "moved_to"):
        value = record.get(key)
        if value:
            moment = datetime.fromisoformat(str(value))
            when = human_date(moment.date())
            if key == "given_at":
                when += f" {moment:%H:%M}"
            words.append(("to " if key == "moved_to" else "") + when)
    if record.get("reason"):
        words.append(f"({record['reason']})")
    return " ".join(words) + f", recorded by {record.get('by') or '(no name)'}"


class CorrectionDialog(QDialog):
    def __init__(self, course: CourseController, cycle: int, dose: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(look.STYLE)
        self.course = course
        self.cycle = cycle
        self.day = int(dose["day"])
        self.mrn = course.mrn
        self.entries = [e for e in dose.get("entries", []) if not e.get("voided")]
        who = patient_text(course)
        self.setWindowTitle(f"Correct cycle {cycle} Day {self.day} — {who}")
        column = QVBoxLayout(self)
        heading = QLabel(
            f"<b>{escape(who)}</b><br><b>Cycle {cycle} Day {self.day}</b>: void a wrong "
            "record. It stays in the history with your reason; then record what happened "
            "(Record dose).")
        heading.setWordWrap(True)
        column.addWidget(heading)
        form = QFormLayout()
        self.record_box = QComboBox()
        self.record_box.setAccessibleName("Record to void")
        for record in self.entries:
            self.record_box.addItem(entry_text(record))
        form.addRow("Record to void", self.record_box)
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText("required: why this record is wrong")
        form.addRow("Reason", self.reason)
        self.by = recorded_by(form, course.signer, "who corrects it")
        column.addLayout(form)
        self.problem = problem_line(column)
        self.ok = ok_cancel(self, column, "Void this record", self.void)
        if not self.entries:
            self._fail("This dose has no record to correct.")
            self.ok.setEnabled(False)
        self.resize(560, self.sizeHint().height())

    def _fail(self, message: str) -> None:
        show_refusal(self, self.problem, message)

    def void(self) -> None:
        index = self.record_box.currentIndex()
        if index < 0 or not self.entries:
            self._fail("Record to void: choose one.")
            return
        reason = self.reason.text().strip()
        if not reason:
            self._fail("Reason: say why the record is wrong (it is kept with the record).")
            return
        by = self.by.text().strip()
        if not by:
            self._fail("Recorded by: your name is required.")
            return
        if self.mrn != self.course.mrn:
            self._fail("Not corrected: the window now shows another patient's course.")
            return
        said: list[Notice] = []
        self.course.notice.connect(said.append)
        try:
            done = self.course.correct_record(self.cycle, self.day,
                                              int(self.entries[index]["entry"]), by=by,
                                              reason=reason)
        finally:
            self.course.notice.disconnect(said.append)
        if done:
            self.accept()
        else:
            self._fail(said[-1].text if said else "Not corrected.")
