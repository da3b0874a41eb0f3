"""Requests for window tests (the screenshot states, which are also worked examples), and
what every course dialog must do with a refusal."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from besponsa_desktop.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
STATES = ROOT / "scripts" / "screenshot-states"


def request(name: str = "proceed") -> dict[str, Any]:
    return copy.deepcopy(json.loads((STATES / f"{name}.json").read_text(encoding="utf-8")))


def load(window: MainWindow, data: dict[str, Any]) -> None:
    window.load_values(window.controller.load_request(data))


def assert_shown_whole(dialog: Any, fields: Iterable[Any]) -> None:
    """The dialog's refusal is shown whole, and the fields typed are not squeezed to make
    room for it."""
    assert dialog.problem.isVisible()
    assert dialog.problem.height() >= dialog.problem.heightForWidth(dialog.problem.width())
    for field in fields:
        assert field.height() >= field.minimumSizeHint().height(), field.accessibleName()
