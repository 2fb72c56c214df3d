"""Expenses: amounts, claims, approval, rejection with a reason, payment and days to pay."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.engagement import Receipt, check_upload
from bot.services.engagement.expenses import parse_amount
from bot.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tests.conftest import GUILD, WORKER
from tests.services.helpers import approved_member, set_up_guild

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("12.50", 1250),
        ("£7", 700),
        ("£ 7.5", 750),
        ("  3.05 ", 305),
        ("1,000", 100000),
        ("1000.00", 100000),
        ("50p", 50),
        ("0.01", 1),
        ("007.20", 720),
    ],
)
def test_amounts_understood(text: str, pence: int) -> None:
    assert parse_amount(text) == pence


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5", "negative"),
        ("£-5.00", "negative"),
        ("−3", "negative"),
        ("0", "more than £0.00"),
        ("0.00", "more than £0.00"),
        ("£0", "more than £0.00"),
        ("1000.01", "too large"),
        ("1,000,000", "too large"),
        ("99999999999999999999", "too large"),
        ("twelve", "not an amount"),
        ("12.5.0", "not an amount"),
        ("1e3", "not an amount"),
        ("NaN", "not an amount"),
        ("", "pounds and pence"),
        ("12.505", "two digits"),
        ("0.001", "two digits"),
        ("١٢", "not an amount"),
        ("12,50", "not an amount"),
    ],
)
def test_bad_amounts_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_amount(text)


@given(st.text(max_size=30))
def test_any_text_gives_an_amount_in_range_or_a_friendly_error(text: str) -> None:
    try:
        pence = parse_amount(text)
    except InvalidInput as exc:
        assert exc.message and len(exc.message) < 300
    else:
        assert 1 <= pence <= 100_000


@given(st.integers(min_value=1, max_value=100_000))
def test_every_valid_amount_round_trips(pence: int) -> None:
    assert parse_amount(f"£{pence // 100}.{pence % 100:02d}") == pence


async def test_claim_approve_pay_and_days(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 6001, "Sam")
    claim = await services.engagement.expenses.claim(
        sam,
        "travel",
        "£12.50",
        "Bus to the session",
        receipt=Receipt("receipt.png", "image/png", PNG),
    )
    assert claim.status == "submitted" and claim.amount_text == "£12.50"
    assert claim.worker_log_channel_id is not None and "claim #" in claim.member_text
    [waiting] = await services.engagement.expenses.waiting(WORKER)
    assert waiting.id == claim.id and waiting.preferred_name == "Sam"
    clock.advance(timedelta(days=2))
    approved = await services.engagement.expenses.approve(WORKER, claim.id)
    assert approved.status == "approved" and approved.user_id == 6001
    assert "approved" in approved.member_text
    clock.advance(timedelta(days=3, hours=1))
    paid = await services.engagement.expenses.mark_paid(WORKER, claim.id)
    assert paid.status == "paid" and paid.days_to_pay == 5 and "paid" in paid.member_text
    [mine] = await services.engagement.expenses.mine(sam)
    assert mine.status_text == "paid"
    with pytest.raises(Conflict, match="already paid"):
        await services.engagement.expenses.mark_paid(WORKER, claim.id)


async def test_claim_rejected_with_reason(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 6002, "Sam")
    claim = await services.engagement.expenses.claim(sam, "childcare", "30", "Childminder")
    with pytest.raises(InvalidInput):
        await services.engagement.expenses.reject(WORKER, claim.id, "  ")
    rejected = await services.engagement.expenses.reject(WORKER, claim.id, "No receipt yet")
    assert rejected.reject_reason == "No receipt yet" and "No receipt yet" in rejected.member_text
    with pytest.raises(Conflict, match="not approved"):
        await services.engagement.expenses.approve(WORKER, claim.id)
    with pytest.raises(Conflict):
        await services.engagement.expenses.mark_paid(WORKER, claim.id)


async def test_claim_refusals(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 6003, "Sam")
    with pytest.raises(InvalidInput, match="travel"):
        await services.engagement.expenses.claim(sam, "holiday", "12", "x")
    with pytest.raises(InvalidInput, match="negative"):
        await services.engagement.expenses.claim(sam, "travel", "-12", "x")
    with pytest.raises(InvalidInput, match="note"):
        await services.engagement.expenses.claim(sam, "other", "12", None)
    # A receipt is kept as bytes, and only a picture or a PDF, whatever it claims to be.
    with pytest.raises(InvalidInput, match="picture"):
        await services.engagement.expenses.claim(
            sam, "travel", "12", None, receipt=Receipt("r.png", "image/png", b"MZ\x90\x00")
        )
    with pytest.raises(InvalidInput, match="too big"):
        big = PNG + b"\0" * (8 * 1024 * 1024)
        await services.engagement.expenses.claim(
            sam, "travel", "12", None, receipt=Receipt("r.png", "image/png", big)
        )
    with pytest.raises(InvalidInput, match="picture"):
        check_upload("notes.txt", "text/plain", 100)
    with pytest.raises(InvalidInput):
        await services.engagement.expenses.claim(sam, "travel", "12", "x" * 501)
    with pytest.raises(NotAllowed, match="join"):
        await services.engagement.expenses.claim(Actor(6999, GUILD), "travel", "12", None)
    assert await services.engagement.expenses.mine(sam) == []


async def test_only_other_workers_decide(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 6004, "Sam")
    claim = await services.engagement.expenses.claim(sam, "respite_care", "40", None)
    with pytest.raises(NotAllowed, match="workers"):
        await services.engagement.expenses.approve(sam, claim.id)
    with pytest.raises(NotAllowed):
        await services.engagement.expenses.waiting(sam)
    await approved_member(services, 6005, "Kim")
    kim_worker = Actor(6005, GUILD, WORKER.role_ids)
    own = await services.engagement.expenses.claim(kim_worker, "travel", "5", None)
    with pytest.raises(NotAllowed, match="own claim"):
        await services.engagement.expenses.approve(kim_worker, own.id)
    with pytest.raises(NotAllowed, match="own claim"):
        await services.engagement.expenses.reject(kim_worker, own.id, "hmm")
    await services.engagement.expenses.approve(kim_worker, claim.id)  # someone else's: fine
    with pytest.raises(NotFound):
        await services.engagement.expenses.approve(WORKER, 424242)


async def test_concurrent_approvals_approve_once(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 6006, "Sam")
    claim = await services.engagement.expenses.claim(sam, "travel", "9.99", None)
    results = await asyncio.gather(
        *(services.engagement.expenses.approve(WORKER, claim.id) for _ in range(3)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 2
