"""What the bot owes goes out once through Discord's failures, or is recorded with the reason."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.db.models import Member
from bot.delivery import Sent, dm_owed, post_owed
from bot.sandbox.fakediscord import FakeDiscord
from bot.sandbox.fakediscord.ratelimits import Limit
from bot.services.outbox import Delivery
from tests.e2e.harness import BotHarness, People


async def _owe_dm(harness: BotHarness, group: People, user_id: int, key: str) -> None:
    async with harness.services.db.begin() as s:
        await harness.services.outbox.owe(
            s,
            guild_id=group["guild"],
            kind="test.dm",
            payload={"user_id": user_id, "text": f"Hello ({key})"},
            dedup_key=key,
        )
    harness.services.outbox.wake()


def _register(harness: BotHarness) -> None:
    async def send(delivery: Delivery) -> Sent:
        payload = delivery.payload
        return await dm_owed(harness.bot, delivery, payload["user_id"], payload["text"])

    harness.bot.deliveries.on("test.dm", send)


async def test_a_dm_through_503s_and_lost_replies_arrives_once(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    _register(harness)
    user = fake.create_user("robin", "Robin")
    fake.add_member(group["guild"], user)
    fake.faults.fail_next("POST", r"^/channels/\d+/messages$", 503)
    fake.faults.fail_next("POST", r"^/channels/\d+/messages$", 503, after_effect=True)
    await _owe_dm(harness, group, user, "once")
    for _ in range(6):  # each retry waits its back-off on the bot's clock
        await harness.run_due()
        harness.clock.advance(timedelta(seconds=30))
    dms = [m["content"] for m in fake.dm_messages(user)]
    assert dms == ["Hello (once)"]  # the lost reply's retry carried the same nonce
    assert await harness.services.outbox.counts() == {"done": 1}
    assert len(fake.faults.given) == 2


async def test_closed_dms_are_recorded_not_retried(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    _register(harness)
    user = fake.create_user("kit", "Kit")
    fake.add_member(group["guild"], user)
    fake.set_dms_open(user, False)
    await _owe_dm(harness, group, user, "closed")
    await harness.run_due()
    [failed] = await harness.services.outbox.failures(group["guild"])
    assert failed.reason == "the person's DMs are closed to the bot"
    assert fake.dm_messages(user) == []


async def _owe_notices_and_reminders(
    fake: FakeDiscord, harness: BotHarness, group: People, *, slow_first: bool = True
) -> tuple[int, list[tuple[int, int]]]:
    """Owe 4 notices in #announcements and 4 reminders to each of 6 members, all due now.

    Returns the channel and the (user, member) pairs. With `slow_first`, Discord answers the
    earlier ones more slowly, so only the lanes can keep them in order.
    """
    guild = group["guild"]
    channel = group["#announcements"]

    # Discord answers some sooner than others: here the earlier ones are the slower.
    async def dm(delivery: Delivery) -> Sent:
        payload = delivery.payload
        await asyncio.sleep(0.01 * (5 - payload["step"]) * slow_first)
        return await dm_owed(harness.bot, delivery, payload["user_id"], payload["text"])

    async def post(delivery: Delivery) -> Sent:
        await asyncio.sleep(0.01 * (5 - delivery.payload["step"]) * slow_first)
        return await post_owed(harness.bot, delivery, channel, delivery.payload["text"])

    harness.bot.deliveries.on("test.dm", dm)
    harness.bot.deliveries.on("test.post", post)
    now = harness.clock.now()
    users = []
    async with harness.services.db.begin() as s:
        for n in range(6):
            user = fake.create_user(f"member{n}", f"Member {n}")
            fake.add_member(guild, user)
            member = Member(
                guild_id=guild,
                user_id=user,
                preferred_name=f"Member {n}",
                age_band="16-17",
                member_type="young_person",
                locality="North",
                consent_at=now,
                joined_at=now,
                status="approved",
            )
            s.add(member)
            await s.flush()
            users.append((user, member.id))
        for step in range(1, 5):  # owed in this order, all due at the same moment
            notice = {"text": f"Notice {step}", "step": step}
            await harness.services.outbox.owe(s, guild_id=guild, kind="test.post", payload=notice)
            for user, member_id in users:
                await harness.services.outbox.owe(
                    s,
                    guild_id=guild,
                    kind="test.dm",
                    payload={"user_id": user, "text": f"Reminder {step}", "step": step},
                    subject_member_id=member_id,
                )
    return channel, users


async def test_many_due_together_arrive_once_each_in_the_order_owed(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    channel, users = await _owe_notices_and_reminders(fake, harness, group)
    # Discord's rate limit hits some of them: discord.py waits and tries them again.
    fake.faults.fail_next("POST", r"^/channels/\d+/messages$", 429, count=3)
    assert await harness.run_due() == 28
    owed = [f"Reminder {step}" for step in range(1, 5)]
    for user, _ in users:
        assert [m["content"] for m in fake.dm_messages(user)] == owed
    notices = [m["content"] for m in fake.messages_in(channel) if "Notice" in m["content"]]
    assert notices == [f"Notice {step}" for step in range(1, 5)]
    assert await harness.services.outbox.counts() == {"done": 28}
    assert sum(given.startswith("429") for given in fake.faults.given) == 3


async def test_side_by_side_deliveries_keep_to_discords_rate_limits(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    # Discord's limits, tightened so the test is quick: a channel takes 2 posts per half
    # second, and the bot 12 requests a second in all (each first DM also opens a channel).
    fake.rate_limits.enabled = True
    fake.rate_limits.routes["POST /channels/{}/messages"] = Limit(2, 0.5)
    fake.rate_limits.global_per_second = 12
    channel, users = await _owe_notices_and_reminders(fake, harness, group, slow_first=False)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await harness.run_due() == 28
    # 34 requests (28 messages, 6 DM channels) at 12 a second cannot take under 2 seconds.
    assert loop.time() - started >= 2.0
    owed = [f"Reminder {step}" for step in range(1, 5)]
    for user, _ in users:
        assert [m["content"] for m in fake.dm_messages(user)] == owed
    notices = [m["content"] for m in fake.messages_in(channel) if "Notice" in m["content"]]
    assert notices == [f"Notice {step}" for step in range(1, 5)]
    assert await harness.services.outbox.counts() == {"done": 28}
    # Whatever was refused for going over a limit was waited out and sent again, once.
    assert all(refusal.startswith(("global", "user")) for refusal in fake.rate_limits.refused)
