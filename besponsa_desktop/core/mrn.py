"""One patient, one course: the medical record number as the program compares it.

An MRN is read the same way wherever it is typed or loaded (the form, the command line, an
import): Unicode NFKC (full-width ＨＡ１２ is HA12), surrounding spaces trimmed. Characters
nobody can see are refused rather than dropped, since they make two MRNs that print alike
differ: controls, format characters (a zero-width space, a bidirectional mark), separators
other than the plain space. Letter case is kept as typed unless the institution says its
MRNs ignore case (setting ``mrn_letter_case = ignore``); then MRNs are kept in capitals, so
h1234 and H1234 are one patient.
"""

from __future__ import annotations

import unicodedata

INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
CONTEXT_IGNORE_CASE = "mrn_ignore_case"  # pydantic validation context key


def _shown(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def normalise_mrn(text: str, *, ignore_case: bool = False) -> str:
    """The MRN as stored and compared; ValueError saying what is wrong."""
    value = unicodedata.normalize("NFKC", text).strip()
    if not value:
        raise ValueError("must not be blank")
    for ch in value:
        if unicodedata.category(ch) in INVISIBLE or (ch.isspace() and ch != " "):
            raise ValueError(
                f"contains a character that cannot be seen ({_shown(ch)}); type the MRN again"
            )
    return value.upper() if ignore_case else value
