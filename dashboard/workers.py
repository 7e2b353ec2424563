"""At most a few page computations at once, the light ones first, so a crowd shares the cores.

Every browser session runs its page in a thread of one process. When twenty people opened pages
together, twenty computations contended for two cores and Python's lock: the same views cost
41 s of server CPU instead of the 28 s they cost one at a time, and the heaviest pages finished
last, after 20 s (docs/performance.md, "Many people at once"). So a computation (a cache miss)
waits for one of `page_workers()` slots, and among those waiting a light one goes first: a
clinician's own pages, anyone's own caseload and any one-client page, so someone preparing for
a session does not queue behind a practice report. Computations across clinicians then take
their turns in order. No computation waits longer than `MAX_WAIT_SECONDS`: past that it runs
anyway, so a query that hangs (a network fault, a lock) holds up its own page, never everyone
else's for good.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from data_access.access.viewer import Viewer
from data_access.store.config import page_workers

MAX_WAIT_SECONDS = 30.0  # a crowd's turn comes well within this (make load: 15 s for 20 people)


def is_light(args: tuple[object, ...], marked: bool) -> bool:
    """A computation is light when its loader is `marked` light (one client's data, the viewer's
    own caseload) or its viewer sees only their own clients (a clinician). Without a viewer it
    may span the practice: heavy."""
    viewers = [a for a in args if isinstance(a, Viewer)]
    return marked or (bool(viewers) and not any(v.sees_other_clinicians for v in viewers))


class PageGate:
    """`slots` computations at a time; a waiting light one goes before any waiting heavy one,
    and otherwise they go in the order they came; none waits longer than `max_wait` seconds."""

    def __init__(self, slots: int, max_wait: float = MAX_WAIT_SECONDS) -> None:
        self.slots = slots
        self.max_wait = max_wait
        self._busy = 0
        self._waiting: list[tuple[bool, int]] = []  # (heavy, arrival): the smallest goes next
        self._arrivals = itertools.count()
        self._changed = threading.Condition()

    @property
    def waiting(self) -> int:
        """How many computations wait for a slot now."""
        with self._changed:
            return len(self._waiting)

    @contextmanager
    def slot(self, light: bool) -> Iterator[None]:
        """Hold a slot while the block runs, waiting for one (and for one's turn) first."""
        ticket = (not light, next(self._arrivals))
        with self._changed:
            heapq.heappush(self._waiting, ticket)

            def my_turn() -> bool:
                return self._busy < self.slots and self._waiting[0] == ticket

            if self._changed.wait_for(my_turn, timeout=self.max_wait):
                heapq.heappop(self._waiting)
            else:  # waited too long: run beside the others rather than wait for a hung one
                self._waiting.remove(ticket)
                heapq.heapify(self._waiting)
            self._busy += 1
            self._changed.notify_all()  # a second free slot: the next in line may go too
        try:
            yield
        finally:
            with self._changed:
                self._busy -= 1
                self._changed.notify_all()


GATE = PageGate(page_workers())
