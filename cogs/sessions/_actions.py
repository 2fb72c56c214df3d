"""Discord pieces shared by the sessions commands, buttons and senders (buttons, events, files)."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.delivery import reason_for
from bot.services.sessions import SessionView
from bot.ui.replies import clip

if TYPE_CHECKING:
    from bot.app import ParticipationBot

log = logging.getLogger(__name__)
LOCATION_MAX = 100
EVENT_DESCRIPTION_MAX = 1000


def reply_buttons(view: SessionView) -> discord.ui.View:
    """Return the persistent buttons of an announcement (none once cancelled)."""
    from cogs.sessions._views import CalendarButton, RsvpButton

    buttons = discord.ui.View(timeout=None)
    if view.status == "scheduled":
        for reply in ("going", "maybe", "cant"):
            buttons.add_item(RsvpButton(view.id, reply))
        buttons.add_item(CalendarButton(view.id))
    return buttons


def _location(view: SessionView) -> str:
    text = view.place or "Online (the link is sent to people who are going)"
    return text[:LOCATION_MAX]


def _already_made(
    bot: ParticipationBot, guild: discord.Guild, view: SessionView
) -> discord.ScheduledEvent | None:
    """Return an event the bot already made for this session (same name and start), if any."""
    mine = bot.user.id if bot.user else None
    wanted = (mine, view.title[:100], view.starts_at)
    return next(
        (e for e in guild.scheduled_events if (e.creator_id, e.name, e.start_time) == wanted),
        None,
    )


async def sync_event(bot: ParticipationBot, view: SessionView) -> None:
    """Create, update or cancel the Discord scheduled event that mirrors a session.

    A 5xx or 429 is raised for the outbox to retry; a refusal is logged and left.
    """
    guild = bot.get_guild(view.guild_id)
    if guild is None:
        return
    try:
        event = None
        if view.discord_event_id:
            event = guild.get_scheduled_event(view.discord_event_id)
            if event is None:
                event = await guild.fetch_scheduled_event(view.discord_event_id)
        if view.status == "cancelled":
            if event is not None:
                await event.cancel()
            return
        details: dict[str, Any] = {
            "name": view.title[:100],
            "start_time": view.starts_at,
            "end_time": view.ends_at,
            "entity_type": discord.EntityType.external,
            "location": _location(view),
            "privacy_level": discord.PrivacyLevel.guild_only,
            "description": clip(view.agenda or view.title, EVENT_DESCRIPTION_MAX),
        }
        if event is None:
            # A retry after a create whose reply was lost finds the event the gateway showed.
            created = _already_made(bot, guild, view) or await guild.create_scheduled_event(
                **details
            )
            await bot.services.group_sessions.directory.set_discord_event(view.id, created.id)
        else:
            await event.edit(**details)
    except discord.HTTPException as error:
        if reason_for(error) is None:
            raise  # Discord is down or busy: the delivery is tried again later
        # The event only mirrors the announcement: a refusal (no Manage Events) leaves it out.
        log.warning("could not mirror session %s as a Discord event: %s", view.id, error)


def ics_file(filename: str, content: bytes) -> discord.File:
    """Wrap calendar bytes as an attachment."""
    return discord.File(io.BytesIO(content), filename=filename)
