"""Turning what a caller sends into a PlanRequest, or into a list of problems that each name
a field by its JSON path and say what is wrong. No caller ever sees a traceback."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pydantic import ValidationError

from besponsa_desktop.core.models import REQUIRED_FROM_CYCLE_2, PlanRequest
from besponsa_desktop.core.mrn import CONTEXT_IGNORE_CASE
from besponsa_desktop.core.plausibility import FieldProblems
from besponsa_desktop.core.strict_json import InvalidRequest, Problem, loads, path_part

__all__ = ["InvalidRequest", "Problem", "parse_request", "parse_request_json", "problems_from"]


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known field (check the spelling)",
    "float_type": "must be a number",
    "int_type": "must be a whole number",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "finite_number": "must be a finite number",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "date_type": "must be a date written YYYY-MM-DD",
}


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        text = str(part) if isinstance(part, int) else path_part(part)
        out += text if text.startswith("[") or not out else f".{text}"
    return out


def problems_from(error: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for item in error.errors():
        loc = _path(item["loc"])
        ctx: dict[str, Any] = item.get("ctx") or {}
        cause = ctx.get("error")
        if isinstance(cause, FieldProblems):
            for sub, message in cause.problems:
                problems.append(Problem(f"{loc}.{sub}" if loc else sub, message))
            continue
        kind = item["type"]
        if kind in _MESSAGES:
            message = _MESSAGES[kind]
        elif isinstance(cause, ValueError):
            message = str(cause)
        else:
            message = item["msg"].replace("Input should be", "must be")
        if kind not in ("missing", "extra_forbidden") and "input" in item:
            given = item["input"]
            if isinstance(given, str | int | float | bool) and len(repr(given)) < 40:
                message += f" (got {given!r})" if kind.endswith("_type") else ""
        problems.append(Problem(loc, message))
    return problems


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON data")


def parse_request(data: object, *, mrn_ignore_case: bool = False) -> PlanRequest:
    """Validate request data (a JSON text, or the dict a caller built) in JSON mode, so a
    request is read exactly the same from a file, the command line or the window."""
    if isinstance(data, str | bytes):
        return parse_request_json(data, mrn_ignore_case=mrn_ignore_case)
    try:
        text = json.dumps(data, default=_json_default, ensure_ascii=False)
    except (TypeError, ValueError) as error:
        raise InvalidRequest([Problem("", f"is not JSON data ({error})")]) from None
    return parse_request_json(text, mrn_ignore_case=mrn_ignore_case)


def _cross_field_problems(text: str | bytes, found: list[Problem]) -> list[Problem]:
    """What the request model's own cross-field check would also say, had the fields been
    valid: pydantic skips it when any field fails, and a person fixing the form should see
    every missing entry at once."""
    try:
        data = json.loads(text)
        later = isinstance(data, dict) and int(data["cycle"]["number"]) >= 2
    except (ValueError, TypeError, KeyError, OverflowError):
        return []
    if not later:
        return []
    reported = {p.path for p in found}
    return [
        Problem(key, message)
        for key, message in REQUIRED_FROM_CYCLE_2.items()
        if data.get(key) is None and key not in reported
    ]


def parse_request_json(text: str | bytes, *, mrn_ignore_case: bool = False) -> PlanRequest:
    # Read strictly first (duplicate keys, non-finite numbers, depth, size): pydantic's own
    # JSON reader would keep the last of two keys and accept Infinity.
    loads(text, what="request")
    try:
        return PlanRequest.model_validate_json(
            text, context={CONTEXT_IGNORE_CASE: mrn_ignore_case}
        )
    except ValidationError as error:
        problems = problems_from(error)
        raise InvalidRequest(problems + _cross_field_problems(text, problems)) from None
