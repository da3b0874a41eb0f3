"""The window's colours and type, in one place.

The form, on screen from the first paint, has no style sheet: a style sheet over a whole
window makes Qt restyle every widget in it, which delays the first paint (so do fonts set
widget by widget: the group titles keep the platform's font). A field that shows a problem
gets a small style sheet of its own (``show_state``, for every editor marked anywhere in
the program). The parts made after the first paint (the plan, the course, the dialogs) take
``STYLE``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

ERROR = "#b00020"  # red: a value that is wrong
ERROR_BACKGROUND = "#fff0f0"
MISSING = "#8a6d00"  # amber: a value still to be entered
ECHO = "#1f4e9c"  # blue: what a typed value was read as ("= 74.8 kg")

# editor class -> its look for each problem state ("error", "missing"; "" is plain)
# A style sheet border removes the platform's padding: the padding keeps the text off it.
_PADDING = "padding: 1px 3px;"
_EDITOR_STATES = {
    "error": "{cls} {{ border: 2px solid " + ERROR + "; background: " + ERROR_BACKGROUND
    + "; " + _PADDING + " }}",
    "missing": "{cls} {{ border: 1px dashed " + MISSING + "; " + _PADDING + " }}",
}
_CHECK_STATES = {"error": "QCheckBox { color: " + ERROR + "; }", "missing": ""}

_PROBLEM = f"color: {ERROR}; font-weight: bold;"
_ECHO = f"color: {ECHO};"
PROBLEM_LABEL = f"QLabel {{ {_PROBLEM} }}"  # the form's labels, styled one by one
ECHO_LABEL = f"QLabel {{ {_ECHO} }}"

STYLE = f"""
QLabel#problem {{ {_PROBLEM} }}
QLabel#echo {{ {_ECHO} }}
QLabel#section {{ font-weight: bold; font-size: 11pt; margin-top: 6px; }}
QLabel#bannerTitle {{ font-size: 17pt; font-weight: bold; }}
QLabel#bannerReasons {{ font-size: 11pt; }}
QLabel#note, QLabel#reminders {{ color: #555555; }}
QLabel#warnings {{ color: #5a3b00; }}
QLabel#topWarnings {{ color: #1a1a1a; background: #fff4cc; border: 2px solid #8a6d00;
    border-radius: 4px; padding: 4px 8px; font-size: 10.5pt; }}
"""


def show_state(editor: QWidget, state: str) -> None:
    """An editor drawn as wrong ("error"), still to fill ("missing") or plain ("")."""
    if (editor.property("problem") or "") == state:  # None: never marked
        return
    editor.setProperty("problem", state)  # what tests and assistive checks read
    from PySide6.QtWidgets import QCheckBox, QComboBox

    if isinstance(editor, QCheckBox):
        sheet = _CHECK_STATES.get(state, "")
    else:
        cls = "QComboBox" if isinstance(editor, QComboBox) else "QLineEdit"
        sheet = _EDITOR_STATES[state].format(cls=cls) if state else ""
    if editor.styleSheet() != sheet:  # restyling is the costly part: only on a change
        editor.setStyleSheet(sheet)
