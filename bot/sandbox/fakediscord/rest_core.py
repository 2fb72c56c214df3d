"""REST routes for the bot itself: users, the application, its commands and the gateway."""

from __future__ import annotations

from collections.abc import Callable

from .model import DiscordError, Json, invalid_form, not_found
from .router import Call, Reply, Router
from .state import State


def application(state: State) -> Json:
    """Return the application object for oauth2/applications/@me."""
    bot = state.user(state.bot_user_id)
    return {
        "id": str(state.application_id),
        "name": bot["global_name"] or bot["username"],
        "description": "",
        "icon": None,
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "bot": bot,
        "owner": state.user(state.owner_user_id),
        "team": None,
        "verify_key": "0" * 64,
        "flags": 0,
        "summary": "",
        "type": None,
        "interactions_endpoint_url": None,
        "redirect_uris": [],
        "tags": [],
        "approximate_guild_count": len(state.guilds),
        "integration_types_config": {"0": {}},
    }


def _normalise_command(
    state: State, body: Json, guild_id: int | None, existing: Json | None
) -> Json:
    ctype = int(body.get("type") or 1)
    name = body.get("name")
    if not name:
        raise invalid_form("name", "This field is required", "BASE_TYPE_REQUIRED")
    if ctype == 1 and not body.get("description"):
        raise invalid_form("description", "This field is required", "BASE_TYPE_REQUIRED")
    command: Json = {
        "id": existing["id"] if existing else str(state.ids.next()),
        "application_id": str(state.application_id),
        "version": str(state.ids.next()),
        "type": ctype,
        "name": name,
        "name_localizations": body.get("name_localizations"),
        "description": body.get("description") or "",
        "description_localizations": body.get("description_localizations"),
        "default_member_permissions": body.get("default_member_permissions"),
        "dm_permission": body.get("dm_permission", True),
        "nsfw": bool(body.get("nsfw", False)),
        "integration_types": body.get("integration_types") or [0],
        "contexts": body.get("contexts"),
        "options": list(body.get("options") or []),
    }
    if guild_id is not None:
        command["guild_id"] = str(guild_id)
    _check_options(command["options"], "options")
    return command


def _check_options(options: list[Json], where: str) -> None:
    seen: set[str] = set()
    optional_seen = False
    for i, opt in enumerate(options):
        if opt.get("name") in seen:
            raise invalid_form(f"{where}.{i}.name", "Option names must be unique", "DUPLICATE")
        seen.add(str(opt.get("name")))
        if opt.get("type") in (1, 2):
            _check_options(list(opt.get("options") or []), f"{where}.{i}.options")
            continue
        if opt.get("required"):
            if optional_seen:
                raise invalid_form(
                    f"{where}.{i}.required",
                    "Required options must be placed before non-required options",
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                )
        else:
            optional_seen = True


def _overwrite(
    state: State, current: dict[int, Json], bodies: list[Json], guild_id: int | None
) -> list[Json]:
    names: set[tuple[int, str]] = set()
    by_key = {(int(c["type"]), c["name"]): c for c in current.values()}
    fresh: dict[int, Json] = {}
    for i, body in enumerate(bodies):
        key = (int(body.get("type") or 1), str(body.get("name")))
        if key in names:
            raise invalid_form(f"{i}.name", "Application command names must be unique", "DUPLICATE")
        names.add(key)
        # Discord keeps a command's id when a bulk overwrite re-sends the same name and type.
        command = _normalise_command(state, body, guild_id, by_key.get(key))
        fresh[int(command["id"])] = command
    current.clear()
    current.update(fresh)
    return list(fresh.values())


