"""Printing from the window: preview, Print… and Export PDF…, without a real modal dialog."""

from __future__ import annotations

import ast
import io
import json
import os
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog

from besponsa_desktop.printing.options import DoubleCheck
from besponsa_desktop.ui import print_preview
from tests.ui.helpers import ROOT, load, request


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def page_count(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


class SaveAs:
    """The file dialog, as a user who types ``answer`` ("" = Cancel)."""

    def __init__(self) -> None:
        self.answer = ""
        self.suggested: list[str] = []

    def __call__(self, _parent: Any, _caption: str, suggested: str, filters: str):
        self.suggested.append(suggested)
        return self.answer, filters


@pytest.fixture
def save_as(monkeypatch: pytest.MonkeyPatch) -> SaveAs:
    fake = SaveAs()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    return fake


@pytest.fixture
def print_dialog(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """The system print dialog, as a user who prints to a file (or cancels)."""
    seen: dict[str, Any] = {"accept": True, "output": tmp_path / "printed.pdf", "opened": 0}

    def fake_exec(dialog: QPrintDialog) -> int:
        seen["opened"] += 1
        seen["max_page"] = dialog.maxPage()
        option = QPrintDialog.PrintDialogOption
        seen["page_range"] = dialog.testOption(option.PrintPageRange)
        seen["to_file"] = dialog.testOption(option.PrintToFile)
        if not seen["accept"]:
            return QDialog.DialogCode.Rejected.value
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(seen["output"]))
        printer.setResolution(96)  # quick; full resolution is tested without the dialog
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", fake_exec)
    monkeypatch.setattr(print_preview, "printers_available", lambda: True)
    return seen


def test_preview_shows_every_page_of_the_printout(qtbot, window):
    load(window, request())
    data = window.controller.render_printout()
    dialog = window.preview_printout()
    assert dialog is not None
    qtbot.addWidget(dialog)
    # open() returned: window-modal, not a blocking exec()
    assert dialog.isVisible() and dialog.windowModality() == Qt.WindowModality.WindowModal
    assert dialog.page_count == page_count(data) > 2
    assert dialog.page_label.text() == f"Page 1 of {page_count(data)}"
    assert window.controller.plan.patient.name in dialog.windowTitle()
    assert "NOT YET VERIFIED" in dialog.check_note.text()
    assert QApplication.activeModalWidget() in (None, dialog)


def test_preview_follows_the_page_being_read_and_keeps_it_when_zooming(qtbot, window):
    load(window, request())
    dialog = window.preview_printout()
    qtbot.addWidget(dialog)
    bar = dialog.view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum())
    last = dialog.page_count
    assert dialog.page_label.text() == f"Page {last} of {last}"
    bar.setValue(bar.maximum() // 2)
    middle = dialog.view.current_page
    assert 0 < middle < last - 1
    for button in (dialog.whole_page, dialog.fit_width):
        button.click()
        bar.setValue(bar.value() + 1)  # the view works out the page shown again
        assert dialog.view.current_page == middle
        assert dialog.page_label.text() == f"Page {middle + 1} of {last}"
    assert not dialog.view.whole_page


def test_preview_of_a_hold_shows_the_hold_sheet(qtbot, window):
    load(window, request("hold-two-reasons"))
    dialog = window.preview_printout()
    qtbot.addWidget(dialog)
    assert dialog.page_count == page_count(window.controller.render_printout())


def test_export_writes_a_private_pdf_with_the_patient_and_the_drug(
    qtbot, window, tmp_path, save_as
):
    load(window, request())
    target = tmp_path / "sheet"  # no extension typed: .pdf is added
    save_as.answer = str(target)
    written = window.export_printout()
    assert written == tmp_path / "sheet.pdf"
    data = written.read_bytes()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert window.controller.plan.patient.name in text
    assert "Inotuzumab ozogamicin" in text
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
    suggested = Path(save_as.suggested[0])
    assert suggested.name == "inotuzumab-" + request()["patient"]["mrn"].replace(" ", "_") + (
        "-cycle1-day1.pdf"
    )
    assert "Printout saved as PDF" in window.statusBar().currentMessage()
    # the next export starts in the folder chosen this time
    window.export_printout()
    assert Path(save_as.suggested[1]).parent == tmp_path


def test_cancelling_the_file_dialog_writes_nothing(qtbot, window, tmp_path, save_as):
    load(window, request())
    before = set(tmp_path.rglob("*"))
    assert window.export_printout() is None
    assert len(save_as.suggested) == 1  # the dialog was asked
    assert {p for p in tmp_path.rglob("*") if p.suffix == ".pdf"} == set()
    assert set(tmp_path.rglob("*")) == before


def test_export_to_a_folder_that_cannot_be_written_says_so(qtbot, window, tmp_path, save_as):
    load(window, request())
    save_as.answer = str(tmp_path / "no such folder" / "sheet.pdf")
    assert window.export_printout() is None
    assert "The PDF was not saved" in window.statusBar().currentMessage()
    assert not (tmp_path / "no such folder").exists()


def test_print_sends_every_page_to_the_printer(qtbot, window, print_dialog):
    load(window, request())
    expected = page_count(window.controller.render_printout())
    assert window.print_printout() == expected
    assert print_dialog["opened"] == 1 and print_dialog["max_page"] == expected
    # a page range (one dose page again) yes; "print to file" no: Export PDF… is for files
    assert print_dialog["page_range"] and not print_dialog["to_file"]
    printed = print_dialog["output"].read_bytes()
    assert page_count(printed) == expected
    assert f"Sent {expected} pages" in window.statusBar().currentMessage()


def test_cancelling_the_print_dialog_prints_nothing(qtbot, window, print_dialog):
    load(window, request())
    print_dialog["accept"] = False
    assert window.print_printout() == 0
    assert not print_dialog["output"].exists()


def test_without_any_printer_no_empty_dialog_is_shown(qtbot, window, monkeypatch):
    load(window, request())

    def refuse(*_args: Any) -> int:
        raise AssertionError("an empty print dialog was opened")

    monkeypatch.setattr(QPrintDialog, "exec", refuse)
    monkeypatch.setattr(print_preview, "printers_available", lambda: False)
    assert window.print_printout() == 0
    message = window.statusBar().currentMessage()
    assert "no printer is set up" in message and "Export PDF" in message


def test_print_button_in_the_preview_prints_and_closes_it(qtbot, window, print_dialog):
    load(window, request())
    dialog = window.preview_printout()
    qtbot.addWidget(dialog)
    pages = dialog.page_count
    with qtbot.waitSignal(dialog.finished):
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert page_count(print_dialog["output"].read_bytes()) == pages


def test_in_the_preview_export_saves_and_ctrl_p_prints(
    qtbot, window, tmp_path, save_as, print_dialog
):
    load(window, request())
    dialog = window.preview_printout()
    qtbot.addWidget(dialog)
    save_as.answer = str(tmp_path / "from-preview.pdf")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert "Inotuzumab ozogamicin" in pdf_text((tmp_path / "from-preview.pdf").read_bytes())
    assert "saved as PDF" in dialog.message.text() and dialog.isVisible()
    dialog.activateWindow()  # a shortcut works in the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    with qtbot.waitSignal(dialog.finished):
        qtbot.keyClick(dialog.view, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert print_dialog["opened"] == 1
    assert page_count(print_dialog["output"].read_bytes()) == dialog.page_count


def test_printing_to_a_pdf_printer_without_a_dialog(qtbot, tmp_path):
    data = _render("proceed")
    document = print_preview.load_pdf(data)
    printer = print_preview.new_printer(document)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "out.pdf"))
    assert print_preview.print_document(document, printer) == document.page_count
    printed = pypdf.PdfReader(tmp_path / "out.pdf")
    assert len(printed.pages) == page_count(data) == document.page_count
    # same paper as the printout (A4), within a point
    assert abs(float(printed.pages[0].mediabox.width) - 595.3) < 1


