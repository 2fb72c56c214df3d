"""FakeDiscord: the aiohttp server tying state, REST, gateway and the user API together."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from aiohttp import web

from . import callbacks, rest_channels, rest_core, rest_guilds
from .events import get_event
from .faults import FaultPlan
from .gateway import GatewayHub, shard_of
from .interaction import InteractionRegistry
from .messaging import find_message, pinned
from .model import ADMINISTRATOR, DM, Json, Snowflakes
from .openapi import load_spec
from .permissions import visible_to
from .ratelimits import RateLimits
from .router import Env, Router, json_response, serve
from .state import State
from .transcript import transcript
from .users import UserActions

API_PREFIX = "/api/v10"
T = TypeVar("T")


class FakeDiscord(UserActions):
    """A local Discord (REST + gateway) that the unmodified discord.py client talks to."""

    def __init__(
        self,
        openapi_spec: Path | None = None,
        *,
        interaction_timeout: float = 3.0,
        bot_permissions: int = ADMINISTRATOR,
        bot_name: str = "Participation Bot",
        reaction_time: float = 0.05,
        shard_count: int = 1,
    ) -> None:
        self.violations: list[str] = []
        self.reaction_time = reaction_time
        # Seconds each REST reply takes to come back, as across the internet (benchmarks set
        # it; 0 here): what a bot waiting on one request at a time pays for every request.
        self.rest_latency = 0.0
        self.last_reply_at = 0.0
        self.inflight = 0
        self.ids = Snowflakes()
        self._changed = asyncio.Event()
        self.state = State(self.ids, self._emit, bot_permissions)
        self.state.users[self.state.bot_user_id]["global_name"] = bot_name
        self.registry = InteractionRegistry(self.violations, interaction_timeout)
        self.env = Env(
            self.state, self.registry, violations=self.violations, shard_count=shard_count
        )
        self.hub = GatewayHub(self.state, lambda: self.gateway_url, shard_count)
        self.spec = load_spec(openapi_spec) if openapi_spec is not None else None
        self.router = Router()
        for module in (rest_core, rest_guilds, rest_channels, callbacks):
            module.register(self.router)
        self.requests: list[str] = []
        self._runner: web.AppRunner | None = None
        self._port = 0

    # ---- lifecycle -----------------------------------------------------------------------
    async def start(self, port: int = 0) -> None:
        """Bind the server on 127.0.0.1 (a free port unless one is given)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        app.router.add_get("/gateway", self.hub.handle)
        app.router.add_get("/gateway/", self.hub.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._file)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", port))
        self._port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock)
        await site.start()
        self.env.http_base = f"http://127.0.0.1:{self._port}"
        self.env.gateway_url = self.gateway_url

    async def stop(self) -> None:
        """Close gateway connections and the server."""
        self.registry.close()
        await self.hub.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        """Return the REST base URL (what discord.http.Route.BASE should be)."""
        return f"http://127.0.0.1:{self._port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """Return the websocket URL of the gateway."""
        return f"ws://127.0.0.1:{self._port}/gateway"

    def expire_attachments(self) -> None:
        """Age every attachment link past its expiry, as a day going by would."""
        for att_id in self.state.file_issued:
            self.state.file_issued[att_id] -= self.state.attachment_ttl + 1

    def notified(self, message_id: int) -> set[int]:
        """Return who Discord would have notified for a message the bot sent."""
        return set(self.state.notified.get(message_id, set()))

    @property
    def faults(self) -> FaultPlan:
        """Return the plan of REST failures to come (5xx, 429, lost replies)."""
        return self.env.faults

    @property
    def rate_limits(self) -> RateLimits:
        """Return Discord's rate limits as modelled here (`.enabled = True` turns them on)."""
        return self.env.rate_limits

    @property
    def bot_user_id(self) -> int:
        """Return the bot user's id."""
        return self.state.bot_user_id

    @property
    def application_id(self) -> int:
        """Return the application's id."""
        return self.state.application_id

    def _emit(self, event: str, data: Json, guild_id: int | None) -> None:
        self.hub.dispatch(event, data, guild_id)
        self._changed.set()

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(f"{request.method} {request.path_qs}")
        self.inflight += 1
        try:
            response = await serve(self.env, self.router, self.spec, API_PREFIX, request)
            # Discord usually delivers the gateway event before the REST reply; do the same.
            await self.hub.drain()
            if self.rest_latency:
                await asyncio.sleep(self.rest_latency)
            return response
        finally:
            self.inflight -= 1
            self.last_reply_at = asyncio.get_running_loop().time()
            self._changed.set()

    async def _file(self, request: web.Request) -> web.StreamResponse:
        att_id = int(request.match_info["attachment_id"])
        stored = self.state.files.get(att_id)
        if stored is None or stored.filename != request.match_info["filename"]:
            return web.Response(status=404)
        issued = self.state.file_issued.get(att_id, 0.0)
        if time.time() > issued + self.state.attachment_ttl or "ex" not in request.query:
            # Discord's CDN refuses an unsigned or expired link (keep the bytes, not the link).
            return web.Response(status=404, text="This content is no longer available.")
        return web.Response(body=stored.data, headers={"Content-Type": stored.content_type})

    async def _unknown(self, request: web.Request) -> web.StreamResponse:
        self.violations.append(f"unknown route: {request.method} {request.path}")
        return json_response(404, {"message": "404: Not Found", "code": 0})

    # ---- setup ---------------------------------------------------------------------------
    def create_user(self, username: str, global_name: str | None = None, bot: bool = False) -> int:
        """Create a user and return its id."""
        return self.state.create_user(username, global_name, bot)

    def create_guild(self, name: str, owner_id: int, *, shard_id: int | None = None) -> int:
        """Create a guild (with @everyone, the owner and the bot) and return its id.

        With `shard_id`, the guild's id is picked so that the guild falls on that shard.
        """
        if shard_id is not None:
            self._next_id_on_shard(shard_id)
        return self.state.create_guild(name, owner_id)

    def _next_id_on_shard(self, shard_id: int) -> None:
        # A snowflake's shard is its millisecond timestamp modulo the shard count, so move the
        # id counter a little ahead of the clock (ids stay increasing, as Discord's do; the
        # margin keeps the clock from overtaking the chosen millisecond before it is used).
        if not 0 <= shard_id < self.shard_count:
            raise ValueError(f"shard {shard_id} is outside 0..{self.shard_count - 1}")
        ms = (self.ids.next() >> 22) + 50
        ms += (shard_id - ms) % self.shard_count
        # Snowflakes keeps its last id so the next one is larger; start that just below `ms`.
        self.ids._last = max(self.ids._last, (ms << 22) - 1)

    @property
    def shard_count(self) -> int:
        """Return the shard count sessions must identify with (and GET /gateway/bot gives)."""
        return self.hub.shard_count

    def shard_of(self, guild_id: int | None) -> int:
        """Return the shard that receives a guild's events (None, for DMs: shard 0)."""
        return shard_of(guild_id, self.shard_count)

    def add_member(self, guild_id: int, user_id: int, role_ids: Iterable[int] = ()) -> Json:
        """Add a user to a guild (dispatches GUILD_MEMBER_ADD)."""
        return self.state.add_member(guild_id, user_id, list(role_ids))

    def remove_member(self, guild_id: int, user_id: int) -> None:
        """Remove a member from a guild (dispatches GUILD_MEMBER_REMOVE)."""
        self.state.remove_member(guild_id, user_id)

    def create_role(self, guild_id: int, name: str, permissions: int | None = None) -> int:
        """Create a role and return its id."""
        fields: Json = {"name": name}
        if permissions is not None:
            fields["permissions"] = str(permissions)
        return int(self.state.create_role(guild_id, fields)["id"])

    def create_channel(
        self,
        guild_id: int,
        name: str,
        type: int = 0,
        parent_id: int | None = None,
        permission_overwrites: list[Json] | None = None,
    ) -> int:
        """Create a guild channel (0 text, 2 voice, 4 category) and return its id."""
        fields: Json = {"name": name, "type": type, "parent_id": parent_id}
        fields["permission_overwrites"] = permission_overwrites or []
        return int(self.state.create_channel(guild_id, fields)["id"])

    def edit_role(
        self,
        guild_id: int,
        role_id: int,
        *,
        name: str | None = None,
        permissions: int | None = None,
        position: int | None = None,
    ) -> Json:
        """Change a role as a server admin would (dispatches GUILD_ROLE_UPDATE)."""
        fields: Json = {"name": name, "position": position}
        if permissions is not None:
            fields["permissions"] = str(permissions)
        return self.state.update_role(guild_id, role_id, fields)

    def bot_role(self, guild_id: int) -> int:
        """Return the id of the bot's managed role in a guild."""
        for role in self.state.role_list(guild_id):
            if (role.get("tags") or {}).get("bot_id") == str(self.state.bot_user_id):
                return int(role["id"])
        raise KeyError(guild_id)

    def set_member_roles(self, guild_id: int, user_id: int, role_ids: Iterable[int]) -> Json:
        """Replace a member's roles (dispatches GUILD_MEMBER_UPDATE)."""
        return self.state.update_member(guild_id, user_id, {"roles": [str(r) for r in role_ids]})

    def set_dms_open(self, user_id: int, open: bool) -> None:
        """Let a user accept or refuse DMs from the bot (refused: 403 code 50007)."""
        self.state.user(user_id)
        if open:
            self.state.dms_closed.discard(user_id)
        else:
            self.state.dms_closed.add(user_id)

    # ---- queries -------------------------------------------------------------------------
    def messages_in(self, channel_id: int) -> list[Json]:
        """Return a channel's messages, oldest first (ephemeral ones are not in channels)."""
        self.state.channel(channel_id)
        msgs = self.state.messages.get(channel_id, {}).values()
        return [dict(m) for m in sorted(msgs, key=lambda m: int(m["id"]))]

    def dm_channel_id(self, user_id: int) -> int:
        """Return (creating if needed) the id of the DM channel between a user and the bot."""
        return int(self.state.dm_channel(user_id)["id"])

    def dm_messages(self, user_id: int) -> list[Json]:
        """Return the messages in the DM between a user and the bot, oldest first."""
        cid = self.state.dm_channels.get(user_id)
        return [] if cid is None else self.messages_in(cid)

    def message(self, message_id: int) -> Json:
        """Return any message (including ephemeral ones) as it is now."""
        return dict(find_message(self.state, message_id))

    def attachment_bytes(self, attachment: Json) -> bytes:
        """Return the bytes of an attachment payload."""
        return self.state.files[int(attachment["id"])].data

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,  # noqa: ASYNC109, RUF100 (test API)
    ) -> T:
        """Wait until predicate() returns something truthy and return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._changed.clear()
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout}s")
            # Woken by any state change; the short cap also catches changes made elsewhere.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.05))

    def guild_roles(self, guild_id: int) -> list[Json]:
        """Return the guild's roles sorted by position."""
        return self.state.role_list(guild_id)

    def role_named(self, guild_id: int, name: str) -> Json | None:
        """Return the first role with this name, if any."""
        return next((r for r in self.guild_roles(guild_id) if r["name"] == name), None)

    def guild_channels(self, guild_id: int) -> list[Json]:
        """Return the guild's channels and threads."""
        self.state.guild(guild_id)
        return [dict(c) for c in self.state.channels.values() if c.get("guild_id") == str(guild_id)]

    def channel(self, channel_id: int) -> Json:
        """Return a channel payload."""
        return dict(self.state.channel(channel_id))

    def channel_named(self, guild_id: int, name: str) -> Json | None:
        """Return the first channel or thread with this name, if any."""
        return next((c for c in self.guild_channels(guild_id) if c.get("name") == name), None)

    def member(self, guild_id: int, user_id: int) -> Json | None:
        """Return a member payload, or None if not in the guild."""
        if user_id not in self.state.members.get(guild_id, {}):
            return None
        return self.state.member(guild_id, user_id)

    def thread_members(self, thread_id: int) -> list[int]:
        """Return the user ids in a thread."""
        return list(self.state.thread_members.get(thread_id, {}))

    def scheduled_events(self, guild_id: int) -> list[Json]:
        """Return the guild's scheduled events."""
        self.state.guild(guild_id)
        return [dict(e) for e in self.state.events[guild_id].values()]

    def scheduled_event(self, guild_id: int, event_id: int) -> Json:
        """Return one scheduled event."""
        return dict(get_event(self.state, guild_id, event_id))

    def pins(self, channel_id: int) -> list[Json]:
        """Return the pinned messages in a channel, most recently pinned first."""
        return [dict(m) for _, m in pinned(self.state, channel_id)]

    def visible_to(self, user_id: int, channel_id: int) -> bool:
        """Say whether a user can see a channel (overwrites, private-thread membership, DMs)."""
        return visible_to(self.state, user_id, channel_id)

    def commands(self, guild_id: int | None = None) -> list[Json]:
        """Return the registered commands (global, or a guild's)."""
        pool = (
            self.state.global_commands
            if guild_id is None
            else self.state.guild_commands.get(guild_id, {})
        )
        return list(pool.values())

    def transcript(self) -> list[str]:
        """Return a readable, time-ordered log of user actions and what the bot showed."""
        return transcript(self.state, list(self.registry.by_id.values()))

    def is_dm(self, channel_id: int) -> bool:
        """Say whether a channel is a DM."""
        return bool(self.state.channel(channel_id)["type"] == DM)

    @property
    def connections(self) -> int:
        """Return how many gateway connections have been opened so far."""
        return self.hub.connections

    async def drop_connections(self, code: int = 4000, shard_id: int | None = None) -> None:
        """Close the bot's gateway connections, or one shard's (4000: resume; 1000: anew)."""
        await self.hub.drop(code, shard_id)

    def live_sessions(self) -> int:
        """Return how many bot sessions are connected now."""
        return self.hub.live_sessions()
