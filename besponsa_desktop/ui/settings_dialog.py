"""Institution-wide defaults. Options that hospital IT has set in the system file are shown
but cannot be changed here."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from besponsa_desktop.settings import OPTIONS, Option, Settings, SettingsNotSaved
from besponsa_desktop.ui import look
from besponsa_desktop.ui.form import BSA_FORMULAS, LABELS

_CHOICE_TEXT: dict[str, tuple[tuple[str, Any], ...]] = {
    "bsa_formula": BSA_FORMULAS,
    "label_profile": LABELS,
    "volume_rounding_ml": (("0.01 mL", 0.01), ("0.05 mL", 0.05), ("0.1 mL", 0.1)),
    "page_size": (("A4", "A4"), ("Letter", "Letter")),
    "dilution_method": (
        ("Empty bag + the stated sodium chloride 0.9%", "empty_bag"),
        ("50 mL bag, the drug's volume withdrawn first", "from_50_ml_bag"),
    ),
    "mrn_letter_case": (
        ("Significant (h1234 and H1234 are two patients)", "significant"),
        ("Ignored (h1234 and H1234 are one patient)", "ignore"),
    ),
}


class SettingsDialog(QDialog):
    """Edits the registry; ``saved`` is emitted after the values are stored."""

    saved = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(look.STYLE)
        self.setWindowTitle("Settings — institution defaults")
        self.settings = settings
        self.editors: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addWidget(form_holder := QWidget())
        form_holder.setLayout(form)
        for option in OPTIONS:
            editor = self._editor(option)
            locked = settings.locked(option.key)
            tip = option.help + (" Set by your hospital's IT; it cannot be changed here."
                                 if locked else "")
            editor.setToolTip(tip)
            editor.setAccessibleName(option.label)
            editor.setEnabled(not locked)
            caption = QLabel(option.label + (" (set by IT)" if locked else ""))
            caption.setBuddy(editor)
            form.addRow(caption, editor)
            self.editors[option.key] = editor
        note = QLabel(
            "Rounding and the weight-change warning apply to the plan at once; the BSA "
            "formula and label profile are the defaults for the next new patient (Ctrl+N)."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.problem = QLabel()  # why a save failed; hidden until one does
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("font-weight: bold;")
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)
        from besponsa_desktop.ui.wheel import guard_wheel

        guard_wheel(self)

    def _editor(self, option: Option) -> QWidget:
        current = self.settings.get(option.key)
        if option.key in _CHOICE_TEXT:
            box = QComboBox()
            for text, value in _CHOICE_TEXT[option.key]:
                box.addItem(text, value)
            box.setCurrentIndex(max(box.findData(current), 0))
            return box
        if option.kind is float:
            spin = QDoubleSpinBox()
            spin.setDecimals(option.decimals)
            spin.setRange(option.minimum or 0, option.maximum or 100)
            spin.setSingleStep(10.0**-option.decimals)
            spin.setSuffix(option.suffix)
            spin.setValue(float(current))
            return spin
        if option.key == "premedication":
            lines = QPlainTextEdit(str(current))
            lines.setPlaceholderText("methylprednisolone; 100 mg; intravenous; 60\n"
                                     "(empty: lines to write in as prescribed)")
            lines.setTabChangesFocus(True)
            lines.setFixedHeight(lines.fontMetrics().lineSpacing() * 4 + 12)
            return lines
        line = QLineEdit(str(current))
        if option.key == "database_path":
            line.setPlaceholderText("default location")
        if option.key == "database_url":
            line.setPlaceholderText("none: this computer's database file")
        return line

    def value(self, key: str) -> Any:
        editor = self.editors[key]
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QDoubleSpinBox):
            return editor.value()
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText().strip()
        assert isinstance(editor, QLineEdit)
        return editor.text().strip()

    def save(self) -> None:
        from besponsa_desktop.controller import premedication_problem

        unreadable = premedication_problem(str(self.value("premedication")))
        if unreadable is not None:  # refused here, never printed half-read
            self.problem.setText(f"Premedication order set: {unreadable}. Nothing saved.")
            self.problem.show()
            self.editors["premedication"].setFocus()
            return
        for option in OPTIONS:
            if not self.settings.locked(option.key):
                self.settings.set(option.key, self.value(option.key))
        try:
            self.settings.sync()
        except SettingsNotSaved as error:
            # Never "Settings saved" when they were not: say so and keep the dialog open.
            self.problem.setText(f"Not saved: {error}.")
            self.problem.show()
            return
        self.saved.emit()
        self.accept()
