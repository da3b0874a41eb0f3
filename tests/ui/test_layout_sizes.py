"""No number is ever clipped (issue 14): every cell of the dose table and every date echo
of the form is as wide as its text, or the area holding it scrolls to it, on a 1024×700
window and on a 1366×768 screen at 125 % and 150 % (1093×614 and 911×512 in Qt's
device-independent pixels, which is what those scales leave)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLabel

from besponsa_desktop.ui.fields import DateField
from tests.ui.helpers import load, request

SIZES = {"1024x700": (1024, 700), "1366x768 at 125%": (1093, 614),
         "1366x768 at 150%": (911, 512)}


def _settle(qtbot, window, size) -> None:
    window.resize(*size)
    window.splitter.setSizes([min(560, int(size[0] * 0.42)), size[0]])
    QApplication.processEvents()
    qtbot.wait(20)


@pytest.mark.parametrize("name", ["proceed", "hold-two-reasons"])
@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
def test_every_dose_table_cell_fits_its_column_or_the_table_scrolls(qtbot, window, size,
                                                                     name):
    load(window, request(name))
    _settle(qtbot, window, size)
    table = window.plan_view.table
    assert table.rowCount() > 0
    for column in range(table.columnCount()):
        header = table.horizontalHeaderItem(column)
        texts = [header.text()] + [table.item(row, column).text()
                                   for row in range(table.rowCount())]
        for row, text in enumerate(texts):
            if row == 0:
                metrics = table.horizontalHeader().fontMetrics()
            else:
                metrics = QFontMetrics(table.item(row - 1, column).font())
            needed = metrics.horizontalAdvance(text)
            assert needed <= table.columnWidth(column), (text, table.columnWidth(column))
    # the columns together: inside the view, or the view scrolls sideways to them
    total = sum(table.columnWidth(c) for c in range(table.columnCount()))
    viewport = table.viewport().width()
    bar = table.horizontalScrollBar()
    assert total <= viewport or (bar.isVisible() and bar.maximum() >= total - viewport - 2)
    _every_scroll_area_reaches(window.plan_view, table)
    # the table scrolls within itself: the banner and the rest still wrap to the window
    assert not window.plan_view.horizontalScrollBar().isVisible()
    assert table.height() >= table.horizontalHeader().height() + sum(
        table.rowHeight(r) for r in range(table.rowCount())) + (
        table.horizontalScrollBar().height() if bar.isVisible() else 0)


def _every_scroll_area_reaches(area: QAbstractScrollArea, widget) -> None:
    """The widget's right edge lies inside the scroll area's content, which can be
    scrolled to (the area is not narrower than what it holds without a scroll bar)."""
    content = area.widget()
    right = widget.mapTo(content, widget.rect().topRight()).x()
    assert right <= content.width() + 1
    if content.width() > area.viewport().width():
        assert area.horizontalScrollBar().isVisible()


@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
def test_every_date_echo_shows_its_whole_date(qtbot, window, size):
    data = request()
    data["cycle"]["start_date"] = "2026-12-22"
    load(window, data)
    _settle(qtbot, window, size)
    form = window.form
    echoes = 0
    for field in {id(f): f for f in form.fields.values()}.values():
        if not isinstance(field, DateField) or not field.isVisible():
            continue
        label: QLabel = field.echo
        text = label.text()
        if not text:
            continue
        echoes += 1
        assert label.fontMetrics().horizontalAdvance(text) <= label.width(), text
        _every_scroll_area_reaches(form, label)
    assert echoes >= 4
