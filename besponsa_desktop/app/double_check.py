"""How a double check is described to people; the comparison (tolerances, units, the
second person) is the core's (``core.double_check``)."""

from __future__ import annotations

from besponsa_desktop.core.double_check import NOT_VERIFIED, TOLERANCE_TEXT

__all__ = ["NOT_VERIFIED", "TOLERANCE_TEXT"]
