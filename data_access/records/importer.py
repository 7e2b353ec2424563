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

import codecs
import csv
import datetime as dt
import io
import pickle
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import BinaryIO

import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, func, insert, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from data_access.access.accounts import EMAIL, normalise_email
from data_access.access.audit import record
from data_access.access.viewer import Viewer
from data_access.records import entry_rules, formats
from data_access.records.csv_safe import restore
from data_access.records.file_limits import (
    MAX_COLUMNS,
    MAX_LINE_BYTES,
    TooCostly,
    check_xlsx,
    trimmed_width,
)
from data_access.records.questionnaires import ItemsError
from data_access.records.text_rules import code_problem, name_problem
from data_access.store.data_version import current_version, raise_version
from data_access.store.engine import is_sqlite, write
from data_access.store.errors import DataError
from data_access.store.schema import (
    ITEM_COLUMNS,
    MEASURES,
    Assignment,
    AssignmentType,
    Client,
    Clinician,
    Score,
    TherapySession,
    monday_of,
)

BATCH_ROWS = 2_000
MAX_PROBLEMS_KEPT = 10_000
WRITE_ATTEMPTS = 3  # checks of a file when other writes keep landing between check and write
CLI_ACTOR = "cli"
INTERNAL_ID_PREFIX = "bs-"
MAX_LENGTH = {"assignment_id": 100, "email": 254}

# (phase "checking" or "writing", records done, records in all): records, not file lines, since
# a quoted cell may span lines; while checking, the total is the file's line count at most.
Progress = Callable[[str, int, int], None]


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
        """One line: `assignments: 3 new, 1 updated, 0 unchanged, 0 errors`."""
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


class _FileProblem(Exception):
    """The file as a whole cannot be read (encoding, separator, header)."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__(str(problems[0]))
        self.problems = problems


class _Changed(Exception):
    """Something was written between checking and writing; the transaction is rolled back."""


# --------------------------------------------------------------------------- reading the file


def _lines(handle: BinaryIO) -> Iterator[str]:
    """Decoded lines, one at a time, so a wrong encoding is reported with its line number; a
    line longer than MAX_LINE_BYTES stops the file before it is held in memory."""
    number = 0
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) > MAX_LINE_BYTES:
            raise _FileProblem(
                Problem(
                    number,
                    "",
                    "",
                    f"this line is longer than {MAX_LINE_BYTES // 1024} KB; no line of these "
                    "formats needs that many, so the file is refused",
                )
            )
        if number == 1:
            if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise _FileProblem(
                    Problem(1, "", "", "the file is UTF-16 text; save it as CSV UTF-8 instead")
                )
            if raw.startswith(b"PK\x03\x04"):
                raise _FileProblem(
                    Problem(1, "", "", "this is an Excel workbook, not CSV; name it .xlsx")
                )
            raw = raw.removeprefix(codecs.BOM_UTF8)
        if b"\x00" in raw:
            raise _FileProblem(
                Problem(number, "", "", "this line holds a NUL byte; the file is not CSV text")
            )
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            byte = raw[exc.start]
            raise _FileProblem(
                Problem(
                    number,
                    "",
                    "",
                    f"the file is not UTF-8 text (byte 0x{byte:02x} on this line, e.g. from "
                    "Windows-1252 or Latin-1); save it as CSV UTF-8 and import it again",
                )
            ) from None


def _csv_records(handle: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of each CSV record; quoted cells may span lines."""
    reader = csv.reader(_lines(handle))
    start = 1
    try:
        for cells in reader:
            yield start, _bounded(start, cells)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _FileProblem(Problem(start, "", "", f"the file is not readable CSV: {exc}")) from None


def _bounded(line: int, cells: list[str]) -> list[str]:
    """The row as read, when it has at most MAX_COLUMNS cells before its trailing empty ones;
    a wider row stops the file."""
    width = trimmed_width(cells)
    if width > MAX_COLUMNS:
        raise _FileProblem(
            Problem(
                line,
                "",
                "",
                f"this line has {width:,} values; no format has more than {MAX_COLUMNS} columns, "
                "so the file is refused",
            )
        )
    return cells


def _cell_text(value: object) -> str:
    """An Excel cell as the text the CSV format would hold (dates ISO, whole numbers plain)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_records(handle: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of the first worksheet, read in openpyxl's streaming mode once the
    workbook is known to stay within the bounds of `file_limits`."""
    from openpyxl import load_workbook

    not_xlsx = "the file is not an Excel .xlsx workbook; save it as .xlsx or CSV"
    try:
        check_xlsx(handle)
        book = load_workbook(handle, read_only=True, data_only=True)
    except TooCostly as exc:
        raise _FileProblem(Problem(1, "", "", f"{exc}; the file is refused")) from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        raise _FileProblem(Problem(1, "", "", not_xlsx)) from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # a declared size is not trusted: rows are as long as they are
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, _bounded(number, [_cell_text(v) for v in values])
    except zipfile.BadZipFile:
        raise _FileProblem(Problem(1, "", "", not_xlsx)) from None
    finally:
        book.close()


