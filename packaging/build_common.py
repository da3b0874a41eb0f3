"""What both installer builds share: the version, the build time, running tools, and
making a staged file tree reproducible."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NAME = "besponsa-desktop"
# Who ships the installers: the MSI's Manufacturer ("Apps & features" shows it as the
# publisher) and the .deb's Maintainer name. A hospital that builds its own sets it.
PUBLISHER = os.environ.get("BESPONSA_PUBLISHER", "besponsa-desktop developers")
# 1980-01-01: the earliest time a zip (and so a wheel) can hold.
FALLBACK_EPOCH = 315532800


def version() -> str:
    """The one version, read (not imported) from besponsa_desktop/__init__.py."""
    tree = ast.parse((ROOT / "besponsa_desktop" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
        ):
            return str(node.value.value)
    raise SystemExit("besponsa_desktop/__init__.py defines no __version__")


def source_date_epoch() -> int:
    """SOURCE_DATE_EPOCH if set, else the last commit's time; exported for the tools."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if not value:
        try:
            value = subprocess.run(
                ["git", "-C", str(ROOT), "log", "-1", "--format=%ct"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            value = ""
    epoch = int(value) if value else FALLBACK_EPOCH
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    return epoch


def run(cmd: Sequence[object], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], check=True, text=True, **kwargs)


BOOTSTRAP_HINT = "run scripts/bootstrap (it installs the build tools), then build again"


def need_tool(name: str, debian_package: str) -> str:
    path = shutil.which(name)
    if not path:
        raise SystemExit(
            f"{name} not found (Debian package {debian_package}): {BOOTSTRAP_HINT}"
        )
    return path


def need_module(module: str, what: str) -> None:
    """A Python package the build runs: say how to get it rather than a traceback."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise SystemExit(
            f"{what} is not installed for {sys.executable}: {BOOTSTRAP_HINT} with "
            ".venv/bin/python packaging/build.py ..."
        )


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def normalize_tree(root: Path, epoch: int) -> None:
    """Same modes and times for every build: 0755 for folders and executables, 0644 for
    the rest, and every entry (symlinks too) dated SOURCE_DATE_EPOCH."""
    entries = sorted(root.rglob("*"), reverse=True)  # children before their folder
    for path in [*entries, root]:
        if path.is_symlink():
            os.utime(path, (epoch, epoch), follow_symlinks=False)
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            path.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)
        os.utime(path, (epoch, epoch))


def tree_size(root: Path) -> int:
    """Bytes of the regular files under root (symlinks not followed)."""
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())
