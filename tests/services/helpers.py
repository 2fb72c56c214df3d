"""Helpers for service tests: a set-up server and approved members."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.clock import Clock
from bot.db.engine import create_engine, create_sessionmaker
from bot.services.access import Actor
from bot.services.container import Services, build_services
from bot.services.membership.service import JoinForm
from bot.services.setup.service import SetupRecord
from tests.conftest import ADMIN, GUILD, MODERATOR_ROLE, WORKER, WORKER_ROLE


async def set_up_guild(services: Services) -> SetupRecord:
    """Record a /setup with made-up role and channel ids."""
    plan = services.setup.plan(ADMIN)
    role_ids = {spec.key: 700000000000000100 + i for i, spec in enumerate(plan.roles)}
    role_ids["worker"] = WORKER_ROLE
    role_ids["moderator"] = MODERATOR_ROLE
    channel_ids = {spec.key: 600000000000000100 + i for i, spec in enumerate(plan.channels)}
    record = SetupRecord(role_ids=role_ids, channel_ids=channel_ids, category_id=600000000000000001)
    await services.setup.record(ADMIN, record)
    return record


@asynccontextmanager
async def second_bot(services: Services, db_url: str, clock: Clock) -> AsyncIterator[Services]:
    """Yield services on an engine of their own: another bot process on the same database.

    Each process groups its own clicks; what must hold across processes is the database's.
    """
    engine = create_engine(db_url)
    try:
        yield build_services(services.settings, create_sessionmaker(engine), clock)
    finally:
        await engine.dispose()


def form(name: str = "Sam", **changes: object) -> JoinForm:
    """Return a valid sign-up form, with any fields changed."""
    values: dict[str, object] = {
        "preferred_name": name,
        "age_band": "16-17",
        "member_type": "young_person",
        "locality": "North",
        "consent": True,
        "dm_opt_in": True,
    }
    values.update(changes)
    return JoinForm(**values)  # type: ignore[arg-type]


async def approved_member(
    services: Services, user_id: int, name: str = "Sam", **changes: object
) -> Actor:
    """Sign someone up and approve them; return them as an Actor."""
    actor = Actor(user_id=user_id, guild_id=GUILD)
    view = await services.membership.join(actor, form(name, **changes))
    if view.needs_carer_confirmation:
        await services.membership.confirm_carer_aware(WORKER, view.id)
    await services.membership.approve(WORKER, view.id)
    return actor