@contextmanager
def _opened(source: bytes | str | Path) -> Iterator[BinaryIO]:
    if isinstance(source, bytes | bytearray):
        yield io.BytesIO(source)
    else:
        with open(source, "rb") as handle:
            yield handle


def _count_lines(source: bytes | str | Path) -> int:
    """Lines in the file, for the progress bar's total (a fast binary scan)."""
    if isinstance(source, bytes | bytearray):
        return source.count(b"\n")
    count = 0
    with open(source, "rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def _header(kind: str, cells: list[str]) -> dict[str, int]:
    """Map each expected column to its position; misspelt, missing or extra columns fail."""
    expected = formats.KINDS[kind]
    names = [restore(c.strip()).lower() for c in cells]
    while names and names[-1] == "":
        names.pop()
    if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
        separator = "semicolons (;)" if ";" in names[0] else "tabs"
        raise _FileProblem(
            Problem(
                1,
                "",
                cells[0][:80],
                f"the columns are separated by {separator}; this import needs commas "
                "(in Excel: Save As › CSV UTF-8 (Comma delimited))",
            )
        )
    for other, columns in formats.KINDS.items():
        if other != kind and sorted(names) == sorted(columns):
            raise _FileProblem(
                Problem(1, "", "", f"these are the columns of a {other} file, not of {kind}")
            )
    problems: list[Problem] = []
    unknown = [n for n in names if n not in expected]
    optional = formats.OPTIONAL_COLUMNS.get(kind, ())
    for column in expected:
        if column in names or column in optional:
            continue
        near = formats.nearest(column, unknown)
        if near is not None:
            unknown.remove(near)
            problems.append(Problem(1, near, near, f"unknown column; did you mean '{column}'?"))
        else:
            problems.append(Problem(1, column, "", "this column is missing"))
    for name in unknown:
        shown = name or "(empty)"
        problems.append(
            Problem(1, shown, name, f"unknown column; the columns are {', '.join(expected)}")
        )
    seen: set[str] = set()
    for name in names:
        if name in seen and name in expected:
            problems.append(Problem(1, name, name, "this column appears twice"))
        seen.add(name)
    if problems:
        raise _FileProblem(*problems)
    return {column: names.index(column) for column in expected if column in names}


# --------------------------------------------------------------------------- rows and lookups


@dataclass
class _Row:
    """One data row: where it is, its cleaned text, the typed values and its key."""

    line: int
    text: dict[str, str]
    values: dict[str, object] = field(default_factory=dict)
    key: object = None
    ok: bool = True


class _Context:
    """What one import knows: who imports, and the lookups made so far (only keys seen)."""

    def __init__(
        self, kind: str, viewer: Viewer | None, result: ImportResult, today: dt.date
    ) -> None:
        self.kind = kind
        self.viewer = viewer
        self.result = result
        self.today = today
        self.clients: dict[str, tuple[int, int] | None] = {}
        self.intakes: dict[int, dt.date] = {}
        self.clinicians: dict[str, int | None] = {}
        self.types: dict[str, int] = {}
        self.type_names: list[str] = []

    @property
    def full_scope(self) -> bool:
        return self.viewer is None or self.viewer.is_admin

    def bad(self, row: _Row, column: str, reason: str) -> None:
        row.ok = False
        self.result._add(Problem(row.line, column, row.text.get(column, ""), reason))

    def unknown_client_reason(self) -> str:
        if self.full_scope:
            return "unknown client code"
        return "unknown client code, or not one of your clients"

    def load_types(self, conn: Connection) -> None:
        """The homework catalogue (a handful of rows), by lower-case name."""
        rows = conn.execute(
            select(AssignmentType.id, AssignmentType.name).order_by(AssignmentType.id)
        ).all()
        self.types = {name.lower(): type_id for type_id, name in rows}
        self.type_names = [name for _, name in rows]

    def lookup_clients(self, conn: Connection, codes: Iterable[str]) -> None:
        """Fetch (id, clinician_id) of the codes not seen yet: exact first, then ignoring case."""
        wanted = {c.lower(): c for c in codes if c.lower() not in self.clients}
        if not wanted:
            return
        columns = (Client.code, Client.id, Client.clinician_id, Client.intake_on)
        found = conn.execute(select(*columns).where(Client.code.in_(list(wanted.values())))).all()
        missing = [k for k in wanted if k not in {code.lower() for code, *_ in found}]
        if missing:
            found += conn.execute(
                select(*columns).where(func.lower(Client.code).in_(missing))
            ).all()
        for code, client_id, clinician_id, intake_on in found:
            self.clients[code.lower()] = (client_id, clinician_id)
            self.intakes[client_id] = intake_on
        for key in wanted:
            self.clients.setdefault(key, None)

    def client(self, code: str) -> tuple[int, int] | None:
        """(client_id, clinician_id) when the client exists and the importer may write it."""
        found = self.clients.get(code.lower())
        if found is None:
            return None
        if not self.full_scope and found[1] != self.viewer.clinician_id:
            return None
        return found

    def lookup_clinicians(self, conn: Connection, emails: Iterable[str]) -> None:
        """Fetch the ids of the emails not seen yet (emails are stored lower-case)."""
        wanted = {e for e in emails if e and e not in self.clinicians}
        if not wanted:
            return
        for email, clinician_id in conn.execute(
            select(func.lower(Clinician.email), Clinician.id).where(
                func.lower(Clinician.email).in_(sorted(wanted))
            )
        ):
            self.clinicians[email] = clinician_id
        for email in wanted:
            self.clinicians.setdefault(email, None)


def _required(ctx: _Context, row: _Row, *columns: str) -> bool:
    ok = True
    for column in columns:
        if not row.text[column]:
            ctx.bad(row, column, "a value is required")
            ok = False
    return ok


def _date(ctx: _Context, row: _Row, column: str) -> dt.date | None:
    """The column as a date (None when empty or bad; bad ones are reported)."""
    text = row.text[column]
    if not text:
        return None
    try:
        return formats.parse_date(text)
    except ValueError as exc:
        ctx.bad(row, column, str(exc))
        return None


def _choice(ctx: _Context, row: _Row, column: str, parse: Callable[[str], str]) -> str | None:
    try:
        return parse(row.text[column])
    except ValueError as exc:
        ctx.bad(row, column, str(exc))
        return None


def _length(ctx: _Context, row: _Row, column: str, limit_key: str) -> None:
    limit = MAX_LENGTH[limit_key]
    if len(row.text[column]) > limit:
        ctx.bad(row, column, f"longer than {limit} characters")


def _by_id(values: dict[str, object]) -> dict[str, object]:
    return {"b_id": values["_id"], **{k: v for k, v in values.items() if not k.startswith("_")}}


def _update_by_id(conn: Connection, table, rows: list[dict[str, object]]) -> None:  # noqa: ANN001
    """Executemany UPDATE … WHERE id = :b_id for rows carrying their `_id`."""
    if not rows:
        return
    params = [_by_id(r) for r in rows]
    columns = [k for k in params[0] if k != "b_id"]
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({c: bindparam(c) for c in columns})
    )
    conn.execute(statement, params)


