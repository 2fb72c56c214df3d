"""Sessions through the stand-in: the whole life of a session, with time moved by the test."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar
from sqlalchemy import func, select

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import Contribution, SessionFeedback, SessionRsvp
from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved
from tests.e2e.harness import (
    BotHarness,
    People,
    answered,
    attachments_of,
    custom_ids,
    everything_text,
    settle,
    slash,
)

ZOOM = "https://zoom.us/j/5551234567"


async def schedule(
    fake: FakeDiscord, group: People, count: int = 1, **options: Any
) -> list[dict[str, Any]]:
    """Run /session schedule as the worker; return the announcements posted in #sessions."""
    before = len(fake.messages_in(group["#sessions"]))
    values = {
        "title": "Monthly group",
        "start": "2026-12-10 17:00",
        "duration": "90",
        "online_link": ZOOM,
        "agenda": "1. Welcome\n2. The new waiting room",
    }
    values.update(options)
    handle = await slash(fake, group.worker, group["guild"], "session schedule", values)
    text = await settle(fake, handle)
    assert "scheduled" in text, text
    posted = await fake.wait_for(
        lambda: len(fake.messages_in(group["#sessions"])[before:]) >= count
        and fake.messages_in(group["#sessions"])[before:]
    )
    return list(posted)


def session_id(message: dict[str, Any]) -> int:
    for cid in custom_ids(message):
        if cid.startswith("session:rsvp:"):
            return int(cid.split(":")[2])
    raise AssertionError("not a session announcement")


async def press(fake: FakeDiscord, user: int, message: dict[str, Any], reply: str) -> Any:
    """Press Going / Maybe / Can't go; wait for the announcement redraw; return the answer."""
    cid = f"session:rsvp:{session_id(message)}:{reply}"
    edited = fake.message(int(message["id"])).get("edited_timestamp")
    handle = await answered(await fake.click(user, int(message["id"]), cid))
    assert handle.ephemeral, handle.content
    # The redraw is the last thing the button does; waiting for it keeps steps in order.
    await fake.wait_for(lambda: fake.message(int(message["id"])).get("edited_timestamp") != edited)
    return handle


def dms(fake: FakeDiscord, user: int, text: str) -> list[dict[str, Any]]:
    return [m for m in fake.dm_messages(user) if text in everything_text(m)]


