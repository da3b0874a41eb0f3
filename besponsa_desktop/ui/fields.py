"""Field widgets: an editor, its unit, what the value means ("= 74.8 kg", "Tue 1 Dec 2026")
and, beneath, the message when the value is missing or wrong.

Every editor gets an accessible name and a tooltip naming its unit. A field announces each
edit through ``edited(field_id, value)``; it never judges the value itself: the controller
does, and ``show_problem`` puts the verdict beside the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)

if TYPE_CHECKING:  # the calendar's classes load when a calendar is first opened
    from PySide6.QtCore import QDate
    from PySide6.QtGui import QKeyEvent, QResizeEvent
    from PySide6.QtWidgets import QCalendarWidget, QMenu

from besponsa_desktop import entry
from besponsa_desktop.ui import look

Choices = Sequence[tuple[str, str]]  # (text shown, value)

# PySide6 builds the whole Qt namespace (hundreds of enums, ~45 ms) the first time
# ``QtCore.Qt`` is touched. Nothing shown before the first paint touches it: these values go
# through Qt's property system instead, and ``Qt`` is imported where keys are handled.
ALIGN_RIGHT_VCENTER = 0x0002 | 0x0080  # Qt.AlignRight | Qt.AlignVCenter
ALIGN_CENTER = 0x0084  # Qt.AlignCenter
NO_FOCUS = 0  # Qt.NoFocus


class ValueCombo(QComboBox):
    """A combo box whose items carry values, kept in Python: QComboBox.findData and
    currentData take a default Qt.ItemDataRole, which would build the Qt namespace."""

    def __init__(self, choices: Choices = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice_values: list[Any] = []
        for text, value in choices:
            self.add(text, value)

    def add(self, text: str, value: Any) -> None:
        self.addItem(text)
        self.choice_values.append(value)

    def value(self) -> Any:
        index = self.currentIndex()
        return self.choice_values[index] if 0 <= index < len(self.choice_values) else None

    def index_of(self, value: Any) -> int:
        return self.choice_values.index(value) if value in self.choice_values else -1

    def set_value(self, value: Any) -> None:
        index = self.index_of(value)
        self.setCurrentIndex(max(index, 0))


class OneLineLabel(QLabel):
    """A message on one line beside its editor, cut with "…" when the row is too narrow
    (the whole message is its tooltip, its accessible text, and in the plan area's list).
    One line, so that a message appearing never moves the fields below it under the
    pharmacist's cursor."""

    def __init__(self) -> None:
        super().__init__()
        self.full_text = ""

    def set_message(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(text)
        self.setAccessibleName(text)
        self._fit()

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(20, hint.height())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self.full_text) + 4, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        from PySide6.QtCore import Qt

        shown = self.fontMetrics().elidedText(
            self.full_text, Qt.TextElideMode.ElideRight, max(self.width(), 20))
        if shown != self.text():
            self.setText(shown)


class Field(QWidget):
    """Base: a row holding one or two editors, an echo and a problem label beneath."""

    edited = Signal(str, object)

    def __init__(self, field_id: str, label: str, tooltip: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.field_id = field_id
        self.label_text = label
        self.tooltip = tooltip
        # One layout per field, not a row inside a column: editors, unit and echo along
        # row 0, the problem beneath in row 1 (fewer layouts: the window appears sooner).
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(6)
        self.grid.setVerticalSpacing(1)
        self.columns = 0
        # The echo and the problem label are made only when first needed: the form has
        # some sixty fields, and fewer widgets make the window appear sooner.
        self._echo: QLabel | None = None
        self._problem: OneLineLabel | None = None
        self._placeholder: str | None = None  # the editor's own, while "required" shows
        self.editors: dict[str, QWidget] = {}

    @property
    def echo(self) -> QLabel:
        if self._echo is None:
            self._echo = QLabel()
            self._echo.setObjectName("echo")
            self._echo.setStyleSheet(look.ECHO_LABEL)
            self.grid.addWidget(self._echo, 0, self.columns)
        return self._echo

    def echo_text(self) -> str:
        return self._echo.text() if self._echo is not None else ""

    @property
    def problem(self) -> OneLineLabel:
        """Beside the editors, after the echo, on the editors' own line: a message never
        adds a line to the form (see OneLineLabel)."""
        if self._problem is None:
            self._problem = OneLineLabel()
            self._problem.setObjectName("problem")
            self._problem.setStyleSheet(look.PROBLEM_LABEL)
            self._problem.hide()
            self.grid.setColumnStretch(self.columns, 0)
            self.grid.addWidget(self._problem, 0, self.columns + 1)
            self.grid.setColumnStretch(self.columns + 1, 1)
        return self._problem

    def problem_text(self) -> str:
        """The message shown beside the field ("" when none is shown)."""
        if self._problem is None or self._problem.isHidden():
            return ""
        return self._problem.full_text

    # subclasses: add their editor(s) with _add_editor, then the echo
    def _add_editor(self, key: str, widget: QWidget, name: str, tip: str) -> None:
        widget.setAccessibleName(name)
        widget.setToolTip(tip)
        self.editors[key] = widget
        self._place(widget)

    def _place(self, widget: QWidget) -> None:
        """Next along the row (the echo comes last, in the column that stretches)."""
        self.grid.addWidget(widget, 0, self.columns)
        self.columns += 1

    def _finish(self) -> None:
        self.grid.setColumnStretch(self.columns, 1)

    @property
    def editor(self) -> QWidget:
        return self.editors[self.field_id]

    def focus_proxy_widget(self) -> QWidget:
        return self.editor

    def value(self, key: str | None = None) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def set_value(self, key: str, value: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def show_problem(self, message: str | None, missing: bool = False) -> None:
        state = "" if message is None else ("missing" if missing else "error")
        editor = self.editor
        look.show_state(editor, state)
        if isinstance(editor, QLineEdit):
            # an empty field that is needed says so inside itself
            if self._placeholder is None:
                self._placeholder = editor.placeholderText()
            editor.setPlaceholderText("required" if missing else self._placeholder)
        if message is None:
            if self._problem is not None:
                self._problem.hide()
                self._problem.set_message("")
            editor.setAccessibleDescription("")
            return
        text = "Required" if missing else message
        self.problem.set_message(text)
        self.problem.setVisible(not missing)  # "required" shows in the border and the list
        editor.setAccessibleDescription(f"{self.label_text}: {text}")


class TextField(Field):
    def __init__(self, field_id: str, label: str, tooltip: str, width: int = 220, **kw: Any):
        super().__init__(field_id, label, tooltip, **kw)
        self.line = QLineEdit()
        self.line.setMinimumWidth(width)
        self.line.setMaxLength(200)
        self._add_editor(field_id, self.line, label, tooltip)
        self._finish()
        self.line.textEdited.connect(lambda text: self.edited.emit(self.field_id, text))

    def value(self, key: str | None = None) -> Any:
        return self.line.text()

    def set_value(self, key: str, value: Any) -> None:
        self.line.setText("" if value is None else str(value))


class NumberField(Field):
    """A number with a fixed unit, or a unit the user picks (``units``: (text, value)) whose
    value is converted to metric in the echo by ``convert``."""

    def __init__(
        self,
        field_id: str,
        label: str,
        unit: str = "",
        tooltip: str = "",
        units: Choices = (),
        unit_id: str = "",
        convert: Any = None,
        width: int = 90,
        **kw: Any,
    ):
        tip = tooltip or (f"{label}, in {unit}" if unit else label)
        super().__init__(field_id, label, tip, **kw)
        self.line = QLineEdit()
        self.line.setFixedWidth(width)
        self.line.setProperty("alignment", ALIGN_RIGHT_VCENTER)
        self._add_editor(field_id, self.line, label, tip)
        self.line.textEdited.connect(self._text_edited)
        self.unit_id = unit_id
        self.convert = convert
        self.unit_box: ValueCombo | None = None
        if units:
            box = ValueCombo(units)
            self._add_editor(
                unit_id, box, f"{label} unit", f"Unit of {label.lower()}: " + ", ".join(
                    t for t, _ in units
                )
            )
            box.currentIndexChanged.connect(self._unit_changed)
            self.unit_box = box
        elif unit:
            self._place(QLabel(unit))
        self._finish()

    def _text_edited(self, text: str) -> None:
        self._update_echo()
        self.edited.emit(self.field_id, text)

    def _unit_changed(self) -> None:
        self._update_echo()
        assert self.unit_box is not None
        self.edited.emit(self.unit_id, self.unit_box.value())

    def _update_echo(self) -> None:
        if self.convert is None or self.unit_box is None:
            return
        try:
            number = entry.parse_number(self.line.text())
        except entry.EntryError:
            number = None
        text = self.convert(number, self.unit_box.value()) if number else ""
        if text or self._echo is not None:
            self.echo.setText(text)

    def value(self, key: str | None = None) -> Any:
        if key and key == self.unit_id and self.unit_box is not None:
            return self.unit_box.value()
        return self.line.text()

    def set_value(self, key: str, value: Any) -> None:
        if key == self.unit_id and self.unit_box is not None:
            index = self.unit_box.index_of(value)
            if index >= 0:
                self.unit_box.setCurrentIndex(index)
        else:
            self.line.setText("" if value is None else str(value))
        self._update_echo()


class _DateLine(QLineEdit):
    """Alt+Down or F4 opens the calendar, as in a Qt date edit."""

    calendar_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        from PySide6.QtCore import Qt

        alt_down = event.key() == Qt.Key.Key_Down and event.modifiers() & (
            Qt.KeyboardModifier.AltModifier
        )
        if alt_down or event.key() == Qt.Key.Key_F4:
            self.calendar_requested.emit()
            return
        super().keyPressEvent(event)


class DateField(Field):
    """A date typed as 2026-12-01 or 1 Dec 2026, or picked from a calendar (Alt+Down);
    the echo repeats it with its weekday so it cannot be misread."""

    def __init__(self, field_id: str, label: str, tooltip: str = "", **kw: Any):
        tip = tooltip or f"{label}: type 2026-12-01 or 1 Dec 2026; Alt+Down opens a calendar"
        super().__init__(field_id, label, tip, **kw)
        self.line = _DateLine()
        self.line.setFixedWidth(110)
        self.line.setPlaceholderText("1 Dec 2026")
        self._add_editor(field_id, self.line, label, tip)
        self.line.textEdited.connect(self._text_edited)
        self.line.calendar_requested.connect(self.open_calendar)
        self.button = QToolButton()
        self.button.setText("▾")
        self.button.setToolTip(f"Pick the {label.lower()} from a calendar (Alt+Down)")
        self.button.setAccessibleName(f"{label}: calendar")
        self.button.setProperty("focusPolicy", NO_FOCUS)  # the keyboard uses Alt+Down
        self.button.clicked.connect(self.open_calendar)
        self._place(self.button)
        self._calendar: QCalendarWidget | None = None
        self._menu: QMenu | None = None
        self._finish()

    @property
    def calendar(self) -> QCalendarWidget:
        """Made on first use: a calendar widget is heavy and most are never opened."""
        if self._calendar is None:
            from PySide6.QtCore import Qt
            from PySide6.QtWidgets import QCalendarWidget, QMenu, QWidgetAction

            self._calendar = QCalendarWidget()
            self._calendar.setGridVisible(True)
            self._calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
            self._calendar.clicked.connect(self._picked)
            self._calendar.activated.connect(self._picked)
            self._menu = QMenu(self)
            action = QWidgetAction(self._menu)
            action.setDefaultWidget(self._calendar)
            self._menu.addAction(action)
        return self._calendar

    @property
    def menu(self) -> QMenu:
        _ = self.calendar
        assert self._menu is not None
        return self._menu

    def open_calendar(self) -> None:
        current = self.current_date()
        if current:
            from PySide6.QtCore import QDate

            self.calendar.setSelectedDate(QDate(current.year, current.month, current.day))
        self.menu.popup(self.line.mapToGlobal(self.line.rect().bottomLeft()))
        self.calendar.setFocus()

    def _picked(self, picked: QDate) -> None:
        self.menu.hide()
        text = entry.short_date(date(picked.year(), picked.month(), picked.day()))
        self.line.setText(text)
        self.line.setFocus()
        self._text_edited(text)

    def current_date(self) -> date | None:
        try:
            return entry.parse_date(self.line.text())
        except entry.EntryError:
            return None

    def _text_edited(self, text: str) -> None:
        self._update_echo()
        self.edited.emit(self.field_id, text)

    def _update_echo(self) -> None:
        parsed = self.current_date()
        text = entry.human_date(parsed) if parsed else ""
        if text or self._echo is not None:
            self.echo.setText(text)

    def value(self, key: str | None = None) -> Any:
        return self.line.text()

    def set_value(self, key: str, value: Any) -> None:
        self.line.setText("" if value is None else str(value))
        self._update_echo()


class ChoiceField(Field):
    def __init__(
        self, field_id: str, label: str, choices: Choices, tooltip: str = "", **kw: Any
    ):
        super().__init__(field_id, label, tooltip or label, **kw)
        self.box = ValueCombo(choices)
        self.box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._add_editor(field_id, self.box, label, tooltip or label)
        self.box.currentIndexChanged.connect(
            lambda _i: self.edited.emit(self.field_id, self.box.value())
        )
        self._finish()

    def value(self, key: str | None = None) -> Any:
        return self.box.value()

    def set_value(self, key: str, value: Any) -> None:
        self.box.set_value("" if value is None else str(value))


class CheckField(Field):
    def __init__(self, field_id: str, label: str, tooltip: str = "", **kw: Any):
        super().__init__(field_id, label, tooltip or label, **kw)
        self.check = QCheckBox(label)
        self._add_editor(field_id, self.check, label, tooltip or label)
        self.check.toggled.connect(lambda on: self.edited.emit(self.field_id, bool(on)))
        self._finish()

    def value(self, key: str | None = None) -> Any:
        return self.check.isChecked()

    def set_value(self, key: str, value: Any) -> None:
        self.check.setChecked(bool(value))