def test_a_letter_printout_is_printed_on_letter_paper(qtbot, tmp_path):
    from besponsa_desktop.core.planner import make_plan
    from besponsa_desktop.printing.document import render_pdf
    from besponsa_desktop.printing.options import PrintOptions

    data = render_pdf(make_plan(request()), PrintOptions(page_size="Letter"))
    document = print_preview.load_pdf(data)
    printer = print_preview.new_printer(document)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "out.pdf"))
    printer.setResolution(96)
    printer.setFromTo(1, 1)
    assert print_preview.print_document(document, printer) == 1
    box = pypdf.PdfReader(tmp_path / "out.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_a_page_range_prints_only_those_pages(qtbot, tmp_path):
    document = print_preview.load_pdf(_render("proceed"))
    printer = print_preview.new_printer(document)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "out.pdf"))
    printer.setFromTo(2, 3)
    assert print_preview.print_document(document, printer) == 2
    assert len(pypdf.PdfReader(tmp_path / "out.pdf").pages) == 2


def test_copies_are_sent_in_turn_when_the_printer_cannot_make_them(qtbot, tmp_path):
    document = print_preview.load_pdf(_render("hold-two-reasons"))
    printer = print_preview.new_printer(document)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # makes no copies itself
    printer.setOutputFileName(str(tmp_path / "out.pdf"))
    printer.setResolution(96)
    printer.setCopyCount(3)
    assert not printer.supportsMultipleCopies()
    assert print_preview.print_document(document, printer) == 3 * document.page_count
    assert len(pypdf.PdfReader(tmp_path / "out.pdf").pages) == 3 * document.page_count


