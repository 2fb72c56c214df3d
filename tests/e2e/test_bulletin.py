"""The monthly bulletin through the stand-in: preview, note, and sent once across restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.db.models import BulletinIssue, Consultation, ConsultationFeedback, OutboxItem
from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved
from tests.e2e.harness import BotHarness, People, everything_text, settle, slash

OPPORTUNITY: dict[str, Any] = {
    "kind": "project",
    "title": "Redesign the waiting room",
    "involves": "Three workshops with the estates team to choose colours, seats and signs.",
    "date": "2027-01-20",
    "payment": "Unpaid; travel and lunch paid",
    "suits": "Anyone who has waited in the North clinic",
}
DUE = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 10:00am UK time (GMT in December)


def bulletins(fake: FakeDiscord, channel_id: int) -> list[dict[str, Any]]:
    """Return the bulletin messages in a channel (or DM channel)."""
    return [m for m in fake.messages_in(channel_id) if "bulletin" in everything_text(m)]


def dm_bulletins(fake: FakeDiscord, user: int) -> list[dict[str, Any]]:
    """Return the bulletin DMs a user got."""
    return [m for m in fake.dm_messages(user) if "bulletin" in everything_text(m)]


async def seed_feedback(harness: BotHarness, guild_id: int) -> None:
    """Publish a "you said, we did" (as the consultations feature stores it)."""
    now = harness.clock.now()
    async with harness.services.db.begin() as s:
        row = Consultation(
            guild_id=guild_id,
            title="Text reminders",
            purpose="p",
            outcomes="o",
            can_change="c",
            cannot_change="n",
            deadline=now - timedelta(days=10),
            review_date=now + timedelta(days=10),
            audience_kind="everyone",
            audience_value=None,
            anonymous=True,
            status="closed",
            created_at=now - timedelta(days=20),
            closed_at=now - timedelta(days=10),
        )
        s.add(row)
        await s.flush()
        s.add(
            ConsultationFeedback(
                consultation_id=row.id,
                said="Reminders the day before would help.",
                did="The clinic now texts everyone the day before.",
                could_not="Weekend texts are not possible yet.",
                published_at=now - timedelta(days=2),
                days_to_feedback=8,
            )
        )


async def test_preview_note_and_sent_once_across_restarts(
    fake: FakeDiscord, harness: BotHarness, group: People, clock
) -> None:
    guild = group["guild"]
    ana = await approved(fake, group, "Ana")
    ben = await approved(fake, group, "Ben", reminder_dms=False)
    cal = await approved(fake, group, "Cal")
    posted = await slash(fake, group.worker, guild, "opportunity post", OPPORTUNITY)
    assert "being posted" in (posted.content or ""), posted.content
    scheduled = await slash(
        fake,
        group.worker,
        guild,
        "session schedule",
        {
            "title": "Monthly group",
            "start": "2026-12-10 17:00",
            "duration": "90",
            "online_link": "https://zoom.us/j/5551234567",
        },
    )
    assert "scheduled" in await settle(fake, scheduled)
    await seed_feedback(harness, guild)

    refused = await slash(fake, ana, guild, "bulletin preview")
    assert "Only participation workers" in (refused.content or "")
    preview = await slash(fake, group.worker, guild, "bulletin preview")
    text = everything_text(preview.original)
    assert preview.ephemeral and "Tuesday 1 December 2026, 10:00am" in text
    assert "2 members" in text  # Ana and Cal chose news by DM; Ben did not
    assert "Redesign the waiting room" in text and "Unpaid; travel and lunch paid" in text
    assert "Monthly group" in text and "Thursday 10 December 2026" in text
    assert "Text reminders" in text and "texts everyone the day before" in text

    not_theirs = await slash(fake, ana, guild, "bulletin note", {"text": "Hi"})
    assert "Only participation workers" in (not_theirs.content or "")
    noted = await slash(
        fake, group.worker, guild, "bulletin note", {"text": "Welcome to our three new members!"}
    )
    assert "note is saved" in (noted.content or "")
    assert "Welcome to our three new members!" in everything_text(noted.original)
    bad = await slash(fake, group.worker, guild, "bulletin note", {"text": "Hi\u200bthere"})
    assert "hidden control character" in (bad.content or "")
    assert bulletins(fake, group["#announcements"]) == []

    # The due time passes with a restart across it: sent once, to the right people.
    await harness.restart()
    clock.set(DUE + timedelta(minutes=1))
    await harness.run_due()
    posts = await fake.wait_for(lambda: bulletins(fake, group["#announcements"]))
    await fake.wait_for(lambda: dm_bulletins(fake, ana) and dm_bulletins(fake, cal))
    await harness.run_due()
    post = everything_text(posts[0])
    assert "December 2026" in post and "Welcome to our three new members!" in post
    assert "Redesign the waiting room" in post and "Monthly group" in post
    assert len(dm_bulletins(fake, ana)) == 1 and len(dm_bulletins(fake, cal)) == 1
    assert "Welcome to our three new members!" in everything_text(dm_bulletins(fake, ana)[0])
    assert dm_bulletins(fake, ben) == []

    # Again in the same month, and after another restart: nothing more.
    await harness.restart()
    await harness.run_due()
    clock.set(DUE + timedelta(hours=5))
    await harness.run_due()
    assert len(bulletins(fake, group["#announcements"])) == 1
    assert len(dm_bulletins(fake, ana)) == 1 and len(dm_bulletins(fake, cal)) == 1
    async with harness.services.db() as s:
        issues = list(await s.scalars(select(BulletinIssue)))
        owed = list(await s.scalars(select(OutboxItem).where(OutboxItem.kind.like("bulletin%"))))
    assert [(i.month, i.recipients) for i in issues] == [("2026-12", 2)]
    assert sorted(o.kind for o in owed) == ["bulletin.dm", "bulletin.dm", "bulletin.post"]
    assert all(o.status == "done" for o in owed)

    # A note now goes to January's bulletin, which the preview says.
    later = await slash(fake, group.worker, guild, "bulletin preview")
    assert "Friday 1 January 2027" in everything_text(later.original)


async def test_down_over_due_time_sends_at_start_up_but_not_days_late(
    fake: FakeDiscord, harness: BotHarness, group: People, clock
) -> None:
    ana = await approved(fake, group, "Ana")
    await harness.stop()
    clock.set(DUE + timedelta(hours=3))
    await harness.start()
    await fake.wait_for(lambda: dm_bulletins(fake, ana))
    assert len(bulletins(fake, group["#announcements"])) == 1
    # Down over January's due time for days: that bulletin is missed, not sent out of the blue.
    await harness.stop()
    clock.set(datetime(2027, 1, 4, 12, 0, tzinfo=UTC))
    await harness.start()
    await harness.run_due()
    assert len(bulletins(fake, group["#announcements"])) == 1
    assert len(dm_bulletins(fake, ana)) == 1
