"""Payments at paid levels, the rate stated in advance, reward choices and declining."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest

from bot.clock import ManualClock
from bot.contribution_kinds import ContributionKind
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.engagement.ladder import format_pounds
from bot.services.engagement.payments import amount_for
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from tests.conftest import GUILD, WORKER
from tests.services.helpers import approved_member, set_up_guild
from tests.services.test_engagement_helpers import record, set_level


async def _paid_member(services: Services, clock: ManualClock, user_id: int) -> Actor:
    sam = await approved_member(services, user_id, "Sam")
    await set_level(services, sam, "doing_together")
    clock.advance(timedelta(minutes=1))
    return sam


def test_money_words() -> None:
    assert format_pounds(1250) == "£12.50"
    assert format_pounds(100000) == "£1,000.00"
    assert format_pounds(7) == "£0.07"
    assert amount_for(Decimal("1.5"), 1500) == 2250
    assert amount_for(Decimal("0.33"), 1500) == 495


async def test_rate_is_stated_before_the_activity(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    jo = await approved_member(services, 5001, "Jo")
    unpaid = await services.engagement.payments.rate_statement(jo)
    assert not unpaid.paid and "volunteer level" in unpaid.text
    sam = await _paid_member(services, clock, 5002)
    paid = await services.engagement.payments.rate_statement(sam)
    assert paid.paid and paid.hourly_rate_pence == 1500 and "£15.00 an hour" in paid.text
    assert "money" in paid.text
    other = await services.engagement.payments.rate_statement_for(GUILD, 5002)
    assert other is not None and other.text == paid.text
    assert await services.engagement.payments.rate_statement_for(GUILD, 5999) is None


async def test_paid_contribution_creates_a_payment(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    await _paid_member(services, clock, 5003)
    logged = await services.engagement.contributions.log(
        WORKER, 5003, "session_cofacilitated", hours="1.5"
    )
    assert len(logged.payment_ids) == 1
    [due] = await services.engagement.payments.due(WORKER)
    assert (due.amount_pence, due.rate_pence, due.status, due.reward) == (
        2250,
        1500,
        "due",
        "money",
    )
    # Only the paid kinds are paid ("other" is not, even with hours); votes have no hours.
    unpaid = await services.engagement.contributions.log(WORKER, 5003, "other", hours="1")
    assert unpaid.payment_ids == []
    paid = await services.engagement.payments.mark_paid(WORKER, due.id)
    assert paid.status == "paid" and paid.paid_at == clock.now()
    with pytest.raises(Conflict, match="already paid"):
        await services.engagement.payments.mark_paid(WORKER, due.id)


async def test_no_payment_at_an_unpaid_level(services: Services) -> None:
    await set_up_guild(services)
    await approved_member(services, 5004, "Sam")
    logged = await services.engagement.contributions.log(WORKER, 5004, "project_work", hours="3")
    assert logged.payment_ids == []


async def test_contributions_from_other_features_are_paid_by_the_sweep(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    sam = await _paid_member(services, clock, 5005)
    await services.engagement.progress.take_due(clock.now())
    await record(services, sam, ContributionKind.SESSION_ATTENDED, "session:3", Decimal("2"))
    await services.engagement.progress.take_due(clock.now())
    await services.engagement.progress.take_due(clock.now())
    [payment] = await services.engagement.payments.my_payments(sam)
    assert payment.amount_pence == 3000 and payment.amount_text == "£30.00"


async def test_declining_payment(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    sam = await _paid_member(services, clock, 5006)
    statement = await services.engagement.payments.set_preference(sam, "declined")
    assert statement.reward == "declined" and "not to be paid" in statement.text
    await services.engagement.contributions.log(WORKER, 5006, "project_work", hours="2")
    [payment] = await services.engagement.payments.my_payments(sam)
    assert payment.status == "declined" and payment.reward == "declined"
    assert await services.engagement.payments.due(WORKER) == []
    voucher = await services.engagement.payments.set_preference(sam, "voucher")
    assert "voucher" in voucher.text
    with pytest.raises(InvalidInput):
        await services.engagement.payments.set_preference(sam, "bitcoin")


async def test_correcting_and_removing_keep_payments_in_step(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    sam = await _paid_member(services, clock, 5007)
    logged = await services.engagement.contributions.log(WORKER, 5007, "project_work", hours="1")
    await services.engagement.contributions.correct(
        WORKER, logged.contribution.id, reason="longer", hours="3"
    )
    [payment] = await services.engagement.payments.my_payments(sam)
    assert payment.amount_pence == 4500
    await services.engagement.contributions.remove(WORKER, logged.contribution.id, "wrong")
    [payment] = await services.engagement.payments.my_payments(sam)
    assert payment.status == "cancelled"


async def test_payment_refusals(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    sam = await _paid_member(services, clock, 5008)
    await services.engagement.contributions.log(WORKER, 5008, "project_work", hours="1")
    [payment] = await services.engagement.payments.my_payments(sam)
    with pytest.raises(NotAllowed):
        await services.engagement.payments.mark_paid(sam, payment.id)
    with pytest.raises(NotAllowed, match="own"):
        await services.engagement.payments.mark_paid(
            Actor(5008, GUILD, WORKER.role_ids), payment.id
        )
    results = await asyncio.gather(
        *(services.engagement.payments.mark_paid(WORKER, payment.id) for _ in range(3)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 2
