"""Input refused, never guessed: duplicate keys, non-finite and overflowing numbers, deep
nesting, oversized files, and control characters echoed back."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from besponsa_desktop.core.strict_json import MAX_IMPORT_BYTES, MAX_REQUEST_BYTES
from tests.faults.conftest import EXAMPLE, MRN, ROOT, example, run

WEIGHT_TWICE = EXAMPLE.read_text(encoding="utf-8").replace(
    '"weight_kg": 62,', '"weight_kg": 62, "weight_kg": 6.2,'
)


def test_a_weight_given_twice_is_refused_not_read_as_the_last(monkeypatch) -> None:
    assert WEIGHT_TWICE.count("weight_kg") == 2
    code, out, err = run("plan", "-", stdin=WEIGHT_TWICE, monkeypatch=monkeypatch)
    assert code == 2, err
    assert out == ""
    assert "error: weight_kg: is given more than once" in err


def test_a_key_given_twice_in_a_nested_object_names_its_path(monkeypatch) -> None:
    text = EXAMPLE.read_text().replace('"platelets": 140,', '"platelets": 140, "platelets": 14,', 1)
    code, _, err = run("plan", "-", stdin=text, monkeypatch=monkeypatch)
    assert code == 2
    assert "labs.platelets: is given more than once" in err or (
        "baseline.platelets: is given more than once" in err)


def test_an_import_with_a_key_given_twice_is_refused_and_writes_nothing(
    saved: Path, tmp_path: Path
) -> None:
    code, exported, _ = run("export", MRN, "--db", str(saved))
    assert code == 0
    twice = exported.replace('"format_version": 2,', '"format_version": 2, "format_version": 2,')
    assert twice != exported
    path = tmp_path / "twice.json"
    path.write_text(twice, encoding="utf-8")
    other = tmp_path / "other.sqlite3"
    code, _, err = run("import", str(path), "--db", str(other))
    assert code == 2
    assert "format_version: is given more than once" in err
    assert not other.exists()


@pytest.mark.parametrize("written", ["Infinity", "-Infinity", "NaN", "1e400"])
def test_cycle_number_not_finite_next_to_another_invalid_field_exits_2(
    monkeypatch, written: str
) -> None:
    text = EXAMPLE.read_text().replace('"number": 1,', f'"number": {written},').replace(
        '"height_cm": 165', '"height_cm": "tall"')
    code, _, err = run("plan", "-", stdin=text, monkeypatch=monkeypatch)
    assert code == 2, err
    assert f"cycle.number: must be a finite number (got {written})" in err
    assert "Traceback" not in err and "internal error" not in err


def test_a_whole_number_too_large_for_a_float_is_refused(monkeypatch) -> None:
    text = EXAMPLE.read_text().replace('"number": 1,', '"number": 100000000000000000000,')
    code, _, err = run("plan", "-", stdin=text, monkeypatch=monkeypatch)
    assert code == 2
    assert "cycle.number: is too large a number" in err


def test_json_nested_1000_deep_exits_2(monkeypatch) -> None:
    text = EXAMPLE.read_text().rstrip()[:-1] + ', "extra": ' + "[" * 1000 + "]" * 1000 + "}"
    code, _, err = run("plan", "-", stdin=text, monkeypatch=monkeypatch)
    assert code == 2, err
    assert "nested more than" in err


def test_json_nested_100000_deep_exits_2(monkeypatch) -> None:
    code, _, err = run("plan", "-", stdin="[" * 100_000 + "]" * 100_000,
                       monkeypatch=monkeypatch)
    assert code == 2, err
    assert "nested more than" in err


@pytest.mark.parametrize("value", ["NaN", "Infinity", "100000000000000000000"])
def test_an_import_with_a_non_finite_or_huge_number_exits_2_and_writes_nothing(
    saved: Path, tmp_path: Path, value: str
) -> None:
    code, exported, _ = run("export", MRN, "--db", str(saved))
    text = re.sub(r'"weight_kg": 62(\.0)?', f'"weight_kg": {value}', exported, count=1)
    assert text != exported
    path = tmp_path / "bad.json"
    path.write_text(text)
    other = tmp_path / "other.sqlite3"
    code, _, err = run("import", str(path), "--db", str(other))
    assert code == 2, err
    assert "weight_kg" in err
    assert not other.exists()


def test_a_request_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    """A 50 MB request: refused with a message naming the limit, in little memory (the
    child's peak resident size, VmHWM, is measured; reading it whole used 1.7 GB)."""
    big = tmp_path / "big.json"
    padding = " " * (50 * 1024 * 1024)
    big.write_text(EXAMPLE.read_text()[:-2] + padding + "}\n")
    probe = (
        "import re, sys\n"
        "from besponsa_desktop.cli import main\n"
        "code = main(['plan', sys.argv[1]])\n"
        "status = open('/proc/self/status').read()\n"
        "peak = re.search(r'VmHWM:\\s+(\\d+)', status).group(1)\n"
        "print(code, peak, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(big)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    last = done.stderr.strip().splitlines()
    code, peak_kb = (int(x) for x in last[-1].split())
    assert code == 2, done.stderr
    assert f"request: is larger than the limit of {MAX_REQUEST_BYTES // 1024} kB" in done.stderr
    assert peak_kb < 150 * 1024, f"peak {peak_kb} kB"


def test_a_request_from_standard_input_over_the_limit_is_refused(monkeypatch) -> None:
    code, _, err = run("plan", "-", stdin=" " * (MAX_REQUEST_BYTES + 1) + "{}",
                       monkeypatch=monkeypatch)
    assert code == 2
    assert "larger than" in err


def test_an_import_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(MAX_IMPORT_BYTES + 1)
    code, _, err = run("import", str(path), "--db", str(tmp_path / "x.sqlite3"))
    assert code == 2
    assert "larger than" in err
    assert not (tmp_path / "x.sqlite3").exists()


def test_an_unknown_key_with_escape_sequences_is_echoed_escaped(monkeypatch) -> None:
    data = example()
    data["\x1b[2J\x1b]0;owned\x07height"] = 1
    code, _, err = run("plan", "-", stdin=json.dumps(data), monkeypatch=monkeypatch)
    assert code == 2
    assert "\x1b" not in err and "\x07" not in err
    # an odd key is quoted as JSON in the path, its control characters escaped
    assert '["\\u001b[2J\\u001b]0;owned\\u0007height"]: is not a known field' in err


def test_a_value_with_control_characters_is_echoed_escaped(monkeypatch) -> None:
    data = example()
    data["label"] = "U\x1b[31mS"
    code, _, err = run("plan", "-", stdin=json.dumps(data), monkeypatch=monkeypatch)
    assert code == 2
    assert "\x1b" not in err
    assert "label:" in err


def test_a_file_name_with_control_characters_is_echoed_escaped(tmp_path: Path) -> None:
    code, _, err = run("plan", str(tmp_path / "no\x1b[2Jsuch.json"))
    assert code == 2
    assert "\x1b" not in err and "no\\x1b[2Jsuch.json" in err


def test_an_import_with_a_list_where_a_response_belongs_exits_2(tmp_path: Path) -> None:
    """Found by the fuzz: a list as cycles[0].response_after (a format 1 file) was an
    internal error."""
    fixture = Path(__file__).with_name("fixtures") / "course-format1.json"
    data = json.loads(fixture.read_text(encoding="utf-8"))
    data["cycles"][0]["response_after"] = []
    path = tmp_path / "course.json"
    path.write_text(json.dumps(data))
    code, _, err = run("import", str(path), "--db", str(tmp_path / "other.sqlite3"))
    assert code == 2, err
    assert "cycles" in err
