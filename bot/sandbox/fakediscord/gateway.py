"""The gateway websocket: HELLO/IDENTIFY/READY, heartbeats, resume and event fan-out.

Sharding follows Discord: IDENTIFY may carry `shard: [shard_id, shard_count]`; a session then
receives only the servers with `(guild_id >> 22) % shard_count == shard_id`, and DMs go to
shard 0. The stand-in is configured with the one shard count every session must use.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from .model import (
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILD_SCHEDULED_EVENTS,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    Json,
)
from .state import State

_log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41250
_BUFFER = 1000
_MEMBER_EVENTS = {"GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE"}
_MESSAGE_EVENTS = {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"}
# Discord's gateway close codes for a refused shard (4010 Invalid shard, 4011 Sharding required).
CLOSE_INVALID_SHARD = 4010
CLOSE_SHARDING_REQUIRED = 4011


def shard_of(guild_id: int | None, shard_count: int) -> int:
    """Return the shard that receives a server's events (DMs belong to shard 0)."""
    if guild_id is None:
        return 0
    return (guild_id >> 22) % shard_count


@dataclass
class Session:
    """One identified bot connection (kept after a drop so it can RESUME)."""

    id: str
    intents: int
    shard_id: int = 0
    shard_count: int = 1
    ws: web.WebSocketResponse | None = None
    seq: int = 0
    # (seq, encoded frame): frames are encoded when dispatched, so later state changes
    # cannot leak into an event that is still waiting to be written.
    buffer: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=_BUFFER))
    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    writer: asyncio.Task[None] | None = None

    def owns(self, guild_id: int | None) -> bool:
        """Say whether this session's shard receives a server's (or the DMs') events."""
        return shard_of(guild_id, self.shard_count) == self.shard_id


