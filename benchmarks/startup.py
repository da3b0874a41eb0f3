"""Start-up benchmark: launch to a usable window, whole process, besponsa-desktop against
an empty PySide6 window started the same way (a fresh Python process each time, same
platform plugin).

"Usable" is what ``besponsa-desktop --smoke`` prints its line for: the window painted with
the dosing rules loaded, and a complete request typed into the form planned by them. The
verdict times each process from just before it is launched until that line reaches this
benchmark through the pipe (the empty window prints its own line just after its first
paint), so interpreter start-up, every import and the paint are in the figure; what the
process does after it has said so (closing, freeing memory) is not, as nobody waits for it
at start-up. Each process's time to exit, and to its first paint by its own clock, are
printed beside.

Two more yardsticks, timed the same way:
- the empty window with one text label: the first text a Qt window draws starts the font
  system (some 40 million instructions, 5–10 ms here), which the empty window never pays;
- the empty window that first imports pydantic and validates with one small model
  (``--pydantic``): the least any window whose rules are pydantic models can take. Its
  ratio to the empty window is the floor under the program's ratio.

Runs alternate (empty, label, pydantic, program, empty, ...) so that a busy machine slows
all alike. On a shared virtual machine one launch can take twice as long as the next, so
the verdict is the median, over the rounds, of the program's time divided by the empty
window's time in the same round; the medians and the fastest times are printed beside it.
Exits 1 if that ratio is over --limit (1.5).

``--instructions`` counts instead the instructions each process executes up to its line
(valgrind), which a busy machine does not change.

    QT_QPA_PLATFORM=offscreen python benchmarks/startup.py -n 21
    QT_QPA_PLATFORM=offscreen python benchmarks/startup.py --instructions
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def launch_ms(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(launch to its line, launch to exit, first paint by its own clock), in ms."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    usable = (time.perf_counter() - started) * 1000
    rest = process.stdout.read()
    code = process.wait(timeout=120)
    whole = (time.perf_counter() - started) * 1000
    found = re.search(r"painted (\d+) ms", line)
    if found is None or code != 0:
        raise SystemExit(f"{command}: no painted line (exit {code}): {line + rest!r}")
    return usable, whole, float(found.group(1))


def instructions(command: list[str], env: dict[str, str]) -> int:
    """Instructions executed from launch to the process's line (it is stopped there, so
    what it does after it has said so is not counted)."""
    process = subprocess.Popen(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         *command], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    process.send_signal(signal.SIGTERM)
    _, report = process.communicate(timeout=300)
    found = re.search(r"I\s+refs:\s+([\d,]+)", report)
    if "painted" not in line or found is None:
        raise SystemExit(f"{command}: no painted line or no count: {line!r}")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=21, help="runs of each (default 21)")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions to the first paint (valgrind) instead")
    parser.add_argument("--limit", type=float, default=1.5, help="allowed ratio (1.5)")
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
        app_cmd = [python, "-m", "besponsa_desktop", "--smoke"]
        commands = {"empty": empty_cmd, "label": [*empty_cmd, "--label"],
                    "pydantic": [*empty_cmd, "--pydantic"], "program": app_cmd}
        if args.instructions:
            # the program stopped at its first paint (no plan made), as the empty window stops
            commands["program"] = [python, str(ROOT / "benchmarks" / "first_paint.py")]
            return report_instructions(commands, env, args.limit)
        for command in commands.values():  # warm the file and bytecode caches
            launch_ms(command, env)
        usable: dict[str, list[float]] = {name: [] for name in commands}
        exits: dict[str, list[float]] = {name: [] for name in commands}
        paints: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.n):
            for name, command in commands.items():
                line, whole, paint = launch_ms(command, env)
                usable[name].append(line)
                exits[name].append(whole)
                paints[name].append(paint)
    words = {
        "empty": "empty PySide6 window",
        "label": "same + one text label",
        "pydantic": "same + pydantic, 1 model",
        "program": "besponsa-desktop --smoke",
    }
    print(f"{'':26} launch to usable (its line)   launch to exit    first paint (own clock)")
    for name, text in words.items():
        print(f"{text:26} median {statistics.median(usable[name]):4.0f} ms (min "
              f"{min(usable[name]):4.0f})   median {statistics.median(exits[name]):4.0f} ms"
              f"    median {statistics.median(paints[name]):4.0f} ms, n={args.n}")

    def paired(values: dict[str, list[float]], name: str, against: str = "empty") -> float:
        return statistics.median(
            p / e for p, e in zip(values[name], values[against], strict=True))

    ratio = paired(usable, "program")
    print(f"usable window / empty window, whole process, median over the rounds {ratio:.2f} "
          f"(limit {args.limit}); of the medians "
          f"{statistics.median(usable['program']) / statistics.median(usable['empty']):.2f}; "
          f"of the fastest {min(usable['program']) / min(usable['empty']):.2f}")
    print(f"  floor: the empty window with pydantic and one model {paired(usable, 'pydantic'):.2f}"
          f"; the program against it {paired(usable, 'program', 'pydantic'):.2f}")
    print(f"  against the window with one label {paired(usable, 'program', 'label'):.2f}; "
          f"launch to exit {paired(exits, 'program'):.2f}; "
          f"first paint against the empty window's {paired(paints, 'program'):.2f}")
    return 0 if ratio <= args.limit else 1


def report_instructions(commands: dict[str, list[str]], env: dict[str, str],
                        limit: float) -> int:
    for command in commands.values():  # compile the bytecode outside the count
        subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=120)
    counts = {name: instructions(command, env) for name, command in commands.items()}
    for name, count in counts.items():
        print(f"{name:8} {count / 1e6:6.0f} million instructions to its line")
    ratio = counts["program"] / counts["empty"]
    print(f"ratio to the empty window {ratio:.3f} (limit {limit}); "
          f"to the window with one label {counts['program'] / counts['label']:.3f}; "
          f"floor (pydantic, one model) {counts['pydantic'] / counts['empty']:.3f}")
    return 0 if ratio <= limit else 1


if __name__ == "__main__":
    sys.exit(main())
