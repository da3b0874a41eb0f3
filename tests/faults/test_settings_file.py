"""IT's system settings file and the user's: values nobody can use are ignored with a note
in the log (never obeyed, never locked); a failed save says so; text is kept as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from besponsa_desktop.settings import Settings, SettingsNotSaved


def _settings(tmp_path: Path, system: str) -> Settings:
    (tmp_path / "system.ini").write_text("[General]\n" + system, encoding="utf-8")
    return Settings(tmp_path / "user.ini", tmp_path / "system.ini")


def _log(tmp_path: Path) -> str:
    path = tmp_path / "logs" / "besponsa-desktop.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


@pytest.mark.parametrize("written", ["nan", "NaN", "inf", "-inf", "1e400", "0", "51", "ten"])
def test_an_unusable_threshold_in_the_system_file_is_ignored_and_not_locked(
    tmp_path: Path, written: str
) -> None:
    settings = _settings(tmp_path, f"weight_change_threshold_pct={written}\n")
    assert settings.get("weight_change_threshold_pct") == 10.0
    assert not settings.locked("weight_change_threshold_pct")
    assert "weight_change_threshold_pct" in settings.ignored
    log = _log(tmp_path)
    assert "system settings" in log and "weight_change_threshold_pct" in log
    assert "=" + written not in log  # the value itself is not logged


def test_a_non_finite_value_the_user_file_holds_falls_back_to_the_default(
    tmp_path: Path,
) -> None:
    (tmp_path / "user.ini").write_text("[General]\nweight_change_threshold_pct=nan\n")
    settings = Settings(tmp_path / "user.ini", tmp_path / "system.ini")
    assert settings.get("weight_change_threshold_pct") == 10.0


def test_a_key_given_twice_in_the_system_file_is_ignored(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "volume_rounding_ml=0.1\nvolume_rounding_ml=0.01\n")
    assert not settings.locked("volume_rounding_ml")
    assert settings.get("volume_rounding_ml") == 0.1  # the default, neither of the two
    assert "volume_rounding_ml" in settings.ignored
    assert "given more than once" in _log(tmp_path)


@pytest.mark.parametrize(
    "written", ["St Mary's, London", "St Mary's,  London", "A,B,C", "Hôpital Saint-Louis, Paris"]
)
def test_a_hospital_name_with_a_comma_is_read_as_written(tmp_path: Path, written: str) -> None:
    settings = _settings(tmp_path, f"hospital_name={written}\n")
    assert settings.get("hospital_name") == written
    assert settings.locked("hospital_name")


def test_a_hospital_name_with_a_comma_saved_by_the_user_reads_back(tmp_path: Path) -> None:
    settings = Settings(tmp_path / "user.ini", tmp_path / "system.ini")
    settings.set("hospital_name", "St Mary's, London")
    settings.sync()
    again = Settings(tmp_path / "user.ini", tmp_path / "system.ini")
    assert again.get("hospital_name") == "St Mary's, London"


def test_a_hospital_name_with_a_comma_prints_as_written(tmp_path: Path) -> None:
    import subprocess

    from besponsa_desktop.core.planner import make_plan
    from besponsa_desktop.printing.document import render_pdf
    from besponsa_desktop.printing.options import PrintOptions
    from tests.faults.conftest import example

    settings = _settings(tmp_path, "hospital_name=St Mary's, London\n")
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(render_pdf(make_plan(example()),
                               PrintOptions(hospital_name=settings.get("hospital_name"))))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "St Mary's, London" in text.replace("’", "'")
    assert "['St Mary" not in text


def test_a_settings_save_that_fails_says_so(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings = Settings(blocker / "user.ini", tmp_path / "system.ini")
    settings.set("hospital_name", "St Elsewhere")
    with pytest.raises(SettingsNotSaved) as raised:
        settings.sync()
    assert "could not be saved" in str(raised.value)


def test_the_settings_dialog_reports_a_failed_save_and_stays_open(tmp_path: Path, qtbot) -> None:
    from besponsa_desktop.ui.settings_dialog import SettingsDialog

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    dialog = SettingsDialog(Settings(blocker / "user.ini", tmp_path / "system.ini"))
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.assertNotEmitted(dialog.saved):
        dialog.save()
    assert dialog.isVisible()
    assert "could not be saved" in dialog.problem.text()
    assert dialog.problem.isVisible()
