"""The reference figures file: every figure names its source and year, or says it is missing."""

from data_access.reads.reference import reference_figures


def test_every_figure_has_a_source_and_a_year_or_says_why_not():
    figures = reference_figures()
    assert set(figures["key"]) >= {"kazantzis_2000_compliance", "mausbach_2010_compliance"}
    for row in figures.itertuples():
        assert row.source, row.key
        assert (row.value and row.year) or "not found" in row.note.lower(), row.key
    mausbach = figures.set_index("key").loc["mausbach_2010_compliance"]
    assert (mausbach["value"], mausbach["year"]) == ("0.26 (95 % CI 0.19-0.33)", "2010")
