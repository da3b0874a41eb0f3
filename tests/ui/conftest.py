"""Window tests: offscreen, with settings in a temporary folder (never the user's own), no
modal dialog allowed to block, and every window registered with qtbot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QMessageBox

from besponsa_desktop.controller import PlanController
from besponsa_desktop.settings import Settings
from besponsa_desktop.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def isolated_settings_location(tmp_path: Path) -> None:
    """Anything that opens default QSettings lands in tmp_path, not in the user's home."""
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(tmp_path / scope.name))


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal box would block a test (and a pharmacist): fail loudly instead."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a modal dialog was opened")

    for name in ("critical", "warning", "information", "question", "about"):
        monkeypatch.setattr(QMessageBox, name, refuse)
    monkeypatch.setattr(QMessageBox, "exec", refuse)
    monkeypatch.setattr(QDialog, "exec", refuse)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(tmp_path / "user.ini", tmp_path / "system.ini")


@pytest.fixture
def controller(settings: Settings) -> PlanController:
    made = PlanController(settings)
    made.load_core()
    return made


@pytest.fixture
def window(qtbot: Any, controller: PlanController) -> MainWindow:
    made = MainWindow(controller)
    # closed by qtbot after the test: edits a test made are not asked about
    qtbot.addWidget(made, before_close_func=lambda w: setattr(w, "unsaved", False))
    with qtbot.waitExposed(made):  # a context manager: it waits at the end of the block
        made.show()
    controller.load_core()  # as run() does
    return made
