"""Damaged, foreign, future, read-only and full: the database the program is pointed at is
either used safely or refused with a message, and never modified when refused."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from besponsa_desktop.store import tables
from tests.faults.conftest import EXAMPLE, MRN, run

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------ export --output


def test_export_output_writes_a_private_file(saved: Path, tmp_path: Path) -> None:
    target = tmp_path / "course.json"
    old = os.umask(0o022)
    try:
        code, out, err = run("export", MRN, "--output", str(target), "--db", str(saved))
    finally:
        os.umask(old)
    assert code == 0, err
    assert "{" not in out  # the course went to the file, not to the terminal
    assert target.stat().st_mode & 0o777 == 0o600
    assert json.loads(target.read_text())["patient"]["mrn"] == MRN
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".course.json")] == []


def test_export_output_replaces_a_file_whole_and_tightens_nothing_else(
    saved: Path, tmp_path: Path
) -> None:
    target = tmp_path / "course.json"
    target.write_text("old")
    target.chmod(0o644)
    code, _, err = run("export", MRN, "--output", str(target), "--db", str(saved))
    assert code == 0, err
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.read_text().startswith("{")


def test_export_output_to_a_missing_folder_exits_2(saved: Path, tmp_path: Path) -> None:
    code, _, err = run("export", MRN, "--output", str(tmp_path / "no" / "c.json"),
                       "--db", str(saved))
    assert code == 2
    assert "cannot write" in err


def test_an_export_read_back_by_import_makes_the_same_course(saved: Path, tmp_path: Path) -> None:
    target = tmp_path / "course.json"
    assert run("export", MRN, "--output", str(target), "--db", str(saved))[0] == 0
    other = tmp_path / "other.sqlite3"
    code, _, err = run("import", str(target), "--db", str(other))
    assert code == 0, err
    again = tmp_path / "again.json"
    assert run("export", MRN, "--output", str(again), "--db", str(other))[0] == 0
    first, second = json.loads(target.read_text()), json.loads(again.read_text())
    del first["source_chain_head"], second["source_chain_head"]  # each database its own
    assert first == second


# ------------------------------------------------------------------ --db that is not a file


@pytest.mark.parametrize(
    "url", ["sqlite:///tmp/x.db", "https://x/y", "mysql://db.example/besponsa"]
)
def test_a_database_url_the_program_does_not_support_is_refused_creating_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("plan", str(EXAMPLE), "--save", "--db", url)
    assert code == 2
    assert "not supported" in err
    assert out == ""
    assert list(tmp_path.iterdir()) == [tmp_path / "logs"] or list(tmp_path.iterdir()) == []
    code, _, err = run("history", MRN, "--db", url)
    assert code == 2 and "not supported" in err


# ------------------------------------------------------------------ foreign, corrupt, future


def _foreign(path: Path) -> None:
    other = sqlite3.connect(path)
    other.executescript("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);"
                        "INSERT INTO notes (text) VALUES ('shopping list');")
    other.close()


@pytest.mark.parametrize("command", ["plan", "history", "audit", "import"])
def test_another_programs_database_is_refused_and_never_modified(
    tmp_path: Path, command: str
) -> None:
    db = tmp_path / "other-program.sqlite3"
    _foreign(db)
    before = _digest(db)
    argv = {
        "plan": ["plan", str(EXAMPLE), "--save"],
        "history": ["history", MRN],
        "audit": ["audit", "verify"],
        "import": ["import", str(EXAMPLE)],
    }[command]
    code, _, err = run(*argv, "--db", str(db))
    assert code == 2, err
    if command != "import":  # import refuses the file before it opens the database
        assert "not a besponsa-desktop database" in err
    assert _digest(db) == before
    assert not Path(f"{db}-wal").exists()
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [r[0] for r in raw.execute("SELECT name FROM sqlite_master")] == ["notes"]
    raw.close()


def test_a_corrupt_database_is_refused_and_left_as_it_was(saved: Path) -> None:
    data = bytearray(saved.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page overwritten
    saved.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(f"{saved}{suffix}").unlink(missing_ok=True)
    before = _digest(saved)
    for argv in (["history", MRN], ["audit", "verify"], ["plan", str(EXAMPLE), "--save"]):
        code, _, err = run(*argv, "--db", str(saved))
        assert code == 2, (argv, err)
        assert "besponsa-desktop database" in err or "damaged" in err
        assert "Traceback" not in err
    assert _digest(saved) == before


def test_a_file_that_is_not_sqlite_at_all_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "notes.txt"
    db.write_text("these are my notes\n" * 100)
    before = _digest(db)
    code, _, err = run("plan", str(EXAMPLE), "--save", "--db", str(db))
    assert code == 2
    assert "not a besponsa-desktop database" in err
    assert _digest(db) == before


def test_a_database_from_a_newer_program_is_refused_and_never_modified(saved: Path) -> None:
    raw = sqlite3.connect(saved)
    raw.execute(f"PRAGMA user_version = {tables.SCHEMA_VERSION + 1}")
    raw.close()
    before = _digest(saved)
    for argv in (["history", MRN], ["audit", "verify"], ["plan", str(EXAMPLE), "--save"]):
        code, _, err = run(*argv, "--db", str(saved))
        assert code == 2, err
        assert "newer besponsa-desktop" in err
    assert _digest(saved) == before


# ------------------------------------------------------------------ read-only


def _unmount(folder: Path) -> None:
    """Unmount; a mount still busy (a file left open by the program) fails the test, and is
    detached anyway so that no mount outlives the test."""
    done = subprocess.run(["umount", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        raise AssertionError(f"a file was left open on {folder}: {done.stderr}")


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    """The folder made read-only the way a user meets it: a read-only mount when running
    as root (root ignores file modes), file modes otherwise."""
    if AS_ROOT:
        subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
            yield
        finally:
            _unmount(folder)
    else:
        files = list(folder.iterdir())
        for path in files:
            path.chmod(0o400)
        folder.chmod(0o500)
        try:
            yield
        finally:
            folder.chmod(0o700)
            for path in files:
                path.chmod(0o600)


@pytest.fixture
def read_only_db(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "course.sqlite3"
    code, _, err = run("plan", str(EXAMPLE), "--save", "--by", "Ann", "--db", str(db))
    assert code == 0, err
    assert not Path(f"{db}-wal").exists()  # closed cleanly: WAL checkpointed and removed
    with _read_only(folder):
        yield db


def test_a_read_only_database_can_be_read_exported_and_verified(
    read_only_db: Path, tmp_path: Path
) -> None:
    before = _digest(read_only_db)
    code, out, err = run("history", MRN, "--db", str(read_only_db))
    assert code == 0, err
    assert json.loads(out)["patient"]["mrn"] == MRN
    code, out, err = run("export", MRN, "--db", str(read_only_db))
    assert code == 0, err
    code, out, err = run("audit", "verify", "--db", str(read_only_db))
    assert code == 0, err
    assert "intact" in out
    code, out, err = run("next", MRN, "--db", str(read_only_db))
    assert code == 0, err
    assert _digest(read_only_db) == before


def test_a_save_to_a_read_only_database_says_so(read_only_db: Path) -> None:
    code, _, err = run("plan", str(EXAMPLE), "--save", "--db", str(read_only_db))
    assert code == 2
    assert "read-only" in err
    assert "internal error" not in err


# ------------------------------------------------------------------ a full disk


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if not AS_ROOT:
        pytest.skip("a full disk needs a small tmpfs, which only root can mount (CI is root)")
    folder = tmp_path / "small"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(folder)],
                   check=True)
    try:
        yield folder
    finally:
        _unmount(folder)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 4096)
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_says_so_and_loses_nothing(small_disk: Path) -> None:
    db = small_disk / "course.sqlite3"
    code, _, err = run("plan", str(EXAMPLE), "--save", "--by", "Ann", "--db", str(db))
    assert code == 0, err
    filler = _fill(small_disk)
    saves = 0
    for _ in range(40):  # until the disk is full
        code, _, err = run("plan", str(EXAMPLE), "--save", "--by", "Ann", "--db", str(db))
        if code != 0:
            break
        saves += 1
    assert code == 2, err
    assert "disk is full" in err
    assert "nothing was saved" in err
    assert "internal error" not in err
    filler.unlink()
    code, out, err = run("history", MRN, "--db", str(db))
    assert code == 0, err
    assert len(json.loads(out)["cycles"][0]["plans"]) == 1 + saves
    code, out, err = run("audit", "verify", "--db", str(db))
    assert code == 0, err
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()


def test_an_export_to_a_full_disk_says_so_and_leaves_no_file(
    saved: Path, small_disk: Path
) -> None:
    _fill(small_disk)
    code, _, err = run("export", MRN, "--output", str(small_disk / "c.json"),
                       "--db", str(saved))
    assert code == 2
    assert "disk is full" in err
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


def test_a_printout_to_a_full_disk_says_so(small_disk: Path, monkeypatch) -> None:
    _fill(small_disk)
    code, _, err = run("plan", str(EXAMPLE), "--pdf", str(small_disk / "s.pdf"))
    assert code == 2
    assert "disk is full" in err

