"""Closing polls on time, early and at start-up; results, charts and the one reminder."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.db.models import Member, Poll
from bot.services.container import Services, build_services
from bot.services.errors import Conflict, NotAllowed
from bot.services.polls import PollClosed, PollReminder
from bot.services.polls.charts import results_chart_png
from tests.conftest import WORKER
from tests.services.test_polls_helpers import members, new_poll, ready


async def test_take_due_closes_on_time_once(services: Services, clock) -> None:
    await ready(services)
    poll = await new_poll(services)
    voters = await members(services, 3)
    for i, voter in enumerate(voters):
        await services.polls.vote(voter, poll.id, [min(i, 1)])
    assert await services.polls.next_due() == poll.closes_at
    assert await services.polls.take_due(clock.now()) == []
    clock.advance(timedelta(days=2))
    [event] = await services.polls.take_due(clock.now())
    assert isinstance(event, PollClosed)
    assert event.reason == "time" and not event.late
    assert event.results.counts == (1, 2, 0)
    assert event.results.total_ballots == 3 and event.results.audience_size == 3
    assert event.results.poll.closed_at == clock.now()
    assert await services.polls.take_due(clock.now()) == []
    assert await services.polls.next_due() is None


async def test_concurrent_sweeps_close_each_poll_once(services: Services, clock) -> None:
    await ready(services)
    polls = [await new_poll(services) for _ in range(5)]
    clock.advance(timedelta(days=3))
    batches = await asyncio.gather(*(services.polls.take_due(clock.now()) for _ in range(4)))
    closed = [e.results.poll.id for batch in batches for e in batch]
    assert sorted(closed) == sorted(p.id for p in polls)


async def test_poll_that_closed_while_down_closes_at_start_up(
    services: Services, settings, sessions, clock
) -> None:
    await ready(services)
    poll = await new_poll(services)
    [sam] = await members(services, 1)
    await services.polls.vote(sam, poll.id, [2])
    # The bot stops; three days pass; a fresh set of services starts on the same database.
    clock.advance(timedelta(days=5))
    restarted = build_services(settings, sessions, clock)
    assert await restarted.polls.next_due() == poll.closes_at  # overdue: handled at once
    [event] = await restarted.polls.take_due(clock.now())
    assert isinstance(event, PollClosed) and event.late
    assert event.results.counts == (0, 0, 1)
    assert await restarted.polls.take_due(clock.now()) == []


async def test_worker_closes_early_once(services: Services, clock) -> None:
    await ready(services)
    poll = await new_poll(services)
    [sam] = await members(services, 1)
    await services.polls.vote(sam, poll.id, [0])
    with pytest.raises(NotAllowed):
        await services.polls.close(sam, poll.id)
    outcomes = await asyncio.gather(
        *(services.polls.close(WORKER, poll.id) for _ in range(3)), return_exceptions=True
    )
    events = [o for o in outcomes if isinstance(o, PollClosed)]
    assert len(events) == 1 and sum(isinstance(o, Conflict) for o in outcomes) == 2
    assert events[0].reason == "early" and events[0].results.counts == (1, 0, 0)
    clock.advance(timedelta(days=3))
    assert await services.polls.take_due(clock.now()) == []
    results = await services.polls.results(sam, poll.id)  # hidden results show after close
    assert results.counts == (1, 0, 0)


async def test_audience_size_is_fixed_at_close(services: Services, sessions) -> None:
    await ready(services)
    poll = await new_poll(services)
    voters = await members(services, 4)
    await services.polls.vote(voters[0], poll.id, [0])
    await services.polls.close(WORKER, poll.id)
    await members(services, 3, start=10)
    results = await services.polls.results(WORKER, poll.id)
    assert results.audience_size == 4 and results.turnout == 0.25


async def test_results_chart_is_a_png(services: Services) -> None:
    await ready(services)
    poll = await new_poll(services, options=["Yes", "No", "A rather long option " * 3])
    [sam] = await members(services, 1)
    await services.polls.vote(sam, poll.id, [0])
    event = await services.polls.close(WORKER, poll.id)
    png = results_chart_png(event.results)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2000


async def test_reminder_goes_once_to_opted_in_audience_who_have_not_voted(
    services: Services, sessions, clock
) -> None:
    await ready(services)
    poll = await new_poll(
        services,
        audience_kind="locality",
        audience_value="North",
        reminder_at=clock.now() + timedelta(days=1),
    )
    voted, waiting, no_dms, paused = await members(services, 4)
    [elsewhere] = await members(services, 1, start=10, locality="South")
    [pending] = await members(services, 1, start=20)
    await services.polls.vote(voted, poll.id, [0])
    await services.membership.pause(paused)
    async with sessions.begin() as s:
        await s.execute(
            update(Member).where(Member.user_id == no_dms.user_id).values(dm_opt_in=False)
        )
        await s.execute(
            update(Member).where(Member.user_id == pending.user_id).values(status="pending")
        )
    assert await services.polls.next_due() == poll.reminder_at
    clock.advance(timedelta(days=1))
    batches = await asyncio.gather(*(services.polls.take_due(clock.now()) for _ in range(3)))
    reminders = [e for batch in batches for e in batch]
    assert len(reminders) == 1
    [reminder] = reminders
    assert isinstance(reminder, PollReminder)
    assert reminder.user_ids == (waiting.user_id,)
    assert elsewhere.user_id not in reminder.user_ids
    assert await services.polls.next_due() == poll.closes_at


async def test_no_reminder_after_close(services: Services, clock) -> None:
    await ready(services)
    poll = await new_poll(services, reminder_at=clock.now() + timedelta(days=1))
    await services.polls.close(WORKER, poll.id)
    clock.advance(timedelta(days=1))
    assert await services.polls.take_due(clock.now()) == []
    assert await services.polls.next_due() is None


async def test_overdue_reminder_and_close_at_start_up_send_only_the_close(
    services: Services, clock
) -> None:
    await ready(services)
    await new_poll(services, reminder_at=clock.now() + timedelta(days=1))
    await members(services, 2)
    clock.advance(timedelta(days=4))
    events = await services.polls.take_due(clock.now())
    assert [type(e) for e in events] == [PollClosed]


async def test_named_votes_for_workers_only_after_close(services: Services, sessions) -> None:
    await ready(services)
    named = await new_poll(services, anonymous=False)
    voters = await members(services, 2)
    await services.polls.vote(voters[0], named.id, [1])
    await services.polls.vote(voters[1], named.id, [2])
    with pytest.raises(NotAllowed, match="hidden"):
        await services.polls.named_votes(WORKER, named.id)
    await services.polls.close(WORKER, named.id)
    with pytest.raises(NotAllowed):
        await services.polls.named_votes(voters[0], named.id)
    votes = await services.polls.named_votes(WORKER, named.id)
    assert {(v.user_id, v.labels) for v in votes} == {
        (voters[0].user_id, ("Wednesday",)),
        (voters[1].user_id, ("Thursday",)),
    }
    anonymous = await new_poll(services, results_hidden=False)
    with pytest.raises(NotAllowed, match="anonymous"):
        await services.polls.named_votes(WORKER, anonymous.id)


async def test_open_polls_lists_only_open_ones(services: Services, sessions) -> None:
    await ready(services)
    first = await new_poll(services)
    second = await new_poll(services)
    await services.polls.close(WORKER, first.id)
    assert [p.id for p in await services.polls.open_polls(WORKER)] == [second.id]
    async with sessions() as s:
        closed = await s.get(Poll, first.id)
        assert closed is not None and closed.ballot_secret is None
        assert (await s.scalar(select(Poll.ballot_secret).where(Poll.id == second.id))) is not None


async def test_results_chart_draws_dollar_signs_as_text(services: Services) -> None:
    await ready(services)
    poll = await new_poll(
        services, question="Price $5 for 1% or $6?", options=["$x^$", "$5_{a or $6", "Free"]
    )
    [sam] = await members(services, 1)
    await services.polls.vote(sam, poll.id, [0])
    event = await services.polls.close(WORKER, poll.id)
    assert results_chart_png(event.results).startswith(b"\x89PNG\r\n\x1a\n")


async def test_anonymous_results_withheld_below_three_ballots(services: Services) -> None:
    from cogs.polls._render import results_embed

    await ready(services)
    small = await new_poll(services)
    voters = await members(services, 3)
    for voter in voters[:2]:
        await services.polls.vote(voter, small.id, [1])
    results = (await services.polls.close(WORKER, small.id)).results
    assert results.withheld
    shown = results_embed(results, services.settings.tz).description or ""
    assert "Fewer than 3 people voted" in shown and "vote" in shown
    assert "2 of" in shown and "█" not in shown and "(100%)" not in shown
    enough = await new_poll(services)
    for voter in voters:
        await services.polls.vote(voter, enough.id, [1])
    assert not (await services.polls.close(WORKER, enough.id)).results.withheld
    named = await new_poll(services, anonymous=False)
    await services.polls.vote(voters[0], named.id, [0])
    assert not (await services.polls.close(WORKER, named.id)).results.withheld
