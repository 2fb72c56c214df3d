"""Consultation news goes out exactly once through Discord's failures, or is recorded as not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import Member, OutboxItem
from bot.sandbox.fakediscord import FakeDiscord
from bot.services.consultations.owed import FEEDBACK_DM, KINDS
from tests.e2e.flows import approved
from tests.e2e.harness import BotHarness, People, answered, custom_ids, everything_text, slash
from tests.e2e.test_consultations import cid_starting, draft, step_message, submit


async def _deliver(harness: BotHarness, clock: ManualClock, rounds: int = 6) -> None:
    """Run the scheduler a few times, letting each retry's back-off pass on the bot's clock."""
    for _ in range(rounds):
        await harness.run_due()
        clock.advance(timedelta(seconds=30))


def _with(messages: list[dict[str, Any]], words: str) -> list[dict[str, Any]]:
    return [m for m in messages if words in everything_text(m)]


async def _open_and_answer(fake: FakeDiscord, group: People, *users: int) -> int:
    """Draft a named one-question consultation, open it, and have each user answer it."""
    guild = group["guild"]
    cid = await draft(fake, group, anonymous=False)
    form = await slash(
        fake, group.worker, guild, "consult question", {"consultation": cid, "kind": "scale 1-5"}
    )
    await submit(fake, group.worker, form, question="How safe does it feel?")
    await slash(fake, group.worker, guild, "consult open", {"consultation": cid})
    for user in users:
        start = await slash(fake, user, guild, "consult answer", {"consultation": cid})
        message = step_message(start)
        prefix = f"consult:scale:{cid}:"
        await answered(await fake.click(user, int(message["id"]), cid_starting(message, prefix)))
    return cid


async def test_close_and_feedback_arrive_once_through_503s_and_closed_dms(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    guild, announcements = group["guild"], group["#announcements"]
    ana = await approved(fake, group, "Ana", reminder_dms=True)
    ben = await approved(fake, group, "Ben", reminder_dms=True)
    # Discord fails each announcement once, then takes it but the reply is lost.
    posts = rf"^/channels/{announcements}/messages$"
    fake.faults.fail_next("POST", posts, 503)
    fake.faults.fail_next("POST", posts, 503, after_effect=True)
    cid = await _open_and_answer(fake, group, ana, ben)
    await _deliver(harness, clock)
    [opened] = _with(fake.messages_in(announcements), "A new consultation is open")
    assert f"consult:start:{cid}" in custom_ids(opened)

    fake.faults.fail_next("POST", posts, 503)
    fake.faults.fail_next("POST", posts, 503, after_effect=True)
    closed = await slash(fake, group.worker, guild, "consult close", {"consultation": cid})
    assert "2 people took part" in (closed.content or ""), closed.content
    await _deliver(harness, clock)
    thanks = _with(fake.messages_in(announcements), "has now closed")
    assert len(thanks) == 1, thanks
    assert len(_with(fake.messages_in(group["#worker-log"]), "closed early")) == 1
    assert len(fake.faults.given) == 4

    # "You said, we did": the post fails the same way; Ben's DMs are closed to the bot.
    fake.faults.fail_next("POST", posts, 503)
    fake.faults.fail_next("POST", posts, 503, after_effect=True)
    fake.set_dms_open(ben, False)
    form = await slash(fake, group.worker, guild, "consult feedback", {"consultation": cid})
    done = await submit(
        fake,
        group.worker,
        form,
        you_said="You said the room felt cold.",
        we_did="We bought softer lights.",
        what_we_couldn="Move rooms: there is no other space.",
    )
    assert "Published" in (done.content or ""), done.content
    await _deliver(harness, clock)
    assert len(_with(fake.messages_in(announcements), "We bought softer lights")) == 1
    assert len(_with(fake.dm_messages(ana), "We bought softer lights")) == 1
    assert _with(fake.dm_messages(ben), "We bought softer lights") == []
    async with harness.services.db() as s:
        ben_member = await s.scalar(
            select(Member.id).where(Member.guild_id == guild, Member.user_id == ben)
        )
    [failed] = await harness.services.outbox.failures(guild)
    assert (failed.kind, failed.subject_member_id) == (FEEDBACK_DM, ben_member)
    assert failed.reason == "the person's DMs are closed to the bot"
    async with harness.services.db() as s:
        statuses = list(
            await s.scalars(select(OutboxItem.status).where(OutboxItem.kind.in_(KINDS)))
        )
    # Opened, 2 closes, the post and Ana's DM went out; Ben's DM was refused.
    assert sorted(statuses) == ["done"] * 5 + ["failed"]


async def test_overdue_feedback_reminder_survives_a_503_and_a_restart(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    guild, worker_log = group["guild"], group["#worker-log"]
    ana = await approved(fake, group, "Ana")
    cid = await _open_and_answer(fake, group, ana)
    await slash(fake, group.worker, guild, "consult close", {"consultation": cid})
    await _deliver(harness, clock, rounds=2)

    # The review date passes; Discord is down for the reminder, then the bot restarts.
    fake.faults.fail_next("POST", rf"^/channels/{worker_log}/messages$", 503, count=2)
    clock.advance(timedelta(days=60))
    await harness.run_due()
    assert _with(fake.messages_in(worker_log), "Reminder: the review date") == []
    await harness.restart()
    await _deliver(harness, clock)
    reminders = _with(fake.messages_in(worker_log), "Reminder: the review date")
    assert len(reminders) == 1, reminders
    assert "1 person took part" in reminders[0]["content"]