class GatewayHub:
    """Accept gateway connections and fan dispatched events out to them."""

    def __init__(self, state: State, gateway_url: Callable[[], str], shard_count: int = 1) -> None:
        if shard_count < 1:
            raise ValueError("shard_count must be at least 1")
        self.state = state
        self.gateway_url = gateway_url
        self.shard_count = shard_count
        self.sessions: dict[str, Session] = {}
        self.connections = 0
        self.identified = asyncio.Event()
        self.last_query: dict[str, str] = {}
        self._sockets: set[web.WebSocketResponse] = set()
        self._dropped: set[web.WebSocketResponse] = set()
        # Cleared, new connections wait before their HELLO (a gateway slow to take them back):
        # a test sees the bot while a dropped shard is still reconnecting.
        self.accepting = asyncio.Event()
        self.accepting.set()

    def dispatch(self, event: str, data: Json, guild_id: int | None) -> None:
        """Queue an event for every session on the server's shard whose intents allow it."""
        for session in list(self.sessions.values()):
            if not session.owns(guild_id):
                continue
            if not _wants(session.intents, event, data, guild_id, self.state):
                continue
            payload = data
            if event in _MESSAGE_EVENTS and not session.intents & INTENT_MESSAGE_CONTENT:
                payload = _strip_content(data, self.state.bot_user_id)
            self._send_dispatch(session, event, payload)

    def _send_dispatch(self, session: Session, event: str, data: Json) -> None:
        session.seq += 1
        frame = json.dumps({"op": 0, "t": event, "s": session.seq, "d": data})
        session.buffer.append((session.seq, frame))
        if session.ws is not None:
            session.queue.put_nowait(frame)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one websocket connection until it closes."""
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        # discord.py asks for compress=zlib-stream; Discord (and we) may still send text frames.
        self.last_query = dict(request.query)
        self.connections += 1
        self._sockets.add(ws)
        session: Session | None = None
        await self.accepting.wait()
        await ws.send_str(
            json.dumps({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
        )
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op = frame.get("op")
                if op == 1:
                    await ws.send_str(json.dumps({"op": 11}))
                elif op == 2 and session is None:
                    refusal = self._refuse_shard(frame["d"].get("shard"))
                    if refusal is not None:
                        await ws.close(code=refusal[0], message=refusal[1].encode())
                        break
                    session = self._identify(ws, frame["d"])
                elif op == 6 and session is None:
                    session = self._resume(ws, frame["d"])
                    if session is None:
                        await ws.send_str(json.dumps({"op": 9, "d": False}))
                elif op == 8 and session is not None:
                    self._chunk(session, frame["d"])
        finally:
            self._sockets.discard(ws)
            if session is not None:
                await self._detach(session, ws)
        return ws

    def _start_writer(self, session: Session, ws: web.WebSocketResponse) -> None:
        session.ws = ws
        session.queue = asyncio.Queue()
        session.writer = asyncio.create_task(self._write(session, ws))

    async def _write(self, session: Session, ws: web.WebSocketResponse) -> None:
        # One writer per connection keeps frames in sequence order.
        while True:
            frame = await session.queue.get()
            try:
                if frame is None or ws.closed:
                    return
                await ws.send_str(frame)
            except (ConnectionError, RuntimeError):
                return
            finally:
                session.queue.task_done()

    async def drain(self, limit: float = 1.0) -> None:
        """Wait until queued events are written, so the bot's cache updates before REST replies."""
        pending = [s.queue.join() for s in self.sessions.values() if s.ws is not None]
        if pending:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*pending), limit)

    def _refuse_shard(self, shard: object) -> tuple[int, str] | None:
        """Return the close code and reason Discord would give for this `shard`, if any."""
        if shard is None:
            # Without a shard the session would hold every server: fine only when unsharded.
            if self.shard_count == 1:
                return None
            return CLOSE_SHARDING_REQUIRED, "Sharding required."
        if (
            not isinstance(shard, list)
            or len(shard) != 2
            or not all(isinstance(x, int) and not isinstance(x, bool) for x in shard)
        ):
            return CLOSE_INVALID_SHARD, "Invalid shard."
        shard_id, count = shard
        if count < 1 or not 0 <= shard_id < count:
            return CLOSE_INVALID_SHARD, "Invalid shard."
        if count < self.shard_count:
            # Too few shards: each session would hold more servers than Discord allows.
            return CLOSE_SHARDING_REQUIRED, "Sharding required."
        if count != self.shard_count:
            # Discord itself accepts more shards than it recommends; the stand-in insists on
            # the configured count so that processes disagreeing on it fail loudly.
            return CLOSE_INVALID_SHARD, "Invalid shard."
        return None

    def _identify(self, ws: web.WebSocketResponse, data: Json) -> Session:
        shard_id, shard_count = data.get("shard") or (0, 1)
        session = Session(
            id=secrets.token_hex(16),
            intents=int(data.get("intents", 0)),
            shard_id=shard_id,
            shard_count=shard_count,
        )
        self.sessions[session.id] = session
        self._start_writer(session, ws)
        state = self.state
        guild_ids = [
            gid
            for gid, members in state.members.items()
            if state.bot_user_id in members and session.owns(gid)
        ]
        ready: Json = {
            "v": 10,
            "user": {**state.user(state.bot_user_id), "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(gid), "unavailable": True} for gid in guild_ids],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url(),
            "application": {"id": str(state.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth": {},
        }
        if "shard" in data:
            ready["shard"] = [shard_id, shard_count]
        self._send_dispatch(session, "READY", ready)
        members = bool(session.intents & INTENT_GUILD_MEMBERS)
        for gid in guild_ids:
            self._send_dispatch(session, "GUILD_CREATE", state.guild_create(gid, members))
        self.identified.set()
        return session

    def _resume(self, ws: web.WebSocketResponse, data: Json) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or (session.ws is not None and not session.ws.closed):
            return None
        self._start_writer(session, ws)
        since = int(data.get("seq") or 0)
        for seq, frame in session.buffer:
            if seq > since:
                session.queue.put_nowait(frame)
        session.seq += 1
        session.queue.put_nowait(json.dumps({"op": 0, "t": "RESUMED", "s": session.seq, "d": {}}))
        return session

    def _chunk(self, session: Session, data: Json) -> None:
        guild_id = int(data["guild_id"])
        if not session.owns(guild_id):
            return  # Discord answers only for servers on the session's shard
        members = self.state.members.get(guild_id, {})
        wanted = data.get("user_ids")
        query = str(data.get("query") or "").lower()
        limit = int(data.get("limit") or 0) or len(members)
        picked = []
        for uid in members:
            if wanted is not None and str(uid) not in {str(w) for w in wanted}:
                continue
            if query and not self.state.users[uid]["username"].startswith(query):
                continue
            picked.append(self.state.member(guild_id, uid))
        chunk: Json = {
            "guild_id": str(guild_id),
            "members": picked[:limit],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        self._send_dispatch(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def _detach(self, session: Session, ws: web.WebSocketResponse) -> None:
        if session.ws is not ws:
            return
        session.ws = None
        session.queue.put_nowait(None)
        if session.writer is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await session.writer
        # A clean close by the client (1000/1001) ends the session, as on Discord;
        # other drops, and closes we forced, may resume.
        if ws in self._dropped:
            self._dropped.discard(ws)
        elif ws.close_code in (1000, 1001):
            self.sessions.pop(session.id, None)

    def live_sessions(self) -> int:
        """Return how many sessions have an open connection."""
        return sum(1 for s in self.sessions.values() if s.ws is not None)

    def live_shards(self) -> set[int]:
        """Return the shard ids that have an open connection."""
        return {s.shard_id for s in self.sessions.values() if s.ws is not None}

    async def drop(self, code: int, shard_id: int | None = None) -> None:
        """Close every open connection, or one shard's, with a close code (4000: RESUME)."""
        chosen = {s.ws for s in self.sessions.values() if s.shard_id == shard_id}
        for ws in list(self._sockets):
            if shard_id is not None and ws not in chosen:
                continue
            self._dropped.add(ws)
            await ws.close(code=code)

    def send_reconnect(self) -> None:
        """Ask every connected session to reconnect (op 7), as Discord does at times."""
        for session in self.sessions.values():
            if session.ws is not None:
                session.queue.put_nowait(json.dumps({"op": 7, "d": None}))

    async def close_all(self) -> None:
        """Close every open connection (used on shutdown)."""
        for ws in list(self._sockets):
            await ws.close(code=1001)
        self.sessions.clear()


def _wants(intents: int, event: str, data: Json, guild_id: int | None, state: State) -> bool:
    if event == "INTERACTION_CREATE" or event == "READY":
        return True
    if event in _MEMBER_EVENTS or event == "THREAD_MEMBERS_UPDATE":
        user = data.get("user") or {}
        if user.get("id") == str(state.bot_user_id):
            return True
        return bool(intents & INTENT_GUILD_MEMBERS)
    if event in _MESSAGE_EVENTS or event == "CHANNEL_PINS_UPDATE":
        bit = INTENT_GUILD_MESSAGES if guild_id is not None else INTENT_DIRECT_MESSAGES
        if event == "CHANNEL_PINS_UPDATE":
            bit = INTENT_GUILDS if guild_id is not None else INTENT_DIRECT_MESSAGES
        return bool(intents & bit)
    if event.startswith("GUILD_SCHEDULED_EVENT"):
        return bool(intents & INTENT_GUILD_SCHEDULED_EVENTS)
    if event == "CHANNEL_CREATE" and guild_id is None:
        return bool(intents & INTENT_DIRECT_MESSAGES)
    return bool(intents & INTENT_GUILDS)


def _strip_content(data: Json, bot_id: int) -> Json:
    # Without MESSAGE_CONTENT Discord blanks content unless it is a DM, a mention or our own.
    if "guild_id" not in data or "author" not in data:
        return data
    if data["author"].get("id") == str(bot_id):
        return data
    if any(u.get("id") == str(bot_id) for u in data.get("mentions", [])):
        return data
    out = dict(data)
    out.update(content="", embeds=[], attachments=[], components=[])
    out.pop("poll", None)
    return out
