"""The independent double check: a second person re-enters height and weight from the chart
without seeing what was entered. This dialog never shows the plan's values, and hides the
window's form and plan while it is open; the store compares and records both names. On a
ward database the second person signs in with their own database user name and password."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from besponsa_desktop import entry
from besponsa_desktop.course_controller import CourseController, Notice
from besponsa_desktop.ui import look
from besponsa_desktop.ui.dialog_parts import show_refusal
from besponsa_desktop.ui.wheel import guard_wheel

if TYPE_CHECKING:
    from PySide6.QtGui import QShowEvent


class DoubleCheckDialog(QDialog):
    def __init__(self, course: CourseController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(look.STYLE)
        self.course = course
        self.result_matched: bool | None = None
        self.setWindowTitle("Independent double check")
        column = QVBoxLayout(self)
        # On a ward database the second person logs in as themselves; the password is
        # used for that one connection and never kept.
        self.ward = course.is_ward()
        intro = QLabel(
            f"<b>{escape(patient_text(course))}</b><br>"
            f"<b>{escape(course.checked_plan_text())}</b><br><b>Second person:</b> measure or "
            "read the "
            "patient's height and weight from the chart yourself and type them here. The "
            "plan's values are not shown; they must match within 0.5 cm and 0.1 kg."
            + (" Sign with your own ward database user name and password." if self.ward
               else "")
        )
        intro.setWordWrap(True)
        column.addWidget(intro)
        form = QFormLayout()
        self.checker = QLineEdit()
        self.checker.setAccessibleName("Checked by")
        self.checker.setPlaceholderText("your name (not the person who prepared the plan)")
        form.addRow("Checked by", self.checker)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.password.setPlaceholderText("your ward database password")
        if self.ward:
            self.checker.setPlaceholderText("your ward database user name")
            form.addRow("Password", self.password)
        else:
            self.password.hide()
        self.height_edit = QLineEdit()
        self.height_edit.setAccessibleName("Height")
        self.height_edit.setFixedWidth(90)
        self.height_unit = QComboBox()
        self.height_unit.addItems(["cm", "in"])
        self.height_unit.setAccessibleName("Height unit")
        form.addRow("Height", _pair(self.height_edit, self.height_unit))
        self.weight_edit = QLineEdit()
        self.weight_edit.setAccessibleName("Weight")
        self.weight_edit.setFixedWidth(90)
        self.weight_unit = QComboBox()
        self.weight_unit.addItems(["kg", "lb"])
        self.weight_unit.setAccessibleName("Weight unit")
        form.addRow("Weight", _pair(self.weight_edit, self.weight_unit))
        column.addLayout(form)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        column.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Compare and record")
        buttons.accepted.connect(self.compare)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.resize(460, self.sizeHint().height())
        guard_wheel(self)
        # Blind, whichever button or menu opened it: the window's form and plan (the values
        # entered) are out of sight while this dialog is open.
        self._hidden: QWidget | None = None
        self.finished.connect(self._show_window_again)

    def showEvent(self, event: QShowEvent) -> None:
        window = self.parentWidget()
        central = window.centralWidget() if isinstance(window, QMainWindow) else None
        if central is not None and central.isVisible():
            central.hide()
            self._hidden = central
        super().showEvent(event)

    def _show_window_again(self, *_args: object) -> None:
        if self._hidden is not None:
            self._hidden.show()
            self._hidden = None

    def _fail(self, message: str) -> None:
        show_refusal(self, self.problem, message)

    def compare(self) -> None:
        name = self.checker.text().strip()
        if not name:
            self._fail("Checked by: your name is required.")
            return
        try:
            height = entry.parse_number(self.height_edit.text())
            weight = entry.parse_number(self.weight_edit.text())
        except entry.EntryError as error:
            self._fail(f"Height and weight: {error}.")
            return
        if not height or not weight:
            self._fail("Height and weight: both are required.")
            return
        said: list[Notice] = []

        def hear(notice: Notice) -> None:
            said.append(notice)

        self.course.notice.connect(hear)
        password = self.password.text() if self.ward else None
        if self.ward and not password:
            self._fail("Password: the second person logs in with their own password.")
            return
        try:
            matched = self.course.double_check(
                name, height, weight, self.height_unit.currentText(),
                self.weight_unit.currentText(), password=password,
            )
        finally:
            self.course.notice.disconnect(hear)
            self.password.clear()
        if matched is None:  # refused (same person, ...): nothing recorded, try again
            self._fail(said[-1].text if said else "Not recorded.")
            return
        # Recorded, matched or not: the result is in the course panel's message.
        self.result_matched = matched
        self.accept()


def patient_text(course: CourseController) -> str:
    """Whose course a dialog acts on: name and MRN (never the height or weight: the double
    check is blind)."""
    data = course.course or {}
    patient = data.get("patient") or {}
    if not patient:
        return "No course open"
    return f"{patient.get('name', '')} · MRN {patient.get('mrn', '')}"


def _pair(editor: QLineEdit, unit: QComboBox) -> QWidget:
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(editor)
    row.addWidget(unit)
    row.addStretch(1)
    return holder
