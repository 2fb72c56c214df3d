"""A crisis never goes silent: cards, re-raises and notes survive Discord's failures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.clock import ManualClock
from bot.sandbox.driver import custom_ids
from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved, click
from tests.e2e.harness import BotHarness, People, everything_text, slash


async def _support_failures(harness: BotHarness, group: People) -> list[str]:
    """Return the support deliveries that could not be made (other features have their own)."""
    failed = await harness.services.outbox.failures(group["guild"])
    return [f"{f.kind}: {f.reason}" for f in failed if f.kind.startswith("support.")]


def _cards(fake: FakeDiscord, channel_id: int) -> list[dict[str, Any]]:
    """Return the support cards in a channel (#worker-log holds sign-up cards too)."""
    return [
        m
        for m in fake.messages_in(channel_id)
        if m.get("embeds") and any(c.startswith("support:") for c in custom_ids(m))
    ]


async def _drain(harness: BotHarness, clock: ManualClock, rounds: int = 6) -> None:
    """Let the outbox retry: each retry waits its back-off on the bot's clock."""
    for _ in range(rounds):
        await harness.run_due()
        clock.advance(timedelta(seconds=30))
    await harness.run_due()


async def test_cards_and_the_crisis_note_survive_503s_and_appear_once(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    sam = await approved(fake, group, "Sam")
    olu = await approved(fake, group, "Olu")
    queue = group["#support-queue"]
    to_queue = rf"^/channels/{queue}/messages$"
    # The first card post fails outright, the next one is lost after Discord made it.
    fake.faults.fail_next("POST", to_queue, 503)
    fake.faults.fail_next("POST", to_queue, 503, after_effect=True)
    fake.faults.fail_next("POST", rf"^/channels/{fake.dm_channel_id(sam)}/messages$", 503)
    await fake.send_message(sam, group["#peer-support"], "I can't go on anymore")
    await _drain(harness, clock)
    [card] = _cards(fake, queue)
    assert "Safeguarding alert" in everything_text(card)
    assert f"<@&{group['role:Moderator']}>" in (card.get("content") or "")
    assert any(c.startswith("support:claim:") for c in custom_ids(card))
    notes = [m for m in fake.dm_messages(sam) if "116 123" in (m.get("content") or "")]
    assert len(notes) == 1

    # A /support card through a 503 as well.
    fake.faults.fail_next("POST", to_queue, 503)
    await slash(fake, olu, group["guild"], "support", {"topic": "question", "urgency": "today"})
    await _drain(harness, clock)
    assert len(_cards(fake, queue)) == 2
    assert len(fake.faults.given) == 4
    assert await _support_failures(harness, group) == []


async def test_a_crisis_reaches_staff_when_the_queue_channel_is_gone(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    sam = await approved(fake, group, "Sam")
    zoe = await approved(fake, group, "Zoe")
    log_channel = group["#worker-log"]
    fake.state.delete_channel(group["#support-queue"])
    await fake.wait_for(lambda: harness.bot.get_channel(group["#support-queue"]) is None)

    await fake.send_message(sam, group["#peer-support"], "I want to end my life")
    await _drain(harness, clock, rounds=2)
    [card] = _cards(fake, log_channel)
    text = everything_text(card)
    assert "Safeguarding alert" in text and "couldn't post this in #support-queue" in text
    # The workers who can see this channel are pinged, and the ping would ring.
    assert f"<@&{group['role:Worker']}>" in (card.get("content") or "")
    assert any(c.startswith("support:claim:") for c in custom_ids(card))
    claimed = await click(fake, group.worker, card, "support:claim:")
    assert claimed.callback_type == 7, claimed.content

    # An unclaimed alert is raised again with its buttons, and can be claimed from there.
    await fake.send_message(zoe, group["#peer-support"], "I want to kill myself")
    await _drain(harness, clock, rounds=2)
    assert len(_cards(fake, log_channel)) == 2
    clock.advance(timedelta(minutes=61))
    await _drain(harness, clock, rounds=2)
    raised = [
        m for m in fake.messages_in(log_channel) if "Still waiting" in (m.get("content") or "")
    ]
    assert len(raised) == 1  # Sam's alert was claimed: only Zoe's is raised
    assert any(c.startswith("support:claim:") for c in custom_ids(raised[0]))
    handle = await click(fake, group.worker, raised[0], "support:claim:")
    assert handle.callback_type == 7, handle.content
    await fake.wait_for(lambda: not custom_ids(fake.message(int(raised[0]["id"]))) or None)
    zoe_card = _cards(fake, log_channel)[1]
    await fake.wait_for(
        lambda: "Picked up" in everything_text(fake.message(int(zoe_card["id"]))) or None
    )
    assert await _support_failures(harness, group) == []


async def test_an_alert_goes_elsewhere_when_the_queue_keeps_failing(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    sam = await approved(fake, group, "Sam")
    queue = group["#support-queue"]
    fake.faults.fail_next("POST", rf"^/channels/{queue}/messages$", 503, count=50)
    await fake.send_message(sam, group["#peer-support"], "I want to kill myself")
    await _drain(harness, clock, rounds=8)
    [card] = _cards(fake, group["#worker-log"])
    assert "Safeguarding alert" in everything_text(card)
    assert f"<@&{group['role:Worker']}>" in (card.get("content") or "")
    assert _cards(fake, queue) == []
