"""What a client code and a person's name may hold: the one rule every write path calls.

Codes are identifiers people type and links carry, so they are letters, digits, `-` and `_`
(up to 40). Names are free text but never control characters (line breaks, escapes), which
could forge lines in exports and logs. Both are shown as plain text everywhere; these rules
keep them short and printable, they are not what stops markup.
"""

from __future__ import annotations

import re
import unicodedata

CODE_MAX = 40
NAME_MAX = 200
CODE = re.compile(rf"[A-Za-z0-9_-]{{1,{CODE_MAX}}}")
CONTROL = ("Cc", "Cf", "Zl", "Zp")  # control and format characters, line separators
JOINERS = "\u200c\u200d"  # zero-width (non-)joiners belong in Persian and Indic names
CODE_RULE = f"a client code is 1 to {CODE_MAX} letters, digits, '-' or '_'"


def code_problem(code: str) -> str | None:
    """Why `code` is not a valid client code, or None when it is."""
    return None if CODE.fullmatch(code) else CODE_RULE


def name_problem(name: str) -> str | None:
    """Why `name` is not a valid person's name, or None when it is."""
    if not name.strip():
        return "a name must not be empty"
    if len(name) > NAME_MAX:
        return f"a name is at most {NAME_MAX} characters"
    if any(unicodedata.category(ch) in CONTROL and ch not in JOINERS for ch in name):
        return "a name must not hold control characters (line breaks, tabs, direction marks)"
    return None
