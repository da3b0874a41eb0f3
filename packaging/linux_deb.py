"""The Linux package: a trimmed PyInstaller one-folder bundle in /opt/besponsa-desktop,
`besponsa-desktop` on the PATH, a menu entry and an icon, wrapped by dpkg-deb."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from build_common import (
    NAME,
    PUBLISHER,
    ROOT,
    fresh_dir,
    need_module,
    need_tool,
    normalize_tree,
    run,
    tree_size,
    version,
)

INSTALL_DIR = f"/opt/{NAME}"
SPEC = ROOT / "packaging" / f"{NAME}.spec"
# Set it to the real contact of whoever ships the package.
MAINTAINER = os.environ.get("DEB_MAINTAINER", f"{PUBLISHER} <besponsa-desktop@invalid>")

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
    (X11/xcb, GL, fontconfig, cups, glib...): the bundle's Depends line. Fails, naming
    them, when a library is in no Debian package."""
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


def shlibdeps(root: Path) -> str:
    """The Depends line as Debian's own tool writes it: dpkg-shlibdeps reads every ELF
    file of the staged tree and gives each system library's package with the minimum
    version its symbols need (libc6 (>= 2.34), ...). Libraries inside the tree are the
    package's own. ``root`` must be debian/<package> under the folder it runs in."""
    need_tool("dpkg-shlibdeps", "dpkg-dev")
    elves = _elf_files(root)
    dirs = sorted({str(e.parent) for e in elves})
    out = subprocess.run(
        ["dpkg-shlibdeps", "-O", "--warnings=0", f"-T{os.devnull}",
         *[f"-l{d}" for d in dirs], *[str(e) for e in elves]],
        cwd=root.parent.parent, capture_output=True, text=True,
    )
    if out.returncode != 0:
        raise SystemExit(f"dpkg-shlibdeps failed:\n{out.stderr[-3000:]}")
    match = re.search(r"^shlibs:Depends=(.*)$", out.stdout, re.MULTILINE)
    if not match:
        raise SystemExit(f"dpkg-shlibdeps gave no Depends:\n{out.stdout[-2000:]}")
    return match.group(1).strip()


def bundled_components(bundle: Path) -> list:
    """What the bundle holds, for the copyright file: the interpreter, the runtime
    distributions (as pinned), PyInstaller's bootloader, the program and its fonts."""
    import sysconfig

    from licenses import distributions, program_and_fonts, python_component

    runtime = set(re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==",
                             (ROOT / "requirements" / "runtime.txt").read_text(), re.MULTILINE))
    keep = {_norm(n) for n in runtime} | {"pyinstaller"}
    site = Path(sysconfig.get_paths()["purelib"])
    prefix = f"{INSTALL_DIR.lstrip('/')}/_internal/"
    components = [
        python_component(Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt",
                         sys.version.split()[0], f"{prefix}libpython*, {prefix}base_library.zip, "
                         f"{prefix}python3.11/lib-dynload/*"),
        *[c for c in distributions(site, prefix) if _norm(c.name) in keep],
        *program_and_fonts(prefix),
    ]
    for c in components:
        if _norm(c.name) == "pyinstaller":  # only its bootloader is in the package
            c.where = f"{INSTALL_DIR.lstrip('/')}/{NAME}"
    return components


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def stage(bundle: Path, root: Path) -> None:
    """The package's files (DEBIAN/control is written by ``control``)."""
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
    doc = root / "usr/share/doc" / NAME
    doc.mkdir(parents=True)
    from licenses import debian_copyright

    (doc / "copyright").write_text(debian_copyright(bundled_components(bundle)), encoding="utf-8")


def control(root: Path, depends: str) -> None:
    ver = version()
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
Depends: {depends}
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


def _build_prefixes() -> list[str]:
    """Folders of the build machine that a bundled binary may name: the checkout, the
    build's virtualenv, and the interpreter's own prefix unless it is Debian's /usr."""
    found = {str(ROOT), sys.prefix}
    if not sys.base_prefix.startswith("/usr"):
        found.add(sys.base_prefix)  # a pyenv or self-built interpreter
    return sorted(found, key=len, reverse=True)


def scrub_build_paths(root: Path) -> None:
    """A pyenv (or any self-built) Python links its libpython and extension modules with a
    RUNPATH into its own prefix and compiles that prefix into libpython. In the bundle
    neither is used (the bootloader loads libpython and sets sys.path from /opt), so the
    RUNPATH entries outside the bundle are dropped and the prefix strings read /usr, as
    Debian's own python3.11 has them."""
    need_tool("patchelf", "patchelf")
    prefixes = [p.encode() for p in _build_prefixes()]
    for elf in _elf_files(root):
        dynamic = subprocess.run(["readelf", "-d", str(elf)], capture_output=True,
                                 text=True).stdout
        match = re.search(r"\((?:RUNPATH|RPATH)\)\s+Library \w+: \[([^\]]*)\]", dynamic)
        if match:
            kept = [d for d in match.group(1).split(":") if d.startswith("$ORIGIN")]
            if kept != match.group(1).split(":"):
                if kept:
                    run(["patchelf", "--set-rpath", ":".join(kept), elf])
                else:
                    run(["patchelf", "--remove-rpath", elf])
        data = elf.read_bytes()
        if not any(p in data for p in prefixes):
            continue
        blob = bytearray(data)
        for prefix in prefixes:
            at = blob.find(prefix)
            while at != -1:
                # rewrite the whole C string holding it, NUL-padded to the same length
                start = blob.rfind(b"\0", 0, at) + 1
                end = blob.find(b"\0", at)
                text = bytes(blob[start:end]).replace(prefix, b"/usr")
                blob[start:end] = text.ljust(end - start, b"\0")
                at = blob.find(prefix, start + len(text))
        elf.write_bytes(bytes(blob))


def check_no_build_paths(root: Path) -> None:
    """No file of the package may name a folder of the build machine (the checkout, the
    build interpreter's prefix, the home folder): they mean nothing on the PC it is
    installed on, and they tell who built it where."""
    found = []
    for leak in _build_prefixes():
        out = subprocess.run(["grep", "-rlF", leak, str(root)], capture_output=True, text=True)
        found += [f"{p} names {leak}" for p in out.stdout.split()]
    if found:
        raise SystemExit("build-machine paths in the package:\n  " + "\n  ".join(found[:20]))


def build_deb(dist: Path, work: Path, epoch: int, fast: bool = False) -> Path:
    need_module("PyInstaller", "PyInstaller")
    need_tool("dpkg-deb", "dpkg")
    need_tool("readelf", "binutils")
    need_tool("strip", "binutils")
    need_tool("dpkg-shlibdeps", "dpkg-dev")
    need_tool("patchelf", "patchelf")
    work.mkdir(parents=True, exist_ok=True)
    bundle = build_bundle(work / "pyinstaller")
    debian_depends(bundle)  # fails early, naming a library no Debian package holds
    root = fresh_dir(work / "pkg" / "debian" / NAME)  # where dpkg-shlibdeps expects it
    (root.parent / "control").write_text(
        f"Source: {NAME}\n\nPackage: {NAME}\nArchitecture: amd64\n", encoding="utf-8"
    )
    stage(bundle, root)
    scrub_build_paths(root)
    check_no_build_paths(root)
    control(root, shlibdeps(root))
    normalize_tree(root, epoch)
    out = dist / f"{NAME}_{version()}_amd64.deb"
    run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "-z1" if fast else "-z6", "--build", root, out],
        env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)},
        stdout=subprocess.DEVNULL,
    )
    return out
