"""The course store on PostgreSQL (a ward database) beside SQLite (a workstation's file),
measured side by side on this machine:

1. latency of one save (a plan revision) and one dose record (held, or its correction),
   through the application services (load, replay through the core, append), and of the
   store's append alone (the database's part);
2. 20 concurrent clients (processes, as 20 workstations), each saving plans and recording
   doses on its own course: throughput and latency percentiles.

    .venv/bin/python benchmarks/store_backends.py [--rounds N] [--clients N] [--ops N]

PostgreSQL runs here in a throwaway cluster (tests/pg_cluster.py: Unix socket, with fsync
and full-page writes on, as a server runs); SQLite writes with synchronous=FULL as the
program does: both wait for the disk at every commit. A ward's
server is across a network: add its round trip (about 0.2–1 ms on a hospital LAN) to each
of the several statements of a PostgreSQL save. Not a test: figures depend on the machine.
Prints medians and the ratio PostgreSQL / SQLite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PERSON = "Ann Pharmacist"


def _plan(mrn: str) -> Any:
    from tests.store.store_helpers import cycle1_request, plan_for

    request = cycle1_request()
    request["patient"] = dict(request["patient"], mrn=mrn)
    return plan_for(request)


def _dose(service: Any, mrn: str) -> None:
    """Day 8 held, or its correction when a held record is live: a dose record either way."""
    cycle = service.require(mrn).course.cycle(1)
    live = [e for e in cycle.entries if e.day == 8 and e.live]
    if live:
        service.void_record(mrn, 1, 8, live[-1].number, by=PERSON, reason="entered twice")
    else:
        service.record_dose(mrn, 1, 8, "held", by=PERSON, reason="platelets low")


def _ms(work: Any) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def latencies(dbs: dict[str, str], rounds: int, courses: int = 10
              ) -> dict[str, dict[str, list[float]]]:
    """For each database: saves and dose records spread over ``courses`` courses (each
    seeded with a plan, so every measured change is on a course of a few dozen events at
    most), then the store's append alone. The databases take turns, round by round, so
    that both see the same load of the machine."""
    from besponsa_desktop.app.courses import CourseService
    from besponsa_desktop.store.repository import open_store

    services = {name: CourseService(db=db) for name, db in dbs.items()}
    plans = {f"B{n:07d}": _plan(f"B{n:07d}") for n in range(courses)}
    for service in services.values():
        for plan in plans.values():
            service.save_plan(plan, by=PERSON)
    found = {name: {"save": [], "dose record": [], "store append": []} for name in dbs}
    mrns = list(plans)
    for n in range(rounds):
        mrn = mrns[n % courses]
        for name, service in services.items():
            found[name]["save"].append(
                _ms(lambda s=service, m=mrn: s.save_plan(plans[m], by=PERSON)))
            found[name]["dose record"].append(_ms(lambda s=service, m=mrn: _dose(s, m)))
    for service in services.values():
        service.close()
    stores = {name: open_store(db) for name, db in dbs.items()}
    patient = {"mrn": "A0000001", "name": "Bench Patient", "date_of_birth": "1970-01-01",
               "sex": "female"}
    for version in range(rounds):
        event = {"kind": "note", "by": PERSON, "at": "2026-12-01T10:00:00Z", "n": version}
        for name, store in stores.items():
            found[name]["store append"].append(
                _ms(lambda s=store, v=version, e=event: s.append(patient, v, [e])))
    for store in stores.values():
        store.close()
    return found


# ---------------------------------------------------------------- concurrent clients


def client(db: str, mrn: str, ops: int, go: str) -> None:
    """One of the concurrent clients: waits for ``go`` to exist, then alternates saves and
    dose records on its own course; prints its latencies (ms) as JSON."""
    from besponsa_desktop.app.courses import CourseService

    service = CourseService(db=db)
    plan = _plan(mrn)
    service.save_plan(plan, by=PERSON)
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.01)
    found = []
    started = time.perf_counter()
    for n in range(ops):
        if n % 2 == 0:
            found.append(_ms(lambda: service.save_plan(plan, by=PERSON)))
        else:
            found.append(_ms(lambda: _dose(service, mrn)))
    elapsed = time.perf_counter() - started
    service.close()
    print(json.dumps({"latencies": found, "elapsed": elapsed}), flush=True)


def concurrent(db: str, clients: int, ops: int) -> dict[str, float]:
    go = Path(tempfile.mkdtemp()) / "go"
    processes = [
        subprocess.Popen([sys.executable, __file__, "--client", db, f"C{n:07d}", str(ops),
                          str(go)], stdout=subprocess.PIPE, text=True)
        for n in range(clients)
    ]
    for process in processes:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    go.touch()
    results = []
    for process in processes:
        out, _ = process.communicate(timeout=600)
        results.append(json.loads(out))
    wall = time.perf_counter() - started
    every = sorted(x for r in results for x in r["latencies"])
    return {
        "changes": len(every),
        "wall_s": wall,
        "per_s": len(every) / wall,
        "p50_ms": statistics.median(every),
        "p95_ms": every[int(0.95 * (len(every) - 1))],
    }


# ---------------------------------------------------------------- the run


def _ward() -> tuple[Any, str]:
    from tests.pg_cluster import Cluster
    from tests.pg_ward import set_up_ward

    cluster = Cluster(durable=True).init().start()  # fsync on: SQLite's FULL has it too
    ward = set_up_ward(cluster)
    return cluster, ward.url(ward.new_database(), PERSON)


def main() -> None:
    if "--client" in sys.argv:
        index = sys.argv.index("--client")
        db, mrn, ops, go = sys.argv[index + 1:index + 5]
        client(db, mrn, int(ops), go)
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--ops", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("BESPONSA_LOG_DIR", tempfile.mkdtemp())
    cluster, url = _ward()
    try:
        folder = Path(tempfile.mkdtemp())
        sqlite = str(folder / "bench.sqlite3")
        print(f"latency, median of {args.rounds} (ms)")
        print(f"{'':24} {'SQLite':>9} {'PostgreSQL':>11} {'ratio':>7}")
        found = latencies({"sqlite": sqlite, "postgresql": url}, args.rounds)
        for name in found["sqlite"]:
            a = statistics.median(found["sqlite"][name])
            b = statistics.median(found["postgresql"][name])
            print(f"{name:24} {a:9.2f} {b:11.2f} {b / a:7.2f}")
        print(f"\n{args.clients} concurrent clients, {args.ops} changes each "
              "(saves and dose records, each client on its own course)")
        print(f"{'':24} {'SQLite':>9} {'PostgreSQL':>11} {'ratio':>7}")
        many_lite = concurrent(str(folder / "many.sqlite3"), args.clients, args.ops)
        many_post = concurrent(url, args.clients, args.ops)
        for name, label in (("per_s", "changes per second"), ("p50_ms", "latency p50 (ms)"),
                            ("p95_ms", "latency p95 (ms)"), ("wall_s", "wall time (s)")):
            a, b = many_lite[name], many_post[name]
            print(f"{label:24} {a:9.2f} {b:11.2f} {b / a:7.2f}")
    finally:
        cluster.destroy()


if __name__ == "__main__":
    main()
