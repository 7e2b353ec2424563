"""`make bench`: time the practice-wide queries on a large demo practice, against naive pandas.

Run `.venv/bin/python -m bench --help` for the options; docs/performance.md has the numbers.
"""
