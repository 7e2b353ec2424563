"""Import a practice's records from CSV or Excel: check every row first, then write all or nothing.

The file is read once, streaming, in batches: the check pass looks at every row (its values, the
records it refers to, duplicates within the file), counts what would be new, updated or
unchanged, and keeps the rows to write in a temporary file. Only when no problem was found is
that plan written, in ONE transaction that does nothing but write, so an error, a crash or a
kill leaves the database as it was, and SQLite's single write lock is held for the writing
only. Keys are looked up in bulk per batch; no table is ever loaded whole. Scores are inserted
with an upsert under their unique (client, measure, day) index, so even a concurrent writer
cannot make a second copy.

Records are matched by their natural keys, so importing a file twice changes nothing the second
time and a changed row updates: clinicians by email, clients by client_code, sessions by
(client_code, held_on), assignments by assignment_id (stored as `Assignment.external_id`; an
exported assignment without one is written as `bs-<number>`, which finds the same row again),
scores by (client_code, measure, recorded_on).

Scope: the command line imports with full scope and is audited as the actor "cli". In the
dashboard an admin imports anything; a clinician or supervisor imports only data of clients
they treat themselves (the rule `recording.py` applies to forms) and only their own clients.
"""

from __future__ import annotations

import datetime as dt
import pickle
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine

from data_access.access.audit import record
from data_access.access.viewer import Viewer
from data_access.records import formats
from data_access.records.csv_safe import restore
from data_access.records.file_limits import trimmed_width
from data_access.records.import_client_rows import Assignments, Scores, Sessions
from data_access.records.import_people import Clients, Clinicians
from data_access.records.import_reading import (
    count_lines,
    csv_records,
    header_positions,
    opened,
    xlsx_records,
)
from data_access.records.import_result import FileProblem, ImportResult, Problem
from data_access.records.import_rows import Context, Kind, Row
from data_access.store.data_version import current_version, raise_version
from data_access.store.engine import write
from data_access.store.errors import DataError

BATCH_ROWS = 2_000
WRITE_ATTEMPTS = 3  # checks of a file when other writes keep landing between check and write
CLI_ACTOR = "cli"

# (phase "checking" or "writing", records done, records in all): records, not file lines, since
# a quoted cell may span lines; while checking, the total is the file's line count at most.
Progress = Callable[[str, int, int], None]


class _Changed(Exception):
    """Something was written between checking and writing; the transaction is rolled back."""


HANDLERS: dict[str, type[Kind]] = {
    "clinicians": Clinicians,
    "clients": Clients,
    "sessions": Sessions,
    "assignments": Assignments,
    "scores": Scores,
}


def _batches(kind: str, source: bytes | str | Path, fmt: str, ctx: Context) -> Iterator[list[Row]]:
    """The file's data rows, cleaned, in batches; file-level problems raise FileProblem."""
    with opened(source) as handle:
        records = xlsx_records(handle) if fmt == "xlsx" else csv_records(handle)
        first = next(records, None)
        if first is None:
            raise FileProblem(
                Problem(
                    1,
                    "",
                    "",
                    "the file is empty; the first line must be "
                    f"the header: {','.join(formats.KINDS[kind])}",
                )
            )
        positions = header_positions(kind, first[1])
        width = len(positions)
        batch: list[Row] = []
        since = 0  # lines read since the last batch
        for line, cells in records:
            if since >= BATCH_ROWS:  # lines without good rows: still a point to stop at
                yield batch
                batch, since = [], 0
            since += 1
            if len(cells) > width:  # trailing empty cells (spreadsheets add them) are dropped
                cells = cells[: max(width, trimmed_width(cells))]
            if fmt == "xlsx" and len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != width:
                ctx.result._add(
                    Problem(
                        line,
                        "",
                        "",
                        f"this line has {len(cells)} values; the header has {width} columns",
                    )
                )
                continue
            text = dict.fromkeys(formats.KINDS[kind], "")
            for column, index in positions.items():
                raw = cells[index]
                text[column] = restore(raw if column == "instructions" else raw.strip())
            batch.append(Row(line, text))
            if len(batch) >= BATCH_ROWS:
                yield batch
                batch, since = [], 0
        if batch:
            yield batch


