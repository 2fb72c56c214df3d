"""The bot's own permission checks, as Discord applies them to its REST calls."""

from __future__ import annotations

from .model import ATTACH_FILES, VIEW_CHANNEL, DiscordError, Json
from .permissions import base_permissions, channel_permissions
from .state import State


def _missing(what: str) -> DiscordError:
    return DiscordError(403, 50013, f"Missing Permissions ({what})", violation=True)


def in_guild(state: State, guild_id: int, perm: int, what: str) -> None:
    """Require a guild-wide permission of the bot (any bit of `perm`)."""
    if not base_permissions(state, guild_id, state.bot_user_id) & perm:
        raise _missing(what)


def in_channel(state: State, channel_id: int, perm: int, what: str) -> None:
    """Require the bot to see a guild channel and hold a permission there (any bit)."""
    if state.guild_id_of(channel_id) is None:
        return
    perms = channel_permissions(state, channel_id, state.bot_user_id)
    if not perms & VIEW_CHANNEL:
        raise DiscordError(403, 50001, "Missing Access", violation=True)
    if perm and not perms & perm:
        raise _missing(what)


def top_position(state: State, guild_id: int, user_id: int) -> int:
    """Return the position of a member's highest role (0 for @everyone only)."""
    member = state.stored_member(guild_id, user_id)
    roles = state.roles[guild_id]
    return max(
        (int(roles[int(r)]["position"]) for r in member["roles"] if int(r) in roles), default=0
    )


def below_bot(state: State, guild_id: int, role_id: int) -> None:
    """Refuse to manage a role at or above the bot's highest role (even for admins)."""
    if state.guild(guild_id)["owner_id"] == str(state.bot_user_id):
        return
    role: Json = state.role(guild_id, role_id)
    if role.get("managed") or int(role["position"]) >= top_position(
        state, guild_id, state.bot_user_id
    ):
        raise _missing(f"role {role['name']!r} is not below the bot's highest role")


def message_send(state: State, channel_id: int, with_files: bool) -> None:
    """Require what sending a message in a guild channel or thread needs."""
    channel = state.channel(channel_id)
    needed = (1 << 38) if "thread_metadata" in channel else (1 << 11)
    in_channel(state, channel_id, needed, "send messages")
    if with_files:
        in_channel(state, channel_id, ATTACH_FILES, "attach files")
