"""Opportunities as a service: what must be stated, interest once, selection once, closing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.db.models import Contribution, Member, OutboxItem
from bot.services.container import Services
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from bot.services.opportunities import OpportunitiesPersonalData, OpportunityDraft
from tests.conftest import WORKER
from tests.services.helpers import approved_member, set_up_guild

DRAFT = OpportunityDraft(
    kind="Recruitment panel",
    title="Panel for a new nurse",
    involves="Ask three questions you helped write.",
    date="2026-12-10",
    payment="£15 an hour plus travel",
    suits="Anyone aged 16 to 25",
    hours="2.5",
)


async def test_post_interest_select_close(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    opportunities = services.opportunities
    posted = await opportunities.post(WORKER, DRAFT)
    assert posted.kind == "panel" and posted.hours == Decimal("2.50")
    sam = await approved_member(services, 900000000000000001, "Sam")
    first = await opportunities.interest(sam, posted.id)
    again = await opportunities.interest(sam, posted.id)
    assert not first.already and again.already
    with pytest.raises(NotAllowed):
        await opportunities.interested(sam, posted.id)
    _, people = await opportunities.interested(WORKER, posted.id)
    assert [p.name for p in people] == ["Sam"]
    chosen = await opportunities.select(WORKER, posted.id, sam.user_id)
    assert chosen.told_by_dm
    with pytest.raises(Conflict, match="already selected"):
        await opportunities.select(WORKER, posted.id, sam.user_id)
    with pytest.raises(Conflict, match="already been selected"):
        await opportunities.withdraw(sam, posted.id)
    async with services.db() as s:
        assert await s.scalar(select(func.count()).select_from(Contribution)) == 1
    assert await opportunities.next_due() == datetime(2026, 12, 10, tzinfo=UTC)
    clock.set(datetime(2026, 12, 10, tzinfo=UTC))
    closed = await opportunities.take_due(clock.now())
    assert [c.opportunity_id for c in closed] == [posted.id]
    assert await opportunities.take_due(clock.now()) == []
    with pytest.raises(Conflict, match="has closed"):
        await opportunities.interest(sam, posted.id)
    async with services.db() as s:
        kinds = sorted(await s.scalars(select(OutboxItem.kind)))
    assert [k for k in kinds if k.startswith("opportunities")] == [
        "opportunities.closed",
        "opportunities.closed_workers",
        "opportunities.posted",
        "opportunities.selected",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"payment": ""}, "say clearly what is paid"),
        ({"payment": "TBC"}, "say clearly what is paid"),
        ({"suits": None}, "say who it suits"),
        ({"date": "2026-11-23"}, "after today"),
        ({"date": "2029-01-01"}, "within the next year"),
        ({"hours": "0"}, "between 0.5 and 100"),
        ({"title": "x" * 101}, "too long"),
        ({"kind": "party"}, "what kind"),
    ],
)
async def test_unclear_opportunities_are_refused(
    services: Services, change: dict[str, object], message: str
) -> None:
    await set_up_guild(services)
    values = {**DRAFT.__dict__, **change}
    with pytest.raises(InvalidInput, match=message):
        await services.opportunities.post(WORKER, OpportunityDraft(**values))  # type: ignore[arg-type]


async def test_level_audience_is_enough_and_keeps_others_out(services: Services) -> None:
    await set_up_guild(services)
    level = services.settings.ladder.levels[-1]
    values = {
        **DRAFT.__dict__,
        "suits": None,
        "audience_kind": "level",
        "audience_value": level.key,
    }
    posted = await services.opportunities.post(WORKER, OpportunityDraft(**values))  # type: ignore[arg-type]
    assert level.name in posted.who
    sam = await approved_member(services, 900000000000000002, "Sam")
    with pytest.raises(NotAllowed, match="isn't open to you"):
        await services.opportunities.interest(sam, posted.id)
    assert await services.opportunities.open_for(sam) == []


async def test_double_clicks_at_once_count_once(services: Services) -> None:
    await set_up_guild(services)
    posted = await services.opportunities.post(WORKER, DRAFT)
    sam = await approved_member(services, 900000000000000003, "Sam")
    receipts = await asyncio.gather(
        *(services.opportunities.interest(sam, posted.id) for _ in range(4))
    )
    assert sorted(r.already for r in receipts) == [False, True, True, True]
    results = await asyncio.gather(
        *(services.opportunities.select(WORKER, posted.id, sam.user_id) for _ in range(3)),
        return_exceptions=True,
    )
    assert len([r for r in results if not isinstance(r, Exception)]) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception))
    async with services.db() as s:
        assert await s.scalar(select(func.count()).select_from(Contribution)) == 1


async def test_personal_data_export_and_erase(services: Services) -> None:
    await set_up_guild(services)
    posted = await services.opportunities.post(WORKER, DRAFT)
    sam = await approved_member(services, 900000000000000004, "Sam")
    await services.opportunities.interest(sam, posted.id)
    await services.opportunities.select(WORKER, posted.id, sam.user_id)
    provider = OpportunitiesPersonalData()
    async with services.db.begin() as s:
        member_id = await s.scalar(select(Member.id).where(Member.user_id == sam.user_id))
        assert member_id is not None
        data = await provider.export(s, sam.guild_id, sam.user_id, member_id)
        assert [d["title"] for d in data["selected_for"]] == [DRAFT.title]
        await provider.erase(s, sam.guild_id, sam.user_id, member_id)
        again = await provider.export(s, sam.guild_id, sam.user_id, member_id)
    assert again == {"interested_in": [], "selected_for": []}
