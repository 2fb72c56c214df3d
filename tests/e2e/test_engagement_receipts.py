"""Receipts are kept as files, not as Discord links that expire within a day."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import timedelta

from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.db.models import ExpenseClaim
from bot.db.models.engagement import ExpenseReceipt
from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved, click
from tests.e2e.harness import (
    BotHarness,
    People,
    answered,
    attachments_of,
    everything_text,
    settle,
    slash,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"receipt: bus fare 4.20 " * 40


async def _drain(harness: BotHarness, clock: ManualClock, rounds: int = 8) -> None:
    """Run what is due, moving the clock past each back-off, until nothing is pending."""
    for _ in range(rounds):
        await harness.run_due()
        await asyncio.sleep(0.05)
        if not (await harness.services.outbox.counts()).get("pending"):
            return
        clock.advance(timedelta(seconds=61))
    raise AssertionError(f"still pending: {await harness.services.outbox.counts()}")


async def _count(harness: BotHarness, model: type) -> int:
    async with harness.services.db() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


def _cards(fake: FakeDiscord, group: People) -> list[dict]:
    return [
        m for m in fake.messages_in(group["#worker-log"]) if "Expenses claim" in everything_text(m)
    ]


async def test_receipts_are_kept_shown_exported_and_erased(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    guild = group["guild"]
    sam = await approved(fake, group, "Sam")
    claim = {"category": "travel", "amount": "4.20"}

    # Too big, or not a picture or PDF: refused kindly and privately; nothing is kept.
    huge = fake.upload_attachment("scan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (9 * 1024 * 1024))
    refused = await slash(fake, sam, guild, "expenses claim", {**claim, "receipt": huge})
    assert refused.ephemeral and "too big" in await settle(fake, refused)
    words = fake.upload_attachment("notes.txt", b"I spent four pounds", "text/plain")
    refused = await slash(fake, sam, guild, "expenses claim", {**claim, "receipt": words})
    assert refused.ephemeral and "picture" in await settle(fake, refused)
    pretend = fake.upload_attachment("photo.png", b"MZ\x90\x00 not a picture at all")
    refused = await slash(fake, sam, guild, "expenses claim", {**claim, "receipt": pretend})
    assert refused.ephemeral and "picture" in await settle(fake, refused)
    assert await _count(harness, ExpenseClaim) == 0

    # A real receipt: fetched when the claim is made and kept.
    upload = fake.upload_attachment("bus.png", PNG)
    made = await slash(fake, sam, guild, "expenses claim", {**claim, "receipt": upload})
    assert "£4.20" in await settle(fake, made)
    await _drain(harness, clock)
    [card] = _cards(fake, group)
    assert "bus.png" in everything_text(card)

    # A day later Discord's link has expired; the worker still sees the receipt.
    fake.expire_attachments()
    shown = await click(fake, group.worker, card, "eng:receipt:")
    [file] = attachments_of(shown)
    assert fake.attachment_bytes(file) == PNG and file["filename"] == "bus.png"
    # Only workers (and the person who claimed) may see it.
    [stored] = await _claims(harness)
    nosy = await approved(fake, group, "Nosy")
    refused = await slash(fake, nosy, guild, "expenses receipt", {"number": stored.id})
    assert "Only participation workers" in (refused.content or "")
    own = await slash(fake, sam, guild, "expenses receipt", {"number": stored.id})
    assert fake.attachment_bytes(attachments_of(own)[0]) == PNG

    # /mydata holds the receipt itself.
    export = await slash(fake, sam, guild, "mydata")
    await fake.wait_for(lambda: attachments_of(export))
    data = json.loads(fake.attachment_bytes(attachments_of(export)[0]))
    [exported] = data["engagement"]["expense_claims"]
    assert base64.b64decode(exported["receipt"]["base64"]) == PNG
    assert exported["receipt"]["content_type"] == "image/png"

    # /forgetme removes it; the claim's amount stays, unlinked, for the accounts.
    ask = await slash(fake, sam, guild, "forgetme")
    assert ask.original is not None
    done = await answered(await fake.click(sam, int(ask.original["id"]), "confirm:yes"))
    await fake.wait_for(lambda: "erased" in (done.content or ""))
    assert await _count(harness, ExpenseReceipt) == 0
    [kept] = await _claims(harness)
    assert kept.amount_pence == 420 and kept.receipt_filename is None
    gone = await slash(fake, group.worker, guild, "expenses receipt", {"number": kept.id})
    assert "no receipt" in (gone.content or "")


async def _claims(harness: BotHarness) -> list[ExpenseClaim]:
    async with harness.services.db() as s:
        return list(await s.scalars(select(ExpenseClaim).order_by(ExpenseClaim.id)))
