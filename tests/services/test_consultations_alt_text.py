"""The words that go with each results chart: the counts in order, within Discord's limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.services.consultations.charts import ALT_MAX, question_chart_alt


def test_a_single_choice_chart_reads_its_counts_in_order() -> None:
    alt = question_chart_alt(
        "How was it?", "single", ["Good", "OK", "Not good"], [5, 3, 1], answered=9
    )
    assert alt == "Bar chart of 9 answers to “How was it?”: Good 5, OK 3, Not good 1."


@given(
    question=st.text(st.characters(categories=["L", "P", "Zs"]), min_size=1, max_size=300),
    # Letters only, so a count can't be mistaken for digits inside a label.
    labels=st.lists(
        st.text(st.characters(categories=["L", "Zs"]), min_size=1, max_size=100),
        min_size=2,
        max_size=10,
    ),
    kind=st.sampled_from(["single", "multiple"]),
)
def test_long_words_are_shortened_but_every_count_stays(
    question: str, labels: list[str], kind: str
) -> None:
    counts = list(range(100, 100 + len(labels)))
    alt = question_chart_alt(question, kind, labels, counts, answered=999, skipped=12)
    assert len(alt) <= ALT_MAX
    positions = [alt.rfind(f" {n}") for n in counts]
    assert all(p > 0 for p in positions) and positions == sorted(positions), alt
