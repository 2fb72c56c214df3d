"""Work out who is acting (an Actor for the services) from an interaction or a message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.services.access import Actor
from bot.services.errors import NotAllowed

NOT_IN_GROUP = "You need to be in the group's Discord server to use this."
NOT_FOUND_BY_DM = (
    "I can't find your sign-up in any group from a DM. If you haven't joined yet, please use "
    "this inside your group's Discord server (/join signs you up there)."
)
SEVERAL = (
    "You're in more than one group with me, so please use this inside the server of the "
    "group you mean."
)


def serves_every_server(client: Any) -> bool:
    """Tell whether this process holds every shard (so it knows every server the bot is in)."""
    ids, count = getattr(client, "shard_ids", None), getattr(client, "shard_count", None)
    return ids is None or not count or len(ids) >= count


def held_here(client: Any, guild_id: int) -> bool:
    """Tell whether this process owns a server's shard (so its cache is that server's truth)."""
    if serves_every_server(client):
        return True
    return (guild_id >> 22) % int(client.shard_count) in set(client.shard_ids)


def guild_for(interaction: discord.Interaction[Any]) -> discord.Guild:
    """Return the server an interaction is about; in a DM, the group's server."""
    if interaction.guild is not None:
        return interaction.guild
    client: discord.Client = interaction.client
    settings = getattr(client, "settings", None)
    wanted = getattr(settings, "discord_guild_id", None)
    guilds = [g for g in client.guilds if wanted is None or g.id == wanted]
    mine = [g for g in guilds if g.get_member(interaction.user.id) is not None]
    if len(mine) == 1:
        return mine[0]
    if not mine:
        raise NotAllowed(NOT_IN_GROUP)
    # Never guess between servers: acting in the wrong one would put someone's data there.
    raise NotAllowed(SEVERAL)


async def actor_anywhere(interaction: discord.Interaction[Any]) -> Actor:
    """Return the Actor for a command usable by DM, whichever process owns their server.

    DMs reach only shard 0's process, whose cache holds only its own shards' servers: the
    membership table tells which other groups the person is in.
    """
    client: Any = interaction.client
    if interaction.guild is not None or serves_every_server(client):
        return actor_for(interaction)
    user_id = interaction.user.id
    wanted = getattr(client.settings, "discord_guild_id", None)
    here = [g.id for g in client.guilds if g.get_member(user_id) is not None]
    there = [
        guild_id
        for guild_id in await client.services.membership.groups_of(user_id)
        if not held_here(client, guild_id) and wanted in (None, guild_id)
    ]
    if not there and not here:
        raise NotAllowed(NOT_FOUND_BY_DM)
    if not there:
        return actor_for(interaction)
    if here or len(there) > 1:
        raise NotAllowed(SEVERAL)
    # Roles live in the other process's cache: this Actor is a member, never staff.
    return Actor(user_id=user_id, guild_id=there[0])


async def actor_about(
    interaction: discord.Interaction[Any], server: Callable[[], Awaitable[int | None]]
) -> Actor:
    """Return the Actor for a button about one server's row (in a DM, that row's server).

    `server` looks the row's server up; it is asked only in a DM (in a server, the click
    says where it is), so a burst of clicks in a server costs no query for it.
    """
    if interaction.guild is not None:
        return actor_for(interaction)
    guild_id = await server()
    if guild_id is None:
        return actor_for(interaction)  # a row gone: the service says so
    guild = interaction.client.get_guild(guild_id)
    member = guild.get_member(interaction.user.id) if guild is not None else None
    return actor_from_member(guild_id, member, interaction.user.id)


def actor_for(interaction: discord.Interaction[Any]) -> Actor:
    """Return the Actor for whoever triggered the interaction."""
    guild = guild_for(interaction)
    member = guild.get_member(interaction.user.id)
    if member is None and isinstance(interaction.user, discord.Member):
        member = interaction.user
    return actor_from_member(guild.id, member, interaction.user.id)


def actor_from_member(guild_id: int, member: discord.Member | None, user_id: int) -> Actor:
    """Return an Actor from a guild member (or a bare user id with no roles)."""
    if member is None:
        return Actor(user_id=user_id, guild_id=guild_id)
    perms = member.guild_permissions
    return Actor(
        user_id=member.id,
        guild_id=guild_id,
        role_ids=frozenset(r.id for r in member.roles),
        is_admin=perms.administrator or perms.manage_guild,
    )
