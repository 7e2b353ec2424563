"""The scope value: which clinicians' clients a view holds, within the clinician filter."""

from __future__ import annotations

from data_access.access.viewer import Viewer
from data_access.reads.filters import Filters
from data_access.reads.scope import Scope

ADMIN = Viewer(1, "a@example.org", "Ada Admin", "admin")
SUPERVISOR = Viewer(2, "s@example.org", "Sam Super", "supervisor")


def test_an_admin_without_filters_sees_everyone_and_gets_no_condition():
    scope = Scope(ADMIN, Filters(), None)
    assert scope.clinician_ids is None and scope.sees_everyone
    assert not Scope(ADMIN, Filters(client_status="active"), None).sees_everyone
    assert Scope(ADMIN, Filters(clinician_ids=(4,)), None).clinician_ids == (4,)


def test_the_clinician_filter_narrows_the_visible_clinicians_never_widens_them():
    scope = Scope(SUPERVISOR, Filters(clinician_ids=(3, 9)), (2, 3, 5))
    assert scope.clinician_ids == (3,)
    assert scope.with_filters(Filters()).clinician_ids == (2, 3, 5)
    assert Scope(SUPERVISOR, Filters(clinician_ids=(9,)), (2, 3)).clinician_ids == ()
    assert not scope.sees_everyone
