"""What the bot does when session work falls due, and after scheduling, changes and cancels."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.services.sessions import CancelOutcome, EditOutcome, QuorumAlert, SessionEnded, SessionView
from bot.services.sessions import SessionReminder as ReminderEvent
from bot.ui.replies import clip
from cogs.sessions._actions import (
    channel,
    dm,
    post_announcement,
    refresh_announcement,
    sync_event,
    tell_promoted,
    tell_repliers,
)
from cogs.sessions._render import esc, quorum_text, reminder_text, when_line

log = logging.getLogger(__name__)


async def on_reminder(client: Any, event: ReminderEvent) -> None:
    """DM a due reminder (the row is already claimed, so it is never sent twice)."""
    if not await dm(client, event.user_id, reminder_text(event, client.settings.tz)):
        log.info("session %s reminder %s not delivered: DMs closed", event.session_id, event.kind)


async def on_quorum(client: Any, alert: QuorumAlert) -> None:
    """Tell the workers in worker-log that a session is short of people."""
    target = await channel(client, alert.worker_log_channel_id)
    if target is None:
        log.warning("session %s is short but there is no worker-log channel", alert.session_id)
        return
    await target.send(
        quorum_text(alert, client.settings.tz), allowed_mentions=discord.AllowedMentions.none()
    )


async def on_ended(client: Any, ended: SessionEnded) -> None:
    """Prompt the workers in worker-log to mark attendance and post minutes."""
    target = await channel(client, ended.worker_log_channel_id)
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
    client: Any, views: tuple[SessionView, ...], channel_id: int | None
) -> None:
    """Announce new sessions with reply buttons and mirror them as Discord events."""
    for view in views:
        await post_announcement(client, view, channel_id)
        fresh = await client.services.group_sessions.view(view.guild_id, view.id)
        await sync_event(client, fresh)
    await client.scheduler.poke()


async def after_edit(client: Any, outcome: EditOutcome) -> None:
    """Redraw announcements and events; tell people who replied; tell anyone promoted."""
    for view in outcome.sessions:
        await refresh_announcement(client, view)
        await sync_event(client, view)
    if outcome.notify:
        await tell_repliers(
            client,
            outcome.notify,
            outcome.sessions,
            "A session you replied to has changed. Here are the new details (the joining link, "
            "if any, is in /sessions for people who are going):",
        )
    await tell_promoted(client, outcome.promoted)
    await client.scheduler.poke()


async def after_cancel(client: Any, outcome: CancelOutcome) -> None:
    """Mark announcements cancelled, cancel the events, and tell everyone who replied."""
    for view in outcome.sessions:
        await refresh_announcement(client, view)
        await sync_event(client, view)
    reason = f" The reason: {esc(outcome.reason)}" if outcome.reason else ""
    await tell_repliers(
        client,
        outcome.notify,
        outcome.sessions,
        clip(f"Sorry — this session has been cancelled.{reason}", 1200),
    )
    await client.scheduler.poke()


async def ask_feedback(client: Any, outcome: Any) -> None:
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
            await dm(client, person.user_id, text, view=buttons)
    target = await channel(client, view.announce_channel_id)
    if target is not None and outcome.feedback_to:
        await target.send(
            f"If you came to **{esc(view.title)}**, please tell us how it was.",
            view=buttons,
            allowed_mentions=discord.AllowedMentions.none(),
        )


async def publish_minutes(client: Any, outcome: Any) -> None:
    """Post the minutes in announcements and note them on the session's announcement."""
    from cogs.sessions._actions import refresh_announcement as redraw

    target = await channel(client, outcome.announcements_channel_id)
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
    await redraw(client, outcome.session)
