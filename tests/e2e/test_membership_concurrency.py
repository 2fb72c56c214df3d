"""Double clicks and parallel saves by one person, through the real bot (both databases)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.db.models import EqualityMonitoring, Member
from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved, start_join
from tests.e2e.harness import BotHarness, People, slash


async def test_a_double_i_agree_makes_one_sign_up_and_one_card(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = fake.create_user("dot", "Dot")
    fake.add_member(group["guild"], user)
    before = len(fake.messages_in(group["#worker-log"]))
    consent = await start_join(fake, group, user, name="Dot")
    assert consent.original is not None
    message_id = int(consent.original["id"])
    clicks = await asyncio.gather(
        fake.click(user, message_id, "join:agree"), fake.click(user, message_id, "join:agree")
    )
    await asyncio.gather(*(c.response() for c in clicks))
    said = [c.content or "" for c in clicks]
    assert not any("went wrong" in text for text in said), said
    assert any("waiting for a participation worker" in text for text in said), said
    await fake.wait_for(lambda: len(fake.messages_in(group["#worker-log"])) > before)
    await harness.run_due()
    assert len(fake.messages_in(group["#worker-log"])) == before + 1
    async with harness.services.db() as s:
        count = await s.scalar(select(func.count()).where(Member.user_id == user))
    assert count == 1


async def test_four_equality_answers_saved_at_once_are_all_kept(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = await approved(fake, group, "Eve")
    answers = {
        "gender": "Prefer not to say",
        "ethnicity": "Mixed",
        "disability": "No",
        "sexual_orientation": "Bisexual",
    }
    handles = await asyncio.gather(
        *(slash(fake, user, group["guild"], "equality", {k: v}) for k, v in answers.items())
    )
    assert all("Thank you" in (h.content or "") for h in handles), [h.content for h in handles]
    async with harness.services.db() as s:
        member_id = await s.scalar(select(Member.id).where(Member.user_id == user))
        row = await s.get(EqualityMonitoring, member_id)
    assert row is not None and row.answers == answers
