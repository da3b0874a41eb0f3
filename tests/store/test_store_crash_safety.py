"""kill -9 in the middle of concurrent saves: afterwards the database is intact, every save
that reported success is there, and the audit chain verifies."""

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

from besponsa_desktop.store import audit, database
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
    database.connect(db).close()
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
    reported_doses = [
        line.split() for lines in outputs for line in lines if line.startswith("dose ")
    ]
    assert len(reported_plans) >= PROCESSES, "too few saves to test anything"
    print(f"{len(reported_plans)} plans, {len(reported_doses)} dose records reported")

    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    raw.close()

    conn = database.connect(db)
    for _, plan_id, mrn, index in reported_plans:
        row = conn.execute(
            "SELECT patients.mrn, plans.saved_by FROM plans JOIN cycles ON cycles.id = "
            "plans.cycle_id JOIN courses ON courses.id = cycles.course_id JOIN patients ON "
            "patients.id = courses.patient_id WHERE plans.id = ?",
            (int(plan_id),),
        ).fetchone()
        assert row is not None, f"reported plan {plan_id} is missing"
        assert tuple(row) == (mrn, f"saver {index}")
    reasons = {
        (e["signed_by"], e["after"]["reason"])
        for e in audit.entries(conn)
        if e["action"] == "dose.held"
    }
    for _, _, _, index, _, count in reported_doses:
        assert (f"saver {index}", f"round {count}") in reasons
    result = audit.verify(conn)
    assert result.intact, result.problem
    plans = conn.execute("SELECT COUNT(*) FROM plans").fetchone()[0]
    saves = sum(1 for e in audit.entries(conn) if e["action"] == "plan.save")
    assert plans == saves  # no plan without its audit entry, and no entry without its plan
    conn.close()
