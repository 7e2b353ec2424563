"""a client's move marks its homework for the counts by clinician alone, not the practice's mix

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 07:00:00

0010's trigger noted each (clinician, due week, type) of a moved client's assignments in
`aggregates_stale` as an assignment change does, so the refresh also recounted the practice's
`homework_mix_counts`, which has no clinician and does not change when a client moves: with a
year of homework, whole weeks of the practice (1.4–2.3 s of CPU at 10,000 clients, holding the
write lock). The move's marks now carry the type as `aggregates.MOVED - type_id` (-3 and below),
which the refresh reads as that type for `homework_counts` and `homework_week_counts` alone. A
client's deletion still marks the mix: its assignments go with it. No table changes.
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

MOVED = -2  # aggregates.MOVED, frozen here as this revision wrote it

# Both databases: the (clinician, week, type) of each of the client's assignments, with the
# clinician before (OLD) or after (NEW) the move.
_MARK = (
    "INSERT INTO aggregates_stale (clinician_id, due_week, type_id) "
    "SELECT DISTINCT {row}.clinician_id, due_week, {type} FROM assignments "
    "WHERE client_id = {row}.id;"
)
_SQLITE_WHEN = (
    "AFTER UPDATE OF clinician_id ON clients WHEN OLD.clinician_id IS NOT NEW.clinician_id"
)


def _sqlite_trigger(type_id: str) -> str:
    body = "".join(_MARK.format(row=row, type=type_id) for row in ("OLD", "NEW"))
    return f"CREATE TRIGGER clients_moved_stale {_SQLITE_WHEN} BEGIN {body} END"


# PostgreSQL: 0010's one function serves the move and the deletion; only the move changes.
def _pg_function(moved_type: str) -> str:
    deleted = _MARK.format(row="OLD", type="type_id")
    moved = "".join(_MARK.format(row=row, type=moved_type) for row in ("OLD", "NEW"))
    return f"""
CREATE OR REPLACE FUNCTION clients_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN {deleted} RETURN OLD; END IF;
    {moved}
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    moved = f"{MOVED} - type_id"
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER clients_moved_stale")
        op.execute(_sqlite_trigger(moved))
    else:
        op.execute(_pg_function(moved))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER clients_moved_stale")
        op.execute(_sqlite_trigger("type_id"))
    else:
        op.execute(_pg_function("type_id"))
