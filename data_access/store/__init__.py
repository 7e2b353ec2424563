"""The store: schema, engine, migrations, the data version, faults and backups."""
