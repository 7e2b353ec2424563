"""Page data as of one day, cached on the day and shared by the pages that show it.

Overview counts the needs-attention list that Caseload shows, and both show the on-track share:
one cached loader (`day_view`), keyed on the viewer and `Filters.on_the_day()`, so a supervisor
who opens both pays for the flags once, and a change of dates or status on either page does not
raise them again.
"""

from dataclasses import dataclass

from dashboard.cache import derived_data, page_data
from data_access.access.viewer import Viewer
from data_access.reads.caseload import day_view, last_contact
from data_access.reads.expected import OnTrackSummary
from data_access.reads.filters import Filters

ATTENTION_ROWS_PER_PAGE = 20  # Caseload lists the needs-attention clients this many at a time

load_day = page_data("Finding who needs attention…")(day_view)
load_last_contact = page_data(False)(last_contact)


@dataclass(frozen=True)
class DayCounts:
    """What Overview shows of a day view: how many clients need attention, and the on-track
    share."""

    flagged: int
    on_track: OnTrackSummary


@derived_data(False)
def load_day_counts(viewer: Viewer, filters: Filters) -> DayCounts:
    """`load_day`'s count and on-track share, cached apart: a hit on the whole day view copies
    every flagged client's flags and facts out of the cache (17–81 ms for the admin's 2,000),
    and Overview needs only how many there are (docs/performance.md)."""
    day = load_day(viewer, filters)
    return DayCounts(len(day.attention), day.on_track)
