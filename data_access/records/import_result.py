"""What an import found: its problems (line, column, value, reason) and its counts."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

MAX_PROBLEMS_KEPT = 10_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (line, column), the value found, and why."""

    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass
class ImportResult:
    """What an import found and did: counts of rows new / updated / unchanged, and problems."""

    kind: str
    dry_run: bool
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def summary(self) -> str:
        """One line: `assignments: 3 new, 1 updated, 0 unchanged, 0 errors`. The import
        command's message, like a refusal's reason, not a figure for the pages (docs/metrics.md)."""
        return (
            f"{self.kind}: {self.new} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.error_count} errors"
        )

    def problems_frame(self) -> pd.DataFrame:
        """The problems as a table (line, column, value, reason) for the page and its download."""
        return pd.DataFrame(
            [(p.line, p.column, p.value, p.reason) for p in self.problems],
            columns=["line", "column", "value", "reason"],
        )

    def _add(self, problem: Problem) -> None:
        self.error_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(problem)


class FileProblem(Exception):
    """The file as a whole cannot be read (encoding, separator, header)."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__(str(problems[0]))
        self.problems = problems
