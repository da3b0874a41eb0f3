"""Reading JSON that comes from outside the program (a request, an import, an export read
back), strictly: what could be read two ways is refused, never guessed.

- A key given twice in one object is refused: Python's reader keeps the last value while a
  person reading the file sees the first (``"weight_kg": 62, "weight_kg": 6.2``).
- NaN, Infinity and numbers too large for a float (1e400 reads as infinity) are refused,
  and so are whole numbers beyond 2⁵³, which no float holds exactly and SQLite may not
  store.
- Nesting deeper than ``MAX_DEPTH`` is refused (no valid file comes near it; a very deep
  one would exhaust Python's stack).
- A text over its size limit is refused before it is parsed (see ``check_size``).

Every problem names the element by its path (``cycle.number``, ``cycles[0].plan``). Text
echoed back in a message goes through ``printable`` so that a key cannot carry terminal
escape sequences or invisible characters to the screen.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

# Sizes in bytes of UTF-8 text. A plan request is about 1 kB; an exported course of the
# largest course the label allows (6 cycles, every revision) stays under 1 MB.
MAX_REQUEST_BYTES = 256 * 1024
MAX_IMPORT_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 32
LARGEST_WHOLE_NUMBER = 2**53
MAX_PROBLEMS = 20

# Unicode categories shown escaped when echoed: controls, format characters (zero-width
# space, bidirectional overrides), line/paragraph separators, lone surrogates, unassigned.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Cn"})


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{printable(self.path) or 'request'}: {self.message}"


class InvalidRequest(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def printable(text: str) -> str:
    """``text`` with every control, format or otherwise invisible character written as an
    escape (``\\x1b``, ``\\u200b``), so what is echoed is what was sent."""
    if text.isprintable():
        return text
    out: list[str] = []
    for ch in text:
        if ch == " " or unicodedata.category(ch) not in HIDDEN_CATEGORIES:
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out)


def check_size(size: int, limit: int, what: str) -> None:
    """Refuse a text of ``size`` bytes over ``limit``, before anything parses it."""
    if size > limit:
        raise InvalidRequest(
            [Problem(what, f"is larger than the limit of {limit // 1024} kB; nothing was read")]
        )


class _NonFinite(float):
    """NaN, Infinity or an overflowing number, remembered as written."""

    written: str


def _non_finite(text: str) -> float:
    value = _NonFinite(float(text))
    value.written = text
    return value


def _parse_float(text: str) -> float:
    value = float(text)
    return value if math.isfinite(value) else _non_finite(text)


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it was given more than once."""

    repeated: list[str]


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object(pairs)
    obj.repeated = []
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen and key not in obj.repeated:
                obj.repeated.append(key)
            seen.add(key)
    return obj


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def path_part(key: str) -> str:
    """A key as it appears in a path: bare when it is a plain name, else quoted in brackets
    (``[""]``, ``[":"]``, ``["a.b"]``), so that every path reads one way."""
    return key if _NAME.fullmatch(key) else "[" + json.dumps(key, ensure_ascii=False) + "]"


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    part = path_part(key)
    if part.startswith("["):
        return f"{path}{part}"
    return f"{path}.{part}" if path else part


def _has_lone_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def _problems(data: Any) -> list[Problem]:
    problems: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack and len(problems) < MAX_PROBLEMS:
        value, path, depth = stack.pop()
        if isinstance(value, dict):
            if depth >= MAX_DEPTH:
                problems.append(Problem(path, f"is nested more than {MAX_DEPTH} levels deep"))
                continue
            for key in getattr(value, "repeated", ()):
                problems.append(Problem(_join(path, key), "is given more than once"))
            for key, item in reversed(value.items()):
                if _has_lone_surrogate(key):
                    problems.append(Problem(path, "has a key with an invalid character"))
                stack.append((item, _join(path, key), depth + 1))
        elif isinstance(value, list):
            if depth >= MAX_DEPTH:
                problems.append(Problem(path, f"is nested more than {MAX_DEPTH} levels deep"))
                continue
            stack.extend((item, _join(path, i), depth + 1) for i, item in reversed(
                list(enumerate(value))))
        elif isinstance(value, _NonFinite):
            problems.append(Problem(path, f"must be a finite number (got {value.written})"))
        elif isinstance(value, int) and not isinstance(value, bool):
            if abs(value) > LARGEST_WHOLE_NUMBER:
                problems.append(Problem(path, "is too large a number"))
        elif isinstance(value, str) and _has_lone_surrogate(value):
            problems.append(Problem(path, "contains an invalid character (a lone surrogate)"))
    problems.sort(key=lambda p: p.path)
    return problems


def loads(text: str | bytes, *, limit: int = MAX_REQUEST_BYTES, what: str = "request") -> Any:
    """The data in ``text``, or InvalidRequest naming every element that is refused."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    check_size(size, limit, what)
    try:
        data = json.loads(
            text,
            object_pairs_hook=_object,
            parse_float=_parse_float,
            parse_constant=_non_finite,
        )
    except json.JSONDecodeError as error:
        raise InvalidRequest(
            [Problem("", f"is not JSON (line {error.lineno}, column {error.colno}: {error.msg})")]
        ) from None
    except UnicodeDecodeError:
        raise InvalidRequest([Problem("", "is not UTF-8 text")]) from None
    except RecursionError:
        raise InvalidRequest(
            [Problem("", f"is nested more than {MAX_DEPTH} levels deep")]
        ) from None
    problems = _problems(data)
    if problems:
        raise InvalidRequest(problems)
    return data