# --------------------------------------------------------------------------- the five kinds


class _Kind:
    """How one kind's rows are checked, matched to existing records, and written."""

    key_columns: tuple[str, ...] = ()

    def parse(self, ctx: _Context, row: _Row) -> None:
        """Check the row's own values; set row.values and row.key."""
        raise NotImplementedError

    def resolve(self, ctx: _Context, conn: Connection, rows: list[_Row]) -> None:
        """Look up the records the batch refers to, in bulk, and report unknown ones."""

    def existing(self, ctx: _Context, conn: Connection, rows: list[_Row]) -> dict:
        """key -> (id, comparable tuple) of the batch's rows already in the database."""
        raise NotImplementedError

    def comparable(self, row: _Row) -> tuple:
        raise NotImplementedError

    def order(self, row: _Row) -> tuple[int, str]:
        """Where a new row goes in the write order (client id, then a day or key as text)."""
        return 0, str(row.key)

    def write(self, ctx: _Context, conn: Connection, new: list[_Row], changed: list[_Row]) -> None:
        raise NotImplementedError

    def finish(self, ctx: _Context, conn: Connection, writing: bool) -> None:
        """Checks and writes that need the whole file (clinicians' supervisors)."""


class _Clinicians(_Kind):
    key_columns = ("email",)

    def __init__(self) -> None:
        self.in_file: dict[str, int] = {}
        self.unresolved: list[_Row] = []
        self.pending_supervisors: list[_Row] = []
        self.written_ids: dict[str, int] = {}

    def parse(self, ctx: _Context, row: _Row) -> None:
        if not ctx.full_scope:
            ctx.bad(row, "email", "only an admin can import clinicians")
            return
        if not _required(ctx, row, "email", "name", "role"):
            return
        email = normalise_email(row.text["email"])
        supervisor = normalise_email(row.text["supervisor_email"])
        if not EMAIL.match(email):
            ctx.bad(row, "email", "not a valid email address")
        _length(ctx, row, "email", "email")
        if problem := name_problem(row.text["name"]):
            ctx.bad(row, "name", problem)
        role = _choice(ctx, row, "role", formats.role)
        if supervisor and not EMAIL.match(supervisor):
            ctx.bad(row, "supervisor_email", "not a valid email address")
        elif supervisor and supervisor == email:
            ctx.bad(row, "supervisor_email", "a clinician cannot supervise themselves")
        row.key = email
        row.values = {
            "email": email,
            "name": row.text["name"],
            "role": role,
            "_supervisor": supervisor,
        }
        self.in_file.setdefault(email, row.line)

    def resolve(self, ctx: _Context, conn: Connection, rows: list[_Row]) -> None:
        """Supervisors must exist in the database or further down the file (checked at the end)."""
        ctx.lookup_clinicians(conn, [r.values["_supervisor"] for r in rows])
        self.unresolved += [
            r
            for r in rows
            if r.values["_supervisor"] and ctx.clinicians.get(r.values["_supervisor"]) is None
        ]

    def existing(self, ctx: _Context, conn: Connection, rows: list[_Row]) -> dict:
        boss = aliased(Clinician)
        query = (
            select(
                Clinician.id,
                func.lower(Clinician.email),
                Clinician.name,
                Clinician.role,
                boss.email,
            )
            .outerjoin(boss, boss.id == Clinician.supervisor_id)
            .where(func.lower(Clinician.email).in_([r.key for r in rows]))
        )
        return {
            email: (cid, (name, role, (sup or "").lower()))
            for cid, email, name, role, sup in conn.execute(query)
        }

    def comparable(self, row: _Row) -> tuple:
        v = row.values
        return (v["name"], v["role"], v["_supervisor"])

    def write(self, ctx: _Context, conn: Connection, new: list[_Row], changed: list[_Row]) -> None:
        table = Clinician.__table__
        if new:
            for row in new:
                cid = conn.execute(
                    insert(table).values(
                        email=row.values["email"], name=row.values["name"], role=row.values["role"]
                    )
                ).inserted_primary_key[0]
                self.written_ids[row.key] = cid
        _update_by_id(
            conn,
            table,
            [
                {"_id": r.values["_id"], "name": r.values["name"], "role": r.values["role"]}
                for r in changed
            ],
        )
        self.pending_supervisors.extend(new + changed)

    def finish(self, ctx: _Context, conn: Connection, writing: bool) -> None:
        for row in self.unresolved:
            if row.values["_supervisor"] not in self.in_file:
                ctx.bad(row, "supervisor_email", "unknown supervisor email")
        if not writing:
            return
        emails = {r.values["_supervisor"] for r in self.pending_supervisors}
        ctx.clinicians = {}
        ctx.lookup_clinicians(conn, emails)
        _update_by_id(
            conn,
            Clinician.__table__,
            [
                {
                    "_id": r.values.get("_id") or self.written_ids[r.key],
                    "supervisor_id": ctx.clinicians.get(r.values["_supervisor"]),
                }
                for r in self.pending_supervisors
            ],
        )


