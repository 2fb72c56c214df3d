"""Build APPLICATION_COMMAND interaction data from the bot's registered commands."""

from __future__ import annotations

from typing import Any

from .model import Json
from .permissions import channel_permissions
from .state import State

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = (
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
)


class CommandError(ValueError):
    """The Discord client would not let a user send this (unknown command, bad option...)."""


def find_command(state: State, guild_id: int | None, name: str, ctype: int = 1) -> Json:
    """Return the registered command a user would pick by name (guild before global)."""
    pools = []
    if guild_id is not None:
        pools.append(state.guild_commands.get(guild_id, {}))
    pools.append(state.global_commands)
    for pool in pools:
        for command in pool.values():
            if command["name"] == name and int(command["type"]) == ctype:
                return command
    known = sorted(c["name"] for pool in pools for c in pool.values())
    raise CommandError(f"no command {name!r} of type {ctype} is registered (known: {known})")


def _choose(options: list[Json], name: str, kinds: tuple[int, ...]) -> Json:
    for opt in options:
        if opt["name"] == name and opt["type"] in kinds:
            return opt
    raise CommandError(f"no subcommand {name!r}")


class _Resolver:
    def __init__(self, state: State, guild_id: int | None, channel_id: int) -> None:
        self.state = state
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.resolved: dict[str, dict[str, Json]] = {}

    def _put(self, kind: str, key: Any, value: Json) -> None:
        self.resolved.setdefault(kind, {})[str(key)] = value

    def user(self, user_id: int) -> None:
        self._put("users", user_id, self.state.user(user_id))
        gid = self.guild_id
        if gid is not None and user_id in self.state.members.get(gid, {}):
            member = self.state.member(gid, user_id, with_user=False)
            perms = channel_permissions(self.state, self.channel_id, user_id)
            member["permissions"] = str(perms)
            self._put("members", user_id, member)

    def role(self, role_id: int) -> None:
        if self.guild_id is None:
            raise CommandError("role options need a guild")
        self._put("roles", role_id, dict(self.state.role(self.guild_id, role_id)))

    def channel(self, channel_id: int) -> Json:
        channel = self.state.channel(channel_id)
        partial: Json = {
            "id": channel["id"],
            "name": channel.get("name"),
            "type": channel["type"],
            "permissions": str(channel_permissions(self.state, channel_id, self.state.bot_user_id)),
        }
        for key in ("parent_id", "thread_metadata", "guild_id"):
            if key in channel:
                partial[key] = channel[key]
        self._put("channels", channel_id, partial)
        return channel

    def attachment(self, attachment: Json) -> None:
        self._put("attachments", attachment["id"], attachment)


def _convert(res: _Resolver, spec: Json, value: Any) -> Any:
    kind = spec["type"]
    name = spec["name"]
    if kind == STRING:
        if not isinstance(value, str):
            raise CommandError(f"option {name!r} needs a string")
        if "min_length" in spec and len(value) < spec["min_length"]:
            raise CommandError(f"option {name!r} is shorter than {spec['min_length']}")
        if len(value) > spec.get("max_length", 6000):
            raise CommandError(f"option {name!r} is longer than {spec.get('max_length', 6000)}")
    elif kind in (INTEGER, NUMBER):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CommandError(f"option {name!r} needs a number")
        if kind == INTEGER and not float(value).is_integer():
            raise CommandError(f"option {name!r} needs an integer")
        value = int(value) if kind == INTEGER else float(value)
        if spec.get("min_value") is not None and value < spec["min_value"]:
            raise CommandError(f"option {name!r} is below {spec['min_value']}")
        if spec.get("max_value") is not None and value > spec["max_value"]:
            raise CommandError(f"option {name!r} is above {spec['max_value']}")
    elif kind == BOOLEAN:
        if not isinstance(value, bool):
            raise CommandError(f"option {name!r} needs a bool")
    elif kind == USER:
        res.user(int(value))
        value = str(int(value))
    elif kind == ROLE:
        res.role(int(value))
        value = str(int(value))
    elif kind == MENTIONABLE:
        if int(value) in res.state.users:
            res.user(int(value))
        else:
            res.role(int(value))
        value = str(int(value))
    elif kind == CHANNEL:
        channel = res.channel(int(value))
        allowed = spec.get("channel_types")
        if allowed and channel["type"] not in allowed:
            raise CommandError(f"option {name!r} does not accept channel type {channel['type']}")
        value = str(int(value))
    elif kind == ATTACHMENT:
        if not isinstance(value, dict):
            raise CommandError(f"option {name!r} needs an attachment from upload_attachment()")
        res.attachment(value)
        value = str(value["id"])
    choices = spec.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise CommandError(f"option {name!r} must be one of {[c['value'] for c in choices]}")
    return value


def _leaf_options(
    res: _Resolver, specs: list[Json], given: dict[str, Any], focused: str | None
) -> list[Json]:
    by_name = {s["name"]: s for s in specs}
    unknown = set(given) - set(by_name)
    if unknown:
        raise CommandError(f"unknown options {sorted(unknown)} (expected {sorted(by_name)})")
    out: list[Json] = []
    for spec in specs:
        name = spec["name"]
        if name not in given:
            if spec.get("required") and focused is None:
                raise CommandError(f"required option {name!r} is missing")
            continue
        if focused is not None:
            # Autocomplete sends what has been typed so far, unvalidated.
            raw = given[name]
            opt: Json = {"name": name, "type": spec["type"], "value": raw}
            if name == focused:
                opt["focused"] = True
            out.append(opt)
            continue
        out.append({"name": name, "type": spec["type"], "value": _convert(res, spec, given[name])})
    return out


def command_data(
    state: State,
    command: Json,
    path: list[str],
    given: dict[str, Any],
    guild_id: int | None,
    channel_id: int,
    focused: str | None = None,
) -> Json:
    """Return interaction `data` for a chat-input command, subcommand path and option values."""
    res = _Resolver(state, guild_id, channel_id)
    specs: list[Json] = list(command.get("options") or [])
    wrappers: list[Json] = []
    for part in path:
        kinds = (SUB_COMMAND_GROUP, SUB_COMMAND) if not wrappers else (SUB_COMMAND,)
        chosen = _choose(specs, part, kinds)
        wrappers.append({"name": chosen["name"], "type": chosen["type"]})
        specs = list(chosen.get("options") or [])
    if any(s["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for s in specs):
        raise CommandError(f"command {command['name']!r} needs a subcommand")
    options = _leaf_options(res, specs, given, focused)
    for wrapper in reversed(wrappers):
        wrapper["options"] = options
        options = [wrapper]
    data: Json = {"id": command["id"], "name": command["name"], "type": 1, "options": options}
    if "guild_id" in command:
        data["guild_id"] = command["guild_id"]
    if res.resolved:
        data["resolved"] = res.resolved
    return data


def context_data(
    state: State,
    command: Json,
    guild_id: int | None,
    channel_id: int,
    target_message: Json | None,
    target_user_id: int | None,
) -> Json:
    """Return interaction `data` for a message or user context-menu command."""
    data: Json = {"id": command["id"], "name": command["name"], "type": command["type"]}
    if "guild_id" in command:
        data["guild_id"] = command["guild_id"]
    if target_message is not None:
        data["target_id"] = target_message["id"]
        data["resolved"] = {"messages": {target_message["id"]: dict(target_message)}}
    elif target_user_id is not None:
        res = _Resolver(state, guild_id, channel_id)
        res.user(target_user_id)
        data["target_id"] = str(target_user_id)
        data["resolved"] = res.resolved
    return data
