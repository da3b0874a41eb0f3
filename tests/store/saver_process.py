"""A child for the crash test: saves plans (and dose records) in a loop and prints one line
after each commit, until it is killed. Not a test module.

    python saver_process.py DB INDEX MRN
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from besponsa_desktop.core.planner import make_plan  # noqa: E402
from besponsa_desktop.store import courses, database  # noqa: E402


def main() -> None:
    db, index, mrn = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    request = json.loads((ROOT / "examples" / "cycle1-day1-proceed.json").read_text())
    request["patient"] = dict(request["patient"], mrn=mrn)
    plan = make_plan(request)
    conn = database.connect(db)
    print("ready", flush=True)
    count = 0
    while True:
        saved = courses.save_plan(conn, plan, signed_by=f"saver {index}")
        print(f"plan {saved.plan_id} {mrn} {index}", flush=True)
        count += 1
        if count % 3 == 0:
            version = courses.record_dose(
                conn, mrn, 1, 8, "held", by=f"saver {index}", reason=f"round {count}"
            )
            print(f"dose {version} {mrn} {index} round {count}", flush=True)


if __name__ == "__main__":
    main()
