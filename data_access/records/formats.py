"""The CSV formats of docs/data-formats.md, shared by importer and exporter so they cannot drift.

Values are the schema's words (roles, statuses, attendance, measures); matching ignores case,
and for measures also hyphens and spaces (`phq9` is PHQ-9). Dates are ISO `YYYY-MM-DD`; empty
optional cells are empty strings.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

from data_access.records.questionnaires import ItemsError, check_items
from data_access.store.schema import ATTENDANCE, ITEM_COLUMNS, ITEM_MAX, MEASURES, ROLES, STATUSES

KINDS: dict[str, tuple[str, ...]] = {
    "clinicians": ("email", "name", "role", "supervisor_email"),
    "clients": ("client_code", "clinician_email", "intake_on", "discharged_on"),
    "sessions": ("client_code", "held_on", "attendance"),
    "assignments": (
        "assignment_id",
        "client_code",
        "type",
        "assigned_on",
        "due_on",
        "status",
        "difficulty",
        "engagement",
        "reviewed_on",
        "instructions",
    ),
    "scores": ("client_code", "measure", "score", "recorded_on", *ITEM_COLUMNS),
}

# Columns a file may leave out (older files and totals-only exports); absent means empty.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {"scores": ITEM_COLUMNS}

# Import order: a row may only refer to records of a kind listed before it.
KIND_ORDER = ("clinicians", "clients", "sessions", "assignments", "scores")

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MIN_YEAR, MAX_YEAR = 1900, 2100


def parse_date(text: str) -> dt.date:
    """An ISO date, or ValueError with the reason a person can act on."""
    if not _ISO_DATE.match(text):
        raise ValueError(f"'{text}' is not a date; write dates as YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date on the calendar") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(f"'{text}' is outside the years {MIN_YEAR}–{MAX_YEAR}")
    return day


def measure_key(text: str) -> str:
    """Measures match ignoring case, hyphens and spaces: `phq9`, `PHQ 9`, `Phq-9` are PHQ-9."""
    return re.sub(r"[\s\-]", "", text).lower()


MEASURE_BY_KEY = {measure_key(code): code for code in MEASURES}


def nearest(text: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The choice closest to `text` (ignoring case), for "did you mean …?" hints."""
    lowered = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(text.lower(), list(lowered), n=1, cutoff=0.75)
    return lowered[match[0]] if match else None


def one_of(text: str, allowed: tuple[str, ...], what: str) -> str:
    """`text` as the canonical spelling from `allowed` (case ignored), or ValueError with a hint."""
    for value in allowed:
        if value.lower() == text.lower():
            return value
    hint = nearest(text, allowed)
    suffix = f"; did you mean '{hint}'?" if hint else ""
    raise ValueError(f"{what} must be one of {', '.join(allowed)}{suffix}")


def role(text: str) -> str:
    return one_of(text, ROLES, "role")


def attendance(text: str) -> str:
    return one_of(text, ATTENDANCE, "attendance")


def status(text: str) -> str:
    return one_of(text, STATUSES, "status")


def measure(text: str) -> str:
    """The canonical measure code (PHQ-9, GAD-7, MOOD), or ValueError."""
    code = MEASURE_BY_KEY.get(measure_key(text))
    if code is None:
        raise ValueError(f"unknown measure; use one of {', '.join(MEASURES)}")
    return code


def items(texts: list[str], code: str, total: int | None) -> tuple[int | None, ...]:
    """The item columns from their cells (blank = not given), checked by `check_items`."""
    values: list[int | None] = []
    for n, text in enumerate(texts, start=1):
        try:
            values.append(whole_number(text, 0, ITEM_MAX, f"item_{n}") if text else None)
        except ValueError as exc:
            raise ItemsError(f"item_{n}", str(exc)) from None
    return check_items(code, values, total)


def whole_number(text: str, low: int, high: int, what: str) -> int:
    """An integer in [low, high], or ValueError naming the range."""
    try:
        value = int(text)
    except ValueError:
        try:
            as_float = float(text)
        except ValueError:
            raise ValueError(f"{what} must be a whole number from {low} to {high}") from None
        if not as_float.is_integer():
            raise ValueError(f"{what} must be a whole number from {low} to {high}") from None
        value = int(as_float)
    if not low <= value <= high:
        raise ValueError(f"{what} must be a whole number from {low} to {high}")
    return value
