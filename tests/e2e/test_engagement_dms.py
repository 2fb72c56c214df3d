"""Which engagement DMs reach someone who turned DMs from the bot off.

The rule: an answer to something the person asked for (their move-up request, their claim,
their mentoring request) is sent; a notice they did not ask for (a level message, a payment
made, being picked as a mentor) is not, and they find it in /progress or /payments mine.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.contribution_kinds import ContributionKind
from bot.db.models import Member, Payment
from bot.sandbox.fakediscord import FakeDiscord
from bot.services.access import Actor
from bot.services.contributions import record_contribution
from tests.e2e.flows import approved, click
from tests.e2e.harness import (
    BotHarness,
    People,
    attachments_of,
    everything_text,
    settle,
    slash,
)


async def _set_level(harness: BotHarness, user_id: int, level_key: str) -> None:
    async with harness.services.db.begin() as s:
        member = await s.scalar(select(Member).where(Member.user_id == user_id))
        assert member is not None
        member.level_key = level_key


def _dms(fake: FakeDiscord, user_id: int) -> list[str]:
    return [m.get("content") or "" for m in fake.dm_messages(user_id)]


async def test_a_payment_made_is_not_dmed_to_someone_who_turned_dms_off(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    guild = group["guild"]
    lee = await approved(fake, group, "Lee", reminder_dms=False)
    await _set_level(harness, lee, "doing_together")
    clock.advance(timedelta(minutes=5))
    await slash(
        fake,
        group.worker,
        guild,
        "contributions log",
        {"member": lee, "kind": "project_work", "hours": "2"},
    )
    async with harness.services.db() as s:
        payment = await s.scalar(select(Payment))
        assert payment is not None
    before = len(_dms(fake, lee))
    paid = await slash(fake, group.worker, guild, "payments paid", {"number": payment.id})
    text = paid.content or ""
    assert "£30.00" in text and "turned off messages" in text and "/payments mine" in text, text
    await harness.run_due()
    assert not [t for t in _dms(fake, lee)[before:] if "payment" in t], _dms(fake, lee)
    mine = await slash(fake, lee, guild, "payments mine")
    assert "£30.00 for 2 hours (piece of project work): paid" in (mine.content or ""), mine.content


async def test_a_mentor_who_turned_dms_off_is_told_by_the_worker(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild = group["guild"]
    kim = await approved(fake, group, "Kim")
    lee = await approved(fake, group, "Lee", reminder_dms=False)
    await _set_level(harness, lee, "leading")
    asked = await slash(fake, kim, guild, "mentor request")
    assert "you'll get a message" in (asked.content or ""), asked.content
    [request] = await harness.services.engagement.training.open_requests(_worker(group))
    before = len(_dms(fake, lee))
    paired = await slash(
        fake, group.worker, guild, "mentor pair", {"request": request.id, "mentor": lee}
    )
    assert "turned off messages" in (paired.content or "") and "tell them" in (
        paired.content or ""
    ), paired.content
    # Kim asked, so Kim is told; Lee did not ask and turned DMs off, so the worker tells Lee.
    await fake.wait_for(lambda: any("your mentor" in t for t in _dms(fake, kim)))
    await harness.run_due()
    assert _dms(fake, lee)[before:] == []


async def test_the_answer_to_a_move_up_request_is_sent_even_with_dms_off(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    guild = group["guild"]
    sam = await approved(fake, group, "Sam", reminder_dms=False)
    async with harness.services.db.begin() as s:
        member = await s.scalar(select(Member).where(Member.user_id == sam))
        assert member is not None
        for i, kind in enumerate(
            [ContributionKind.POLL_VOTE] * 3 + [ContributionKind.SESSION_ATTENDED]
        ):
            await record_contribution(
                s,
                guild_id=guild,
                member_id=member.id,
                kind=kind,
                source_key=f"seed:{i}",
                occurred_at=clock.now(),
                recorded_at=clock.now(),
            )
    clock.advance(timedelta(days=40))
    await harness.run_due()
    # Not asked for: no level message by DM. /progress has the choice instead.
    assert not [t for t in _dms(fake, sam) if "now meets what the" in t]
    listed = await slash(fake, group.worker, guild, "levels eligible")
    assert "turned DMs from the bot off" in await settle(fake, listed)
    handle = await slash(fake, sam, guild, "progress")
    await fake.wait_for(lambda: attachments_of(handle))
    shown = handle.followups[-1] if handle.followups else handle.original
    assert shown is not None and "You meet everything" in everything_text(shown)
    await click(fake, sam, shown, "eng:notice:move_up:")
    card = await fake.wait_for(
        lambda: next(
            (
                m
                for m in fake.messages_in(group["#worker-log"])
                if "would like to move up" in str(m.get("content"))
            ),
            None,
        )
    )
    await click(fake, group.worker, card, "eng:move:confirm:")
    # Sam asked, and was promised a message: the answer is sent.
    await fake.wait_for(lambda: any("has been confirmed" in t for t in _dms(fake, sam)))


def _worker(group: People) -> Actor:
    return Actor(group.worker, group["guild"], frozenset({group["role:Worker"]}))
