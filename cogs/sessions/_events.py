"""What the bot does when session work falls due, and after scheduling, changes and cancels."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.services.sessions import (
    AttendanceOutcome,
    CancelOutcome,
    EditOutcome,
    MinutesOutcome,
    QuorumAlert,
    SessionEnded,
    SessionView,
)
from bot.services.sessions import SessionReminder as ReminderEvent
from bot.ui.replies import clip, send_dm
from cogs.sessions._actions import (
    channel,
    post_announcement,
    refresh_announcement,
    sync_event,
    tell_promoted,
    tell_repliers,
)
from cogs.sessions._render import esc, quorum_text, reminder_text, when_line

if TYPE_CHECKING:
    from bot.app import ParticipationBot

log = logging.getLogger(__name__)


async def on_reminder(bot: ParticipationBot, event: ReminderEvent) -> None:
    """DM a due reminder (the row is already claimed, so it is never sent twice)."""
    if not await send_dm(bot, event.user_id, reminder_text(event, bot.settings.tz)):
        log.info("session %s reminder %s not delivered: DMs closed", event.session_id, event.kind)


async def on_quorum(bot: ParticipationBot, alert: QuorumAlert) -> None:
    """Tell the workers in worker-log that a session is short of people."""
    target = await channel(bot, alert.worker_log_channel_id)
    if target is None:
        log.warning("session %s is short but there is no worker-log channel", alert.session_id)
        return
    await target.send(
        quorum_text(alert, bot.settings.tz), allowed_mentions=discord.AllowedMentions.none()
    )


async def on_ended(bot: ParticipationBot, ended: SessionEnded) -> None:
    """Prompt the workers in worker-log to mark attendance and post minutes."""
    target = await channel(bot, ended.worker_log_channel_id)
    if target is None:
        return
    await target.send(
        clip(
            f"**{esc(ended.title)}** ({when_line(ended.starts_at, ended.local_text)}) has "
            f"ended; {ended.going} had a place. Please mark who came with "
            f"`/session attendance session:{ended.session_id}` (it records their contribution "
            f"and sends them a feedback form), and post minutes with "
            f"`/session minutes session:{ended.session_id}`."
        ),
        allowed_mentions=discord.AllowedMentions.none(),
    )


async def after_schedule(
    bot: ParticipationBot, views: tuple[SessionView, ...], channel_id: int | None
) -> None:
    """Announce new sessions with reply buttons and mirror them as Discord events."""
    for view in views:
        await post_announcement(bot, view, channel_id)
        fresh = await bot.services.group_sessions.directory.view(view.guild_id, view.id)
        await sync_event(bot, fresh)


async def _redraw(bot: ParticipationBot, views: tuple[SessionView, ...]) -> None:
    for view in views:
        await refresh_announcement(bot, view)
        await sync_event(bot, view)


async def after_edit(bot: ParticipationBot, outcome: EditOutcome) -> None:
    """Redraw announcements and events; tell people who replied; tell anyone promoted."""
    await _redraw(bot, outcome.sessions)
    if outcome.notify:
        await tell_repliers(
            bot,
            outcome.notify,
            outcome.sessions,
            "A session you replied to has changed. Here are the new details (the joining link, "
            "if any, is in /sessions for people who are going):",
        )
    await tell_promoted(bot, outcome.promoted)


async def after_cancel(bot: ParticipationBot, outcome: CancelOutcome) -> None:
    """Mark announcements cancelled, cancel the events, and tell everyone who replied."""
    await _redraw(bot, outcome.sessions)
    reason = f" The reason: {esc(outcome.reason)}" if outcome.reason else ""
    await tell_repliers(
        bot,
        outcome.notify,
        outcome.sessions,
        clip(f"Sorry — this session has been cancelled.{reason}", 1200),
    )


async def ask_feedback(bot: ParticipationBot, outcome: AttendanceOutcome) -> None:
    """Send newly marked attendees the feedback form (DM if opted in, and in the channel)."""
    from cogs.sessions._views import FeedbackButton

    view = outcome.session
    text = (
        f"Thank you for coming to **{esc(view.title)}**. How was it? It takes a minute, "
        "and it helps us make sessions better."
    )
    buttons = discord.ui.View(timeout=None)
    buttons.add_item(FeedbackButton(view.id))
    for person in outcome.feedback_to:
        if person.dm_opt_in:
            await send_dm(bot, person.user_id, text, view=buttons)
    target = await channel(bot, view.announce_channel_id)
    if target is not None and outcome.feedback_to:
        await target.send(
            f"If you came to **{esc(view.title)}**, please tell us how it was.",
            view=buttons,
            allowed_mentions=discord.AllowedMentions.none(),
        )


async def publish_minutes(bot: ParticipationBot, outcome: MinutesOutcome) -> None:
    """Post the minutes in announcements and note them on the session's announcement."""
    target = await channel(bot, outcome.announcements_channel_id)
    if target is not None:
        embed = discord.Embed(
            title=clip(f"Minutes: {esc(outcome.session.title)}", 256),
            description=clip(esc(outcome.minutes), 4096),
            colour=discord.Colour.teal(),
        )
        embed.add_field(
            name="Session", value=when_line(outcome.session.starts_at, outcome.session.local_text)
        )
        await target.send(embed=embed, allowed_mentions=discord.AllowedMentions.none())
    await refresh_announcement(bot, outcome.session)