def register(router: Router) -> None:
    """Add users, application, command and gateway routes."""

    @router.route("GET", "/users/@me")
    async def me(call: Call) -> Reply:
        state = call.env.state
        return 200, {**state.user(state.bot_user_id), "verified": True, "mfa_enabled": False}

    @router.route("GET", "/users/{user_id}")
    async def user(call: Call) -> Reply:
        return 200, call.env.state.user(call.id("user_id"))

    @router.route("GET", "/oauth2/applications/@me")
    async def app_info(call: Call) -> Reply:
        return 200, application(call.env.state)

    @router.route("GET", "/applications/@me")
    async def app_me(call: Call) -> Reply:
        return 200, application(call.env.state)

    @router.route("GET", "/gateway")
    async def gateway(call: Call) -> Reply:
        return 200, {"url": call.env.gateway_url}

    @router.route("GET", "/gateway/bot")
    async def gateway_bot(call: Call) -> Reply:
        # discord.py's AutoShardedClient asks this when it is not given a shard count.
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        shards = call.env.shard_count
        return 200, {"url": call.env.gateway_url, "shards": shards, "session_start_limit": limit}

    @router.route("GET", "/users/@me/guilds")
    async def my_guilds(call: Call) -> Reply:
        state = call.env.state
        out = []
        for gid, members in state.members.items():
            if state.bot_user_id in members:
                g = state.guild(gid)
                out.append(
                    {
                        "id": g["id"],
                        "name": g["name"],
                        "icon": None,
                        "owner": False,
                        "permissions": str(state.bot_permissions),
                        "features": [],
                    }
                )
        return 200, out

    def commands_for(call: Call) -> tuple[dict[int, Json], int | None]:
        state = call.env.state
        if call.id("application_id") != state.application_id:
            raise DiscordError(403, 50001, "Missing Access", violation=True)
        if "guild_id" not in call.params:
            return state.global_commands, None
        gid = call.id("guild_id")
        state.guild(gid)
        return state.guild_commands.setdefault(gid, {}), gid

    for base in (
        "/applications/{application_id}",
        "/applications/{application_id}/guilds/{guild_id}",
    ):
        _command_routes(router, base + "/commands", commands_for)


def _command_routes(
    router: Router,
    base: str,
    commands_for: Callable[[Call], tuple[dict[int, Json], int | None]],
) -> None:
    @router.route("GET", base)
    async def list_commands(call: Call) -> Reply:
        return 200, list(commands_for(call)[0].values())

    @router.route("PUT", base)
    async def bulk(call: Call) -> Reply:
        current, gid = commands_for(call)
        if not isinstance(call.body, list):
            raise invalid_form("_root", "Must be an array", "LIST_TYPE_CONVERT")
        if len(call.body) > 100:
            raise invalid_form("_root", "Must be 100 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
        return 200, _overwrite(call.env.state, current, call.body, gid)

    @router.route("POST", base)
    async def create(call: Call) -> Reply:
        current, gid = commands_for(call)
        body = call.json()
        key = (int(body.get("type") or 1), body.get("name"))
        existing = next((c for c in current.values() if (c["type"], c["name"]) == key), None)
        command = _normalise_command(call.env.state, body, gid, existing)
        current[int(command["id"])] = command
        return (200 if existing else 201), command

    def one(call: Call) -> tuple[dict[int, Json], Json]:
        current, _ = commands_for(call)
        try:
            return current, current[call.id("command_id")]
        except KeyError:
            raise not_found("application command", 10063) from None

    @router.route("GET", base + "/{command_id}")
    async def get_command(call: Call) -> Reply:
        return 200, one(call)[1]

    @router.route("PATCH", base + "/{command_id}")
    async def edit_command(call: Call) -> Reply:
        current, command = one(call)
        merged = {**command, **call.json()}
        gid = int(command["guild_id"]) if "guild_id" in command else None
        updated = _normalise_command(call.env.state, merged, gid, command)
        current[int(updated["id"])] = updated
        return 200, updated

    @router.route("DELETE", base + "/{command_id}")
    async def delete_command(call: Call) -> Reply:
        current, command = one(call)
        del current[int(command["id"])]
        return 204, None
