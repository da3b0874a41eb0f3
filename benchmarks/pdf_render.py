"""How long the nurses' printout takes to render, warm (fonts loaded, modules imported).

    python benchmarks/pdf_render.py [REQUEST.json] [--runs N]

Prints the cold first render, then the median and spread of N warm renders of one cycle,
and the median CPU time (steadier than wall time on a machine shared with other work).
The target is a median under 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from besponsa_desktop.core.planner import make_plan  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "request", nargs="?", default=str(ROOT / "examples" / "cycle1-day1-proceed.json")
    )
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    plan = make_plan(Path(args.request).read_text(encoding="utf-8"))

    started = time.perf_counter()
    from besponsa_desktop.printing.document import render_pdf
    from besponsa_desktop.printing.options import PrintOptions

    options = PrintOptions(
        hospital_name="St Mary General Hospital", printed_at=datetime(2026, 11, 23, 8, 34)
    )
    data = render_pdf(plan, options)
    cold = time.perf_counter() - started

    times, cpu = [], []
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        render_pdf(plan, options)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    ms = [t * 1000 for t in times]
    print(f"pages: {data.count(b'/Type /Page') - data.count(b'/Type /Pages')}, bytes: {len(data)}")
    print(f"cold (import reportlab, load fonts, first render): {cold * 1000:.0f} ms")
    print(
        f"warm median of {args.runs}: {statistics.median(ms):.1f} ms "
        f"(min {min(ms):.1f}, max {max(ms):.1f}); "
        f"CPU time median {statistics.median(cpu) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
