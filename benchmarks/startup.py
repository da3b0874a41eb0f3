"""Start-up benchmark: launch to painted window, besponsa-desktop against an empty PySide6
window started the same way (a fresh Python process each time, same platform plugin).

Also times the empty window with one text label in it, because the first text a Qt
window draws starts the font system (about 100 ms here), which the empty window never pays.

Runs alternate (empty, label, program, empty, ...) so that a busy machine slows both
alike; each time is measured from just before the process is launched to the moment its
"painted" line arrives on standard output. Prints the medians and their ratio; exits 1 if
the program takes more than --limit times the empty window (default 1.3).

    QT_QPA_PLATFORM=offscreen python benchmarks/startup.py -n 15
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def launch_ms(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = (time.perf_counter() - started) * 1000
    process.communicate(timeout=60)
    if "painted" not in line or process.returncode != 0:
        raise SystemExit(f"{command}: no painted line (exit {process.returncode}): {line!r}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=11, help="runs of each (default 11)")
    parser.add_argument("--limit", type=float, default=1.3, help="allowed ratio (1.3)")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory() as config:  # never the user's own settings
        env["XDG_CONFIG_HOME"] = config
        # An installed program runs from compiled bytecode (pip and PyInstaller compile
        # it); a development shell may forbid writing it, which would time the compiler.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(config) / "pycache")
        python = sys.executable
        empty_cmd = [python, str(ROOT / "benchmarks" / "empty_window.py")]
        label_cmd = [*empty_cmd, "--label"]
        app_cmd = [python, "-m", "besponsa_desktop", "--smoke"]
        commands = {"empty": empty_cmd, "label": label_cmd, "program": app_cmd}
        for command in commands.values():  # warm the file and bytecode caches
            launch_ms(command, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.n):
            for name, command in commands.items():
                times[name].append(launch_ms(command, env))
    median = {name: statistics.median(values) for name, values in times.items()}
    words = {
        "empty": "empty PySide6 window",
        "label": "same + one text label",
        "program": "besponsa-desktop --smoke",
    }
    for name, text in words.items():
        print(f"{text:26} median {median[name]:4.0f} ms (min {min(times[name]):.0f}, n={args.n})")
    ratio = median["program"] / median["empty"]
    print(f"ratio to the empty window {ratio:.2f} (limit {args.limit}); "
          f"to the window with one label {median['program'] / median['label']:.2f}")
    return 0 if ratio <= args.limit else 1


if __name__ == "__main__":
    sys.exit(main())
