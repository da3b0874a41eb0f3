"""The pharmacist's window: the form on the left, the live plan on the right.

Every edit goes to the controller, which replans at once; the window shows the plan or the
problems and enables Save and Print only while the plan is valid. No modal error boxes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QSplitter, QWidget

from besponsa_desktop.controller import (
    CONFIRMATIONS,
    FieldProblem,
    PlanController,
)
from besponsa_desktop.ui.fields import ALIGN_CENTER
from besponsa_desktop.ui.form import PatientForm

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtGui import QAction, QCloseEvent, QPaintEvent
    from PySide6.QtWidgets import QTabWidget

    from besponsa_desktop.course_controller import Notice
    from besponsa_desktop.ui.course_panel import CoursePanel
    from besponsa_desktop.ui.plan_view import PlanView
    from besponsa_desktop.ui.print_preview import PrintPreview
    from besponsa_desktop.ui.settings_dialog import SettingsDialog



class MainWindow(QMainWindow):
    def __init__(self, controller: PlanController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("besponsa-desktop — inotuzumab ozogamicin treatment plan")
        self.form = PatientForm()
        # The plan view is built when the dosing rules have loaded (``run`` loads them
        # first); until then a label holds its place.
        self.plan_view: PlanView | None = None
        self.placeholder = QLabel("Loading the dosing rules…")
        self.placeholder.setProperty("alignment", ALIGN_CENTER)
        self.splitter = QSplitter()  # horizontal
        self.splitter.addWidget(self.form)
        self.splitter.addWidget(self.placeholder)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([560, 800])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.settings_dialog: SettingsDialog | None = None
        self.file_menu = self.menuBar().addMenu("&File")
        self.course_menu = self.menuBar().addMenu("&Course")
        self._build_actions()
        self._prepare_course()

        self.form.valueChanged.connect(self._edited)
        # Edited by hand since the form was last emptied, opened or saved: New patient,
        # Open patient and Quit ask before discarding it.
        self.unsaved = False
        controller.coreReady.connect(self._build_plan_view)
        if controller.core_loaded:
            self._build_plan_view()
        controller.planChanged.connect(self._plan_changed)
        controller.problemsChanged.connect(self._problems_changed)
        controller.validityChanged.connect(self._validity_changed)
        controller.planFailed.connect(self._plan_failed)
        controller.statusMessage.connect(lambda text: self.statusBar().showMessage(text, 8000))
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

        self.form.set_values(controller.values)
        self.form.set_applicable(controller.shown_fields())
        self._validity_changed(controller.valid)
        if self.plan_view is None:
            self.statusBar().showMessage("Loading the dosing rules…")
        self._restore_geometry()
        # the first thing typed is the patient's name (given when the window is activated)
        self.form.fields["patient.name"].editor.setFocus()

    # ---------------------------------------------------------------- actions
    def _action(self, text: str, shortcut: str, slot: Any, tip: str) -> QAction:
        from PySide6.QtGui import QAction

        # QAction(text, parent) would load QIcon's enums (an overload takes an icon)
        item = QAction(self)
        item.setText(text)
        if shortcut:
            # through the property, as text: QKeySequence and setShortcut's overloads cost
            # PySide6 several ms of enum building
            item.setProperty("shortcut", shortcut)
        item.setStatusTip(tip)
        item.setToolTip(tip)
        item.triggered.connect(slot)
        self.addAction(item)
        return item

    def _build_actions(self) -> None:
        """The menus' actions and their shortcuts."""
        action = self._action
        self.new_action = action("&New patient", "Ctrl+N", self.new_patient,
                                 "Clear the form for a new patient (Ctrl+N)")
        self.save_action = action("&Save", "Ctrl+S", self.save,
                                  "Save the plan to the patient's course, signed (Ctrl+S)")
        # Printing: Ctrl+P shows the preview, which has its own Print button.
        self.preview_action = action("Print pre&view…", "Ctrl+P", self.preview_printout,
                                     "See the nurses' printout, then print it (Ctrl+P)")
        self.print_action = action("&Print…", "Ctrl+Shift+P", self.print_printout,
                                   "Print the nurses' printout (Ctrl+Shift+P)")
        self.export_action = action("&Export PDF…", "Ctrl+E", self.export_printout,
                                    "Save the nurses' printout as a PDF file (Ctrl+E)")
        self.settings_action = action("Se&ttings…", "Ctrl+,", self.open_settings,
                                      "Institution defaults")
        self.quit_action = action("&Quit", "Ctrl+Q", self.close, "Close the program")
        menu = self.file_menu
        for item in (self.new_action, self.save_action):
            menu.addAction(item)
        menu.addSeparator()
        for item in (self.preview_action, self.print_action, self.export_action):
            menu.addAction(item)
        menu.addSeparator()
        menu.addAction(self.settings_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        self._build_course_menu()
        self._validity_changed(self.controller.valid)

    # The printing module (QtPdf, QtPrintSupport) loads on the first print, not at start-up.
    def preview_printout(self) -> PrintPreview | None:
        from besponsa_desktop.ui import print_preview

        return print_preview.preview(self, self.controller)

    def print_printout(self) -> int:
        from besponsa_desktop.ui import print_preview

        return print_preview.print_now(self, self.controller)

    def export_printout(self) -> Path | None:
        from besponsa_desktop.ui import print_preview

        return print_preview.export(self, self.controller)

    def discard_ok(self, doing: str) -> bool:
        """True when nothing unsaved would be lost, or the pharmacist agrees to lose it."""
        if not self.unsaved:
            return True
        from PySide6.QtWidgets import QMessageBox

        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self, "Changes not saved",
            f"The form holds changes not saved to the patient's course. {doing} discards "
            "them.\n\nDiscard the changes? (Cancel, then Ctrl+S, saves them.)",
            buttons.Discard | buttons.Cancel, buttons.Cancel,
        )
        return bool(answer == buttons.Discard)

    def new_patient(self) -> None:
        if not self.discard_ok("A new patient"):
            return
        self.unsaved = False
        values = self.controller.new_patient()  # closes the previous patient's course too
        self.form.set_values(values)
        self.form.set_applicable(self.controller.shown_fields())
        self.form.focus_field("patient.name")

    def load_values(self, values: dict[str, Any]) -> None:
        self.form.set_values(values)
        self.form.set_applicable(self.controller.shown_fields())

    # ---------------------------------------------------------------- the course
    def _prepare_course(self) -> None:
        """The Course tab beside the plan, made with the plan view once the dosing rules are
        loaded; its menu comes with the other actions. The store loads only when first
        used."""
        self.course_tabs: QTabWidget | None = None
        self._course_panel: CoursePanel | None = None
        # Any edit by hand: the form no longer shows the plan as saved or as checked.
        self.form.valueChanged.connect(self._course_form_edited)

    def _build_course_menu(self) -> None:
        for text, shortcut, slot, tip in (
            ("&Open patient…", "Ctrl+O", self.open_patient, "Find a stored patient by MRN or "
             "name and open their course (Ctrl+O)"),
            ("Plan &next cycle", "Ctrl+Shift+N", self.plan_next_cycle, "Fill the form for Day 1 "
             "of the next cycle from the open course (Ctrl+Shift+N)"),
            ("&Double check…", "Ctrl+D", self.double_check, "A second person re-enters height "
             "and weight blind (Ctrl+D)"),
            ("&Record dose…", "Ctrl+R", self.record_dose, "Record the dose selected in the "
             "course timeline: given, held, moved or omitted (Ctrl+R)"),
            ("&Correct a dose record…", "", self.correct_record, "Void a wrong record of the "
             "dose selected in the timeline, with the reason (it is kept in the history)"),
            ("Record r&esponse…", "Ctrl+Shift+R", self.record_response, "Record the response "
             "after the cycle selected in the timeline, or the latest (Ctrl+Shift+R)"),
            ("Plan or course &timeline", "Ctrl+T", self.toggle_course,
             "Switch between the plan and the course timeline (Ctrl+T)"),
        ):
            self.course_menu.addAction(self._action(text, shortcut, slot, tip))

    def course_panel(self) -> CoursePanel:
        """The course panel, in a tab beside the plan (made on first use)."""
        if self._course_panel is None and not self.controller.core_loaded:
            # a course fills the form: the rules are needed; loading them builds the plan
            # view, and this panel with it
            self.controller.load_core()
        if self._course_panel is None:
            from PySide6.QtWidgets import QTabWidget, QVBoxLayout

            from besponsa_desktop.ui.course_panel import CoursePanel

            course = self.controller.course
            panel = CoursePanel(course, self.load_values)
            plan_side = self.splitter.widget(1)
            assert plan_side is not None
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(4)
            column.addWidget(panel.notice)  # messages stay in sight whichever tab is shown
            tabs = QTabWidget()
            tabs.setDocumentMode(True)
            column.addWidget(tabs, 1)
            self._replace_plan_side(holder)
            # PySide6 leaves a widget put in by replaceWidget owned by Python: keep it
            self._course_holder = holder
            tabs.addTab(plan_side, "Plan")
            tabs.addTab(panel, "Course timeline")
            course.notice.connect(self._course_notice)
            course.courseChanged.connect(self._course_changed)
            panel.opened.connect(self.show_course)
            panel.formFilled.connect(self.show_plan)
            panel.formFilled.connect(self._form_filled)
            panel.opened.connect(self._form_filled)
            self.course_tabs, self._course_panel = tabs, panel
        return self._course_panel

    def show_course(self) -> CoursePanel:
        panel = self.course_panel()
        assert self.course_tabs is not None
        self.course_tabs.setCurrentWidget(panel)
        return panel

    def show_plan(self) -> None:
        self.course_panel()
        assert self.course_tabs is not None
        self.course_tabs.setCurrentIndex(0)

    def toggle_course(self) -> None:
        panel = self.course_panel()
        assert self.course_tabs is not None
        if self.course_tabs.currentWidget() is panel:
            self.show_plan()
        else:
            self.show_course()

    def save(self) -> bool:
        panel = self.course_panel()
        saved = self.controller.save()
        if saved:
            self.unsaved = False
        if not saved and self.controller.valid and not self.controller.course.signer:
            self.show_course()
            panel.require_signer()
        return saved

    def open_patient(self) -> Any:
        if not self.discard_ok("Opening a patient"):
            return None
        return self.course_panel().open_patient()

    def plan_next_cycle(self) -> None:
        self.course_panel().plan_next_cycle()

    def record_dose(self) -> Any:
        """The dose selected in the timeline; with none selected, the timeline is shown
        and the status bar says to choose one."""
        panel = self.course_panel()
        dialog = panel.record_selected()
        if dialog is None:
            self.show_course()
            self.statusBar().showMessage(
                "Record dose: select a dose in the course timeline first.", 8000)
        return dialog

    def correct_record(self) -> Any:
        """Void a record of the dose selected in the timeline (the core decides)."""
        panel = self.course_panel()
        chosen = panel.selected_dose()
        dose = None if chosen is None else panel.dose_data(*chosen)
        if chosen is None or dose is None:
            self.show_course()
            self.statusBar().showMessage(
                "Correct a dose record: select the dose in the course timeline first.", 8000)
            return None
        from besponsa_desktop.ui.correction_dialog import CorrectionDialog

        dialog = CorrectionDialog(self.controller.course, chosen[0], dose, self)
        panel._show_dialog(dialog)  # tracked, window-modal and guarded like the others
        return dialog

    def record_response(self) -> Any:
        """The response after the cycle selected in the timeline, else the latest cycle."""
        panel = self.course_panel()
        data = self.controller.course.course
        cycles = [int(c["number"]) for c in (data or {}).get("cycles", [])]
        if not cycles:
            self.show_course()
            self.statusBar().showMessage(
                "Record response: open the patient's course first (Ctrl+O).", 8000)
            return None
        chosen = panel.selected_dose()
        cycle = chosen[0] if chosen is not None else max(cycles)
        from besponsa_desktop.ui.response_dialog import ResponseDialog

        dialog = ResponseDialog(self.controller.course, cycle, self)
        panel._show_dialog(dialog)
        return dialog

    def double_check(self) -> Any:
        # blind from every entry point: the dialog itself hides the form and the plan
        return self.course_panel().double_check()

    def _course_changed(self, data: Any) -> None:
        self._plan_changed(self.controller.plan)  # the plan view follows the course
        if self.course_tabs is None:
            return
        if data is None:
            self.course_tabs.setTabText(1, "Course timeline")
            return
        self.course_tabs.setTabText(1, f"Course timeline — {data['patient']['name']}")

    def _form_filled(self, *_args: Any) -> None:
        self.unsaved = False  # the form shows a plan as stored

    def _course_form_edited(self, *_args: Any) -> None:
        self.controller.course.form_edited()  # cheap: the store loads only when used

    def _course_notice(self, notice: Notice) -> None:
        self.statusBar().showMessage(notice.text, 10000)

    def open_settings(self) -> SettingsDialog:
        """Opens the settings dialog without blocking (window-modal)."""
        from besponsa_desktop.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.controller.settings, self)
        dialog.saved.connect(self._settings_saved)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def _settings_saved(self) -> None:
        self.controller.recompute()
        self.statusBar().showMessage(
            "Settings saved. The BSA formula and label profile apply from the next new "
            "patient.",
            8000,
        )

    def _build_plan_view(self) -> None:
        if self.plan_view is not None:
            return
        from besponsa_desktop.ui.plan_view import PlanView

        self.statusBar().clearMessage()  # "Loading the dosing rules…" is over
        self.plan_view = PlanView(self.form.label_for)
        self.plan_view.fieldActivated.connect(self.form.focus_field)
        self._replace_plan_side(self.plan_view)
        self.placeholder.deleteLater()
        self.course_panel()  # the plan view goes into its tab, beside the course's
        if not self.isVisible():
            # not laid out yet, so the splitter kept no sizes: the saved or default ones
            self._restore_geometry()

    def _replace_plan_side(self, widget: QWidget) -> None:
        """Put ``widget`` on the plan's side of the splitter; the form keeps its width."""
        sizes = self.splitter.sizes()
        self.splitter.replaceWidget(1, widget)
        self.splitter.setSizes(sizes)

    # ---------------------------------------------------------------- the controller
    def _edited(self, key: str, value: Any) -> None:
        self.unsaved = True
        self.controller.set_value(key, value)
        values = self.controller.values
        self.form.set_values({k: values[k] for k in CONFIRMATIONS})  # voided by an edit
        self.form.set_applicable(self.controller.shown_fields())

    def _plan_changed(self, plan: Any) -> None:
        if plan is not None and self.plan_view is not None:
            # as the course records it: moved dates, given times, omitted doses
            self.plan_view.show_plan(self.controller.shown_plan(plan))
            self.plan_view.show_course_note(self.controller.course_note())
            self.statusBar().clearMessage()

    def _plan_failed(self, message: str) -> None:
        self.form.show_problems([])
        if self.plan_view is not None:
            self.plan_view.show_failure(message)

    def _problems_changed(self, problems: list[FieldProblem]) -> None:
        self.form.set_applicable(self.controller.shown_fields())
        self.form.show_problems(problems)
        if problems and self.plan_view is not None:
            self.plan_view.show_problems(problems)

    def _validity_changed(self, valid: bool) -> None:
        self.save_action.setEnabled(valid)
        for item in (self.preview_action, self.print_action, self.export_action):
            item.setEnabled(valid)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self.form.isAncestorOf(new):
            self.form.ensureWidgetVisible(new, 40, 60)

    # ---------------------------------------------------------------- geometry
    def _restore_geometry(self) -> None:
        from PySide6.QtCore import QByteArray

        settings = self.controller.settings
        geometry = settings.window_state("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self._default_geometry()
        splitter = settings.window_state("splitter")
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)

    def _default_geometry(self) -> None:
        screen = self.screen().availableGeometry() if self.screen() else None
        width, height = 1340, 740
        if screen is not None:
            width = min(width, screen.width())
            height = min(height, screen.height())
        self.resize(width, height)
        # the form takes what it needs up to 560 px; the plan gets the rest
        form = min(560, int(width * 0.42))
        self.splitter.setSizes([form, width - form])

    remember_geometry = True  # off for --smoke: a start-up check leaves no trace

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.discard_ok("Quitting"):
            event.ignore()
            return
        if not self.remember_geometry:
            super().closeEvent(event)
            return
        settings = self.controller.settings
        settings.set_window_state("geometry", self.saveGeometry())
        settings.set_window_state("splitter", self.splitter.saveState())
        from besponsa_desktop.settings import SettingsNotSaved

        with contextlib.suppress(SettingsNotSaved):  # the window's size only: not worth a box
            settings.sync()
        super().closeEvent(event)

    # A paintEvent override, not an application event filter: a Python event filter sees
    # every event, and PySide6 then builds most of the Qt enum namespace (~40 ms before
    # the first paint).
    _after_first_paint: Callable[[], None] | None = None

    def after_first_paint(self, done: Callable[[], None]) -> None:
        """Calls ``done`` once, when the first paint of the window has finished."""
        self._after_first_paint = done

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        done, self._after_first_paint = self._after_first_paint, None
        if done is not None:
            # the children paint in this same pass; the timer fires once it is on screen
            QTimer.singleShot(0, done)


def install_exception_hook(window: MainWindow) -> None:
    """The program's one global exception hook, for the running window: an error no code
    expected (in a slot, a paint, a timer) is logged without patient data, the plan on
    screen is withdrawn (it may no longer be right) and the window says so; never a
    traceback, never a window that carries on as if nothing happened."""
    import sys

    def hook(kind: type[BaseException], error: BaseException, traceback: Any) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, traceback)
            return
        if error.__traceback__ is None:
            error = error.with_traceback(traceback)
        window.controller.withdraw(error)
        window.statusBar().showMessage(
            "An internal error occurred and was logged; the plan was withdrawn. Please "
            "contact IT.", 0)

    sys.excepthook = hook
