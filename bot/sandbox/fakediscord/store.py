"""The storage every part of the fake shares: users, guild lookups and the raw tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .model import ADMINISTRATOR, Json, Snowflakes, not_found

# (event name, data, guild id or None) -> None; wired to the gateway by the server.
Emit = Callable[[str, Json, "int | None"], None]


@dataclass
class StoredFile:
    """An uploaded attachment's bytes, served back at its (expiring) url."""

    id: int
    filename: str
    content_type: str
    data: bytes


class Store:
    """Hold every Discord object the fake knows, in Discord's payload form."""

    def __init__(self, ids: Snowflakes, emit: Emit, bot_permissions: int = ADMINISTRATOR) -> None:
        self.ids = ids
        self.emit = emit
        self.bot_permissions = bot_permissions
        self.users: dict[int, Json] = {}
        self.guilds: dict[int, Json] = {}
        self.roles: dict[int, dict[int, Json]] = {}
        self.members: dict[int, dict[int, Json]] = {}
        self.channels: dict[int, Json] = {}
        self.thread_members: dict[int, dict[int, str]] = {}
        self.messages: dict[int, dict[int, Json]] = {}
        self.loose_messages: dict[int, Json] = {}
        self.pins: dict[int, dict[int, str]] = {}
        self.files: dict[int, StoredFile] = {}
        self.events: dict[int, dict[int, Json]] = {}
        self.global_commands: dict[int, Json] = {}
        self.guild_commands: dict[int, dict[int, Json]] = {}
        self.dm_channels: dict[int, int] = {}
        self.dms_closed: set[int] = set()
        # (channel, author, nonce) -> (message id, monotonic time) for enforce_nonce.
        self.nonces: dict[tuple[int, int, str], tuple[int, float]] = {}
        # message id -> the user ids Discord would notify (mentions allowed and able to ping).
        self.notified: dict[int, set[int]] = {}
        # Signed attachment links stop working this many seconds after they were handed out.
        self.attachment_ttl = 24 * 3600.0
        self.file_issued: dict[int, float] = {}
        self.bot_user_id = self.create_user("Participation Bot", bot=True)

    def all_messages(self) -> list[Json]:
        """Return every message in every channel, thread and DM (for audits in tests)."""
        return [m for channel in self.messages.values() for m in channel.values()]

    # ---- users -------------------------------------------------------------------------
    def create_user(self, username: str, global_name: str | None = None, bot: bool = False) -> int:
        """Create a user and return its id."""
        uid = self.ids.next()
        name = "".join(c for c in username.lower() if c.isalnum() or c in "._") or f"user{uid}"
        self.users[uid] = {
            "id": str(uid),
            "username": name,
            "global_name": global_name if global_name is not None else username,
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }
        return uid

    def user(self, user_id: int) -> Json:
        """Return a user payload."""
        try:
            return dict(self.users[user_id])
        except KeyError:
            raise not_found("User", 10013) from None

    # ---- guilds ------------------------------------------------------------------------
    def guild(self, guild_id: int) -> Json:
        """Return the stored guild (raise Unknown Guild)."""
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise not_found("Guild", 10004) from None

    def channel(self, channel_id: int) -> Json:
        """Return the stored channel (raise Unknown Channel)."""
        try:
            return self.channels[channel_id]
        except KeyError:
            raise not_found("Channel", 10003) from None

    def guild_id_of(self, channel_id: int) -> int | None:
        """Return the guild a channel belongs to, or None for DMs."""
        gid = self.channel(channel_id).get("guild_id")
        return int(gid) if gid is not None else None
