"""The course beside the plan: who is signed in, the patient, the state of the course (a
discontinued course says so, with its reason) and the timeline of cycles, plans and doses
as the course has them (the application's history, the same data ``history`` prints), with
their status in words (PLANNED, GIVEN, HELD, MOVED, OMITTED, NOT GIVEN — DISCONTINUED).

Messages from the store (saved, refused, changed elsewhere) appear in a bar at the top of
the panel, never in a modal box. Dialogs open without blocking (``open``, not ``exec``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from besponsa_desktop.controller import fmt
from besponsa_desktop.course_controller import CONFLICT, ERROR, RELOAD, CourseController, Notice
from besponsa_desktop.entry import MONTHS, WEEKDAYS, human_date
from besponsa_desktop.ui import look

# status -> (words, text colour, background)
STATUS_LOOK = {
    "scheduled": ("PLANNED", "#1a1a1a", "#ffffff"),
    "not_given_discontinued": ("NOT GIVEN — DISCONTINUED", "#ffffff", "#8b0000"),
    "given": ("GIVEN", "#ffffff", "#1b6e34"),
    "held": ("HELD", "#1a1a1a", "#f2b705"),
    "moved": ("MOVED", "#ffffff", "#1f4e9c"),
    "omitted": ("OMITTED", "#ffffff", "#6b6b6b"),
}
DECISIONS = {"proceed": "PROCEED", "hold": "HOLD", "discontinue": "DISCONTINUE",
             "not_eligible": "NOT ELIGIBLE"}
DOSE_LEVELS = {0: "full dose", 1: "dose level 1 (25% decrease)",
               2: "dose level 2 (two doses per cycle)"}
RESPONSES = {"cr": "CR", "cri": "CRi", "none": "not achieved"}
STATES = {"discontinued": "TREATMENT DISCONTINUED", "complete": "COURSE COMPLETE",
          "on_hold": "ON HOLD"}
SEX = {"female": "F", "male": "M"}
NOTICE_LOOK = {  # kind -> (background, border)
    "info": ("#e8f0fb", "#9bb5dc"),
    ERROR: ("#fff0f0", "#b00020"),
    CONFLICT: ("#fff4d6", "#8a6d00"),
}
COLUMN_COUNT = 5
ROLE_DOSE = 0x0100 + 1  # Qt.UserRole + 1: (cycle, day) of a dose row


NO_COURSE = "No course open. Open a patient (Ctrl+O), or save a plan (Ctrl+S) to start a course."

def _date_text(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return human_date(date.fromisoformat(iso[:10]))
    except ValueError:
        return iso


def _when_text(iso: str | None) -> str:
    """Tue 1 Dec 10:30 (a time given, in the ward's local time as typed)."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    text = f"{WEEKDAYS[moment.weekday()]} {moment.day} {MONTHS[moment.month - 1]} {moment.year}"
    return text + (f" {moment:%H:%M}" if len(iso) > 10 else "")


def _saved_text(iso: str | None) -> str:
    """When a plan was saved (stored in UTC), in local time."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return iso
    return f"{WEEKDAYS[moment.weekday()]} {moment.day} {MONTHS[moment.month - 1]} {moment:%H:%M}"


class NoticeBar(QFrame):
    """One message at a time, with the action it offers (Reload) and a dismiss button."""

    def __init__(self, reload: Callable[[], Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 6, 6)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.text, 1)
        self.reload_button = QPushButton("Reload course")
        self.reload_button.setToolTip("Read the course again from the database; the form keeps "
                                      "your entries")
        self.reload_button.clicked.connect(reload)
        row.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignTop)
        self.dismiss = QPushButton("✕")
        self.dismiss.setFixedWidth(28)
        self.dismiss.setToolTip("Dismiss this message")
        self.dismiss.setAccessibleName("Dismiss message")
        self.dismiss.clicked.connect(self.hide)
        row.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.kind = ""
        self.hide()

    def show_notice(self, notice: Notice) -> None:
        self.kind = notice.kind
        background, border = NOTICE_LOOK.get(notice.kind, NOTICE_LOOK["info"])
        self.setStyleSheet(f"QFrame#noticeBar {{ background: {background}; "
                           f"border: 1px solid {border}; border-radius: 3px; }}")
        prefix = {ERROR: "⚠ ", CONFLICT: "⚠ Changed elsewhere — "}.get(notice.kind, "")
        self.text.setText(prefix + notice.text)
        self.reload_button.setVisible(notice.action == RELOAD)
        self.show()


class CoursePanel(QWidget):
    """The course tab. ``load_values`` puts field values into the window's form."""

    opened = Signal()  # a course was opened: the window shows the timeline
    formFilled = Signal()  # the next cycle is in the form: the window shows the plan

    def __init__(
        self,
        course: CourseController,
        load_values: Callable[[dict[str, Any]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setStyleSheet(look.STYLE)
        self.course = course
        self.load_values = load_values
        self.dialog: QDialog | None = None  # the dialog open now, if any (tests reach it)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 6, 6, 6)
        column.setSpacing(6)

        sign = QHBoxLayout()
        caption = QLabel("Signed in as")
        self.signer = QLineEdit(course.signer)
        self.signer.setPlaceholderText("your name (signs what you save)")
        self.signer.setAccessibleName("Signed in as")
        self.signer.setToolTip("Your name: every plan you save and every dose you record is "
                               "signed with it")
        self.signer.setMaxLength(200)
        caption.setBuddy(self.signer)
        self.signer.setMinimumWidth(260)
        sign.addWidget(caption)
        sign.addWidget(self.signer)
        sign.addStretch(1)
        column.addLayout(sign)
        self.signer.textEdited.connect(course.set_signer)
        course.signerChanged.connect(self._signer_changed)

        self.notice = NoticeBar(self._reload)
        column.addWidget(self.notice)

        self.patient = QLabel(NO_COURSE)
        self.patient.setObjectName("coursePatient")
        self.patient.setWordWrap(True)
        column.addWidget(self.patient)

        self.tree = QTreeWidget()
        self.tree.setObjectName("timeline")
        self.tree.setAccessibleName("Course timeline")
        self.tree.setColumnCount(COLUMN_COUNT)
        self.tree.setHeaderLabels(["Cycle / day", "Date", "Status", "Dose", "Details"])
        self.tree.setRootIsDecorated(True)
        self.tree.setAlternatingRowColors(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        header = self.tree.header()
        header.setStretchLastSection(True)
        for index in range(COLUMN_COUNT - 1):
            header.setSectionResizeMode(index, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.itemDoubleClicked.connect(lambda *_: self.record_selected())
        column.addWidget(self.tree, 1)

        buttons = QGridLayout()
        buttons.setSpacing(4)
        self.open_button = QPushButton("Open patient…")
        self.open_button.setToolTip("Find a stored patient by MRN or name (Ctrl+O)")
        self.open_button.clicked.connect(self.open_patient)
        self.next_button = QPushButton("Plan next cycle")
        self.next_button.setToolTip("Fill the form for Day 1 of the next cycle from this course")
        self.next_button.clicked.connect(self.plan_next_cycle)
        self.record_button = QPushButton("Record dose…")
        self.record_button.setToolTip("Record the selected dose as given, held, moved or "
                                      "omitted (or double-click it)")
        self.record_button.clicked.connect(self.record_selected)
        self.check_button = QPushButton("Double check…")
        self.check_button.setToolTip("A second person re-enters height and weight without "
                                     "seeing them")
        self.check_button.clicked.connect(self.double_check)
        self.plan_day_button = QPushButton("Plan this dose")
        self.plan_day_button.setToolTip("Fill the form for the selected dose from the course "
                                        "(its cycle's start, dose level and response); enter "
                                        "weight and today's labs")
        self.plan_day_button.clicked.connect(self.plan_selected_dose)
        self.plan_day_button.setEnabled(False)
        buttons.addWidget(self.open_button, 0, 0)
        buttons.addWidget(self.next_button, 0, 1)
        buttons.addWidget(self.record_button, 1, 0)
        buttons.addWidget(self.check_button, 1, 1)
        buttons.addWidget(self.plan_day_button, 2, 0)
        column.addLayout(buttons)

        course.courseChanged.connect(self.show_course)
        course.notice.connect(self.notice.show_notice)
        self.show_course(course.course)

    # ---------------------------------------------------------------- showing the course
    def _signer_changed(self, name: str) -> None:
        if name:
            look.show_state(self.signer, "")  # the name Save asked for is there now
        if self.signer.text().strip() != name:
            self.signer.setText(name)

    def show_course(self, data: dict[str, Any] | None) -> None:
        self.tree.clear()
        self.next_button.setEnabled(data is not None)
        self.record_button.setEnabled(False)
        self.plan_day_button.setEnabled(False)
        if data is None:
            self.patient.setText(NO_COURSE)
            return
        patient = data["patient"]
        count = len(data["cycles"])
        state = data.get("state") or {}
        said = STATES.get(state.get("status", ""), "")
        reason = (state.get("reason") or {}).get("message")
        self.patient.setText(
            f"<b>{_escape(patient['name'])}</b> · MRN {_escape(patient['mrn'])} · born "
            f"{_date_text(patient['date_of_birth'])} · {SEX.get(patient['sex'], '')} · "
            f"{count} cycle{'' if count == 1 else 's'}"
            + (f"<br><b style='color:#8b0000'>{said}</b>" if said else "")
            + (f": {_escape(reason)}" if said and reason else "")
        )
        head = str(data.get("chain_head_short") or "")
        if head:
            # the record chain's head, as printed and exported: kept outside the database,
            # it shows a chain rewritten or cut short (audit verify --expect HEAD)
            self.patient.setText(self.patient.text() + f"<br><small>Record chain {head}</small>")
        self.patient.setToolTip(
            f"Course version {data['version']} (changes saved so far)."
            + (f" Record chain {head}: the database's chain head when this course was read; "
               "it is printed on every printout and written in every export, and "
               "'audit verify --expect' checks that the database still holds it." if head
               else "")
        )
        bold = QFont()
        bold.setBold(True)
        last: QTreeWidgetItem | None = None
        for cycle in data["cycles"]:
            top = QTreeWidgetItem(self.tree, [
                f"Cycle {cycle['number']}",
                _date_text(cycle["start_date"]),
                "",
                "",
                self._cycle_details(cycle),
            ])
            for column in range(COLUMN_COUNT):
                top.setFont(column, bold)
            top.setToolTip(4, "Dose level in force (Table 4) and the response assessed after "
                              "the cycle")
            for plan in cycle["plans"]:
                self._plan_item(top, plan, cycle["plans"])
            for dose in cycle["doses"]:
                self._dose_item(top, cycle["number"], dose)
            top.setExpanded(True)
            last = top
        if last is not None:
            self.tree.scrollToItem(last)

    @staticmethod
    def _cycle_details(cycle: dict[str, Any]) -> str:
        level = DOSE_LEVELS.get(cycle["dose_level"], f"dose level {cycle['dose_level']}")
        response = cycle.get("response_after")
        if response is None:
            return f"{level}; response: not recorded"
        text = f"{level}; response: {RESPONSES.get(response, response)}"
        if cycle.get("mrd_negative_after"):
            text += ", MRD negative"
        return text

    def _dose_item(self, parent: QTreeWidgetItem, cycle: int, dose: dict[str, Any]) -> None:
        status = dose["status"]
        words, colour, background = STATUS_LOOK.get(status, (status.upper(), "#000", "#fff"))
        mg = "" if dose.get("dose_mg") is None else f"{fmt(dose['dose_mg'])} mg"
        when = _date_text(dose["date"])
        live = [e for e in dose.get("entries", []) if not e.get("voided")]
        last = live[-1] if live else None
        # who recorded it: not necessarily who gave or held the dose
        by = f"; recorded by {last['by']}" if last else ""
        details = ("" if dose.get("volume_ml") is None
                   else f"{fmt(dose['volume_ml'])} mL to withdraw")
        moved_from = (dose["date"] and dose["date"] != dose["nominal_date"])
        if status == "given":
            when = _when_text(dose["given_at"])
            details = f"given{by}"
            if moved_from:
                details += f" (due {_date_text(dose['nominal_date'])})"
        elif status == "moved":
            details = f"from {_date_text(dose['nominal_date'])}: {dose['reason']}{by}"
        elif status in ("held", "omitted", "not_given_discontinued"):
            details = f"{dose['reason']}{by if status != 'not_given_discontinued' else ''}"
        elif moved_from:
            details += f" (due {_date_text(dose['nominal_date'])}; moved by the doses before)"
        tox = max((e.get("toxicity_days") or 0 for e in live), default=0)
        if tox:
            details += f"; interrupted {tox} days for toxicity"
        voided = len(dose.get("entries", [])) - len(live)
        if voided:
            details += f"; {voided} record{'s' if voided > 1 else ''} voided (see history)"
        item = QTreeWidgetItem(parent, [f"Day {dose['day']}", when, words, mg, details])
        item.setForeground(2, QBrush(QColor(colour)))
        item.setBackground(2, QBrush(QColor(background)))
        item.setTextAlignment(2, Qt.AlignmentFlag.AlignCenter)
        item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setData(0, ROLE_DOSE, (cycle, dose["day"]))
        item.setToolTip(4, details)

    @staticmethod
    def _plan_item(parent: QTreeWidgetItem, plan: dict[str, Any],
                   plans: list[dict[str, Any]]) -> None:
        same_day = [p for p in plans if p["dose_day"] == plan["dose_day"]]
        revision = plan["revision"]
        current = plan["current"]
        verification = plan.get("verification") or {}
        checked = (f"double-checked by {verification['checked_by']}"
                   if verification.get("verified") else "NOT YET VERIFIED")
        label = f"Plan Day {plan['dose_day']}"
        if len(same_day) > 1:
            label += f" rev {revision}" + ("" if current else " (replaced)")
        item = QTreeWidgetItem(parent, [
            label,
            f"saved {_saved_text(plan['saved_at'])}",
            DECISIONS.get(plan["decision"], plan["decision"].upper()),
            "",
            f"by {plan['saved_by'] or '(no name)'}; {checked}",
        ])
        grey = QBrush(QColor("#555555" if current else "#8a8a8a"))
        for column in range(COLUMN_COUNT):
            item.setForeground(column, grey)
        if not verification.get("verified") and current:
            item.setForeground(4, QBrush(QColor("#8a4b00")))
        item.setToolTip(1, "When the plan was saved")

    def selected_dose(self) -> tuple[int, int] | None:
        items = self.tree.selectedItems()
        if not items:
            return None
        found = items[0].data(0, ROLE_DOSE)
        return (int(found[0]), int(found[1])) if found else None

    def dose_data(self, cycle: int, day: int) -> dict[str, Any] | None:
        data = self.course.course or {}
        for item in data.get("cycles", []):
            if item["number"] == cycle:
                for dose in item["doses"]:
                    if dose["day"] == day:
                        return dict(dose)
        return None

    def _dose_items(self) -> list[QTreeWidgetItem]:
        found = []
        for index in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(index)
            if top is None:
                continue
            for child in range(top.childCount()):
                item = top.child(child)
                if item is not None and item.data(0, ROLE_DOSE):
                    found.append(item)
        return found

    def select_dose(self, cycle: int, day: int) -> bool:
        for item in self._dose_items():
            if item.data(0, ROLE_DOSE) == (cycle, day):
                self.tree.setCurrentItem(item)
                return True
        return False

    def status_of(self, cycle: int, day: int) -> str:
        """The status word shown for a dose in the timeline ("" if not shown)."""
        for item in self._dose_items():
            if item.data(0, ROLE_DOSE) == (cycle, day):
                return item.text(2)
        return ""

    def _selection_changed(self) -> None:
        chosen = self.selected_dose() is not None
        self.record_button.setEnabled(chosen)
        self.plan_day_button.setEnabled(chosen)

    # ---------------------------------------------------------------- actions
    def _reload(self) -> None:
        course = self.course
        if course.mrn and not course.edited:
            # Nothing typed since the form was opened or saved: the form follows the course
            # too, so it shows what is stored now (another window's revision, say).
            self._open(course.mrn)
            return
        course.reload()  # keeps what was typed; the notice says so

    def require_signer(self) -> None:
        """Point at the name field (Save was pressed without a name)."""
        self.signer.setFocus()
        look.show_state(self.signer, "missing")

    def open_patient(self) -> QDialog:
        from besponsa_desktop.ui.open_patient import OpenPatientDialog

        unsaved = self.course.edited and self.course.plan.valid
        dialog = OpenPatientDialog(self.course.find_patients, self.window(), unsaved)
        dialog.chosen.connect(self._open)
        self._show_dialog(dialog)
        return dialog

    def _open(self, mrn: str) -> None:
        values = self.course.open_course(mrn)
        if values is not None:
            self.load_values(values)
        if self.course.mrn == mrn:
            self.opened.emit()

    def plan_next_cycle(self) -> None:
        values = self.course.plan_next_cycle()
        if values is not None:
            self.load_values(values)
            self.formFilled.emit()

    def plan_selected_dose(self) -> None:
        chosen = self.selected_dose()
        if chosen is None:
            return
        values = self.course.plan_dose_day(*chosen)
        if values is not None:
            self.load_values(values)
            self.formFilled.emit()

    def record_selected(self) -> QDialog | None:
        chosen = self.selected_dose()
        if chosen is None:
            return None
        return self.record_dose(*chosen)

    def record_dose(self, cycle: int, day: int) -> QDialog | None:
        dose = self.dose_data(cycle, day)
        if dose is None:
            return None
        from besponsa_desktop.ui.dose_dialog import DoseDialog

        dialog = DoseDialog(self.course, cycle, dose, self.window())
        self._show_dialog(dialog)
        return dialog

    def double_check(self) -> QDialog | None:
        if self.course.plan_id is None:
            self.course.double_check("", 0, 0)  # says why: save first
            return None
        from besponsa_desktop.ui.double_check_dialog import DoubleCheckDialog

        dialog = DoubleCheckDialog(self.course, self.window())
        self._show_dialog(dialog)
        return dialog

    def _show_dialog(self, dialog: QDialog) -> None:
        self.dialog = dialog
        from besponsa_desktop.ui.wheel import guard_wheel

        guard_wheel(dialog)  # a wheel over a date or a choice never changes it
        dialog.finished.connect(lambda *_: self._dialog_closed(dialog))
        dialog.open()  # window-modal, but never blocks the event loop

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()


def _escape(text: Any) -> str:
    from html import escape

    return escape(str(text))
