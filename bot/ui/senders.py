"""The shape every feature's outbox senders share: registering, loading, redrawing.

A feature's senders subclass `Senders` and say in `kinds()` which method sends each kind the
outbox holds (`named` maps kinds to the methods of their names; `post_to_channel` posts in the
channel chosen when it was owed); `subject_of` loads what a delivery is about, and `redraw_owed`
edits a message the bot posted earlier (see bot/delivery.py for posting and DMing).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import discord

from bot.delivery import Sender, Sent, Undeliverable, post_owed
from bot.services.errors import NotFound
from bot.services.outbox import Delivery

if TYPE_CHECKING:
    from bot.app import ParticipationBot

T = TypeVar("T")


class Senders:
    """One sender per kind of message a feature owes; `register` hands them to the outbox."""

    def __init__(self, bot: ParticipationBot) -> None:
        self.bot = bot

    def kinds(self) -> dict[str, Sender]:
        """Return the coroutine that sends each kind."""
        raise NotImplementedError

    def named(self, *kinds: str) -> dict[str, Sender]:
        """Send each kind ("feature.what") with this object's method of its name (`what`)."""
        return {kind: getattr(self, kind.split(".", 1)[1]) for kind in kinds}

    def register(self) -> None:
        """Tell the bot's deliveries which coroutine sends each kind."""
        for kind, sender in self.kinds().items():
            self.bot.deliveries.on(kind, sender)

    async def post_to_channel(self, delivery: Delivery, content: str, **kwargs: Any) -> Sent:
        """Post what a delivery owes in the channel chosen when it was owed (once, by nonce)."""
        channel_id = delivery.payload.get("channel_id")
        return await post_owed(self.bot, delivery, channel_id, content, **kwargs)


async def subject_of(
    delivery: Delivery, key: str, load: Callable[[int, int], Awaitable[T]], gone: str
) -> T:
    """Load what a delivery is about: the row its payload names under `key`, in its server.

    If the row was deleted meanwhile, the delivery can never be made (`gone` says why).
    """
    try:
        return await load(delivery.guild_id, int(delivery.payload[key]))
    except NotFound:
        raise Undeliverable(gone) from None


class Posted(Protocol):
    """A message the bot posted, or will post (its ids are unset until then)."""

    @property
    def channel_id(self) -> int | None:
        """Return the channel the message is in."""

    @property
    def message_id(self) -> int | None:
        """Return the message's id."""


async def redraw_owed(client: discord.Client, posted: Posted, where: str, **fields: Any) -> Sent:
    """Edit a message the bot posted; one never posted, or deleted since, needs no redraw.

    `where` names the channel in the reason given when it cannot hold messages.
    """
    channel_id, message_id = posted.channel_id, posted.message_id
    if channel_id is None or message_id is None:
        return Sent()  # never posted: nothing to redraw
    channel = client.get_channel(channel_id) or await client.fetch_channel(channel_id)
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        raise Undeliverable(f"{where} cannot hold messages")
    try:
        await channel.get_partial_message(message_id).edit(**fields)
    except discord.NotFound:
        return Sent()  # deleted: nobody can press its buttons anyway
    return Sent(channel_id, message_id)
