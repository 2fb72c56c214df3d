"""The in-memory model of Discord: users, guilds, roles, members and channels."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .model import (
    ADMINISTRATOR,
    DEFAULT_EVERYONE_PERMISSIONS,
    DM,
    GUILD_CATEGORY,
    THREAD_TYPES,
    DiscordError,
    Json,
    Snowflakes,
    not_found,
    now_iso,
)

# (event name, data, guild id or None) -> None; wired to the gateway by the server.
Emit = Callable[[str, Json, "int | None"], None]


@dataclass
class StoredFile:
    """An uploaded attachment's bytes, served back at its url."""

    id: int
    filename: str
    content_type: str
    data: bytes


class State:
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
        self.bot_user_id = self.create_user("Participation Bot", bot=True)
        self.application_id = self.bot_user_id
        self.owner_user_id = self.create_user("App Owner")

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
        everyone = _role_payload(gid, "@everyone", 0, DEFAULT_EVERYONE_PERMISSIONS)
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

    # ---- roles -------------------------------------------------------------------------
    def role_list(self, guild_id: int) -> list[Json]:
        """Return the guild's roles sorted by position."""
        self.guild(guild_id)
        return sorted((dict(r) for r in self.roles[guild_id].values()), key=_role_sort_key)

    def role(self, guild_id: int, role_id: int) -> Json:
        """Return the stored role (raise Unknown Role)."""
        self.guild(guild_id)
        try:
            return self.roles[guild_id][role_id]
        except KeyError:
            raise not_found("Role", 10011) from None

    def _new_role(self, guild_id: int, name: str, permissions: int, managed: bool = False) -> Json:
        # Discord puts a new role just above @everyone and moves the others up.
        for other in self.roles[guild_id].values():
            if other["position"] >= 1:
                other["position"] += 1
        role = _role_payload(self.ids.next(), name, 1, permissions, managed)
        self.roles[guild_id][int(role["id"])] = role
        return role

    def create_role(self, guild_id: int, fields: Json) -> Json:
        """Create a role from REST fields and dispatch GUILD_ROLE_CREATE."""
        self.guild(guild_id)
        perms = fields.get("permissions")
        role = self._new_role(
            guild_id,
            fields.get("name") or "new role",
            int(perms) if perms is not None else DEFAULT_EVERYONE_PERMISSIONS,
        )
        self._apply_role_fields(role, fields)
        self.emit("GUILD_ROLE_CREATE", {"guild_id": str(guild_id), "role": dict(role)}, guild_id)
        return dict(role)

    def update_role(self, guild_id: int, role_id: int, fields: Json) -> Json:
        """Modify a role and dispatch GUILD_ROLE_UPDATE."""
        role = self.role(guild_id, role_id)
        self._apply_role_fields(role, fields)
        if "position" in fields and fields["position"] is not None:
            role["position"] = int(fields["position"])
        self.emit("GUILD_ROLE_UPDATE", {"guild_id": str(guild_id), "role": dict(role)}, guild_id)
        return dict(role)

    def delete_role(self, guild_id: int, role_id: int) -> None:
        """Delete a role, strip it from members and dispatch GUILD_ROLE_DELETE."""
        self.role(guild_id, role_id)
        if role_id == guild_id:
            raise DiscordError(400, 50028, "Invalid Role", violation=True)
        del self.roles[guild_id][role_id]
        for member in self.members[guild_id].values():
            if str(role_id) in member["roles"]:
                member["roles"].remove(str(role_id))
        payload = {"guild_id": str(guild_id), "role_id": str(role_id)}
        self.emit("GUILD_ROLE_DELETE", payload, guild_id)

    @staticmethod
    def _apply_role_fields(role: Json, fields: Json) -> None:
        for key in ("name", "hoist", "mentionable", "unicode_emoji"):
            if fields.get(key) is not None:
                role[key] = fields[key]
        if fields.get("permissions") is not None:
            role["permissions"] = str(int(fields["permissions"]))
        color = fields.get("color")
        if color is None and isinstance(fields.get("colors"), dict):
            color = fields["colors"].get("primary_color")
        if color is not None:
            role["color"] = int(color)
            role["colors"] = {
                "primary_color": int(color),
                "secondary_color": None,
                "tertiary_color": None,
            }

    # ---- members -----------------------------------------------------------------------
    def _join(self, guild_id: int, user_id: int, role_ids: Iterable[int | str]) -> Json:
        self.user(user_id)
        member: Json = {
            "roles": [str(r) for r in role_ids],
            "nick": None,
            "avatar": None,
            "banner": None,
            "joined_at": now_iso(),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        self.members[guild_id][user_id] = member
        return member

    def stored_member(self, guild_id: int, user_id: int) -> Json:
        """Return the stored member (raise Unknown Member)."""
        self.guild(guild_id)
        try:
            return self.members[guild_id][user_id]
        except KeyError:
            raise not_found("Member", 10007) from None

    def member(self, guild_id: int, user_id: int, with_user: bool = True) -> Json:
        """Return a member payload."""
        out = dict(self.stored_member(guild_id, user_id))
        out["roles"] = list(out["roles"])
        if with_user:
            out["user"] = self.user(user_id)
        return out

    def add_member(self, guild_id: int, user_id: int, role_ids: Iterable[int] = ()) -> Json:
        """Add a user to a guild and dispatch GUILD_MEMBER_ADD."""
        self.guild(guild_id)
        for role_id in role_ids:
            self.role(guild_id, role_id)
        self._join(guild_id, user_id, role_ids)
        payload = self.member(guild_id, user_id)
        self.emit("GUILD_MEMBER_ADD", {**payload, "guild_id": str(guild_id)}, guild_id)
        return payload

    def remove_member(self, guild_id: int, user_id: int) -> None:
        """Remove a member and dispatch GUILD_MEMBER_REMOVE."""
        self.stored_member(guild_id, user_id)
        del self.members[guild_id][user_id]
        payload = {"guild_id": str(guild_id), "user": self.user(user_id)}
        self.emit("GUILD_MEMBER_REMOVE", payload, guild_id)

    def update_member(self, guild_id: int, user_id: int, fields: Json) -> Json:
        """Modify a member's roles or nick and dispatch GUILD_MEMBER_UPDATE."""
        member = self.stored_member(guild_id, user_id)
        if "roles" in fields and fields["roles"] is not None:
            for role_id in fields["roles"]:
                self.role(guild_id, int(role_id))
            member["roles"] = [str(r) for r in fields["roles"] if int(r) != guild_id]
        if "nick" in fields:
            member["nick"] = fields["nick"] or None
        if "communication_disabled_until" in fields:
            member["communication_disabled_until"] = fields["communication_disabled_until"]
        payload = self.member(guild_id, user_id)
        self.emit("GUILD_MEMBER_UPDATE", {**payload, "guild_id": str(guild_id)}, guild_id)
        return payload

    def set_member_role(self, guild_id: int, user_id: int, role_id: int, present: bool) -> None:
        """Add or remove one role on a member (a no-op if already so)."""
        member = self.stored_member(guild_id, user_id)
        self.role(guild_id, role_id)
        roles = [r for r in member["roles"] if r != str(role_id)]
        if present:
            roles.append(str(role_id))
        self.update_member(guild_id, user_id, {"roles": roles})

    # ---- channels ----------------------------------------------------------------------
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

    def create_channel(self, guild_id: int, fields: Json) -> Json:
        """Create a guild channel from REST fields and dispatch CHANNEL_CREATE."""
        self.guild(guild_id)
        ctype = int(fields.get("type") or 0)
        parent = fields.get("parent_id")
        if parent is not None and self.channel(int(parent))["type"] != GUILD_CATEGORY:
            raise DiscordError(400, 50035, "parent_id is not a category", violation=True)
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

    def update_channel(self, channel_id: int, fields: Json) -> Json:
        """Modify a channel or thread and dispatch CHANNEL_UPDATE / THREAD_UPDATE."""
        channel = self.channel(channel_id)
        for key in ("name", "topic", "nsfw", "rate_limit_per_user", "position", "flags"):
            if key in fields and fields[key] is not None:
                channel[key] = fields[key]
        if "parent_id" in fields:
            parent = fields["parent_id"]
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


def _role_payload(
    role_id: int, name: str, position: int, permissions: int, managed: bool = False
) -> Json:
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": managed,
        "mentionable": False,
        "flags": 0,
    }


def _role_sort_key(role: Json) -> tuple[int, int]:
    return (int(role["position"]), int(role["id"]))


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
