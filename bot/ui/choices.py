"""Autocomplete choices, and reading back what was chosen: audiences, areas, numbered items.

The audience is offered as "Everyone", "Area: North" or "Level: Leading" by every command
that has one, and read back here into the service's `(kind, value)`.
"""

from __future__ import annotations

from collections.abc import Iterable

from discord import app_commands

from bot.services.audience import EVERYONE, LEVEL, LOCALITY
from bot.settings import Settings
from bot.ui.context import Interaction
from bot.ui.replies import clip

Choices = list[app_commands.Choice[str]]
MAX_CHOICES = 25
AUDIENCE_PREFIXES = {"area": LOCALITY, "level": LEVEL}
# The help on an `audience` option offered with `audiences` below.
AUDIENCE_OPTION = "Who it is for: Everyone, an area or a level"


def matching(names: Iterable[str], current: str) -> Choices:
    """Offer the names that contain what has been typed so far (Discord shows 25 at most)."""
    needle = current.casefold()
    return [app_commands.Choice(name=n, value=n) for n in names if needle in n.casefold()][
        :MAX_CHOICES
    ]


def numbered(current: str, items: Iterable[tuple[int, str, str]]) -> list[app_commands.Choice[int]]:
    """Offer `(id, name, note)` items as "12: name note", matched on the id and the name."""
    needle = current.casefold()
    return [
        app_commands.Choice(name=clip(f"{item_id}: {name}{note}", 100), value=item_id)
        for item_id, name, note in items
        if needle in f"{item_id} {name}".casefold()
    ][:MAX_CHOICES]


def audience_names(settings: Settings) -> list[str]:
    """Return "Everyone", then "Area: …" for each area, then "Level: …" for each level."""
    names = ["Everyone"]
    names += [f"Area: {loc}" for loc in settings.group.localities]
    names += [f"Level: {lv.name}" for lv in settings.ladder.levels]
    return names


async def audiences(interaction: Interaction, current: str) -> Choices:
    """Offer Everyone, each area and each level."""
    return matching(
        audience_names(interaction.client.settings.for_server(interaction.guild_id)), current
    )


async def areas(interaction: Interaction, current: str) -> Choices:
    """Offer the configured areas."""
    return matching(
        interaction.client.settings.for_server(interaction.guild_id).group.localities, current
    )


def parse_audience(settings: Settings, text: str | None) -> tuple[str, str | None]:
    """Turn "Everyone", "Area: North" or "Level: Leading" into the service's audience.

    A bare name, typed rather than chosen, is an area if there is one by that name.
    """
    chosen = (text or EVERYONE).strip()
    prefix, _, named = chosen.partition(":")
    if prefix.strip().casefold() in AUDIENCE_PREFIXES:
        return AUDIENCE_PREFIXES[prefix.strip().casefold()], named.strip()
    if chosen.casefold() == EVERYONE:
        return EVERYONE, None
    areas = {area.casefold() for area in settings.group.localities}
    return (LOCALITY if chosen.casefold() in areas else LEVEL), chosen
