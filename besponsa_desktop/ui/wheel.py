"""The mouse wheel never changes a value the pharmacist is not editing.

Qt's drop-downs, spin boxes and date edits step their value when the wheel turns over them,
focused or not: scrolling down the form once turned "full dose" into "25% decrease" with
nothing on screen saying so. Every such control in the program is guarded here, by one
event filter: without keyboard focus, the wheel scrolls the page around the control instead.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QWidget,
)

_WHEEL = QEvent.Type.Wheel


class _WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != _WHEEL or not isinstance(watched, QWidget) or watched.hasFocus():
            return False
        _scroll_around(watched, event)
        return True  # the control's value stays as it is


def _scroll_around(widget: QWidget, event: QEvent) -> None:
    """Scroll the nearest scroll area holding ``widget``, as the wheel would over it."""
    from PySide6.QtGui import QWheelEvent

    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    if parent is None or not isinstance(event, QWheelEvent):
        return
    bar = parent.verticalScrollBar()
    steps = event.angleDelta().y() / 120 * QApplication.wheelScrollLines()
    bar.setValue(bar.value() - round(steps * bar.singleStep()))


_guard: _WheelGuard | None = None


def guard_wheel(root: QWidget) -> None:
    """Guard every drop-down, spin box and date edit in ``root`` (and ``root`` itself)."""
    for widget in [root, *root.findChildren(QWidget)]:
        guard(widget)


def guard(widget: QWidget) -> None:
    """Guard ``widget`` if it is a drop-down, spin box or date edit. (The form guards its
    editors one by one as it makes them: listing all its children for Python is slow.)"""
    global _guard
    if not isinstance(widget, QComboBox | QAbstractSpinBox):
        return
    if _guard is None:
        _guard = _WheelGuard()
    # a click or Tab gives focus; the wheel never does
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.installEventFilter(_guard)  # installing twice keeps one filter
