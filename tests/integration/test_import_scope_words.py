"""A clinician's import check never says whose a client code is: a code held by another
clinician's client is refused in the same words as one outside their scope in any way."""

from __future__ import annotations

from sqlalchemy import Engine, text

from data_access.access.viewer import Viewer
from data_access.records.importer import import_file
from tests.integration.test_importer import csv_bytes, dump, practice, problems  # noqa: F401


def test_another_clinicians_code_is_refused_without_naming_its_owner(practice: Engine):  # noqa: F811
    with practice.connect() as conn:
        ben = conn.execute(
            text("SELECT id, email, name, role FROM clinicians WHERE email LIKE 'ben%'")
        ).one()
    before = dump(practice)
    # C-0201 is Cara's client; Ben tries to claim the code for a client of his own.
    result = import_file(
        practice,
        "clients",
        csv_bytes("clients", "C-0201,ben.clinician@example.org,2026-03-02,"),
        viewer=Viewer(*ben),
    )
    assert problems(result) == [
        (2, "client_code", "this client code cannot be used; choose another")
    ]
    assert "another clinician" not in str(result.problems)
    assert dump(practice) == before
