"""The plan command: the headless contract (exit codes, stdout, stderr)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from besponsa_desktop import cli
from tests.factories import request

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def run_cli(*args: str, stdin: str | None = None, env: dict | None = None):
    """Run the real program in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "besponsa_desktop", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def test_plan_prints_json_and_exits_0():
    done = run_cli("plan", "examples/cycle1-day1-proceed.json")
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert plan["decision"] == "proceed"
    assert plan["bsa_m2"] == 1.69
    assert plan["doses"][0]["dose_mg"] == 1.35
    assert done.stderr == ""


def test_plan_reads_standard_input():
    done = run_cli("plan", "-", stdin=json.dumps(request(events={"vod": True})))
    assert done.returncode == 0
    assert json.loads(done.stdout)["decision"] == "discontinue"


def test_invalid_input_exits_2_one_line_per_problem_nothing_on_stdout():
    data = request(height_cm=1.7, heigth_cm=165)
    done = run_cli("plan", "-", stdin=json.dumps(data))
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2
    assert any(line.startswith("error: height_cm:") and "metres" in line for line in lines)
    assert any(line.startswith("error: heigth_cm:") for line in lines)
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("text", ["", "not json", "{", "[1, 2]"])
def test_malformed_json_exits_2_without_traceback(text):
    done = run_cli("plan", "-", stdin=text)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error:")
    assert "Traceback" not in done.stderr


def test_missing_file_exits_2_with_a_clear_message(tmp_path):
    done = run_cli("plan", str(tmp_path / "nope.json"))
    assert done.returncode == 2
    assert "no such file" in done.stderr


def test_unknown_command_exits_2():
    assert run_cli("plam", "x.json").returncode == 2


def test_internal_error_exits_1_with_a_short_message_and_no_patient_data_in_the_log(
    tmp_path, monkeypatch
):
    import besponsa_desktop.core.planner as planner

    def broken(_data, **_options):
        raise RuntimeError("Jane Doe H1234567 platelets 140")

    monkeypatch.setattr(planner, "make_plan", broken)
    monkeypatch.setenv("BESPONSA_LOG_DIR", str(tmp_path))
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["plan", str(EXAMPLES[0])], out=out, err=err)
    assert code == 1
    assert out.getvalue() == ""
    assert "internal error" in err.getvalue() and "Traceback" not in err.getvalue()
    log = (tmp_path / "besponsa-desktop.log").read_text()
    assert "RuntimeError" in log
    for secret in ("Jane", "H1234567", "140"):
        assert secret not in log
    if os.name == "posix":
        assert (tmp_path / "besponsa-desktop.log").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_plans_to_the_decision_its_name_states(example):
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["plan", str(example)], out=out, err=err) == 0, err.getvalue()
    decision = json.loads(out.getvalue())["decision"]
    expected = next(d for d in ("not_eligible", "proceed", "hold", "discontinue")
                    if d.replace("_", "-") in example.stem)
    assert decision == expected


def test_window_without_a_display_says_what_to_do_instead_of_aborting():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                            "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "besponsa_desktop", "--smoke"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60,
                          env={**env, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2
    assert "QT_QPA_PLATFORM=offscreen" in done.stderr
    assert "Traceback" not in done.stderr


def test_smoke_fails_when_the_window_cannot_be_imported(monkeypatch, capsys):
    from besponsa_desktop.__main__ import main

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setitem(sys.modules, "besponsa_desktop.ui.app", None)
    assert main(["--smoke"]) == 1
    assert "reinstall" in capsys.readouterr().err


def test_an_impossible_height_and_weight_is_refused_with_exit_2(tmp_path):
    data = request()
    data["height_cm"], data["weight_kg"] = 45, 350
    path = tmp_path / "request.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    done = run_cli("plan", str(path))
    assert done.returncode == 2, done.stdout
    assert "weight_kg" in done.stderr and "BMI" in done.stderr


def test_the_command_line_can_confirm_an_unusual_body_size(tmp_path):
    data = request()
    data["height_cm"], data["weight_kg"] = 175, 36.7
    path = tmp_path / "request.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert run_cli("plan", str(path)).returncode == 2
    data["confirm_body_size"] = True
    path.write_text(json.dumps(data), encoding="utf-8")
    done = run_cli("plan", str(path))
    assert done.returncode == 0, done.stderr
    assert "body_size_confirmed" in done.stdout


SMALL_CHILD = request(patient={"date_of_birth": "2020-01-01"}, height_cm=98, weight_kg=18,
                      labs={"serum_creatinine_umol_l": 30})


def test_small_dose_printout_needs_the_pharmacists_confirmation(tmp_path):
    pdf = tmp_path / "sheet.pdf"
    done = run_cli("plan", "-", "--pdf", str(pdf), stdin=json.dumps(SMALL_CHILD))
    assert done.returncode == 2
    assert done.stdout == "" and not pdf.exists()
    assert "Day 8 (0.35 mg), Day 15 (0.35 mg): small dose" in done.stderr
    assert "--small-doses-confirmed" in done.stderr
    done = run_cli("plan", "-", "--pdf", str(pdf), "--small-doses-confirmed",
                   stdin=json.dumps(SMALL_CHILD))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["decision"] == "proceed"
    assert pdf.exists()


def test_small_dose_plan_without_a_printout_needs_no_confirmation():
    done = run_cli("plan", "-", stdin=json.dumps(SMALL_CHILD))
    assert done.returncode == 0
    doses = json.loads(done.stdout)["doses"]
    assert [d["preparation"] for d in doses] == ["bag", "small_dose", "small_dose"]
    assert doses[1]["diluent_total_ml"] is None
