"""Institution-wide defaults: one typed registry of options over QSettings.

Every option is declared once below with its type, default and allowed values. The user's
values live in the user's settings file; hospital IT can write a system settings file whose
keys override the user's and lock them (the settings dialog shows them as set by IT and
cannot change them). See docs/settings.md for where the files are and how to preset them.

Settings carry a schema version; ``_UPGRADES`` turns an older file into the current shape,
one step at a time, so a key can be renamed without losing what a hospital has set.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from PySide6.QtCore import QSettings

ORGANIZATION = "besponsa-desktop"
APPLICATION = "besponsa-desktop"
SCHEMA_VERSION = 1
VERSION_KEY = "settings_version"


# A NamedTuple rather than a dataclass: importing dataclasses slows the window's start.
class Option(NamedTuple):
    key: str
    label: str
    kind: type
    default: Any
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""
    suffix: str = ""  # the unit shown next to a number
    decimals: int = 0

    def coerce(self, raw: object) -> Any:
        """A stored value (INI files give text) as this option's type; ValueError if it is
        not a value this option accepts."""
        if self.kind is float:
            value: Any = float(str(raw).strip())
            if not math.isfinite(value):  # nan compares false with every limit
                raise ValueError(f"{self.key}: not a finite number")
        elif self.kind is str:
            value = "" if raw is None else str(raw)
        else:
            raise TypeError(f"unsupported option type {self.kind!r}")
        if self.choices and value not in self.choices:
            raise ValueError(f"{self.key}: {raw!r} is not one of {self.choices}")
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"{self.key}: {raw!r} is below {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"{self.key}: {raw!r} is above {self.maximum}")
        return value


# The values here mirror the core's (BsaFormula, Label, VOLUME_ROUNDING_STEPS_ML); a test
# checks they agree. They are spelt out so that reading settings never imports the core.
OPTIONS: tuple[Option, ...] = (
    Option(
        "bsa_formula",
        "BSA formula",
        str,
        "mosteller",
        ("mosteller", "dubois", "haycock", "gehan_george"),
        help="Formula for body surface area; the label names none (Mosteller is usual).",
    ),
    Option(
        "label_profile",
        "Label profile",
        str,
        "US",
        ("US", "EU"),
        help="US Prescribing Information or EU SmPC rules.",
    ),
    Option(
        "volume_rounding_ml",
        "Volume rounding step (mL)",
        float,
        0.1,
        (0.01, 0.05, 0.1),
        help="Step the volume to withdraw is rounded to.",
    ),
    Option(
        "weight_change_threshold_pct",
        "Weight-change warning (%)",
        float,
        10.0,
        minimum=1,
        maximum=50,
        help="Warn when the weight changed by more than this since the previous cycle.",
        suffix=" %",
    ),
    # The institution's small-volume (syringe) protocol for doses too small for the label's
    # 50 mL bag. Unset (no name) by default: the program invents no syringe numbers; the
    # core checks a set protocol against the labelled 0.01–0.1 mg/mL.
    Option(
        "small_dose_protocol_reference",
        "Small-dose protocol (name)",
        str,
        "",
        help="Your institution's small-volume (syringe) protocol, as it is to be cited on "
        "the printout; empty = none (small doses are then confirmed and prepared by hand).",
    ),
    Option(
        "small_dose_total_volume_ml",
        "Small-dose protocol: total volume",
        float,
        0.0,
        minimum=0,
        maximum=49.99,
        help="Syringe total volume in mL (less than the label's 50 mL bag).",
        suffix=" mL",
        decimals=2,
    ),
    Option(
        "small_dose_min_concentration_mg_per_ml",
        "Small-dose protocol: lowest final concentration",
        float,
        0.0,
        minimum=0,
        maximum=0.1,
        help="Lowest final concentration the protocol allows (0.01–0.1 mg/mL, the labelled "
        "range).",
        suffix=" mg/mL",
        decimals=3,
    ),
    Option(
        "small_dose_infusion_minutes",
        "Small-dose protocol: infusion time",
        float,
        0.0,
        minimum=0,
        maximum=240,
        help="Infusion time of the syringe, in minutes.",
        suffix=" min",
    ),
    Option("hospital_name", "Hospital name", str, "", help="Printed on every printout."),
    Option("page_size", "Page size", str, "A4", ("A4", "Letter"), help="Printout page size."),
    Option(
        "premedication",
        "Premedication order set",
        str,
        "",
        help="Printed on every dose page. One drug a line: drug; dose; route; minutes "
        "before the infusion (methylprednisolone; 100 mg; intravenous; 60). Empty: the "
        "sheet leaves lines to write in as prescribed.",
    ),
    Option(
        "dilution_method",
        "How the 50 mL bag is made",
        str,
        "empty_bag",
        ("empty_bag", "from_50_ml_bag"),
        help="An empty bag plus the stated volume of sodium chloride 0.9%, or a 50 mL bag "
        "of sodium chloride 0.9% from which the drug's volume is first withdrawn.",
    ),
    Option(
        "mrn_letter_case",
        "MRN letter case",
        str,
        "significant",
        ("significant", "ignore"),
        help="Whether h1234 and H1234 are one patient (ignore: MRNs are kept in capitals).",
    ),
    Option(
        "database_path",
        "Database file",
        str,
        "",
        help="Where courses are stored; empty = the default location for this user.",
    ),
)
OPTION_BY_KEY = {option.key: option for option in OPTIONS}

# Each step takes the file at version N (as a QSettings) and leaves it at N + 1.
_UPGRADES: dict[int, Callable[[QSettings], None]] = {}


def _default_file(scope: QSettings.Scope) -> Path:
    return Path(
        QSettings(QSettings.Format.IniFormat, scope, ORGANIZATION, APPLICATION).fileName()
    )


def default_user_file() -> Path:
    return _default_file(QSettings.Scope.UserScope)


def default_system_file() -> Path:
    return _default_file(QSettings.Scope.SystemScope)


class SettingsNotSaved(OSError):
    """The user's settings file could not be written; the message says where."""


