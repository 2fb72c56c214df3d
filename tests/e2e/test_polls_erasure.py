"""/forgetme during an open poll: one ballot per person, linked to nobody, in this server only."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import GuildConfig, Member, Poll, PollBallot
from bot.db.models.polls import PollErasedVoter
from bot.sandbox.fakediscord import FakeDiscord
from bot.services.polls.ballots import new_secret, voter_key
from tests.conftest import START
from tests.e2e.flows import approved, click, join
from tests.e2e.harness import (
    BotHarness,
    People,
    answered,
    attachments_of,
    everything_text,
    settle,
    slash,
)
from tests.e2e.test_polls import _id, create_poll, results_posts, vote

OTHER_SERVER = 700000000000000009


async def _forget(fake: FakeDiscord, group: People, user: int) -> None:
    ask = await slash(fake, user, group["guild"], "forgetme")
    done = await answered(await fake.click(user, int(ask.original["id"]), "confirm:yes"))
    assert "erased" in (done.content or "")


async def _ballot_keys(db: async_sessionmaker[AsyncSession], poll_id: int) -> set[str]:
    async with db() as s:
        return set(
            await s.scalars(select(PollBallot.voter_key).where(PollBallot.poll_id == poll_id))
        )


async def test_erasing_during_an_open_poll_keeps_one_unlinked_ballot_and_no_second(
    fake: FakeDiscord,
    harness: BotHarness,
    group: People,
    clock: Any,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    message = await create_poll(fake, group, "Which evening?")
    poll_id = _id(message)
    sam = await approved(fake, group, "Sam")
    for name in ("Ada", "Ben"):
        await vote(fake, await approved(fake, group, name), message, 0)
    await vote(fake, sam, message, 1)  # Wednesday
    async with sessions() as s:
        secret = await s.scalar(select(Poll.ballot_secret).where(Poll.id == poll_id))
    assert secret is not None and voter_key(secret, sam) in await _ballot_keys(sessions, poll_id)

    await _forget(fake, group, sam)
    # Their ballot still counts but no longer carries the key their account computes to.
    keys = await _ballot_keys(sessions, poll_id)
    assert len(keys) == 3 and voter_key(secret, sam) not in keys

    card = await join(fake, group, sam, name="Sam")
    await click(fake, group.worker, card, "signup:approve:")
    await fake.wait_for(
        lambda: group["role:Member"]
        in [int(r) for r in (fake.member(group["guild"], sam) or {}).get("roles", [])]
    )
    again = await vote(fake, sam, message, 2)
    assert "can't vote in this poll again" in (again.content or ""), again.content
    mine = await answered(await fake.click(sam, int(message["id"]), f"poll:mine:{poll_id}"))
    assert mine.ephemeral and "no longer linked to you" in (mine.content or "")
    assert "Wednesday" not in (mine.content or "")
    assert len(await _ballot_keys(sessions, poll_id)) == 3  # still exactly one ballot of theirs
    mydata = await slash(fake, sam, group["guild"], "mydata")
    files = await fake.wait_for(lambda: attachments_of(mydata))
    exported = json.dumps(json.loads(fake.attachment_bytes(files[0])))
    assert "Wednesday" not in exported and "Which evening?" not in exported

    closed = await slash(fake, group.worker, group["guild"], "poll close", {"poll": poll_id})
    await settle(fake, closed)
    [post] = await fake.wait_for(lambda: results_posts(fake, group))
    text = everything_text(post)
    assert "Monday** — 2 votes" in text and "Wednesday** — 1 vote" in text
    assert "Thursday** — 0 votes" in text and "3 of 3 members voted" in text
    async with sessions() as s:
        assert list(await s.scalars(select(PollErasedVoter))) == []  # the marks go at close
        members = set(await s.scalars(select(PollBallot.member_id)))
    assert members == {None}


async def test_erasing_here_leaves_ballots_and_polls_in_another_server_alone(
    fake: FakeDiscord,
    harness: BotHarness,
    group: People,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    hana = await approved(fake, group, "Hana")
    here = await create_poll(fake, group, "Here?", anonymous=False)
    await vote(fake, hana, here, 0)
    secret = new_secret()
    async with sessions.begin() as s:
        s.add(GuildConfig(guild_id=OTHER_SERVER))
        there = Member(
            guild_id=OTHER_SERVER,
            user_id=hana,
            preferred_name="Hana",
            age_band="16-17",
            member_type="young_person",
            locality="North",
            consent_at=START,
            joined_at=START,
            status="approved",
        )
        s.add(there)
        await s.flush()

        def poll(question: str, **values: Any) -> Poll:
            return Poll(
                guild_id=OTHER_SERVER,
                question=question,
                options=["Yes", "No"],
                audience_kind="everyone",
                channel_id=1,
                created_by=hana,  # she runs polls there
                created_at=START,
                closes_at=START + timedelta(days=2),
                **values,
            )

        still_open = poll("Open there?", ballot_secret=secret)
        named_closed = poll("Named there?", anonymous=False, closed_at=START, closed_by=hana)
        s.add_all([still_open, named_closed])
        await s.flush()
        s.add(PollBallot(poll_id=still_open.id, voter_key=voter_key(secret, hana), choices=1))
        s.add(
            PollBallot(poll_id=named_closed.id, voter_key="k" * 64, choices=2, member_id=there.id)
        )
        ids = (still_open.id, named_closed.id, there.id)

    await _forget(fake, group, hana)

    async with sessions() as s:
        theirs = list(await s.scalars(select(Poll).where(Poll.guild_id == OTHER_SERVER)))
        assert {(p.created_by, p.closed_by) for p in theirs} == {(hana, None), (hana, hana)}
        ballots = {
            (b.poll_id, b.voter_key, b.member_id)
            for b in await s.scalars(select(PollBallot).where(PollBallot.poll_id.in_(ids[:2])))
        }
        assert ballots == {(ids[0], voter_key(secret, hana), None), (ids[1], "k" * 64, ids[2])}
        marked = list(await s.scalars(select(PollErasedVoter.poll_id)))
        assert marked == [_id(here)]  # she voted in this server's open poll; none there
        # Here, her named ballot is kept but names nobody.
        ours = list(await s.scalars(select(PollBallot).where(PollBallot.poll_id == _id(here))))
        assert [b.member_id for b in ours] == [None]
