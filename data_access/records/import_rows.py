"""One import's rows and what it knows: the typed row, the lookups of keys seen so far, the
cell checks every kind shares, and the interface each kind implements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, bindparam, func, select, update

from data_access.access.viewer import Viewer
from data_access.records import formats
from data_access.records.import_result import ImportResult, Problem
from data_access.store.schema import AssignmentType, Client, Clinician

MAX_LENGTH = {"assignment_id": 100, "email": 254}


@dataclass
class Row:
    """One data row: where it is, its cleaned text, the typed values and its key."""

    line: int
    text: dict[str, str]
    values: dict[str, object] = field(default_factory=dict)
    key: object = None
    ok: bool = True


class Context:
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

    def bad(self, row: Row, column: str, reason: str) -> None:
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


def required(ctx: Context, row: Row, *columns: str) -> bool:
    ok = True
    for column in columns:
        if not row.text[column]:
            ctx.bad(row, column, "a value is required")
            ok = False
    return ok


def date_cell(ctx: Context, row: Row, column: str) -> dt.date | None:
    """The column as a date (None when empty or bad; bad ones are reported)."""
    text = row.text[column]
    if not text:
        return None
    try:
        return formats.parse_date(text)
    except ValueError as exc:
        ctx.bad(row, column, str(exc))
        return None


def choice_cell(ctx: Context, row: Row, column: str, parse: Callable[[str], str]) -> str | None:
    try:
        return parse(row.text[column])
    except ValueError as exc:
        ctx.bad(row, column, str(exc))
        return None


def length_cell(ctx: Context, row: Row, column: str, limit_key: str) -> None:
    limit = MAX_LENGTH[limit_key]
    if len(row.text[column]) > limit:
        ctx.bad(row, column, f"longer than {limit} characters")


def _by_id(values: dict[str, object]) -> dict[str, object]:
    return {"b_id": values["_id"], **{k: v for k, v in values.items() if not k.startswith("_")}}


def update_by_id(conn: Connection, table, rows: list[dict[str, object]]) -> None:  # noqa: ANN001
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


class Kind:
    """How one kind's rows are checked, matched to existing records, and written."""

    key_columns: tuple[str, ...] = ()

    def parse(self, ctx: Context, row: Row) -> None:
        """Check the row's own values; set row.values and row.key."""
        raise NotImplementedError

    def resolve(self, ctx: Context, conn: Connection, rows: list[Row]) -> None:
        """Look up the records the batch refers to, in bulk, and report unknown ones."""

    def existing(self, ctx: Context, conn: Connection, rows: list[Row]) -> dict:
        """key -> (id, comparable tuple) of the batch's rows already in the database."""
        raise NotImplementedError

    def comparable(self, row: Row) -> tuple:
        raise NotImplementedError

    def order(self, row: Row) -> tuple[int, str]:
        """Where a new row goes in the write order (client id, then a day or key as text)."""
        return 0, str(row.key)

    def write(self, ctx: Context, conn: Connection, new: list[Row], changed: list[Row]) -> None:
        raise NotImplementedError

    def finish(self, ctx: Context, conn: Connection, writing: bool) -> None:
        """Checks and writes that need the whole file (clinicians' supervisors)."""
