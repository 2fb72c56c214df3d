"""/mydata includes everything engagement stores; /forgetme leaves no trace of the person."""

from __future__ import annotations

import base64
from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import (
    Contribution,
    ExpenseClaim,
    LevelChange,
    LevelNotice,
    MentorRequest,
    OutboxItem,
    Payment,
    RewardPreference,
    TrainingRecord,
)
from bot.db.models.engagement import ExpenseReceipt
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.engagement import Receipt
from tests.conftest import GUILD, WORKER
from tests.services.helpers import approved_member, set_up_guild
from tests.services.test_engagement_helpers import meet_working_together, member_id, set_level

SECRET = "Zebra-words-7731"
TABLES = [
    Contribution,
    ExpenseClaim,
    ExpenseReceipt,
    LevelChange,
    LevelNotice,
    MentorRequest,
    OutboxItem,
    Payment,
    RewardPreference,
    TrainingRecord,
]


async def _busy_member(services: Services, clock: ManualClock) -> Actor:
    await set_up_guild(services)
    sam = await approved_member(services, 7001, "Sam")
    await approved_member(services, 7002, "Alex")
    await set_level(services, Actor(7002, GUILD), "leading")
    await meet_working_together(services, sam, clock)
    [event] = await services.engagement.progress.note_due(clock.now())
    await services.engagement.moves.choose(sam, event.notice_id, "move_up")
    await services.engagement.moves.confirm(WORKER, event.notice_id)
    await set_level(services, sam, "doing_together")
    clock.advance(timedelta(minutes=1))
    await services.engagement.payments.set_preference(sam, "voucher")
    await services.engagement.contributions.log(
        WORKER, 7001, "project_work", hours="2", note=f"note {SECRET}"
    )
    await services.engagement.training.record(WORKER, 7001, "introduction")
    request = await services.engagement.training.request_mentor(sam, f"help {SECRET}")
    await services.engagement.training.pair(WORKER, request.id, 7002)
    # Sam also mentors someone.
    jo = await approved_member(services, 7003, "Jo")
    other = await services.engagement.training.request_mentor(jo, "please")
    await services.engagement.training.pair(WORKER, other.id, 7001)
    claim = await services.engagement.expenses.claim(
        sam,
        "travel",
        "4.20",
        f"bus {SECRET}",
        receipt=Receipt(f"{SECRET}.png", "image/png", b"%PDF-1.4 " + SECRET.encode()),
    )
    await services.engagement.expenses.reject(WORKER, claim.id, f"reason {SECRET}")
    return sam


async def test_export_has_everything(services: Services, clock: ManualClock) -> None:
    sam = await _busy_member(services, clock)
    data = (await services.membership.export(sam))["engagement"]
    assert len(data["contributions"]) == 6
    assert any(SECRET in (c["note"] or "") for c in data["contributions"])
    assert data["level_messages"][0]["your_choice"] == "move_up"
    assert data["level_changes"][0]["to"] == "working_together"
    assert data["training"][0]["module"] == "introduction"
    assert SECRET in data["mentoring_requests"][0]["note"]
    assert len(data["mentoring_others"]) == 1
    assert data["reward_preference"] == "voucher"
    assert data["payments"][0]["reward"] == "voucher"
    assert SECRET in data["expense_claims"][0]["note"]
    assert SECRET in data["expense_claims"][0]["reject_reason"]
    # The receipt itself, not an expired link: its bytes, kept as a PDF (what it really is).
    receipt = data["expense_claims"][0]["receipt"]
    assert receipt["filename"] == f"{SECRET}.pdf" and receipt["content_type"] == "application/pdf"
    assert SECRET.encode() in base64.b64decode(receipt["base64"])


async def test_forget_leaves_no_trace(services: Services, clock: ManualClock) -> None:
    sam = await _busy_member(services, clock)
    mid = await member_id(services, sam)
    await services.membership.forget(sam)
    async with services.db() as s:
        for model in TABLES:
            for row in await s.scalars(select(model)):
                values = [getattr(row, c.key) for c in model.__table__.columns]
                text = " ".join(str(v) for v in values)
                assert SECRET not in text, model.__tablename__
                assert str(sam.user_id) not in text, model.__tablename__
                if hasattr(row, "member_id"):
                    assert row.member_id != mid, model.__tablename__
                if isinstance(row, MentorRequest):
                    assert row.mentor_member_id != mid
        # Aggregates survive, unlinked: counts by kind, amounts and dates for reports.
        assert len((await s.scalars(select(Contribution))).all()) == 6
        [claim] = (await s.scalars(select(ExpenseClaim))).all()
        assert claim.amount_pence == 420 and claim.member_id is None
        assert len((await s.scalars(select(Payment))).all()) == 1
    # Jo's request goes back to the queue, without Sam as the mentor.
    [jo_request] = await services.engagement.training.open_requests(WORKER)
    assert jo_request.user_id == 7003


async def test_forgetting_a_worker_clears_their_id(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    await approved_member(services, 7010, "Kim")
    await approved_member(services, 7011, "Lee")
    kim_worker = Actor(7010, GUILD, WORKER.role_ids)
    await services.engagement.contributions.log(kim_worker, 7011, "project_work", hours="1")
    await services.engagement.training.record(kim_worker, 7011, "introduction")
    await services.membership.forget(kim_worker)
    async with services.db() as s:
        for model in TABLES:
            for row in await s.scalars(select(model)):
                values = [getattr(row, c.key) for c in model.__table__.columns]
                assert 7010 not in values, model.__tablename__
