"""Is a database file on a network location? SQLite's locking and write-ahead log do not
work over a network file system (SQLite's documentation: "WAL does not work over a network
filesystem"; network locking bugs corrupt databases), so a course file there is refused.

- Linux: the file system type of the mount holding the path, from /proc/self/mountinfo.
- Windows: a UNC path (\\\\server\\share), or a drive letter that GetDriveTypeW reports as
  a remote (mapped network) drive.
- Elsewhere (macOS): not checked.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath, PureWindowsPath

# Mount types that are a network file system (or a file system shared between machines).
NETWORK_TYPES = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "coda", "9p",
        "ceph", "glusterfs", "lustre", "gpfs", "beegfs", "ocfs2", "gfs2",
        "fuse.sshfs", "fuse.glusterfs", "fuse.cephfs", "fuse.davfs2", "davfs",
        "fuse.rclone", "fuse.s3fs",
    }
)
DRIVE_REMOTE = 4  # GetDriveTypeW's value for a network drive


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash in paths as octal escapes."""
    out, index = [], 0
    while index < len(field):
        if field[index] == "\\" and field[index + 1 : index + 4].isdigit():
            out.append(chr(int(field[index + 1 : index + 4], 8)))
            index += 4
        else:
            out.append(field[index])
            index += 1
    return "".join(out)


def mount_type(path: str, mountinfo: str) -> str | None:
    """The file system type of the mount that holds the absolute ``path``: the mount
    with the longest mount point above it (the latest mounted, when several are stacked)."""
    target = PurePosixPath(path)
    best: tuple[int, str] | None = None
    for line in mountinfo.splitlines():
        fields = line.split()
        if "-" not in fields or len(fields) < 5:
            continue
        point = PurePosixPath(_unescape(fields[4]))
        fstype = fields[fields.index("-") + 1]
        if target == point or point in target.parents:
            depth = len(point.parts)
            if best is None or depth >= best[0]:
                best = (depth, fstype)
    return None if best is None else best[1]


def _resolved(path: Path) -> Path:
    """The absolute path with symbolic links resolved as far as it exists (a database not
    yet created lands on the mount of the folder it will be created in)."""
    path = Path(os.path.abspath(path))
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate.resolve() / path.relative_to(candidate)
    return path


def describe_linux(path: Path, mountinfo: str | None = None) -> str | None:
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text(encoding="utf-8",
                                                              errors="replace")
        except OSError:
            return None
    fstype = mount_type(str(_resolved(path)), mountinfo)
    if fstype is None:
        return None
    if fstype in NETWORK_TYPES:
        return f"a network file system ({fstype})"
    return None


def describe_windows(
    path: str, drive_type: Callable[[str], int] | None = None
) -> str | None:
    text = path.replace("/", "\\")
    if text.startswith("\\\\?\\UNC\\") or (
        text.startswith("\\\\") and not text.startswith(("\\\\?\\", "\\\\.\\"))
    ):
        return "a network share (UNC path)"
    drive = PureWindowsPath(text).drive
    if text.startswith("\\\\?\\"):
        drive = PureWindowsPath(text[4:]).drive
    if len(drive) == 2 and drive[1] == ":":
        get_type = drive_type or _get_drive_type
        if get_type(drive + "\\") == DRIVE_REMOTE:
            return f"a mapped network drive ({drive.upper()})"
    return None


def _get_drive_type(root: str) -> int:
    import ctypes

    windll = getattr(ctypes, "windll", None)
    if windll is None:
        return 0
    return int(windll.kernel32.GetDriveTypeW(root))


def network_location(path: Path) -> str | None:
    """What kind of network location ``path`` is on, in words; None when it is local (or
    this platform cannot tell)."""
    if sys.platform == "win32":
        return describe_windows(os.path.abspath(path))
    if sys.platform.startswith("linux"):
        return describe_linux(path)
    return None