class _Plan:
    """The checked rows to write, kept in a temporary SQLite file (not memory), in write order.

    The check pass fills it outside any write transaction; the write transaction only replays
    it, so the database's write lock is held for the writing alone. New rows come back sorted
    by client and day, the order of most indexes they enter, so each index grows at its end
    instead of splitting pages all over. Changed rows come back by id.
    """

    def __init__(self) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="bs-import-")
        self.db = sqlite3.connect(Path(self.folder.name) / "plan.db")
        self.db.execute("CREATE TABLE plan (changed INTEGER, k1 INTEGER, k2 TEXT, row BLOB)")

    def add(self, handler: Kind, new: list[Row], changed: list[Row]) -> None:
        rows = []
        for is_changed, batch in ((0, new), (1, changed)):
            for row in batch:
                row.text = {}
                k1, k2 = (row.values["_id"], "") if is_changed else handler.order(row)
                rows.append((is_changed, k1, k2, pickle.dumps(row, pickle.HIGHEST_PROTOCOL)))
        self.db.executemany("INSERT INTO plan VALUES (?, ?, ?, ?)", rows)

    def replay(self) -> Iterator[tuple[list[Row], list[Row]]]:
        """(new, changed) batches of at most BATCH_ROWS rows, new ones first."""
        for is_changed in (0, 1):
            cursor = self.db.execute(
                "SELECT row FROM plan WHERE changed = ? ORDER BY k1, k2", (is_changed,)
            )
            while batch := cursor.fetchmany(BATCH_ROWS):
                rows = [pickle.loads(blob) for (blob,) in batch]  # noqa: S301 - our own file
                yield ([], rows) if is_changed else (rows, [])

    def close(self) -> None:
        self.db.close()
        self.folder.cleanup()


def _run(
    conn: Connection,
    kind: str,
    source: bytes | str | Path,
    fmt: str,
    ctx: Context,
    handler: Kind,
    plan: _Plan | None,
    progress: Progress | None,
    total: int,
) -> None:
    """The check pass: check every row, count, and (with a `plan`) keep what is to be written."""
    result = ctx.result
    seen: dict[object, int] = {}
    ctx.load_types(conn)
    for batch in _batches(kind, source, fmt, ctx):
        for row in batch:
            handler.parse(ctx, row)
            if row.ok:
                first = seen.setdefault(row.key, row.line)
                if first != row.line:
                    ctx.bad(row, ", ".join(handler.key_columns), f"duplicate of line {first}")
        handler.resolve(ctx, conn, [r for r in batch if r.values])
        good = [r for r in batch if r.ok]
        existing = handler.existing(ctx, conn, good) if good else {}
        new: list[Row] = []
        changed: list[Row] = []
        for row in good:
            found = existing.get(row.key)
            if found is None:
                new.append(row)
                continue
            row.values["_id"] = found[0]
            if isinstance(handler, Assignments):
                handler.check_existing(ctx, row, found[1])
                if not row.ok:
                    continue
            if handler.comparable(row) == found[1]:
                result.unchanged += 1
            else:
                changed.append(row)
        if isinstance(handler, Assignments):
            handler.check_new(ctx, conn, new)
            new = [r for r in new if r.ok]
        result.rows += len(batch)
        result.new += len(new)
        result.updated += len(changed)
        if plan is not None and not result.error_count and (new or changed):
            plan.add(handler, new, changed)
        if progress is not None:
            progress("checking", result.rows, max(total, result.rows))
    handler.finish(ctx, conn, False)
    if progress is not None:
        progress("checking", result.rows, result.rows)


