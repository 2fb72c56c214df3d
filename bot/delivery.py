"""Deliver what the outbox says the bot owes, and tell apart Discord's failures.

Each feature's cog registers a sender per kind (`bot.deliveries.on("polls.results", send)`).
A sender does the Discord call and returns where the message went (or None); it passes the
delivery's nonce to every message it posts, so a retry after a lost reply shows it once.

- 5xx, 429 and network errors: try again later (with back-off, across restarts);
- DMs closed, unknown user/channel/message, missing access or permission, and any other 4xx:
  undeliverable, recorded with the reason (a sender may fall back first, e.g. to another
  staff channel, by catching `discord.HTTPException` itself);
- `Undeliverable` raised by a sender: the same, with the sender's own reason.

Answers come first: while a click or command waits for its first answer (Discord allows
3 seconds), deliveries go one at a time instead of side by side, so that a burst of clicks
is not slowed by the DMs and posts the clicks before it owed. A delivery waits for that one
place only while some click still waits for its answer, and never more than 3 seconds: the
deliveries carry on, just not all at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord

from bot.services.outbox import Delivery, OutboxService

log = logging.getLogger(__name__)

# Discord's deadline for an interaction's first answer; after it, nobody waits for one.
ANSWER_DEADLINE = 3.0
# How often a delivery waiting to go one at a time looks again whether any click still waits.
RECHECK_SECONDS = 0.05
# How many interactions may be noted before the answered ones are swept out (when nothing
# is being delivered, nothing else sweeps them).
SWEEP_AT = 256

REASONS = {
    50007: "the person's DMs are closed to the bot",
    10013: "the person is no longer on Discord",
    10007: "the person has left the server",
    10003: "the channel no longer exists",
    10008: "the message no longer exists",
    50001: "the bot cannot see the channel",
    50013: "the bot is missing a permission",
}


@dataclass(frozen=True)
class Sent:
    """Where a delivered message went (so it can be edited or redacted later)."""

    channel_id: int | None = None
    message_id: int | None = None

    @classmethod
    def of(cls, message: discord.Message | None) -> Sent:
        """Return where a message went (nothing, if no message was posted)."""
        if message is None:
            return cls()
        return cls(message.channel.id, message.id)


class Undeliverable(Exception):
    """A sender's word that this can never be delivered, and why."""


Sender = Callable[[Delivery], Awaitable[Sent | None]]


def reason_for(error: discord.HTTPException) -> str | None:
    """Return why Discord refused for good, or None when trying again may work."""
    if error.status >= 500 or error.status == 429:
        return None
    known = REASONS.get(error.code)
    if known is not None:
        return known
    return f"Discord refused it ({error.status}, code {error.code})"


async def dm_owed(
    client: discord.Client, delivery: Delivery, user_id: int, content: str, **kwargs: Any
) -> Sent:
    """DM someone what the outbox owes them, with the delivery's nonce (sent once)."""
    user = client.get_user(user_id) or await client.fetch_user(user_id)
    message = await user.send(content[:2000], nonce=delivery.nonce, **kwargs)
    return Sent.of(message)


async def post_owed(
    client: discord.Client, delivery: Delivery, channel_id: int | None, content: str, **kwargs: Any
) -> Sent:
    """Post what the outbox owes in a channel, with the delivery's nonce (posted once)."""
    if not channel_id:
        raise Undeliverable("no channel is set up for it (run /setup)")
    channel = client.get_channel(channel_id)
    if channel is None:
        channel = await client.fetch_channel(channel_id)
    if not isinstance(channel, discord.abc.Messageable):
        raise Undeliverable("the channel cannot take messages")
    message = await channel.send(content[:2000], nonce=delivery.nonce, **kwargs)
    return Sent.of(message)


class Deliveries:
    """Route each claimed delivery to its feature's sender and record the outcome."""

    def __init__(self, outbox: OutboxService) -> None:
        self.outbox = outbox
        self.senders: dict[str, Sender] = {}
        # Told each attempt's kind and outcome (delivered, retry, undeliverable): metrics.
        self.on_outcome: Callable[[str, str], None] | None = None
        self._unanswered: list[tuple[float, discord.Interaction[Any]]] = []
        self._one_by_one = asyncio.Semaphore(1)

    def awaiting_answer(self, interaction: discord.Interaction[Any]) -> None:
        """Note an interaction that has yet to be answered: deliveries make way until it is."""
        self._unanswered.append((time.monotonic(), interaction))
        if len(self._unanswered) >= SWEEP_AT:
            self.answers_pending()

    async def _make_way(self) -> bool:
        """Wait for the one place while clicks wait for answers; return whether it was taken.

        The wait ends as soon as no click waits any more (checked every RECHECK_SECONDS), or
        after ANSWER_DEADLINE, so a slow delivery holding the place (a 429 being waited out)
        does not hold the others back once the clicks are answered.
        """
        loop = asyncio.get_running_loop()
        give_up = loop.time() + ANSWER_DEADLINE
        while self.answers_pending() and loop.time() < give_up:
            try:
                async with asyncio.timeout(RECHECK_SECONDS):
                    await self._one_by_one.acquire()
            except TimeoutError:
                continue
            return True
        return False

    def answers_pending(self) -> bool:
        """Return whether any interaction still waits for its first answer (within 3 s)."""
        now = time.monotonic()
        self._unanswered = [
            (at, interaction)
            for at, interaction in self._unanswered
            if now - at < ANSWER_DEADLINE and not interaction.response.is_done()
        ]
        return bool(self._unanswered)

    def on(self, kind: str, sender: Sender) -> None:
        """Register the coroutine that sends one kind of owed effect."""
        self.senders[kind] = sender

    async def deliver(self, delivery: Delivery) -> None:
        """Send one delivery; mark it done, retry it later, or record why it never can be."""
        held = await self._make_way()
        try:
            outcome = await self._attempt(delivery)
        finally:
            if held:
                self._one_by_one.release()
        if self.on_outcome is not None:
            self.on_outcome(delivery.kind, outcome)

    async def _attempt(self, delivery: Delivery) -> str:
        sender = self.senders.get(delivery.kind)
        if sender is None:
            await self.outbox.undeliverable(delivery.id, f"nothing sends {delivery.kind}")
            log.error("outbox: no sender for %s (row %s)", delivery.kind, delivery.id)
            return "undeliverable"
        try:
            sent = await sender(delivery) or Sent()
        except Undeliverable as refused:
            await self.outbox.undeliverable(delivery.id, str(refused))
            log.info("outbox: %s %s undeliverable: %s", delivery.kind, delivery.id, refused)
        except discord.HTTPException as error:
            reason = reason_for(error)
            if reason is None:
                return await self._later(delivery, f"Discord {error.status}")
            await self.outbox.undeliverable(delivery.id, reason)
            log.info("outbox: %s %s undeliverable: %s", delivery.kind, delivery.id, reason)
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            return await self._later(delivery, f"network: {type(error).__name__}")
        else:
            await self.outbox.delivered(
                delivery.id, channel_id=sent.channel_id, message_id=sent.message_id
            )
            return "delivered"
        return "undeliverable"

    async def _later(self, delivery: Delivery, error: str) -> str:
        if await self.outbox.retry_later(delivery.id, error):
            return "retry"
        log.warning("outbox: gave up on %s %s: %s", delivery.kind, delivery.id, error)
        return "undeliverable"
