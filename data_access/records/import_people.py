"""Importing people: clinicians (by email, with their supervisors) and clients (by code)."""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.orm import aliased

from data_access.access.accounts import EMAIL, normalise_email
from data_access.records import formats
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
from data_access.records.text_rules import code_problem, name_problem
from data_access.store.schema import Client, Clinician


class Clinicians(Kind):
    key_columns = ("email",)

    def __init__(self) -> None:
        self.in_file: dict[str, int] = {}
        self.unresolved: list[Row] = []
        self.pending_supervisors: list[Row] = []
        self.written_ids: dict[str, int] = {}

    def parse(self, ctx: Context, row: Row) -> None:
        if not ctx.full_scope:
            ctx.bad(row, "email", "only an admin can import clinicians")
            return
        if not required(ctx, row, "email", "name", "role"):
            return
        email = normalise_email(row.text["email"])
        supervisor = normalise_email(row.text["supervisor_email"])
        if not EMAIL.match(email):
            ctx.bad(row, "email", "not a valid email address")
        length_cell(ctx, row, "email", "email")
        if problem := name_problem(row.text["name"]):
            ctx.bad(row, "name", problem)
        role = choice_cell(ctx, row, "role", formats.role)
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

    def resolve(self, ctx: Context, conn: Connection, rows: list[Row]) -> None:
        """Supervisors must exist in the database or further down the file (checked at the end)."""
        ctx.lookup_clinicians(conn, [r.values["_supervisor"] for r in rows])
        self.unresolved += [
            r
            for r in rows
            if r.values["_supervisor"] and ctx.clinicians.get(r.values["_supervisor"]) is None
        ]

    def existing(self, ctx: Context, conn: Connection, rows: list[Row]) -> dict:
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

    def comparable(self, row: Row) -> tuple:
        v = row.values
        return (v["name"], v["role"], v["_supervisor"])

    def write(self, ctx: Context, conn: Connection, new: list[Row], changed: list[Row]) -> None:
        table = Clinician.__table__
        if new:
            for row in new:
                cid = conn.execute(
                    insert(table).values(
                        email=row.values["email"], name=row.values["name"], role=row.values["role"]
                    )
                ).inserted_primary_key[0]
                self.written_ids[row.key] = cid
        update_by_id(
            conn,
            table,
            [
                {"_id": r.values["_id"], "name": r.values["name"], "role": r.values["role"]}
                for r in changed
            ],
        )
        self.pending_supervisors.extend(new + changed)

    def finish(self, ctx: Context, conn: Connection, writing: bool) -> None:
        for row in self.unresolved:
            if row.values["_supervisor"] not in self.in_file:
                ctx.bad(row, "supervisor_email", "unknown supervisor email")
        if not writing:
            return
        emails = {r.values["_supervisor"] for r in self.pending_supervisors}
        ctx.clinicians = {}
        ctx.lookup_clinicians(conn, emails)
        update_by_id(
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


class Clients(Kind):
    key_columns = ("client_code",)

    def parse(self, ctx: Context, row: Row) -> None:
        if not required(ctx, row, "client_code", "clinician_email", "intake_on"):
            return
        if problem := code_problem(row.text["client_code"]):
            ctx.bad(row, "client_code", problem)
        intake = date_cell(ctx, row, "intake_on")
        discharged = date_cell(ctx, row, "discharged_on")
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

    def resolve(self, ctx: Context, conn: Connection, rows: list[Row]) -> None:
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

    def existing(self, ctx: Context, conn: Connection, rows: list[Row]) -> dict:
        ids = [ctx.clients[r.key][0] for r in rows if ctx.clients.get(r.key)]
        query = select(
            Client.id, Client.code, Client.clinician_id, Client.intake_on, Client.discharged_on
        ).where(Client.id.in_(ids))
        return {
            code.lower(): (cid, (clin, intake, discharged))
            for cid, code, clin, intake, discharged in conn.execute(query)
        }

    def comparable(self, row: Row) -> tuple:
        v = row.values
        return (v["clinician_id"], v["intake_on"], v["discharged_on"])

    def write(self, ctx: Context, conn: Connection, new: list[Row], changed: list[Row]) -> None:
        fields = ("clinician_id", "intake_on", "discharged_on")
        if new:
            conn.execute(
                insert(Client.__table__),
                [{"code": r.values["code"], **{f: r.values[f] for f in fields}} for r in new],
            )
        update_by_id(
            conn,
            Client.__table__,
            [{"_id": r.values["_id"], **{f: r.values[f] for f in fields}} for r in changed],
        )
