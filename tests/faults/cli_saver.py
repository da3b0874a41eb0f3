"""A child for the kill -9 test: runs the command line in a loop (plan --save for its own
patient, then export --output), printing one line after each command that reported
success, until it is killed. Not a test module.

    python cli_saver.py DB MRN EXPORT_FILE
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from besponsa_desktop import cli  # noqa: E402


def main() -> None:
    db, mrn, export = sys.argv[1], sys.argv[2], sys.argv[3]
    request = json.loads((ROOT / "examples" / "cycle1-day1-proceed.json").read_text())
    request["patient"] = dict(request["patient"], mrn=mrn)
    text = json.dumps(request)
    # Load the rules, the store and the printout code before saying ready, so that the
    # kills fall during saves, not during start-up.
    sys.stdin = io.StringIO(text)
    cli.main(["plan", "-"], io.StringIO(), sys.stderr)
    import besponsa_desktop.app.courses
    import besponsa_desktop.store.repository  # noqa: F401

    print("ready", flush=True)
    count = 0
    while True:
        sys.stdin = io.StringIO(text)
        code = cli.main(["plan", "-", "--save", "--by", "Saver", "--db", db],
                        io.StringIO(), sys.stderr)
        if code != 0:
            print(f"failed {code}", flush=True)
            continue
        count += 1
        print(f"saved {count}", flush=True)
        code = cli.main(["export", mrn, "--output", export, "--db", db], io.StringIO(),
                        sys.stderr)
        if code == 0:
            print(f"exported {count}", flush=True)


if __name__ == "__main__":
    main()
