"""Large generated import files, for the kill-midway test and the 200,000-row measurement.

`python -m tests.large_csv OUT.csv ROWS --database-url URL` writes an assignments file for the
clients already in that database (e.g. a demo practice), spread evenly over them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import select

from data_access.records.formats import KINDS
from data_access.store.engine import new_engine
from data_access.store.schema import DEFAULT_ASSIGNMENT_TYPES, STATUSES, Client

START = dt.date(2025, 1, 6)


def write_assignments_csv(path: Path, client_codes: list[str], rows: int) -> None:
    """`rows` valid, distinct assignments (ids LARGE-000001 …) over the given clients."""
    types = [name for name, _ in DEFAULT_ASSIGNMENT_TYPES]
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(KINDS["assignments"])
        for i in range(rows):
            assigned = START + dt.timedelta(days=i % 300)
            status = STATUSES[i % 4]
            reviewed = "" if status == "pending" else (assigned + dt.timedelta(days=7)).isoformat()
            engagement = str(i % 5) if status in ("completed", "partial") else ""
            out.writerow(
                [
                    f"LARGE-{i + 1:06d}",
                    client_codes[i % len(client_codes)],
                    types[i % len(types)],
                    assigned.isoformat(),
                    (assigned + dt.timedelta(days=7)).isoformat(),
                    status,
                    str(1 + i % 5),
                    engagement,
                    reviewed,
                    f"Generated homework number {i + 1}",
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("rows", type=int)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    engine = new_engine(args.database_url)
    with engine.connect() as conn:
        codes = list(conn.execute(select(Client.code).order_by(Client.code)).scalars())
    write_assignments_csv(args.out, codes, args.rows)
    print(f"wrote {args.rows} assignments over {len(codes)} clients to {args.out}")


if __name__ == "__main__":
    main()
