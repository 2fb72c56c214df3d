"""Deliver what membership owes Discord: cards, roles, welcomes, DMs, staff notes, redactions.

Each sender is idempotent in effect (a role add is; a post carries the delivery's nonce), so a
retry after a 503 or a lost reply changes Discord once. A refusal that staff must act on (DMs
closed, a role the bot may not give) is first turned into a note for workers in #worker-log.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import discord

from bot.delivery import Sent, Undeliverable, dm_owed, post_owed, reason_for
from bot.services.base import ERASED
from bot.services.membership import MemberView, StaffNote, owed
from bot.services.outbox import Delivery
from cogs.membership._joining import decided_text
from cogs.membership._render import card_embed
from cogs.membership._replies import SignUpReplies
from cogs.membership._views import card_view

if TYPE_CHECKING:
    from bot.app import ParticipationBot

REDACTED = "(Erased at the person's request.)"
NO_PINGS = discord.AllowedMentions.none()


def _name(view: MemberView) -> str:
    return discord.utils.escape_markdown(view.preferred_name)


def note_text(note: StaffNote) -> str:
    """Return the note workers see when something for a new member could not be done."""
    who = f"**{_name(note.member)}** (<@{note.member.user_id}>)"
    if note.about in {"approval_dm", "decline_dm"}:
        what = "approved" if note.about == "approval_dm" else "not approved, and why"
        return (
            f"⚠️ I couldn't send {who} the message saying their sign-up was {what}: "
            f"{note.reason}. Please let them know another way."
        )
    return (
        f"⚠️ I couldn't give {who} their member roles: {note.reason}. Please check that the "
        "bot's role sits above the Member, Carer and level roles, then add the roles by hand."
    )


class MembershipSenders:
    """The membership cog's outbox senders, registered on the bot's deliveries."""

    def __init__(self, bot: ParticipationBot, replies: SignUpReplies) -> None:
        self.bot = bot
        self.membership = bot.services.membership
        self.replies = replies

    def register(self) -> None:
        """Tell the bot's deliveries which sender handles each membership kind."""
        deliveries = self.bot.deliveries
        deliveries.on(owed.CARD, self.card)
        deliveries.on(owed.ROLES, self.roles)
        deliveries.on(owed.ROLES_REMOVED, self.roles_removed)
        deliveries.on(owed.WELCOME, self.welcome)
        deliveries.on(owed.APPROVED_DM, self.approved_dm)
        deliveries.on(owed.DECLINED_DM, self.declined_dm)
        deliveries.on(owed.STAFF_NOTE, self.staff_note)
        deliveries.on(owed.REDACT, self.redact)
        deliveries.on(owed.REPLY, self.reply)

    async def _subject(self, delivery: Delivery) -> MemberView:
        view = await self.membership.owed.subject(
            delivery.guild_id, int(delivery.payload["member_id"])
        )
        if view is None:
            raise Undeliverable(ERASED)
        return view

    async def _tell_staff(
        self, delivery: Delivery, about: str, error: discord.HTTPException
    ) -> None:
        """Note for workers a refusal that will not go away by trying again."""
        reason = reason_for(error)
        if reason is not None:
            await self.membership.owed.notes.tell(
                delivery.guild_id, int(delivery.payload["member_id"]), about, reason, delivery.id
            )

    async def _dm(self, delivery: Delivery, view: MemberView, text: str, about: str) -> Sent:
        """DM the person; if Discord refuses, workers are told too (and the outbox retries)."""
        try:
            return await dm_owed(self.bot, delivery, view.user_id, text)
        except discord.HTTPException as error:
            await self._tell_staff(delivery, about, error)
            raise

    async def card(self, delivery: Delivery) -> Sent:
        """Post a sign-up's card in #worker-log, drawn as the record stands now."""
        view = await self._subject(delivery)
        sent = await post_owed(
            self.bot,
            delivery,
            delivery.payload.get("channel_id"),
            "",
            embed=card_embed(view),
            view=card_view(view),
            allowed_mentions=NO_PINGS,
        )
        if sent.channel_id and sent.message_id:
            await self.membership.set_card(view.id, sent.channel_id, sent.message_id)
        return sent

    async def roles(self, delivery: Delivery) -> Sent:
        """Give a newly approved member their roles (adding a held role changes nothing)."""
        view = await self._subject(delivery)
        guild = self.bot.get_guild(delivery.guild_id)
        if guild is None:
            raise Undeliverable("the bot is no longer in the server")
        try:
            member = guild.get_member(view.user_id) or await guild.fetch_member(view.user_id)
            wanted = [guild.get_role(int(r)) for r in delivery.payload["role_ids"]]
            missing = [r for r in wanted if r is not None and r not in member.roles]
            if missing:
                await member.add_roles(*missing, reason="Sign-up approved")
        except discord.HTTPException as error:
            if error.code != 10007:  # someone who left needs no note
                await self._tell_staff(delivery, "roles", error)
            raise
        return Sent()

    async def roles_removed(self, delivery: Delivery) -> Sent:
        """Take membership's roles from someone who left (unless they have come back since)."""
        view = await self._subject(delivery)
        if view.status in {"approved", "paused"}:
            return Sent()  # they came back and were approved again: keep what they have now
        guild = self.bot.get_guild(delivery.guild_id)
        member = guild.get_member(view.user_id) if guild is not None else None
        if guild is None or member is None:
            return Sent()  # not in the server any more: Discord took the roles with them
        held = [r for r in member.roles if r.id in set(delivery.payload["role_ids"])]
        if held:
            await member.remove_roles(*held, reason="Left the participation group")
        return Sent()

    async def welcome(self, delivery: Delivery) -> Sent:
        """Welcome a newly approved member in #welcome (once, even after a lost reply)."""
        view = await self._subject(delivery)
        if view.status not in {"approved", "paused"}:
            raise Undeliverable("they left before the welcome went out")
        return await post_owed(
            self.bot,
            delivery,
            delivery.payload.get("channel_id"),
            f"Welcome to the group, <@{view.user_id}>! 🎉 Have a look around, "
            "and use /help to see what you can do.",
            allowed_mentions=discord.AllowedMentions(users=[discord.Object(view.user_id)]),
        )

    async def approved_dm(self, delivery: Delivery) -> Sent:
        """Tell someone who opted in to DMs that their sign-up was approved."""
        view = await self._subject(delivery)
        text = (
            f"Good news, {_name(view)}: your sign-up to the participation group has been "
            "approved. Welcome! Use /help to see what you can take part in, /profile to check "
            "your details, and /pause if you ever need a break."
        )
        return await self._dm(delivery, view, text, "approval_dm")

    async def declined_dm(self, delivery: Delivery) -> Sent:
        """Give someone the reason their sign-up was declined, kindly."""
        view = await self._subject(delivery)
        text = (
            f"Hello {_name(view)}, thank you for wanting to join the participation group. This "
            "time a worker was not able to approve your sign-up. The reason they gave: "
            f"{view.decline_reason}\nIf you have questions, or things change, you are welcome "
            "to /join again or ask a worker."
        )
        return await self._dm(delivery, view, text, "decline_dm")

    async def reply(self, delivery: Delivery) -> Sent:
        """Update the person's private sign-up reply with the decision, while Discord allows."""
        view = await self._subject(delivery)
        interaction = self.replies.live(view.id)
        if interaction is None:
            # Over 15 minutes, or the bot restarted: the DM and the welcome carry the news.
            return Sent()
        # A reply or token already gone is fine: the DM and the welcome still go out.
        with contextlib.suppress(discord.NotFound):
            await interaction.edit_original_response(content=decided_text(view), view=None)
        self.replies.forget(view.id)
        return Sent()

    async def staff_note(self, delivery: Delivery) -> Sent:
        """Post a note for workers in #worker-log, as a reply to the person's card if there."""
        note = await self.membership.owed.notes.read(delivery.guild_id, delivery.payload)
        if note is None:
            raise Undeliverable(ERASED)
        reference = None
        if note.channel_id and note.card_message_id:
            reference = discord.MessageReference(
                message_id=note.card_message_id,
                channel_id=note.channel_id,
                fail_if_not_exists=False,
            )
        return await post_owed(
            self.bot,
            delivery,
            note.channel_id,
            note_text(note),
            reference=reference,
            allowed_mentions=NO_PINGS,
        )

    async def redact(self, delivery: Delivery) -> Sent:
        """Delete or redact one of the bot's posts about an erased person (gone counts as done)."""
        payload = delivery.payload
        channel_id = int(payload["channel_id"])
        channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            raise Undeliverable("the channel cannot hold the bot's posts")
        message = channel.get_partial_message(int(payload["message_id"]))
        try:
            if payload.get("delete"):
                await message.delete()
            else:
                await message.edit(content=REDACTED, embeds=[], view=None)
        except discord.NotFound:
            pass  # already gone: nothing left that names them
        return Sent()
