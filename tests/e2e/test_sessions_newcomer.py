"""Issue 14, sessions: true warnings, replies from the reminder, clear options, plain words."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved
from tests.e2e.harness import (
    BotHarness,
    People,
    answered,
    custom_ids,
    everything_text,
    settle,
    slash,
)
from tests.e2e.test_sessions import ZOOM, dms, press, schedule, session_id

SOON = {"title": "Soon", "start": "2026-12-10 17:00", "duration": "90", "online_link": ZOOM}


def link_to(guild: int, message: dict[str, Any]) -> str:
    return f"https://discord.com/channels/{guild}/{message['channel_id']}/{message['id']}"


async def test_a_soon_session_warns_about_papers_only_when_it_has_papers(
    fake: FakeDiscord, harness: BotHarness, group: People, clock
) -> None:
    clock.set(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    # Three days away with no papers: nothing to warn about, so it is simply scheduled.
    plain = await slash(fake, group.worker, group["guild"], "session schedule", SOON)
    text = await settle(fake, plain)
    assert "scheduled" in text and "papers" not in text, text
    # The same with papers: the papers can't go out a week before, and the worker is told.
    with_papers = {**SOON, "papers_link": "https://example.org/papers.pdf"}
    warned = await slash(fake, group.worker, group["guild"], "session schedule", with_papers)
    assert "papers can't go out 7 days before" in (warned.content or ""), warned.content
    assert "session:confirm:yes" in custom_ids(warned.original)


async def test_the_reminder_carries_the_reply_buttons_and_the_promotion_a_link(
    fake: FakeDiscord, harness: BotHarness, group: People, clock
) -> None:
    ana = await approved(fake, group, "Ana")
    ben = await approved(fake, group, "Ben")
    (announcement,) = await schedule(fake, group, places=1)
    sid = session_id(announcement)
    await press(fake, ana, announcement, "going")
    await press(fake, ben, announcement, "going")  # full: Ben is on the waiting list

    clock.set(datetime(2026, 12, 9, 17, 0, tzinfo=UTC))
    await harness.run_due()
    [reminder] = await fake.wait_for(lambda: dms(fake, ana, "tomorrow"))
    # The same persistent buttons as the announcement, and a link to it.
    ids = custom_ids(reminder)
    for reply in ("going", "maybe", "cant"):
        assert f"session:rsvp:{sid}:{reply}" in ids, ids
    assert link_to(group["guild"], announcement) in reminder["content"]
    assert "/sessions" not in reminder["content"]

    # Can't go, pressed on the reminder itself, is a reply like any other.
    said = await answered(await fake.click(ana, int(reminder["id"]), f"session:rsvp:{sid}:cant"))
    assert "can't come" in (said.content or ""), said.content
    await fake.wait_for(lambda: "Can't 1" in everything_text(fake.message(int(announcement["id"]))))
    # Ben's place came up: the news links to the announcement, where Can't go is.
    [promoted] = await fake.wait_for(lambda: dms(fake, ben, "a place came up"))
    assert link_to(group["guild"], announcement) in promoted["content"]


async def test_schedule_says_which_option_limits_who_can_come(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    [session] = [c for c in fake.commands(group["guild"]) if c["name"] == "session"]
    for sub in ("schedule", "edit"):
        [command] = [o for o in session["options"] if o["name"] == sub]
        options = {o["name"]: o["description"] for o in command["options"]}
        assert "area" not in options, options  # a bare "area" read like a second audience
        assert "doesn't limit who can come" in options["held_in_area"]
        assert options["audience"].startswith("Who can come")


async def test_plain_words_and_each_time_read_once(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    ana = await approved(fake, group, "Ana")
    handle = await slash(
        fake,
        group.worker,
        group["guild"],
        "session schedule",
        {**SOON, "start": "2026-12-10 17:00"},
    )
    confirmed = await settle(fake, handle)
    # The timestamp, then only the UK clock time: the date is not read out twice.
    assert "(5:00pm UK time)" in confirmed and "December 2026" not in confirmed, confirmed
    (announcement,) = await fake.wait_for(lambda: fake.messages_in(group["#sessions"]))
    await press(fake, ana, announcement, "going")
    mine = await slash(fake, ana, group["guild"], "sessions")
    assert "(5:00pm UK time)" in mine.content and "December 2026" not in mine.content

    sid = session_id(announcement)
    edited = await slash(
        fake, group.worker, group["guild"], "session edit", {"session": sid, "title": "Renamed"}
    )
    text = await settle(fake, edited)
    assert "Saved changes to 1 session." in text and "(s)" not in text, text
    ask = await slash(fake, group.worker, group["guild"], "session cancel", {"session": sid})
    assert "December 2026" not in (ask.content or ""), ask.content
    done = await answered(
        await fake.click(group.worker, int(ask.original["id"]), "session:confirm:yes")
    )
    assert (done.content or "") == "Cancelled 1 session. 1 person who replied is being told."
