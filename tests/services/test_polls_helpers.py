"""Shared helpers for the polls service tests (this module holds no tests itself)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.services.access import Actor
from bot.services.container import Services
from bot.services.polls import PollView
from bot.services.polls.rules import PollDraft
from bot.services.setup.service import SetupRecord
from tests.conftest import WORKER
from tests.services.helpers import approved_member, set_up_guild

USER_BASE = 810000000000000000


def draft(services: Services, **changes: Any) -> PollDraft:
    """Return a valid poll draft closing in two days, with any fields changed."""
    values: dict[str, Any] = {
        "question": "Which evening suits you best for the next session?",
        "options": ["Monday", "Wednesday", "Thursday"],
        "closes_at": services.clock.now() + timedelta(days=2),
    }
    values.update(changes)
    return PollDraft(**values)


async def new_poll(services: Services, **changes: Any) -> PollView:
    """Create a poll as the worker (the server must be set up)."""
    return await services.polls.create(WORKER, draft(services, **changes))


async def members(services: Services, count: int, start: int = 0, **changes: Any) -> list[Actor]:
    """Approve `count` members with made-up ids; return them as actors."""
    return [
        await approved_member(services, USER_BASE + start + i, f"Member {start + i}", **changes)
        for i in range(count)
    ]


async def ready(services: Services) -> SetupRecord:
    """Set the server up."""
    return await set_up_guild(services)


async def bulk_members(
    services: Services, count: int, start: int = 0, **changes: Any
) -> list[Actor]:
    """Insert `count` approved members directly (fast, for concurrency tests)."""
    from bot.db.models import Member
    from tests.conftest import GUILD

    now = services.clock.now()
    async with services.db.begin() as s:
        for i in range(count):
            values: dict[str, Any] = {
                "guild_id": GUILD,
                "user_id": USER_BASE + start + i,
                "preferred_name": f"Member {start + i}",
                "age_band": "16-17",
                "member_type": "young_person",
                "locality": "North",
                "dm_opt_in": True,
                "adjustments": [],
                "consent_at": now,
                "joined_at": now,
                "status": "approved",
                "level_key": "consultation",
            }
            values.update(changes)
            s.add(Member(**values))
    return [Actor(user_id=USER_BASE + start + i, guild_id=GUILD) for i in range(count)]
