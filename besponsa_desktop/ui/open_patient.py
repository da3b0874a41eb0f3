"""Open patient: type an MRN or part of a name; matching stored patients are listed as you
type, with date of birth so that two people of the same name are told apart."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from besponsa_desktop.entry import human_date
from besponsa_desktop.ui import look

COLUMNS = ("Name", "MRN", "Date of birth", "Sex", "Cycles")


class OpenPatientDialog(QDialog):
    """``find(text)`` returns PatientMatch items; ``chosen(mrn)`` when one is opened."""

    chosen = Signal(str)

    def __init__(
        self, find: Callable[[str], list[Any]], parent: QWidget | None = None,
        unsaved: bool = False,
    ):
        super().__init__(parent)
        self.setStyleSheet(look.STYLE)
        self.setWindowTitle("Open patient")
        self._find = find
        self.matches: list[Any] = []
        column = QVBoxLayout(self)
        self.unsaved = QLabel("The form has changes that are not saved: opening a patient "
                              "replaces them. Cancel and save first (Ctrl+S) to keep them.")
        self.unsaved.setWordWrap(True)
        self.unsaved.setStyleSheet("color: #8a4b00; font-weight: bold;")
        self.unsaved.setVisible(unsaved)
        column.addWidget(self.unsaved)
        caption = QLabel("MRN or name")
        self.search = QLineEdit()
        self.search.setPlaceholderText("e.g. H1234567 or Doe")
        self.search.setAccessibleName("MRN or name")
        caption.setBuddy(self.search)
        column.addWidget(caption)
        column.addWidget(self.search)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda *_: self.accept())
        column.addWidget(self.table, 1)
        self.status = QLabel("Type at least 2 characters.")
        self.status.setObjectName("note")
        column.addWidget(self.status)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
        self.open_button.setEnabled(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.search.textChanged.connect(self.refresh)
        self.resize(560, 360)

    def refresh(self, text: str | None = None) -> None:
        text = (self.search.text() if text is None else text).strip()
        self.matches = self._find(text) if len(text) >= 2 else []
        self.table.setRowCount(len(self.matches))
        for row, match in enumerate(self.matches):
            born = _date(match.date_of_birth)
            cells = (match.name, match.mrn, born, {"female": "F", "male": "M"}.get(match.sex, ""),
                     str(match.cycles))
            for col, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if col == 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, col, item)
        if self.matches:
            self.table.selectRow(0)
        self.open_button.setEnabled(bool(self.matches))
        if len(text) < 2:
            self.status.setText("Type at least 2 characters.")
        elif not self.matches:
            self.status.setText("No stored patient matches.")
        else:
            many = len(self.matches)
            self.status.setText(f"{many} match{'' if many == 1 else 'es'}; Enter opens the "
                                "highlighted one.")

    def selected_mrn(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or not self.matches:
            return None
        return str(self.matches[rows[0].row()].mrn)

    def accept(self) -> None:
        mrn = self.selected_mrn()
        if mrn is None:
            return
        super().accept()
        self.chosen.emit(mrn)


def _date(iso: str) -> str:
    try:
        return human_date(date.fromisoformat(iso))
    except ValueError:
        return iso
