"""Scheduling, editing and cancelling sessions, with the reasonable-adjustment checks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.db.models import GroupSession, SessionSeries
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.services.sessions import SessionEdit
from tests.conftest import GUILD, MODERATOR, WORKER
from tests.services.helpers import approved_member, set_up_guild
from tests.services.test_sessions_helpers import ZOOM, scheduled, session_form


async def test_schedule_stores_utc_and_shows_uk_time(services: Services) -> None:
    await set_up_guild(services)
    outcome = await services.group_sessions.scheduling.schedule(WORKER, session_form())
    assert outcome.saved and outcome.warnings == ()
    view = outcome.sessions[0]
    assert view.starts_at == datetime(2026, 12, 10, 17, 0, tzinfo=UTC)
    assert view.ends_at - view.starts_at == timedelta(minutes=90)
    assert view.local_text == "Thursday 10 December 2026, 5:00pm to 6:30pm (UK time)"
    assert view.online and outcome.online_link == ZOOM
    assert not hasattr(view, "online_link")  # the public view never carries the link
    assert outcome.sessions_channel_id is not None


async def test_summer_session_is_an_hour_earlier_in_utc(services: Services) -> None:
    await set_up_guild(services)
    view = await scheduled(services, start="2027-06-03 17:00")
    assert view.starts_at == datetime(2027, 6, 3, 16, 0, tzinfo=UTC)
    assert "5:00pm" in view.local_text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 101}, "too long"),
        ({"agenda": "x" * 1501}, "too long"),
        ({"start": "someday"}, "couldn't read"),
        ({"start": "2026-11-23 11:00"}, "already passed"),
        ({"start": "2026-11-20 17:00"}, "already passed"),
        ({"start": "2030-01-01 17:00"}, "two years"),
        ({"start": "2027-03-28 01:30"}, "doesn't exist"),
        ({"start": "2026-10-25 01:30 GMT"}, "already passed"),
        ({"start": "2027-10-31 01:30"}, "happens twice"),
        ({"duration_minutes": 0}, "between 15 minutes"),
        ({"duration_minutes": -30}, "between 15 minutes"),
        ({"duration_minutes": 14}, "between 15 minutes"),
        ({"duration_minutes": 481}, "between 15 minutes"),
        ({"duration_minutes": "forever"}, "length of time"),
        ({"online_link": "zoom.us/j/1"}, "web address"),
        ({"online_link": "javascript:alert(1)"}, "web address"),
        ({"online_link": None, "place": None}, "online link .* or a place"),
        ({"capacity": 0}, "Places must be"),
        ({"capacity": -1}, "Places must be"),
        ({"capacity": True}, "Places must be"),
        ({"papers_url": "see email"}, "web address"),
        ({"locality": "Narnia"}, "area"),
        ({"audience": "friends"}, "who it is for"),
        ({"audience": "locality", "audience_value": "Narnia"}, "area"),
        ({"audience": "level", "audience_value": "boss"}, "level"),
        ({"repeat": "daily", "repeat_count": 3}, "weekly, fortnightly or monthly"),
        ({"repeat": "weekly"}, "how many"),
        ({"repeat": "weekly", "repeat_count": 3, "repeat_until": "1 Mar 2027"}, "not both"),
        ({"repeat": "weekly", "repeat_count": 13}, "1 to 12"),
        ({"repeat": "weekly", "repeat_until": "1 Dec 2027"}, "more than 12"),
        ({"repeat": "weekly", "repeat_until": "1 Dec 2026"}, "before the first"),
        ({"repeat_count": 3}, "how often"),
    ],
)
async def test_bad_input_is_refused_and_saves_nothing(
    services: Services, sessions, changes: dict[str, object], message: str
) -> None:
    await set_up_guild(services)
    with pytest.raises(InvalidInput, match=message):
        await services.group_sessions.scheduling.schedule(
            WORKER, session_form(**changes), confirm=True
        )
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(GroupSession)) == 0


async def test_non_workers_cannot_schedule_edit_or_cancel(services: Services) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 2001)
    view = await scheduled(services)
    for actor in (member, MODERATOR, Actor(2002, GUILD)):
        with pytest.raises(NotAllowed):
            await services.group_sessions.scheduling.schedule(actor, session_form())
        with pytest.raises(NotAllowed):
            await services.group_sessions.scheduling.edit(
                actor, view.id, SessionEdit(title="Mine now")
            )
        with pytest.raises(NotAllowed):
            await services.group_sessions.scheduling.cancel(actor, view.id)


async def test_other_servers_sessions_are_not_found(services: Services) -> None:
    await set_up_guild(services)
    view = await scheduled(services)
    other = Actor(WORKER.user_id, GUILD + 1, WORKER.role_ids, is_admin=True)
    with pytest.raises(NotAllowed):  # the other server has not run /setup
        await services.group_sessions.scheduling.cancel(other, view.id)
    with pytest.raises(NotFound):
        await services.group_sessions.scheduling.cancel(WORKER, 999999)


async def test_early_start_needs_confirmation(services: Services, sessions) -> None:
    await set_up_guild(services)
    form = session_form(start="Sat 12 Dec 9:30am")
    first = await services.group_sessions.scheduling.schedule(WORKER, form)
    assert not first.saved and first.sessions == ()
    assert len(first.warnings) == 1 and "before 10:00am" in first.warnings[0]
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(GroupSession)) == 0
    second = await services.group_sessions.scheduling.schedule(WORKER, form, confirm=True)
    assert second.saved and second.warnings == first.warnings


async def test_school_hours_warning_on_weekdays_only(services: Services) -> None:
    await set_up_guild(services)
    weekday = await services.group_sessions.scheduling.schedule(
        WORKER, session_form(start="2026-12-10 14:00")
    )
    assert any("school hours" in w for w in weekday.warnings)
    # Running into school hours counts too: 3pm to 4:30pm overlaps 8:30am to 3:30pm.
    overlap = await services.group_sessions.scheduling.schedule(
        WORKER, session_form(start="2026-12-10 15:00")
    )
    assert any("school hours" in w for w in overlap.warnings)
    after = await services.group_sessions.scheduling.schedule(
        WORKER, session_form(start="2026-12-10 15:30")
    )
    assert after.saved and after.warnings == ()
    weekend = await services.group_sessions.scheduling.schedule(
        WORKER, session_form(start="2026-12-12 14:00")
    )
    assert weekend.saved and weekend.warnings == ()


async def test_school_hours_check_needs_under_18_bands(services: Services, settings) -> None:
    await set_up_guild(services)
    adults = settings.model_copy(
        update={"group": settings.group.model_copy(update={"under_18_age_bands": []})}
    )
    services.group_sessions.scheduling.settings = adults
    outcome = await services.group_sessions.scheduling.schedule(
        WORKER, session_form(start="2026-12-10 14:00")
    )
    assert outcome.saved


async def test_papers_warning_when_too_soon(services: Services) -> None:
    await set_up_guild(services)
    soon = await services.group_sessions.scheduling.schedule(
        WORKER, session_form(start="2026-11-27 17:00", papers_url="https://example.org/p.pdf")
    )
    assert not soon.saved
    assert len(soon.warnings) == 1 and "papers can't go out 7 days before" in soon.warnings[0]


async def test_no_papers_warning_without_papers(services: Services) -> None:
    # Issue 14: a warning that is often false teaches workers to click through true ones.
    await set_up_guild(services)
    soon = await services.group_sessions.scheduling.schedule(
        WORKER, session_form(start="2026-11-27 17:00")
    )
    assert soon.saved and soon.warnings == ()


async def test_weekly_series_keeps_local_time_across_the_march_change(
    services: Services, clock: ManualClock
) -> None:
    clock.set(datetime(2027, 3, 1, 12, tzinfo=UTC))
    await set_up_guild(services)
    outcome = await services.group_sessions.scheduling.schedule(
        WORKER,
        session_form(start="2027-03-16 17:00", repeat="weekly", repeat_count=4),
        confirm=True,
    )
    starts = [v.starts_at for v in outcome.sessions]
    # 16 and 23 March are GMT; 30 March and 6 April are BST (clocks went forward on the 28th).
    assert [s.hour for s in starts] == [17, 17, 16, 16]
    assert all("5:00pm" in v.local_text for v in outcome.sessions)
    assert len({v.series_id for v in outcome.sessions}) == 1


async def test_fortnightly_until_and_monthly_series(services: Services, sessions) -> None:
    await set_up_guild(services)
    fortnightly = await services.group_sessions.scheduling.schedule(
        WORKER,
        session_form(repeat="fortnightly", repeat_until="4 Feb 2027"),
        confirm=True,
    )
    assert [v.starts_at.date().isoformat() for v in fortnightly.sessions] == [
        "2026-12-10",
        "2026-12-24",
        "2027-01-07",
        "2027-01-21",
        "2027-02-04",
    ]
    monthly = await services.group_sessions.scheduling.schedule(
        WORKER,
        session_form(start="2027-01-31 17:00", repeat="monthly", repeat_count=3),
        confirm=True,
    )
    # The 31st becomes the last day of shorter months; April is BST.
    assert [v.local_text[:30] for v in monthly.sessions] == [
        "Sunday 31 January 2027, 5:00pm",
        "Sunday 28 February 2027, 5:00p",
        "Wednesday 31 March 2027, 5:00p",
    ]
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(SessionSeries)) == 2


async def test_series_warnings_name_the_first_and_count_the_rest(services: Services) -> None:
    await set_up_guild(services)
    outcome = await services.group_sessions.scheduling.schedule(
        WORKER, session_form(start="2026-12-07 09:00", repeat="weekly", repeat_count=3)
    )
    early = next(w for w in outcome.warnings if "before 10:00am" in w)
    assert early.startswith("Monday 7 December 2026, 9:00am (UK time) (and 2 more in the series)")


async def test_edit_one_and_the_series(services: Services) -> None:
    await set_up_guild(services)
    outcome = await services.group_sessions.scheduling.schedule(
        WORKER, session_form(repeat="weekly", repeat_count=3), confirm=True
    )
    first, second, third = outcome.sessions
    edited = await services.group_sessions.scheduling.edit(
        WORKER, second.id, SessionEdit(title="Special")
    )
    assert edited.saved and [v.title for v in edited.sessions] == ["Special"]
    assert not edited.time_changed and edited.sessions[0].sequence == 1
    moved = await services.group_sessions.scheduling.edit(
        WORKER, second.id, SessionEdit(start="2026-12-17 18:00"), whole_series=True
    )
    assert moved.saved and moved.time_changed
    assert [v.id for v in moved.sessions] == [second.id, third.id]
    assert [v.starts_at.hour for v in moved.sessions] == [18, 18]
    untouched = await services.group_sessions.directory.view(GUILD, first.id)
    assert untouched.starts_at.hour == 17 and untouched.title == "Monthly group"


async def test_edit_rechecks_and_validates(services: Services) -> None:
    await set_up_guild(services)
    view = await scheduled(services)
    early = await services.group_sessions.scheduling.edit(
        WORKER, view.id, SessionEdit(start="12 Dec 9am")
    )
    assert not early.saved and "before 10:00am" in early.warnings[0]
    assert (await services.group_sessions.directory.view(GUILD, view.id)).starts_at.hour == 17
    with pytest.raises(InvalidInput):
        await services.group_sessions.scheduling.edit(
            WORKER, view.id, SessionEdit(duration_minutes=0)
        )
    with pytest.raises(InvalidInput):
        await services.group_sessions.scheduling.edit(
            WORKER, view.id, SessionEdit(online_link="nope")
        )
    cleared = await services.group_sessions.scheduling.edit(
        WORKER, view.id, SessionEdit(online_link=None, place="Town hall, room 2")
    )
    assert cleared.saved and not cleared.sessions[0].online
    assert cleared.sessions[0].place == "Town hall, room 2"


async def test_cancel_once_even_when_two_workers_press_at_once(services: Services) -> None:
    await set_up_guild(services)
    view = await scheduled(services)
    results = await asyncio.gather(
        services.group_sessions.scheduling.cancel(WORKER, view.id, reason="Snow"),
        services.group_sessions.scheduling.cancel(WORKER, view.id, reason="Snow"),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1
    after = await services.group_sessions.directory.view(GUILD, view.id)
    assert after.status == "cancelled"
    with pytest.raises(Conflict):
        await services.group_sessions.scheduling.edit(WORKER, view.id, SessionEdit(title="Back on"))


async def test_cancel_the_rest_of_a_series(services: Services) -> None:
    await set_up_guild(services)
    outcome = await services.group_sessions.scheduling.schedule(
        WORKER, session_form(repeat="weekly", repeat_count=4), confirm=True
    )
    ids = [v.id for v in outcome.sessions]
    cancelled = await services.group_sessions.scheduling.cancel(WORKER, ids[1], whole_series=True)
    assert [v.id for v in cancelled.sessions] == ids[1:]
    assert all(v.status == "cancelled" for v in cancelled.sessions)
    assert (await services.group_sessions.directory.view(GUILD, ids[0])).status == "scheduled"


async def test_started_sessions_cannot_be_changed(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    view = await scheduled(services)
    clock.set(view.starts_at)
    with pytest.raises(Conflict, match="already started"):
        await services.group_sessions.scheduling.cancel(WORKER, view.id)
    with pytest.raises(Conflict, match="already started"):
        await services.group_sessions.scheduling.edit(
            WORKER, view.id, SessionEdit(title="Late change")
        )


async def test_discord_bookkeeping(services: Services) -> None:
    await set_up_guild(services)
    view = await scheduled(services)
    await services.group_sessions.directory.set_discord_event(view.id, 123456789012345678)
    await services.group_sessions.directory.set_announcement(view.id, 11, 22)
    after = await services.group_sessions.directory.view(GUILD, view.id)
    assert after.discord_event_id == 123456789012345678
    assert (after.announce_channel_id, after.announce_message_id) == (11, 22)
    listed = await services.group_sessions.directory.for_worker(WORKER)
    assert [v.id for v in listed] == [view.id]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    title=st.text(max_size=120),
    duration=st.integers(min_value=-100, max_value=600),
    capacity=st.one_of(st.none(), st.integers(min_value=-5, max_value=600)),
    link=st.one_of(st.none(), st.text(max_size=30), st.just(ZOOM)),
)
async def test_random_forms_save_valid_sessions_or_refuse(
    services: Services, title: str, duration: int, capacity: int | None, link: str | None
) -> None:
    await set_up_guild(services)
    form = session_form(
        title=title, duration_minutes=duration, capacity=capacity, online_link=link, place=None
    )
    try:
        outcome = await services.group_sessions.scheduling.schedule(WORKER, form, confirm=True)
    except InvalidInput as exc:
        assert exc.message
        return
    view = outcome.sessions[0]
    assert 0 < len(view.title) <= 100
    assert 15 <= view.duration_minutes <= 480
    assert capacity is None or 1 <= capacity <= 500


async def test_weekly_series_keeps_local_time_across_the_october_change(
    services: Services, clock: ManualClock
) -> None:
    clock.set(datetime(2027, 10, 1, 12, tzinfo=UTC))
    await set_up_guild(services)
    outcome = await services.group_sessions.scheduling.schedule(
        WORKER,
        session_form(start="2027-10-24 17:00", repeat="weekly", repeat_count=2),
        confirm=True,
    )
    # Sunday 24 October is BST; Sunday 31 October is the day the clocks go back (GMT by 5pm).
    assert [v.starts_at for v in outcome.sessions] == [
        datetime(2027, 10, 24, 16, 0, tzinfo=UTC),
        datetime(2027, 10, 31, 17, 0, tzinfo=UTC),
    ]
    assert all("5:00pm" in v.local_text for v in outcome.sessions)
    # The 24h reminder is 24 real hours before: Saturday 30 October 17:00 UTC (6pm BST).
    sam = await approved_member(services, 2101, "Sam")
    await services.group_sessions.replies.rsvp(sam, outcome.sessions[1].id, "going")
    clock.set(datetime(2027, 10, 30, 16, 59, tzinfo=UTC))
    events = await services.group_sessions.take_due(clock.now())
    assert [e.kind for e in events if hasattr(e, "kind")] == []
    clock.set(datetime(2027, 10, 30, 17, 0, tzinfo=UTC))
    events = await services.group_sessions.take_due(clock.now())
    assert [e.kind for e in events if hasattr(e, "kind")] == ["24h"]
