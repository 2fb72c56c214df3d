"""Deliver what support owes Discord: cards, re-raises, notes to members, crisis notes.

Every sender is safe to repeat: posts carry the delivery's nonce, closing a space is an edit.
A post for staff that #support-queue refuses for good (the channel is gone, the bot lost its
permission) goes to another staff channel with the staff roles pinged, and failing that to the
staff by DM: a safeguarding alert always reaches a human, with buttons to claim and resolve it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.delivery import Sender, Sent, Undeliverable, dm_owed, post_owed, reason_for
from bot.services.outbox import Delivery
from bot.services.support import (
    CARD,
    CLOSE_SPACE,
    CRISIS_NOTE,
    ERASED,
    ESCALATION,
    ESCALATION_TARGETS,
    LIMIT_WARNING,
    OPEN_SPACE,
    REMOVE_SPACE,
    RERAISE,
    TELL,
    RequestView,
    StaffPlaces,
)
from bot.ui.senders import Senders, subject_of
from cogs.support._render import card_content, card_embed, safe, waited_text
from cogs.support._spaces import Spaces
from cogs.support._views import card_view, redraw

if TYPE_CHECKING:
    from bot.app import ParticipationBot

log = logging.getLogger(__name__)
NO_PINGS = discord.AllowedMentions.none()
CHECK_IN_THREAD = "A check-in from the group's bot (#{id})"
# After this many failed tries at #support-queue (5 s, 10 s, 20 s apart), post elsewhere too.
FALLBACK_AFTER_ATTEMPTS = 4


def _ring(role_ids: list[int]) -> discord.AllowedMentions:
    return discord.AllowedMentions(
        everyone=False, users=False, roles=[discord.Object(r) for r in role_ids]
    )


def _only(user_id: int) -> discord.AllowedMentions:
    return discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(user_id)])


def card_link(view: RequestView) -> str | None:
    """Return the link to a request's card, if it was posted."""
    if not view.card_channel_id or not view.card_message_id:
        return None
    return (
        f"https://discord.com/channels/{view.guild_id}/{view.card_channel_id}/"
        f"{view.card_message_id}"
    )


def _ping_role(view: RequestView, places: StaffPlaces) -> int | None:
    """Return the role to ping about a request (the author's own peers are not asked)."""
    if view.author_is_staff:
        # Someone on the team wrote it: the safeguarding lead (or workers) check in.
        return places.safeguarding_role_id or places.worker_role_id
    return places.moderator_role_id


def _permanent(error: discord.HTTPException) -> str:
    """Return why Discord refused for good; re-raise when trying again may work."""
    reason = reason_for(error)
    if reason is None:
        raise error
    return reason


