"""The Linux package, end to end: built from this checkout with `packaging/build.py deb` by
Debian's own /usr/bin/python3.11 (in a virtualenv of the pinned build requirements, as
hospital IT would build it), installed with dpkg, started from the installed copy, used to
plan the example request, then removed without leaving anything on the PATH or in /opt.
The package must carry no path of the build machine, a copyright file naming every bundled
component with its licence texts, and Depends with minimum versions."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from besponsa_desktop import __version__

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "besponsa-desktop"
INSTALL_DIR = Path("/opt/besponsa-desktop")
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# 130 MiB for the window, the rules and the printout; the store's SQLAlchemy and psycopg
# (with its own libpq and OpenSSL, for a ward's PostgreSQL) add about 10 MiB.
BUDGET_MIB = 145
BUDGET_BYTES = BUDGET_MIB * 1024 * 1024
DEBIAN_PYTHON = Path("/usr/bin/python3.11")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("dpkg") is None, reason="no dpkg: not a Debian system"),
    pytest.mark.skipif(os.geteuid() != 0, reason="installing a .deb with dpkg -i needs root"),
    pytest.mark.skipif(not DEBIAN_PYTHON.exists(), reason="no Debian python3.11"),
]


def _run(cmd: list[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("timeout", 600)
    result: subprocess.CompletedProcess[str] = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, **kwargs
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, cmd))} exited {result.returncode}\n"
        f"--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
    )
    return result


def _installed_env(home: Path) -> dict[str, str]:
    """The installed program run as a user would, offscreen, with its settings and logs in
    a scratch home rather than the developer's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(
        PATH=SYSTEM_PATH,
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_STATE_HOME=str(home / ".local/state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        QT_QPA_PLATFORM="offscreen",
    )
    return env


def _tree_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _debian_python_venv(folder: Path) -> Path:
    """A virtualenv of Debian's python3.11 with the pinned build requirements."""
    _run([DEBIAN_PYTHON, "-m", "venv", folder])
    python = folder / "bin" / "python"
    _run([python, "-m", "pip", "install", "-q", "--require-hashes",
          "-r", ROOT / "requirements" / "build.txt"])
    return python


def test_deb_built_by_debian_python_installs_starts_plans_and_removes_cleanly(
    tmp_path: Path,
) -> None:
    python = _debian_python_venv(tmp_path / "venv")
    _run(
        [
            python,
            "packaging/build.py",
            "deb",
            "--fast",
            "--dist",
            tmp_path / "dist",
            "--work",
            tmp_path / "work",
        ],
        cwd=ROOT,
    )
    deb = tmp_path / "dist" / f"{PACKAGE}_{__version__}_amd64.deb"
    assert deb.is_file()
    control = _run(["dpkg-deb", "--field", deb, "Package", "Version", "Depends"]).stdout
    assert f"Version: {__version__}" in control
    assert "libxcb-cursor0" in control  # the xcb platform plugin's libraries are declared
    assert re.search(r"libc6 \(>= 2\.\d+\)", control), control  # versions, as shlibdeps
    assert "libpython" not in control  # the interpreter is inside the bundle

    unpacked = tmp_path / "unpacked"
    _run(["dpkg-deb", "-x", deb, unpacked])
    for leak in (str(ROOT), str(tmp_path), "/root/.pyenv", os.path.expanduser("~/.cache")):
        found = subprocess.run(["grep", "-rlF", leak, unpacked], capture_output=True, text=True)
        assert found.stdout == "", f"build paths ({leak}) in: {found.stdout[:500]}"
    copyright_file = unpacked / "usr/share/doc" / PACKAGE / "copyright"
    text = copyright_file.read_text(encoding="utf-8")
    for component in ("Python", "PySide6", "shiboken6", "pydantic", "reportlab", "pypdfium2",
                      "DejaVu", "PyInstaller"):
        assert "Files: " in text and component.lower() in text.lower(), component
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text  # Qt's LGPL 3, in full
    assert "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2" in text

    env = _installed_env(tmp_path / "home")
    try:
        _run(["dpkg", "-i", deb])
        assert shutil.which(PACKAGE, path=SYSTEM_PATH) == f"/usr/bin/{PACKAGE}"
        assert Path(f"/usr/bin/{PACKAGE}").resolve() == INSTALL_DIR / PACKAGE
        assert Path(f"/usr/share/applications/{PACKAGE}.desktop").is_file()
        assert Path(f"/usr/share/icons/hicolor/scalable/apps/{PACKAGE}.svg").is_file()
        size = _tree_bytes(INSTALL_DIR)
        assert size <= BUDGET_BYTES, (
            f"installed bundle is {size / 2**20:.1f} MiB (budget {BUDGET_MIB})")

        smoke = _run([PACKAGE, "--smoke"], env=env, cwd=tmp_path, timeout=120)
        assert smoke.stdout.strip(), "--smoke printed nothing"

        plan = _run(
            [PACKAGE, "plan", ROOT / "examples" / "cycle1-day1-proceed.json"],
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        result = json.loads(plan.stdout)
        assert result["decision"] == "proceed"
        assert result["program_version"] == __version__

        # the store (SQLAlchemy on SQLite) works from the bundle: save, then read back
        db = tmp_path / "home" / "courses.sqlite3"
        example = ROOT / "examples" / "cycle1-day1-proceed.json"
        _run([PACKAGE, "plan", example, "--save", "--db", db], env=env, cwd=tmp_path,
             timeout=120)
        mrn = json.loads(example.read_text(encoding="utf-8"))["patient"]["mrn"]
        history = _run([PACKAGE, "history", mrn, "--db", db], env=env, cwd=tmp_path,
                       timeout=120)
        assert mrn in history.stdout
    finally:
        subprocess.run(["dpkg", "-r", PACKAGE], capture_output=True, timeout=300)

    assert shutil.which(PACKAGE, path=SYSTEM_PATH) is None
    assert not os.path.lexists(f"/usr/bin/{PACKAGE}")
    assert not INSTALL_DIR.exists()
    assert not Path(f"/usr/share/applications/{PACKAGE}.desktop").exists()
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", PACKAGE], capture_output=True, text=True
    )
    assert "installed" not in status.stdout.replace("not-installed", "")
