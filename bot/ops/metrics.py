"""Prometheus metrics for a running bot: interactions, scheduled work, the outbox, the gateway.

Everything here is in-process and cheap on the hot path (a counter increment and a histogram
observation per interaction); the one database read, the outbox backlog, happens on a scrape
and is cached for a few seconds. Each runtime has its own registry, so a process that builds
the bot twice (tests, the sandbox's restarts) never sees the same series twice.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import aiohttp
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Interactions: how long until the bot answered (Discord allows 3 s for the first answer).
ANSWER_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
# Scheduled work: from on time to a day late (a bot down overnight).
LAG_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 86400.0)
KINDS = {2: "command", 3: "component", 4: "autocomplete", 5: "modal"}
# The callback that answers an interaction: POST /interactions/{id}/{token}/callback.
CALLBACK = re.compile(r"/interactions/(\d+)/[^/]+/callback$")
# Interactions never answered are forgotten after this many are waiting (oldest first).
MAX_WAITING = 5000


def interaction_name(data: dict[str, Any]) -> str:
    """Return a bounded label for an interaction: the command, or its custom id's stem."""
    inner = data.get("data") or {}
    if data.get("type") in (2, 4):
        words = [str(inner.get("name", "?"))]
        options = inner.get("options") or []
        # A subcommand group (2) or subcommand (1) is part of the command's name.
        while options and options[0].get("type") in (1, 2):
            words.append(str(options[0].get("name", "?")))
            options = options[0].get("options") or []
        return " ".join(words)[:64]
    # Custom ids carry row ids ("poll:vote:12:3"): keep only the words before the first id.
    stem: list[str] = []
    for part in str(inner.get("custom_id", "")).split(":")[:3]:
        if not part or any(ch.isdigit() for ch in part):
            break
        stem.append(part)
    return ":".join(stem)[:64] or "other"


class Metrics:
    """The bot's Prometheus instruments and the hooks that feed them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.interactions = Counter(
            "participation_interactions",
            "Interactions received, by kind and command or component",
            ["kind", "name"],
            registry=r,
        )
        self.answer_seconds = Histogram(
            "participation_interaction_answer_seconds",
            "Time from receiving an interaction to the bot's first answer reaching Discord",
            ["kind"],
            buckets=ANSWER_BUCKETS,
            registry=r,
        )
        self.scheduler_lag = Histogram(
            "participation_scheduler_lag_seconds",
            "How late due work was done, from when it was due to when its handler finished",
            ["event"],
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.outbox = Counter(
            "participation_outbox_deliveries",
            "Outbox deliveries by outcome (delivered, retry, undeliverable)",
            ["kind", "outcome"],
            registry=r,
        )
        self.outbox_backlog = Gauge(
            "participation_outbox_backlog",
            "Rows the bot owes Discord that are due and not yet delivered",
            registry=r,
        )
        self.gateway = Counter(
            "participation_gateway_events",
            "Gateway connection events: disconnect, resume (same session), ready (a new session)",
            ["event"],
            registry=r,
        )
        self._waiting: dict[int, tuple[float, str]] = {}

    # ---- interactions -------------------------------------------------------------------
    def received(self, data: dict[str, Any]) -> None:
        """Count an interaction as Discord delivers it and start its answer timer."""
        kind = KINDS.get(int(data.get("type") or 0), "other")
        self.interactions.labels(kind, interaction_name(data)).inc()
        self._waiting[int(data["id"])] = (time.perf_counter(), kind)
        if len(self._waiting) > MAX_WAITING:
            self._waiting.pop(next(iter(self._waiting)))

    def answered(self, interaction_id: int) -> None:
        """Stop an interaction's answer timer (its callback reached Discord)."""
        started = self._waiting.pop(interaction_id, None)
        if started is not None:
            self.answer_seconds.labels(started[1]).observe(time.perf_counter() - started[0])

    def trace_config(self) -> aiohttp.TraceConfig:
        """Return an aiohttp trace that stops the timer when an interaction callback ends."""
        trace = aiohttp.TraceConfig()

        async def on_end(
            _session: aiohttp.ClientSession,
            _context: SimpleNamespace,
            params: aiohttp.TraceRequestEndParams,
        ) -> None:
            found = CALLBACK.search(params.url.path)
            if found is not None and params.response.status < 300:
                self.answered(int(found.group(1)))

        trace.on_request_end.append(on_end)
        return trace

    # ---- scheduled work, the outbox, the gateway -----------------------------------------
    def ran_late(self, event: str, seconds: float) -> None:
        """Record how late one piece of scheduled work was done."""
        self.scheduler_lag.labels(event).observe(max(seconds, 0.0))

    def delivery(self, kind: str, outcome: str) -> None:
        """Count one outbox delivery attempt's outcome."""
        self.outbox.labels(kind, outcome).inc()

    def gateway_event(self, event: str) -> Callable[..., Any]:
        """Return a listener that counts one kind of gateway event."""

        async def listener(*_args: Any) -> None:
            self.gateway.labels(event).inc()

        return listener