def _write_plan(
    conn: Connection,
    kind: str,
    viewer: Viewer | None,
    plan: _Plan,
    progress: Progress | None,
    total: int,
    today: dt.date,
) -> None:
    """Replay a checked plan inside the caller's write transaction."""
    handler = HANDLERS[kind]()
    ctx = Context(kind, viewer, ImportResult(kind, dry_run=False), today)
    done = 0
    for new, changed in plan.replay():
        handler.write(ctx, conn, new, changed)
        done += len(new) + len(changed)
        if progress is not None:
            progress("writing", done, total)
    handler.finish(ctx, conn, True)


def import_file(
    engine: Engine,
    kind: str,
    source: bytes | str | Path,
    *,
    viewer: Viewer | None,
    fmt: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Check `source` (CSV or .xlsx bytes or path) as `kind`; unless `dry_run`, write it all.

    `viewer=None` is the command line: full scope, audited as "cli". Nothing is written when
    any problem is found; the result lists every problem (the first 10,000) and the counts.
    Dates are judged against `today` (default: the real today) by the forms' rules.
    The write is one short transaction that first checks, through the data version, that
    nothing was written since the check began; if something was, the file is checked again
    (up to WRITE_ATTEMPTS times) so the counts and checks always describe what is written.
    """
    today = today or dt.date.today()
    if kind not in formats.KINDS:
        raise DataError("import", f"kind must be one of {', '.join(formats.KINDS)}")
    if fmt is None:
        fmt = (
            "xlsx"
            if isinstance(source, str | Path) and str(source).lower().endswith(".xlsx")
            else "csv"
        )
    total = 0 if fmt == "xlsx" else max(count_lines(source) - 1, 0)
    actor = viewer if viewer is not None else CLI_ACTOR
    for _ in range(WRITE_ATTEMPTS):
        with engine.connect() as conn:
            seen = current_version(conn)
        plan = None if dry_run else _Plan()
        try:
            checked = _check(engine, kind, source, fmt, viewer, progress, total, today, plan)
            if dry_run:
                return checked
            if not checked.ok:
                with write(engine, f"{kind} import", data=False) as conn:
                    record(
                        conn,
                        actor,
                        "import",
                        None,
                        f"kind={kind} refused rows={checked.rows} errors={checked.error_count}",
                    )
                return checked
            checked.dry_run = False
            if checked.new + checked.updated == 0:
                # Everything is already there: nothing to write, only the audit event.
                with write(engine, f"{kind} import", data=False) as conn:
                    record(conn, actor, "import", None, _counts(kind, checked))
                checked.written = True
                return checked
            with write(engine, f"{kind} import") as conn:
                if raise_version(conn) != seen + 1:
                    raise _Changed
                written = checked.new + checked.updated
                _write_plan(conn, kind, viewer, plan, progress, written, today)
                record(conn, actor, "import", None, _counts(kind, checked))
            checked.written = True
            return checked
        except _Changed:
            continue
        finally:
            if plan is not None:
                plan.close()
    return checked


def _counts(kind: str, result: ImportResult) -> str:
    """The audit detail of a written import: kind and counts, never the data."""
    return (
        f"kind={kind} new={result.new} updated={result.updated} "
        f"unchanged={result.unchanged} errors=0"
    )


def _check(
    engine: Engine,
    kind: str,
    source: bytes | str | Path,
    fmt: str,
    viewer: Viewer | None,
    progress: Progress | None,
    total: int,
    today: dt.date,
    plan: _Plan | None = None,
) -> ImportResult:
    """The check pass: every problem and the counts, without writing anything."""
    result = ImportResult(kind, dry_run=True)
    ctx = Context(kind, viewer, result, today)
    try:
        with engine.connect() as conn:
            _run(conn, kind, source, fmt, ctx, HANDLERS[kind](), plan, progress, total)
    except FileProblem as exc:
        for problem in exc.problems:
            result._add(problem)
    result.problems.sort(key=lambda p: p.line)  # stable: a line's problems keep their order
    return result
