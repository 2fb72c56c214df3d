"""What a close and a reminder owe Discord (the outbox), and voting once across an erasure."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from bot.db.models import Member, OutboxItem
from bot.db.models.polls import PollErasedVoter
from bot.services.container import Services
from bot.services.errors import Conflict
from bot.services.polls import CLOSED_MESSAGE, REMINDER, RESULTS
from tests.conftest import WORKER
from tests.services.helpers import form
from tests.services.test_polls_helpers import members, new_poll, ready


async def _owed(services: Services) -> list[tuple[str, dict[str, object], int | None]]:
    async with services.db.begin() as s:
        rows = await s.scalars(
            select(OutboxItem).where(OutboxItem.kind.like("polls.%")).order_by(OutboxItem.id)
        )
        return [(r.kind, r.payload, r.subject_member_id) for r in rows]


async def test_a_close_owes_the_redraw_and_the_results_once(services: Services, clock) -> None:
    await ready(services)
    early = await new_poll(services)
    on_time = await new_poll(services)
    outcomes = await asyncio.gather(
        *(services.polls.close(WORKER, early.id) for _ in range(3)), return_exceptions=True
    )
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1
    clock.advance(timedelta(days=3))
    await asyncio.gather(*(services.polls.take_due(clock.now()) for _ in range(3)))
    assert await _owed(services) == [
        (CLOSED_MESSAGE, {"poll_id": early.id}, None),
        (RESULTS, {"poll_id": early.id, "late": False}, None),
        (CLOSED_MESSAGE, {"poll_id": on_time.id}, None),
        (RESULTS, {"poll_id": on_time.id, "late": True}, None),
    ]
    results = await services.polls.owed.closed_results(WORKER.guild_id, early.id)
    assert results.poll.closed_at is not None and results.total_ballots == 0


async def test_a_reminder_owes_one_dm_per_member_and_checks_again_when_sent(
    services: Services, clock
) -> None:
    await ready(services)
    poll = await new_poll(services, reminder_at=clock.now() + timedelta(days=1))
    ada, ben, cy = await members(services, 3)
    clock.advance(timedelta(days=1))
    await asyncio.gather(*(services.polls.take_due(clock.now()) for _ in range(3)))
    owed = await _owed(services)
    assert [kind for kind, _, _ in owed] == [REMINDER] * 3
    member_ids = [m for _, _, m in owed]
    assert len(set(member_ids)) == 3 and None not in member_ids
    guild = WORKER.guild_id
    first = await services.polls.owed.reminder(guild, poll.id, member_ids[0])
    assert first.user_id == ada.user_id and first.skip is None
    # Ben votes before his DM goes out; Cy is erased: neither is sent.
    await services.polls.vote(ben, poll.id, [0])
    assert (await services.polls.owed.reminder(guild, poll.id, member_ids[1])).skip == (
        "they voted before the reminder went out"
    )
    assert (await services.polls.owed.reminder(guild, poll.id, None)).user_id is None
    await services.polls.close(WORKER, poll.id)
    late = await services.polls.owed.reminder(guild, poll.id, member_ids[0])
    assert late.user_id is None and "closed" in (late.skip or "")


async def test_someone_erased_during_an_open_poll_cannot_vote_again_after_rejoining(
    services: Services, clock
) -> None:
    await ready(services)
    poll = await new_poll(services, reminder_at=clock.now() + timedelta(days=1))
    [sam] = await members(services, 1)
    await services.polls.vote(sam, poll.id, [1])
    await services.membership.forget(sam)
    view = await services.membership.join(sam, form("Sam again"))
    await services.membership.approve(WORKER, view.id)
    with pytest.raises(Conflict, match="can't vote in this poll again"):
        await services.polls.vote(sam, poll.id, [2])
    with pytest.raises(Conflict, match="no longer linked to you"):
        await services.polls.my_choices(sam, poll.id)
    # They voted: no reminder is owed to them.
    clock.advance(timedelta(days=1))
    await services.polls.take_due(clock.now())
    assert [kind for kind, _, _ in await _owed(services)] == []
    closed = await services.polls.close(WORKER, poll.id)
    assert closed.results.counts == (0, 1, 0) and closed.results.total_ballots == 1
    async with services.db.begin() as s:
        assert list(await s.scalars(select(PollErasedVoter))) == []


async def test_someone_who_never_voted_is_not_marked(services: Services) -> None:
    await ready(services)
    poll = await new_poll(services)
    [sam] = await members(services, 1)
    await services.membership.forget(sam)
    async with services.db.begin() as s:
        assert list(await s.scalars(select(PollErasedVoter))) == []
    view = await services.membership.join(sam, form("Sam"))
    await services.membership.approve(WORKER, view.id)
    assert (await services.polls.vote(sam, poll.id, [0])).changed is False


async def test_dms_turned_off_after_the_claim_are_not_sent(services: Services, clock) -> None:
    await ready(services)
    poll = await new_poll(services, reminder_at=clock.now() + timedelta(days=1))
    [sam] = await members(services, 1)
    clock.advance(timedelta(days=1))
    await services.polls.take_due(clock.now())
    [(_, _, member_id)] = await _owed(services)
    async with services.db.begin() as s:
        await s.execute(update(Member).values(dm_opt_in=False))
    owed = await services.polls.owed.reminder(sam.guild_id, poll.id, member_id)
    assert owed.user_id is None and "reminder DMs off" in (owed.skip or "")


async def test_postgres_system_columns_do_not_join_the_mark_to_the_unlinked_ballot(
    services: Services, sessions
) -> None:
    async with sessions() as s:
        if s.get_bind().dialect.name != "postgresql":
            pytest.skip("PostgreSQL system columns")
    await ready(services)
    poll = await new_poll(services)
    voters = await members(services, 4)
    for i, voter in enumerate(voters):
        await services.polls.vote(voter, poll.id, [i % 3])
    await services.membership.forget(voters[0])
    async with sessions() as s:
        ballots = set(await s.scalars(text("SELECT xmin::text FROM poll_ballots")))
        marks = set(await s.scalars(text("SELECT xmin::text FROM poll_erased_voters")))
    # Every ballot was written with the mark: the transaction id picks out none of them.
    assert len(ballots) == 1 and ballots == marks