class _Clients(_Kind):
    key_columns = ("client_code",)

    def parse(self, ctx: _Context, row: _Row) -> None:
        if not _required(ctx, row, "client_code", "clinician_email", "intake_on"):
            return
        if problem := code_problem(row.text["client_code"]):
            ctx.bad(row, "client_code", problem)
        intake = _date(ctx, row, "intake_on")
        discharged = _date(ctx, row, "discharged_on")
        if intake and discharged and discharged < intake:
            ctx.bad(row, "discharged_on", "discharge date is before the intake date")
        email = normalise_email(row.text["clinician_email"])
        if not ctx.full_scope and email != ctx.viewer.email.lower():
            ctx.bad(row, "clinician_email", "you can import only your own clients")
        row.key = row.text["client_code"].lower()
        row.values = {
            "code": row.text["client_code"],
            "intake_on": intake,
            "discharged_on": discharged,
            "_email": email,
        }

    def resolve(self, ctx: _Context, conn: Connection, rows: list[_Row]) -> None:
        ctx.lookup_clinicians(conn, [r.values["_email"] for r in rows])
        ctx.lookup_clients(conn, [r.values["code"] for r in rows])
        for row in rows:
            clinician_id = ctx.clinicians.get(row.values["_email"])
            if clinician_id is None:
                ctx.bad(row, "clinician_email", "unknown clinician email")
                continue
            row.values["clinician_id"] = clinician_id
            found = ctx.clients.get(row.key)
            if found and not ctx.full_scope and found[1] != ctx.viewer.clinician_id:
                # Worded as for a code outside the viewer's scope anywhere: it must not say
                # whether another clinician's client holds this code.
                ctx.bad(row, "client_code", "this client code cannot be used; choose another")

    def existing(self, ctx: _Context, conn: Connection, rows: list[_Row]) -> dict:
        ids = [ctx.clients[r.key][0] for r in rows if ctx.clients.get(r.key)]
        query = select(
            Client.id, Client.code, Client.clinician_id, Client.intake_on, Client.discharged_on
        ).where(Client.id.in_(ids))
        return {
            code.lower(): (cid, (clin, intake, discharged))
            for cid, code, clin, intake, discharged in conn.execute(query)
        }

    def comparable(self, row: _Row) -> tuple:
        v = row.values
        return (v["clinician_id"], v["intake_on"], v["discharged_on"])

    def write(self, ctx: _Context, conn: Connection, new: list[_Row], changed: list[_Row]) -> None:
        fields = ("clinician_id", "intake_on", "discharged_on")
        if new:
            conn.execute(
                insert(Client.__table__),
                [{"code": r.values["code"], **{f: r.values[f] for f in fields}} for r in new],
            )
        _update_by_id(
            conn,
            Client.__table__,
            [{"_id": r.values["_id"], **{f: r.values[f] for f in fields}} for r in changed],
        )