def test_a_printout_pdfium_cannot_read_is_logged_and_said(qtbot, window, monkeypatch, tmp_path):
    monkeypatch.setenv("BESPONSA_LOG_DIR", str(tmp_path / "logs"))
    load(window, request())
    monkeypatch.setattr(window.controller, "print_plan", lambda: b"not a PDF")
    assert window.preview_printout() is None
    assert "could not be shown" in window.statusBar().currentMessage()
    assert "ValueError" in (tmp_path / "logs" / "besponsa-desktop.log").read_text()
    assert QApplication.overrideCursor() is None  # the wait cursor is gone


def test_pages_are_printed_on_white_not_transparent(qtbot):
    document = print_preview.load_pdf(_render("proceed"))
    image = print_preview.page_image(document, 0, 30)
    assert image.pixelColor(1, 1).name() == "#ffffff"
    assert image.hasAlphaChannel() is False


def test_printing_actions_follow_validity(qtbot, window, save_as, print_dialog):
    actions = (window.preview_action, window.print_action, window.export_action)
    assert not any(a.isEnabled() for a in actions)  # empty form
    load(window, request())
    assert all(a.isEnabled() for a in actions)
    window.load_values(window.controller.load_request({**request(), "height_cm": 1.7}))
    assert not any(a.isEnabled() for a in actions)
    # shortcuts do nothing while disabled: no dialog, no file
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.activeModalWidget() is None
    assert save_as.suggested == [] and print_dialog["opened"] == 0
    load(window, request())
    assert all(a.isEnabled() for a in actions)


def test_ctrl_p_opens_the_preview(qtbot, window):
    load(window, request())
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    previews = [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, print_preview.PrintPreview) and w.isVisible()
    ]
    assert len(previews) == 1
    qtbot.addWidget(previews[0])


def test_print_options_come_from_settings_and_the_double_check(settings, controller):
    settings.set("hospital_name", "St Mary's Hospital Pharmacy")
    settings.set("page_size", "Letter")
    controller.set_values(controller.load_request(request()))
    options = controller.print_options()
    assert (options.hospital_name, options.page_size) == ("St Mary's Hospital Pharmacy", "Letter")
    assert options.double_check is None
    assert "NOT YET VERIFIED" in pdf_text(controller.render_printout())
    controller.double_check = DoubleCheck("R. Patel", datetime(2026, 12, 1, 9, 30))
    data = controller.render_printout()
    text = pdf_text(data)
    assert "re-entered blind by R. Patel" in text and "NOT YET VERIFIED" not in text
    assert "St Mary" in text
    width = float(pypdf.PdfReader(io.BytesIO(data)).pages[0].mediabox.width)
    assert abs(width - 612) < 1  # Letter


def test_preview_says_when_the_plan_was_double_checked(qtbot, window):
    load(window, request())
    window.controller.double_check = DoubleCheck("R. Patel", datetime(2026, 12, 1, 9, 30))
    dialog = window.preview_printout()
    qtbot.addWidget(dialog)
    assert "R. Patel" in dialog.check_note.text()
    assert "NOT YET" not in dialog.check_note.text()


