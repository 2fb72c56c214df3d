"""Expenses, payments and contribution fixes through the stand-in, with the bad input."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import AuditEntry, ExpenseClaim, Member, Payment
from bot.sandbox.driver import button_on
from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved, click
from tests.e2e.harness import (
    BotHarness,
    People,
    answered,
    custom_ids,
    everything_text,
    settle,
    slash,
    table_dump,
)


def _cards(fake: FakeDiscord, group: People) -> list[dict]:
    return [
        m for m in fake.messages_in(group["#worker-log"]) if "Expenses claim" in everything_text(m)
    ]


async def _claims(harness: BotHarness) -> list[ExpenseClaim]:
    async with harness.services.db() as s:
        return list((await s.scalars(select(ExpenseClaim).order_by(ExpenseClaim.id))).all())


async def test_claims_approved_paid_and_rejected(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    guild = group["guild"]
    sam = await approved(fake, group, "Sam")

    # Bad amounts are refused privately and change nothing.
    for amount, words in [
        ("-5", "negative"),
        ("0", "more than £0.00"),
        ("5000", "too large"),
        ("lots", "not an amount"),
        ("12.505", "two digits"),
    ]:
        handle = await slash(
            fake, sam, guild, "expenses claim", {"category": "travel", "amount": amount}
        )
        assert handle.ephemeral and words in (handle.content or ""), (amount, handle.content)
    assert await _claims(harness) == []

    # A claim with a receipt: the member is told, the workers get a card.
    receipt = fake.upload_attachment("receipt.png", b"\x89PNG\r\n\x1a\nfake")
    made = await slash(
        fake,
        sam,
        guild,
        "expenses claim",
        {
            "category": "travel",
            "amount": "£12.50",
            "note": "Bus to the session",
            "receipt": receipt,
        },
    )
    # Fetching the receipt is network work, so the answer comes after a "thinking..." defer.
    assert made.ephemeral and "£12.50" in await settle(fake, made)
    await fake.wait_for(lambda: _cards(fake, group))
    card = _cards(fake, group)[-1]
    assert "Bus to the session" in everything_text(card) and "receipt.png" in everything_text(card)
    [stored] = await _claims(harness)
    assert stored.receipt_filename == "receipt.png" and stored.amount_pence == 1250

    # A member cannot approve; two workers approving at once approve once.
    nosy = await slash(fake, sam, guild, "expenses approve", {"number": stored.id})
    assert "Only participation workers" in (nosy.content or "")
    cid = button_on(card, "eng:claim:approve:")
    first, second = await asyncio.gather(
        fake.click(group.worker, int(card["id"]), cid),
        fake.click(group.worker, int(card["id"]), cid),
    )
    await asyncio.gather(first.response(), second.response())
    assert sorted([first.callback_type or 0, second.callback_type or 0]) == [4, 7]
    await fake.wait_for(
        lambda: any("has been approved" in (m.get("content") or "") for m in fake.dm_messages(sam))
    )
    card = fake.message(int(card["id"]))
    clock.advance(timedelta(days=3))
    paid = await click(fake, group.worker, card, "eng:claim:paid:")
    assert paid.callback_type == 7
    await fake.wait_for(
        lambda: any("has been paid" in (m.get("content") or "") for m in fake.dm_messages(sam))
    )
    [stored] = await _claims(harness)
    assert stored.status == "paid" and stored.days_to_pay == 3
    # No decision is left to make; the receipt stays viewable from the card.
    assert custom_ids(fake.message(int(card["id"]))) == [f"eng:receipt:{stored.id}"]

    # Another claim is rejected with a reason (a form), and the member sees why.
    await slash(
        fake,
        sam,
        guild,
        "expenses claim",
        {"category": "childcare", "amount": "30", "note": "Sitter"},
    )
    await fake.wait_for(lambda: len(_cards(fake, group)) == 2)
    card2 = _cards(fake, group)[-1]
    form = await click(fake, group.worker, card2, "eng:claim:reject:")
    assert form.modal is not None
    reason = "Please send the receipt and claim again."
    done = await answered(
        await fake.submit_modal(group.worker, form, {form.modal.fields[0].custom_id: reason})
    )
    assert done.callback_type in (4, 7)
    await fake.wait_for(
        lambda: any(reason in (m.get("content") or "") for m in fake.dm_messages(sam))
    )
    listed = await slash(fake, sam, guild, "expenses list")
    assert "paid" in (listed.content or "") and reason in (listed.content or "")


async def test_a_worker_cannot_approve_their_own_claim(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild = group["guild"]
    # The worker is also a member of the group.
    kim = await approved(fake, group, "Kim")
    worker_role = group["role:Worker"]
    roles = [int(r) for r in fake.member(guild, kim)["roles"]]
    fake.set_member_roles(guild, kim, [*roles, worker_role])
    await fake.wait_for(
        lambda: any(r.id == worker_role for r in harness.bot.get_guild(guild).get_member(kim).roles)
    )
    await slash(fake, kim, guild, "expenses claim", {"category": "travel", "amount": "7"})
    [claim] = await _claims(harness)
    own = await slash(fake, kim, guild, "expenses approve", {"number": claim.id})
    assert "own claim" in (own.content or "")
    ok = await slash(fake, group.worker, guild, "expenses approve", {"number": claim.id})
    assert "approved" in (ok.content or "")


async def test_declining_payment_and_fixing_contributions(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    guild = group["guild"]
    lee = await approved(fake, group, "Lee")
    async with harness.services.db.begin() as s:
        member = await s.scalar(select(Member).where(Member.user_id == lee))
        assert member is not None
        member.level_key = "doing_together"
    clock.advance(timedelta(minutes=5))
    rate = await slash(fake, lee, guild, "payments rate")
    assert "£15.00 an hour" in (rate.content or "")
    declined = await slash(fake, lee, guild, "payments preference", {"reward": "declined"})
    assert "not to be paid" in (declined.content or "")

    nosy = await slash(
        fake, lee, guild, "contributions log", {"member": lee, "kind": "project_work", "hours": "2"}
    )
    assert "Only participation workers" in (nosy.content or "")
    logged = await slash(
        fake,
        group.worker,
        guild,
        "contributions log",
        {"member": lee, "kind": "project_work", "hours": "2", "note": "Leaflet"},
    )
    assert "payment record" in (logged.content or "")
    async with harness.services.db() as s:
        payment = await s.scalar(select(Payment))
        assert payment is not None and payment.status == "declined"
        contribution_id = payment.contribution_id
    mine = await slash(fake, lee, guild, "payments mine")
    assert "declined" in (mine.content or "")

    bad = await slash(
        fake,
        group.worker,
        guild,
        "contributions correct",
        {"number": contribution_id, "reason": "typo", "hours": "-3"},
    )
    assert "Hours" in (bad.content or "") or "hours" in (bad.content or "")
    fixed = await slash(
        fake,
        group.worker,
        guild,
        "contributions correct",
        {"number": contribution_id, "reason": "It was three hours", "hours": "3"},
    )
    assert "Corrected" in (fixed.content or "") and "3 h" in (fixed.content or "")
    removed = await slash(
        fake,
        group.worker,
        guild,
        "contributions remove",
        {"number": contribution_id, "reason": "Logged for the wrong person"},
    )
    assert "Removed" in (removed.content or "")
    async with harness.services.db() as s:
        actions = list(
            await s.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.action.like("contribution.%"))
                .order_by(AuditEntry.id)
            )
        )
    assert actions == ["contribution.log", "contribution.correct", "contribution.remove"]


async def test_forgetme_after_claims_and_contributions(
    fake: FakeDiscord, harness: BotHarness, group: People, db_url: str
) -> None:
    guild = group["guild"]
    note = "Quokka-taxi-4417"
    ren = await approved(fake, group, "Ren")
    await slash(
        fake,
        group.worker,
        guild,
        "contributions log",
        {"member": ren, "kind": "peer_support_given", "hours": "1", "note": note},
    )
    await slash(
        fake, ren, guild, "expenses claim", {"category": "other", "amount": "3", "note": note}
    )
    await slash(fake, ren, guild, "mentor request", {"note": note})
    await slash(fake, ren, guild, "payments preference", {"reward": "voucher"})
    ask = await slash(fake, ren, guild, "forgetme")
    done = await answered(await fake.click(ren, int(ask.original["id"]), "confirm:yes"))
    assert "erased" in (done.content or "")
    dump = await table_dump(db_url)
    mine = {
        "contributions",
        "expense_claims",
        "level_changes",
        "level_notices",
        "mentor_requests",
        "payments",
        "reward_preferences",
        "training_records",
    }
    for table in mine:
        for row in dump[table]:
            text = " ".join(str(v) for v in row)
            assert note not in text and str(ren) not in text, (table, row)
    # The amounts and kinds stay, unlinked, for reports.
    assert len(dump["contributions"]) == 1 and len(dump["expense_claims"]) == 1
