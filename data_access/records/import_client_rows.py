"""Importing what happens to a client: sessions, assignments and scores, each row naming its
client by code and held to the forms' date rules (entry_rules)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, insert, select, tuple_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from data_access.records import entry_rules, formats
from data_access.records.import_rows import (
    Context,
    Kind,
    Row,
    choice_cell,
    date_cell,
    length_cell,
    required,
    update_by_id,
)
from data_access.records.questionnaires import ItemsError
from data_access.store.engine import is_sqlite
from data_access.store.schema import (
    ITEM_COLUMNS,
    MEASURES,
    Assignment,
    Score,
    TherapySession,
    monday_of,
)

INTERNAL_ID_PREFIX = "bs-"


class ClientRows(Kind):
    """Shared by sessions, assignments and scores: each row names a client by its code."""

    day_field = ""  # the row's day, which orders a client's new rows for writing

    def order(self, row: Row) -> tuple[int, str]:
        measure = row.values.get("measure") or ""
        return row.values["client_id"], f"{measure}{row.values[self.day_field]}"

    def resolve(self, ctx: Context, conn: Connection, rows: list[Row]) -> None:
        ctx.lookup_clients(conn, [r.text["client_code"] for r in rows])
        for row in rows:
            found = ctx.client(row.text["client_code"])
            if found is None:
                ctx.bad(row, "client_code", ctx.unknown_client_reason())
            else:
                row.values["client_id"], row.values["_clinician_id"] = found
                self.check_days(ctx, row, ctx.intakes[found[0]])

    def check_days(self, ctx: Context, row: Row, intake_on: dt.date) -> None:
        """The forms' date rules (entry_rules): nothing recorded in the future or before intake."""


class Sessions(ClientRows):
    key_columns = ("client_code", "held_on")
    day_field = "held_on"

    def parse(self, ctx: Context, row: Row) -> None:
        if not required(ctx, row, "client_code", "held_on", "attendance"):
            return
        held_on = date_cell(ctx, row, "held_on")
        attendance = choice_cell(ctx, row, "attendance", formats.attendance)
        row.key = (row.text["client_code"].lower(), held_on)
        row.values = {"held_on": held_on, "attendance": attendance}

    def existing(self, ctx: Context, conn: Connection, rows: list[Row]) -> dict:
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

    def check_days(self, ctx: Context, row: Row, intake_on: dt.date) -> None:
        held_on = row.values.get("held_on")
        if held_on is not None:
            problem = entry_rules.session_day_problem(
                held_on, row.values.get("attendance"), ctx.today, intake_on
            )
            if problem:
                ctx.bad(row, "held_on", problem)

    def comparable(self, row: Row) -> tuple:
        return (row.values["attendance"],)

    def write(self, ctx: Context, conn: Connection, new: list[Row], changed: list[Row]) -> None:
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
        update_by_id(
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


class Assignments(ClientRows):
    key_columns = ("assignment_id",)
    day_field = "assigned_on"

    def __init__(self) -> None:
        self.contents: dict[tuple, int] = {}  # new rows' (client, type, day, instructions)

    def check_days(self, ctx: Context, row: Row, intake_on: dt.date) -> None:
        for column, intake in (("assigned_on", intake_on), ("reviewed_on", None)):
            day = row.values.get(column)
            problem = day and entry_rules.day_problem(day, ctx.today, intake)
            if problem:
                ctx.bad(row, column, problem)

    def check_new(self, ctx: Context, conn: Connection, rows: list[Row]) -> None:
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

    def parse(self, ctx: Context, row: Row) -> None:
        if not required(
            ctx, row, "assignment_id", "client_code", "type", "assigned_on", "due_on", "status"
        ):
            return
        length_cell(ctx, row, "assignment_id", "assignment_id")
        assigned = date_cell(ctx, row, "assigned_on")
        due = date_cell(ctx, row, "due_on")
        reviewed = date_cell(ctx, row, "reviewed_on")
        status = choice_cell(ctx, row, "status", formats.status)
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

    def existing(self, ctx: Context, conn: Connection, rows: list[Row]) -> dict:
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

    def comparable(self, row: Row) -> tuple:
        return tuple(row.values[f] for f in ASSIGNMENT_FIELDS)

    def check_existing(self, ctx: Context, row: Row, existing: tuple) -> None:
        if existing[0] != row.values["client_id"]:
            ctx.bad(row, "assignment_id", "this assignment_id already belongs to another client")

    def _values(self, row: Row) -> dict[str, object]:
        values = {f: row.values[f] for f in ASSIGNMENT_FIELDS}
        values["due_week"] = monday_of(row.values["due_on"])
        return values

    def write(self, ctx: Context, conn: Connection, new: list[Row], changed: list[Row]) -> None:
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
        update_by_id(
            conn,
            Assignment.__table__,
            [{"_id": r.values["_id"], **self._values(r)} for r in changed],
        )


class Scores(ClientRows):
    key_columns = ("client_code", "measure", "recorded_on")
    day_field = "recorded_on"

    def parse(self, ctx: Context, row: Row) -> None:
        if not required(ctx, row, "client_code", "measure", "score", "recorded_on"):
            return
        recorded = date_cell(ctx, row, "recorded_on")
        code = choice_cell(ctx, row, "measure", formats.measure)
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

    def check_days(self, ctx: Context, row: Row, intake_on: dt.date) -> None:
        recorded = row.values.get("recorded_on")
        problem = recorded and entry_rules.day_problem(recorded, ctx.today, intake_on)
        if problem:
            ctx.bad(row, "recorded_on", problem)

    def existing(self, ctx: Context, conn: Connection, rows: list[Row]) -> dict:
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

    def comparable(self, row: Row) -> tuple:
        return tuple(row.values[c] for c in ("value", *ITEM_COLUMNS))

    def write(self, ctx: Context, conn: Connection, new: list[Row], changed: list[Row]) -> None:
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
        update_by_id(
            conn,
            Score.__table__,
            [{"_id": r.values["_id"], **{c: r.values[c] for c in answers}} for r in changed],
        )
