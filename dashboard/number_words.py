"""How a number is written everywhere in the app (its own module, so that every words module
can use it without importing another)."""

from __future__ import annotations


def percent(share: float) -> str:
    """'67 %' (a space before the sign, as everywhere in the app)."""
    return f"{share:.0%}".replace("%", " %")
