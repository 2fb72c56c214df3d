"""Membership service against a real migrated database."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.db.models import Member
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from tests.conftest import GUILD, WORKER
from tests.services.helpers import approved_member, form, set_up_guild


async def test_join_then_approve_gives_roles(services: Services) -> None:
    record = await set_up_guild(services)
    actor = Actor(user_id=1001, guild_id=GUILD)
    view = await services.membership.join(actor, form())
    assert view.status == "pending"
    decision = await services.membership.approve(WORKER, view.id)
    assert decision.member.status == "approved"
    assert record.role_ids["member"] in decision.add_role_ids
    assert record.role_ids["level:consultation"] in decision.add_role_ids


async def test_approve_twice_at_once_approves_once(services: Services) -> None:
    await set_up_guild(services)
    view = await services.membership.join(Actor(1002, GUILD), form())
    results = await asyncio.gather(
        services.membership.approve(WORKER, view.id),
        services.membership.approve(WORKER, view.id),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1


async def test_under_16_needs_carer_confirmation(services: Services) -> None:
    await set_up_guild(services)
    view = await services.membership.join(Actor(1003, GUILD), form(age_band="11-13"))
    with pytest.raises(Conflict, match="parent or carer"):
        await services.membership.approve(WORKER, view.id)
    await services.membership.confirm_carer_aware(WORKER, view.id)
    decision = await services.membership.approve(WORKER, view.id)
    assert decision.member.carer_confirmed


async def test_non_worker_cannot_approve(services: Services) -> None:
    await set_up_guild(services)
    view = await services.membership.join(Actor(1004, GUILD), form())
    with pytest.raises(NotAllowed):
        await services.membership.approve(Actor(1005, GUILD), view.id)


@pytest.mark.parametrize(
    "name",
    ["", "   ", "x" * 65, "bad\x00name", "tab\u200bhidden"],
)
async def test_bad_names_refused(services: Services, name: str) -> None:
    await set_up_guild(services)
    with pytest.raises(InvalidInput):
        await services.membership.join(Actor(1006, GUILD), form(name))


@pytest.mark.parametrize("name", ["Zoë 🌈", "Robert'); DROP TABLE members;--", "李小龙"])
async def test_unusual_names_stored_exactly(services: Services, sessions, name: str) -> None:
    await set_up_guild(services)
    await services.membership.join(Actor(1007, GUILD), form(name))
    async with sessions() as s:
        assert await s.scalar(select(Member.preferred_name)) == name


async def test_forget_removes_member_and_links(services: Services, sessions) -> None:
    await set_up_guild(services)
    actor = await approved_member(services, 1008, "Erin")
    await services.membership.save_equality(actor, {"gender": "Prefer not to say"})
    await services.membership.forget(actor)
    async with sessions() as s:
        assert await s.scalar(select(Member).where(Member.user_id == 1008)) is None


async def test_pause_resume_leave(services: Services) -> None:
    await set_up_guild(services)
    actor = await approved_member(services, 1009)
    assert (await services.membership.pause(actor)).status == "paused"
    with pytest.raises(Conflict):
        await services.membership.pause(actor)
    assert (await services.membership.resume(actor)).status == "approved"
    await services.membership.leave(actor)
    with pytest.raises(NotAllowed):
        await services.membership.profile(actor)
