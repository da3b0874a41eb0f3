"""The settings registry: typed defaults, persistence, IT's locks, schema version."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from besponsa_desktop.settings import SCHEMA_VERSION, VERSION_KEY, Settings


def test_defaults_are_the_institutional_defaults(settings):
    assert settings.values() == {
        "bsa_formula": "mosteller",
        "label_profile": "US",
        "volume_rounding_ml": 0.1,
        "weight_change_threshold_pct": 10.0,
        "hospital_name": "",
        "page_size": "A4",
        "premedication": "",
        "dilution_method": "empty_bag",
        "database_path": "",
        "mrn_letter_case": "significant",
        # no small-dose protocol unless the institution sets one
        "small_dose_protocol_reference": "",
        "small_dose_total_volume_ml": 0.0,
        "small_dose_min_concentration_mg_per_ml": 0.0,
        "small_dose_infusion_minutes": 0.0,
        "database_url": "",
    }


def test_a_saved_value_is_read_back_by_the_next_start(tmp_path, settings):
    assert settings.set("volume_rounding_ml", 0.05)
    settings.sync()
    again = Settings(tmp_path / "user.ini", tmp_path / "system.ini")
    assert again.get("volume_rounding_ml") == 0.05
    assert QSettings(str(tmp_path / "user.ini"), QSettings.Format.IniFormat).value(
        VERSION_KEY
    ) in (SCHEMA_VERSION, str(SCHEMA_VERSION))


def test_it_system_file_overrides_and_locks_the_user_value(tmp_path):
    (tmp_path / "system.ini").write_text(
        "[General]\nbsa_formula=dubois\nhospital_name=St Elsewhere\n"
    )
    settings = Settings(tmp_path / "user.ini", tmp_path / "system.ini")
    assert settings.get("bsa_formula") == "dubois"
    assert settings.locked("bsa_formula")
    assert settings.set("bsa_formula", "haycock") is False
    assert settings.get("bsa_formula") == "dubois"
    assert not settings.locked("label_profile")


def test_an_unusable_value_from_it_is_ignored_not_obeyed(tmp_path):
    (tmp_path / "system.ini").write_text("[General]\nvolume_rounding_ml=0.3\n")
    settings = Settings(tmp_path / "user.ini", tmp_path / "system.ini")
    assert settings.get("volume_rounding_ml") == 0.1
    assert not settings.locked("volume_rounding_ml")
    assert "volume_rounding_ml" in settings.ignored


def test_an_old_file_without_a_version_is_upgraded(tmp_path):
    (tmp_path / "user.ini").write_text("[General]\npage_size=Letter\n")
    settings = Settings(tmp_path / "user.ini", tmp_path / "system.ini")
    settings.sync()
    assert settings.get("page_size") == "Letter"
    assert "settings_version=1" in (tmp_path / "user.ini").read_text()


def test_the_user_file_is_private(tmp_path, settings):
    settings.set("hospital_name", "General")
    settings.sync()
    assert (tmp_path / "user.ini").stat().st_mode & 0o077 == 0


def test_it_presets_and_locks_the_ward_database_url(tmp_path):
    from besponsa_desktop.store import location

    (tmp_path / "system.ini").write_text(
        "[General]\ndatabase_url=\"postgresql:///?service=ward\"\n"
    )
    settings = Settings(tmp_path / "user.ini", tmp_path / "system.ini")
    assert settings.locked("database_url")
    assert settings.set("database_url", "postgresql://elsewhere/db") is False
    chosen = location.choose(None, settings.values(), tmp_path / "default.sqlite3")
    assert chosen.url == "postgresql+psycopg:///?service=ward"
