"""Autocomplete for the session commands, and reading what a worker chose or typed."""

from __future__ import annotations

from dataclasses import replace

from discord import app_commands

from bot.services.errors import NotAllowed
from bot.services.sessions import KEEP, Keep, SessionEdit
from bot.services.timeparse import parse_duration
from bot.settings import Settings
from bot.ui.actor import actor_for
from bot.ui.context import Interaction
from bot.ui.replies import clip

Choices = list[app_commands.Choice[str]]
CLEAR = {"none", "-", "clear"}


def _matching(names: list[str], current: str) -> Choices:
    needle = current.casefold()
    return [app_commands.Choice(name=n, value=n) for n in names if needle in n.casefold()][:25]


async def audiences(interaction: Interaction, current: str) -> Choices:
    """Offer Everyone, each area and each level."""
    settings = interaction.client.settings
    names = ["Everyone"]
    names += [f"Area: {loc}" for loc in settings.group.localities]
    names += [f"Level: {lv.name}" for lv in settings.ladder.levels]
    return _matching(names, current)


async def areas(interaction: Interaction, current: str) -> Choices:
    """Offer the configured areas."""
    return _matching(list(interaction.client.settings.group.localities), current)


async def sessions(interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
    """Offer recent and coming sessions to workers, coming ones to members."""
    group_sessions = interaction.client.services.group_sessions
    actor = actor_for(interaction)
    try:
        found = await group_sessions.directory.for_worker(actor)
    except NotAllowed:
        found = [i.session for i in await group_sessions.replies.upcoming(actor)]
    needle = current.casefold()
    tz = interaction.client.settings.tz
    return [
        app_commands.Choice(
            name=clip(
                f"{v.id}: {v.title} — {v.starts_at.astimezone(tz):%a %d %b %H:%M}"
                + (" (cancelled)" if v.status == "cancelled" else ""),
                100,
            ),
            value=v.id,
        )
        for v in found
        if needle in f"{v.id} {v.title}".casefold()
    ][:25]


def parse_audience(settings: Settings, text: str | None) -> tuple[str, str | None]:
    """Turn "Everyone", "Area: North" or "Level: Leading" into the service's audience."""
    value = (text or "Everyone").strip()
    kind, _, rest = value.partition(":")
    if kind.strip().casefold() == "area":
        return "locality", rest.strip()
    if kind.strip().casefold() == "level":
        return "level", rest.strip()
    if value.casefold() == "everyone":
        return "everyone", None
    if any(loc.casefold() == value.casefold() for loc in settings.group.localities):
        return "locality", value
    return "level", value


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
