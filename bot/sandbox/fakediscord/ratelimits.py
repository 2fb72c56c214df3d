"""Discord's rate limits, for the tests and benchmarks that turn them on (`fake.rate_limits`).

Discord limits each bot per route, counted separately for each top-level resource in the path
(a channel, a guild, a webhook), and globally: 50 requests a second, interaction callbacks and
interaction webhooks exempt. Every answer on a limited route carries X-RateLimit-* headers so
a client can pace itself; a request over a limit is refused with 429, `retry_after` and the
limit's scope, and does nothing. discord.py reads both: it waits when a bucket's remaining
count reaches 0, and sleeps `retry_after` and retries on a 429.

Discord does not publish its numbers (they change); these are the ones commonly observed: a
channel's messages 5 per 5 s to send or edit, 5 per second to delete, a member's roles 10 per
10 s per server. Off by default: the suite's scripted conversations would otherwise wait for
real seconds where Discord would make a real bot wait too.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass, field

from .model import Json

# The top-level resources a route's limit is counted for (Discord's "major parameters").
_MAJOR = ("channels", "guilds", "webhooks")
_ID = re.compile(r"^\d+$")
# Not counted against the global limit: interaction callbacks and the interaction webhooks.
_EXEMPT = re.compile(r"^/(interactions|webhooks)/")
GLOBAL_PER_SECOND = 50


@dataclass(frozen=True)
class Limit:
    """How many requests a bucket allows, and over how many seconds."""

    count: int
    per: float


# Routes written with `{}` for every id (see `route_of`).
ROUTE_LIMITS: dict[str, Limit] = {
    "POST /channels/{}/messages": Limit(5, 5.0),
    "PATCH /channels/{}/messages/{}": Limit(5, 5.0),
    "DELETE /channels/{}/messages/{}": Limit(5, 1.0),
    "PUT /guilds/{}/members/{}/roles/{}": Limit(10, 10.0),
    "DELETE /guilds/{}/members/{}/roles/{}": Limit(10, 10.0),
}


def route_of(method: str, path: str) -> tuple[str, str]:
    """Return a request's route (ids as `{}`) and its top-level resource's id (or "")."""
    parts = path.strip("/").split("/")
    major = ""
    shape: list[str] = []
    for i, part in enumerate(parts):
        if _ID.match(part):
            if not major and i > 0 and parts[i - 1] in _MAJOR:
                major = part
            shape.append("{}")
        else:
            shape.append(part)
    return f"{method} /{'/'.join(shape)}", major


@dataclass
class _Window:
    """A bucket's count in its current window."""

    used: int
    ends: float


@dataclass
class Verdict:
    """What the limits say about one request: the headers to send, or a refusal."""

    headers: dict[str, str]
    refused: tuple[Json, dict[str, str]] | None = None


@dataclass
class RateLimits:
    """Count requests per route bucket and globally; refuse what goes over."""

    enabled: bool = False
    global_per_second: int = GLOBAL_PER_SECOND
    routes: dict[str, Limit] = field(default_factory=lambda: dict(ROUTE_LIMITS))
    refused: list[str] = field(default_factory=list)
    _windows: dict[tuple[str, str], _Window] = field(default_factory=dict)
    _global: _Window = field(default_factory=lambda: _Window(0, 0.0))

    def check(self, method: str, path: str) -> Verdict:
        """Count a request (if it is allowed) and return its headers or its 429."""
        if not self.enabled:
            return Verdict({})
        now = time.monotonic()
        route, major = route_of(method, path)
        counted = not _EXEMPT.match(path)
        if counted:
            if now >= self._global.ends:
                self._global = _Window(0, now + 1.0)
            if self._global.used >= self.global_per_second:
                return self._refuse(f"{method} {path}", self._global.ends - now, "global", {})
        limit = self.routes.get(route)
        headers: dict[str, str] = {}
        if limit is not None:
            window = self._windows.get((route, major))
            if window is None or now >= window.ends:
                window = self._windows[(route, major)] = _Window(0, now + limit.per)
            left = window.ends - now
            headers = _headers(route, limit.count, limit.count - window.used, left)
            if window.used >= limit.count:
                return self._refuse(f"{method} {path}", left, "user", headers)
            window.used += 1
            headers = _headers(route, limit.count, limit.count - window.used, left)
        if counted:
            self._global.used += 1
        return Verdict(headers)

    def _refuse(self, where: str, wait: float, scope: str, headers: dict[str, str]) -> Verdict:
        wait = max(round(wait, 3), 0.001)
        self.refused.append(f"{scope} {where}")
        body: Json = {
            "message": "You are being rate limited.",
            "retry_after": wait,
            "global": scope == "global",
        }
        out = {
            **headers,
            "Retry-After": str(math.ceil(wait)),
            "X-RateLimit-Scope": scope,
            "Via": "1.1 google",  # discord.py takes a 429 without it for a Cloudflare ban
        }
        if scope == "global":
            out["X-RateLimit-Global"] = "true"
        return Verdict(out, (body, out))


def _headers(route: str, limit: int, remaining: int, reset_after: float) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(max(remaining, 0)),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": hashlib.sha1(route.encode()).hexdigest()[:16],
    }
