"""A second process for the notification test: watches the ward database and prints each
course id it hears about, until it has heard ``COUNT`` or ``TIMEOUT`` seconds pass. Not a
test module.

    python listener_process.py URL COUNT TIMEOUT
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from besponsa_desktop.store import changes  # noqa: E402


def main() -> None:
    url, count, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    engine = sa.create_engine(url)
    watcher = changes.watch(engine)
    print("listening", flush=True)
    heard: list[int] = []
    deadline = time.monotonic() + timeout
    while len(heard) < count and time.monotonic() < deadline:
        found = watcher.poll()
        for course in sorted(found.courses):
            heard.append(course)
            print(f"course {course}", flush=True)
        if found.everything:
            print("everything", flush=True)
        time.sleep(0.05)
    watcher.close()


if __name__ == "__main__":
    main()
