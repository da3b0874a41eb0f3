"""The institution's premedication order set, printed on every dose page.

The label leaves premedication to the institution (a corticosteroid, an antipyretic and an
antihistamine are usual). The institution writes its set in the settings, one drug a line:

    methylprednisolone; 100 mg; intravenous; 60

(drug; dose; route; minutes before the infusion). Each line must read as a printed order
must (ISMP): a leading zero, no trailing zero, a space before the unit, routes in words.
A line that does not is refused with its number, never printed half-read.
"""

from __future__ import annotations

import re
from typing import NamedTuple

ROUTES = ("intravenous", "oral", "subcutaneous", "intramuscular")
MAX_MINUTES_BEFORE = 240
# "100 mg", "1,000 mg", "0.5 mg", "10 mg/kg": a number ISMP would print, then a unit
_DOSE = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d*[1-9])? [^\s\d].*$")
_UNITS_REFUSED = ("cc", "µg", "ug", "iu", "u")  # ISMP: mL, mcg, units


class Premedication(NamedTuple):
    drug: str
    dose: str
    route: str
    minutes_before: int

    def text(self) -> str:
        return (f"{self.drug} {self.dose} {self.route} {self.minutes_before} minutes before "
                "the infusion")


def _dose_problem(dose: str) -> str | None:
    if dose.startswith("."):
        return f"dose {dose!r}: write a leading zero (0.5 mg, never .5 mg)"
    number = dose.split(" ", 1)[0]
    if ("." in number and number.rstrip("0").endswith(".")) or (
        "." in number and number.endswith("0")
    ):
        return f"dose {dose!r}: no trailing zero (1 mg, never 1.0 mg)"
    if not _DOSE.match(dose):
        return f"dose {dose!r}: write a number, a space and the unit (100 mg)"
    unit = dose.split(" ", 1)[1].split("/")[0].strip().lower()
    if unit in _UNITS_REFUSED:
        return f"dose {dose!r}: write mL, mcg or units (ISMP), not {unit}"
    return None


def parse_premedications(text: str) -> tuple[Premedication, ...]:
    """The order set from its text; ValueError naming the line and what is wrong."""
    out: list[Premedication] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(";")]
        where = f"premedication line {number}"
        if len(parts) != 4 or not all(parts):
            raise ValueError(f"{where}: write 4 parts, drug; dose; route; minutes before "
                             "the infusion")
        drug, dose, route, minutes = parts
        problem = _dose_problem(dose)
        if problem:
            raise ValueError(f"{where}: {problem}")
        if route.lower() not in ROUTES:
            raise ValueError(f"{where}: route {route!r} is not one of {', '.join(ROUTES)}")
        if not minutes.isdigit() or int(minutes) > MAX_MINUTES_BEFORE:
            raise ValueError(f"{where}: minutes before the infusion must be a whole number "
                             f"from 0 to {MAX_MINUTES_BEFORE}")
        out.append(Premedication(drug, dose, route.lower(), int(minutes)))
    return tuple(out)
