"""Poll results and reminders go out exactly once through Discord's failures and restarts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.db.models import OutboxItem
from bot.sandbox.fakediscord import FakeDiscord
from bot.services.container import build_services
from bot.settings import Settings
from tests.e2e.flows import approved
from tests.e2e.harness import BotHarness, People, custom_ids, everything_text, settle, slash
from tests.e2e.test_polls import PNG, _id, create_poll, results_posts, vote


async def _drain(harness: BotHarness, clock: ManualClock, rounds: int = 6) -> None:
    """Run the scheduler repeatedly, letting each retry's back-off pass on the bot's clock."""
    for _ in range(rounds):
        await harness.run_due()
        clock.advance(timedelta(seconds=30))


async def _three_votes(fake: FakeDiscord, group: People, message: dict[str, Any]) -> None:
    # Three ballots, so an anonymous poll shows its counts and a chart.
    for i, name in enumerate(("Ada", "Ben", "Cy")):
        await vote(fake, await approved(fake, group, name), message, i % 2)


async def test_results_through_503s_and_a_lost_reply_appear_once_with_the_chart(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    message = await create_poll(fake, group, "Which day?")
    await _three_votes(fake, group, message)
    posts = rf"^/channels/{group['#polls']}/messages$"
    fake.faults.fail_next("POST", posts, 503)
    fake.faults.fail_next("POST", posts, 503, after_effect=True)  # posted, but the reply is lost
    closed = await slash(fake, group.worker, group["guild"], "poll close", {"poll": _id(message)})
    assert "closed" in await settle(fake, closed)
    await _drain(harness, clock)
    [post] = results_posts(fake, group)
    assert "Monday** — 2 votes" in everything_text(post)
    [attachment] = post["attachments"]
    assert fake.attachment_bytes(attachment).startswith(PNG)
    assert len(fake.faults.given) == 2
    poll_message = fake.message(int(message["id"]))
    assert custom_ids(poll_message) == [] and "closed" in everything_text(poll_message)
    await harness.restart()
    await _drain(harness, clock, rounds=2)
    assert len(results_posts(fake, group)) == 1
    assert (await harness.services.outbox.counts()).get("pending", 0) == 0


async def test_a_restart_between_the_close_and_the_post_still_posts_the_results_once(
    fake: FakeDiscord,
    harness: BotHarness,
    group: People,
    clock: ManualClock,
    e2e_settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    message = await create_poll(fake, group, "Which day?")
    await _three_votes(fake, group, message)
    await harness.stop()
    # The close commits in a process that stops before it can post anything.
    clock.advance(timedelta(days=2))
    dying = build_services(e2e_settings, sessions, clock)
    [closed] = await dying.polls.take_due(clock.now())
    assert closed.results.total_ballots == 3
    assert results_posts(fake, group) == []
    await harness.start()
    [post] = await fake.wait_for(lambda: results_posts(fake, group))
    assert "3 of 3 members voted" in everything_text(post)
    assert custom_ids(fake.message(int(message["id"]))) == []
    await harness.restart()
    await _drain(harness, clock, rounds=2)
    assert len(results_posts(fake, group)) == 1


async def test_reminder_dms_survive_a_503_and_closed_dms_are_recorded_not_retried(
    fake: FakeDiscord,
    harness: BotHarness,
    group: People,
    clock: ManualClock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    message = await create_poll(fake, group, "Remind me?", reminder="1d")
    open_dms = await approved(fake, group, "Wyn")
    closed_dms = await approved(fake, group, "Kit")
    await vote(fake, await approved(fake, group, "Vi"), message, 0)
    await fake.wait_for(lambda: fake.dm_messages(closed_dms))  # their approval DM went out
    fake.set_dms_open(closed_dms, False)

    def reminders(user: int) -> list[dict[str, Any]]:
        return [m for m in fake.dm_messages(user) if "Remind me?" in (m.get("content") or "")]

    clock.advance(timedelta(days=1))
    fake.faults.fail_next("POST", r"^/channels/\d+/messages$", 503)
    await _drain(harness, clock)
    await harness.restart()
    await _drain(harness, clock, rounds=2)
    assert len(reminders(open_dms)) == 1 and reminders(closed_dms) == []
    [failed] = await harness.services.outbox.failures(group["guild"])
    assert failed.kind == "polls.reminder"
    assert failed.reason == "the person's DMs are closed to the bot"
    async with sessions() as s:
        rows = list(await s.scalars(select(OutboxItem).where(OutboxItem.kind == "polls.reminder")))
    assert sorted(r.status for r in rows) == ["done", "failed"]
    refused = next(r for r in rows if r.status == "failed")
    assert refused.attempts <= 2  # a 503 may have hit it first; 50007 is never retried
