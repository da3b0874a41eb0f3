"""Printouts for every script: CJK and full-width characters in the MRN, the name and the
hospital name print; a failed printout never leaves a saved plan behind."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from besponsa_desktop.core.planner import make_plan
from besponsa_desktop.printing.document import render_pdf
from besponsa_desktop.printing.options import PrintOptions
from tests.faults.conftest import example, run


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(data)
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True)
    return done.stdout


@pytest.mark.parametrize(
    ("mrn", "name", "hospital"),
    [
        ("病历 1234", "Jane Doe", ""),  # a CJK MRN with a space: the <font> tag case
        ("H1234567", "王 小明", "北京协和医院 药剂科"),
        ("カルテ 55", "김 민준", "Ｓｔ Ｍａｒｙ’ｓ"),  # kana, hangul, full-width Latin
    ],
)
def test_cjk_and_full_width_identifiers_print(
    tmp_path: Path, mrn: str, name: str, hospital: str
) -> None:
    data = example()
    data["patient"] = dict(data["patient"], mrn=mrn, name=name)
    plan = make_plan(data)
    text = _pdf_text(render_pdf(plan, PrintOptions(hospital_name=hospital)), tmp_path)
    flat = " ".join(text.split())
    assert plan.patient.mrn in flat
    assert " ".join(name.split()) in flat
    if hospital:
        assert " ".join(hospital.split()) in flat


def test_plan_pdf_from_the_command_line_with_a_cjk_mrn(tmp_path: Path, monkeypatch) -> None:
    data = example()
    data["patient"] = dict(data["patient"], mrn="病历 1234")
    pdf = tmp_path / "sheet.pdf"
    code, _, err = run("plan", "-", "--pdf", str(pdf), stdin=json.dumps(data),
                       monkeypatch=monkeypatch)
    assert code == 0, err
    assert pdf.read_bytes().startswith(b"%PDF")


def _plans_saved(db: Path) -> int:
    if not db.exists():
        return 0
    code, out, _ = run("history", "H1234567", "--db", str(db))
    if code != 0:
        return 0
    return sum(len(c["plans"]) for c in json.loads(out)["cycles"])


def test_plan_save_pdf_saves_nothing_when_the_printout_cannot_be_written(
    tmp_path: Path, db: Path
) -> None:
    """The convention: the printout is rendered and written first, the plan saved after;
    a printout that fails saves nothing, so retrying never adds revisions."""
    from tests.faults.conftest import EXAMPLE

    unwritable = tmp_path / "no-such-folder" / "sheet.pdf"
    for _ in range(3):
        code, out, err = run("plan", str(EXAMPLE), "--save", "--by", "Ann", "--pdf",
                             str(unwritable), "--db", str(db))
        assert code == 2, err
        assert "sheet.pdf" in err and "nothing was saved" in err
        assert out == ""
    assert _plans_saved(db) == 0
    good = tmp_path / "sheet.pdf"
    code, _, err = run("plan", str(EXAMPLE), "--save", "--by", "Ann", "--pdf", str(good),
                       "--db", str(db))
    assert code == 0, err
    assert _plans_saved(db) == 1
    assert good.stat().st_mode & 0o777 == 0o600


def test_plan_save_pdf_saves_nothing_when_rendering_fails(
    tmp_path: Path, db: Path, monkeypatch
) -> None:
    from besponsa_desktop.printing import document
    from tests.faults.conftest import EXAMPLE

    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise RuntimeError("the printout failed")

    monkeypatch.setattr(document, "render_pdf", broken)
    for _ in range(3):
        code, _, err = run("plan", str(EXAMPLE), "--save", "--by", "Ann", "--pdf",
                           str(tmp_path / "s.pdf"), "--db", str(db))
        assert code == 1
        assert "Traceback" not in err
    assert _plans_saved(db) == 0
    assert not (tmp_path / "s.pdf").exists()
