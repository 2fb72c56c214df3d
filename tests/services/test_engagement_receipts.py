"""Receipts: what counts as one, and how /mydata carries them without outgrowing Discord."""

from __future__ import annotations

import base64

import pytest

from bot.services.container import Services
from bot.services.engagement import Receipt
from bot.services.engagement.receipts import MAX_BYTES, sniff
from bot.services.errors import InvalidInput, NotAllowed
from tests.conftest import WORKER
from tests.services.helpers import approved_member, set_up_guild

PNG = b"\x89PNG\r\n\x1a\n"


def test_a_receipt_is_what_its_bytes_say() -> None:
    assert sniff(PNG + b"x") == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0 jpeg") == "image/jpeg"
    assert sniff(b"GIF89a...") == "image/gif"
    assert sniff(b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"
    assert sniff(b"\0\0\0\x18ftypheic") == "image/heic"
    assert sniff(b"%PDF-1.7") == "application/pdf"
    assert sniff(b"<html>") is None and sniff(b"") is None


async def test_large_receipts_are_pointed_to_not_packed_into_mydata(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 6101, "Sam")
    big = PNG + b"\0" * (4 * 1024 * 1024)
    first = await services.engagement.expenses.claim(
        sam, "travel", "1", None, receipt=Receipt("a.png", "image/png", big)
    )
    second = await services.engagement.expenses.claim(
        sam, "travel", "2", None, receipt=Receipt("b.jpeg", "image/png", PNG + b"b" * 10)
    )
    third = await services.engagement.expenses.claim(
        sam, "travel", "3", None, receipt=Receipt("c.png", "image/png", big)
    )
    claims = (await services.membership.export(sam))["engagement"]["expense_claims"]
    by_id = {i: c["receipt"] for i, c in zip([first.id, second.id, third.id], claims, strict=True)}
    assert base64.b64decode(by_id[first.id]["base64"]) == big
    # Named for what it is (a PNG), whatever the name said.
    assert by_id[second.id]["filename"] == "b.png"
    assert "base64" not in by_id[third.id]
    assert f"/expenses receipt number:{third.id}" in by_id[third.id]["how_to_get_it"]
    # The claimant and workers may see it; another member may not.
    assert (await services.engagement.receipts.receipt(sam, third.id)).data == big
    assert (await services.engagement.receipts.receipt(WORKER, third.id)).data == big
    other = await approved_member(services, 6102, "Jo")
    with pytest.raises(NotAllowed):
        await services.engagement.receipts.receipt(other, third.id)
    with pytest.raises(InvalidInput, match="too big"):
        await services.engagement.expenses.claim(
            sam, "travel", "1", None, receipt=Receipt("d.png", "", PNG + b"\0" * MAX_BYTES)
        )
