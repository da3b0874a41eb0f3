"""kill -9 in the middle of saves and exports made through the command line, by several
processes at once on one database: afterwards the database is intact, every save that was
reported is there, the audit trail verifies, and an export file is either the previous one
or the new one, never half of one."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.faults.conftest import ROOT, run

SEED = 20261130
ROUNDS = 3
PROCESSES = 4  # kills = ROUNDS * PROCESSES
KILL_AFTER_S = (0.5, 2.5)
SAVER = Path(__file__).with_name("cli_saver.py")


def _read(stream, lines: list[str]) -> None:
    for line in stream:
        if line.endswith("\n"):  # a line cut by the kill was never reported
            lines.append(line.rstrip("\n"))


def _round(db: Path, folder: Path, rng: random.Random, number: int) -> list[list[str]]:
    procs, outputs, readers = [], [], []
    for index in range(PROCESSES):
        mrn = f"KILL{index}"
        proc = subprocess.Popen(
            [sys.executable, str(SAVER), str(db), mrn, str(folder / f"{mrn}.json")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
            env={**os.environ, "BESPONSA_LOG_DIR": str(folder / "logs")},
        )
        lines: list[str] = []
        reader = threading.Thread(target=_read, args=(proc.stdout, lines), daemon=True)
        reader.start()
        procs.append(proc)
        outputs.append(lines)
        readers.append(reader)
    try:
        deadline = time.monotonic() + 60
        while not all(lines and lines[0] == "ready" for lines in outputs):
            assert time.monotonic() < deadline, "the savers did not start"
            assert all(p.poll() is None for p in procs), procs[0].stderr.read()
            time.sleep(0.02)
        start = time.monotonic()
        for at, index in sorted((rng.uniform(*KILL_AFTER_S), i) for i in range(PROCESSES)):
            time.sleep(max(0.0, start + at - time.monotonic()))
            os.kill(procs[index].pid, signal.SIGKILL)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)
    for reader in readers:
        reader.join(timeout=10)
    assert [p.returncode for p in procs] == [-signal.SIGKILL] * PROCESSES, number
    for proc in procs:
        stderr = proc.stderr.read()
        assert "Traceback" not in stderr and "internal error" not in stderr, stderr
        proc.stderr.close()
        proc.stdout.close()
    return outputs


def test_kill_9_during_saves_and_exports_loses_nothing_reported(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    db = tmp_path / "kill.sqlite3"
    reported = {f"KILL{i}": 0 for i in range(PROCESSES)}
    kills = 0
    for number in range(ROUNDS):
        outputs = _round(db, tmp_path, rng, number)
        kills += PROCESSES
        for index, lines in enumerate(outputs):
            assert not [line for line in lines if line.startswith("failed")], lines
            reported[f"KILL{index}"] += sum(1 for line in lines if line.startswith("saved "))
        raw = sqlite3.connect(db)
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        raw.close()
        code, out, err = run("audit", "verify", "--db", str(db))
        assert code == 0, err
        for mrn, count in reported.items():
            if count == 0:
                continue
            code, out, err = run("history", mrn, "--db", str(db))
            assert code == 0, err
            stored = sum(len(c["plans"]) for c in json.loads(out)["cycles"])
            assert stored >= count, (mrn, stored, count)  # a kill after commit may add one
            export = tmp_path / f"{mrn}.json"
            if export.exists():  # whole: the previous export or the new one
                assert json.loads(export.read_text())["patient"]["mrn"] == mrn
                assert export.stat().st_mode & 0o777 == 0o600
    assert sum(reported.values()) >= PROCESSES, "too few saves to test anything"
    print(f"kill -9: {kills} kills survived, {sum(reported.values())} saves reported and found")
