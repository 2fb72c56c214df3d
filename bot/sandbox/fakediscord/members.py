"""Roles and guild members."""

from __future__ import annotations

from collections.abc import Iterable

from .model import DEFAULT_EVERYONE_PERMISSIONS, DiscordError, Json, now_iso, stored
from .store import Store


class MemberStore(Store):
    """Roles and members, dispatching the matching gateway events."""

    def role_list(self, guild_id: int) -> list[Json]:
        """Return the guild's roles sorted by position."""
        self.guild(guild_id)
        return sorted((dict(r) for r in self.roles[guild_id].values()), key=_role_sort_key)

    def role(self, guild_id: int, role_id: int) -> Json:
        """Return the stored role (raise Unknown Role)."""
        self.guild(guild_id)
        return stored(self.roles, guild_id, role_id, "Role", 10011)

    def _new_role(self, guild_id: int, name: str, permissions: int, managed: bool = False) -> Json:
        # Discord puts a new role just above @everyone and moves the others up.
        for other in self.roles[guild_id].values():
            if other["position"] >= 1:
                other["position"] += 1
        role = role_payload(self.ids.next(), name, 1, permissions, managed)
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
        return stored(self.members, guild_id, user_id, "Member", 10007)

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


def role_payload(
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
