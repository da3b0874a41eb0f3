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


def show_refusal(dialog: QDialog, problem: QLabel, message: str) -> None:
    """Say why the program refused what was entered, on the dialog's problem line."""
    problem.setText(message)
    problem.show()
    fit_text(dialog, problem)


def fit_text(dialog: QDialog, label: QLabel) -> None:
    """Grow ``dialog`` to show ``label``'s text whole (a wrapped label's height follows its
    width), never squeezing the fields above it: what was typed stays in sight beside why
    it was refused."""
    label.setMinimumHeight(label.heightForWidth(dialog.width() - 40))
    layout = dialog.layout()
    if layout is not None:
        layout.activate()
    dialog.resize(dialog.width(), max(dialog.height(), dialog.sizeHint().height()))


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
