"""The institution's settings: one typed registry of options, and a reader of the two INI
files (the user's, and IT's system file on top) that needs no Qt.

The window edits the user's file through ``besponsa_desktop.settings`` (QSettings); the
command line reads the same files here, with the same keys and the same lock semantics: a
usable value in IT's system file overrides the user's and locks it; an unusable one is
ignored, with a logged note, never obeyed. See docs/settings.md.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

ORGANIZATION = "besponsa-desktop"
APPLICATION = "besponsa-desktop"
SCHEMA_VERSION = 1
VERSION_KEY = "settings_version"
FILE_NAME = f"{APPLICATION}.ini"


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
            if not math.isfinite(value):
                raise ValueError(f"{self.key}: not a finite number")
        elif self.kind is str:
            if isinstance(raw, list | tuple):  # QSettings reads "a, b" as a list
                raw = ", ".join(str(part) for part in raw)
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
    Option(
        "database_url",
        "Ward database",
        str,
        "",
        help="The ward's PostgreSQL database (postgresql://server/database, or "
        "postgresql:///?service=NAME); when set, it is used instead of the database file.",
    ),
)
OPTION_BY_KEY = {option.key: option for option in OPTIONS}


# ---------------------------------------------------------------- where the files are
# The same places as Qt's QSettings (INI format, organisation and application
# "besponsa-desktop"); a test compares them with Qt's on the machine it runs on.


def default_user_file() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / ORGANIZATION / FILE_NAME


def default_system_file() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("PROGRAMDATA") or r"C:\ProgramData"
    else:
        dirs = [d for d in os.environ.get("XDG_CONFIG_DIRS", "").split(":") if d]
        base = dirs[0] if dirs else "/etc/xdg"
    return Path(base) / ORGANIZATION / FILE_NAME


# ---------------------------------------------------------------- reading Qt's INI files


def _unescape(text: str) -> str:
    """A value as QSettings writes it: optionally double-quoted, backslash escapes. Commas
    are kept as written (QSettings would split an unquoted value into a list)."""
    out: list[str] = []
    index = 0
    escapes = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
               "0": "\0", "\\": "\\", '"': '"', "'": "'", "?": "?", ";": ";", ",": ",",
               "=": "="}
    while index < len(text):
        char = text[index]
        if char == '"':
            index += 1
            continue
        if char == "\\" and index + 1 < len(text):
            nxt = text[index + 1]
            if nxt == "x":
                end = index + 2
                while end < len(text) and end < index + 6 and text[end] in "0123456789abcdefABCDEF":
                    end += 1
                if end > index + 2:
                    out.append(chr(int(text[index + 2:end], 16)))
                    index = end
                    continue
            out.append(escapes.get(nxt, nxt))
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def read_ini_all(path: Path) -> dict[str, list[str]]:
    """Every value given for each ``[General]`` key of a QSettings INI file, in file order
    (missing or unreadable: none). IT writes these files by hand: a key given twice is
    ambiguous, so callers can see it."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return {}
    values: dict[str, list[str]] = {}
    group = "General"
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(";") or stripped.startswith("#"):
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            group = stripped[1:-1].strip()
            continue
        key, equals, value = stripped.partition("=")
        if not equals or group not in ("General", "%General"):
            continue
        values.setdefault(key.strip(), []).append(_unescape(value.strip()))
    return values


def read_ini(path: Path) -> dict[str, str]:
    """The ``[General]`` keys of a QSettings INI file (the last value of each)."""
    return {key: given[-1] for key, given in read_ini_all(path).items()}


def _note_ignored(key: str, why: str = "not a value this option accepts") -> None:
    """Note that IT's value for key is not used (never the value: it could be anything)."""
    from besponsa_desktop.logs import log_note

    log_note(f"system settings: {key} ignored ({why}); see docs/settings.md")


class InstitutionSettings:
    """The registry's values for this user, IT's system file on top; read-only, no Qt."""

    def __init__(self, user_file: Path | None = None, system_file: Path | None = None) -> None:
        self.user_file = Path(user_file) if user_file else default_user_file()
        self.system_file = Path(system_file) if system_file else default_system_file()
        self._user = read_ini(self.user_file)
        system = read_ini_all(self.system_file)
        self._system = {key: given[-1] for key, given in system.items() if len(given) == 1}
        self.ignored: list[str] = []  # system keys IT set to values we cannot use
        for key, given in system.items():
            if len(given) > 1 and key in OPTION_BY_KEY:
                self.ignored.append(key)
                _note_ignored(key, "given more than once")
        for key in self._system:
            if key in OPTION_BY_KEY:
                self.locked(key)

    def locked(self, key: str) -> bool:
        option = OPTION_BY_KEY[key]
        if key not in self._system:
            return False
        try:
            option.coerce(self._system[key])
        except (TypeError, ValueError):
            if key not in self.ignored:
                self.ignored.append(key)
                _note_ignored(key)
            return False
        return True

    def get(self, key: str) -> Any:
        option = OPTION_BY_KEY[key]
        for layer in (self._system, self._user):
            if key in layer:
                try:
                    return option.coerce(layer[key])
                except (TypeError, ValueError):
                    continue  # an unusable stored value falls back to the next layer
        return option.default

    def values(self) -> dict[str, Any]:
        return {option.key: self.get(option.key) for option in OPTIONS}


def database_location(values: dict[str, Any]) -> Path | None:
    """The settings' database file, or None for the store's default location."""
    text = str(values.get("database_path") or "").strip()
    return Path(text).expanduser() if text else None


def small_dose_protocol(settings: Mapping[str, Any]) -> dict[str, Any] | None:
    """The institution's small-volume protocol from the settings, as the request carries it
    (the core validates it); None when none is named."""
    reference = str(settings.get("small_dose_protocol_reference") or "").strip()
    if not reference:
        return None
    return {
        "reference": reference,
        "total_volume_ml": float(settings.get("small_dose_total_volume_ml") or 0),
        "min_concentration_mg_per_ml": float(
            settings.get("small_dose_min_concentration_mg_per_ml") or 0
        ),
        "infusion_minutes": _whole_if_whole(
            float(settings.get("small_dose_infusion_minutes") or 0)
        ),
    }


def _whole_if_whole(value: float) -> int | float:
    """12.0 → 12; 12.5 stays 12.5, for the core to refuse (never truncated silently)."""
    return int(value) if value.is_integer() else value
