"""The Windows installer, built on Linux with `packaging/build.py windows`: the MSI must
carry the interpreter, Qt's widgets, pydantic-core's extension, reportlab, PDFium and every
module of the program, and the licence texts of all of them; be per-machine with the stable
upgrade code, a real Manufacturer and a launch condition for Windows 10 1809; run an
isolated interpreter (no `import site`); and start the window through pythonw.exe with the
program's icon. (The payload cannot run here: Debian's Wine cannot load PySide6. The Windows
workflow in .github/workflows/windows-installer.yml installs and runs it.)"""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from besponsa_desktop import __version__

ROOT = Path(__file__).resolve().parents[2]
UPGRADE_CODE = "{6F0D7C59-2B8A-4E0B-9A52-3C1E8B7D4A21}"
TOOLS = ["wixl", "wixl-heat", "msiextract", "msiinfo", "osslsigncode", "objdump"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        any(shutil.which(t) is None for t in TOOLS),
        reason="needs Debian's wixl, msitools, osslsigncode and binutils (scripts/bootstrap "
        "installs them)",
    ),
]


def _run(cmd: list[str | Path], **kwargs: Any) -> str:
    kwargs.setdefault("timeout", 900)
    result: subprocess.CompletedProcess[str] = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, **kwargs
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, cmd))} exited {result.returncode}\n"
        f"--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
    )
    return result.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the MSI, the payload folder it was made from)."""
    out = tmp_path_factory.mktemp("windows")
    _run(
        [sys.executable, "packaging/build.py", "windows", "--dist", out / "dist", "--work", out],
        cwd=ROOT,
    )
    msi = out / "dist" / f"besponsa-desktop-{__version__}-x64.msi"
    assert msi.is_file()
    return msi, out / "windows" / "payload"


def _table(msi: Path, name: str) -> list[list[str]]:
    # msiinfo export: column names, column types, table name, then one row per line.
    lines = _run(["msiinfo", "export", msi, name]).splitlines()[3:]
    return [line.split("\t") for line in lines]


def test_msi_carries_interpreter_qt_dependencies_and_the_program(
    built: tuple[Path, Path],
) -> None:
    msi, _ = built
    listed = {
        line.strip().removeprefix("besponsa-desktop/")
        for line in _run(["msiextract", "-l", msi]).splitlines()
    }
    for wanted in [
        "python311.dll",
        "pythonw.exe",
        "python311._pth",
        "python311.zip",
        "Lib/site-packages/PySide6/Qt6Widgets.dll",
        "Lib/site-packages/PySide6/QtPrintSupport.pyd",
        "Lib/site-packages/pypdfium2_raw/pdfium.dll",
        "licenses/README.txt",
        "licenses/LGPL-3.txt",
        "licenses/Python.txt",
        "Lib/site-packages/PySide6/plugins/platforms/qwindows.dll",
        "Lib/site-packages/shiboken6/Shiboken.pyd",
        "Lib/site-packages/reportlab/__init__.py",
        "Lib/site-packages/pydantic/__init__.py",
        "Lib/site-packages/platformdirs/__init__.py",
        "besponsa-desktop.cmd",
    ]:
        assert wanted in listed, f"{wanted} missing from the MSI"
    assert fnmatch.filter(listed, "Lib/site-packages/pydantic_core/_pydantic_core*.pyd")
    program = sorted(
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "besponsa_desktop").rglob("*.py")
        if "__pycache__" not in p.parts
    )
    assert program
    for module in program:
        assert f"app/{module}" in listed, f"{module} missing from the MSI"
    # The unused parts of Qt stay out.
    assert not fnmatch.filter(listed, "*Qt6Quick*.dll")
    assert not fnmatch.filter(listed, "*Qt6Qml*.dll")
    assert not fnmatch.filter(listed, "*/designer.exe")


def test_msi_is_a_per_machine_upgradable_product_with_a_windowed_shortcut(
    built: tuple[Path, Path],
) -> None:
    msi, payload = built
    props = dict(row[:2] for row in _table(msi, "Property") if len(row) >= 2)
    assert props["UpgradeCode"] == UPGRADE_CODE
    assert props["ProductVersion"] == __version__
    assert props["ALLUSERS"] == "1"
    upgrades = _table(msi, "Upgrade")
    assert any(row[0] == UPGRADE_CODE for row in upgrades), "no MajorUpgrade rows"
    shortcuts = {(row[1], row[4], row[5]) for row in _table(msi, "Shortcut")}
    assert ("ProgramMenuFolder", "[INSTALLDIR]pythonw.exe", "-m besponsa_desktop") in shortcuts
    assert {row[8] for row in _table(msi, "Shortcut")} == {"AppIcon"}  # the program's icon
    assert [row[0] for row in _table(msi, "Icon")] == ["AppIcon"]
    manufacturer = props["Manufacturer"]
    assert manufacturer and manufacturer != "besponsa-desktop"  # not the product's name
    directories = "\n".join("\t".join(row) for row in _table(msi, "Directory"))
    assert "ProgramFiles64Folder" in directories
    assert "ProgramMenuFolder" in directories
    # The embeddable interpreter finds the wheels and the program through its ._pth file.
    pth = (payload / "python311._pth").read_text(encoding="ascii").splitlines()
    assert pth == ["python311.zip", ".", "Lib\\site-packages", "app"]  # no `import site`


def test_msi_refuses_windows_older_than_10_1809(built: tuple[Path, Path]) -> None:
    msi, _ = built
    conditions = {row[0]: row[1] for row in _table(msi, "LaunchCondition")}
    assert "Installed OR (VersionNT64 >= 603 AND WINDOWSBUILD >= 17763)" in conditions
    # WINDOWSBUILD is read from the registry (Windows Installer reports 10 and 11 as 8.1)
    assert ["WINDOWSBUILD", "WindowsBuildNumber"] in _table(msi, "AppSearch")
    locator = _table(msi, "RegLocator")
    assert locator[0][2:4] == ["SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion",
                               "CurrentBuildNumber"]


def test_msi_carries_every_bundled_component_with_its_licence(
    built: tuple[Path, Path],
) -> None:
    _, payload = built
    readme = (payload / "licenses" / "README.txt").read_text(encoding="utf-8")
    for component in ["Python 3.11", "PySide6_Essentials", "shiboken6", "pydantic ",
                      "pydantic_core", "reportlab", "pypdfium2", "pillow", "DejaVu fonts"]:
        assert component.lower() in readme.lower(), component
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in (payload / "licenses" / "LGPL-3.txt").read_text()
    assert "pdfium" in readme  # PDFium's own bundled parts are in pypdfium2's texts
