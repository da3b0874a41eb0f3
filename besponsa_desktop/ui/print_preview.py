"""Print preview, printing and PDF export of the nurses' printout.

The controller makes the PDF (``print_plan``, ``export_pdf``); here it is shown with QtPdf,
sent to a printer, or saved where the pharmacist chooses. The window imports this module on
the first print only: QtPdf and QtPrintSupport cost ~55 ms to import, reportlab ~200 ms.

The two modal system dialogs are reached only through ``choose_pdf_path`` and
``choose_printer`` (tests replace them, or ``QFileDialog.getSaveFileName`` and
``QPrintDialog.exec``, so nothing blocks).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QObject,
    QPointF,
    QRectF,
    QSize,
    QStandardPaths,
    Qt,
)
from PySide6.QtGui import QColor, QImage, QKeySequence, QPageLayout, QPageSize, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from besponsa_desktop.ui import look

if TYPE_CHECKING:
    from besponsa_desktop.controller import PlanController

# Pages go to the printer as images. 300 dpi keeps text crisp on paper while a page stays
# ~35 MB in memory (600 dpi: 140 MB a page, and a slow spool on a ward printer); a 5-page
# printout takes ~1.3 s here.
MAX_PRINT_DPI = 300
# Shown in the print queue, which other users of a shared printer can see: no patient data.
PRINT_JOB_NAME = "besponsa-desktop printout"


# ------------------------------------------------------------------ the system dialogs
def choose_pdf_path(parent: QWidget | None, suggested: Path) -> Path | None:
    """The file the pharmacist chose to save the PDF as, or None if cancelled."""
    name, _filter = QFileDialog.getSaveFileName(
        parent, "Export the printout as PDF", str(suggested), "PDF documents (*.pdf)"
    )
    if not name:
        return None
    path = Path(name)
    return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")


def printers_available() -> bool:
    """Whether the system has a printer at all (else its print dialog would be empty)."""
    return bool(QPrinterInfo.availablePrinterNames())


def choose_printer(parent: QWidget | None, printer: QPrinter, pages: int) -> bool:
    """Let the pharmacist pick the printer, pages and copies; False if cancelled."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print the nurses' printout")
    dialog.setMinMax(1, pages)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
    # Printed to a file, the pages would be images (6 MB, no text): Export PDF… is for files.
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, False)
    return bool(dialog.exec() == QDialog.DialogCode.Accepted)


# ------------------------------------------------------------------ the PDF
def load_pdf(data: bytes, parent: QObject | None = None) -> QPdfDocument:
    """A QtPdf document over ``data``, read from memory (no temporary file with patient
    data on disk)."""
    document = QPdfDocument(parent)  # type: ignore[arg-type]  # None is allowed
    buffer = QBuffer(document)  # QtPdf reads from it for as long as the document lives
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready:
        raise ValueError(f"the printout could not be read back ({document.error().name})")
    return document


def page_size_of(document: QPdfDocument) -> QPageSize:
    """A4 or Letter, as the printout was laid out (the printer is set to match)."""
    points = document.pagePointSize(0)
    return QPageSize(
        QPageSize.id(points, QPageSize.Unit.Point, QPageSize.SizeMatchPolicy.FuzzyMatch)
    )


def new_printer(document: QPdfDocument) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(PRINT_JOB_NAME)
    printer.setPageSize(page_size_of(document))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    # The PDF has its own margins: place each page on the whole sheet, unscaled.
    printer.setFullPage(True)
    printer.setFromTo(0, 0)  # all pages unless the pharmacist picks a range
    return printer


def page_image(document: QPdfDocument, page: int, dpi: float) -> QImage:
    """One page at ``dpi``, on white paper (QtPdf renders on a transparent background)."""
    points = document.pagePointSize(page)
    size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawImage(0, 0, document.render(page, size))
    painter.end()
    return image


