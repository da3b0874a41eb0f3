"""The parts every course dialog ends with: who records it, the line where a refusal is
shown, and OK / Cancel. Written once, so that the dialogs word and place them alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)


def recorded_by(form: QFormLayout, signer: str, hint: str) -> QLineEdit:
    """The "Recorded by" row: the person recording, which may differ from who gave the
    dose; pre-filled with the name signed in."""
    by = QLineEdit(signer)
    by.setAccessibleName("Recorded by")
    by.setPlaceholderText(f"required: your name ({hint})")
    form.addRow("Recorded by", by)
    return by


def problem_line(column: QVBoxLayout) -> QLabel:
    """Hidden until the program refuses what was entered; then it says why."""
    problem = QLabel()
    problem.setObjectName("problem")
    problem.setWordWrap(True)
    problem.hide()
    column.addWidget(problem)
    return problem


def ok_cancel(dialog: QDialog, column: QVBoxLayout, ok_text: str,
              on_ok: Callable[[], Any]) -> QPushButton:
    """OK (named for what it does) and Cancel; returns the OK button."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    column.addWidget(buttons)
    return ok
