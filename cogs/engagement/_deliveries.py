"""Deliver what engagement owes Discord: notices, level roles, cards, decisions DMs, notes.

Each sender is idempotent in effect (a role add or removal is; a post or DM carries the
delivery's nonce), so a retry after a 503 or a lost reply changes Discord once. A member who
cannot be told about a decision (DMs closed) or given their level role is turned into a note
for workers in #worker-log first, so someone tells them another way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.delivery import Sent, Undeliverable, dm_owed, post_owed, reason_for
from bot.services.engagement import owed
from bot.services.outbox import Delivery
from cogs.engagement._render import claim_embed, claim_footer
from cogs.engagement._views import claim_card_view, move_card_view, notice_view

if TYPE_CHECKING:
    from bot.app import ParticipationBot

NO_PINGS = discord.AllowedMentions.none()
NOT_NOW = "it no longer applies (answered, moved on or erased) before it went out"


def _name(name: str) -> str:
    return discord.utils.escape_markdown(name)


def note_text(note: owed.StaffNote) -> str:
    """Return the note workers see when something for a member could not be done."""
    who = f"**{_name(note.preferred_name)}** (<@{note.user_id}>)"
    if note.about == "roles":
        return (
            f"⚠️ I couldn't change {who}'s level role: {note.reason}. Please check that the "
            "bot's role sits above the level roles, then change it by hand."
        )
    what = owed.ABOUT.get(note.about, "about a decision")
    return f"⚠️ I couldn't message {who} {what}: {note.reason}. " "Please let them know another way."


class EngagementSenders:
    """The engagement cog's outbox senders, registered on the bot's deliveries."""

    def __init__(self, bot: ParticipationBot) -> None:
        self.bot = bot
        self.owed = bot.services.engagement.owed

    def register(self) -> None:
        """Tell the bot's deliveries which sender handles each engagement kind."""
        on = self.bot.deliveries.on
        on(owed.NOTICE, self.notice)
        on(owed.LEVEL_ROLES, self.level_roles)
        on(owed.DM, self.dm)
        on(owed.PAIRING_DM, self.pairing_dm)
        on(owed.CLAIM_CARD, self.claim_card)
        on(owed.CLAIM_REDRAW, self.claim_redraw)
        on(owed.MOVE_CARD, self.move_card)
        on(owed.MOVE_CARD_REDRAW, self.move_card_redraw)
        on(owed.MENTOR_CARD, self.mentor_card)
        on(owed.STAFF_NOTE, self.staff_note)

    async def _tell_staff(
        self, delivery: Delivery, about: str, error: discord.HTTPException
    ) -> None:
        """Note for workers a refusal that trying again will not cure."""
        reason = reason_for(error)
        member_id = delivery.payload.get("member_id")
        if reason is not None and member_id is not None and error.code != 10007:
            guild_id = delivery.guild_id
            await self.owed.notes.tell(guild_id, int(member_id), about, reason, delivery.id)

    async def _dm(
        self, delivery: Delivery, user_id: int, text: str, about: str, **kwargs: Any
    ) -> Sent:
        """DM a member; if Discord refuses for good, workers are told too."""
        try:
            return await dm_owed(self.bot, delivery, user_id, text, **kwargs)
        except discord.HTTPException as error:
            await self._tell_staff(delivery, about, error)
            raise

    async def notice(self, delivery: Delivery) -> Sent:
        """DM the neutral eligibility notice with its Move up / Stay buttons."""
        notice = await self.owed.notice(delivery.guild_id, int(delivery.payload["notice_id"]))
        if notice is None:
            raise Undeliverable(NOT_NOW)
        view = notice_view(notice.notice_id)
        return await dm_owed(self.bot, delivery, notice.user_id, notice.text, view=view)

    async def level_roles(self, delivery: Delivery) -> Sent:
        """Give the member the role of the level they hold now and take the other level roles."""
        roles = await self.owed.level_roles(delivery.guild_id, int(delivery.payload["member_id"]))
        if roles is None:
            raise Undeliverable(owed.ERASED)
        guild = self.bot.get_guild(delivery.guild_id)
        if guild is None:
            raise Undeliverable("the bot is no longer in the server")
        try:
            member = guild.get_member(roles.user_id) or await guild.fetch_member(roles.user_id)
            reason = "Engagement level changed"
            others = roles.level_role_ids - {roles.wanted_role_id or 0}
            stale = [r for r in member.roles if r.id in others]
            if stale:
                await member.remove_roles(*stale, reason=reason)
            wanted = guild.get_role(roles.wanted_role_id or 0)
            if wanted is not None and wanted not in member.roles:
                await member.add_roles(wanted, reason=reason)
        except discord.HTTPException as error:
            await self._tell_staff(delivery, "roles", error)
            raise
        return Sent()

    async def dm(self, delivery: Delivery) -> Sent:
        """DM a member about a decision on their own record (a move, a claim, a payment)."""
        payload = delivery.payload
        user_id = await self.owed.recipient(delivery.guild_id, int(payload.get("member_id") or 0))
        if user_id is None or not payload.get("text"):
            raise Undeliverable(owed.ERASED)
        about = str(payload.get("about") or "")
        return await self._dm(delivery, user_id, str(payload["text"]), about)

    async def pairing_dm(self, delivery: Delivery) -> Sent:
        """Tell the mentee or the mentor about their pairing, as it stands now."""
        payload = delivery.payload
        found = await self.owed.pairing(
            delivery.guild_id, int(payload["request_id"]), str(payload["side"])
        )
        if found is None:
            raise Undeliverable(NOT_NOW)
        user_id, text = found
        return await self._dm(delivery, user_id, text, "pairing", allowed_mentions=NO_PINGS)

    async def claim_card(self, delivery: Delivery) -> Sent:
        """Post an expenses claim card for workers, drawn as the claim stands now."""
        claim = await self.owed.claim_card(delivery.guild_id, int(delivery.payload["claim_id"]))
        if claim is None:
            raise Undeliverable(owed.ERASED)
        return await post_owed(
            self.bot,
            delivery,
            delivery.payload.get("channel_id"),
            "",
            embed=claim_embed(claim, tz=self.bot.services.settings.tz),
            view=claim_card_view(claim),
            allowed_mentions=NO_PINGS,
        )

    async def claim_redraw(self, delivery: Delivery) -> Sent:
        """Redraw a claim's card after a decision (an edit: the same result however often)."""
        guild_id, claim_id = delivery.guild_id, int(delivery.payload["claim_id"])
        where = await self.owed.claim_card_at(guild_id, claim_id)
        claim = await self.owed.claim_card(guild_id, claim_id)
        if where is None or claim is None:
            return Sent()  # no card yet (it will be drawn as the claim stands), or erased
        channel_id, message_id = where
        channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            raise Undeliverable("the channel cannot hold the card")
        note = claim_footer(claim, self.bot.get_guild(guild_id))
        await channel.get_partial_message(message_id).edit(
            embed=claim_embed(claim, note, self.bot.services.settings.tz),
            view=claim_card_view(claim),
        )
        return Sent()

    async def move_card(self, delivery: Delivery) -> Sent:
        """Post the card workers confirm a move up from."""
        card = await self.owed.move_card(delivery.guild_id, int(delivery.payload["notice_id"]))
        if card is None:
            raise Undeliverable(NOT_NOW)
        return await post_owed(
            self.bot,
            delivery,
            delivery.payload.get("channel_id"),
            f"**Level move:** {_name(card.preferred_name)} (<@{card.user_id}>) meets "
            f"{card.level_name} and would like to move up. Please confirm.",
            view=move_card_view(card.notice_id),
            allowed_mentions=NO_PINGS,
        )

    async def move_card_redraw(self, delivery: Delivery) -> Sent:
        """Say on a request's card that the member took it back (an edit: the same each time)."""
        payload = delivery.payload
        found = await self.owed.withdrawn_card(
            delivery.guild_id, int(payload["notice_id"]), int(payload["card_item_id"])
        )
        if found is None:
            return Sent()  # never posted (the card saw the change), or the person is erased
        channel_id, message_id, card = found
        channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            raise Undeliverable("the channel cannot hold the card")
        await channel.get_partial_message(message_id).edit(
            content=f"**Level move:** {_name(card.preferred_name)} (<@{card.user_id}>) has taken "
            f"back their request to move up to {card.level_name} and would rather stay for "
            "now. Nothing to do.",
            view=None,
            allowed_mentions=NO_PINGS,
        )
        return Sent()

    async def mentor_card(self, delivery: Delivery) -> Sent:
        """Post a mentoring request for workers."""
        card = await self.owed.mentor_card(delivery.guild_id, int(delivery.payload["request_id"]))
        if card is None:
            raise Undeliverable(NOT_NOW)
        about = f" They'd like help with: {card.note}" if card.note else ""
        return await post_owed(
            self.bot,
            delivery,
            delivery.payload.get("channel_id"),
            f"**Mentoring:** {_name(card.preferred_name)} (<@{card.user_id}>, {card.level_name}) "
            f"asked for a mentor (request {card.request_id}).{about}\n"
            f"Use /mentor pair request:{card.request_id}.",
            allowed_mentions=NO_PINGS,
        )

    async def staff_note(self, delivery: Delivery) -> Sent:
        """Post a note for workers that something for a member could not be done."""
        note = await self.owed.notes.read(delivery.guild_id, delivery.payload)
        if note is None:
            raise Undeliverable(owed.ERASED)
        return await post_owed(
            self.bot, delivery, note.channel_id, note_text(note), allowed_mentions=NO_PINGS
        )
