"""A guard against a reference-count bug in PySide6 6.12.0 on Python 3.11.

In PySide6 6.12.0 every call of a method that returns nothing (``setPlaceholderText``,
``hide``, ``setStyleSheet``, ...) or reads a property never set drops one reference to
``None``, and methods returning a bool drop one to ``True`` or ``False``. On Python 3.11
those objects are counted like any other: after a few thousand such calls (some hundred
edits in the form) the count reaches zero and Python aborts ("deallocating None"), losing
what was on screen. Python 3.12 and later never free them ("immortal" objects), and
PySide6 6.11.2 does not have the bug.

``protect_singletons`` gives the three objects a reference count no session can use up
(2**40), which is what Python 3.12 does for them. The window calls it as soon as it is
painted (ctypes would slow the start; the few hundred calls before are far from the
limit). tests/ui/test_refcounts.py shows the abort without it and none with it.
"""

from __future__ import annotations

import sys

_MARGIN = 1 << 40
_done = False


def protect_singletons() -> None:
    """Once per process; nothing to do where they are immortal already."""
    global _done  # one process-wide fact
    if _done or sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    _done = True
    import ctypes

    for singleton in (None, True, False):
        # ob_refcnt is the first field of every CPython object
        ctypes.c_ssize_t.from_address(id(singleton)).value += _MARGIN
