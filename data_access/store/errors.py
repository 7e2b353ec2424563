"""The one error type the data layer raises for refused data: which record, and why."""

from __future__ import annotations


class DataError(Exception):
    """A write or a read was refused; `record` says which record, `reason` why.

    Nothing was written when this is raised: every write runs in one transaction.
    """

    def __init__(self, record: str, reason: str) -> None:
        super().__init__(f"{record}: {reason}")
        self.record = record
        self.reason = reason


class NotInScope(DataError):
    """The viewer asked for a client they may not see."""
