"""Build small practices by hand, row by row, so a test can work out the right answers itself."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from sqlalchemy import Engine, insert, select

from data_access.access.passwords import hash_password
from data_access.access.viewer import Viewer
from data_access.store.engine import refresh_maintained
from data_access.store.schema import (
    Assignment,
    AssignmentType,
    Client,
    Clinician,
    Score,
    TherapySession,
    UserAccount,
    monday_of,
)

D = dt.date  # shorthand for readable fixtures: D(2026, 3, 2)
_PASSWORD_HASH: dict[str, str] = {}
DEFAULT_INTAKE = dt.date(2026, 1, 5)


class Practice:
    """A hand-built practice: each `add_*` writes one row and returns its id."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._codes = itertools.count(1)
        with engine.connect() as conn:
            self.type_ids = dict(conn.execute(select(AssignmentType.name, AssignmentType.id)).all())

    def _insert(self, table, **values) -> int:  # noqa: ANN001 - any mapped table
        """Insert one row and keep the maintained counts and spans up to date, as every app
        write does."""
        with self.engine.begin() as conn:
            row_id = conn.execute(insert(table).values(**values)).inserted_primary_key[0]
            refresh_maintained(conn)
            return row_id

    def clinician(
        self,
        name: str,
        role: str = "clinician",
        supervisor: int | None = None,
        email: str | None = None,
        password: str | None = None,
    ) -> int:
        """A clinician; with `password`, also an active account for them."""
        email = email or f"{name.lower().replace(' ', '.')}@example.org"
        cid = self._insert(Clinician, name=name, email=email, role=role, supervisor_id=supervisor)
        if password is not None:
            if password not in _PASSWORD_HASH:
                _PASSWORD_HASH[password] = hash_password(password)
            self._insert(UserAccount, clinician_id=cid, password_hash=_PASSWORD_HASH[password])
        return cid

    def viewer(self, clinician_id: int) -> Viewer:
        """The Viewer for a clinician, as sign-in would make it."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(Clinician.id, Clinician.email, Clinician.name, Clinician.role).where(
                    Clinician.id == clinician_id
                )
            ).one()
        return Viewer(*row)

    def client(
        self,
        clinician: int,
        intake: dt.date = DEFAULT_INTAKE,
        discharged: dt.date | None = None,
        code: str | None = None,
    ) -> int:
        code = code or f"C-{next(self._codes):04d}"
        return self._insert(
            Client, code=code, clinician_id=clinician, intake_on=intake, discharged_on=discharged
        )

    def session(
        self,
        client: int,
        held_on: dt.date,
        attendance: str = "attended",
        clinician: int | None = None,
    ) -> int:
        clinician = clinician or self._clinician_of(client)
        return self._insert(
            TherapySession,
            client_id=client,
            clinician_id=clinician,
            held_on=held_on,
            attendance=attendance,
        )

    def assignment(
        self,
        client: int,
        assigned: dt.date,
        status: str = "pending",
        type_name: str = "Thought Record",
        due: dt.date | None = None,
        difficulty: int | None = 2,
        engagement: int | None = None,
        reviewed: dt.date | None = None,
        session: int | None = None,
        instructions: str = "",
        external_id: str | None = None,
    ) -> int:
        due = due or assigned + dt.timedelta(days=7)
        return self._insert(
            Assignment,
            client_id=client,
            clinician_id=self._clinician_of(client),
            type_id=self.type_ids[type_name],
            session_id=session,
            assigned_on=assigned,
            due_on=due,
            due_week=monday_of(due),
            status=status,
            difficulty=difficulty,
            engagement=engagement,
            reviewed_on=reviewed,
            instructions=instructions,
            external_id=external_id,
        )

    def score(
        self, client: int, measure: str, value: int, on: dt.date, items: Sequence[int] = ()
    ) -> int:
        """A score; `items` (when given) are its item answers in order, item_1 first."""
        answers = {f"item_{n}": v for n, v in enumerate(items, start=1)}
        return self._insert(
            Score, client_id=client, measure=measure, value=value, recorded_on=on, **answers
        )

    def _clinician_of(self, client: int) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(Client.clinician_id).where(Client.id == client)).scalar_one()