def test_nothing_to_print_while_the_plan_is_incomplete(qtbot, controller):
    with qtbot.waitSignal(controller.statusMessage) as said:
        assert controller.print_plan() is None
    assert "not complete" in said.args[0]
    with pytest.raises(ValueError):
        controller.render_printout()


def test_a_printout_that_cannot_be_made_is_logged_not_shown(
    qtbot, controller, monkeypatch, tmp_path
):
    monkeypatch.setenv("BESPONSA_LOG_DIR", str(tmp_path / "logs"))
    controller.set_values(controller.load_request(request()))

    def broken(*_args: Any, **_kwargs: Any) -> bytes:
        raise RuntimeError(controller.plan.patient.name)

    monkeypatch.setattr("besponsa_desktop.printing.document.render_pdf", broken)
    with qtbot.waitSignal(controller.statusMessage) as said:
        assert controller.print_plan() is None
    assert said.args[0] == "The printout could not be made: please contact IT."
    log = (tmp_path / "logs" / "besponsa-desktop.log").read_text()
    assert "RuntimeError" in log and controller.plan.patient.name not in log


PRINTING_MODULES = (
    "print(sorted(m for m in sys.modules if m.split('.')[0] == 'reportlab' or m.startswith("
    "('pypdfium2', 'PySide6.QtPrintSupport', 'besponsa_desktop.printing.document', "
    "'besponsa_desktop.ui.print_preview'))))"
)


def loaded_printing_modules(code: str, tmp_path: Path) -> list[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", code + "\n" + PRINTING_MODULES],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def test_importing_the_window_loads_no_printing(tmp_path):
    assert loaded_printing_modules("import sys, besponsa_desktop.ui.app", tmp_path) == []


def test_a_window_with_a_plan_loads_no_printing_until_asked(tmp_path):
    code = f"""
import json, sys
from pathlib import Path
from besponsa_desktop.ui.app import application
from besponsa_desktop.controller import PlanController
from besponsa_desktop.settings import Settings
from besponsa_desktop.ui.main_window import MainWindow
app = application()
controller = PlanController(Settings(Path({str(tmp_path)!r}) / "u.ini",
                                     Path({str(tmp_path)!r}) / "s.ini"))
window = MainWindow(controller)
window.show()
controller.load_core()
window.load_values(controller.load_request(json.loads({json.dumps(request())!r})))
app.processEvents()
assert window.preview_action.isEnabled()
"""
    assert loaded_printing_modules(code, tmp_path) == []
    asked = code + "window.preview_printout()\napp.processEvents()\n"
    loaded = loaded_printing_modules(asked, tmp_path)
    assert "reportlab" in loaded and "pypdfium2" in loaded  # the test can tell


def _render(name: str) -> bytes:
    from besponsa_desktop.core.planner import make_plan
    from besponsa_desktop.printing.document import render_pdf

    return render_pdf(make_plan(request(name)))


def test_the_sheet_names_the_prescriber_from_the_form_and_uses_the_order_set(
        qtbot, window, settings):
    settings.set("premedication", "methylprednisolone; 100 mg; intravenous; 60")
    settings.set("dilution_method", "from_50_ml_bag")
    load(window, request())
    retype_text = window.form.fields["prescriber"].line
    retype_text.setFocus()
    qtbot.keyClicks(retype_text, "Dr Maria Lopez")
    text = " ".join(pdf_text(window.controller.render_printout()).split())
    assert "Prescriber: Dr Maria Lopez" in text
    assert "methylprednisolone 100 mg intravenous 60 minutes before the infusion" in text
    assert "first withdraw and discard" in text
    settings.set("premedication", "methylprednisolone; .5 mg; intravenous; 60")
    assert window.controller.print_plan() is None  # refused, never half-printed
    assert "leading zero" in window.statusBar().currentMessage()


def test_the_settings_dialog_refuses_an_order_set_that_is_not_a_clean_order(
        qtbot, window, settings):
    dialog = window.open_settings()
    dialog.editors["premedication"].setPlainText("paracetamol; 1.0 mg; oral; 60")
    dialog.save()
    assert dialog.isVisible() and "trailing zero" in dialog.problem.text()
    assert settings.get("premedication") == ""
    dialog.editors["premedication"].setPlainText("paracetamol; 1,000 mg; oral; 60")
    dialog.save()
    assert settings.get("premedication") == "paracetamol; 1,000 mg; oral; 60"
