"""Replies: one per member, capacity and waitlist, audience, /sessions and adjustments."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.db.models import SessionRsvp
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from bot.services.sessions import SessionEdit
from tests.conftest import GUILD, WORKER
from tests.services.helpers import approved_member, second_bot, set_up_guild
from tests.services.test_sessions_helpers import ZOOM, scheduled


async def test_going_gives_the_link_and_counts(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 3001, "Sam")
    view = await scheduled(services)
    outcome = await services.group_sessions.replies.rsvp(sam, view.id, "going")
    assert outcome.changed and not outcome.waitlisted
    assert outcome.online_link == ZOOM
    assert outcome.session.going == 1
    maybe = await services.group_sessions.replies.rsvp(sam, view.id, "maybe")
    assert maybe.online_link is None and maybe.session.going == 0 and maybe.session.maybe == 1


async def test_same_moment_rsvps_leave_one_row(services: Services, sessions) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 3002, "Sam")
    view = await scheduled(services)
    results = await asyncio.gather(
        *(
            services.group_sessions.replies.rsvp(sam, view.id, r)
            for r in ["going", "going", "maybe"]
        )
    )
    assert len(results) == 3
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(SessionRsvp)) == 1


async def test_pressing_going_twice_changes_nothing(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 3003, "Sam")
    view = await scheduled(services)
    await services.group_sessions.replies.rsvp(sam, view.id, "going")
    again = await services.group_sessions.replies.rsvp(sam, view.id, "going")
    assert not again.changed and again.session.going == 1


async def test_capacity_waitlist_and_promotion_of_the_earliest(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    ana, ben, cat, dev = [
        await approved_member(services, 3010 + i, name) for i, name in enumerate("ABCD")
    ]
    view = await scheduled(services, capacity=1)
    assert not (await services.group_sessions.replies.rsvp(ana, view.id, "going")).waitlisted
    clock.advance(timedelta(seconds=1))
    second = await services.group_sessions.replies.rsvp(ben, view.id, "going")
    assert second.waitlisted and second.waitlist_position == 1 and second.online_link is None
    clock.advance(timedelta(seconds=1))
    third = await services.group_sessions.replies.rsvp(cat, view.id, "going")
    assert third.waitlist_position == 2
    # Ben pressing going again keeps his place in the queue.
    assert (
        await services.group_sessions.replies.rsvp(ben, view.id, "going")
    ).waitlist_position == 1
    drop = await services.group_sessions.replies.rsvp(ana, view.id, "cant")
    assert [p.user_id for p in drop.promoted] == [ben.user_id]
    assert drop.promoted[0].online_link == ZOOM
    assert drop.session.going == 1 and drop.session.waitlisted == 1
    # Someone on the waitlist leaving promotes nobody.
    assert (await services.group_sessions.replies.rsvp(cat, view.id, "maybe")).promoted == ()
    # Raising the capacity promotes the waiting straight away.
    await services.group_sessions.replies.rsvp(dev, view.id, "going")
    edited = await services.group_sessions.scheduling.edit(WORKER, view.id, SessionEdit(capacity=3))
    assert [p.user_id for p in edited.promoted] == [dev.user_id]


async def test_capacity_holds_when_everyone_presses_at_once(services: Services) -> None:
    await set_up_guild(services)
    people = [await approved_member(services, 3100 + i, f"P{i}") for i in range(6)]
    view = await scheduled(services, capacity=2)
    results = await asyncio.gather(
        *(services.group_sessions.replies.rsvp(p, view.id, "going") for p in people)
    )
    assert sum(not r.waitlisted for r in results) == 2
    assert sorted(r.waitlist_position for r in results if r.waitlisted) == [1, 2, 3, 4]


async def test_capacity_holds_across_two_bots_and_frees_in_order(
    services: Services, db_url: str, clock: ManualClock, sessions
) -> None:
    """Two processes, each grouping its own clicks: the places are the database's to give."""
    await set_up_guild(services)
    people = [await approved_member(services, 3150 + i, f"Q{i}") for i in range(12)]
    view = await scheduled(services, capacity=5)
    async with second_bot(services, db_url, clock) as other:
        bots = (services, other)
        going = await asyncio.gather(
            *(
                bots[i % 2].group_sessions.replies.rsvp(p, view.id, "going")
                for i, p in enumerate(people)
            )
        )
        placed = [p for p, r in zip(people, going, strict=True) if not r.waitlisted]
        assert len(placed) == 5
        assert sorted(r.waitlist_position for r in going if r.waitlisted) == list(range(1, 8))
        # Three with a place give it up at once, through both bots: three waiting move up.
        left = await asyncio.gather(
            *(
                bots[i % 2].group_sessions.replies.rsvp(p, view.id, "cant")
                for i, p in enumerate(placed[:3])
            )
        )
    promoted = [p.member_id for r in left for p in r.promoted]
    assert len(promoted) == len(set(promoted)) == 3
    async with sessions() as s:
        rows = (await s.execute(select(SessionRsvp.reply, SessionRsvp.waitlisted))).all()
    assert sum(reply == "going" and not waiting for reply, waiting in rows) == 5
    assert sum(waiting for _, waiting in rows) == 4 and len(rows) == 12


async def test_capacity_cannot_drop_below_those_going(services: Services) -> None:
    await set_up_guild(services)
    a = await approved_member(services, 3201, "A")
    b = await approved_member(services, 3202, "B")
    view = await scheduled(services, capacity=5)
    await services.group_sessions.replies.rsvp(a, view.id, "going")
    await services.group_sessions.replies.rsvp(b, view.id, "going")
    with pytest.raises(Conflict, match="2 people already have a place"):
        await services.group_sessions.scheduling.edit(WORKER, view.id, SessionEdit(capacity=1))


