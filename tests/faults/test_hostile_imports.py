"""Hostile imports: files that are well-formed but clinically forged. Import re-derives:
each is refused, names the element, and writes nothing. The examples are the ones the
reliability test found accepted (a dose ×10, a forged BSA, a PROCEED whose own request
should hold, a self-made double check, dose rows of −5 mg and Infinity, a cycle level lower
than its plan's)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.faults.conftest import EXAMPLE, MRN, run

FORMAT_1 = Path(__file__).with_name("fixtures") / "course-format1.json"


def _format_1() -> dict[str, Any]:
    """A course as an earlier version exported it (format 1: cycles, plans, dose rows), its
    plans recomputed by today's rules from their requests so that the file is valid now and
    only the forgery differs."""
    from besponsa_desktop.core.planner import make_plan

    data: dict[str, Any] = json.loads(FORMAT_1.read_text(encoding="utf-8"))
    for cycle in data["cycles"]:
        for saved in cycle["plans"]:
            plan = make_plan(saved["request"])
            saved["plan"] = json.loads(plan.model_dump_json())
            saved["request"] = json.loads(plan.request.model_dump_json())
            saved["decision"] = plan.decision.value
        day_1 = cycle["plans"][0]["plan"]
        cycle["dose_level"] = day_1["dose_level"]
        doses = {d["day"]: d["dose_mg"] for d in day_1["doses"]}
        for row in cycle["doses"]:
            row["planned_mg"] = doses[row["day"]]
    return data


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("source") / "course.sqlite3"
    for step in (["plan", str(EXAMPLE), "--save", "--by", "Ann"],
                 ["check", MRN, "--cycle", "1", "--day", "1", "--by", "Bea", "--height",
                  "165", "--weight", "62"]):
        code, _, err = run(*step, "--db", str(db))
        assert code == 0, err
    code, out, err = run("export", MRN, "--db", str(db))
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def _plan(data: dict[str, Any]) -> dict[str, Any]:
    return next(e for e in data["events"] if e["kind"] == "plan_saved")["plan"]


def _times_ten(data: dict[str, Any]) -> None:
    _plan(data)["doses"][0]["dose_mg"] *= 10


def _forged_bsa(data: dict[str, Any]) -> None:
    _plan(data)["bsa_m2"] = 2.4


def _self_check(data: dict[str, Any]) -> None:
    check = next(e for e in data["events"] if e["kind"] == "double_checked")
    check.update(checked_by="Ann", by="Ann", height_cm=1.0, weight_kg=999.0)


def _minus_5_mg(data: dict[str, Any]) -> None:
    _plan(data)["doses"][0]["dose_mg"] = -5


EXAMPLES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "a dose ×10": (_times_ten, "dose_mg"),
    "a forged BSA": (_forged_bsa, "bsa_m2"),
    "a self-made double check (1 cm, 999 kg, checker = preparer)": (_self_check, "events[1]"),
    "a dose row of −5 mg": (_minus_5_mg, "dose_mg"),
}
refused: list[str] = []


def _import(tmp_path: Path, text: str) -> tuple[int, str, Path]:
    path = tmp_path / "hostile.json"
    path.write_text(text, encoding="utf-8")
    target = tmp_path / "target.sqlite3"
    code, out, err = run("import", str(path), "--by", "Eve", "--db", str(target))
    assert out == "" or code == 0
    return code, err, target


def _nothing_written(target: Path) -> None:
    if target.exists():
        code, _, err = run("history", MRN, "--db", str(target))
        assert code == 2, err
        assert "no course is stored for this MRN" in err, err


@pytest.mark.parametrize("example", list(EXAMPLES))
def test_a_forged_import_is_refused_naming_the_element_and_writes_nothing(
    exported: dict[str, Any], tmp_path: Path, example: str
) -> None:
    forge, named = EXAMPLES[example]
    data = copy.deepcopy(exported)
    forge(data)
    code, err, target = _import(tmp_path, json.dumps(data))
    assert code == 2, (example, err)
    assert named in err, (example, err)
    assert "nothing was imported" in err
    _nothing_written(target)
    refused.append(example)


def test_an_infinity_dose_row_is_refused_and_writes_nothing(
    exported: dict[str, Any], tmp_path: Path
) -> None:
    text = json.dumps(exported)
    dose = _plan(exported)["doses"][0]["dose_mg"]
    forged = re.sub(rf'"dose_mg": {re.escape(json.dumps(dose))}', '"dose_mg": Infinity', text,
                    count=1)
    assert forged != text
    code, err, target = _import(tmp_path, forged)
    assert code == 2, err
    assert "dose_mg: must be a finite number (got Infinity)" in err
    _nothing_written(target)
    refused.append("a dose row of Infinity")


def test_a_cycle_level_lower_than_its_plans_is_refused(tmp_path: Path) -> None:
    """A format 1 file (from an earlier version): cycle 2's plan is at level 1 (reduced);
    the cycle row says level 0 (full dose)."""
    data = _format_1()
    assert data["cycles"][1]["dose_level"] == 1
    assert data["cycles"][1]["plans"][0]["plan"]["dose_level"] == 1
    data["cycles"][1]["dose_level"] = 0
    code, err, target = _import(tmp_path, json.dumps(data))
    assert code == 2, err
    assert "cycles[1].dose_level: the file says 0, its plan gives 1" in err, err
    _nothing_written(target)
    refused.append("a cycle level lower than its plan's")


def test_a_proceed_whose_own_request_should_hold_is_refused(tmp_path: Path) -> None:
    """Cycle 2 Day 1 saved as PROCEED; its request altered to platelets 10 ×10⁹/L (baseline
    140), for which the label holds (Table 2)."""
    data = _format_1()
    plan = data["cycles"][1]["plans"][0]
    assert plan["decision"] == "proceed"
    plan["request"]["labs"]["platelets"] = 10
    plan["plan"]["request"]["labs"]["platelets"] = 10
    code, err, target = _import(tmp_path, json.dumps(data))
    assert code == 2, err
    assert "decision" in err, err
    _nothing_written(target)
    refused.append("a PROCEED whose own request should hold")


@pytest.mark.parametrize("mg", [-5, 13.5])
def test_a_forged_dose_row_in_an_older_format_file_is_refused(tmp_path: Path, mg: float) -> None:
    """A format 1 file's dose rows (−5 mg; ten times the plan's dose) must agree with its
    plans; nothing is taken from them silently."""
    data = _format_1()
    data["cycles"][0]["doses"][0]["planned_mg"] = mg
    code, err, target = _import(tmp_path, json.dumps(data))
    assert code == 2, err
    assert "cycles[0].doses[0].planned_mg: the file says" in err, err
    _nothing_written(target)
    refused.append(f"a format 1 dose row of {mg} mg")


def test_the_older_format_file_unforged_imports(tmp_path: Path) -> None:
    code, err, _ = _import(tmp_path, json.dumps(_format_1()))
    assert code == 0, err


def test_the_unforged_export_imports(exported: dict[str, Any], tmp_path: Path) -> None:
    """The control: the same file, unchanged, is imported."""
    code, err, _ = _import(tmp_path, json.dumps(exported))
    assert code == 0, err
    print(f"hostile imports refused: {len(refused)} of {len(EXAMPLES) + 5}")
