"""Discord's permission arithmetic: base role permissions plus channel overwrites."""

from __future__ import annotations

from .model import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    DM,
    MANAGE_THREADS,
    PRIVATE_THREAD,
    THREAD_TYPES,
    VIEW_CHANNEL,
)
from .state import State


def base_permissions(state: State, guild_id: int, user_id: int) -> int:
    """Return a member's guild-wide permissions (owner and admins get everything)."""
    guild = state.guild(guild_id)
    if guild["owner_id"] == str(user_id):
        return ALL_PERMISSIONS
    member = state.stored_member(guild_id, user_id)
    roles = state.roles[guild_id]
    perms = int(roles[guild_id]["permissions"])
    for role_id in member["roles"]:
        role = roles.get(int(role_id))
        if role is not None:
            perms |= int(role["permissions"])
    if perms & ADMINISTRATOR:
        return ALL_PERMISSIONS
    return perms


def channel_permissions(state: State, channel_id: int, user_id: int) -> int:
    """Return a member's permissions in a guild channel (threads use their parent)."""
    channel = state.channel(channel_id)
    if channel["type"] == DM:
        return ALL_PERMISSIONS if _is_recipient(state, channel_id, user_id) else 0
    if channel["type"] in THREAD_TYPES:
        return channel_permissions(state, int(channel["parent_id"]), user_id)
    guild_id = int(channel["guild_id"])
    perms = base_permissions(state, guild_id, user_id)
    if perms == ALL_PERMISSIONS:
        return perms
    member = state.stored_member(guild_id, user_id)
    overwrites = {o["id"]: o for o in channel["permission_overwrites"]}
    everyone = overwrites.get(str(guild_id))
    if everyone is not None:
        perms = (perms & ~int(everyone["deny"])) | int(everyone["allow"])
    allow = deny = 0
    for role_id in member["roles"]:
        ow = overwrites.get(role_id)
        if ow is not None and ow["type"] == 0:
            allow |= int(ow["allow"])
            deny |= int(ow["deny"])
    perms = (perms & ~deny) | allow
    own = overwrites.get(str(user_id))
    if own is not None and own["type"] == 1:
        perms = (perms & ~int(own["deny"])) | int(own["allow"])
    return perms


def visible_to(state: State, user_id: int, channel_id: int) -> bool:
    """Say whether a user can see a channel, thread or DM."""
    channel = state.channel(channel_id)
    if channel["type"] == DM:
        return _is_recipient(state, channel_id, user_id)
    guild_id = int(channel["guild_id"])
    if user_id not in state.members.get(guild_id, {}):
        return False
    perms = channel_permissions(state, channel_id, user_id)
    if not perms & VIEW_CHANNEL:
        return False
    if channel["type"] == PRIVATE_THREAD:
        joined = user_id in state.thread_members.get(channel_id, {})
        return joined or bool(perms & MANAGE_THREADS)
    return True


def _is_recipient(state: State, channel_id: int, user_id: int) -> bool:
    return state.dm_channels.get(user_id) == channel_id or user_id == state.bot_user_id
