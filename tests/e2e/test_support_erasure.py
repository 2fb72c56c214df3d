"""/forgetme after asking for support: the card stops naming them; their space is closed to them."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import SupportRequest
from bot.sandbox.driver import answered, everything_text
from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved
from tests.e2e.harness import BotHarness, People, slash


async def test_forgetme_tidies_support_traces_in_discord(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    sam = await approved(fake, group, "Samira")
    handle = await slash(
        fake, sam, group["guild"], "support", {"topic": "question", "urgency": "week"}
    )
    await fake.wait_for(
        lambda: any("private space is ready" in (m.get("content") or "") for m in handle.followups)
    )
    async with harness.services.db() as s:
        space_id = await s.scalar(select(SupportRequest.private_channel_id))
    assert space_id is not None
    assert fake.visible_to(sam, space_id)
    card = await fake.wait_for(
        lambda: next(
            (m for m in fake.messages_in(group["#support-queue"]) if m.get("embeds")), None
        )
    )
    assert f"<@{sam}>" in everything_text(card)

    ask = await slash(fake, sam, group["guild"], "forgetme")
    assert ask.original is not None
    await answered(await fake.click(sam, int(ask.original["id"]), "confirm:yes"))
    await fake.wait_for(lambda: not fake.visible_to(sam, space_id))
    # The redaction is owed with the erasure and delivered by the outbox just after.
    await fake.wait_for(lambda: f"<@{sam}>" not in everything_text(fake.message(int(card["id"]))))
    card = fake.message(int(card["id"]))
    assert f"<@{sam}>" not in everything_text(card) and "Samira" not in everything_text(card)
    # Staff keep the space (a safeguarding record); it is simply closed to the person.
    assert fake.visible_to(group.moderator, space_id)
