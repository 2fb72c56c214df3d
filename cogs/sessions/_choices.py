"""Autocomplete for the session commands, and reading the audience a worker chose."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.services.errors import NotAllowed
from bot.settings import Settings
from bot.ui.actor import actor_for
from bot.ui.replies import clip


async def audiences(interaction: discord.Interaction[Any], current: str) -> list[Any]:
    """Offer Everyone, each area and each level."""
    settings: Settings = interaction.client.settings  # type: ignore[attr-defined]
    names = ["Everyone"]
    names += [f"Area: {loc}" for loc in settings.group.localities]
    names += [f"Level: {lv.name}" for lv in settings.ladder.levels]
    needle = current.casefold()
    return [app_commands.Choice(name=n, value=n) for n in names if needle in n.casefold()][:25]


async def areas(interaction: discord.Interaction[Any], current: str) -> list[Any]:
    """Offer the configured areas."""
    settings: Settings = interaction.client.settings  # type: ignore[attr-defined]
    needle = current.casefold()
    return [
        app_commands.Choice(name=a, value=a)
        for a in settings.group.localities
        if needle in a.casefold()
    ][:25]


async def sessions(interaction: discord.Interaction[Any], current: str) -> list[Any]:
    """Offer recent and coming sessions to workers, coming ones to members."""
    client: Any = interaction.client
    service = client.services.group_sessions
    actor = actor_for(interaction)
    try:
        found = await service.for_worker(actor)
    except NotAllowed:
        found = [i.session for i in await service.upcoming(actor)]
    needle = current.casefold()
    tz = client.settings.tz
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
