"""A crowd's page computations take turns (dashboard/workers.py): at most `slots` run at once,
a light one (a clinician's own, or one client's) goes before heavy ones already waiting, heavy
ones go in the order they came, a failure gives its slot back, and a computation that waited
too long runs beside a hung one."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from dashboard.workers import PageGate, is_light
from data_access.access.viewer import Viewer

CLINICIAN = Viewer(3, "cleo@example.org", "Cleo Clin", "clinician")
SUPERVISOR = Viewer(2, "sam@example.org", "Sam Super", "supervisor")
ADMIN = Viewer(1, "ada@example.org", "Ada Admin", "admin")


def wait_until(condition: Callable[[], bool], limit: float = 10.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "the gate never got there"
        time.sleep(0.005)


class Holder:
    """A computation in its own thread that holds its slot until released."""

    def __init__(self, gate: PageGate, light: bool, entered: list[str], name: str) -> None:
        self.release = threading.Event()

        def run() -> None:
            with gate.slot(light):
                entered.append(name)
                self.release.wait(10)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def finish(self) -> None:
        self.release.set()
        self.thread.join(10)


def test_no_more_than_the_slots_run_at_once_and_the_next_goes_when_one_ends():
    gate, entered = PageGate(2), []
    first, second = Holder(gate, False, entered, "a"), Holder(gate, False, entered, "b")
    wait_until(lambda: len(entered) == 2)
    third = Holder(gate, False, entered, "c")
    wait_until(lambda: gate.waiting == 1)
    time.sleep(0.05)
    assert entered == ["a", "b"]  # both slots taken: the third waits
    first.finish()
    wait_until(lambda: len(entered) == 3)
    assert entered[2] == "c" and gate.waiting == 0
    second.finish()
    third.finish()


def test_a_waiting_light_computation_goes_before_heavy_ones_that_came_first():
    gate, entered = PageGate(1), []
    running = Holder(gate, False, entered, "report")
    wait_until(lambda: entered == ["report"])
    overview = Holder(gate, False, entered, "overview")
    wait_until(lambda: gate.waiting == 1)
    caseload = Holder(gate, False, entered, "caseload")
    wait_until(lambda: gate.waiting == 2)
    client_page = Holder(gate, True, entered, "client page")
    wait_until(lambda: gate.waiting == 3)
    for shown, done in enumerate((running, client_page, overview), start=2):
        done.finish()  # the slot frees: the next in line enters
        wait_until(lambda shown=shown: len(entered) == shown)
    caseload.finish()
    assert entered == ["report", "client page", "overview", "caseload"]  # heavy: in turn


def test_a_computation_that_fails_gives_its_slot_back():
    gate = PageGate(1)
    with pytest.raises(RuntimeError), gate.slot(False):
        raise RuntimeError("the database went away")
    done = threading.Event()

    def after() -> None:
        with gate.slot(False):
            done.set()

    threading.Thread(target=after, daemon=True).start()
    assert done.wait(5), "the failed computation kept its slot"


@pytest.mark.parametrize(
    ("args", "marked", "light"),
    [
        ((CLINICIAN, "filters"), False, True),  # a clinician's own caseload
        ((SUPERVISOR, "filters"), False, False),  # across the team
        ((ADMIN, "filters"), False, False),
        ((SUPERVISOR, "C-0042"), True, True),  # one client (or one's own caseload), whoever asks
        (("filters",), False, False),  # no viewer: it may span the practice
    ],
)
def test_light_means_marked_so_or_a_viewer_who_sees_only_their_own_clients(args, marked, light):
    assert is_light(args, marked) is light


def test_a_computation_that_waited_too_long_runs_beside_a_hung_one_and_keeps_the_order():
    gate, entered = PageGate(1, max_wait=0.3), []
    hung = Holder(gate, False, entered, "hung query")
    wait_until(lambda: entered == ["hung query"])
    started = time.monotonic()
    late = Holder(gate, True, entered, "client page")
    wait_until(lambda: len(entered) == 2)
    waited = time.monotonic() - started
    assert 0.3 <= waited < 5  # its time, then in: the hung one holds on for 10 s
    assert gate.waiting == 0
    late.finish()
    hung.finish()
    gate.max_wait = 30  # both gave their slot back: the next goes at once, not after a wait
    after = Holder(gate, False, entered, "next")
    wait_until(lambda: len(entered) == 3, limit=10)
    after.finish()
    assert entered == ["hung query", "client page", "next"]
