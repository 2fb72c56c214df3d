"""After the session: attendance, contributions, feedback, minutes; and /mydata, /forgetme."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.contribution_kinds import ContributionKind
from bot.db.models import (
    Contribution,
    GroupSession,
    SessionAttendance,
    SessionFeedback,
    SessionReminder,
    SessionRsvp,
)
from bot.services.container import Services
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from tests.conftest import WORKER
from tests.services.helpers import approved_member, set_up_guild
from tests.services.test_sessions_helpers import scheduled


async def member_id(services: Services, actor) -> int:
    return (await services.membership.profile(actor)).id


async def test_full_life_attendance_contributions_feedback_minutes(
    services: Services, clock: ManualClock, sessions
) -> None:
    record = await set_up_guild(services)
    ana = await approved_member(services, 6001, "Ana")
    ben = await approved_member(services, 6002, "Ben")
    view = await scheduled(services, duration_minutes=90)
    await services.group_sessions.replies.rsvp(ana, view.id, "going")
    await services.group_sessions.replies.rsvp(ben, view.id, "going")
    with pytest.raises(Conflict, match="once the session has started"):
        await services.group_sessions.attendance.mark_attendance(WORKER, view.id, [])
    clock.set(view.ends_at)
    ana_id, ben_id = await member_id(services, ana), await member_id(services, ben)
    marked = await services.group_sessions.attendance.mark_attendance(
        WORKER, view.id, attended=[ana_id], cofacilitators=[ben_id]
    )
    assert [a.user_id for a in marked.attended] == [ana.user_id, ben.user_id]
    assert [a.member_id for a in marked.feedback_to] == [ana_id, ben_id]
    assert marked.contributions_recorded == 3
    async with sessions() as s:
        found = {
            (c.member_id, c.kind, c.hours, c.source_key)
            for c in await s.scalars(select(Contribution))
        }
    source = f"session:{view.id}"
    assert found == {
        (ana_id, ContributionKind.SESSION_ATTENDED.value, Decimal("1.50"), source),
        (ben_id, ContributionKind.SESSION_ATTENDED.value, Decimal("1.50"), source),
        (ben_id, ContributionKind.SESSION_COFACILITATED.value, Decimal("1.50"), source),
    }
    # Marking again (a double click) records nothing twice and prompts nobody again.
    again = await services.group_sessions.attendance.mark_attendance(
        WORKER, view.id, attended=[ana_id], cofacilitators=[ben_id]
    )
    assert again.contributions_recorded == 0 and again.feedback_to == ()
    # A correction takes back Ben's co-facilitation only.
    await services.group_sessions.attendance.mark_attendance(
        WORKER, view.id, attended=[ana_id, ben_id]
    )
    async with sessions() as s:
        kinds = sorted(c.kind for c in await s.scalars(select(Contribution)))
    assert kinds.count(ContributionKind.SESSION_COFACILITATED.value) == 0 and len(kinds) == 2

    await services.group_sessions.feedback.submit_feedback(ana, view.id, 5, "yes", "Loved it")
    with pytest.raises(Conflict, match="already given feedback"):
        await services.group_sessions.feedback.submit_feedback(ana, view.id, 1, "no")
    await services.group_sessions.feedback.submit_feedback(ben, view.id, 3, "partly")
    summary = await services.group_sessions.feedback.feedback_summary(WORKER, view.id)
    assert summary.responses == 2 and summary.average_rating == 4.0
    assert summary.listened == {"yes": 1, "partly": 1, "no": 0}
    assert summary.comments == ("Loved it",)

    minutes = await services.group_sessions.minutes.post_minutes(
        WORKER, view.id, "We agreed:\n- more"
    )
    assert minutes.first_time and minutes.minutes == "We agreed:\n- more"
    assert minutes.announcements_channel_id == record.channel_ids["announcements"]
    assert not (
        await services.group_sessions.minutes.post_minutes(WORKER, view.id, "v2")
    ).first_time


async def test_feedback_twice_at_once_is_stored_once(
    services: Services, clock: ManualClock, sessions
) -> None:
    await set_up_guild(services)
    ana = await approved_member(services, 6101, "Ana")
    view = await scheduled(services)
    clock.set(view.ends_at)
    await services.group_sessions.attendance.mark_attendance(
        WORKER, view.id, [await member_id(services, ana)]
    )
    results = await asyncio.gather(
        services.group_sessions.feedback.submit_feedback(ana, view.id, 4, "yes"),
        services.group_sessions.feedback.submit_feedback(ana, view.id, 4, "yes"),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1
    async with sessions() as s:
        assert len(list(await s.scalars(select(SessionFeedback)))) == 1


@pytest.mark.parametrize(
    ("rating", "listened", "comment", "message"),
    [
        (0, "yes", None, "1 \\(not good\\) to 5"),
        (6, "yes", None, "1 \\(not good\\) to 5"),
        (True, "yes", None, "1 \\(not good\\) to 5"),
        (3, "maybe", None, "yes, partly or no"),
        (3, "yes", "x" * 1001, "too long"),
    ],
)
async def test_bad_feedback(
    services: Services, clock: ManualClock, rating, listened, comment, message
) -> None:
    await set_up_guild(services)
    ana = await approved_member(services, 6201, "Ana")
    view = await scheduled(services)
    clock.set(view.ends_at)
    await services.group_sessions.attendance.mark_attendance(
        WORKER, view.id, [await member_id(services, ana)]
    )
    with pytest.raises(InvalidInput, match=message):
        await services.group_sessions.feedback.submit_feedback(
            ana, view.id, rating, listened, comment
        )


async def test_only_attendees_give_feedback_and_only_workers_mark(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    ana = await approved_member(services, 6301, "Ana")
    view = await scheduled(services)
    clock.set(view.ends_at)
    with pytest.raises(NotAllowed, match="marked as attending"):
        await services.group_sessions.feedback.submit_feedback(ana, view.id, 5, "yes")
    with pytest.raises(NotAllowed):
        await services.group_sessions.attendance.mark_attendance(ana, view.id, [])
    with pytest.raises(NotAllowed):
        await services.group_sessions.minutes.post_minutes(ana, view.id, "hello")
    with pytest.raises(NotAllowed):
        await services.group_sessions.feedback.feedback_summary(ana, view.id)
    with pytest.raises(InvalidInput, match="not members"):
        await services.group_sessions.attendance.mark_attendance(WORKER, view.id, [424242])
    with pytest.raises(InvalidInput, match="too long"):
        await services.group_sessions.minutes.post_minutes(WORKER, view.id, "x" * 4001)
    with pytest.raises(InvalidInput, match="empty"):
        await services.group_sessions.minutes.post_minutes(WORKER, view.id, "   ")


async def test_needs_attention_lists_unmarked_ended_sessions(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    view = await scheduled(services)
    clock.set(view.ends_at + timedelta(minutes=1))
    assert [
        v.id for v in await services.group_sessions.directory.needs_attention(view.guild_id)
    ] == [view.id]
    await services.group_sessions.attendance.mark_attendance(WORKER, view.id, [])
    assert await services.group_sessions.directory.needs_attention(view.guild_id) == []


async def test_mydata_and_forgetme(services: Services, clock: ManualClock, sessions) -> None:
    await set_up_guild(services)
    ana = await approved_member(services, 6401, "Ana")
    waiting = await approved_member(services, 6402, "Wai")
    view = await scheduled(services, capacity=1)
    later = await scheduled(services, capacity=1, start="2026-12-20 17:00")
    await services.group_sessions.replies.rsvp(ana, view.id, "going")
    await services.group_sessions.replies.rsvp(ana, later.id, "going")
    await services.group_sessions.replies.rsvp(waiting, later.id, "going")
    clock.set(view.ends_at)
    ana_id = await member_id(services, ana)
    await services.group_sessions.attendance.mark_attendance(WORKER, view.id, [ana_id])
    await services.group_sessions.feedback.submit_feedback(
        ana, view.id, 4, "partly", "Secret words"
    )
    data = await services.membership.export(ana)
    json.dumps(data)
    mine = data["sessions"]
    assert {r["reply"] for r in mine["replies"]} == {"going"}
    assert mine["feedback"][0]["comment"] == "Secret words"
    assert mine["attendance"][0]["session"] == "Monthly group"
    assert {r["kind"] for r in mine["reminders"]} == {"24h", "1h"}

    await services.membership.forget(ana)
    async with sessions() as s:
        for model in (SessionRsvp, SessionReminder, SessionAttendance, SessionFeedback):
            left = list(await s.scalars(select(model).where(model.member_id == ana_id)))
            assert left == [], model.__name__
        comments = list(await s.scalars(select(SessionFeedback.comment)))
        assert "Secret words" not in comments
    # Ana's place in the later session goes to the person waiting, at the next sweep.
    events = await services.group_sessions.take_due(clock.now())
    assert [e.user_id for e in events if type(e).__name__ == "Promotion"] == [6402]
    upcoming = await services.group_sessions.replies.upcoming(waiting)
    assert [(i.session.id, i.waitlisted) for i in upcoming] == [(later.id, False)]


async def test_forgetting_a_worker_unlinks_their_id(services: Services, sessions) -> None:
    await set_up_guild(services)
    view = await scheduled(services)
    # A worker who is also a member erases themselves.
    from bot.services.access import Actor
    from tests.services.helpers import form

    me = Actor(WORKER.user_id, WORKER.guild_id, WORKER.role_ids)
    joined = await services.membership.join(me, form("Wendy"))
    await services.membership.approve(Actor(1, WORKER.guild_id, is_admin=True), joined.id)
    await services.membership.forget(me)
    async with sessions() as s:
        row = await s.get(GroupSession, view.id)
        assert row is not None and row.created_by is None


async def test_attendees_show_what_was_saved_once_marked(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    ana = await approved_member(services, 6101, "Ana")
    ben = await approved_member(services, 6102, "Ben")
    cat = await approved_member(services, 6103, "Cat")
    view = await scheduled(services)
    await services.group_sessions.replies.rsvp(ana, view.id, "going")
    await services.group_sessions.replies.rsvp(ben, view.id, "going")
    await services.group_sessions.replies.rsvp(cat, view.id, "maybe")
    before = await services.group_sessions.replies.attendees(WORKER, view.id)
    assert all(p.attended is None for p in before)
    clock.set(view.ends_at)
    ana_id, cat_id = await member_id(services, ana), await member_id(services, cat)
    await services.group_sessions.attendance.mark_attendance(
        WORKER, view.id, attended=[ana_id], cofacilitators=[cat_id]
    )
    after = {
        p.member_id: p for p in await services.group_sessions.replies.attendees(WORKER, view.id)
    }
    assert after[ana_id].attended is True
    assert after[cat_id].attended is True and after[cat_id].cofacilitated
    ben_id = await member_id(services, ben)
    assert after[ben_id].attended is False  # replied going, but did not come
