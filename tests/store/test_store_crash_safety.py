"""kill -9 in the middle of concurrent saves through the application layer: afterwards the
database is intact, every save that reported success is there, and the chain verifies."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from besponsa_desktop.store.repository import open_store
from tests.store.store_helpers import ROOT

SEED = 20261123
PROCESSES = 6
KILL_WINDOW_S = (0.2, 3.0)
SAVER = Path(__file__).with_name("saver_process.py")


def _reader(stream, lines: list[str]) -> None:
    for line in stream:
        if line.endswith("\n"):  # a line cut by the kill was never reported as saved
            lines.append(line.rstrip("\n"))


def test_killed_concurrent_savers_lose_nothing_they_reported(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    db = tmp_path / "crash.sqlite3"
    open_store(db).close()
    # Two processes share each course, so saves also contend for the same rows.
    mrns = [f"CRASH{i % 3}" for i in range(PROCESSES)]
    procs, outputs, readers = [], [], []
    for index, mrn in enumerate(mrns):
        proc = subprocess.Popen(
            [sys.executable, str(SAVER), str(db), str(index), mrn],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "BESPONSA_LOG_DIR": str(tmp_path / "logs")},
        )
        lines: list[str] = []
        reader = threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True)
        reader.start()
        procs.append(proc)
        outputs.append(lines)
        readers.append(reader)
    try:
        deadline = time.monotonic() + 60
        while not all(lines and lines[0] == "ready" for lines in outputs):
            assert time.monotonic() < deadline, "savers did not start"
            assert all(p.poll() is None for p in procs), procs[0].stderr.read()
            time.sleep(0.02)
        start = time.monotonic()
        kills = sorted((rng.uniform(*KILL_WINDOW_S), i) for i in range(PROCESSES))
        for at, index in kills:
            time.sleep(max(0.0, start + at - time.monotonic()))
            os.kill(procs[index].pid, signal.SIGKILL)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)
    for reader in readers:
        reader.join(timeout=10)
    assert all(p.returncode == -signal.SIGKILL for p in procs), [p.returncode for p in procs]

    reported_plans = [
        line.split() for lines in outputs for line in lines if line.startswith("plan ")
    ]
    reported_checks = [
        line.split() for lines in outputs for line in lines if line.startswith("check ")
    ]
    assert len(reported_plans) >= PROCESSES // 2, "too few saves to test anything"
    print(f"{len(reported_plans)} plans, {len(reported_checks)} double checks reported")

    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    raw.close()

    store = open_store(db)
    stored = {}
    for mrn in {line[2] for line in reported_plans}:
        loaded = store.load(mrn)
        assert loaded is not None
        assert [e.seq for e in loaded.events] == list(range(1, loaded.version + 1))
        stored[mrn] = {(e.kind, e.by) for e in loaded.events}
    for _, _version, mrn, index, count in reported_plans:
        assert ("plan_saved", f"saver {index} n{count}") in stored[mrn]
    for _, mrn, index, count in reported_checks:
        assert ("double_checked", f"checker {index} n{count}") in stored[mrn]
    result = store.verify()
    assert result.intact, result.problem
    store.close()