class _ClientRows(_Kind):
    """Shared by sessions, assignments and scores: each row names a client by its code."""

    day_field = ""  # the row's day, which orders a client's new rows for writing

    def order(self, row: _Row) -> tuple[int, str]:
        measure = row.values.get("measure") or ""
        return row.values["client_id"], f"{measure}{row.values[self.day_field]}"

    def resolve(self, ctx: _Context, conn: Connection, rows: list[_Row]) -> None:
        ctx.lookup_clients(conn, [r.text["client_code"] for r in rows])
        for row in rows:
            found = ctx.client(row.text["client_code"])
            if found is None:
                ctx.bad(row, "client_code", ctx.unknown_client_reason())
            else:
                row.values["client_id"], row.values["_clinician_id"] = found
                self.check_days(ctx, row, ctx.intakes[found[0]])

    def check_days(self, ctx: _Context, row: _Row, intake_on: dt.date) -> None:
        """The forms' date rules (entry_rules): nothing recorded in the future or before intake."""


class _Sessions(_ClientRows):
    key_columns = ("client_code", "held_on")
    day_field = "held_on"

    def parse(self, ctx: _Context, row: _Row) -> None:
        if not _required(ctx, row, "client_code", "held_on", "attendance"):
            return
        held_on = _date(ctx, row, "held_on")
        attendance = _choice(ctx, row, "attendance", formats.attendance)
        row.key = (row.text["client_code"].lower(), held_on)
        row.values = {"held_on": held_on, "attendance": attendance}

    def existing(self, ctx: _Context, conn: Connection, rows: list[_Row]) -> dict:
        pairs = sorted({(r.values["client_id"], r.values["held_on"]) for r in rows})
        query = select(
            TherapySession.id,
            TherapySession.client_id,
            TherapySession.held_on,
            TherapySession.attendance,
        ).where(tuple_(TherapySession.client_id, TherapySession.held_on).in_(pairs))
        by_pair = {(c, d): (sid, (att,)) for sid, c, d, att in conn.execute(query)}
        return {
            r.key: by_pair[(r.values["client_id"], r.values["held_on"])]
            for r in rows
            if (r.values["client_id"], r.values["held_on"]) in by_pair
        }

    def check_days(self, ctx: _Context, row: _Row, intake_on: dt.date) -> None:
        held_on = row.values.get("held_on")
        if held_on is not None:
            problem = entry_rules.session_day_problem(
                held_on, row.values.get("attendance"), ctx.today, intake_on
            )
            if problem:
                ctx.bad(row, "held_on", problem)

    def comparable(self, row: _Row) -> tuple:
        return (row.values["attendance"],)

    def write(self, ctx: _Context, conn: Connection, new: list[_Row], changed: list[_Row]) -> None:
        if new:
            conn.execute(
                insert(TherapySession.__table__),
                [
                    {
                        "client_id": r.values["client_id"],
                        "clinician_id": r.values["_clinician_id"],
                        "held_on": r.values["held_on"],
                        "attendance": r.values["attendance"],
                    }
                    for r in new
                ],
            )
        _update_by_id(
            conn,
            TherapySession.__table__,
            [{"_id": r.values["_id"], "attendance": r.values["attendance"]} for r in changed],
        )


