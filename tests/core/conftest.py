"""The long run of the course state machine runs only when selected: -m long_course_run."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "long_course_run" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="long run: select it with -m long_course_run")
    for item in items:
        if "long_course_run" in item.keywords:
            item.add_marker(skip)
