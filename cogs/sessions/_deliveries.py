"""Deliver what sessions owe Discord: reminders, notices, announcements, alerts, minutes.

Each was written to the outbox in the transaction that decided it; the senders here render it
as things stand when it goes out, and are idempotent in effect: posts and DMs carry the
delivery's nonce, redraws are edits, so a retry after a 503 or a lost reply shows them once.
Who may still be told (a reminder before the start, a notice to someone still in the group)
is the service's rule, read through `owed.dm`.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import discord

from bot.delivery import Sender, Sent, Undeliverable, dm_owed, post_owed, reason_for
from bot.services.base import view_from
from bot.services.outbox import Delivery
from bot.services.sessions import (
    CANCELLED,
    CHANGED,
    DMS,
    POSTS,
    PROMOTED,
    REMINDER,
    OwedDM,
    OwedPost,
    QuorumAlert,
    calendar_for,
)
from bot.ui.replies import clip
from bot.ui.senders import Senders
from cogs.sessions._actions import ics_file, reply_buttons, sync_event
from cogs.sessions._render import (
    announcement_embed,
    announcement_link,
    esc,
    quorum_text,
    reminder_text,
    session_details,
    when_line,
    where_public,
)

if TYPE_CHECKING:
    from bot.app import ParticipationBot

NO_PINGS = discord.AllowedMentions.none()
CHANGED_TEXT = (
    "A session you replied to has changed. Here are the new details (the joining link, if any, "
    "is in /sessions for people who are going):"
)


def _notice(owed: OwedDM, text: str) -> str:
    """Return a notice about a session to someone who replied, with when and where in full."""
    view = owed.session
    assert view is not None
    return (
        f"Hi {esc(owed.preferred_name)}. {text}\n\n**{esc(view.title)}**\n"
        f"When: {when_line(view.starts_at, view.local_text)}\n"
        f"Where: {where_public(view)}"
    )


class SessionsSenders(Senders):
    """The sessions cog's outbox senders, registered on the bot's deliveries."""

    def __init__(self, bot: ParticipationBot) -> None:
        super().__init__(bot)
        self.owed = bot.services.group_sessions.owed

    def kinds(self) -> dict[str, Sender]:
        """DM each person what a session owes them; post the rest with the method of its name."""
        return {kind: self.dm for kind in DMS} | self.named(*POSTS)

    # ---- DMs to one person ---------------------------------------------------------------------

    async def dm(self, delivery: Delivery) -> Sent:
        """DM one person what a session owes them, unless it is no longer owed."""
        owed = await self.owed.dm(
            delivery.kind, delivery.guild_id, delivery.payload, delivery.subject_member_id
        )
        if owed.user_id is None or owed.session is None:
            raise Undeliverable(owed.skip or "no longer owed")
        text, extra = self._render(delivery.kind, owed)
        try:
            return await dm_owed(self.bot, delivery, owed.user_id, text, **extra)
        except discord.HTTPException as error:
            reason = reason_for(error)
            if reason is not None and delivery.kind == REMINDER:
                # The reminder's own record says why it never arrived (in /mydata too).
                await self.owed.reminder_refused(delivery.payload, reason)
            raise

    def _render(self, kind: str, owed: OwedDM) -> tuple[str, dict[str, Any]]:
        """Return the text of a DM and what goes with it (a file, a button)."""
        view = owed.session
        assert view is not None
        if kind == REMINDER:
            assert owed.reminder is not None
            # The announcement's own buttons (same custom ids), so a reply here is a reply there.
            link = announcement_link(view)
            text = reminder_text(owed.reminder, self.bot.settings.tz, link)
            return text, {"view": reply_buttons(view)}
        if kind == PROMOTED:
            link = announcement_link(view)
            where = f": {link}" if link else "."
            text = (
                f"Good news, {esc(owed.preferred_name)}: a place came up and it's yours.\n\n"
                + session_details(view, owed.online_link)
                + f"\n\nIf you can't make it after all, press Can't go on the announcement{where}"
            )
            # A fresh file each attempt: a file is spent by the request that carried it.
            content = calendar_for(view, self.bot.services.clock.now(), owed.online_link)
            return text, {"file": ics_file(f"session-{view.id}.ics", content)}
        if kind == CANCELLED:
            reason = f" The reason: {esc(owed.cancel_reason)}" if owed.cancel_reason else ""
            return _notice(
                owed, clip(f"Sorry — this session has been cancelled.{reason}", 1200)
            ), {}
        if kind == CHANGED:
            return _notice(owed, CHANGED_TEXT), {}
        from cogs.sessions._views import FeedbackButton

        buttons = discord.ui.View(timeout=None)
        buttons.add_item(FeedbackButton(session_id=view.id))
        text = (
            f"Thank you for coming to **{esc(view.title)}**. How was it? It takes a minute, "
            "and it helps us make sessions better."
        )
        return text, {"view": buttons}

    # ---- posts in server channels ------------------------------------------------------------

    async def _post_target(self, delivery: Delivery) -> OwedPost:
        found = await self.owed.post(delivery.guild_id, int(delivery.payload["session_id"]))
        if found is None:
            raise Undeliverable("the session no longer exists")
        return found

    async def announce(self, delivery: Delivery) -> Sent:
        """Announce a new session with its reply buttons, and mirror it as a Discord event."""
        post = await self._post_target(delivery)
        view = post.session
        sent = await post_owed(
            self.bot,
            delivery,
            delivery.payload.get("channel_id"),
            "",
            embed=announcement_embed(view, self.bot.settings.tz),
            view=reply_buttons(view),
            allowed_mentions=NO_PINGS,
        )
        if sent.channel_id and sent.message_id:
            await self.bot.services.group_sessions.directory.set_announcement(
                view.id, sent.channel_id, sent.message_id
            )
        return sent

    async def event(self, delivery: Delivery) -> Sent:
        """Create, change or cancel the Discord event that mirrors a session, as it is now.

        An edit or a cancel is safe to repeat; a create whose reply was lost may leave a
        second event (Discord has no nonce for events), which is rarer than a lost post.
        """
        await sync_event(self.bot, (await self._post_target(delivery)).session)
        return Sent()

    async def redraw(self, delivery: Delivery) -> Sent:
        """Redraw a session's announcement as the session is now (an edit, safe to repeat)."""
        view = (await self._post_target(delivery)).session
        if view.announce_channel_id and view.announce_message_id:
            target = self.bot.get_channel(view.announce_channel_id)
            if target is None:
                target = await self.bot.fetch_channel(view.announce_channel_id)
            if not isinstance(target, discord.TextChannel | discord.Thread):
                raise Undeliverable("the announcement's channel cannot hold messages")
            # Someone may have deleted the announcement: the event still follows the session.
            with contextlib.suppress(discord.NotFound):
                await target.get_partial_message(view.announce_message_id).edit(
                    embed=announcement_embed(view, self.bot.settings.tz),
                    view=reply_buttons(view),
                )
        # An edit posts nothing new: where the announcement is stays on its own outbox row.
        return Sent()

    async def quorum(self, delivery: Delivery) -> Sent:
        """Tell the workers in worker-log that a session is short of people."""
        post = await self._post_target(delivery)
        view = post.session
        alert = view_from(
            QuorumAlert,
            view,
            session_id=view.id,
            going=int(delivery.payload["going"]),
            needed=int(delivery.payload["needed"]),
            worker_log_channel_id=post.worker_log_channel_id,
        )
        text = quorum_text(alert, self.bot.settings.tz)
        return await post_owed(
            self.bot, delivery, post.worker_log_channel_id, text, allowed_mentions=NO_PINGS
        )

    async def ended(self, delivery: Delivery) -> Sent:
        """Prompt the workers in worker-log to mark attendance and post minutes."""
        post = await self._post_target(delivery)
        view = post.session
        text = clip(
            f"**{esc(view.title)}** ({when_line(view.starts_at, view.local_text)}) has "
            f"ended; {int(delivery.payload['going'])} had a place. Please mark who came with "
            f"`/session attendance session:{view.id}` (it records their contribution "
            f"and sends them a feedback form), and post minutes with "
            f"`/session minutes session:{view.id}`."
        )
        return await post_owed(
            self.bot, delivery, post.worker_log_channel_id, text, allowed_mentions=NO_PINGS
        )

    async def feedback_post(self, delivery: Delivery) -> Sent:
        """Invite everyone who came, in the session's channel, to say how it was."""
        from cogs.sessions._views import FeedbackButton

        view = (await self._post_target(delivery)).session
        buttons = discord.ui.View(timeout=None)
        buttons.add_item(FeedbackButton(session_id=view.id))
        return await post_owed(
            self.bot,
            delivery,
            delivery.payload.get("channel_id"),
            f"If you came to **{esc(view.title)}**, please tell us how it was.",
            view=buttons,
            allowed_mentions=NO_PINGS,
        )

    async def minutes(self, delivery: Delivery) -> Sent:
        """Post a session's minutes (as they stand now) in announcements."""
        view = (await self._post_target(delivery)).session
        if not view.minutes:
            raise Undeliverable("the session has no minutes")
        embed = discord.Embed(
            title=clip(f"Minutes: {esc(view.title)}", 256),
            description=clip(esc(view.minutes), 4096),
            colour=discord.Colour.teal(),
        )
        embed.add_field(name="Session", value=when_line(view.starts_at, view.local_text))
        return await post_owed(
            self.bot,
            delivery,
            delivery.payload.get("channel_id"),
            "",
            embed=embed,
            allowed_mentions=NO_PINGS,
        )
