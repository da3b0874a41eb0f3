"""Recording the response assessed after a cycle (CR, CRi or not achieved, and MRD), which
the next cycle's plan takes. The course controller asks the core; this dialog holds no
rule and shows the core's refusal as it is."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from besponsa_desktop.course_controller import CourseController, Notice
from besponsa_desktop.ui import look
from besponsa_desktop.ui.dialog_parts import ok_cancel, problem_line, recorded_by, show_refusal
from besponsa_desktop.ui.double_check_dialog import patient_text

RESPONSES = (("cr", "CR"), ("cri", "CRi"), ("none", "Not achieved"))


class ResponseDialog(QDialog):
    def __init__(self, course: CourseController, cycle: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(look.STYLE)
        self.course = course
        self.cycle = cycle
        who = patient_text(course)
        self.setWindowTitle(f"Response after cycle {cycle} — {who}")
        column = QVBoxLayout(self)
        heading = QLabel(f"<b>{escape(who)}</b><br><b>Response after cycle {cycle}</b> "
                         "(bone marrow assessment), used by the next cycle's plan")
        heading.setWordWrap(True)
        column.addWidget(heading)
        row = QHBoxLayout()
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        for value, text in RESPONSES:
            radio = QRadioButton(text)
            radio.setAccessibleName(f"Response {text}")
            self.radios[value] = radio
            self.group.addButton(radio)
            row.addWidget(radio)
        row.addStretch(1)
        column.addLayout(row)
        form = QFormLayout()
        self.mrd = QCheckBox("MRD negative")
        form.addRow("", self.mrd)
        self.by = recorded_by(form, course.signer, "who records this")
        column.addLayout(form)
        self.problem = problem_line(column)
        self.ok = ok_cancel(self, column, "Record", self.record)
        self.resize(480, self.sizeHint().height())

    def choose(self, response: str) -> None:
        self.radios[response].setChecked(True)

    def response(self) -> str | None:
        return next((value for value, radio in self.radios.items() if radio.isChecked()),
                    None)

    def _fail(self, message: str) -> None:
        show_refusal(self, self.problem, message)

    def record(self) -> None:
        response = self.response()
        if response is None:
            self._fail("Response: choose CR, CRi or not achieved.")
            return
        by = self.by.text().strip()
        if not by:
            self._fail("Recorded by: your name is required.")
            return
        said: list[Notice] = []
        self.course.notice.connect(said.append)
        try:
            done = self.course.record_response(self.cycle, response, by=by,
                                               mrd_negative=self.mrd.isChecked())
        finally:
            self.course.notice.disconnect(said.append)
        if done:
            self.accept()
        else:
            self._fail(said[-1].text if said else "Not recorded.")
