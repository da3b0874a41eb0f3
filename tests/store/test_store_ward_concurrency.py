"""Many workstations on one ward database at once, and crashes: processes signed in as
different people save plans and record doses on the same and on different courses; some
are killed with kill -9 in the middle of a transaction and the server itself is stopped
with ``pg_ctl -m immediate`` and restarted. Nothing acknowledged is lost, the chain never
forks and verifies, and every event is signed by the person whose process wrote it."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from besponsa_desktop.store.repository import SqlCourseStore, open_store
from tests.pg_cluster import wait_until

WORKER = Path(__file__).with_name("ward_worker.py")


@dataclass
class Worker:
    person: str
    mrn: str
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def acks(self) -> list[tuple[str, int, str]]:
        found = []
        for line in list(self.lines):
            if line.startswith("ack "):
                _, mrn, version, kind = line.split()
                found.append((mrn, int(version), kind))
        return found

    def said(self, text: str) -> bool:
        return text in list(self.lines)


def _start(url: str, person: str, mrn: str, rounds: int, *extra: str) -> Worker:
    process = subprocess.Popen(
        [sys.executable, str(WORKER), url, mrn, str(rounds), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    worker = Worker(person, mrn, process)

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            worker.lines.append(line.strip())

    threading.Thread(target=read, daemon=True).start()
    return worker


@pytest.fixture
def fresh_database(ward) -> Iterator[str]:
    name = ward.new_database()
    yield name
    ward.drop_database(name)


def _reader(ward, dbname: str) -> SqlCourseStore:
    return open_store(ward.url(dbname, "reader"))


def _check_nothing_acknowledged_was_lost(store: SqlCourseStore,
                                         workers: list[Worker]) -> dict[str, int]:
    """Every acknowledged change is stored, at its version, signed by its worker's login;
    the chain over all of them verifies. Returns the number of events per course."""
    events: dict[str, dict[int, tuple[str, str | None]]] = {}
    for mrn in {w.mrn for w in workers}:
        loaded = store.load(mrn)
        if loaded is None:  # killed before any of its workers' first change was stored
            assert not any(w.acks() for w in workers if w.mrn == mrn)
            events[mrn] = {}
            continue
        assert [e.seq for e in loaded.events] == list(range(1, loaded.version + 1))
        events[mrn] = {e.seq: (e.kind, e.by) for e in loaded.events}
    for worker in workers:
        for mrn, version, kind in worker.acks():
            assert events[mrn].get(version) == (kind, worker.person), (worker.person, mrn,
                                                                       version)
    result = store.verify()
    assert result.intact, result.problem
    assert result.entries == sum(len(v) for v in events.values())
    return {mrn: len(v) for mrn, v in events.items()}


def test_five_workstations_save_and_record_at_once_without_losing_or_forking(
    ward, fresh_database
):
    plan = [("Ann Pharmacist", "W0000001"), ("Ben Nurse", "W0000001"),
            ("Nora Nurse", "W0000001"), ("Bob", "W0000002"), ("Ann", "W0000003")]
    rounds = 5
    workers = [_start(ward.url(fresh_database, person), person, mrn, rounds)
               for person, mrn in plan]
    try:
        for worker in workers:
            assert worker.process.wait(timeout=240) == 0, worker.lines[-5:]
        assert wait_until(lambda: all(w.said("done") for w in workers), timeout=10)
    finally:
        for worker in workers:
            worker.process.kill()
    store = _reader(ward, fresh_database)
    try:
        counts = _check_nothing_acknowledged_was_lost(store, workers)
    finally:
        store.close()
    # No crash: every committed change was acknowledged (a dose record the rules refused,
    # because another workstation had just recorded that dose, is not a change); every
    # plan of every round was saved.
    for mrn, count in counts.items():
        assert count == sum(len(w.acks()) for w in workers if w.mrn == mrn)
    for worker in workers:
        assert sum(1 for a in worker.acks() if a[2] == "plan_saved") == rounds


def test_killed_clients_and_a_crashed_server_lose_nothing_acknowledged(ward, fresh_database):
    url = ward.url
    workers = [
        _start(url(fresh_database, "Ann Pharmacist"), "Ann Pharmacist", "K0000001", 0),
        _start(url(fresh_database, "Ben Nurse"), "Ben Nurse", "K0000001", 0),
        _start(url(fresh_database, "Nora Nurse"), "Nora Nurse", "K0000002", 0),
        _start(url(fresh_database, "Bob"), "Bob", "K0000003", 0, "--hold-in-transaction"),
        _start(url(fresh_database, "Ann"), "Ann", "K0000001", 0),
    ]
    holder, victim, survivors = workers[3], workers[4], workers[:3]

    def total() -> int:
        return sum(len(w.acks()) for w in survivors)

    try:
        assert wait_until(lambda: total() >= 10, timeout=120), [w.lines[-3:] for w in workers]
        # kill -9 with a transaction open: its event row written, the chain's lock held
        waits = holder.lines.count("in-transaction")
        assert wait_until(lambda: holder.lines.count("in-transaction") > waits, timeout=60)
        holder.process.send_signal(signal.SIGKILL)
        victim.process.send_signal(signal.SIGKILL)  # wherever it is
        before = total()
        # the others go on: the dead session's lock and its transaction are gone
        assert wait_until(lambda: total() >= before + 6, timeout=60)
        # the server crashes while they write, and comes back
        ward.cluster.stop("immediate")
        time.sleep(0.5)
        ward.cluster.start()
        before = total()
        assert wait_until(lambda: total() >= before + 6, timeout=120), [
            w.lines[-3:] for w in survivors]
        assert any(w.said("server lost") for w in survivors)
    finally:
        for worker in workers:
            worker.process.kill()
            worker.process.wait(timeout=30)
    store = _reader(ward, fresh_database)
    try:
        _check_nothing_acknowledged_was_lost(store, workers)
        # killed after writing its event row and before committing: the row is gone, and
        # everything the holder committed before was acknowledged
        held = store.load("K0000003")
        # none at all when the killed transaction was the holder's first
        assert (0 if held is None else held.version) == len(holder.acks())
    finally:
        store.close()