ASSIGNMENT_FIELDS = (
    "client_id",
    "type_id",
    "assigned_on",
    "due_on",
    "status",
    "difficulty",
    "engagement",
    "reviewed_on",
    "instructions",
)


class _Assignments(_ClientRows):
    key_columns = ("assignment_id",)
    day_field = "assigned_on"

    def __init__(self) -> None:
        self.contents: dict[tuple, int] = {}  # new rows' (client, type, day, instructions)

    def check_days(self, ctx: _Context, row: _Row, intake_on: dt.date) -> None:
        for column, intake in (("assigned_on", intake_on), ("reviewed_on", None)):
            day = row.values.get(column)
            problem = day and entry_rules.day_problem(day, ctx.today, intake)
            if problem:
                ctx.bad(row, column, problem)

    def check_new(self, ctx: _Context, conn: Connection, rows: list[_Row]) -> None:
        """New assignments obey the form's rules: instructions written, and not identical to
        one already stored or further up the file."""
        contents = {}
        for row in rows:
            v = row.values
            problem = entry_rules.instructions_problem(v["instructions"])
            if problem:
                ctx.bad(row, "instructions", problem)
                continue
            content = (v["client_id"], v["type_id"], v["assigned_on"], v["instructions"].strip())
            first = self.contents.setdefault(content, row.line)
            if first != row.line:
                ctx.bad(row, "instructions", f"identical to the homework on line {first}")
            else:
                contents[row.line] = content
        stored = entry_rules.identical_assignments(conn, list(contents.values()))
        for row in rows:
            same = stored.get(contents.get(row.line))
            if same is not None:
                ctx.bad(row, "instructions", entry_rules.identical_message(same))

    def parse(self, ctx: _Context, row: _Row) -> None:
        if not _required(
            ctx, row, "assignment_id", "client_code", "type", "assigned_on", "due_on", "status"
        ):
            return
        _length(ctx, row, "assignment_id", "assignment_id")
        assigned = _date(ctx, row, "assigned_on")
        due = _date(ctx, row, "due_on")
        reviewed = _date(ctx, row, "reviewed_on")
        status = _choice(ctx, row, "status", formats.status)
        difficulty = engagement = None
        try:
            if row.text["difficulty"]:
                difficulty = formats.whole_number(row.text["difficulty"], 1, 5, "difficulty")
        except ValueError as exc:
            ctx.bad(row, "difficulty", str(exc))
        try:
            if row.text["engagement"]:
                engagement = formats.whole_number(row.text["engagement"], 0, 4, "engagement")
        except ValueError as exc:
            ctx.bad(row, "engagement", str(exc))
        type_id = ctx.types.get(row.text["type"].lower())
        if type_id is None:
            names = ctx.type_names
            hint = formats.nearest(row.text["type"], names)
            ctx.bad(
                row,
                "type",
                "unknown assignment type"
                + (f"; did you mean '{hint}'?" if hint else f"; the types are {', '.join(names)}"),
            )
        if assigned and due and due < assigned:
            ctx.bad(row, "due_on", "due date is before the assigned date")
        if assigned and reviewed and reviewed < assigned:
            ctx.bad(row, "reviewed_on", "reviewed date is before the assigned date")
        if status == "pending" and reviewed:
            ctx.bad(
                row,
                "reviewed_on",
                "a pending assignment has no review date; set the status or clear it",
            )
        if status == "pending" and engagement is not None:
            ctx.bad(
                row,
                "engagement",
                "a pending assignment has no engagement rating; set the status or clear it",
            )
        row.key = row.text["assignment_id"]
        row.values = {
            "type_id": type_id,
            "assigned_on": assigned,
            "due_on": due,
            "status": status,
            "difficulty": difficulty,
            "engagement": engagement,
            "reviewed_on": reviewed,
            "instructions": row.text["instructions"],
        }

    def existing(self, ctx: _Context, conn: Connection, rows: list[_Row]) -> dict:
        columns = [getattr(Assignment, f) for f in ASSIGNMENT_FIELDS]
        keys = [r.key for r in rows]
        found = {
            ext: (aid, tuple(rest))
            for aid, ext, *rest in conn.execute(
                select(Assignment.id, Assignment.external_id, *columns).where(
                    Assignment.external_id.in_(keys)
                )
            )
        }
        internal = {
            int(k[len(INTERNAL_ID_PREFIX) :]): k
            for k in keys
            if k not in found
            and k.startswith(INTERNAL_ID_PREFIX)
            and k[len(INTERNAL_ID_PREFIX) :].isdigit()
        }
        if internal:
            for aid, *rest in conn.execute(
                select(Assignment.id, *columns).where(
                    Assignment.id.in_(list(internal)), Assignment.external_id.is_(None)
                )
            ):
                found[internal[aid]] = (aid, tuple(rest))
        return found

    def comparable(self, row: _Row) -> tuple:
        return tuple(row.values[f] for f in ASSIGNMENT_FIELDS)

    def check_existing(self, ctx: _Context, row: _Row, existing: tuple) -> None:
        if existing[0] != row.values["client_id"]:
            ctx.bad(row, "assignment_id", "this assignment_id already belongs to another client")

    def _values(self, row: _Row) -> dict[str, object]:
        values = {f: row.values[f] for f in ASSIGNMENT_FIELDS}
        values["due_week"] = monday_of(row.values["due_on"])
        return values

    def write(self, ctx: _Context, conn: Connection, new: list[_Row], changed: list[_Row]) -> None:
        if new:
            conn.execute(
                insert(Assignment.__table__),
                [
                    {
                        **self._values(r),
                        "external_id": r.key,
                        "clinician_id": r.values["_clinician_id"],
                    }
                    for r in new
                ],
            )
        _update_by_id(
            conn,
            Assignment.__table__,
            [{"_id": r.values["_id"], **self._values(r)} for r in changed],
        )


