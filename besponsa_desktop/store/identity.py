"""Who is logged in to this computer, as the operating system knows it.

Recorded with every stored change (``os_user``). Read from the login session, never from
environment variables: ``getpass.getuser()`` reads LOGNAME/USER/USERNAME first, so
``set USERNAME=...`` would change the name in the audit trail.
"""

from __future__ import annotations

import os
import sys

UNKNOWN = "unknown"


def os_user() -> str:
    """The login name of the effective user (POSIX) or the session's user (Windows)."""
    if sys.platform == "win32":
        return _windows_user()
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError, OSError):  # a uid without a passwd entry (a container)
        return f"uid {os.geteuid()}" if hasattr(os, "geteuid") else UNKNOWN


def _windows_user() -> str:  # pragma: no cover - Windows only
    import ctypes

    # NameSamCompatible (2): DOMAIN\user, from the logon session's token.
    name_sam_compatible = 2
    size = ctypes.c_ulong(0)
    secur32 = ctypes.WinDLL("secur32")  # type: ignore[attr-defined]
    secur32.GetUserNameExW(name_sam_compatible, None, ctypes.byref(size))
    if not size.value:
        return UNKNOWN
    buffer = ctypes.create_unicode_buffer(size.value)
    if not secur32.GetUserNameExW(name_sam_compatible, buffer, ctypes.byref(size)):
        return UNKNOWN
    return buffer.value or UNKNOWN
