"""The operations port: /health for a supervisor, /metrics for Prometheus (off by default).

Bound to 127.0.0.1 unless OPS_HOST says otherwise: the figures carry no personal data, but
nothing outside the machine (or the container's network) needs them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import discord
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock
from bot.db.engine import READ_ONLY
from bot.db.models import OutboxItem
from bot.ops.metrics import Metrics
from bot.services.outbox import PENDING

log = logging.getLogger(__name__)
# The backlog count is read at most this often, however often Prometheus scrapes.
BACKLOG_CACHE_SECONDS = 5.0
DATABASE_TIMEOUT_SECONDS = 2.0
# The checks only read: marked so, on SQLite they take no write turn (bot/db/engine.py).
READING: dict[str, Any] = {READ_ONLY: True}


def gateway_state(bot: discord.Client) -> str:
    """Return "up" when every shard this process owns is connected, else what it is doing."""
    if bot.is_closed():
        return "closed"
    if not bot.is_ready():
        return "connecting"
    shards = getattr(bot, "shards", None)
    if isinstance(shards, dict):
        down = sorted(shard_id for shard_id, info in shards.items() if info.is_closed())
        return "up" if not down else "reconnecting shard " + ",".join(map(str, down))
    ws = bot.ws
    return "up" if ws is not None and ws.open else "reconnecting"


class OpsServer:
    """A small aiohttp server answering /health and /metrics for one bot process."""

    def __init__(
        self, bot: discord.Client, engine: AsyncEngine, clock: Clock, metrics: Metrics
    ) -> None:
        self.bot, self.engine, self.clock, self.metrics = bot, engine, clock, metrics
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._backlog_at = float("-inf")

    async def start(self, host: str, port: int) -> None:
        """Listen on host:port (port 0 picks a free one, kept in `self.port`)."""
        app = web.Application()
        app.router.add_get("/health", self.health)
        app.router.add_get("/metrics", self.scrape)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.port = int(self._runner.addresses[0][1])
        log.info("ops: /health and /metrics on %s:%d", host, self.port)

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _database_up(self) -> bool:
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS), self.engine.connect() as conn:
                # Read-only: on SQLite it does not queue behind a burst's writers.
                await conn.execution_options(**READING)
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means "not up"; the log says which
            log.warning("ops: database check failed: %s", type(exc).__name__)
            return False
        return True

    async def health(self, _request: web.Request) -> web.Response:
        """Answer 200 when the gateway and database are up, else 503 saying what is not."""
        gateway = gateway_state(self.bot)
        database = "up" if await self._database_up() else "down"
        ready = gateway == "up" and database == "up"
        body: dict[str, Any] = {"ready": ready, "gateway": gateway, "database": database}
        return web.Response(
            status=200 if ready else 503,
            text=json.dumps(body),
            content_type="application/json",
        )

    async def _refresh_backlog(self) -> None:
        if time.monotonic() - self._backlog_at < BACKLOG_CACHE_SECONDS:
            return
        self._backlog_at = time.monotonic()
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS), self.engine.connect() as conn:
                await conn.execution_options(**READING)
                count = await conn.scalar(
                    select(func.count())
                    .select_from(OutboxItem)
                    .where(OutboxItem.status == PENDING, OutboxItem.due_at <= self.clock.now())
                )
        except Exception as exc:  # keep the last figure; the scrape still answers
            log.warning("ops: outbox backlog not read: %s", type(exc).__name__)
            return
        self.metrics.outbox_backlog.set(int(count or 0))

    async def scrape(self, _request: web.Request) -> web.Response:
        """Answer Prometheus's scrape in its text format."""
        await self._refresh_backlog()
        response = web.Response(body=generate_latest(self.metrics.registry))
        response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response
