"""What the bot owes goes out once through Discord's failures, or is recorded with the reason."""

from __future__ import annotations

from datetime import timedelta

from bot.delivery import Sent, dm_owed
from bot.sandbox.fakediscord import FakeDiscord
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
