"""The printout's pages as PNGs for the docs: the worked example (proceed), with an example
premedication order set, a prescriber, the pharmacist and a double check, rendered by
pdftoppm at 70 dpi (as a reviewer reads them).

    python scripts/screenshot-printout.py [OUTPUT_DIR]     (default: docs/screenshots)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from besponsa_desktop.core.planner import make_plan  # noqa: E402
from besponsa_desktop.core.premedication import parse_premedications  # noqa: E402
from besponsa_desktop.printing.document import render_pdf  # noqa: E402
from besponsa_desktop.printing.options import DoubleCheck, PrintOptions  # noqa: E402

ORDER_SET = """methylprednisolone; 100 mg; intravenous; 60
paracetamol; 1,000 mg; oral; 60
diphenhydramine; 50 mg; intravenous; 30"""


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    request = json.loads((ROOT / "scripts/screenshot-states/proceed.json").read_text())
    plan = make_plan(request)
    options = PrintOptions(
        hospital_name="St Mary General Hospital",
        printed_at=datetime(2026, 11, 30, 9, 40).astimezone(),
        pharmacist="Ann Pharmacist",
        premedications=parse_premedications(ORDER_SET),
        double_check=DoubleCheck("Ben Nurse", datetime(2026, 11, 30, 9, 15).astimezone()),
    )
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "sheet.pdf"
        pdf.write_bytes(render_pdf(plan, options))
        for page, name in ((1, "printout-page1-proceed"), (2, "printout-dose-day1")):
            subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", "-f", str(page),
                            "-l", str(page), str(pdf), str(out / name)], check=True)
            print(out / f"{name}.png")


if __name__ == "__main__":
    main()
