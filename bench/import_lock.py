"""How long a large import keeps SQLite's write lock, seen from outside, as a page view sees it.

`python -m bench.import_lock --rows 100000` builds a small demo practice in a temporary folder,
writes an assignments file of ROWS rows for its clients, imports it, and meanwhile tries every
10 ms to take the write lock without waiting (what a page view's bookkeeping write needs).
It prints the import's total time, the longest stretch the lock was out of reach, and the CPU
time of the write transaction's work (steadier than wall time on a busy machine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import select, update

from data_access.demo import build_demo
from data_access.records import importer
from data_access.records.importer import import_file
from data_access.store.engine import new_engine, write
from data_access.store.schema import Client
from tests import large_csv
from tests.large_csv import write_assignments_csv

PROBE_SECONDS = 0.01


def longest_lock(path: Path, stop: threading.Event, out: list[float]) -> None:
    """Try BEGIN IMMEDIATE without waiting until `stop`; append the longest refused stretch."""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    longest, since = 0.0, None
    while not stop.is_set():
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            if since is not None:
                longest, since = max(longest, time.perf_counter() - since), None
        except sqlite3.OperationalError:
            since = since or time.perf_counter()
        stop.wait(PROBE_SECONDS)
    if since is not None:
        longest = max(longest, time.perf_counter() - since)
    probe.close()
    out.append(longest)


def timed_writes(cpu: list[float]) -> None:
    """Record the thread CPU seconds of each replay of a checked plan (the write transaction)."""
    write_plan = importer._write_plan

    def timed(*args, **kwargs) -> None:  # noqa: ANN002, ANN003 - passed through
        started = time.thread_time()
        write_plan(*args, **kwargs)
        cpu.append(time.thread_time() - started)

    importer._write_plan = timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "practice.db"
        engine = new_engine(f"sqlite:///{path}")
        build_demo(engine, clinicians=12, clients=300, weeks=26, seed=7, progress=False)
        with write(engine, "bench: intakes before the generated homework") as conn:
            conn.execute(update(Client).values(intake_on=large_csv.START - dt.timedelta(days=1)))
        with engine.connect() as conn:
            codes = list(conn.execute(select(Client.code).order_by(Client.code)).scalars())
        csv = Path(folder) / "assignments.csv"
        write_assignments_csv(csv, codes, args.rows)
        stop, out, cpu = threading.Event(), [], []
        timed_writes(cpu)
        probe = threading.Thread(target=longest_lock, args=(path, stop, out))
        probe.start()
        started = time.perf_counter()
        result = import_file(engine, "assignments", csv, viewer=None)
        total = time.perf_counter() - started
        stop.set()
        probe.join()
        engine.dispose()
    print(f"{result.summary()}; written: {result.written}")
    if not result.written:
        for problem in result.problems[:3]:
            print(f"  {problem}")
        raise SystemExit("the generated file was refused: no lock to measure")
    print(f"import {total:.1f} s in all; write lock held at most {out[0]:.1f} s at a stretch")
    print(f"writing the checked rows: {sum(cpu):.1f} s of CPU")


if __name__ == "__main__":
    main()
