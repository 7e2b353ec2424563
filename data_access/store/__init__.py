"""The store: schema, engine, migrations, the data version, faults and backups."""

# Every table on Base.metadata whichever store module is imported first (backups, tests).
from data_access.store import maintained_schema, schema  # noqa: F401