def _as_written(path: Path, key: str) -> list[str]:
    """The raw values of ``key`` in the [General] section of an INI file, as written.

    QSettings splits an unquoted value at commas into a list ("St Mary's, London" becomes
    two items, spaces lost) and keeps only the last of a key given twice; IT writes these
    files by hand, so the text is read as written here."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    section, found = "General", []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped[0] in ";#":
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip()
            continue
        name, equals, value = stripped.partition("=")
        if equals and section == "General" and name.strip() == key:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            found.append(value)
    return found


class Settings:
    """The registry's values for this user, with IT's system file on top."""

    def __init__(self, user_file: Path | None = None, system_file: Path | None = None) -> None:
        self.user_file = Path(user_file) if user_file else default_user_file()
        self.system_file = Path(system_file) if system_file else default_system_file()
        self._user = QSettings(str(self.user_file), QSettings.Format.IniFormat)
        self._system_store = QSettings(str(self.system_file), QSettings.Format.IniFormat)
        self.ignored: list[str] = []  # system keys IT set to values we cannot use
        self._upgrade(self._user)

    # ------------------------------------------------------------------ reading
    def _raw(self, store: QSettings, key: str) -> Any:
        raw = store.value(key)
        if isinstance(raw, list):  # an unquoted comma: read the text as written
            file = Path(store.fileName())
            written = _as_written(file, key)
            raw = written[-1] if written else ", ".join(str(item) for item in raw)
        return raw

    def _ignore(self, key: str, why: str) -> None:
        """Note, once, that IT's value for key is not used (never the value: it could be
        anything typed)."""
        if key not in self.ignored:
            self.ignored.append(key)
            from besponsa_desktop.logs import log_note

            log_note(f"system settings: {key} ignored ({why}); see docs/settings.md")

    def _system(self, key: str) -> tuple[bool, Any]:
        """(True, value) when IT's system file sets ``key`` to a usable value."""
        if not self._system_store.contains(key):
            return False, None
        if len(_as_written(self.system_file, key)) > 1:
            self._ignore(key, "given more than once")
            return False, None
        try:
            return True, OPTION_BY_KEY[key].coerce(self._raw(self._system_store, key))
        except (TypeError, ValueError):
            self._ignore(key, "not a value this option accepts")
            return False, None

    def locked(self, key: str) -> bool:
        """True when IT's system file sets this option (and it is a usable value)."""
        return self._system(key)[0]

    def get(self, key: str) -> Any:
        option = OPTION_BY_KEY[key]
        usable, value = self._system(key)
        if usable:
            return value
        if self._user.contains(key):
            try:
                return option.coerce(self._raw(self._user, key))
            except (TypeError, ValueError):
                pass  # an unusable stored value falls back to the default
        return option.default

    def values(self) -> dict[str, Any]:
        return {option.key: self.get(option.key) for option in OPTIONS}

    # ------------------------------------------------------------------ writing
    def set(self, key: str, value: Any) -> bool:
        """Store a user value. Returns False (and stores nothing) for a locked option."""
        option = OPTION_BY_KEY[key]
        if self.locked(key):
            return False
        value = option.coerce(value)
        self._user.setValue(key, value)
        self._user.setValue(VERSION_KEY, SCHEMA_VERSION)
        return True

    def sync(self) -> None:
        """Write the user's file; SettingsNotSaved if it could not be written."""
        self._user.sync()
        if self._user.status() != QSettings.Status.NoError:
            raise SettingsNotSaved(
                f"the settings could not be saved to {self.user_file} "
                "(the folder or the file cannot be written)"
            )
        # Qt writes the file atomically (QSaveFile) but with the umask's permissions.
        with contextlib.suppress(OSError):
            os.chmod(self.user_file, 0o600)

    # Window state is per user and never locked; it is not an institutional option.
    def window_state(self, key: str) -> Any:
        return self._user.value(f"window/{key}")

    def set_window_state(self, key: str, value: Any) -> None:
        self._user.setValue(f"window/{key}", value)

    # ------------------------------------------------------------------ versions
    @staticmethod
    def _upgrade(store: QSettings) -> None:
        raw = store.value(VERSION_KEY, 0)
        try:
            version = int(str(raw))
        except ValueError:
            version = 0
        if not store.allKeys():
            return  # a fresh file: nothing to upgrade
        while version < SCHEMA_VERSION:
            step = _UPGRADES.get(version)
            if step is not None:
                step(store)
            version += 1
        store.setValue(VERSION_KEY, SCHEMA_VERSION)
