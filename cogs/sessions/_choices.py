"""Autocomplete of sessions, and reading what a worker chose or typed in /session edit."""

from __future__ import annotations

from dataclasses import replace

from discord import app_commands

from bot.services.errors import NotAllowed
from bot.services.sessions import KEEP, Keep, SessionEdit
from bot.services.timeparse import parse_duration
from bot.settings import Settings
from bot.ui.actor import actor_for
from bot.ui.choices import numbered, parse_audience
from bot.ui.context import Interaction

CLEAR = {"none", "-", "clear"}


async def sessions(interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
    """Offer recent and coming sessions to workers, coming ones to members."""
    group_sessions = interaction.client.services.group_sessions
    actor = actor_for(interaction)
    try:
        found = await group_sessions.directory.for_worker(actor)
    except NotAllowed:
        found = [i.session for i in await group_sessions.replies.upcoming(actor)]
    tz = interaction.client.settings.tz
    return numbered(
        current,
        (
            (
                v.id,
                v.title,
                f" — {v.starts_at.astimezone(tz):%a %d %b %H:%M}"
                + (" (cancelled)" if v.status == "cancelled" else ""),
            )
            for v in found
        ),
    )


def _kept(value: str | None) -> str | None | Keep:
    """Read an optional text field: left out keeps it, "none" clears it."""
    if value is None:
        return KEEP
    return None if value.strip().casefold() in CLEAR else value


def edit_changes(
    settings: Settings,
    *,
    title: str | None,
    start: str | None,
    duration: str | None,
    agenda: str | None,
    online_link: str | None,
    place: str | None,
    places: int | None,
    papers_link: str | None,
    audience: str | None,
    area: str | None,
) -> SessionEdit:
    """Turn the options of /session edit into the changes (anything left out is kept)."""
    changes = SessionEdit(
        title=title if title is not None else KEEP,
        start=start if start is not None else KEEP,
        duration_minutes=parse_duration(duration) if duration is not None else KEEP,
        agenda=_kept(agenda),
        online_link=_kept(online_link),
        place=_kept(place),
        capacity=places if places is not None else KEEP,
        papers_url=_kept(papers_link),
        locality=_kept(area),
    )
    if audience is None:
        return changes
    kind, value = parse_audience(settings, audience)
    return replace(changes, audience=kind, audience_value=value)
