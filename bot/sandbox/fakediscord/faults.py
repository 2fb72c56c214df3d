"""Discord failing as it really does: 5xx, 429 with retry_after, and replies lost after the effect.

Two ways to ask for failures:
- `FaultPlan.fail_next(...)`: the next N requests matching a method and a path pattern fail
  with a given status, before or after the request took effect (a 503 after the message was
  created is the case a retry must not double);
- `FaultPlan.randomly(rate, seed=...)`: a share of all matching requests fail with 500, 503 or
  429, reproducibly from a seed (the fault soak).

Requests the bot makes at start-up (login, application, command sync) and interaction
callbacks are left alone by the random plan: real Discord fails them too, but a test that
cannot start or whose 3-second reply is refused proves nothing about delivery.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from .model import Json

# What discord.py does with each (2.7): retries 500/502/504/524 a few times with back-off,
# raises DiscordServerError on 503 at once, and sleeps `retry_after` on a 429 and retries.
RANDOM_STATUSES = (500, 503, 429)
_NEVER_RANDOM = re.compile(
    r"^(GET /users/@me|GET /oauth2/applications/@me|PUT /applications/|GET /gateway"
    r"|POST /interactions/)"
)


@dataclass
class Fault:
    """One planned failure: which requests, what status, and whether the effect happened."""

    method: str
    path: re.Pattern[str]
    status: int
    count: int = 1
    after_effect: bool = False

    def matches(self, method: str, path: str) -> bool:
        """Tell whether this fault applies to a request."""
        return self.count > 0 and method == self.method and bool(self.path.search(path))


@dataclass
class FaultPlan:
    """The failures still to come, and a record of every failure given."""

    planned: list[Fault] = field(default_factory=list)
    rate: float = 0.0
    statuses: tuple[int, ...] = RANDOM_STATUSES
    only: re.Pattern[str] | None = None
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    given: list[str] = field(default_factory=list)

    def fail_next(
        self,
        method: str,
        path_pattern: str,
        status: int = 503,
        *,
        count: int = 1,
        after_effect: bool = False,
    ) -> None:
        """Fail the next `count` requests whose path matches (a regular expression)."""
        self.planned.append(Fault(method, re.compile(path_pattern), status, count, after_effect))

    def randomly(
        self,
        rate: float,
        *,
        seed: int = 0,
        statuses: tuple[int, ...] = RANDOM_STATUSES,
        only: str | None = None,
    ) -> None:
        """Fail this share of requests (0 to 1) at random, reproducibly from the seed."""
        self.rate, self.statuses = rate, statuses
        self.rng = random.Random(seed)
        self.only = re.compile(only) if only else None

    def clear(self) -> None:
        """Stop failing anything."""
        self.planned.clear()
        self.rate = 0.0

    def take(self, method: str, path: str) -> Fault | None:
        """Return the failure for this request, if one is due (and count it)."""
        for fault in self.planned:
            if fault.matches(method, path):
                fault.count -= 1
                self.given.append(f"{fault.status} {method} {path}")
                return fault
        where = f"{method} {path}"
        if self.rate <= 0 or _NEVER_RANDOM.match(where):
            return None
        if self.only is not None and not self.only.search(where):
            return None
        if self.rng.random() >= self.rate:
            return None
        status = self.rng.choice(self.statuses)
        self.given.append(f"{status} {where}")
        # A server error may come after Discord did the work (the reply was lost on the way).
        return Fault(method, re.compile(""), status, 0, status >= 500 and self.rng.random() < 0.5)


def failure_body(status: int) -> tuple[Json, dict[str, str]]:
    """Return the JSON body and headers Discord sends with a failure status."""
    if status == 429:
        retry = 0.05
        body: Json = {"message": "You are being rate limited.", "retry_after": retry}
        body["global"] = False
        headers = {
            "Retry-After": str(retry),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": str(retry),
            "X-RateLimit-Bucket": "fake-fault",
            "X-RateLimit-Scope": "user",
            "Via": "1.1 google",  # discord.py takes a 429 without it for a Cloudflare ban
        }
        return body, headers
    return {"message": f"{status}: Service Unavailable", "code": 0}, {}
