"""`python -m data_access COMMAND`: set up, fill, import into, export from, administer a database.

Every command takes `--database-url` (else DATABASE_URL, else secrets.toml, else the SQLite
file), exits 0 on success and non-zero with one clear line on stderr otherwise.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from data_access.records.transfer_cli import add_commands as add_transfer_commands
from data_access.store.config import database_url
from data_access.store.engine import get_engine
from data_access.store.errors import DataError
from data_access.store.faults import fault_line

Handler = Callable[[argparse.Namespace], int]


def _engine(args: argparse.Namespace):
    return get_engine(database_url(args.database_url))


def cmd_init(args: argparse.Namespace) -> int:
    """Create the database or upgrade it to the newest schema."""
    from data_access.store.migrate import current_revision, upgrade

    engine = _engine(args)
    upgrade(engine)
    print(f"database is at revision {current_revision(engine)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Build a demo practice (refused when the database already has clients)."""
    from data_access.demo import build_demo

    summary = build_demo(
        _engine(args),
        clinicians=args.clinicians,
        clients=args.clients,
        weeks=args.weeks,
        seed=args.seed,
        progress=not args.quiet,
    )
    print(summary)
    return 0


def read_password(prompt: str = "Password: ") -> str:
    """Read a password without echo at a terminal, or the first line of a piped stdin."""
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Repeat password: ") != first:
            raise DataError("password", "the two entries differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def cmd_create_user(args: argparse.Namespace) -> int:
    """Create a sign-in account (and its clinician record when new)."""
    from data_access.access.accounts import create_user, validate_new_user

    validate_new_user(args.email, args.name, args.role, None)
    password = None if args.sso_only else read_password()
    create_user(
        _engine(args),
        email=args.email,
        name=args.name,
        role=args.role,
        password=password,
        supervisor_email=args.supervisor,
    )
    print(f"created {args.role} account {args.email.strip().lower()}")
    return 0


def cmd_check_accounts(args: argparse.Namespace) -> int:
    """Say how to create the first account when a database has none."""
    from data_access.access.accounts import account_count

    with _engine(args).connect() as conn:
        if account_count(conn) == 0:
            print(
                "This database has no accounts yet. Create the first admin with:\n"
                "  .venv/bin/python -m data_access create-user --email you@example.org "
                '--name "Your Name" --role admin'
            )
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """Write a consistent backup of the live database to a new file."""
    from data_access.store.backup import backup

    backup(_engine(args), Path(args.out))
    print(f"backed up to {args.out}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore a backup into an empty database, then bring it to the newest schema."""
    from data_access.store.backup import restore
    from data_access.store.migrate import current_revision, upgrade

    engine = _engine(args)
    restore(engine, Path(args.file))
    upgrade(engine)
    print(f"restored {args.file}; database is at revision {current_revision(engine)}")
    return 0


def cmd_checksums(args: argparse.Namespace) -> int:
    """Print each table's row count and checksum, to compare a restore with its source."""
    from data_access.store.backup import checksums

    for table, (rows, digest) in checksums(_engine(args)).items():
        print(f"{table}\t{rows}\t{digest}")
    return 0


def cmd_rebuild_aggregates(args: argparse.Namespace) -> int:
    """Recompute every maintained table from the live tables in one transaction."""
    from data_access.store import (
        aggregates,
        client_months,
        flag_inputs,
        homework_days,
        lag_weeks,
        score_spans,
    )
    from data_access.store.engine import write

    with write(_engine(args), "maintained counts") as conn:
        counts, mix, week_sums = aggregates.rebuild(conn)
        months = client_months.rebuild(conn)
        weeks = lag_weeks.rebuild(conn)
        days = homework_days.rebuild(conn)
        spans = score_spans.rebuild(conn)
        inputs, steps = flag_inputs.rebuild(conn)
    print(
        f"rebuilt the maintained counts: {counts:,} homework rows, {week_sums:,} homework "
        f"week rows, {mix:,} mix rows, "
        f"{days:,} homework days, {spans:,} score spans, {inputs:,} clients' flag inputs, "
        f"{steps:,} days of flag inputs, {months:,} client months, {weeks:,} lag weeks"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m data_access", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--database-url",
        help="SQLAlchemy URL (default: DATABASE_URL, then secrets.toml, then data/homework.db)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    add("init", cmd_init, "create the database or upgrade it to the newest schema")

    demo = add("demo", cmd_demo, "fill an empty database with a realistic demo practice")
    demo.add_argument("--clinicians", type=int, default=12, help="number of clinicians (12)")
    demo.add_argument("--clients", type=int, default=300, help="number of clients (300)")
    demo.add_argument("--weeks", type=int, default=52, help="weeks of history up to today (52)")
    demo.add_argument("--seed", type=int, default=7, help="random seed; same seed, same data (7)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")

    user = add(
        "create-user",
        cmd_create_user,
        "create a sign-in account; the password is prompted without echo, or read from the "
        "first line of standard input when that is not a terminal",
    )
    user.add_argument("--email", required=True, help="sign-in email (unique)")
    user.add_argument("--name", required=True, help="the person's name")
    user.add_argument("--role", required=True, choices=["clinician", "supervisor", "admin"])
    user.add_argument("--supervisor", metavar="EMAIL", help="email of this person's supervisor")
    user.add_argument(
        "--sso-only", action="store_true", help="no password: sign in through single sign-on only"
    )

    add("check-accounts", cmd_check_accounts, "say how to create the first account if none exist")

    add_transfer_commands(add)

    backup = add(
        "backup",
        cmd_backup,
        "write a consistent backup of the live database (SQLite: online backup API; "
        "PostgreSQL: pg_dump custom format) to a new file",
    )
    backup.add_argument("--out", required=True, metavar="FILE", help="the backup file to create")
    restore = add(
        "restore", cmd_restore, "restore a backup made by `backup` into an empty database"
    )
    restore.add_argument("file", help="a file made by `backup`")
    add(
        "checksums",
        cmd_checksums,
        "print each table's row count and checksum (compare a restore with its source)",
    )
    add(
        "rebuild-aggregates",
        cmd_rebuild_aggregates,
        "recompute the maintained tables (homework counts, homework days, score spans, flag "
        "inputs, client months) from the live tables (one transaction; raises the data version)",
    )

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; refused data, a database fault or a file that cannot be opened become
    one line on stderr (never a traceback or a row's values) and exit status 1."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except DBAPIError as exc:
        line = fault_line(exc) or "the database refused the command"
        print(f"error: {line}; nothing was written", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc.strerror or type(exc).__name__}: {exc.filename or ''}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; nothing was written", file=sys.stderr)
        return 130
