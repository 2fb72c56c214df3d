"""Polls service: how typed options are read, chart alt text, small audiences, pending members."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.access import Actor
from bot.services.container import Services
from bot.services.errors import NotAllowed
from bot.services.polls import (
    PollResults,
    PollView,
    may_show_turnout_only,
    read_options,
    results_chart_alt,
    too_few_to_show_choices,
)
from bot.services.polls.records import WAITING_FOR_APPROVAL
from tests.conftest import GUILD, WORKER
from tests.services.helpers import form
from tests.services.test_polls_helpers import USER_BASE, members, new_poll, ready


@pytest.mark.parametrize(
    ("typed", "options", "separator"),
    [
        ("Yes; No; Not sure", ["Yes", "No", "Not sure"], "semicolons"),
        ("Yes\nNo\n\nNot sure", ["Yes", "No", "Not sure"], "lines"),
        ("Fish, chips; Peas", ["Fish, chips", "Peas"], "semicolons"),
        ("A, B\nC", ["A, B", "C"], "lines"),  # a new line wins over commas
        ("Monday, Wednesday, Thursday", ["Monday", "Wednesday", "Thursday"], "commas"),
        ("Mon, Tue or Wed", ["Mon", "Tue", "Wed"], "commas"),
        ("Mon, Tue, or Wed", ["Mon", "Tue", "Wed"], "commas"),
        ("£1,000, £2,000", ["£1,000", "£2,000"], "commas"),
        ("Yes / No / Maybe", ["Yes", "No", "Maybe"], "slashes"),
        ("and/or, both", ["and/or", "both"], "commas"),
        ("Tea OR coffee", ["Tea", "coffee"], "or"),
        ("Only one", ["Only one"], "none"),
        ("", [], "none"),
    ],
)
def test_read_options(typed: str, options: list[str], separator: str) -> None:
    read = read_options(typed)
    assert (read.options, read.separator) == (options, separator)


_LABEL = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters=";\n\r"),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() == s and s.strip())


@given(st.lists(_LABEL, min_size=2, max_size=10))
def test_semicolons_keep_every_option_whole_whatever_it_holds(labels: list[str]) -> None:
    assert read_options("; ".join(labels)).options == labels


def _results(options: list[str], counts: list[int], question: str = "Which day?") -> PollResults:
    when = datetime(2026, 12, 1, tzinfo=UTC)
    poll = PollView(
        id=1,
        guild_id=GUILD,
        question=question,
        options=tuple(options),
        multiple=False,
        anonymous=True,
        results_hidden=True,
        audience_kind="everyone",
        audience_value=None,
        channel_id=2,
        message_id=3,
        created_at=when,
        closes_at=when,
        reminder_at=None,
        closed_at=when,
        close_reason="time",
    )
    return PollResults(poll, tuple(counts), sum(counts), 20)


def test_chart_alt_text_says_the_counts_in_order_within_discords_limit() -> None:
    alt = results_chart_alt(_results(["Monday", "Wednesday", "Thursday"], [5, 4, 3]))
    assert alt == (
        "Bar chart of the votes for “Which day?”. 12 of 20 members voted. "
        "Votes per option: Monday 5, Wednesday 4, Thursday 3."
    )
    long = _results([f"{i} " + "x" * 78 for i in range(10)], list(range(10)), "Q" * 300)
    alt = results_chart_alt(long)
    assert len(alt) <= 1024 and alt.endswith(" 9.")
    assert all(f" {n}" in alt for n in range(10))


def test_small_audience_rules() -> None:
    assert too_few_to_show_choices(True, 2) and not too_few_to_show_choices(True, 3)
    assert not too_few_to_show_choices(False, 0)
    assert may_show_turnout_only(True, 9) and not may_show_turnout_only(True, 10)
    assert not may_show_turnout_only(False, 1)


async def test_someone_waiting_for_approval_hears_when_polls_open(services: Services) -> None:
    await ready(services)
    poll = await new_poll(services, results_hidden=False)
    waiting = Actor(user_id=USER_BASE + 99, guild_id=GUILD)
    await services.membership.join(waiting, form("Penny"))
    assert await services.polls.is_waiting(waiting)
    assert await services.polls.recent(waiting) == []
    for attempt in (
        services.polls.vote(waiting, poll.id, [0]),
        services.polls.my_choices(waiting, poll.id),
        services.polls.results(waiting, poll.id),
        services.polls.results(waiting, 0),  # the suggestion that explains itself
    ):
        with pytest.raises(NotAllowed) as refused:
            await attempt
        assert refused.value.message == WAITING_FOR_APPROVAL
    [member] = await members(services, 1)
    assert not await services.polls.is_waiting(member)
    assert not await services.polls.is_waiting(WORKER)
    assert await services.polls.my_choices(member, poll.id) is None
