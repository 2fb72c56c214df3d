"""Shared building blocks: JSON alias, snowflakes, timestamps, errors and Discord constants."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from typing import Any, TypeVar

Json = dict[str, Any]
T = TypeVar("T")

DISCORD_EPOCH_MS = 1420070400000

# Permission bits used by the fake (https://discord.com/developers/docs/topics/permissions).
KICK_MEMBERS = 1 << 1
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
ATTACH_FILES = 1 << 15
MENTION_EVERYONE = 1 << 17
MANAGE_NICKNAMES = 1 << 27
MANAGE_ROLES = 1 << 28
MANAGE_EVENTS = 1 << 33
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
CREATE_EVENTS = 1 << 44
PIN_MESSAGES = 1 << 51
ALL_PERMISSIONS = (1 << 53) - 1
# What @everyone gets in a new guild: invite, react, view, send, embed, attach, history,
# external emoji, connect, speak, nickname, app commands, threads (not manage threads).
DEFAULT_EVERYONE_PERMISSIONS = sum(
    1 << bit for bit in (0, 6, 9, 10, 11, 14, 15, 16, 18, 20, 21, 25, 26, 31, 35, 36, 37, 38)
)

# Gateway intents.
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
INTENT_GUILD_SCHEDULED_EVENTS = 1 << 16

# Channel types.
GUILD_TEXT = 0
DM = 1
GUILD_VOICE = 2
GUILD_CATEGORY = 4
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
THREAD_TYPES = (10, PUBLIC_THREAD, PRIVATE_THREAD)

EPHEMERAL = 1 << 6
LOADING = 1 << 7


class DiscordError(Exception):
    """A REST failure answered in Discord's error shape."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: Json | None = None,
        *,
        violation: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        # A violation is something real Discord would reject that a correct bot never sends.
        self.violation = violation

    def body(self) -> Json:
        """Render the error as Discord's JSON body."""
        out: Json = {"message": self.message, "code": self.code}
        if self.errors is not None:
            out["errors"] = self.errors
        return out


def invalid_form(field: str, message: str, code: str = "BASE_TYPE_INVALID") -> DiscordError:
    """Build Discord's 50035 Invalid Form Body error for one field."""
    node: Json = {"_errors": [{"code": code, "message": message}]}
    for part in reversed(field.split(".")):
        node = {part: node}
    return DiscordError(400, 50035, "Invalid Form Body", node, violation=True)


def not_found(what: str, code: int) -> DiscordError:
    """Build Discord's 404 error for an unknown entity."""
    return DiscordError(404, code, f"Unknown {what}")


def stored(table: Mapping[int, Mapping[int, T]], outer: int, key: int, what: str, code: int) -> T:
    """Return `table[outer][key]`, or raise Discord's 404 "Unknown {what}" with its code."""
    try:
        return table[outer][key]
    except KeyError:
        raise not_found(what, code) from None


class Snowflakes:
    """Hand out realistic, strictly increasing snowflake ids."""

    def __init__(self) -> None:
        self._last = 0
        self._increment = 0

    def next(self) -> int:
        """Return a new snowflake based on the current time."""
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        self._increment = (self._increment + 1) & 0xFFF
        candidate = (ms << 22) | (1 << 17) | self._increment
        # Several ids in one millisecond (or a clock step back) must still increase.
        self._last = max(candidate, self._last + 1)
        return self._last


def now_iso() -> str:
    """Return the current UTC time in Discord's ISO 8601 form."""
    return dt.datetime.now(dt.UTC).isoformat()


def snowflake_time_iso(snowflake: int) -> str:
    """Return the creation time encoded in a snowflake as ISO 8601."""
    ms = (snowflake >> 22) + DISCORD_EPOCH_MS
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat()


def sid(value: int | None) -> str | None:
    """Render an id as Discord does (a string), keeping None."""
    return None if value is None else str(value)
