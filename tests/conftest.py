"""Fixtures every test folder may use. Every test reads settings from its own folders: the
command line reads the user's and IT's settings files (XDG locations, as Qt does), never
the real ones of this machine. The ward's clock (``ward_clock``): the moment the services
record, set by each test. A throwaway PostgreSQL server set up as a ward (started once
per session, only when a test asks for it) and databases on it. Foreign C-library locales
for the date tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import backends
from tests.pg_cluster import Cluster
from tests.pg_ward import Ward, set_up_ward
from tests.ward_clock import WardClock, local_zone, patch_clock


@pytest.fixture(autouse=True)
def ward_clock(monkeypatch: pytest.MonkeyPatch) -> WardClock:
    return patch_clock(monkeypatch)


@pytest.fixture
def ward_zone() -> Iterator[None]:
    """The workstation's time zone set to Central Europe's (UTC+1 in winter) for the test."""
    with local_zone():
        yield


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A PostgreSQL server of this test session (Unix socket in a temporary folder)."""
    cluster = Cluster().init().enable_tls().start()
    try:
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="session")
def ward(pg_cluster: Cluster) -> Ward:
    return set_up_ward(pg_cluster)


@pytest.fixture(scope="session")
def _ward_store(ward: Ward) -> str:
    return ward.new_database()


@pytest.fixture(scope="session")
def _ward_other(ward: Ward) -> str:
    return ward.new_database()


@pytest.fixture
def ward_db(ward: Ward, _ward_store: str) -> str:
    """A ward database at the newest revision, empty: the same database for every test,
    emptied before each (copying a database for each test would take ten times longer)."""
    ward.empty(_ward_store)
    return _ward_store


# ---------------------------------------------------------------- the store on both backends


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test of the store or the services runs on both backends, unless it works on the
    SQLite file itself (``db_path``)."""
    names = set(metafunc.fixturenames)  # with what the fixtures use in turn
    if "backend" in names and names & backends.FIXTURES_ON_BOTH and "db_path" not in names:
        metafunc.parametrize("backend", backends.BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "course.sqlite3"


def _ward_location(request: pytest.FixtureRequest, other: bool = False) -> Any:
    ward: Ward = request.getfixturevalue("ward")
    dbname = request.getfixturevalue("_ward_other" if other else "ward_db")
    if other:
        ward.empty(dbname)
    return lambda person: ward.url(dbname, person)


@pytest.fixture
def store(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The repository: on a SQLite file, or on the ward database signed in as the tests'
    default person."""
    from besponsa_desktop.store.repository import open_store

    where = (tmp_path / "course.sqlite3" if backend == "sqlite"
             else _ward_location(request)(backends.DEFAULT_PERSON))
    opened = open_store(where)
    yield opened
    opened.close()


def _service(backend: str, path: Path, request: pytest.FixtureRequest,
             other: bool = False) -> Any:
    from besponsa_desktop.app.courses import CourseService

    if backend == "sqlite":
        return CourseService(db=path)
    return backends.WardService(_ward_location(request, other))


@pytest.fixture
def service(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The application services over the store (a ``WardService`` on the ward database:
    each person signs in as themselves)."""
    opened = _service(backend, tmp_path / "course.sqlite3", request)
    yield opened
    opened.close()


@pytest.fixture
def other(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A second database of the same backend (import/export between databases)."""
    opened = _service(backend, tmp_path / "other.sqlite3", request, other=True)
    yield opened
    opened.close()


FOREIGN = ("de_DE", "zh_CN")  # the locales whose dates were seen in the window


@pytest.fixture(scope="session")
def foreign_locales(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """German and Chinese C-library locales, built here with localedef (a test machine
    rarely has them installed): their names for ``locale.setlocale``."""
    if shutil.which("localedef") is None:
        pytest.skip("localedef is not installed")
    folder = tmp_path_factory.mktemp("locales")
    names = []
    for name in FOREIGN:
        made = subprocess.run(
            ["localedef", "-i", name, "-f", "UTF-8", str(folder / f"{name}.UTF-8")],
            capture_output=True, check=False,
        )
        if (folder / f"{name}.UTF-8").exists():
            names.append(f"{name}.UTF-8")
        elif made.returncode:
            pytest.skip(f"localedef could not build {name}")
    previous = os.environ.get("LOCPATH")
    os.environ["LOCPATH"] = str(folder)  # glibc reads it at each setlocale
    yield names
    if previous is None:
        os.environ.pop("LOCPATH", None)
    else:
        os.environ["LOCPATH"] = previous


@pytest.fixture(autouse=True)
def _private_settings_files(tmp_path_factory: pytest.TempPathFactory,
                            monkeypatch: pytest.MonkeyPatch) -> Path:
    base = tmp_path_factory.mktemp("settings")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "user"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(base / "system"))
    return base
