"""/forgetme and sessions: what is owed to the person stops, and another server is left alone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.db.models import GroupSession, Member, OutboxItem, SessionAttendance, SessionRsvp
from bot.sandbox.fakediscord import FakeDiscord
from tests.conftest import START
from tests.e2e.flows import approved
from tests.e2e.harness import BotHarness, People, answered, slash
from tests.e2e.test_sessions import dms, press, schedule
from tests.e2e.test_sessions_delivery import DAY_BEFORE, dm_posts, drain

OTHER_SERVER = 700000000000000009


async def _other_server(db: async_sessionmaker[AsyncSession], hana: int) -> tuple[int, int, int]:
    """Give Hana a life in another server: a member there, and a worker who runs sessions."""
    async with db.begin() as s:
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
            dm_opt_in=True,
        )
        s.add(there)
        await s.flush()
        gs = GroupSession(
            guild_id=OTHER_SERVER,
            title="Their group",
            starts_at=START - timedelta(days=2),
            ends_at=START - timedelta(days=2, hours=-1),
            duration_minutes=60,
            audience_kind="everyone",
            status="scheduled",
            sequence=0,
            created_by=hana,
            created_at=START - timedelta(days=9),
            updated_at=START,
            attendance_marked_by=hana,
            attendance_marked_at=START,
            minutes="Notes",
            minutes_posted_by=hana,
        )
        s.add(gs)
        await s.flush()
        s.add(SessionRsvp(session_id=gs.id, member_id=there.id, reply="going", replied_at=START))
        s.add(
            SessionAttendance(session_id=gs.id, member_id=there.id, marked_by=hana, marked_at=START)
        )
        owed = OutboxItem(
            guild_id=OTHER_SERVER,
            kind="sessions.changed",
            payload={"session_id": gs.id},
            subject_member_id=there.id,
            status="pending",
            due_at=START + timedelta(days=365),  # not due in this test: it must stay as it is
            attempts=0,
            created_at=START,
        )
        s.add(owed)
        await s.flush()
        return there.id, gs.id, owed.id


async def _forget(fake: FakeDiscord, group: People, user: int) -> None:
    ask = await slash(fake, user, group["guild"], "forgetme")
    await answered(await fake.click(user, int(ask.original["id"]), "confirm:yes"))


async def test_forgetme_stops_the_dms_still_owed_to_the_person(
    fake: FakeDiscord,
    harness: BotHarness,
    group: People,
    clock: ManualClock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    hana = await approved(fake, group, "Hana")
    (announcement,) = await schedule(fake, group)
    await press(fake, hana, announcement, "going")
    # Her reminder is owed, but Discord is down when it first tries.
    fake.faults.fail_next("POST", dm_posts(fake, hana), 503)
    clock.set(DAY_BEFORE)
    await harness.run_due()
    async with sessions() as s:
        [mine] = list(
            await s.scalars(select(OutboxItem).where(OutboxItem.kind == "sessions.reminder"))
        )
    assert mine.status == "pending" and mine.attempts == 1
    await _forget(fake, group, hana)
    await drain(harness, clock)
    assert dms(fake, hana, "tomorrow") == []  # nothing more goes out to an erased person
    async with sessions() as s:
        gone = await s.get(OutboxItem, mine.id)
    assert gone is not None and gone.status == "failed"
    assert gone.last_error == "the person erased their data before it went out"


async def test_forgetme_here_leaves_another_servers_sessions_alone(
    fake: FakeDiscord,
    harness: BotHarness,
    group: People,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    hana = await approved(fake, group, "Hana")
    (announcement,) = await schedule(fake, group)
    await press(fake, hana, announcement, "going")
    there_id, their_session, their_owed = await _other_server(sessions, hana)
    await _forget(fake, group, hana)
    async with sessions() as s:
        assert (
            await s.scalar(
                select(Member.id).where(Member.guild_id == group["guild"], Member.user_id == hana)
            )
            is None
        )
        # The other server keeps everything: her runs of sessions, her reply, what it owes her.
        theirs = await s.get(GroupSession, their_session)
        assert theirs is not None
        assert (theirs.created_by, theirs.attendance_marked_by, theirs.minutes_posted_by) == (
            hana,
            hana,
            hana,
        )
        marked = list(
            await s.scalars(
                select(SessionAttendance.marked_by).where(
                    SessionAttendance.session_id == their_session
                )
            )
        )
        assert marked == [hana]
        replies = list(
            await s.scalars(select(SessionRsvp.member_id).where(SessionRsvp.member_id == there_id))
        )
        assert replies == [there_id]
        still = await s.get(OutboxItem, their_owed)
        assert still is not None
        assert (still.status, still.subject_member_id) == ("pending", there_id)
