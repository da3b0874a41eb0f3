"""One patient, one course: an MRN typed with a zero-width space, full-width digits or
surrounding spaces is the same patient or is refused; never a second course."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from besponsa_desktop.core.models import Patient
from besponsa_desktop.core.mrn import CONTEXT_IGNORE_CASE, normalise_mrn
from tests.faults.conftest import MRN, example, run

PATIENT = {"name": "Jane Doe", "date_of_birth": "1980-03-15", "sex": "female"}


def patient(mrn: str, **context: bool) -> Patient:
    """A patient read as a request reads it (JSON mode)."""
    return Patient.model_validate_json(json.dumps({**PATIENT, "mrn": mrn}), context=context)


@pytest.mark.parametrize(
    "typed",
    ["H123\u200b4567", "H1234567\u200d", "\u202eH1234567", "H12\t34567", "H1234567\x00",
     "H12\u2028 34"],
)
def test_an_mrn_with_an_invisible_character_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as raised:
        patient(typed)
    assert "cannot be seen" in str(raised.value)


@pytest.mark.parametrize("typed", ["Ｈ１２３４５６７", "  H1234567 ", "\u3000H1234567",
                                   "H1234567\u00a0"])
def test_full_width_and_surrounding_spaces_read_as_the_same_mrn(typed: str) -> None:
    assert patient(typed).mrn == MRN


def test_letter_case_is_kept_unless_the_institution_ignores_it() -> None:
    assert normalise_mrn("h1234567") == "h1234567"
    assert normalise_mrn("h1234567", ignore_case=True) == MRN
    assert patient("h1234567", **{CONTEXT_IGNORE_CASE: True}).mrn == MRN
    assert patient("h1234567").mrn == "h1234567"


def test_the_mrn_letter_case_setting_is_off_by_default() -> None:
    from besponsa_desktop.settings import OPTION_BY_KEY

    option = OPTION_BY_KEY["mrn_letter_case"]
    assert option.default == "significant"
    assert option.choices == ("significant", "ignore")


def _history(db: Path, mrn: str) -> dict:
    code, out, err = run("history", mrn, "--db", str(db))
    assert code == 0, err
    return json.loads(out)


def test_a_zero_width_space_in_the_mrn_does_not_start_a_second_course(
    saved: Path, monkeypatch
) -> None:
    data = example()
    data["patient"] = dict(data["patient"], mrn="H123\u200b4567")
    code, out, err = run("plan", "-", "--save", "--by", "Ann", "--db", str(saved),
                         stdin=json.dumps(data), monkeypatch=monkeypatch)
    assert code == 2
    assert "patient.mrn: contains a character that cannot be seen (U+200B)" in err
    assert out == ""
    assert len(_history(saved, MRN)["cycles"][0]["plans"]) == 1


def test_a_full_width_mrn_adds_to_the_same_course(saved: Path, monkeypatch) -> None:
    data = example()
    data["patient"] = dict(data["patient"], mrn=" Ｈ１２３４５６７ ")
    code, _, err = run("plan", "-", "--save", "--by", "Ann", "--db", str(saved),
                       stdin=json.dumps(data), monkeypatch=monkeypatch)
    assert code == 0, err
    assert len(_history(saved, MRN)["cycles"][0]["plans"]) == 2


@pytest.mark.parametrize("command", ["history", "next", "export"])
def test_the_command_line_reads_the_mrn_the_same_way(saved: Path, command: str) -> None:
    code, _, err = run(command, "Ｈ１２３４５６７", "--db", str(saved))
    assert code == 0, err
    code, _, err = run(command, "H123\u200b4567", "--db", str(saved))
    assert code == 2
    assert "cannot be seen (U+200B)" in err and "\u200b" not in err


def test_record_reads_the_mrn_the_same_way(saved: Path) -> None:
    code, _, err = run("record", " Ｈ１２３４５６７", "--cycle", "1", "--day", "8",
                       "--status", "held", "--reason", "counts", "--by", "Bo",
                       "--db", str(saved))
    assert code == 0, err


def test_an_import_with_an_invisible_character_in_the_mrn_is_refused(
    saved: Path, tmp_path: Path
) -> None:
    code, exported, _ = run("export", MRN, "--db", str(saved))
    path = tmp_path / "course.json"
    path.write_text(exported.replace(f'"mrn": "{MRN}"', '"mrn": "H123\\u200b4567"'))
    assert "\\u200b" in path.read_text()
    other = tmp_path / "other.sqlite3"
    code, _, err = run("import", str(path), "--db", str(other))
    assert code == 2
    assert "mrn" in err and "cannot be seen" in err



def test_with_mrn_letter_case_ignored_the_command_line_finds_one_course(
    tmp_path: Path, monkeypatch
) -> None:
    """IT sets mrn_letter_case = ignore: h1234567 and H1234567 are one patient, on every
    path (plan --save, history)."""
    from besponsa_desktop.app.settings import default_system_file

    system = default_system_file()
    assert str(system).startswith(str(tmp_path))  # the test's own system settings file
    system.parent.mkdir(parents=True)
    system.write_text("[General]\nmrn_letter_case=ignore\n")
    db = tmp_path / "c.sqlite3"
    data = example()
    data["patient"] = dict(data["patient"], mrn="h1234567")
    code, _, err = run("plan", "-", "--save", "--by", "Ann", "--db", str(db),
                       stdin=json.dumps(data), monkeypatch=monkeypatch)
    assert code == 0, err
    assert _history(db, "h1234567")["patient"]["mrn"] == MRN
    assert _history(db, MRN)["patient"]["mrn"] == MRN


def test_the_window_form_reads_the_mrn_the_same_way(qtbot, tmp_path: Path) -> None:
    """The form: a zero-width space in the MRN is a problem on the MRN field (no plan);
    full-width digits and spaces around it plan for the same MRN; with the institution's
    letter case ignored, h1234567 plans for H1234567."""
    from besponsa_desktop.controller import PlanController
    from besponsa_desktop.settings import Settings
    from tests.ui.test_controller import problems_by_field, values_for

    settings = Settings(tmp_path / "user.ini", tmp_path / "system.ini")
    controller = PlanController(settings)
    controller.load_core()
    controller.set_values(values_for(**{"patient.mrn": "H123\u200b4567"}))
    assert controller.plan is None
    assert "cannot be seen (U+200B)" in problems_by_field(controller)["patient.mrn"]
    controller.set_values(values_for(**{"patient.mrn": " Ｈ１２３４５６７ "}))
    assert controller.plan is not None and controller.plan.patient.mrn == MRN
    settings.set("mrn_letter_case", "ignore")
    controller.set_values(values_for(**{"patient.mrn": "h1234567"}))
    assert controller.plan is not None and controller.plan.patient.mrn == MRN