def print_document(document: QPdfDocument, printer: QPrinter) -> int:
    """Print the pages of ``document`` the printer is set to (a range, or all; the copies
    asked for); returns the number of sheets sent, 0 if the printer could not be started."""
    count = document.pageCount()
    first, last = printer.fromPage(), printer.toPage()
    if first < 1:
        first, last = 1, count
    pages = list(range(first - 1, min(max(last, first), count)))
    # Most drivers make the copies; where they cannot, send each copy in turn (collated).
    copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
    dpi = min(printer.resolution(), MAX_PRINT_DPI)
    painter = QPainter()
    if not pages or not painter.begin(printer):
        return 0
    sent = 0
    try:
        sheet = printer.pageLayout().fullRectPixels(printer.resolution())
        for page in pages * copies:
            if sent and not printer.newPage():
                break
            image = page_image(document, page, dpi)
            # keep the page's proportions if the paper differs (Letter paper, A4 sheet)
            scale = min(sheet.width() / image.width(), sheet.height() / image.height())
            width, height = image.width() * scale, image.height() * scale
            painter.drawImage(QRectF(0, 0, width, height), image)
            sent += 1
        return sent
    finally:
        painter.end()


def suggested_file_name(plan: Any) -> str:
    """``inotuzumab-MRN-cycle1-day1.pdf``: found again by MRN, and safe on every system."""
    mrn = re.sub(r"[^0-9A-Za-z_-]+", "_", plan.patient.mrn).strip("_") or "patient"
    return f"inotuzumab-{mrn}-cycle{plan.cycle.number}-day{plan.dose_day}.pdf"


def export_folder(controller: PlanController) -> Path:
    """Where the last PDF was saved, else the user's Documents folder."""
    last = controller.settings.window_state("export_folder")
    if isinstance(last, str) and last and Path(last).is_dir():
        return Path(last)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents or Path.home())


# ------------------------------------------------------------------ what the menu does
def export(parent: QWidget, controller: PlanController) -> Path | None:
    """Ask where, then write the PDF there; the path written, or None."""
    if controller.plan is None:
        controller.statusMessage.emit("No PDF saved: the plan is not complete.")
        return None
    if not confirm_small_doses(parent, controller):
        return None
    suggested = export_folder(controller) / suggested_file_name(controller.plan)
    path = choose_pdf_path(parent, suggested)
    if path is None:
        return None
    if not controller.export_pdf(path):
        return None
    controller.settings.set_window_state("export_folder", str(path.parent))
    return path


def print_now(
    parent: QWidget, controller: PlanController, document: QPdfDocument | None = None
) -> int:
    """The system print dialog, then the pages; the number of pages sent (0: none)."""
    if document is None:
        document = _document(controller, parent)
        if document is None:
            return 0
    if not printers_available():
        controller.statusMessage.emit(
            "Nothing printed: no printer is set up on this computer (ask IT). "
            "Export PDF… saves the printout as a file."
        )
        return 0
    printer = new_printer(document)
    if not choose_printer(parent, printer, document.pageCount()):
        return 0
    with _busy():
        sent = print_document(document, printer)
    if sent:
        controller.printed(sent, printer.printerName())
    else:
        controller.statusMessage.emit("Nothing printed: the printer could not be started.")
    return sent


def preview(parent: QWidget, controller: PlanController) -> PrintPreview | None:
    """Open the preview (window-modal, not blocking); None if there is nothing to show."""
    document = _document(controller, parent)
    if document is None:
        return None
    dialog = PrintPreview(document, controller, parent)
    dialog.open()
    return dialog


