"""The in-memory model of Discord: guilds and channels on top of roles, members and users."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .members import MemberStore, role_payload
from .model import (
    ADMINISTRATOR,
    DEFAULT_EVERYONE_PERMISSIONS,
    DM,
    GUILD_CATEGORY,
    THREAD_TYPES,
    DiscordError,
    Json,
    Snowflakes,
    invalid_form,
    now_iso,
)
from .store import Emit, StoredFile

__all__ = ["State", "StoredFile"]

GUILD_CHANNEL_LIMIT = 500
CATEGORY_CHANNEL_LIMIT = 50


class State(MemberStore):
    """The whole fake Discord: guilds, channels, DMs, and everything below them."""

    def __init__(self, ids: Snowflakes, emit: Emit, bot_permissions: int = ADMINISTRATOR) -> None:
        super().__init__(ids, emit, bot_permissions)
        self.application_id = self.bot_user_id
        self.owner_user_id = self.create_user("App Owner")

    def create_guild(self, name: str, owner_id: int) -> int:
        """Create a guild with @everyone, its owner and the bot as members."""
        gid = self.ids.next()
        self.guilds[gid] = {
            "id": str(gid),
            "name": name,
            "owner_id": str(owner_id),
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "features": [],
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-GB",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "vanity_url_code": None,
            "max_members": 500000,
            "premium_progress_bar_enabled": False,
            "application_id": None,
            "emojis": [],
            "stickers": [],
        }
        everyone = role_payload(gid, "@everyone", 0, DEFAULT_EVERYONE_PERMISSIONS)
        self.roles[gid] = {gid: everyone}
        self.members[gid] = {}
        self.events[gid] = {}
        self._join(gid, owner_id, ())
        bot = self.users[self.bot_user_id]
        bot_role = self._new_role(gid, bot["username"], self.bot_permissions, managed=True)
        bot_role["tags"] = {"bot_id": str(self.bot_user_id)}
        self._join(gid, self.bot_user_id, (bot_role["id"],))
        self.emit("GUILD_CREATE", self.guild_create(gid), gid)
        return gid

    def guild_payload(self, guild_id: int) -> Json:
        """Return the REST form of a guild."""
        out = dict(self.guild(guild_id))
        out["roles"] = self.role_list(guild_id)
        out["owner"] = False
        out["permissions"] = str(self.bot_permissions)
        return out

    def guild_create(self, guild_id: int, with_members: bool = True) -> Json:
        """Return the GUILD_CREATE payload with full state."""
        out = self.guild_payload(guild_id)
        del out["owner"], out["permissions"]
        members = self.members[guild_id]
        ids = list(members) if with_members else [self.bot_user_id]
        out["joined_at"] = members[self.bot_user_id]["joined_at"]
        out["large"] = len(members) > 250
        out["unavailable"] = False
        out["member_count"] = len(members)
        out["members"] = [self.member(guild_id, uid) for uid in ids if uid in members]
        guild_channels = [c for c in self.channels.values() if c.get("guild_id") == str(guild_id)]
        out["channels"] = [dict(c) for c in guild_channels if c["type"] not in THREAD_TYPES]
        out["threads"] = [
            dict(c)
            for c in guild_channels
            if c["type"] in THREAD_TYPES and not c["thread_metadata"]["archived"]
        ]
        out["voice_states"] = []
        out["presences"] = []
        out["stage_instances"] = []
        out["guild_scheduled_events"] = list(self.events[guild_id].values())
        out["soundboard_sounds"] = []
        return out

    def create_channel(self, guild_id: int, fields: Json) -> Json:
        """Create a guild channel from REST fields and dispatch CHANNEL_CREATE."""
        self.guild(guild_id)
        ctype = int(fields.get("type") or 0)
        parent = fields.get("parent_id")
        if parent is not None and self.channel(int(parent))["type"] != GUILD_CATEGORY:
            raise DiscordError(400, 50035, "parent_id is not a category", violation=True)
        self._check_room(guild_id, parent, new=True)
        siblings = [c for c in self.channels.values() if c.get("guild_id") == str(guild_id)]
        cid = self.ids.next()
        channel: Json = {
            "id": str(cid),
            "type": ctype,
            "guild_id": str(guild_id),
            "name": fields.get("name") or "channel",
            "position": fields.get("position")
            if fields.get("position") is not None
            else len(siblings),
            "permission_overwrites": _overwrites(fields.get("permission_overwrites") or []),
            "parent_id": str(parent) if parent is not None else None,
            "nsfw": bool(fields.get("nsfw", False)),
            "flags": 0,
        }
        if ctype != GUILD_CATEGORY:
            channel.update(
                topic=fields.get("topic"),
                last_message_id=None,
                rate_limit_per_user=fields.get("rate_limit_per_user") or 0,
            )
        if ctype == 2:
            channel.update(bitrate=fields.get("bitrate") or 64000, user_limit=0, rtc_region=None)
        self.channels[cid] = channel
        self.messages[cid] = {}
        self.emit("CHANNEL_CREATE", dict(channel), guild_id)
        return dict(channel)

    def _check_room(self, guild_id: int, parent: Any, *, new: bool) -> None:
        """Refuse a channel past Discord's limits: 500 per server, 50 per category.

        Threads do not count. Hitting a limit is a condition a bot must handle, not a
        malformed request, so it is not recorded as a violation.
        """
        channels = [
            c
            for c in self.channels.values()
            if c.get("guild_id") == str(guild_id) and c["type"] not in THREAD_TYPES
        ]
        if new and len(channels) >= GUILD_CHANNEL_LIMIT:
            raise DiscordError(
                400, 30013, f"Maximum number of guild channels reached ({GUILD_CHANNEL_LIMIT})"
            )
        if parent is not None:
            inside = sum(1 for c in channels if c.get("parent_id") == str(parent))
            if inside >= CATEGORY_CHANNEL_LIMIT:
                full = invalid_form(
                    "parent_id",
                    f"Maximum number of channels in category reached ({CATEGORY_CHANNEL_LIMIT})",
                    "CHANNEL_PARENT_MAX_CHANNELS",
                )
                full.violation = False
                raise full

    def update_channel(self, channel_id: int, fields: Json) -> Json:
        """Modify a channel or thread and dispatch CHANNEL_UPDATE / THREAD_UPDATE."""
        channel = self.channel(channel_id)
        for key in ("name", "topic", "nsfw", "rate_limit_per_user", "position", "flags"):
            if key in fields and fields[key] is not None:
                channel[key] = fields[key]
        if "parent_id" in fields:
            parent = fields["parent_id"]
            if parent is not None and str(parent) != channel.get("parent_id"):
                self._check_room(int(channel["guild_id"]), parent, new=False)
            channel["parent_id"] = str(parent) if parent is not None else None
        if fields.get("permission_overwrites") is not None:
            channel["permission_overwrites"] = _overwrites(fields["permission_overwrites"])
        if "thread_metadata" in channel:
            meta = channel["thread_metadata"]
            for key in ("archived", "locked", "invitable", "auto_archive_duration"):
                if fields.get(key) is not None:
                    meta[key] = fields[key]
            if fields.get("archived") is not None:
                meta["archive_timestamp"] = now_iso()
        self._emit_channel("UPDATE", channel)
        return dict(channel)

    def delete_channel(self, channel_id: int) -> Json:
        """Delete a channel and dispatch CHANNEL_DELETE / THREAD_DELETE."""
        channel = self.channel(channel_id)
        if channel["type"] == DM:
            raise DiscordError(400, 50003, "Cannot execute action on a DM channel", violation=True)
        del self.channels[channel_id]
        self._emit_channel("DELETE", channel)
        return dict(channel)

    def _emit_channel(self, action: str, channel: Json) -> None:
        gid = self.guild_id_of_payload(channel)
        if channel["type"] in THREAD_TYPES:
            data = dict(channel)
            if action == "DELETE":
                data = {k: channel[k] for k in ("id", "guild_id", "parent_id", "type")}
            self.emit(f"THREAD_{action}", data, gid)
        else:
            self.emit(f"CHANNEL_{action}", dict(channel), gid)

    @staticmethod
    def guild_id_of_payload(channel: Json) -> int | None:
        """Return the guild id of a channel payload, if any."""
        gid = channel.get("guild_id")
        return int(gid) if gid is not None else None

    def set_overwrite(self, channel_id: int, target: int, fields: Json | None) -> None:
        """Put (fields) or delete (None) one permission overwrite."""
        channel = self.channel(channel_id)
        rest = [o for o in channel["permission_overwrites"] if o["id"] != str(target)]
        if fields is not None:
            rest += _overwrites([{**fields, "id": target}])
        channel["permission_overwrites"] = rest
        self._emit_channel("UPDATE", channel)

    def dm_channel(self, user_id: int) -> Json:
        """Return (creating if needed) the DM channel between a user and the bot."""
        self.user(user_id)
        existing = self.dm_channels.get(user_id)
        if existing is not None:
            return dict(self.channels[existing])
        cid = self.ids.next()
        channel: Json = {
            "id": str(cid),
            "type": DM,
            "last_message_id": None,
            "recipients": [self.user(user_id)],
            "flags": 0,
        }
        self.channels[cid] = channel
        self.messages[cid] = {}
        self.dm_channels[user_id] = cid
        self.emit("CHANNEL_CREATE", dict(channel), None)
        return dict(channel)


def _overwrites(raw: Iterable[Any]) -> list[Json]:
    out: list[Json] = []
    for item in raw:
        out.append(
            {
                "id": str(item["id"]),
                "type": int(item.get("type", 0)),
                "allow": str(int(item.get("allow") or 0)),
                "deny": str(int(item.get("deny") or 0)),
            }
        )
    return out
