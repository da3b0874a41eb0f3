"""Generated hostile requests and imports through the command line's ``main``: each ends in
exit 0 with a valid plan (or "imported"), or exit 2 with one line per problem naming the
element; never exit 1 (an internal error) and never a traceback.

Each example starts from a valid request (or a valid exported course) and applies a few
edits: a value replaced by arbitrary JSON or by a plausible number, a key deleted, an
unknown key added, a key given twice, a number written as NaN, Infinity, 1e400 or 10^20, a
value nested deep. Counts: REQUESTS + IMPORTS examples per run (BESPONSA_FUZZ_SCALE
multiplies them for a longer run, as in ``-m slow``).
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from besponsa_desktop import cli
from besponsa_desktop.core.models import Plan
from tests.faults.conftest import EXAMPLE, MRN

SCALE = int(os.environ.get("BESPONSA_FUZZ_SCALE", "1"))
REQUESTS = 7000 * SCALE
IMPORTS = 3000 * SCALE
def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,  # no example database written into the source tree
        derandomize=True,  # the same examples on every run and machine
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )

# "error: PATH: message", PATH a dotted path whose odd keys are quoted: labs.anc, [":"]
PROBLEM_LINE = re.compile(
    r'^error: (request|request file|import file|'
    r'(?:[A-Za-z0-9_.]|\[(?:\d+|"(?:[^"\\]|\\.)*")\])+): \S.*$'
)
# Numbers written as text, which no Python value serialises to.
SPECIAL_NUMBERS = ("NaN", "Infinity", "-Infinity", "1e400", "-1e400", "100000000000000000000",
                   "1e-400", "-0", "0.0000000000000000001")

counted = {"requests": 0, "imports": 0, "exit 0": 0, "exit 2": 0}


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data[:3]):
            yield from _paths(value, (*prefix, index))


# Flat choices (a recursive strategy costs more to draw than the program takes to run);
# nesting comes from the "deep" edit and from replacing an object with a list or a scalar.
json_values = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
    st.sampled_from(["2026-12-01", "0001-01-01", "9999-12-31", "2026-02-30", "", " ",
                     "proceed", "US", "EU", "mosteller", "female", "cr", "given"]),
    st.sampled_from([[], {}, [1, 2], {"a": 1}, [None], {"": None}]),
)
plausible = st.one_of(
    st.integers(-5, 400), st.floats(-1, 400, allow_nan=False),
    st.sampled_from([0, 1, 2, 3, 6, 7, 8, 14, 15, 21, 28, 0.5, 1e-9, 1e9]),
)


KINDS = st.sampled_from(["json", "plausible", "plausible", "plausible", "delete", "unknown",
                         "twice", "special", "deep"])


def _number_paths(data: Any) -> list[tuple[Any, ...]]:
    found = []
    for path in _paths(data):
        value: Any = data
        for part in path:
            value = value[part]
        if isinstance(value, int | float) and not isinstance(value, bool):
            found.append(path)
    return found


def edits(base: Any) -> st.SearchStrategy[list[tuple[str, tuple[Any, ...], Any]]]:
    """A few edits of ``base``; "plausible" numbers go to numeric fields, so that many
    examples stay valid and reach the rules."""
    paths, numbers = list(_paths(base)), _number_paths(base)

    @st.composite
    def draw_edits(draw: st.DrawFn) -> list[tuple[str, tuple[Any, ...], Any]]:
        out = []
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(KINDS)
            path = draw(st.sampled_from(numbers if kind == "plausible" else paths))
            if kind == "json":
                value: Any = draw(json_values)
            elif kind == "plausible":
                value = draw(plausible)
            elif kind == "special":
                value = draw(st.sampled_from(SPECIAL_NUMBERS))
            elif kind == "unknown":
                value = draw(st.text(min_size=1, max_size=8))
            elif kind == "deep":
                value = draw(st.sampled_from([40, 200, 5000]))
            else:
                value = None
            out.append((kind, path, value))
        return out

    return draw_edits()


def _apply(base: dict[str, Any], changes: list[tuple[str, tuple[Any, ...], Any]]) -> str:
    """The edited data as JSON text; the edits JSON cannot express go in as placeholders."""
    data = copy.deepcopy(base)
    literal: dict[str, str] = {}

    def mark(text: str) -> str:
        key = f"@@{len(literal)}@@"
        literal[key] = text
        return key

    for kind, path, value in changes:
        if not path:
            continue
        parent: Any = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            last = path[-1]
            if kind == "delete":
                del parent[last]
            elif kind == "unknown" and isinstance(parent, dict):
                parent[value] = 1
            elif kind == "twice" and isinstance(parent, dict) and isinstance(last, str):
                parent[mark(f'"{last}": 0, "{last}"')] = parent.pop(last)
            elif kind == "special":
                parent[last] = mark(value)
            elif kind == "deep":
                parent[last] = mark("[" * value + "]" * value)
            elif kind in ("json", "plausible"):
                parent[last] = copy.deepcopy(value)  # drawn lists and objects are shared
        except (KeyError, IndexError, TypeError):
            continue
    text = json.dumps(data, ensure_ascii=False)
    for key, raw in literal.items():
        if key.startswith("@@") and f'"{key}":' in text and raw.endswith('"'):
            text = text.replace(f'"{key}"', raw, 1)  # a key given twice
        else:
            text = text.replace(f'"{key}"', raw, 1)
    return text


def _run(argv: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    saved = cli.sys.stdin
    if stdin is not None:
        cli.sys.stdin = io.StringIO(stdin)
    try:
        code = cli.main(argv, out, err)
    finally:
        cli.sys.stdin = saved
    return code, out.getvalue(), err.getvalue()


def _assert_refused_well(code: int, out: str, err: str, text: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, (text[:2000], err)
    assert code == 2, (code, text[:2000], err)
    lines = err.splitlines()
    assert lines, text[:2000]
    for line in lines:
        assert PROBLEM_LINE.match(line), (line, text[:2000])
    assert out == ""
    counted["exit 2"] += 1


BASE_REQUEST: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))


@fuzz(REQUESTS)
@given(changes=edits(BASE_REQUEST))
def test_generated_requests_give_a_plan_or_name_the_field(changes) -> None:
    text = _apply(BASE_REQUEST, changes)
    code, out, err = _run(["plan", "-"], stdin=text)
    counted["requests"] += 1
    if code == 0:
        plan = Plan.model_validate_json(out)
        assert plan.decision.value in ("proceed", "hold", "discontinue", "not_eligible")
        assert err == ""
        counted["exit 0"] += 1
    else:
        _assert_refused_well(code, out, err, text)


@pytest.fixture(scope="module")
def course_file() -> Iterator[tuple[dict[str, Any], Path]]:
    """A valid exported course, and a database on a memory file system (imports are
    fsynced; on a RAM disk that costs nothing, so the fuzz stays fast)."""
    folder = Path(tempfile.mkdtemp(dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    source = folder / "source.sqlite3"
    code, _, err = _run(["plan", str(EXAMPLE), "--save", "--by", "Ann", "--db", str(source)])
    assert code == 0, err
    code, exported, err = _run(["export", MRN, "--db", str(source)])
    assert code == 0, err
    yield json.loads(exported), folder
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


def test_generated_imports_are_imported_or_refused_naming_the_element(course_file) -> None:
    base, folder = course_file
    target = folder / "target.sqlite3"
    sequence = {"n": 0}

    @fuzz(IMPORTS)
    @given(changes=edits(base))
    def one(changes) -> None:
        sequence["n"] += 1
        data = copy.deepcopy(base)
        # a fresh MRN for each example, so that a valid import is really imported
        if isinstance(data.get("patient"), dict):
            data["patient"]["mrn"] = f"F{sequence['n']:07d}"
        text = _apply(data, changes)
        path = folder / "import.json"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        code, out, err = _run(["import", str(path), "--by", "Fuzz", "--db", str(target)])
        counted["imports"] += 1
        if code == 0:
            assert out == "imported 1 course\n"
            counted["exit 0"] += 1
        else:
            _assert_refused_well(code, out, err, text)

    one()
    print(f"fuzzed: {counted}")
