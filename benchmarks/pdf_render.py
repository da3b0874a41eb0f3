"""How long the nurses' printout takes to render, warm (fonts loaded, modules imported).

    python benchmarks/pdf_render.py [REQUEST.json] [--runs N]

Prints the cold first render, then the median and spread of N warm renders of one cycle,
and the median CPU time (steadier than wall time on a machine shared with other work).
The target is a median under 100 ms. Beside it, alternating run by run, a baseline: a
one-page reportlab document (a heading, a paragraph and a 4-row table in the same font), so
the ratio stays meaningful when the machine is slower or busier than usual.
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

    times, cpu, base = [], [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        baseline_pdf()
        base.append((time.perf_counter() - t0) * 1000)
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
    print(
        f"baseline one-page document: median {statistics.median(base):.1f} ms; "
        f"ratio {statistics.median(ms) / statistics.median(base):.1f}"
    )


def baseline_pdf() -> bytes:
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    from besponsa_desktop.printing import fonts

    fonts.body_fonts()
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        style.fontName = fonts.BODY
    out = io.BytesIO()
    rows = [["Day", "Date", "Dose"], ["Day 1", "Tue 1 Dec 2026", "1.35 mg"],
            ["Day 8", "Tue 8 Dec 2026", "0.84 mg"], ["Day 15", "Tue 15 Dec 2026", "0.84 mg"]]
    table = Table(rows)
    table.setStyle([("FONTNAME", (0, 0), (-1, -1), fonts.BODY)])
    SimpleDocTemplate(out, pagesize=A4).build(
        [Paragraph("Infusion calendar", styles["Heading1"]),
         Paragraph("Inotuzumab ozogamicin 0.8 mg/m² on Day 1.", styles["Normal"]), table]
    )
    return out.getvalue()


if __name__ == "__main__":
    main()