class SupportSenders(Senders):
    """The support cog's outbox senders, registered on the bot's deliveries."""

    def __init__(self, bot: ParticipationBot, spaces: Spaces) -> None:
        super().__init__(bot)
        self.support = bot.services.support
        self.spaces = spaces

    def kinds(self) -> dict[str, Sender]:
        """Send cards, re-raises, notes and warnings; close and remove private spaces."""
        return {
            CARD: self.card,
            RERAISE: self.reraise,
            TELL: self.tell,
            CRISIS_NOTE: self.crisis_note,
            ESCALATION: self.escalation,
            CLOSE_SPACE: self.spaces.close,
            REMOVE_SPACE: self.spaces.remove,
            OPEN_SPACE: self.spaces.owed_open,
            LIMIT_WARNING: self.limit_warning,
        }

    async def _request(self, delivery: Delivery) -> tuple[RequestView, StaffPlaces]:
        gone = "the support request no longer exists"
        return await subject_of(delivery, "request_id", self.support.owed.card, gone)

    # ---- posts for staff -------------------------------------------------------------------

    async def card(self, delivery: Delivery) -> Sent:
        """Post a request's card in the queue (pinging for urgent ones), or wherever staff are."""
        view, places = await self._request(delivery)
        ping = bool(delivery.payload.get("ping")) and view.is_open
        role = _ping_role(view, places)
        content = card_content(view, role, ping)
        roles = [role] if ping and role else []
        sent = await self.to_staff(
            delivery,
            places,
            content or "",
            roles,
            embed=card_embed(view, self.bot.settings.tz),
            view=card_view(view),
        )
        if sent.channel_id and sent.message_id:
            await self.support.requests.set_card(view.id, sent.channel_id, sent.message_id)
        return sent

    async def reraise(self, delivery: Delivery) -> Sent:
        """Raise an unclaimed request again, with its buttons and a link to its card."""
        view, places = await self._request(delivery)
        if delivery.payload.get("urgent"):
            return await self._now_urgent(delivery, view, places)
        if view.status != "open":
            return Sent()  # picked up meanwhile: nobody needs the reminder
        waited = int((self.bot.services.clock.now() - view.created_at).total_seconds() // 60)
        ping = _ping_role(view, places)
        link = card_link(view)
        text = (
            (f"<@&{ping}> " if ping else "") + f"Still waiting: support request #{view.id} "
            f"({view.urgency_label}) has not been picked up after "
            f"{waited_text(waited)}. Could someone claim it, please?"
            + (f"\n{link}" if link else "\nIts card could not be posted: use the buttons here.")
        )
        roles = [ping] if ping else []
        return await self.to_staff(delivery, places, text, roles, view=card_view(view))

    async def _now_urgent(self, delivery: Delivery, view: RequestView, places: StaffPlaces) -> Sent:
        """Tell the team an open request became urgent (crisis words in a second /support)."""
        role = f"<@&{places.moderator_role_id}> " if places.moderator_role_id else ""
        holder = f" <@{view.claimed_by}> has picked it up." if view.claimed_by else ""
        link = card_link(view)
        why = (
            "they said they're not safe right now"
            if delivery.payload.get("said")
            else "what they wrote suggests they may be at risk"
        )
        text = (
            f"{role}Support request #{view.id} is now urgent: the person asked again, and "
            f"{why}. Please check in with them now.{holder}" + (f"\n{link}" if link else "")
        )
        roles = [places.moderator_role_id] if places.moderator_role_id else []
        sent = await self.to_staff(delivery, places, text, roles, view=card_view(view))
        await redraw(self.bot, view)  # the card shows the new urgency
        return sent

    async def escalation(self, delivery: Delivery) -> Sent:
        """Tell the role a request was escalated to (in the queue, or wherever staff are)."""
        view, places = await self._request(delivery)
        role_id = delivery.payload.get("role_id")
        target = ESCALATION_TARGETS.get(view.escalated_to or "", "staff")
        who = f"<@&{role_id}>" if role_id else f"(no role is set up for {target})"
        link = card_link(view)
        text = (
            f"{who} <@{delivery.payload.get('by')}> escalated support request #{view.id} to "
            f"{target}. Reason: {safe(view.escalation_reason or 'not given')}"
            + (f"\n{link}" if link else "")
        )
        return await self.to_staff(delivery, places, text, [int(role_id)] if role_id else [])

    async def limit_warning(self, delivery: Delivery) -> Sent:
        """Warn staff that the server is close to one of Discord's limits."""
        places = await self.support.owed.places(delivery.guild_id)
        text = str(delivery.payload.get("text") or "")
        roles = [r for r in (places.worker_role_id,) if r]
        return await self.to_staff(delivery, places, text, roles)

    async def to_staff(
        self,
        delivery: Delivery,
        places: StaffPlaces,
        content: str,
        roles: list[int],
        **kwargs: Any,
    ) -> Sent:
        """Post in #support-queue; if it refuses for good, in another staff channel or DMs."""
        try:
            return await post_owed(
                self.bot,
                delivery,
                places.queue_channel_id,
                content,
                allowed_mentions=_ring(roles),
                **kwargs,
            )
        except Undeliverable as refused:
            reason = str(refused)
        except discord.HTTPException as error:
            reason = reason_for(error) or ""
            if not reason:
                if delivery.attempt < FALLBACK_AFTER_ATTEMPTS:
                    raise  # Discord is having a moment: the outbox tries again shortly
                # Still failing after a minute or so: staff must not wait for Discord.
                reason = f"Discord kept failing ({error.status})"
        log.warning("support: %s %s missed the queue: %s", delivery.kind, delivery.id, reason)
        return await self._elsewhere(delivery, places, content, reason, **kwargs)

    def _staff_channels(
        self, guild: discord.Guild, places: StaffPlaces
    ) -> list[discord.TextChannel]:
        """Return channels staff can see and members cannot, #worker-log first."""
        if guild.me is None:
            return []
        found: list[discord.TextChannel] = []
        first = guild.get_channel(places.worker_log_channel_id or 0)
        others = [c for c in guild.text_channels if c is not first]
        for channel in [first, *others]:
            if not isinstance(channel, discord.TextChannel):
                continue
            if channel.id == places.queue_channel_id:
                continue
            mine = channel.permissions_for(guild.me)
            if not (mine.view_channel and mine.send_messages and mine.embed_links):
                continue
            # Never a channel members can read: the post names someone who may be at risk.
            if channel.permissions_for(guild.default_role).view_channel:
                continue
            found.append(channel)
        return found

    async def _elsewhere(
        self, delivery: Delivery, places: StaffPlaces, content: str, reason: str, **kwargs: Any
    ) -> Sent:
        guild = self.bot.get_guild(delivery.guild_id)
        note = (
            f"⚠️ I couldn't post this in #support-queue ({reason}), so it's here instead. "
            "Please check the bot can post there (run /setup)."
        )
        for channel in self._staff_channels(guild, places) if guild else []:
            roles = [
                r
                for rid in places.staff_role_ids
                if (r := channel.guild.get_role(rid)) is not None
                and channel.permissions_for(r).view_channel
            ]
            pings = " ".join(r.mention for r in roles)
            text = f"{pings} {note}\n{content}".strip()[:2000]
            try:
                message = await channel.send(
                    text,
                    nonce=f"{delivery.nonce}-f",
                    allowed_mentions=_ring([r.id for r in roles]),
                    **kwargs,
                )
            except discord.HTTPException as error:
                log.warning("support: fallback channel refused: %s", _permanent(error))
                continue
            return Sent.of(message)
        return await self._by_dm(delivery, places, f"{note}\n{content}", reason, **kwargs)

    async def _by_dm(
        self, delivery: Delivery, places: StaffPlaces, text: str, reason: str, **kwargs: Any
    ) -> Sent:
        """Last resort: DM everyone holding a staff role (the post is theirs to act on)."""
        guild = self.bot.get_guild(delivery.guild_id)
        staff: dict[int, discord.Member] = {}
        for rid in places.staff_role_ids:
            role = guild.get_role(rid) if guild else None
            for member in role.members if role else []:
                if not member.bot:
                    staff[member.id] = member
        first: Sent | None = None
        for member in staff.values():
            try:
                message = await member.send(
                    text[:2000], nonce=f"{delivery.nonce}-d", allowed_mentions=NO_PINGS, **kwargs
                )
            except discord.HTTPException as error:
                _permanent(error)
                continue
            first = first or Sent.of(message)
        if first is None:
            raise Undeliverable(f"{reason}; no other staff channel or staff DM worked either")
        return first

    # ---- notes to the member ---------------------------------------------------------------

    async def tell(self, delivery: Delivery) -> Sent:
        """Tell the member about their request in their private space, or else by DM."""
        view, _places = await self._request(delivery)
        if view.user_id is None:
            raise Undeliverable(ERASED)
        text = str(delivery.payload["text"])
        if view.private_channel_id:
            try:
                return await post_owed(
                    self.bot,
                    delivery,
                    view.private_channel_id,
                    f"<@{view.user_id}> {text}",
                    allowed_mentions=_only(view.user_id),
                )
            except Undeliverable:
                pass
            except discord.HTTPException as error:
                _permanent(error)
        return await dm_owed(self.bot, delivery, view.user_id, text, allowed_mentions=NO_PINGS)

    async def crisis_note(self, delivery: Delivery) -> Sent:
        """Give the author of a flagged message the crisis contacts: DM, else a private place."""
        view, places = await self._request(delivery)
        if view.user_id is None:
            raise Undeliverable(ERASED)
        text = str(delivery.payload["text"])
        try:
            return await dm_owed(self.bot, delivery, view.user_id, text, allowed_mentions=NO_PINGS)
        except discord.HTTPException as error:
            reason = _permanent(error)
        log.info("support: crisis note %s not by DM (%s): a private thread", view.id, reason)
        return await self._check_in(delivery, view, places, text)

    async def _check_in(
        self, delivery: Delivery, view: RequestView, places: StaffPlaces, text: str
    ) -> Sent:
        """Post the note where only the author and staff can see it."""
        assert view.user_id is not None
        body = f"<@{view.user_id}> {text}"[:2000]
        guild = self.bot.get_guild(view.guild_id)
        where = (
            guild.get_channel_or_thread(int(delivery.payload.get("channel_id") or 0))
            if guild
            else None
        )
        if isinstance(where, discord.Thread) and where.is_private():
            # Their own support space: only they and staff can see a reply there.
            return await post_owed(
                self.bot, delivery, where.id, body, allowed_mentions=_only(view.user_id)
            )
        parent = guild.get_channel(places.peer_support_channel_id or 0) if guild else None
        if not isinstance(parent, discord.TextChannel) or guild is None:
            raise Undeliverable("the person's DMs are closed and there is no peer-support channel")
        name = CHECK_IN_THREAD.format(id=view.id)
        thread = discord.utils.get(parent.threads, name=name)
        if thread is None:
            thread = await parent.create_thread(
                name=name,
                type=discord.ChannelType.private_thread,
                invitable=False,
                reason="participation-bot: crisis contacts for someone whose DMs are closed",
            )
        await thread.add_user(discord.Object(view.user_id))
        return await post_owed(
            self.bot, delivery, thread.id, body, allowed_mentions=_only(view.user_id)
        )
