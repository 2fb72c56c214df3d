"""Voting: who may vote, changing a vote, closing times, contributions, concurrency."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.contribution_kinds import ContributionKind
from bot.db.models import Contribution, Member, PollBallot
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from tests.conftest import GUILD, WORKER
from tests.services.helpers import form
from tests.services.test_polls_helpers import bulk_members, members, new_poll, ready


async def test_vote_then_change_keeps_one_ballot(services: Services, sessions) -> None:
    await ready(services)
    poll = await new_poll(services)
    [sam] = await members(services, 1)
    first = await services.polls.vote(sam, poll.id, [0])
    assert first.labels == ("Monday",) and not first.changed
    assert first.results is None  # hidden until close
    second = await services.polls.vote(sam, poll.id, [2])
    assert second.labels == ("Thursday",) and second.changed
    assert await services.polls.my_choices(sam, poll.id) == (2,)
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(PollBallot)) == 1
    closed = await services.polls.close(WORKER, poll.id)
    assert closed.results.counts == (0, 0, 1)
    assert closed.results.total_ballots == 1


async def test_vote_records_one_contribution_dated_by_the_poll(
    services: Services, sessions, clock
) -> None:
    await ready(services)
    poll = await new_poll(services)
    [sam] = await members(services, 1)
    clock.advance(timedelta(hours=5))
    await services.polls.vote(sam, poll.id, [0])
    clock.advance(timedelta(hours=1))
    await services.polls.vote(sam, poll.id, [1])
    async with sessions() as s:
        rows = list(await s.scalars(select(Contribution)))
    assert len(rows) == 1
    assert rows[0].kind == ContributionKind.POLL_VOTE.value
    assert rows[0].source_key == f"poll:{poll.id}"
    # Anonymous: dated by the poll's opening, not by when the vote was cast.
    assert rows[0].occurred_at == poll.created_at == rows[0].recorded_at


async def test_named_vote_contribution_uses_the_real_time(
    services: Services, sessions, clock
) -> None:
    await ready(services)
    poll = await new_poll(services, anonymous=False)
    [sam] = await members(services, 1)
    clock.advance(timedelta(hours=5))
    await services.polls.vote(sam, poll.id, [0])
    async with sessions() as s:
        assert await s.scalar(select(Contribution.occurred_at)) == clock.now()


async def test_vote_after_closing_time_is_refused(services: Services, clock) -> None:
    await ready(services)
    poll = await new_poll(services)
    [sam] = await members(services, 1)
    await services.polls.vote(sam, poll.id, [0])
    clock.advance(timedelta(days=2))  # exactly the closing time, not yet swept
    with pytest.raises(Conflict, match="closed"):
        await services.polls.vote(sam, poll.id, [1])
    await services.polls.take_due(clock.now())
    with pytest.raises(Conflict, match="can no longer"):
        await services.polls.vote(sam, poll.id, [1])
    results = await services.polls.results(sam, poll.id)
    assert results.counts == (1, 0, 0)


async def test_vote_after_early_close_is_refused(services: Services) -> None:
    await ready(services)
    poll = await new_poll(services)
    [sam] = await members(services, 1)
    await services.polls.close(WORKER, poll.id)
    with pytest.raises(Conflict, match="closed"):
        await services.polls.vote(sam, poll.id, [0])


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("pending", "waiting for a worker"),
        ("declined", "not approved"),
        ("left", "join the group"),
    ],
)
async def test_members_who_are_not_approved_cannot_vote(
    services: Services, sessions, status: str, message: str
) -> None:
    await ready(services)
    poll = await new_poll(services)
    actor = Actor(user_id=820000000000000001, guild_id=GUILD)
    await services.membership.join(actor, form("Pat"))
    async with sessions.begin() as s:
        await s.execute(update(Member).values(status=status))
    with pytest.raises(NotAllowed, match=message):
        await services.polls.vote(actor, poll.id, [0])
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(PollBallot)) == 0
        assert await s.scalar(select(func.count()).select_from(Contribution)) == 0


async def test_stranger_cannot_vote(services: Services) -> None:
    await ready(services)
    poll = await new_poll(services)
    with pytest.raises(NotAllowed, match="/join"):
        await services.polls.vote(Actor(user_id=5, guild_id=GUILD), poll.id, [0])


async def test_paused_members_keep_their_voice(services: Services) -> None:
    await ready(services)
    poll = await new_poll(services)
    [sam] = await members(services, 1)
    await services.membership.pause(sam)
    receipt = await services.polls.vote(sam, poll.id, [1])
    assert receipt.labels == ("Wednesday",)


async def test_members_outside_the_audience_are_refused(services: Services) -> None:
    await ready(services)
    south = await new_poll(services, audience_kind="locality", audience_value="South")
    leading = await new_poll(services, audience_kind="level", audience_value="leading")
    [north_member] = await members(services, 1, locality="North")
    [south_member] = await members(services, 1, start=1, locality="South")
    with pytest.raises(NotAllowed, match="members in South"):
        await services.polls.vote(north_member, south.id, [0])
    assert (await services.polls.vote(south_member, south.id, [0])).labels == ("Monday",)
    with pytest.raises(NotAllowed, match="Leading level"):
        await services.polls.vote(south_member, leading.id, [0])
    assert await services.polls.audience_count(GUILD, south.id) == 1


async def test_poll_of_another_server_is_not_found(services: Services) -> None:
    await ready(services)
    poll = await new_poll(services)
    [sam] = await members(services, 1)
    with pytest.raises(Exception, match="doesn't exist"):
        await services.polls.vote(Actor(sam.user_id, GUILD + 1), poll.id, [0])
    with pytest.raises(Exception, match="doesn't exist"):
        await services.polls.vote(sam, poll.id + 100, [0])


async def test_choices_are_checked(services: Services) -> None:
    await ready(services)
    single = await new_poll(services)
    multiple = await new_poll(services, multiple=True)
    [sam] = await members(services, 1)
    for bad in ([], [3], [-1], [0, 1]):
        with pytest.raises(InvalidInput):
            await services.polls.vote(sam, single.id, bad)
    with pytest.raises(InvalidInput):
        await services.polls.vote(sam, multiple.id, [])
    receipt = await services.polls.vote(sam, multiple.id, [2, 0, 2])
    assert receipt.choices == (0, 2) and receipt.labels == ("Monday", "Thursday")
    closed = await services.polls.close(WORKER, multiple.id)
    assert closed.results.counts == (1, 0, 1) and closed.results.total_ballots == 1


async def test_visible_results_come_back_with_the_vote(services: Services) -> None:
    await ready(services)
    poll = await new_poll(services, results_hidden=False)
    voters = await members(services, 2)
    await services.polls.vote(voters[0], poll.id, [1])
    receipt = await services.polls.vote(voters[1], poll.id, [1])
    assert receipt.results is not None
    assert receipt.results.counts == (0, 2, 0) and receipt.results.audience_size == 2
    assert (await services.polls.results(voters[0], poll.id)).total_ballots == 2


async def test_hidden_results_are_hidden_from_everyone_until_close(services: Services) -> None:
    await ready(services)
    poll = await new_poll(services)
    [sam] = await members(services, 1)
    await services.polls.vote(sam, poll.id, [0])
    for actor in (sam, WORKER):
        with pytest.raises(NotAllowed, match="hidden until it closes"):
            await services.polls.results(actor, poll.id)
    turnout = await services.polls.turnout(WORKER, poll.id)
    assert (turnout.total_ballots, turnout.audience_size) == (1, 1)
    with pytest.raises(NotAllowed):
        await services.polls.turnout(sam, poll.id)


async def test_same_member_voting_twice_at_once_gives_one_ballot(
    services: Services, sessions
) -> None:
    await ready(services)
    poll = await new_poll(services)
    [sam] = await members(services, 1)
    results = await asyncio.gather(
        *(services.polls.vote(sam, poll.id, [i % 3]) for i in range(6)), return_exceptions=True
    )
    assert not [r for r in results if isinstance(r, BaseException)]
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(PollBallot)) == 1
        assert await s.scalar(select(func.count()).select_from(Contribution)) == 1


async def test_500_members_vote_and_change_at_once_each_counted_once(
    services: Services, sessions
) -> None:
    await ready(services)
    poll = await new_poll(services, options=["A", "B", "C", "D"])
    voters = await bulk_members(services, 500)

    async def vote_then_change(index: int, voter: Actor) -> None:
        await services.polls.vote(voter, poll.id, [index % 2])  # A or B first
        await services.polls.vote(voter, poll.id, [2 + index % 2])  # then C or D

    results = await asyncio.gather(
        *(vote_then_change(i, v) for i, v in enumerate(voters)), return_exceptions=True
    )
    assert [r for r in results if isinstance(r, BaseException)] == []
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Contribution)) == 500
    closed = await services.polls.close(WORKER, poll.id)
    assert closed.results.counts == (0, 0, 250, 250)
    assert closed.results.total_ballots == 500 == closed.results.audience_size


async def test_refusals_in_a_burst_do_not_spoil_the_votes_written_with_them(
    services: Services, sessions
) -> None:
    await ready(services)
    poll = await new_poll(services)
    voters = await members(services, 20)
    stranger = Actor(user_id=987654, guild_id=GUILD)
    # Arriving together, these are written together: each refusal is its own.
    calls = [services.polls.vote(v, poll.id, [i % 3]) for i, v in enumerate(voters)]
    calls += [
        services.polls.vote(voters[0], poll.id, [9]),  # not an option
        services.polls.vote(stranger, poll.id, [0]),  # not a member
        services.polls.vote(voters[1], poll.id, [0, 1]),  # two choices in a one-choice poll
        services.polls.vote(voters[2], poll.id, [1]),  # a second click, counted in order
    ]
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert not [r for r in results[:20] if isinstance(r, BaseException)]
    assert isinstance(results[20], InvalidInput) and isinstance(results[21], NotAllowed)
    assert isinstance(results[22], InvalidInput)
    last = results[23]
    assert not isinstance(last, BaseException) and last.changed
    assert await services.polls.my_choices(voters[2], poll.id) == (1,)
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(PollBallot)) == 20
        assert await s.scalar(select(func.count()).select_from(Contribution)) == 20
