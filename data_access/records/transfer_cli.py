"""`import` and `export` commands of `python -m data_access`.

The command line acts with full scope, as an admin would: it is run by whoever operates the
server, and both commands are audited with the actor "cli".
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from data_access.records.formats import KIND_ORDER
from data_access.store.config import database_url
from data_access.store.engine import get_engine
from data_access.store.errors import DataError

MAX_PROBLEMS_PRINTED = 50


def _engine(args: argparse.Namespace):  # noqa: ANN202 - an Engine
    return get_engine(database_url(args.database_url))


class _Bar:
    """A tqdm bar on stderr for each pass of the importer (checking, then writing)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: tqdm | None = None
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if phase != self.phase:
            self.close()
            self.phase = phase
            self.bar = tqdm(total=total or None, desc=phase, unit="records", file=sys.stderr)
        self.bar.total = total or None
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def cmd_import(args: argparse.Namespace) -> int:
    """Check a file and (unless --dry-run) import it; problems go to stderr with exit 1."""
    from data_access.records.importer import import_file

    path = Path(args.file)
    if not path.is_file():
        raise DataError(str(path), "no such file")
    bar = _Bar(not args.quiet)
    try:
        result = import_file(
            _engine(args), args.kind, path, viewer=None, dry_run=args.dry_run, progress=bar
        )
    finally:
        bar.close()
    for problem in result.problems[:MAX_PROBLEMS_PRINTED]:  # where and why, never the value
        print(f"{path.name}: {problem}", file=sys.stderr)
    if result.error_count > MAX_PROBLEMS_PRINTED:
        print(f"… and {result.error_count - MAX_PROBLEMS_PRINTED} more problems", file=sys.stderr)
    if not result.ok:
        print(f"error: {result.summary()}; nothing was written", file=sys.stderr)
        return 1
    verb = "would import (dry run, nothing written)" if args.dry_run else "imported"
    print(f"{verb} {result.summary()}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write one kind as CSV (the import format) to standard output or --out FILE."""
    from data_access.records.exporter import write_csv

    engine = _engine(args)
    if args.out:
        with open(args.out, "wb") as out:
            rows = write_csv(engine, None, args.kind, out)
        print(f"exported {rows} {args.kind} rows to {args.out}", file=sys.stderr)
    else:
        write_csv(engine, None, args.kind, sys.stdout.buffer)
        sys.stdout.flush()
    return 0


def add_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `import` and `export` on the CLI's sub-parsers (see cli.build_parser)."""
    kinds = ", ".join(KIND_ORDER)
    imp = add(
        "import",
        cmd_import,
        f"check a CSV or .xlsx file of one kind ({kinds}) and import it in one transaction; "
        "nothing is written if any row has a problem",
    )
    imp.add_argument("--kind", required=True, choices=KIND_ORDER, help="what the file holds")
    imp.add_argument("file", help="CSV (UTF-8, comma-separated) or .xlsx file")
    imp.add_argument("--dry-run", action="store_true", help="check and count only; write nothing")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    exp = add(
        "export",
        cmd_export,
        "write one kind as CSV in the import format (formula-safe) to stdout or --out FILE",
    )
    exp.add_argument("--kind", required=True, choices=KIND_ORDER, help="what to export")
    exp.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
