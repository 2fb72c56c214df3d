"""One person saving twice (or four times) at once: one record, every answer, no IntegrityError.

These matter on PostgreSQL (run with TEST_DATABASE_URL), where select-then-insert let two
transactions insert the same row; SQLite serialises writers, so it passes there either way.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.db.models import EqualityMonitoring, Member, OutboxItem
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.errors import Conflict
from tests.conftest import GUILD, WORKER
from tests.services.helpers import approved_member, form, set_up_guild


async def test_a_double_i_agree_signs_up_once(services: Services, sessions) -> None:
    await set_up_guild(services)
    actor = Actor(2001, GUILD)
    results = await asyncio.gather(
        services.membership.join(actor, form("Dot")),
        services.membership.join(actor, form("Dot")),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "MemberView"]
    assert "already signed up" in str(next(r for r in results if isinstance(r, Conflict)))
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Member)) == 1
        cards = await s.scalar(select(func.count()).where(OutboxItem.kind == "membership.card"))
        assert cards == 1


async def test_four_equality_saves_at_once_keep_all_four(services: Services, sessions) -> None:
    await set_up_guild(services)
    actor = await approved_member(services, 2002, "Eve")
    answers = [
        {"gender": "Prefer not to say"},
        {"ethnicity": "Mixed"},
        {"disability": "No"},
        {"sexual_orientation": "Bisexual"},
    ]
    await asyncio.gather(*(services.membership.save_equality(actor, a) for a in answers))
    async with sessions() as s:
        row = await s.scalar(select(EqualityMonitoring))
        assert row is not None
        assert row.answers == {k: v for a in answers for k, v in a.items()}


async def test_signing_up_again_after_a_decline_renews_the_record(services: Services) -> None:
    await set_up_guild(services)
    actor = Actor(2003, GUILD)
    first = await services.membership.join(actor, form("Fay"))
    await services.membership.decline(WORKER, first.id, "Full this term")
    again = await services.membership.join(actor, form("Fay B", pronouns="she/her"))
    assert (again.id, again.status, again.preferred_name) == (first.id, "pending", "Fay B")
    assert again.decline_reason is None
