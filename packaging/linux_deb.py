"""The Linux package: a trimmed PyInstaller one-folder bundle in /opt/besponsa-desktop,
`besponsa-desktop` on the PATH, a menu entry and an icon, wrapped by dpkg-deb."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from build_common import NAME, ROOT, fresh_dir, need_tool, normalize_tree, run, tree_size, version

INSTALL_DIR = f"/opt/{NAME}"
SPEC = ROOT / "packaging" / f"{NAME}.spec"
# Set it to the real contact of whoever ships the package.
MAINTAINER = os.environ.get(
    "DEB_MAINTAINER", "besponsa-desktop maintainers <besponsa-desktop@invalid>"
)

DESKTOP_ENTRY = """\
[Desktop Entry]
Type=Application
Name=BESPONSA planner
GenericName=Inotuzumab ozogamicin treatment planner
Comment=Dosing, dose modifications and nursing printouts for inotuzumab ozogamicin (BESPONSA)
Exec=besponsa-desktop
Icon=besponsa-desktop
Terminal=false
Categories=Science;MedicalSoftware;
"""


def build_bundle(work: Path) -> Path:
    """The PyInstaller one-folder bundle (build/deb/pyinstaller/dist/besponsa-desktop)."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            work / "dist",
            "--workpath",
            work / "build",
            SPEC,
        ],
        env=env,
        cwd=ROOT,
    )
    return work / "dist" / NAME


def _elf_files(root: Path) -> list[Path]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def _needed(path: Path) -> list[str]:
    out = subprocess.run(
        ["readelf", "-d", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def _system_libraries() -> dict[str, str]:
    """Library name -> path of the 64-bit libraries the dynamic loader knows."""
    out = subprocess.run(
        ["/sbin/ldconfig", "-p"], capture_output=True, text=True, check=True
    ).stdout
    found: dict[str, str] = {}
    for match in re.finditer(r"^\s*(\S+) \(([^)]*)\) => (\S+)$", out, re.MULTILINE):
        name, flags, path = match.groups()
        if "x86-64" in flags:
            found.setdefault(name, path)
    return found


def _owners(paths: list[str]) -> dict[str, str]:
    """Path -> Debian package, in one dpkg query (usrmerge: dpkg may know a library under
    /lib or /usr/lib, so both spellings are asked)."""
    spellings: dict[str, str] = {}
    for path in paths:
        for c in {path, os.path.realpath(path)}:
            spellings[c] = path
            if c.startswith("/usr/lib/"):
                spellings[c[len("/usr") :]] = path
            elif c.startswith("/lib/"):
                spellings["/usr" + c] = path
    out = subprocess.run(["dpkg", "-S", *sorted(spellings)], capture_output=True, text=True).stdout
    owners: dict[str, str] = {}
    for line in out.splitlines():
        packages, _, found = line.partition(": ")
        if found in spellings:
            owners.setdefault(spellings[found], packages.split(",")[0].split(":")[0].strip())
    return owners


def debian_depends(bundle: Path) -> list[str]:
    """The Debian packages holding every library the bundle links to but does not carry
    (X11/xcb, GL, fontconfig, cups, glib...): the bundle's Depends line."""
    inside = {p.name for p in bundle.rglob("*")}
    wanted: dict[str, str] = {}  # library -> one file needing it
    for elf in _elf_files(bundle):
        for lib in _needed(elf):
            if lib not in inside:
                wanted.setdefault(lib, str(elf.relative_to(bundle)))
    system = _system_libraries()
    owners = _owners(sorted({system[lib] for lib in wanted if lib in system}))
    missing = [
        f"{lib} (needed by {user})"
        for lib, user in sorted(wanted.items())
        if system.get(lib) not in owners
    ]
    if missing:
        raise SystemExit(
            "No Debian package provides these libraries; install them and build again:\n  "
            + "\n  ".join(missing)
        )
    return sorted({owners[system[lib]] for lib in wanted})


def stage(bundle: Path, root: Path, depends: list[str]) -> None:
    ver = version()
    opt = root / INSTALL_DIR.lstrip("/")
    shutil.copytree(bundle, opt, symlinks=True)
    (root / "usr/bin").mkdir(parents=True)
    (root / "usr/bin" / NAME).symlink_to(f"{INSTALL_DIR}/{NAME}")
    apps = root / "usr/share/applications"
    apps.mkdir(parents=True)
    (apps / f"{NAME}.desktop").write_text(DESKTOP_ENTRY, encoding="utf-8")
    icons = ROOT / "resources" / "icons"
    for source, target in [
        (icons / f"{NAME}.svg", "usr/share/icons/hicolor/scalable/apps"),
        (icons / f"{NAME}.png", "usr/share/icons/hicolor/256x256/apps"),
    ]:
        (root / target).mkdir(parents=True)
        shutil.copyfile(source, root / target / source.name)
    debian = root / "DEBIAN"
    debian.mkdir()
    installed_kib = (tree_size(root) + 1023) // 1024
    (debian / "control").write_text(
        f"""\
Package: {NAME}
Version: {ver}
Architecture: amd64
Maintainer: {MAINTAINER}
Installed-Size: {installed_kib}
Depends: {", ".join(depends)}
Section: science
Priority: optional
Description: treatment planning for inotuzumab ozogamicin (BESPONSA)
 Applies the dosing and dose-modification rules of the product label to a patient's
 height, weight, response and labs, shows the decision with its reasons, and prints the
 infusion calendar, preparation sheet and premedication checklist.
 .
 The program and its Python runtime live in {INSTALL_DIR}.
""",
        encoding="utf-8",
    )


def build_deb(dist: Path, work: Path, epoch: int, fast: bool = False) -> Path:
    need_tool("dpkg-deb", "dpkg")
    need_tool("readelf", "binutils")
    need_tool("strip", "binutils")
    work.mkdir(parents=True, exist_ok=True)
    bundle = build_bundle(work / "pyinstaller")
    depends = debian_depends(bundle)
    root = fresh_dir(work / "root")
    stage(bundle, root, depends)
    normalize_tree(root, epoch)
    out = dist / f"{NAME}_{version()}_amd64.deb"
    run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "-z1" if fast else "-z6", "--build", root, out],
        env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)},
        stdout=subprocess.DEVNULL,
    )
    return out
