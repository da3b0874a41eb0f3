"""How long the core takes to plan one cycle, beside a baseline run side by side: pydantic
validation of the same request alone (the floor any plan pays).

    .venv/bin/python benchmarks/plan_core.py [--rounds N]

Prints medians in microseconds and their ratio. Not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from besponsa_desktop.core.planner import make_plan  # noqa: E402
from besponsa_desktop.core.validation import parse_request  # noqa: E402


def median_us(fn, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    requests = {
        path.stem: json.loads(path.read_text())
        for path in sorted((ROOT / "examples").glob("*.json"))
    }
    for _ in range(200):  # warm up
        for data in requests.values():
            make_plan(data)
    print(f"{'example':48} {'validate':>10} {'plan':>10} {'ratio':>6}")
    for name, data in requests.items():
        # the baseline and the plan are measured one after the other on the same request
        base = median_us(lambda d=data: parse_request(d), args.rounds)
        full = median_us(lambda d=data: make_plan(d), args.rounds)
        print(f"{name:48} {base:8.0f}µs {full:8.0f}µs {full / base:6.2f}")


if __name__ == "__main__":
    main()
