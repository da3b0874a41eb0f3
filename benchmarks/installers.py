"""Sizes of the installers and the start-up of the installed Linux bundle.

    python benchmarks/installers.py [--runs N]

Reads what `packaging/build.py deb` and `packaging/build.py windows` left in build/ and
dist/ (build them first). Reports the PyInstaller bundle, the .deb, the Windows payload and
the MSI, then times `besponsa-desktop --smoke` (offscreen) from the installed package next
to the development run `python -m besponsa_desktop --smoke`: the median of N runs each.
If the .deb is not installed and this is root on Debian, it is installed for the
measurement and removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))

from build_common import NAME, version  # noqa: E402

MIB = 1024 * 1024


def tree_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def size_line(label: str, path: Path) -> str:
    if not path.exists():
        return f"{label:<34} (not built: {path.relative_to(ROOT)})"
    size = tree_bytes(path) if path.is_dir() else path.stat().st_size
    return f"{label:<34} {size / MIB:8.1f} MiB  {path.relative_to(ROOT)}"


def median_ms(cmd: list[str], runs: int, env: dict[str, str]) -> tuple[float, str]:
    times, line = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
        times.append((time.perf_counter() - start) * 1000)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr[-500:]}")
        line = (done.stdout.strip().splitlines() or [""])[-1]
    return statistics.median(times), line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ver = version()
    print(f"besponsa-desktop {ver}")
    print(size_line("Linux bundle (PyInstaller)", ROOT / "build/deb/pyinstaller/dist" / NAME))
    print(size_line(".deb", ROOT / "dist" / f"{NAME}_{ver}_amd64.deb"))
    print(size_line("Windows payload", ROOT / "build/windows/payload"))
    print(size_line("MSI", ROOT / "dist" / f"{NAME}-{ver}-x64.msi"))

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    dev_ms, dev_line = median_ms(
        [sys.executable, "-m", "besponsa_desktop", "--smoke"], args.runs, env
    )
    print(f"{'--smoke, development run':<34} {dev_ms:8.0f} ms median of {args.runs}")

    deb = ROOT / "dist" / f"{NAME}_{ver}_amd64.deb"
    installed_here = False
    if not Path(f"/opt/{NAME}/{NAME}").exists():
        if not (deb.exists() and shutil.which("dpkg") and os.geteuid() == 0):
            print(f"{'--smoke, installed bundle':<34} (not installed; build the .deb as root)")
            return 0
        subprocess.run(["dpkg", "-i", str(deb)], check=True, capture_output=True)
        installed_here = True
    try:
        inst_ms, _ = median_ms([f"/usr/bin/{NAME}", "--smoke"], args.runs, env)
        print(f"{'--smoke, installed bundle':<34} {inst_ms:8.0f} ms median of {args.runs}")
        print(f"{'installed /opt/' + NAME:<34} {tree_bytes(Path('/opt') / NAME) / MIB:8.1f} MiB")
    finally:
        if installed_here:
            subprocess.run(["dpkg", "-r", NAME], check=True, capture_output=True)
    print(f"(--smoke printed: {dev_line!r})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