async def test_only_approved_members_of_the_audience(services: Services) -> None:
    await set_up_guild(services)
    north = await approved_member(services, 3301, "N", locality="North")
    south = await approved_member(services, 3302, "S", locality="South")
    view = await scheduled(services, audience="locality", audience_value="North")
    await services.group_sessions.replies.rsvp(north, view.id, "going")
    with pytest.raises(NotAllowed, match="members in North"):
        await services.group_sessions.replies.rsvp(south, view.id, "going")
    with pytest.raises(NotAllowed, match="join"):
        await services.group_sessions.replies.rsvp(Actor(3303, GUILD), view.id, "going")
    await services.membership.pause(north)
    with pytest.raises(NotAllowed, match="break"):
        await services.group_sessions.replies.rsvp(north, view.id, "maybe")
    level = await scheduled(services, audience="level", audience_value="Working Together")
    with pytest.raises(NotAllowed, match="Working Together"):
        await services.group_sessions.replies.rsvp(south, level.id, "going")


async def test_bad_reply_and_closed_sessions(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 3401, "Sam")
    view = await scheduled(services)
    with pytest.raises(InvalidInput):
        await services.group_sessions.replies.rsvp(sam, view.id, "yes please")
    other = await scheduled(services)
    await services.group_sessions.scheduling.cancel(WORKER, other.id)
    with pytest.raises(Conflict, match="cancelled"):
        await services.group_sessions.replies.rsvp(sam, other.id, "going")
    clock.set(view.starts_at)
    with pytest.raises(Conflict, match="started"):
        await services.group_sessions.replies.rsvp(sam, view.id, "going")


async def test_upcoming_lists_my_replies(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 3501, "Sam", locality="North")
    first = await scheduled(services, start="2026-12-10 17:00")
    second = await scheduled(services, start="2026-12-03 17:00")
    hidden = await scheduled(services, audience="locality", audience_value="South")
    await services.group_sessions.replies.rsvp(sam, first.id, "going")
    items = await services.group_sessions.replies.upcoming(sam)
    assert [i.session.id for i in items] == [second.id, first.id]
    assert hidden.id not in [i.session.id for i in items]
    assert items[0].reply is None and items[1].reply == "going"
    assert items[1].online_link == ZOOM and items[0].online_link is None
    clock.set(first.ends_at)
    assert [i.session.id for i in await services.group_sessions.replies.upcoming(sam)] == []


async def test_workers_see_adjustments_of_those_replying(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(
        services,
        3601,
        "Sam",
        adjustments=["captions", "camera_off"],
        adjustments_note="I may need to step out",
    )
    view = await scheduled(services)
    await services.group_sessions.replies.rsvp(sam, view.id, "going")
    people = await services.group_sessions.replies.attendees(WORKER, view.id)
    assert [(p.preferred_name, p.reply) for p in people] == [("Sam", "going")]
    assert people[0].adjustments == ("Camera off is fine", "Captions or a transcript")
    assert people[0].adjustments_note == "I may need to step out"
    with pytest.raises(NotAllowed):
        await services.group_sessions.replies.attendees(sam, view.id)


async def test_calendar_file_link_only_for_confirmed(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 3701, "Sam")
    view = await scheduled(services, start="2027-06-03 17:00")
    public = await services.group_sessions.replies.calendar_file(sam, view.id)
    assert ZOOM.encode() not in public.content
    await services.group_sessions.replies.rsvp(sam, view.id, "going")
    mine = await services.group_sessions.replies.calendar_file(sam, view.id)
    event = Calendar.from_ical(mine.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == view.starts_at  # 16:00 UTC, 5pm BST
    assert event.decoded("dtstart").utcoffset().total_seconds() == 0
    assert ZOOM in str(event.get("description"))
    assert mine.filename == f"session-{view.id}.ics"
    assert await services.group_sessions.replies.online_link(sam, view.id) == ZOOM
    assert await services.group_sessions.replies.online_link(WORKER, view.id) == ZOOM


async def test_a_place_held_by_someone_who_left_goes_to_the_waitlist_once(
    services: Services, clock: ManualClock
) -> None:
    import asyncio

    await set_up_guild(services)
    ana = await approved_member(services, 6201, "Ana")
    ben = await approved_member(services, 6202, "Ben")
    view = await scheduled(services, capacity=1)
    await services.group_sessions.replies.rsvp(ana, view.id, "going")
    waiting = await services.group_sessions.replies.rsvp(ben, view.id, "going")
    assert waiting.waitlisted
    assert await services.group_sessions.take_due(clock.now()) == []
    await services.membership.leave(ana)
    first, second = await asyncio.gather(
        services.group_sessions.take_due(clock.now()),
        services.group_sessions.take_due(clock.now()),
    )
    promotions = [e for e in [*first, *second] if type(e).__name__ == "Promotion"]
    assert [p.user_id for p in promotions] == [6202]
    assert promotions[0].online_link is not None
    upcoming = await services.group_sessions.replies.upcoming(ben)
    assert upcoming[0].reply == "going" and not upcoming[0].waitlisted


async def test_a_place_given_up_by_erasure_goes_to_the_waitlist_who_are_told(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    ana = await approved_member(services, 6301, "Ana")
    ben = await approved_member(services, 6302, "Ben")
    view = await scheduled(services, capacity=1)
    await services.group_sessions.replies.rsvp(ana, view.id, "going")
    assert (await services.group_sessions.replies.rsvp(ben, view.id, "going")).waitlisted
    await services.membership.forget(ana)
    events = await services.group_sessions.take_due(clock.now())
    promotions = [e for e in events if type(e).__name__ == "Promotion"]
    assert [p.user_id for p in promotions] == [6302]
    assert await services.group_sessions.take_due(clock.now()) == []
