"""A child for the crash test: saves plans (and double checks) through the application
layer in a loop and prints one line after each commit, until it is killed. Not a test
module.

    python saver_process.py DB INDEX MRN
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from besponsa_desktop.app.courses import CourseService  # noqa: E402
from besponsa_desktop.app.errors import ConflictError  # noqa: E402


def main() -> None:
    db, index, mrn = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    request = json.loads((ROOT / "examples" / "cycle1-day1-proceed.json").read_text())
    request["patient"] = dict(request["patient"], mrn=mrn)
    service = CourseService(db=db)
    plan = service.plan(request)
    print("ready", flush=True)
    count = 0
    while True:
        count += 1
        try:
            saved = service.save_plan(plan, by=f"saver {index} n{count}")
        except ConflictError:
            continue  # another process saved first: load again and retry
        print(f"plan {saved.version} {mrn} {index} {count}", flush=True)
        if count % 3 == 0:
            try:
                service.double_check(mrn, 1, 1, checked_by=f"checker {index} n{count}",
                                     height=165, weight=62)
            except ConflictError:
                continue
            print(f"check {mrn} {index} {count}", flush=True)


if __name__ == "__main__":
    main()
