"""Realistic, deterministic demo data: clinicians, clients, sessions, homework and scores.

The demo covers `weeks` weeks up to `today`. Four in five clients were already in treatment
when that window opens (their intake predates it; their earlier history is not in the demo), the
rest start during it. Courses run 20–52 weekly sessions, longer for clients carried over, so many
clients are active at both ends of the window. At most attended sessions the clinician sets two to
four small tasks, a Daily Mood Log and one to three skills tasks; one clinician rarely sets any.
Symptom courses differ as in practice (course.py): most clients respond, some do not and mostly
stay off course, some respond late, a few get worse; homework completion and change correlate
at about r = 0.25.

Every value comes from numpy Generators seeded from one seed, so a seed and a `today` give
identical rows. Clients are generated in chunks (vectorised arrays per chunk) and written with the
driver's bulk path: sqlite3 executemany of tuples, or PostgreSQL COPY. That keeps memory flat and
builds 10,000 clients over a year (about a million assignments) in well under two minutes.
"""

from data_access.demo.build import DemoSummary, build_demo

__all__ = ["DemoSummary", "build_demo"]