class _Scores(_ClientRows):
    key_columns = ("client_code", "measure", "recorded_on")
    day_field = "recorded_on"

    def parse(self, ctx: _Context, row: _Row) -> None:
        if not _required(ctx, row, "client_code", "measure", "score", "recorded_on"):
            return
        recorded = _date(ctx, row, "recorded_on")
        code = _choice(ctx, row, "measure", formats.measure)
        value = None
        if code is not None:
            spec = MEASURES[code]
            try:
                value = formats.whole_number(
                    row.text["score"], spec.min_value, spec.max_value, f"a {code} score"
                )
            except ValueError as exc:
                ctx.bad(row, "score", str(exc))
        items: tuple[int | None, ...] = (None,) * len(ITEM_COLUMNS)
        if code is not None:
            texts = [row.text[c] for c in ITEM_COLUMNS]
            try:
                items = formats.items(texts, code, value)
            except ItemsError as exc:
                ctx.bad(row, exc.column, str(exc))
        row.key = (row.text["client_code"].lower(), code, recorded)
        row.values = {
            "measure": code,
            "value": value,
            "recorded_on": recorded,
            **dict(zip(ITEM_COLUMNS, items, strict=True)),
        }

    def check_days(self, ctx: _Context, row: _Row, intake_on: dt.date) -> None:
        recorded = row.values.get("recorded_on")
        problem = recorded and entry_rules.day_problem(recorded, ctx.today, intake_on)
        if problem:
            ctx.bad(row, "recorded_on", problem)

    def existing(self, ctx: _Context, conn: Connection, rows: list[_Row]) -> dict:
        triples = sorted(
            {(r.values["client_id"], r.values["measure"], r.values["recorded_on"]) for r in rows}
        )
        item_columns = [getattr(Score, c) for c in ITEM_COLUMNS]
        query = (
            select(
                Score.id, Score.client_id, Score.measure, Score.recorded_on, Score.value,
                *item_columns,
            )
            .where(tuple_(Score.client_id, Score.measure, Score.recorded_on).in_(triples))
            .order_by(Score.id)
        )  # fmt: skip
        by_triple: dict[tuple, tuple[int, tuple]] = {}
        for sid, client_id, code, day, *answers in conn.execute(query):
            by_triple.setdefault((client_id, code, day), (sid, tuple(answers)))
        out = {}
        for r in rows:
            triple = (r.values["client_id"], r.values["measure"], r.values["recorded_on"])
            if triple in by_triple:
                out[r.key] = by_triple[triple]
        return out

    def comparable(self, row: _Row) -> tuple:
        return tuple(row.values[c] for c in ("value", *ITEM_COLUMNS))

    def write(self, ctx: _Context, conn: Connection, new: list[_Row], changed: list[_Row]) -> None:
        answers = ("value", *ITEM_COLUMNS)
        if new:
            upsert = (sqlite_insert if is_sqlite(conn) else postgresql_insert)(Score.__table__)
            conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=["client_id", "measure", "recorded_on"],
                    set_={c: upsert.excluded[c] for c in answers},
                ),
                [
                    {
                        "client_id": r.values["client_id"],
                        "measure": r.values["measure"],
                        "recorded_on": r.values["recorded_on"],
                        **{c: r.values[c] for c in answers},
                    }
                    for r in new
                ],
            )
        _update_by_id(
            conn,
            Score.__table__,
            [{"_id": r.values["_id"], **{c: r.values[c] for c in answers}} for r in changed],
        )


