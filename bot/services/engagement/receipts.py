"""Expense receipts: checked, kept as bytes (Discord's links expire), shown, exported, erased."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ExpenseClaim, Member
from bot.db.models.engagement import ExpenseReceipt
from bot.services.access import Actor, guild_config, is_worker
from bot.services.base import Service
from bot.services.engagement.common import in_guild
from bot.services.engagement.ladder import format_pounds
from bot.services.errors import InvalidInput, NotAllowed, NotFound
from bot.services.text import clean_text

MAX_BYTES = 8 * 1024 * 1024
MAX_TEXT = "8 MB"
# Receipts put into one /mydata file, in all (base64 grows them by a third; Discord takes 10 MB).
EXPORT_BUDGET = 6 * 1024 * 1024
# What a receipt may be: a photo or scan, or a PDF. Told apart by their first bytes, not by
# the name or the type the uploader's device claimed.
KINDS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "application/pdf": "pdf",
}
NOT_A_RECEIPT = (
    "Sorry, I can only keep a receipt that is a picture (PNG, JPEG, GIF, WebP or HEIC) or a "
    "PDF. Please attach a photo or scan of it and claim again; nothing has been saved."
)


@dataclass(frozen=True)
class Receipt:
    """A receipt's file, as kept and as shown again to workers."""

    filename: str
    content_type: str
    data: bytes
    # What it is, in words, for people who cannot see it (Discord's attachment description).
    description: str = ""


def sniff(data: bytes) -> str | None:
    """Return the receipt type these bytes really are, or None if not a picture or PDF."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return "image/heic"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def check_upload(filename: str, content_type: str | None, size: int) -> None:
    """Refuse, before downloading it, a file too big or plainly not a picture or PDF."""
    if size > MAX_BYTES:
        raise InvalidInput(
            f"Sorry, that receipt is too big to keep (the most is {MAX_TEXT}). A smaller photo "
            "or a screenshot of it works well. Nothing has been saved."
        )
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared and declared not in KINDS and not declared.startswith("image/"):
        raise InvalidInput(NOT_A_RECEIPT)


def receipt_from(filename: str, data: bytes) -> Receipt:
    """Check a downloaded receipt and return it as it will be kept."""
    if len(data) > MAX_BYTES:
        check_upload(filename, None, len(data))
    kind = sniff(data)
    if kind is None:
        raise InvalidInput(NOT_A_RECEIPT)
    name = clean_text(filename, field="the receipt name", max_length=200, required=False)
    stem = (name or "receipt").rsplit(".", 1)[0][:180] or "receipt"
    return Receipt(f"{stem}.{KINDS[kind]}", kind, data)


def keep(s: AsyncSession, claim: ExpenseClaim, receipt: Receipt, now: Any) -> None:
    """Add a claim's receipt bytes to the transaction."""
    s.add(
        ExpenseReceipt(
            claim_id=claim.id,
            guild_id=claim.guild_id,
            filename=receipt.filename,
            content_type=receipt.content_type,
            size=len(receipt.data),
            data=receipt.data,
            stored_at=now,
        )
    )


async def export_for(s: AsyncSession, claim_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Return each claim's receipt for /mydata: its name, type and bytes in base64.

    The file must stay small enough for Discord to take it, so past a budget a receipt is
    listed with how to get it instead (/expenses receipt).
    """
    if not claim_ids:
        return {}
    rows = await s.scalars(
        select(ExpenseReceipt)
        .where(ExpenseReceipt.claim_id.in_(claim_ids))
        .order_by(ExpenseReceipt.claim_id)
    )
    found: dict[int, dict[str, Any]] = {}
    budget = EXPORT_BUDGET
    for r in rows:
        entry: dict[str, Any] = {
            "filename": r.filename,
            "content_type": r.content_type,
            "size_bytes": r.size,
        }
        if r.size <= budget:
            entry["base64"] = base64.b64encode(r.data).decode("ascii")
            budget -= r.size
        else:
            entry["how_to_get_it"] = (
                f"Too large to fit in this file: use /expenses receipt number:{r.claim_id}."
            )
        found[r.claim_id] = entry
    return found


async def erase_for(s: AsyncSession, guild_id: int, member_id: int) -> None:
    """Delete the receipts of a member's claims in this server."""
    claims = select(ExpenseClaim.id).where(
        ExpenseClaim.member_id == member_id, ExpenseClaim.guild_id == guild_id
    )
    await s.execute(
        delete(ExpenseReceipt).where(
            ExpenseReceipt.guild_id == guild_id, ExpenseReceipt.claim_id.in_(claims)
        )
    )


class ReceiptsService(Service):
    """Show a kept receipt to workers, or to the person who claimed."""

    async def receipt(self, actor: Actor, claim_id: int) -> Receipt:
        """Return a claim's receipt (workers, or the claimant), from the bytes kept."""
        async with self.db.begin() as s:
            claim = await in_guild(
                s, ExpenseClaim, claim_id, actor.guild_id, f"There is no claim #{claim_id}."
            )
            member = await s.get(Member, claim.member_id) if claim.member_id else None
            own = member is not None and member.user_id == actor.user_id
            if not own and not is_worker(await guild_config(s, actor.guild_id), actor):
                raise NotAllowed("Only participation workers can see other people's receipts.")
            row = await s.get(ExpenseReceipt, claim_id)
            if row is None:
                raise NotFound(f"Claim #{claim_id} has no receipt kept.")
            what = "PDF" if row.content_type == "application/pdf" else "photo or scan"
            description = (
                f"The {what} of a receipt the member uploaded with expenses claim #{claim.id}: "
                f"{claim.category.replace('_', ' ')}, {format_pounds(claim.amount_pence)}."
            )
            return Receipt(row.filename, row.content_type, row.data, description)
