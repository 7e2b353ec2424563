"""Page data as of one day, cached on the day and shared by the pages that show it.

Overview counts the needs-attention list that Caseload shows, and both show the on-track share:
one cached loader (`day_view`), keyed on the viewer and `Filters.on_the_day()`, so a supervisor
who opens both pays for the flags once, and a change of dates or status on either page does not
raise them again.
"""

from dashboard.cache import page_data
from data_access.reads.caseload import day_view, last_contact

ATTENTION_ROWS_PER_PAGE = 20  # Caseload lists the needs-attention clients this many at a time

load_day = page_data("Finding who needs attention…")(day_view)
load_last_contact = page_data(False)(last_contact)