_HANDLERS: dict[str, type[_Kind]] = {
    "clinicians": _Clinicians,
    "clients": _Clients,
    "sessions": _Sessions,
    "assignments": _Assignments,
    "scores": _Scores,
}


# --------------------------------------------------------------------------- the two passes


def _batches(
    kind: str, source: bytes | str | Path, fmt: str, ctx: _Context
) -> Iterator[list[_Row]]:
    """The file's data rows, cleaned, in batches; file-level problems raise _FileProblem."""
    with _opened(source) as handle:
        records = _xlsx_records(handle) if fmt == "xlsx" else _csv_records(handle)
        first = next(records, None)
        if first is None:
            raise _FileProblem(
                Problem(
                    1,
                    "",
                    "",
                    "the file is empty; the first line must be "
                    f"the header: {','.join(formats.KINDS[kind])}",
                )
            )
        positions = _header(kind, first[1])
        width = len(positions)
        batch: list[_Row] = []
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
            batch.append(_Row(line, text))
            if len(batch) >= BATCH_ROWS:
                yield batch
                batch, since = [], 0
        if batch:
            yield batch


class _Plan:
    """The checked rows to write, kept in a temporary SQLite file (not memory), in write order.

    The check pass fills it outside any write transaction; the write transaction only replays
    it, so the database's write lock is held for the writing alone. New rows come back sorted
    by client and day (the order of most indexes they enter): for 100,000 assignments spread
    over 300 clients that halves SQLite's insert time. Changed rows come back by id.
    """

    def __init__(self) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="bs-import-")
        self.db = sqlite3.connect(Path(self.folder.name) / "plan.db")
        self.db.execute("CREATE TABLE plan (changed INTEGER, k1 INTEGER, k2 TEXT, row BLOB)")

    def add(self, handler: _Kind, new: list[_Row], changed: list[_Row]) -> None:
        rows = []
        for is_changed, batch in ((0, new), (1, changed)):
            for row in batch:
                row.text = {}
                k1, k2 = (row.values["_id"], "") if is_changed else handler.order(row)
                rows.append((is_changed, k1, k2, pickle.dumps(row, pickle.HIGHEST_PROTOCOL)))
        self.db.executemany("INSERT INTO plan VALUES (?, ?, ?, ?)", rows)

    def replay(self) -> Iterator[tuple[list[_Row], list[_Row]]]:
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
    ctx: _Context,
    handler: _Kind,
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
        new: list[_Row] = []
        changed: list[_Row] = []
        for row in good:
            found = existing.get(row.key)
            if found is None:
                new.append(row)
                continue
            row.values["_id"] = found[0]
            if isinstance(handler, _Assignments):
                handler.check_existing(ctx, row, found[1])
                if not row.ok:
                    continue
            if handler.comparable(row) == found[1]:
                result.unchanged += 1
            else:
                changed.append(row)
        if isinstance(handler, _Assignments):
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
    handler = _HANDLERS[kind]()
    ctx = _Context(kind, viewer, ImportResult(kind, dry_run=False), today)
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
    total = 0 if fmt == "xlsx" else max(_count_lines(source) - 1, 0)
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
    ctx = _Context(kind, viewer, result, today)
    try:
        with engine.connect() as conn:
            _run(conn, kind, source, fmt, ctx, _HANDLERS[kind](), plan, progress, total)
    except _FileProblem as exc:
        for problem in exc.problems:
            result._add(problem)
    result.problems.sort(key=lambda p: p.line)  # stable: a line's problems keep their order
    return result


PREVIEW_ROWS = 10


def preview(source: bytes | str | Path, kind: str, fmt: str = "csv") -> pd.DataFrame | None:
    """The first PREVIEW_ROWS rows of the columns `kind` knows, as the file holds them, or None
    when the file is unreadable or names none of them; other columns are never shown."""
    try:
        with _opened(source) as handle:
            records = _xlsx_records(handle) if fmt == "xlsx" else _csv_records(handle)
            first = next(records, None)
            if first is None:
                return None
            rows = [cells for _, cells in islice(records, PREVIEW_ROWS)]
    except _FileProblem:
        return None
    names = [restore(c.strip()).lower() for c in first[1]]
    known = [c for c in formats.KINDS[kind] if c in names]
    if not known:
        return None
    positions = [names.index(c) for c in known]
    shaped = [[r[i] if i < len(r) else "" for i in positions] for r in rows]
    return pd.DataFrame(shaped, columns=known, dtype=object)
