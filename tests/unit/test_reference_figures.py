"""The reference figures file: every figure names its source and year, or says it is missing."""

from dashboard.reference_words import homework_reference_caption
from data_access.reads.reference import reference_figures


def test_every_figure_has_a_source_and_a_year_or_says_why_not():
    figures = reference_figures()
    assert set(figures["key"]) >= {"kazantzis_2000_compliance", "mausbach_2010_compliance"}
    for row in figures.itertuples():
        assert row.source, row.key
        assert (row.value and row.year) or "not found" in row.note.lower(), row.key
    mausbach = figures.set_index("key").loc["mausbach_2010_compliance"]
    assert (mausbach["value"], mausbach["year"]) == ("0.26 (95 % CI 0.19-0.33)", "2010")


def test_the_homework_caption_is_written_from_the_file_not_typed_in():
    assert homework_reference_caption(reference_figures()) == (
        "Reference figures from other populations, not targets: homework compliance and outcome "
        "correlate at r = 0.22 (27 studies, N = 1,702, meta-analysis of cognitive and behavioural "
        "therapy; Kazantzis, Deane & Ronan 2000) and r = 0.26 (95 % CI 0.19-0.33) (23 studies, "
        "N = 2,183, updated meta-analysis; Mausbach et al. 2010)."
    )


def test_a_practice_edit_of_the_file_changes_the_caption(tmp_path):
    edited = reference_figures()
    edited.loc[edited["key"] == "mausbach_2010_compliance", "value"] = "0.30"
    edited.loc[edited["key"] == "kazantzis_2000_compliance", "value"] = ""  # not filled in
    path = tmp_path / "figures.csv"
    edited.to_csv(path, index=False)
    caption = homework_reference_caption(reference_figures(path))
    assert caption.endswith(
        "at r = 0.30 (23 studies, N = 2,183, updated meta-analysis; Mausbach et al. 2010)."
    )
    assert "Kazantzis" not in caption
