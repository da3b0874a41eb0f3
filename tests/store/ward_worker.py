"""A workstation for the concurrency and crash tests: signed in to the ward database as one
person, it saves plans and records doses on one course, and prints one line after each
change the database acknowledged (committed). Not a test module.

    python ward_worker.py URL MRN ROUNDS [--hold-in-transaction]

Each round saves a new revision of the cycle 1 Day 1 plan, then records Day 8 as held, or
voids that record when one is live (the rules allow no second live record). A change
based on a version another workstation overtook is a conflict: reloaded and tried again.
A lost server is waited for. ROUNDS 0: until killed.

``--hold-in-transaction``: after writing each event row, and before committing, print
``in-transaction`` and wait a moment, so the test can kill the process with the
transaction open (the row written, the chain's lock held).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from besponsa_desktop.app.courses import CourseService  # noqa: E402
from besponsa_desktop.app.errors import ConflictError, Refused, StoreError  # noqa: E402
from tests.store.store_helpers import cycle1_request, plan_for  # noqa: E402


def say(line: str) -> None:
    print(line, flush=True)


def hold_each_row() -> None:
    from besponsa_desktop.store import repository

    append_row = repository.append_row

    def slow(*args: Any, **kwargs: Any) -> None:
        append_row(*args, **kwargs)
        say("in-transaction")
        time.sleep(0.3)

    repository.append_row = slow  # type: ignore[assignment]


def live_day8_entry(service: CourseService, mrn: str) -> int | None:
    loaded = service.require(mrn)
    cycle = loaded.course.cycle(1)
    if cycle is None:
        return None
    live = [e for e in cycle.entries if e.day == 8 and e.live]
    return live[-1].number if live else None


def attempt(work: Any) -> Any:
    """Run a change until the database takes it: a conflict is retried at once (another
    workstation saved first), a lost server after a pause."""
    while True:
        try:
            return work()
        except ConflictError:
            continue
        except Refused as refused:
            return refused  # the rules said no (another workstation changed the dose)
        except StoreError as error:
            if "cannot reach" in str(error) or "could not be used" in str(error):
                say("server lost")
                time.sleep(0.2)
                continue
            raise


def main() -> None:
    url, mrn, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if "--hold-in-transaction" in sys.argv:
        hold_each_row()
    request = cycle1_request()
    request["patient"] = dict(request["patient"], mrn=mrn)
    plan = plan_for(request)
    service = CourseService(db=url)
    say("ready")
    done = 0
    while rounds == 0 or done < rounds:
        saved = attempt(lambda: service.save_plan(plan))
        if not isinstance(saved, Refused):
            say(f"ack {mrn} {saved.version} plan_saved")

        def dose(done: int = done) -> Any:
            entry = live_day8_entry(service, mrn)
            if entry is None:
                return service.record_dose(mrn, 1, 8, "held", by=None,  # type: ignore[arg-type]
                                           reason=f"round {done}"), "dose_held"
            return service.void_record(mrn, 1, 8, entry, by=None,  # type: ignore[arg-type]
                                       reason="entered twice"), "record_voided"

        result = attempt(dose)
        if not isinstance(result, Refused):
            recorded, kind = result
            say(f"ack {mrn} {recorded.version} {kind}")
        done += 1
    service.close()
    say("done")


if __name__ == "__main__":
    main()
