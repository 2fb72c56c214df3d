"""Can the bot's role pings ring? Discord notifies a pinged role only if it is mentionable
or the bot holds Mention Everyone; otherwise an urgent "someone may be at risk" notifies nobody.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import discord

log = logging.getLogger(__name__)

# The staff roles the bot pings (urgent support cards, escalations).
PINGED_KEYS = ("moderator", "safeguarding", "worker")


def silent_pings(guild: discord.Guild, role_ids: Mapping[str, int]) -> list[discord.Role]:
    """Return the staff roles whose pings from the bot would notify nobody."""
    me = guild.me
    if me is not None and me.guild_permissions.mention_everyone:
        return []
    roles = [guild.get_role(role_ids[key]) for key in PINGED_KEYS if key in role_ids]
    return [role for role in roles if role is not None and not role.mentionable]


def silent_ping_warning(roles: list[discord.Role]) -> str:
    """Return the admin's warning that urgent pings to these roles would not ring."""
    names = ", ".join(role.name for role in roles)
    return (
        f"⚠️ Urgent pings to {names} will not notify anyone: the role is not mentionable and "
        "the bot does not have Mention Everyone. Make the role mentionable (Server Settings → "
        "Roles → Allow anyone to @mention this role) or give the bot Mention Everyone."
    )


def warn_if_silent(guild: discord.Guild, role_ids: Mapping[str, int]) -> list[discord.Role]:
    """Log loudly if the bot's urgent pings in a server would notify nobody; return the roles."""
    silent = silent_pings(guild, role_ids)
    if silent:
        log.warning(
            "guild %s: urgent pings to %s would notify nobody (not mentionable, and the bot "
            "lacks Mention Everyone); run /setup or fix the roles",
            guild.id,
            ", ".join(role.name for role in silent),
        )
    return silent
