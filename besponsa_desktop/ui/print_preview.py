"""Print preview, printing and PDF export of the nurses' printout.

The controller makes the PDF (``print_plan``, ``export_pdf``); here its pages are rendered
with PDFium (pypdfium2), shown in the preview, sent to a printer, or the PDF saved where
the pharmacist chooses. The window imports this module on the first print only: pypdfium2
and QtPrintSupport cost some tens of ms to import, reportlab ~200 ms.

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

import pypdfium2
from PySide6.QtCore import QRectF, QSize, QSizeF, QStandardPaths, Qt, Signal
from PySide6.QtGui import (
    QImage,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShortcut,
)
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
    QScrollArea,
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
class PdfPages:
    """The pages of a PDF held in memory (no temporary file with patient data on disk),
    rendered by PDFium. Used from the GUI thread only (PDFium is not thread-safe)."""

    def __init__(self, data: bytes) -> None:
        try:
            self._pdf = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError as error:
            raise ValueError(f"the printout could not be read back ({error})") from None
        self.page_count = len(self._pdf)
        if not self.page_count:
            raise ValueError("the printout could not be read back (no pages)")
        self._sizes = [QSizeF(*self._pdf[i].get_size()) for i in range(self.page_count)]

    def page_points(self, page: int) -> QSizeF:
        """The page's size in points (1/72 inch)."""
        return self._sizes[page]

    def render(self, page: int, dpi: float) -> QImage:
        """The page at ``dpi`` on white paper, as an image Qt owns."""
        bitmap = self._pdf[page].render(
            scale=dpi / 72, fill_color=(255, 255, 255, 255), prefer_bgrx=True,
            may_draw_forms=False,
        )
        # BGRx in memory is Qt's RGB32 on little-endian machines (x86-64, ARM)
        image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                       QImage.Format.Format_RGB32)
        return image.copy()  # detached from PDFium's buffer, which goes with ``bitmap``


def load_pdf(data: bytes) -> PdfPages:
    """The printout's pages; ValueError if PDFium cannot read them."""
    return PdfPages(data)


def page_size_of(document: PdfPages) -> QPageSize:
    """A4 or Letter, as the printout was laid out (the printer is set to match)."""
    return QPageSize(
        QPageSize.id(
            document.page_points(0),
            QPageSize.Unit.Point,
            QPageSize.SizeMatchPolicy.FuzzyMatch,
        )
    )


def new_printer(document: PdfPages) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(PRINT_JOB_NAME)
    printer.setPageSize(page_size_of(document))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    # The PDF has its own margins: place each page on the whole sheet, unscaled.
    printer.setFullPage(True)
    printer.setFromTo(0, 0)  # all pages unless the pharmacist picks a range
    return printer


def page_image(document: PdfPages, page: int, dpi: float) -> QImage:
    """One page at ``dpi``, on white paper."""
    return document.render(page, dpi)


def print_document(document: PdfPages, printer: QPrinter) -> int:
    """Print the pages of ``document`` the printer is set to (a range, or all; the copies
    asked for); returns the number of sheets sent, 0 if the printer could not be started."""
    count = document.page_count
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
    parent: QWidget, controller: PlanController, document: PdfPages | None = None
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
    if not choose_printer(parent, printer, document.page_count):
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


def _document(controller: PlanController, parent: QWidget) -> PdfPages | None:
    """The current printout's pages; None (and the status bar says why) if
    there is none."""
    if not confirm_small_doses(parent, controller):
        return None
    with _busy():  # the first printout loads reportlab: about half a second
        data = controller.print_plan()
        if data is None:
            return None
        try:
            return load_pdf(data)
        except ValueError as error:  # PDFium could not read reportlab's PDF: a bug
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
# Pages are rendered once, sharp enough for a large screen at 200 % zoom, and drawn scaled.
PREVIEW_DPI = 144
PAGE_SPACING = 12  # pixels of grey around and between the pages


class PageView(QScrollArea):
    """The pages one under another on grey, the width of the view ("fit width") or each
    whole in it ("whole page"). ``current_page`` is the page at the middle of the view."""

    currentPageChanged = Signal(int)

    def __init__(self, document: PdfPages, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.images = [document.render(i, PREVIEW_DPI) for i in range(document.page_count)]
        self.whole_page = False
        self.rects: list[QRectF] = []
        self._current = 0
        self.sheets = _Sheets(self)
        self.setWidget(self.sheets)
        self.setWidgetResizable(False)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.setStyleSheet("QScrollArea, QScrollArea > QWidget > QWidget { background: #8a8a8a; }")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)

    def set_whole_page(self, whole: bool) -> None:
        """Change the zoom and stay on the page being read."""
        page = self._current
        self.whole_page = whole
        self._lay_out()
        self.jump(page)

    def jump(self, page: int) -> None:
        """Scroll so that ``page`` starts at the top of the view."""
        if self.rects:
            self.verticalScrollBar().setValue(round(self.rects[page].top()) - PAGE_SPACING)
        self._scrolled()

    @property
    def current_page(self) -> int:
        return self._current

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        page = self._current
        self._lay_out()
        if page:
            self.jump(page)

    def _lay_out(self) -> None:
        viewport = self.viewport().size()
        self.rects = []
        top = float(PAGE_SPACING)
        widest = 0.0
        for i in range(self.document.page_count):
            points = self.document.page_points(i)
            if self.whole_page:
                height = max(50.0, viewport.height() - 2 * PAGE_SPACING)
                width = height * points.width() / points.height()
            else:
                width = max(50.0, viewport.width() - 2 * PAGE_SPACING)
                height = width * points.height() / points.width()
            self.rects.append(QRectF(PAGE_SPACING, top, width, height))
            top += height + PAGE_SPACING
            widest = max(widest, width)
        canvas = QSize(round(widest) + 2 * PAGE_SPACING, round(top))
        for rect in self.rects:  # centred across the canvas
            rect.moveLeft((canvas.width() - rect.width()) / 2)
        self.sheets.resize(canvas)
        self.sheets.update()

    def _scrolled(self) -> None:
        middle = self.verticalScrollBar().value() + self.viewport().height() / 2
        page = 0
        for i, rect in enumerate(self.rects):
            if rect.top() - PAGE_SPACING <= middle:
                page = i
        if page != self._current:
            self._current = page
            self.currentPageChanged.emit(page)


class _Sheets(QWidget):
    """What PageView scrolls: the pages drawn at the size it laid them out."""

    def __init__(self, view: PageView) -> None:
        super().__init__()
        self.view = view

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        visible = QRectF(event.rect())
        for rect, image in zip(self.view.rects, self.view.images, strict=True):
            if rect.intersects(visible):
                painter.drawImage(rect, image)
        painter.end()


class PrintPreview(QDialog):
    """The printout as it will come out of the printer, with Print and Export buttons."""

    def __init__(self, document: PdfPages, controller: PlanController, parent: QWidget) -> None:
        super().__init__(parent)
        self.setStyleSheet(look.STYLE)
        self.controller = controller
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.document = document
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

        self.view = PageView(self.document, self)

        pages = self.document.page_count
        self.page_label = QLabel()
        self.view.currentPageChanged.connect(self._show_page_number)
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
        self.page_label.setText(f"Page {page + 1} of {self.document.page_count}")

    def _zoom_changed(self) -> None:
        self.view.set_whole_page(self.whole_page.isChecked())
        self._show_page_number(self.view.current_page)

    @property
    def page_count(self) -> int:
        return self.document.page_count

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