def confirm_small_doses(parent: QWidget, controller: PlanController) -> bool:
    """Small doses are prepared by the institution's small-volume protocol: the pharmacist
    confirms that before the printout is made (the controller refuses it otherwise)."""
    question = controller.small_doses_question()
    if question is None:
        return True
    answer = QMessageBox.question(
        parent,
        "Small dose — confirm the preparation",
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        controller.statusMessage.emit("Nothing printed: the small-dose preparation was not "
                                      "confirmed.")
        return False
    controller.confirm_small_doses()
    return True


def _document(controller: PlanController, parent: QWidget) -> QPdfDocument | None:
    """The current printout as a QtPdf document; None (and the status bar says why) if
    there is none."""
    if not confirm_small_doses(parent, controller):
        return None
    with _busy():  # the first printout loads reportlab: about half a second
        data = controller.print_plan()
        if data is None:
            return None
        try:
            return load_pdf(data)
        except ValueError as error:  # QtPdf could not read reportlab's PDF: a bug
            from besponsa_desktop.logs import log_internal_error

            log_internal_error(error)
            controller.statusMessage.emit("The printout could not be shown: please contact IT.")
            return None


@contextmanager
def _busy() -> Iterator[None]:
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


# ------------------------------------------------------------------ the preview
class PrintPreview(QDialog):
    """The printout as it will come out of the printer, with Print and Export buttons."""

    def __init__(self, document: QPdfDocument, controller: PlanController, parent: QWidget) -> None:
        super().__init__(parent)
        self.setStyleSheet(look.STYLE)
        self.controller = controller
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.document = document
        document.setParent(self)  # goes with the dialog
        plan = controller.plan
        patient = plan.patient
        self.setWindowTitle(
            f"Print preview — {patient.name}, MRN {patient.mrn} — "
            f"cycle {plan.cycle.number}, day {plan.dose_day}"
        )

        options = controller.print_options()
        self.check_note = QLabel()
        self.check_note.setWordWrap(True)
        if options.double_check is None:
            self.check_note.setText(
                "<b>Not yet double-checked.</b> Every page is marked NOT YET VERIFIED until "
                "a second person has checked height and weight."
            )
            self.check_note.setStyleSheet(
                "background: #fff4cc; border: 1px solid #c9a300; padding: 6px;"
            )
        else:
            check = options.double_check
            self.check_note.setText(
                f"Double-checked by <b>{_escape(check.checked_by)}</b>; every page says so."
            )
            self.check_note.setStyleSheet(
                "background: #e6f4ea; border: 1px solid #1b6e34; padding: 6px;"
            )

        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.view.setStyleSheet("QPdfView { background: #8a8a8a; }")

        pages = self.document.pageCount()
        self.page_label = QLabel()
        self.view.pageNavigator().currentPageChanged.connect(self._show_page_number)
        self._show_page_number(0)
        size_name = QPageSize.name(page_size_of(self.document).id())
        summary = QLabel(f"{pages} page{'s' if pages != 1 else ''}, {size_name}")

        self.fit_width = _toggle("Fit width", "Page width fills the window")
        self.whole_page = _toggle("Whole page", "See each page whole")
        self.fit_width.setChecked(True)
        zoom = QButtonGroup(self)
        zoom.addButton(self.fit_width)
        zoom.addButton(self.whole_page)
        self.fit_width.toggled.connect(self._zoom_changed)

        top = QHBoxLayout()
        top.addWidget(summary)
        top.addSpacing(16)
        top.addWidget(self.page_label)
        top.addStretch(1)
        top.addWidget(self.fit_width)
        top.addWidget(self.whole_page)

        self.message = QLabel()  # what the last Export or Print did
        self.message.setWordWrap(True)
        controller.statusMessage.connect(self.message.setText)

        self.buttons = QDialogButtonBox()
        self.print_button = QPushButton("Print…")
        self.print_button.setToolTip("Choose a printer and print (Ctrl+P)")
        self.export_button = QPushButton("Export PDF…")
        self.export_button.setToolTip("Save the printout as a PDF file")
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)
        self.buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.print_button.setDefault(True)
        self.export_button.setAutoDefault(False)
        self.print_button.clicked.connect(self.print_pages)
        self.export_button.clicked.connect(self.export_pdf)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self, self.print_pages)

        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.check_note)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)
        self._size_to(parent)
        # Page Up/Down and the arrows scroll the pages; Enter still means Print…
        self.view.setFocus()

    def _size_to(self, parent: QWidget) -> None:
        """Tall enough to read a page's width at once: most of the screen's height."""
        screen = parent.screen().availableGeometry() if parent.screen() else None
        width, height = 900, 1000
        if screen is not None:
            height = min(height, screen.height() - 40)
            width = min(width, screen.width() - 40)
        self.resize(width, height)

    def _show_page_number(self, page: int) -> None:
        self.page_label.setText(f"Page {page + 1} of {self.document.pageCount()}")

    def _zoom_changed(self) -> None:
        """Change the zoom and stay on the page being read (not the old scroll offset,
        which lands on another page at the new size)."""
        navigator = self.view.pageNavigator()
        page = navigator.currentPage()
        whole = self.whole_page.isChecked()
        self.view.setZoomMode(
            QPdfView.ZoomMode.FitInView if whole else QPdfView.ZoomMode.FitToWidth
        )
        # QPdfView scrolls only when the current page changes: from the top, to the page.
        self.view.verticalScrollBar().setValue(0)
        if page:
            navigator.jump(page, QPointF(), 0)
        self._show_page_number(navigator.currentPage())

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    def print_pages(self) -> int:
        """The system print dialog; after printing the preview closes."""
        sent = print_now(self, self.controller, self.document)
        if sent:
            self.accept()
        return sent

    def export_pdf(self) -> Path | None:
        return export(self, self.controller)


def _toggle(text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setCheckable(True)
    return button


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
