"""Discord side effects shared by the sessions commands and buttons (posts, events, DMs)."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.services.sessions import Promotion, Recipient, SessionView, calendar_for
from bot.ui.replies import clip, send_dm
from cogs.sessions._render import announcement_embed, esc, session_details, when_line

if TYPE_CHECKING:
    from bot.app import ParticipationBot

log = logging.getLogger(__name__)
LOCATION_MAX = 100
EVENT_DESCRIPTION_MAX = 1000
Postable = discord.TextChannel | discord.Thread


def reply_buttons(view: SessionView) -> discord.ui.View:
    """Return the persistent buttons of an announcement (none once cancelled)."""
    from cogs.sessions._views import CalendarButton, RsvpButton

    buttons = discord.ui.View(timeout=None)
    if view.status == "scheduled":
        for reply in ("going", "maybe", "cant"):
            buttons.add_item(RsvpButton(view.id, reply))
        buttons.add_item(CalendarButton(view.id))
    return buttons


async def channel(bot: ParticipationBot, channel_id: int | None) -> Postable | None:
    """Return a text channel by id, or None when it is gone."""
    if not channel_id:
        return None
    found: Any = bot.get_channel(channel_id)
    if found is None:
        try:
            found = await bot.fetch_channel(channel_id)
        except discord.HTTPException:
            return None
    return found if isinstance(found, Postable) else None


async def post_announcement(
    bot: ParticipationBot, view: SessionView, channel_id: int | None
) -> None:
    """Post a session's announcement with its reply buttons and remember where it is."""
    target = await channel(bot, channel_id)
    if target is None:
        log.warning("no sessions channel to announce session %s", view.id)
        return
    message = await target.send(
        embed=announcement_embed(view, bot.settings.tz),
        view=reply_buttons(view),
        allowed_mentions=discord.AllowedMentions.none(),
    )
    await bot.services.group_sessions.directory.set_announcement(
        view.id, message.channel.id, message.id
    )


async def refresh_announcement(bot: ParticipationBot, view: SessionView) -> None:
    """Redraw a session's announcement (counts, changes, cancellation)."""
    if not (view.announce_channel_id and view.announce_message_id):
        return
    target = await channel(bot, view.announce_channel_id)
    if target is None:
        return
    try:
        message = target.get_partial_message(view.announce_message_id)
        await message.edit(
            embed=announcement_embed(view, bot.settings.tz), view=reply_buttons(view)
        )
    except discord.HTTPException:
        log.info("could not update the announcement of session %s", view.id)


def _location(view: SessionView) -> str:
    text = view.place or "Online (the link is sent to people who are going)"
    return text[:LOCATION_MAX]


async def sync_event(bot: ParticipationBot, view: SessionView) -> None:
    """Create, update or cancel the Discord scheduled event that mirrors a session."""
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
            created = await guild.create_scheduled_event(**details)
            await bot.services.group_sessions.directory.set_discord_event(view.id, created.id)
        else:
            await event.edit(**details)
    except discord.HTTPException:
        log.warning("could not mirror session %s as a Discord scheduled event", view.id)


def ics_file(filename: str, content: bytes) -> discord.File:
    """Wrap calendar bytes as an attachment."""
    return discord.File(io.BytesIO(content), filename=filename)


async def tell_promoted(bot: ParticipationBot, promoted: tuple[Promotion, ...]) -> None:
    """Tell people who moved off the waiting list, with the full details and a calendar file."""
    for promotion in promoted:
        view = promotion.session
        text = (
            f"Good news, {esc(promotion.preferred_name)}: a place came up and it's yours.\n\n"
            + session_details(view, promotion.online_link)
            + "\n\nIf you can't make it after all, press Can't go on the announcement."
        )
        content = calendar_for(view, bot.services.clock.now(), promotion.online_link)
        await send_dm(
            bot, promotion.user_id, text, file=ics_file(f"session-{view.id}.ics", content)
        )


async def tell_repliers(
    bot: ParticipationBot,
    recipients: tuple[Recipient, ...],
    views: tuple[SessionView, ...],
    text: str,
) -> int:
    """DM everyone who replied to the sessions about a change; return how many got it."""
    by_id = {v.id: v for v in views}
    sent = 0
    for person in recipients:
        view = by_id.get(person.session_id)
        if view is None:
            continue
        message = (
            f"Hi {esc(person.preferred_name)}. {text}\n\n**{esc(view.title)}**\n"
            f"When: {when_line(view.starts_at, view.local_text)}"
        )
        sent += await send_dm(bot, person.user_id, message)
    return sent
