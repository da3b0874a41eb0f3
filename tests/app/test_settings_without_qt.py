"""The settings registry read without Qt: same files, same keys, same locks as the window's
QSettings reader."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from besponsa_desktop.app.settings import (
    InstitutionSettings,
    default_system_file,
    default_user_file,
    read_ini,
)


@pytest.fixture(autouse=True)
def _private_log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BESPONSA_LOG_DIR", str(tmp_path / "logs"))


def test_the_files_are_where_qt_puts_them() -> None:
    from PySide6.QtCore import QSettings

    for scope, ours in ((QSettings.Scope.UserScope, default_user_file()),
                        (QSettings.Scope.SystemScope, default_system_file())):
        qt = QSettings(QSettings.Format.IniFormat, scope, "besponsa-desktop", "besponsa-desktop")
        assert Path(qt.fileName()) == ours


def test_reading_settings_does_not_import_qt(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from besponsa_desktop.app.settings import InstitutionSettings\n"
        f"InstitutionSettings({str(tmp_path / 'u.ini')!r}, {str(tmp_path / 's.ini')!r}).values()\n"
        "assert 'PySide6' not in sys.modules, 'Qt was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_it_system_file_overrides_and_locks_as_in_the_window(tmp_path: Path) -> None:
    from besponsa_desktop.settings import Settings

    (tmp_path / "user.ini").write_text(
        "[General]\nbsa_formula=haycock\npage_size=Letter\nvolume_rounding_ml=0.05\n"
    )
    (tmp_path / "system.ini").write_text(
        "[General]\nbsa_formula=dubois\nhospital_name=\"St Mary's, London\"\n"
        "volume_rounding_ml=0.3\nweight_change_threshold_pct=nan\n"
    )
    ours = InstitutionSettings(tmp_path / "user.ini", tmp_path / "system.ini")
    qt = Settings(tmp_path / "user.ini", tmp_path / "system.ini")
    assert ours.values() == qt.values()
    expected = {
        "bsa_formula": "dubois",
        "label_profile": "US",
        "volume_rounding_ml": 0.05,  # IT's 0.3 is not an allowed step: ignored
        "weight_change_threshold_pct": 10.0,  # IT's nan is not a number: ignored
        "hospital_name": "St Mary's, London",
        "page_size": "Letter",
        "database_path": "",
        "database_url": "",
    }
    # the keys written above (the other options, at their defaults, are tested elsewhere)
    assert {key: ours.values()[key] for key in expected} == expected
    for key in ("bsa_formula", "hospital_name"):
        assert ours.locked(key) and qt.locked(key)
    for key in ("volume_rounding_ml", "weight_change_threshold_pct", "page_size"):
        assert not ours.locked(key) and not qt.locked(key)
    assert set(ours.ignored) == {"volume_rounding_ml", "weight_change_threshold_pct"}
    log = (tmp_path / "logs" / "besponsa-desktop.log").read_text()
    assert "system settings: weight_change_threshold_pct ignored" in log


def test_a_hospital_name_with_a_comma_reads_as_written_even_unquoted(tmp_path: Path) -> None:
    from besponsa_desktop.settings import Settings

    (tmp_path / "system.ini").write_text("[General]\nhospital_name=St Mary's, London\n")
    ours = InstitutionSettings(tmp_path / "user.ini", tmp_path / "system.ini")
    qt = Settings(tmp_path / "user.ini", tmp_path / "system.ini")
    assert ours.get("hospital_name") == qt.get("hospital_name") == "St Mary's, London"


def test_values_written_by_the_window_read_back_the_same(tmp_path: Path) -> None:
    from besponsa_desktop.settings import Settings

    qt = Settings(tmp_path / "user.ini", tmp_path / "system.ini")
    qt.set("hospital_name", 'Hôpital "Nord", Lyon; 2e = étage \\ B')
    qt.set("volume_rounding_ml", 0.01)
    qt.set("database_path", "/srv/x=y/course.sqlite3")
    qt.sync()
    ours = InstitutionSettings(tmp_path / "user.ini", tmp_path / "system.ini")
    assert ours.values() == qt.values()
    assert read_ini(tmp_path / "missing.ini") == {}


def test_the_window_starts_without_the_store_or_the_services(tmp_path: Path) -> None:
    """Start-up is benchmarked: the application services, SQLAlchemy and sqlite3 load on
    first use of a course, not when the window is made."""
    code = (
        "import sys\n"
        "from besponsa_desktop.ui.app import application\n"
        "from besponsa_desktop.controller import PlanController\n"
        "from besponsa_desktop.settings import Settings\n"
        "from besponsa_desktop.ui.main_window import MainWindow\n"
        "app = application()\n"
        f"s = Settings({str(tmp_path / 'u.ini')!r}, {str(tmp_path / 's.ini')!r})\n"
        "MainWindow(PlanController(s))\n"
        "loaded = [m for m in ('sqlalchemy', 'sqlite3', 'besponsa_desktop.app.courses',\n"
        "          'besponsa_desktop.store', 'reportlab') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    import os

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr


def test_the_ward_database_url_it_locks_is_read_without_qt(tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    from besponsa_desktop.app.database import location

    (tmp_path / "system.ini").write_text(
        '[General]\ndatabase_url="postgresql:///?service=ward,backup"\n')
    ours = InstitutionSettings(tmp_path / "user.ini", tmp_path / "system.ini")
    assert ours.locked("database_url")
    assert ours.get("database_url") == "postgresql:///?service=ward,backup"
    url = make_url(location(None, ours.values()).url or "")
    assert url.query["service"] == "ward,backup"  # the comma kept, not a list
