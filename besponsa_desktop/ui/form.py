"""The input side of the window, in the order a pharmacist works through a chart: patient,
measurements, treatment, baseline counts, today's labs, events, EU questions.

The form only shows and collects; what applies and what is wrong is decided by the
controller (``applicable``, problems), and the form shows it: fields that do not apply are
hidden, problems appear beside their field.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from besponsa_desktop.controller import FieldProblem
from besponsa_desktop.entry import EntryError, parse_number, to_cm, to_kg
from besponsa_desktop.ui.fields import (
    CheckField,
    ChoiceField,
    DateField,
    Field,
    NumberField,
    TextField,
)
from besponsa_desktop.ui.wheel import guard

COUNT_UNIT = "×10⁹/L"
CAPTION_WIDTH = 150
SHORT_CAPTION = 20  # characters: fits CAPTION_WIDTH at the usual font size
YES_NO = (("— choose —", ""), ("Yes", "yes"), ("No", "no"))
GRADES = tuple((f"Grade {g}" if g else "Grade 0 (none)", str(g)) for g in range(5))
BSA_FORMULAS = (
    ("Mosteller", "mosteller"),
    ("DuBois", "dubois"),
    ("Haycock", "haycock"),
    ("Gehan–George", "gehan_george"),
)
LABELS = (("US Prescribing Information", "US"), ("EU SmPC", "EU"))


def fmt(value: float, places: int) -> str:
    """The core's number format, imported on first use (decimal slows the window's start)."""
    from besponsa_desktop.controller import fmt as core_fmt

    return core_fmt(value, places)


def _height_echo(number: float, unit: str) -> str:
    return f"= {fmt(to_cm(number, unit), 1)} cm" if unit == "in" else ""


def _weight_echo(number: float, unit: str) -> str:
    return f"= {fmt(to_kg(number, unit), 1)} kg" if unit == "lb" else ""


class PatientForm(QScrollArea):
    """All the input fields, in a scroll area (the window must fit a 1366×768 screen)."""

    valueChanged = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setObjectName("form")
        self.fields: dict[str, Field] = {}  # every field id (units too) -> its Field
        self._rows: dict[str, tuple[QFormLayout, QWidget]] = {}
        self._groups: dict[str, QGroupBox] = {}
        self._layouts: dict[str, QFormLayout] = {}
        self._group_of: dict[str, str] = {}
        body = QWidget()
        self.column = QVBoxLayout(body)
        self.column.setContentsMargins(6, 6, 6, 6)
        self.column.setSpacing(8)
        self.column.addStretch(1)
        self._build()
        self._set_tab_order()
        self.valueChanged.connect(self._update_ratios)
        self.setWidget(body)

    # ---------------------------------------------------------------- building
    def _group(self, key: str, title: str) -> QFormLayout:
        box = QGroupBox(title)
        box.setObjectName(f"group_{key}")
        layout = QFormLayout(box)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        layout.setVerticalSpacing(4)
        self.column.insertWidget(self.column.count() - 1, box)  # above the stretch
        self._groups[key] = box
        self._layouts[key] = layout
        self._current_group = key
        return layout

    def _add(self, layout: QFormLayout, field: Field, label: str | None = None) -> Field:
        """Adds the field's row at the end of the group."""
        self._register(field)
        if label is None and isinstance(field, CheckField):
            layout.addRow(field)
        else:
            self._captioned_row(layout, label if label is not None else field.label_text,
                                field, field)
        self._rows[field.field_id] = (layout, field)
        return field

    @staticmethod
    def _captioned_row(layout: QFormLayout, text: str, row: QWidget, field: Field) -> None:
        # The layout makes the caption label itself: a label made in C++ is drawn without
        # asking Python at each step, which makes the window appear sooner.
        layout.addRow(text, row)
        caption = layout.labelForField(row)
        assert isinstance(caption, QLabel)
        caption.setBuddy(field.editor)
        # One caption width for every group, so the fields line up down the whole form.
        # Only a long caption wraps (a wrapping label costs more to lay out); a short one
        # may grow past that width with a large system font, never be cut off.
        if len(text) > SHORT_CAPTION:
            caption.setWordWrap(True)
            caption.setFixedWidth(CAPTION_WIDTH)
        else:
            caption.setMinimumWidth(CAPTION_WIDTH)

    def _register(self, field: Field) -> None:
        for key, editor in field.editors.items():
            self.fields[key] = field
            self._group_of[key] = self._current_group
            guard(editor)  # the wheel never changes a value (wheel.py)
        field.edited.connect(self.valueChanged.emit)

    def _pair(self, layout: QFormLayout, label: str, first: Field, second: Field,
              second_caption: str = "") -> None:
        """Two fields on one row (a value and its upper limit of normal)."""
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(first)
        if second_caption:
            row.addWidget(QLabel(second_caption))
        row.addWidget(second)
        row.addStretch(1)
        self._register(first)
        self._register(second)
        self._captioned_row(layout, label, holder, first)
        self._rows[first.field_id] = (layout, holder)
        self._rows[second.field_id] = (layout, holder)

    def _build(self) -> None:
        """Every group, top to bottom; rows that do not apply are hidden, not left out."""
        g = self._group("patient", "Patient")
        self._add(g, TextField("patient.name", "Name", "Patient's full name", width=240))
        self._add(g, TextField("patient.mrn", "MRN", "Medical record number", width=140))
        self._add(g, DateField("patient.date_of_birth", "Date of birth"))
        self._add(
            g,
            ChoiceField(
                "patient.sex", "Sex", (("— choose —", ""), ("Female", "female"), ("Male", "male"))
            ),
        )
        self._add(g, TextField("prescriber", "Prescriber", "The prescriber's name: printed on "
                               "every page of the nurses' sheet", width=240))

        g = self._group("measurements", "Measurements")
        self._add(g, NumberField(
            "height_cm", "Height", units=(("cm", "cm"), ("in", "in")), unit_id="units.height",
            convert=_height_echo, tooltip="Height, in cm or inches (shown in cm)"))
        self._add(g, NumberField(
            "weight_kg", "Weight", units=(("kg", "kg"), ("lb", "lb")), unit_id="units.weight",
            convert=_weight_echo, tooltip="Actual body weight, in kg or lb (shown in kg)"))
        self._add(g, DateField("measured_on", "Measured on"))
        self._add(g, NumberField(
            "previous_weight_kg", "Previous cycle weight", unit="same unit as weight",
            tooltip="Weight at the previous cycle (optional), in the weight's unit; a change "
            "over the institution's threshold is flagged"))
        # Offered only when the core asks (an implausible combination, a large change).
        self._add(g, CheckField("confirm_body_size", "Confirmed: height and weight are both "
                                "right", "Tick only after checking an unusual height–weight "
                                "combination and its units against the chart"))
        self._add(g, CheckField("confirm_weight_change", "Confirmed: the weight change is "
                                "right", "Tick only after re-weighing or checking the chart"))
        self._add(g, ChoiceField("bsa_formula", "BSA formula", BSA_FORMULAS,
                                 "Body surface area formula (institution default in Settings)"))

        g = self._group("treatment", "Treatment")
        self._add(g, ChoiceField("label", "Label profile", LABELS,
                                 "Which product label's rules apply"))
        self._add(g, NumberField("cycle.number", "Cycle number", width=50,
                                 tooltip="Cycle number (1 to 20)"))
        self._add(g, DateField("cycle.start_date", "Day 1 date"))
        self._add(g, CheckField("cycle.extend_to_28_days", "Extend cycle 1 to 28 days",
                                "Only for a patient in CR/CRi, or to recover from toxicity"))
        self._add(g, ChoiceField("dose_day", "Dose being checked",
                                 (("Day 1", "1"), ("Day 8", "8"), ("Day 15", "15"))))
        # Response, MRD, dose level and interruption apply from cycle 2 on (hidden before).
        self._add(g, ChoiceField("response", "Response", (
            ("— choose —", ""), ("CR", "cr"), ("CRi", "cri"), ("Not achieved", "none")),
            "Response after the previous cycles: CR, CRi or not achieved"))
        self._add(g, CheckField("mrd_negative", "MRD negative"))
        self._add(g, CheckField("hsct_planned", "HSCT planned"))
        self._add(g, ChoiceField("dose_level", "Dose level in force", (
            ("0 – full dose", "0"), ("1 – 25% decrease", "1"), ("2 – two doses per cycle", "2")),
            "Dose level in force during the previous cycle (Table 4)"))
        self._add(g, NumberField("longest_toxicity_interruption_days",
                                 "Longest interruption", unit="days", width=50,
                                 tooltip="Longest dosing interruption for toxicity in the "
                                 "previous cycle, in days"))

        g = self._group("baseline", "Counts before treatment began")
        self._pair(g, "Baseline: ANC, platelets",
                   NumberField("baseline.anc", "Baseline ANC", unit=COUNT_UNIT, width=70),
                   NumberField("baseline.platelets", "Baseline platelets", unit=COUNT_UNIT,
                               width=70))
        self._pair(g, "Prior cycle start: ANC, platelets (if baseline was low)",
                   NumberField("prior_cycle_start.anc", "ANC at prior cycle start",
                               unit=COUNT_UNIT, width=70,
                               tooltip="Needed when baseline ANC was below 1 or platelets "
                               f"below 50 {COUNT_UNIT}"),
                   NumberField("prior_cycle_start.platelets", "Platelets at prior cycle start",
                               unit=COUNT_UNIT, width=70))

        g = self._group("labs", "Today's labs")
        self._add(g, DateField("labs.taken_on", "Taken on"))
        self._add(g, NumberField("labs.anc", "ANC", unit=COUNT_UNIT,
                                 tooltip=f"Absolute neutrophil count, in {COUNT_UNIT}"))
        self._add(g, NumberField("labs.platelets", "Platelets", unit=COUNT_UNIT,
                                 tooltip=f"Platelet count, in {COUNT_UNIT}"))
        self._add(g, CheckField("labs.platelets_after_transfusion",
                                "Platelet count is after a transfusion"))
        self._add(g, CheckField("labs.low_counts_attributed_to_disease",
                                "Low counts are due to leukaemia, not treatment"))
        self._add(g, NumberField("labs.low_counts_duration_days", "Low counts for",
                                 unit="days", width=50,
                                 tooltip="How long the counts have been low, in days"))
        self._pair(g, "Total bilirubin",
                   NumberField("labs.total_bilirubin", "Total bilirubin", unit="",
                               tooltip="Total bilirubin, in your laboratory's unit"),
                   NumberField("labs.total_bilirubin_uln", "Bilirubin ULN", unit="",
                               tooltip="Upper limit of normal, same unit as the bilirubin"),
                   "ULN")
        self._add(g, CheckField("labs.bilirubin_from_gilbert_or_hemolysis",
                                "Bilirubin raised by Gilbert's syndrome or haemolysis"))
        self._pair(g, "AST",
                   NumberField("labs.ast", "AST", unit="", tooltip="AST, in units/L"),
                   NumberField("labs.ast_uln", "AST ULN", unit="",
                               tooltip="AST upper limit of normal, in units/L"), "ULN")
        self._pair(g, "ALT",
                   NumberField("labs.alt", "ALT", unit="", tooltip="ALT, in units/L"),
                   NumberField("labs.alt_uln", "ALT ULN", unit="",
                               tooltip="ALT upper limit of normal, in units/L"), "ULN")
        self._add(g, NumberField("labs.serum_creatinine", "Serum creatinine",
                                 units=(("µmol/L", "umol_l"), ("mg/dL", "mg_dl")),
                                 unit_id="units.creatinine",
                                 tooltip="Serum creatinine, in µmol/L or mg/dL"))
        self._add(g, NumberField("labs.peripheral_blasts_per_mm3", "Peripheral blasts",
                                 unit="/mm³", width=90,
                                 tooltip="Peripheral blast count per mm³ (before cycle 1 "
                                 "Day 1 only)"))

        g = self._group("events", "Events since the last dose")
        self._add(g, CheckField("events.vod", "VOD / sinusoidal obstruction syndrome"))
        self._add(g, CheckField("events.severe_liver_toxicity", "Severe liver toxicity"))
        self._add(g, CheckField("events.severe_infusion_reaction",
                                "Severe or life-threatening infusion reaction"))
        self._add(g, ChoiceField("events.nonhematologic_grade", "Worst non-haematologic",
                                 GRADES, "Highest grade of non-haematologic toxicity"))
        self._add(g, ChoiceField("events.nonhematologic_pretreatment_grade",
                                 "Same, before treatment", GRADES,
                                 "Grade of that toxicity before treatment began"))

        g = self._group("eu", "EU SmPC questions")
        self._add(g, ChoiceField("ph_positive", "Philadelphia chromosome positive", YES_NO))
        self._add(g, ChoiceField("tki_failed", "Failed a tyrosine kinase inhibitor", YES_NO))
        self._add(g, CheckField("contraindications.hypersensitivity",
                                "Hypersensitivity to inotuzumab ozogamicin or excipients"))
        self._add(g, CheckField("contraindications.prior_severe_or_ongoing_vod",
                                "Prior confirmed severe or ongoing VOD/SOS"))
        self._add(g, CheckField("contraindications.serious_ongoing_liver_disease",
                                "Serious ongoing liver disease"))

    RATIOS = (
        ("labs.total_bilirubin", "labs.total_bilirubin_uln"),
        ("labs.ast", "labs.ast_uln"),
        ("labs.alt", "labs.alt_uln"),
    )

    def _update_ratios(self, *_args: object) -> None:
        """Beside each ULN: the value as a multiple of it, as the label's tables use."""
        for value_key, uln_key in self.RATIOS:
            uln_field = self.fields[uln_key]
            try:
                value = parse_number(self.fields[value_key].value())
                uln = parse_number(uln_field.value())
            except EntryError:
                value = uln = None
            text = f"= {fmt(value / uln, 1)} × ULN" if value is not None and uln else ""
            if text or uln_field.echo_text():
                uln_field.echo.setText(text)

    def _set_tab_order(self) -> None:
        editors = [widget for _key, widget in self.editors_in_order()]
        for first, second in pairwise(editors):
            QWidget.setTabOrder(first, second)

    # ---------------------------------------------------------------- reading, writing
    def _row_number(self, key: str) -> int:
        layout, row = self._rows[key]
        position: Any = layout.getWidgetPosition(row)  # (row, role); typed as object
        return int(position[0])

    def editors_in_order(self) -> list[tuple[str, QWidget]]:
        """Every editor, in the order they are on screen (down the groups, then along)."""
        group_rank = {name: rank for rank, name in enumerate(self._groups)}

        def place(field: Field) -> tuple[int, int]:
            key = field.field_id
            return group_rank[self._group_of[key]], self._row_number(key)

        fields = list({id(field): field for field in self.fields.values()}.values())
        fields.sort(key=place)  # stable: the two fields of a pair keep their order
        return [pair for field in fields for pair in field.editors.items()]

    def values(self) -> dict[str, Any]:
        return {key: field.value(key) for key, field in self.fields.items()}

    def set_values(self, values: dict[str, Any]) -> None:
        """Fill the fields without announcing each change (the caller recomputes once)."""
        for key, value in values.items():
            field = self.fields.get(key)
            if field is None:
                continue
            blocked = field.blockSignals(True)
            for editor in field.editors.values():
                editor.blockSignals(True)
            field.set_value(key, value)
            for editor in field.editors.values():
                editor.blockSignals(False)
            field.blockSignals(blocked)
        self._update_ratios()

    def label_for(self, key: str) -> str:
        field = self.fields.get(key)
        return field.label_text if field else key

    # ---------------------------------------------------------------- verdicts
    def set_applicable(self, keys: Iterable[str]) -> None:
        wanted = set(keys)
        shown_groups: set[str] = set()
        for key, (layout, row) in self._rows.items():
            visible = key in wanted or any(
                other in wanted for other, (_l, r) in self._rows.items() if r is row
            )
            layout.setRowVisible(row, visible)
            if visible:
                shown_groups.add(self._group_of[key])
        for name, box in self._groups.items():
            box.setVisible(name in shown_groups)

    def show_problems(self, problems: Iterable[FieldProblem]) -> None:
        problems = list(problems)
        by_field: dict[str, FieldProblem] = {}
        for problem in problems:
            if problem.field and problem.field not in by_field:
                by_field[problem.field] = problem
        done: set[int] = set()
        for key, field in self.fields.items():
            if key != field.field_id or id(field) in done:
                continue
            done.add(id(field))
            found = by_field.get(key)
            field.show_problem(found.message if found else None,
                               found.missing if found else False)

    def focus_field(self, key: str) -> None:
        field = self.fields.get(key)
        if field is None:
            return
        editor = field.editors.get(key, field.editor)
        self.ensureWidgetVisible(editor, 50, 80)
        editor.setFocus()
