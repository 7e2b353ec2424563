"""The Outcomes page in words: the coverage line, the wide outcome table, the lag's sentences.

Pure functions over the frames `data_access.reads.outcomes` and `outcome_lag` return, so they
are unit-tested without Streamlit. The rules behind the numbers are in docs/metrics.md.
"""

from __future__ import annotations

import pandas as pd

from dashboard.words import count_labels, percent
from data_access.reads.filters import EVERYONE
from data_access.reads.outcomes import BAND_STARTS, OUTCOMES

ALL_CLIENTS = "All clients in view"  # the EVERYONE group of the outcome tables
OUTCOME_NAMES = dict(
    zip(
        OUTCOMES,
        ("Reliable improvement", "Recovery", "Reliable recovery", "Reliable deterioration"),
        strict=True,
    )
)
ALERT_GROUP_WORDS = {  # on_track_outcomes.ALERT_GROUPS
    "flagged": "Flagged not on track by week 4",
    "not_flagged": "Not flagged by week 4",
}
LAG_GROUP_WORDS = {  # outcome_lag.lag_view's rows
    "done": "after weeks mostly done",
    "not_done": "after weeks mostly not done",
}


def band_words(start: int) -> str:
    """A completion band (its BAND_STARTS code) as people read it: '25–49 %', '75–100 %'."""
    following = BAND_STARTS.index(start) + 1
    end = BAND_STARTS[following] - 1 if following < len(BAND_STARTS) else 100
    return f"{start}–{end} %"


def group_name(group: str) -> str:
    """An outcome table's group as people read it: everyone in view, or a clinician's name."""
    return ALL_CLIENTS if group == EVERYONE else group


def group_names(groups: pd.Series) -> pd.Series:
    """`group_name` of each group."""
    return groups.map(group_name)


def coverage_sentence(cover: pd.Series) -> str:
    """'12 of 30 clients have two or more PHQ-9 and GAD-7 scores' for one coverage row."""
    paired, clients = int(cover["paired"]), int(cover["clients"])
    return f"{paired} of {clients} clients have two or more PHQ-9 and GAD-7 scores"


def outcome_table(paired: pd.DataFrame, cover: pd.DataFrame) -> pd.DataFrame:
    """Wide table for people: one row per group, coverage then each outcome as 'x of n (r %)'.

    Takes `outcomes.paired_outcomes` and `outcomes.coverage`. Columns: Group, Clients (in view),
    Paired (with two or more PHQ-9 and GAD-7 scores), Cases (at baseline), then one column per
    outcome.
    """
    labels = paired.assign(label=count_labels(paired)).pivot(
        index="group", columns="outcome", values="label"
    )
    cover = cover.set_index("group")
    table = pd.DataFrame(
        {
            "Clients": cover["clients"],
            "Paired": [
                f"{p} ({percent(p / c)})" if c else "0"
                for p, c in zip(cover["paired"], cover["clients"], strict=True)
            ],
            "Cases": cover["cases"],
        }
    )
    table = table.join(labels[list(OUTCOMES)])  # keeps coverage's group order
    table = table.rename(columns=OUTCOME_NAMES).rename_axis("Group").reset_index()
    return table.assign(Group=group_names(table["Group"]))


def lag_words(lag: dict, measure: str) -> str:
    """What the lag chart shows and the within-client comparison, in one paragraph."""
    return bars_sentence(lag["rows"], measure) + " " + lag_sentence(lag["difference"], measure)


def bars_sentence(rows: pd.DataFrame, measure: str) -> str:
    """What the two bars show, with their own means and client counts, so the words and the
    chart agree before the within-client comparison is stated."""
    parts = []
    for r in rows.itertuples():
        if r.too_few:
            parts.append(f"{LAG_GROUP_WORDS[r.group]}: too few clients (n={r.n_clients})")
        else:
            parts.append(
                f"{LAG_GROUP_WORDS[r.group]}: {r.mean:+.2f} points on average across "
                f"{r.n_clients} clients"
            )
    return f"The bars ({measure} change the week after, + = better): " + "; ".join(parts) + "."


def lag_sentence(difference: dict, measure: str) -> str:
    """The lag result in plain words, with N and the interval, as association not cause."""
    n = difference["n"]
    if difference["too_few"]:
        return (
            f"Too few clients (n={n}) had both weeks with most homework done and weeks with most "
            f"not done, each followed by a {measure} score, to compare them within clients."
        )
    mean, low, high = difference["mean"], difference["ci_low"], difference["ci_high"]
    if round(mean, 1) == 0:
        compared = "about the same as"
    else:
        compared = f"{abs(mean):.1f} points {'better' if mean > 0 else 'worse'} than"
    return (
        f"Comparing within the {n} clients who had both kinds of week (they are in both bars), "
        f"in the week after a week with most homework done, {measure} moved on average {compared} "
        f"in the week after a week with most homework not done (95 % CI {low:+.1f} to "
        f"{high:+.1f} points; positive = better). "
        "This is an association in this practice's records, not proof that homework caused it."
    )


def band_table(bands: pd.DataFrame, band_heading: str, change_heading: str) -> pd.DataFrame:
    """Completion bands (outcomes.dose_response rows) as people read them: N, mean change and
    reliable improvement with 95 % intervals, 'too few (n=3)' under 5 clients."""
    rows = []
    for b in bands.itertuples(index=False):
        few = f"too few (n={b.n})"
        share = f"{b.ri_rate:.0%} ({b.ri_low:.0%} to {b.ri_high:.0%})".replace("%", " %")
        rows.append(
            {
                band_heading: band_words(b.band),
                "Clients": b.n,
                change_heading: few
                if b.too_few
                else f"{b.mean:+.1f} ({b.ci_low:+.1f} to {b.ci_high:+.1f})",
                "Reliable improvement (95 % CI)": few
                if b.too_few
                else f"{b.ri_count} of {b.n}, {share}",
            }
        )
    columns = [band_heading, "Clients", change_heading, "Reliable improvement (95 % CI)"]
    return pd.DataFrame(rows, columns=columns)