async def count_rows(harness: BotHarness, model: Any) -> int:
    engine = create_engine(harness.settings.database_url.get_secret_value())
    try:
        async with create_sessionmaker(engine)() as s:
            return int(await s.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        await engine.dispose()


async def test_the_full_life_of_a_session(
    fake: FakeDiscord, harness: BotHarness, group: People, clock
) -> None:
    ana = await approved(fake, group, "Ana", adjustments_note="Captions please")
    ben = await approved(fake, group, "Ben")
    papers = fake.upload_attachment("papers.pdf", b"%PDF-1.4 the agenda papers")
    (announcement,) = await schedule(fake, group, places=5, papers_file=papers)
    public = everything_text(announcement)
    assert papers["url"] in public
    assert (
        "Monthly group" in public and "5:00pm" in public and "Thursday 10 December 2026" in public
    )
    assert ZOOM not in str(announcement)  # the link is never public
    sid = session_id(announcement)
    [event] = await fake.wait_for(lambda: fake.scheduled_events(group["guild"]))
    assert event["scheduled_start_time"].startswith("2026-12-10T17:00")
    assert ZOOM not in str(event)

    going = await press(fake, ana, announcement, "going")
    assert ZOOM in going.content and "Thursday 10 December 2026, 5:00pm" in going.content
    [ics] = await fake.wait_for(lambda: attachments_of(going))
    vevent = Calendar.from_ical(fake.attachment_bytes(ics)).walk("VEVENT")[0]
    assert vevent.decoded("dtstart") == datetime(2026, 12, 10, 17, 0, tzinfo=UTC)
    maybe = await press(fake, ben, announcement, "maybe")
    assert ZOOM not in (maybe.content or "")
    redrawn = await fake.wait_for(
        lambda: "Going 1 · Maybe 1" in everything_text(fake.message(int(announcement["id"])))
    )
    assert redrawn

    mine = await slash(fake, ana, group["guild"], "sessions")
    assert "Monthly group" in mine.content and "Going" in mine.content and ZOOM in mine.content
    who = await slash(fake, group.worker, group["guild"], "session who", {"session": sid})
    assert "Ana" in who.content and "Captions please" in who.content
    denied = await slash(fake, ana, group["guild"], "session who", {"session": sid})
    assert "Only participation workers" in denied.content

    # 7 days before: the papers go to those going, so they have time to read them.
    clock.set(datetime(2026, 12, 3, 17, 0, tzinfo=UTC))
    await harness.run_due()
    [sent] = await fake.wait_for(lambda: dms(fake, ana, "papers"))
    assert papers["url"] in sent["content"] and ZOOM in sent["content"]

    # 72 hours before: only one member going, so workers are alerted in worker-log, once.
    clock.set(datetime(2026, 12, 7, 17, 0, tzinfo=UTC))
    await harness.run_due()
    alerts = await fake.wait_for(
        lambda: [m for m in fake.messages_in(group["#worker-log"]) if "Monthly group" in str(m)]
    )
    assert "1 member going" in alerts[0]["content"]
    await harness.run_due()
    assert len([m for m in fake.messages_in(group["#worker-log"]) if "⚠️" in str(m)]) == 1

    # 24 hours and 1 hour before: reminders by DM with everything in full, to Ana only.
    clock.set(datetime(2026, 12, 9, 17, 0, tzinfo=UTC))
    await harness.run_due()
    [day] = await fake.wait_for(lambda: dms(fake, ana, "tomorrow"))
    assert ZOOM in day["content"] and "Thursday 10 December 2026, 5:00pm" in day["content"]
    clock.set(datetime(2026, 12, 10, 16, 0, tzinfo=UTC))
    await harness.run_due()
    await fake.wait_for(lambda: dms(fake, ana, "in an hour"))
    assert dms(fake, ben, "reminder") == []

    # After the session: attendance with a co-facilitator, feedback, minutes.
    clock.set(datetime(2026, 12, 10, 18, 30, tzinfo=UTC))
    await harness.run_due()
    prompt = await fake.wait_for(
        lambda: [m for m in fake.messages_in(group["#worker-log"]) if "has ended" in str(m)]
    )
    assert f"/session attendance session:{sid}" in prompt[0]["content"]
    form = await slash(fake, group.worker, group["guild"], "session attendance", {"session": sid})
    message = form.original
    ana_member = (await harness.services.membership.status_of(group["guild"], ana)).id
    ben_member = (await harness.services.membership.status_of(group["guild"], ben)).id
    await answered(
        await fake.select(
            group.worker, int(message["id"]), "session:att:came", [str(ana_member), str(ben_member)]
        )
    )
    await answered(
        await fake.select(group.worker, int(message["id"]), "session:att:helped", [str(ben_member)])
    )
    saved = await answered(await fake.click(group.worker, int(message["id"]), "session:att:save"))
    assert "2 came, 1 co-facilitated" in (saved.content or "")
    assert await count_rows(harness, Contribution) == 3
    [ask] = await fake.wait_for(lambda: dms(fake, ana, "How was it?"))
    opened = await answered(await fake.click(ana, int(ask["id"]), f"session:feedback:{sid}"))
    thanks = await answered(
        await fake.submit_modal(ana, opened, {"rating": "5", "listened": "yes", "comment": "Good"})
    )
    assert "Thank you" in (thanks.content or "")
    again = await answered(await fake.click(ana, int(ask["id"]), f"session:feedback:{sid}"))
    twice = await answered(await fake.submit_modal(ana, again, {"rating": "1", "listened": "no"}))
    assert "already given feedback" in (twice.content or "")
    assert await count_rows(harness, SessionFeedback) == 1

    modal = await slash(fake, group.worker, group["guild"], "session minutes", {"session": sid})
    posted = await answered(
        await fake.submit_modal(group.worker, modal, {"text": "We agreed three things."})
    )
    assert "Minutes posted" in (posted.content or "")
    minutes = await fake.wait_for(
        lambda: [m for m in fake.messages_in(group["#announcements"]) if "Minutes" in str(m)]
    )
    assert "We agreed three things." in everything_text(minutes[-1])


async def test_waitlist_promotion_and_cancel_tells_everyone(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    ana = await approved(fake, group, "Ana")
    ben = await approved(fake, group, "Ben")
    cat = await approved(fake, group, "Cat", reminder_dms=False)
    (announcement,) = await schedule(fake, group, places=1)
    await press(fake, ana, announcement, "going")
    waiting = await press(fake, ben, announcement, "going")
    assert "waiting list (number 1)" in waiting.content and ZOOM not in waiting.content
    await press(fake, cat, announcement, "cant")
    await press(fake, ana, announcement, "cant")
    [promoted] = await fake.wait_for(lambda: dms(fake, ben, "a place came up"))
    assert ZOOM in promoted["content"] and promoted.get("attachments")

    sid = session_id(announcement)
    ask = await slash(
        fake, group.worker, group["guild"], "session cancel", {"session": sid, "reason": "Snow"}
    )
    done = await answered(
        await fake.click(group.worker, int(ask.original["id"]), "session:confirm:yes")
    )
    assert "Cancelled 1 session" in (done.content or "")
    for person in (ana, ben, cat):
        [told] = await fake.wait_for(lambda p=person: dms(fake, p, "cancelled"))
        assert "Snow" in told["content"]
    after = await fake.wait_for(
        lambda: "Cancelled" in everything_text(fake.message(int(announcement["id"])))
        and fake.message(int(announcement["id"]))
    )
    assert not [c for c in custom_ids(after) if c.startswith("session:rsvp:")]
    # The event's cancel is its own delivery, which may land just after the announcement's.
    [event] = await fake.wait_for(
        lambda: [e for e in fake.scheduled_events(group["guild"]) if e["status"] == 4]
    )
    assert len(fake.scheduled_events(group["guild"])) == 1 and event["status"] == 4  # cancelled
    assert custom_ids(after) == []


async def test_repeating_series_across_the_clock_changes(
    fake: FakeDiscord, harness: BotHarness, group: People, clock
) -> None:
    clock.set(datetime(2027, 3, 1, 12, 0, tzinfo=UTC))
    posts = await schedule(
        fake, group, count=4, start="2027-03-16 17:00", repeat="weekly", repeat_count=4
    )
    assert all("5:00pm" in everything_text(p) for p in posts)
    events = await fake.wait_for(
        lambda: len(fake.scheduled_events(group["guild"])) == 4
        and fake.scheduled_events(group["guild"])
    )
    starts = sorted(e["scheduled_start_time"][:16] for e in events)
    # GMT before the clocks go forward on 28 March, BST after: 5pm UK both ways.
    assert starts == [
        "2027-03-16T17:00",
        "2027-03-23T17:00",
        "2027-03-30T16:00",
        "2027-04-06T16:00",
    ]

    for start, message in [
        ("2027-03-28 01:30", "doesn't exist in UK time"),
        ("2027-10-31 01:30", "happens twice"),
    ]:
        handle = await slash(
            fake,
            group.worker,
            group["guild"],
            "session schedule",
            {"title": "Night", "start": start, "duration": "60", "online_link": ZOOM},
        )
        assert message in (handle.content or ""), handle.content
    ok = await slash(
        fake,
        group.worker,
        group["guild"],
        "session schedule",
        {"title": "Late", "start": "2027-10-31 01:30 GMT", "duration": "60", "online_link": ZOOM},
    )
    assert "before 10:00am" in (ok.content or "") and "1:30am GMT" in (ok.content or "")
    go = await answered(
        await fake.click(group.worker, int(ok.original["id"]), "session:confirm:yes")
    )
    assert "scheduled" in (go.content or "")
    events = await fake.wait_for(
        lambda: len(fake.scheduled_events(group["guild"])) == 5
        and fake.scheduled_events(group["guild"])
    )
    assert any(e["scheduled_start_time"].startswith("2027-10-31T01:30") for e in events)


async def test_restart_in_the_middle_sends_every_reminder_once(
    fake: FakeDiscord, harness: BotHarness, group: People, clock
) -> None:
    people = [await approved(fake, group, name) for name in ("Ana", "Ben", "Cat")]
    first = (await schedule(fake, group, start="2026-12-10 17:00"))[0]
    second = (await schedule(fake, group, start="2026-12-11 17:00"))[0]
    for message in (first, second):
        for person in people:
            await press(fake, person, message, "going")
    clock.set(datetime(2026, 12, 9, 17, 0, tzinfo=UTC))
    await harness.run_due()
    await fake.wait_for(lambda: all(dms(fake, p, "tomorrow") for p in people))
    # Down from before the first session's 1h reminder until 20 minutes after it.
    await harness.stop()
    clock.set(datetime(2026, 12, 10, 16, 20, tzinfo=UTC))
    await harness.start()  # start-up catches up at once
    await fake.wait_for(lambda: all(dms(fake, p, "in an hour") for p in people))
    # The announcement buttons still work after the restart.
    calendar = await answered(
        await fake.click(people[0], int(second["id"]), f"session:ics:{session_id(second)}")
    )
    [ics] = await fake.wait_for(lambda: attachments_of(calendar))
    vevent = Calendar.from_ical(fake.attachment_bytes(ics)).walk("VEVENT")[0]
    assert vevent.decoded("dtstart") == datetime(2026, 12, 11, 17, 0, tzinfo=UTC)
    await harness.restart()
    await harness.run_due()
    clock.set(datetime(2026, 12, 10, 17, 0, tzinfo=UTC))
    await asyncio.gather(harness.run_due(), harness.run_due())
    clock.set(datetime(2026, 12, 11, 16, 0, tzinfo=UTC))
    await harness.run_due()
    await fake.wait_for(lambda: all(len(dms(fake, p, "in an hour")) == 2 for p in people))
    await harness.restart()
    await harness.run_due()
    await asyncio.sleep(0.2)
    for person in people:
        assert len(dms(fake, person, "tomorrow")) == 2
        assert len(dms(fake, person, "in an hour")) == 2
    late = dms(fake, people[0], "in an hour")[0]
    assert "late" in late["content"]


async def test_bad_input_and_refusals(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    sam = await approved(fake, group, "Sam")
    base = {"title": "Group", "start": "2026-12-10 17:00", "duration": "90", "online_link": ZOOM}
    for change, message in [
        ({"start": "next blursday"}, "couldn't read"),
        ({"start": "2026-11-01 17:00"}, "already passed"),
        ({"duration": "0"}, "between 15 minutes"),
        ({"duration": "-30"}, "length of time"),
        ({"online_link": "zoom dot us"}, "web address"),
        ({"places": 0}, "Places must be"),
    ]:
        handle = await slash(
            fake, group.worker, group["guild"], "session schedule", {**base, **change}
        )
        assert message in (handle.content or ""), (change, handle.content)
        assert handle.ephemeral
    assert fake.messages_in(group["#sessions"]) == []
    refused = await slash(fake, sam, group["guild"], "session schedule", base)
    assert "Only participation workers" in (refused.content or "")
    (announcement,) = await schedule(fake, group)
    sid = session_id(announcement)
    marking = await slash(fake, sam, group["guild"], "session attendance", {"session": sid})
    assert "Only participation workers" in (marking.content or "")
    cid = f"session:rsvp:{sid}:going"
    clicks = await asyncio.gather(
        fake.click(sam, int(announcement["id"]), cid),
        fake.click(sam, int(announcement["id"]), cid),
    )
    for handle in clicks:
        await answered(handle)
    assert await count_rows(harness, SessionRsvp) == 1
    await fake.wait_for(
        lambda: "Going 1 ·" in everything_text(fake.message(int(announcement["id"])))
    )
    await asyncio.sleep(0.3)  # let the second click's redraw finish before the bot stops


async def test_editing_a_series_moves_everything_and_tells_people(
    fake: FakeDiscord, harness: BotHarness, group: People, clock
) -> None:
    ana = await approved(fake, group, "Ana")
    first, second = await schedule(fake, group, count=2, repeat="weekly", repeat_count=2)
    await press(fake, ana, first, "going")
    await fake.wait_for(lambda: len(fake.scheduled_events(group["guild"])) == 2)
    offered = await fake.autocomplete(
        group.worker, group["guild"], "session edit", {"session": "Month"}, "session"
    )
    assert [c["value"] for c in offered] == [session_id(first), session_id(second)]
    areas = await fake.autocomplete(
        group.worker, group["guild"], "session schedule", {"audience": "nor"}, "audience"
    )
    assert [c["value"] for c in areas] == ["Area: North"]
    handle = await slash(
        fake,
        group.worker,
        group["guild"],
        "session edit",
        {"session": session_id(first), "start": "2026-12-10 18:00", "whole_series": True},
    )
    assert "Saved changes to 2 sessions." in (handle.content or ""), handle.content
    [told] = await fake.wait_for(lambda: dms(fake, ana, "has changed"))
    assert "6:00pm" in told["content"] and ZOOM not in told["content"]
    await fake.wait_for(
        lambda: sorted(
            e["scheduled_start_time"][:16] for e in fake.scheduled_events(group["guild"])
        )
        == ["2026-12-10T18:00", "2026-12-17T18:00"]
    )
    for message in (first, second):
        await fake.wait_for(
            lambda m=message: "6:00pm" in everything_text(fake.message(int(m["id"])))
        )
    # The reminder moved with the session: nothing at the old time, one at the new.
    clock.set(datetime(2026, 12, 9, 17, 30, tzinfo=UTC))
    await harness.run_due()
    assert dms(fake, ana, "tomorrow") == []
    clock.set(datetime(2026, 12, 9, 18, 0, tzinfo=UTC))
    await harness.run_due()
    [day] = await fake.wait_for(lambda: dms(fake, ana, "tomorrow"))
    assert "Thursday 10 December 2026, 6:00pm" in day["content"]
    refused = await slash(
        fake, ana, group["guild"], "session edit", {"session": session_id(first), "title": "Mine"}
    )
    assert "Only participation workers" in (refused.content or "")

    # The agenda has room for several lines in a form, prefilled with the current one.
    form = await slash(
        fake, group.worker, group["guild"], "session agenda", {"session": session_id(second)}
    )
    assert form.modal is not None and "Welcome" in (form.modal.fields[0].value or "")
    agenda = "1. Check-in\n2. Ideas for the garden\n3. Close"
    saved = await answered(await fake.submit_modal(group.worker, form, {"text": agenda}))
    assert "agenda is updated" in (saved.content or "")
    await fake.wait_for(
        lambda: "Ideas for the garden" in everything_text(fake.message(int(second["id"])))
    )
    moved = await slash(
        fake,
        group.worker,
        group["guild"],
        "session edit",
        {"session": session_id(second), "audience": "Area: South"},
    )
    assert "Saved changes to 1 session." in (moved.content or ""), moved.content
    await fake.wait_for(
        lambda: "Members in South" in everything_text(fake.message(int(second["id"])))
    )


async def test_mydata_and_forgetme_cover_sessions(
    fake: FakeDiscord, harness: BotHarness, group: People, clock, db_url: str
) -> None:
    import json

    from tests.e2e.harness import table_dump

    name = "Quillon"
    user = await approved(fake, group, name)
    (announcement,) = await schedule(fake, group)
    sid = session_id(announcement)
    await press(fake, user, announcement, "going")
    clock.set(datetime(2026, 12, 10, 18, 30, tzinfo=UTC))
    form = await slash(fake, group.worker, group["guild"], "session attendance", {"session": sid})
    await answered(
        await fake.click(group.worker, int(form.original["id"]), "session:att:save")
    )  # people who were going are ticked already
    words = "The breakout rooms were a bit loud for me"
    [ask] = await fake.wait_for(lambda: dms(fake, user, "How was it?"))
    opened = await answered(await fake.click(user, int(ask["id"]), f"session:feedback:{sid}"))
    await answered(
        await fake.submit_modal(
            user, opened, {"rating": "4", "listened": "partly", "comment": words}
        )
    )
    handle = await slash(fake, user, group["guild"], "mydata")
    files = await fake.wait_for(lambda: attachments_of(handle))
    data = json.loads(fake.attachment_bytes(files[0]))
    assert data["sessions"]["feedback"][0]["comment"] == words
    assert data["sessions"]["replies"][0]["reply"] == "going"
    assert data["sessions"]["attendance"][0]["session"] == "Monthly group"

    ask_erase = await slash(fake, user, group["guild"], "forgetme")
    await answered(await fake.click(user, int(ask_erase.original["id"]), "confirm:yes"))
    await fake.wait_for(
        lambda: group["role:Member"]
        not in {int(r) for r in fake.member(group["guild"], user)["roles"]}
    )
    dump = await table_dump(db_url)
    for table in ("session_rsvps", "session_reminders", "session_attendance", "session_feedback"):
        assert dump[table] == [], table
    for table, rows in dump.items():
        for row in rows:
            for value in row:
                assert str(user) not in str(value) and words not in str(value), table
    assert name not in str(dump)


async def test_awkward_text_is_stored_exactly_or_refused_kindly(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    titles = [
        "@everyone **bold** __under__ `code` <@123> #sessions",
        "🌈" * 100,
        "Zoë's group — “quotes” & <tags>",
        "x" * 101,
        "tab\u200bhidden",
        "right\u202eleft",
        "   ",
    ]
    for title in titles:
        handle = await slash(
            fake,
            group.worker,
            group["guild"],
            "session schedule",
            {"title": title, "start": "2026-12-10 17:00", "duration": "90", "place": "Hall"},
        )
        text = await settle(fake, handle)
        assert handle.ephemeral
        if "scheduled" not in text:
            assert any(w in text for w in ("too long", "hidden control", "can't be empty")), text
    posts = await fake.wait_for(
        lambda: len(fake.messages_in(group["#sessions"])) == 3
        and fake.messages_in(group["#sessions"])
    )
    titles_shown = [p["embeds"][0]["title"] for p in posts]
    assert titles_shown[1] == "🌈" * 100
    assert "\\*\\*bold\\*\\*" in titles_shown[0]  # markdown shown as typed, not applied
    events = {e["name"] for e in fake.scheduled_events(group["guild"])}
    assert "Zoë's group — “quotes” & <tags>" in events
