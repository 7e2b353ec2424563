"""Everything that touches the database: schema, engine, migrations, queries, metrics, I/O.

Nothing in this package imports Streamlit, so it serves the dashboard, the CLI and the tests alike.
"""
