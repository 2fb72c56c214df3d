"""Running it in production: /health and Prometheus /metrics on a local port (OPS_PORT)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import ParticipationBot
from bot.clock import Clock
from bot.ops.metrics import Metrics
from bot.ops.server import OpsServer, gateway_state
from bot.scheduler import Scheduler
from bot.settings import Settings

__all__ = ["Metrics", "OpsServer", "gateway_state", "start_ops"]


def instrument(bot: ParticipationBot, scheduler: Scheduler, metrics: Metrics) -> None:
    """Feed the metrics from the bot, its scheduler and its outbox (before the bot connects)."""
    # Count and time each interaction as Discord delivers it, before any handler runs.
    parsers = bot._connection.parsers
    original = parsers["INTERACTION_CREATE"]

    def parse(data: Any) -> None:
        metrics.received(data)
        original(data)

    parsers["INTERACTION_CREATE"] = parse
    # The answer is an HTTP callback on the bot's own session: a trace on it stops the timer.
    bot.http.http_trace = metrics.trace_config()
    bot.add_listener(metrics.gateway_event("disconnect"), "on_disconnect")
    bot.add_listener(metrics.gateway_event("resume"), "on_resumed")
    bot.add_listener(metrics.gateway_event("ready"), "on_connect")
    scheduler.on_ran = metrics.ran_late
    bot.deliveries.on_outcome = metrics.delivery


async def start_ops(
    settings: Settings,
    bot: ParticipationBot,
    engine: AsyncEngine,
    clock: Clock,
    scheduler: Scheduler,
) -> OpsServer | None:
    """Start /health and /metrics when OPS_PORT is set; otherwise do nothing at all."""
    if settings.ops_port is None:
        return None
    metrics = Metrics()
    instrument(bot, scheduler, metrics)
    server = OpsServer(bot, engine, clock, metrics)
    try:
        await server.start(settings.ops_host, settings.ops_port)
    except OSError as exc:
        await server.stop()
        # A supervisor's log should say why in one line (another process has the port).
        where = f"{settings.ops_host}:{settings.ops_port}"
        raise SystemExit(
            f"participation-bot: OPS_PORT cannot listen on {where}: {exc.strerror}"
        ) from None
    return server
