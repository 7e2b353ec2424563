"""Pages of long lists: which rows a page holds and how the page says it."""

import pandas as pd

from dashboard.paging import rows_of, window


def test_the_second_page_of_3912_clients_shows_51_to_100_in_words():
    shown = window(3912, 50, 2)
    assert (shown.start, shown.stop, shown.pages) == (50, 100, 79)  # 78 full pages and 12 left
    assert shown.words("clients") == "showing 51–100 of 3,912 clients"


def test_the_last_page_holds_the_remainder_and_a_page_past_the_end_is_the_last():
    assert window(3912, 50, 79).words("clients") == "showing 3,901–3,912 of 3,912 clients"
    assert window(3912, 50, 500) == window(3912, 50, 79)  # filters left fewer pages
    assert window(3912, 50, 0).page == 1


def test_one_page_and_none_say_so_plainly():
    assert window(12, 25).words("clinicians") == "all 12 clinicians"
    assert window(0, 25).words("clients") == "no clients"
    assert (window(0, 25).start, window(0, 25).stop, window(0, 25).pages) == (0, 0, 1)


def test_rows_of_a_page_are_those_rows_only():
    frame = pd.DataFrame({"code": [f"C-{i:04d}" for i in range(1, 121)]})
    assert list(rows_of(frame, window(120, 50, 3))["code"]) == [
        f"C-{i:04d}" for i in range(101, 121)
    ]
