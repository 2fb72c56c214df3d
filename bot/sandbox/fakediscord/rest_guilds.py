"""REST routes under /guilds: the guild, roles, channels, members and scheduled events."""

from __future__ import annotations

from . import events, guards
from .model import (
    CREATE_EVENTS,
    KICK_MEMBERS,
    MANAGE_CHANNELS,
    MANAGE_EVENTS,
    MANAGE_NICKNAMES,
    MANAGE_ROLES,
    Json,
    invalid_form,
)
from .router import Call, Reply, Router


def register(router: Router) -> None:
    """Add the guild routes."""

    @router.route("GET", "/guilds/{guild_id}")
    async def get_guild(call: Call) -> Reply:
        state = call.env.state
        out = state.guild_payload(call.id("guild_id"))
        if call.query.get("with_counts") in ("1", "true"):
            out["approximate_member_count"] = len(state.members[call.id("guild_id")])
            out["approximate_presence_count"] = 0
        return 200, out

    # ---- roles ---------------------------------------------------------------------------
    @router.route("GET", "/guilds/{guild_id}/roles")
    async def roles(call: Call) -> Reply:
        return 200, call.env.state.role_list(call.id("guild_id"))

    @router.route("GET", "/guilds/{guild_id}/roles/{role_id}")
    async def role(call: Call) -> Reply:
        return 200, dict(call.env.state.role(call.id("guild_id"), call.id("role_id")))

    @router.route("POST", "/guilds/{guild_id}/roles")
    async def create_role(call: Call) -> Reply:
        state = call.env.state
        gid = call.id("guild_id")
        guards.in_guild(state, gid, MANAGE_ROLES, "manage roles")
        if len(state.roles.get(gid, {})) >= 250:
            raise invalid_form("_root", "Maximum number of guild roles reached (250)")
        return 200, state.create_role(gid, call.json())

    @router.route("PATCH", "/guilds/{guild_id}/roles/{role_id}")
    async def modify_role(call: Call) -> Reply:
        state, gid, rid = call.env.state, call.id("guild_id"), call.id("role_id")
        guards.in_guild(state, gid, MANAGE_ROLES, "manage roles")
        if rid != gid:
            guards.below_bot(state, gid, rid)
        return 200, state.update_role(gid, rid, call.json())

    @router.route("PATCH", "/guilds/{guild_id}/roles")
    async def role_positions(call: Call) -> Reply:
        state = call.env.state
        gid = call.id("guild_id")
        for item in call.body or []:
            state.update_role(gid, int(item["id"]), {"position": item.get("position")})
        return 200, state.role_list(gid)

    @router.route("DELETE", "/guilds/{guild_id}/roles/{role_id}")
    async def delete_role(call: Call) -> Reply:
        state, gid, rid = call.env.state, call.id("guild_id"), call.id("role_id")
        guards.in_guild(state, gid, MANAGE_ROLES, "manage roles")
        guards.below_bot(state, gid, rid)
        state.delete_role(gid, rid)
        return 204, None

    # ---- channels ------------------------------------------------------------------------
    @router.route("GET", "/guilds/{guild_id}/channels")
    async def channels(call: Call) -> Reply:
        state = call.env.state
        gid = str(call.id("guild_id"))
        state.guild(int(gid))
        found = [
            dict(c)
            for c in state.channels.values()
            if c.get("guild_id") == gid and "thread_metadata" not in c
        ]
        return 200, found

    @router.route("POST", "/guilds/{guild_id}/channels")
    async def create_channel(call: Call) -> Reply:
        state, gid = call.env.state, call.id("guild_id")
        guards.in_guild(state, gid, MANAGE_CHANNELS, "manage channels")
        if call.json().get("permission_overwrites"):
            guards.in_guild(state, gid, MANAGE_ROLES, "manage roles (overwrites)")
        return 201, state.create_channel(gid, call.json())

    @router.route("PATCH", "/guilds/{guild_id}/channels")
    async def channel_positions(call: Call) -> Reply:
        state = call.env.state
        for item in call.body or []:
            fields: Json = {"position": item.get("position")}
            if "parent_id" in item:
                fields["parent_id"] = item["parent_id"]
            state.update_channel(int(item["id"]), fields)
        return 204, None

    @router.route("GET", "/guilds/{guild_id}/threads/active")
    async def active_threads(call: Call) -> Reply:
        state = call.env.state
        gid = str(call.id("guild_id"))
        threads = [
            dict(c)
            for c in state.channels.values()
            if c.get("guild_id") == gid
            and "thread_metadata" in c
            and not c["thread_metadata"]["archived"]
        ]
        return 200, {"threads": threads, "members": []}

    # ---- members -------------------------------------------------------------------------
    @router.route("GET", "/guilds/{guild_id}/members/{user_id}")
    async def member(call: Call) -> Reply:
        return 200, call.env.state.member(call.id("guild_id"), call.id("user_id"))

    @router.route("GET", "/guilds/{guild_id}/members")
    async def members(call: Call) -> Reply:
        state = call.env.state
        gid = call.id("guild_id")
        state.guild(gid)
        limit = int(call.query.get("limit", "1"))
        if not 1 <= limit <= 1000:
            raise invalid_form("limit", "Value must be between 1 and 1000.", "NUMBER_TYPE_MAX")
        after = int(call.query.get("after", "0"))
        ids = sorted(uid for uid in state.members[gid] if uid > after)[:limit]
        return 200, [state.member(gid, uid) for uid in ids]

    @router.route("PATCH", "/guilds/{guild_id}/members/{user_id}")
    async def modify_member(call: Call) -> Reply:
        state, gid, uid = call.env.state, call.id("guild_id"), call.id("user_id")
        body = call.json()
        if body.get("roles") is not None:
            guards.in_guild(state, gid, MANAGE_ROLES, "manage roles")
            current = set(state.stored_member(gid, uid)["roles"])
            for role_id in current.symmetric_difference(str(r) for r in body["roles"]):
                guards.below_bot(state, gid, int(role_id))
        if "nick" in body:
            guards.in_guild(state, gid, MANAGE_NICKNAMES, "manage nicknames")
        return 200, state.update_member(gid, uid, body)

    @router.route("PATCH", "/guilds/{guild_id}/members/@me")
    async def modify_me(call: Call) -> Reply:
        state = call.env.state
        fields = {"nick": call.json().get("nick")}
        return 200, state.update_member(call.id("guild_id"), state.bot_user_id, fields)

    async def member_role(call: Call) -> Reply:
        # PUT gives the role and DELETE takes it: both need manage roles and a role below the bot's.
        state, gid, role_id = call.env.state, call.id("guild_id"), call.id("role_id")
        guards.in_guild(state, gid, MANAGE_ROLES, "manage roles")
        guards.below_bot(state, gid, role_id)
        state.set_member_role(gid, call.id("user_id"), role_id, call.method == "PUT")
        return 204, None

    for method in ("PUT", "DELETE"):
        router.add(method, "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", member_role)

    @router.route("DELETE", "/guilds/{guild_id}/members/{user_id}")
    async def kick(call: Call) -> Reply:
        guards.in_guild(call.env.state, call.id("guild_id"), KICK_MEMBERS, "kick members")
        call.env.state.remove_member(call.id("guild_id"), call.id("user_id"))
        return 204, None

    # ---- scheduled events ----------------------------------------------------------------
    @router.route("GET", "/guilds/{guild_id}/scheduled-events")
    async def list_events(call: Call) -> Reply:
        state = call.env.state
        gid = call.id("guild_id")
        state.guild(gid)
        return 200, [dict(e) for e in state.events[gid].values()]

    @router.route("POST", "/guilds/{guild_id}/scheduled-events")
    async def create_event(call: Call) -> Reply:
        state = call.env.state
        perm = CREATE_EVENTS | MANAGE_EVENTS
        guards.in_guild(state, call.id("guild_id"), perm, "create events")
        return 200, events.create_event(state, call.id("guild_id"), call.json(), state.bot_user_id)

    base = "/guilds/{guild_id}/scheduled-events/{event_id}"

    @router.route("GET", base)
    async def get_event(call: Call) -> Reply:
        return 200, dict(events.get_event(call.env.state, call.id("guild_id"), call.id("event_id")))

    @router.route("PATCH", base)
    async def modify_event(call: Call) -> Reply:
        state = call.env.state
        guards.in_guild(state, call.id("guild_id"), MANAGE_EVENTS, "manage events")
        return 200, events.update_event(
            state, call.id("guild_id"), call.id("event_id"), call.json()
        )

    @router.route("DELETE", base)
    async def delete_event(call: Call) -> Reply:
        guards.in_guild(call.env.state, call.id("guild_id"), MANAGE_EVENTS, "manage events")
        events.delete_event(call.env.state, call.id("guild_id"), call.id("event_id"))
        return 204, None
