"""Building the reasons and warnings a plan carries."""

from __future__ import annotations

from besponsa_desktop.core.models import Finding
from besponsa_desktop.core.profiles import LabelProfile, Rule


def finding(profile: LabelProfile, rule: Rule, code: str, message: str) -> Finding:
    return Finding(code=code, message=message, source=profile.cite(rule))
