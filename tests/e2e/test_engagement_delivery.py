"""Level notices, level moves and their DMs go out once through Discord's failures, or are noted.

Discord answering 503 (before or after doing the work) delays a notice, a role swap or a DM;
it never loses one or doubles it. Closed DMs are recorded, and workers are told when a member
could not be told about a decision they are waiting for.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.contribution_kinds import ContributionKind
from bot.db.models import Member, OutboxItem
from bot.sandbox.fakediscord import FakeDiscord
from bot.services.contributions import record_contribution
from tests.e2e.flows import approved, click
from tests.e2e.harness import (
    BotHarness,
    People,
    attachments_of,
    custom_ids,
    everything_text,
    settle,
    slash,
)

MESSAGES = r"^/channels/\d+/messages$"
ROLES = r"^/guilds/\d+/members/\d+/roles/\d+$"


async def _record(harness: BotHarness, user_id: int, kind: ContributionKind, source: str) -> None:
    now = harness.clock.now()
    async with harness.services.db.begin() as s:
        member = await s.scalar(select(Member).where(Member.user_id == user_id))
        assert member is not None
        await record_contribution(
            s,
            guild_id=member.guild_id,
            member_id=member.id,
            kind=kind,
            source_key=source,
            occurred_at=now,
            recorded_at=now,
        )


async def _meets_working_together(harness: BotHarness, user_id: int) -> None:
    """Give a member what Working Together asks for, except the month (the test moves time)."""
    for i in range(3):
        await _record(harness, user_id, ContributionKind.POLL_VOTE, f"poll:{user_id}:{i}")
    await _record(harness, user_id, ContributionKind.SESSION_ATTENDED, f"session:{user_id}")


async def _drain(harness: BotHarness, clock: ManualClock, rounds: int = 8) -> None:
    """Run what is due, moving the clock past each back-off, until nothing is pending."""
    for _ in range(rounds):
        await harness.run_due()
        await asyncio.sleep(0.05)
        if not (await harness.services.outbox.counts()).get("pending"):
            return
        clock.advance(timedelta(seconds=61))
    raise AssertionError(f"still pending: {await harness.services.outbox.counts()}")


async def _outbox(harness: BotHarness, kind: str) -> list[OutboxItem]:
    async with harness.services.db() as s:
        return list(await s.scalars(select(OutboxItem).where(OutboxItem.kind == kind)))


def _notices(fake: FakeDiscord, user: int) -> list[dict]:
    return [m for m in fake.dm_messages(user) if "now meets what the" in (m.get("content") or "")]


def _roles(fake: FakeDiscord, group: People, user: int) -> set[int]:
    return {int(r) for r in fake.member(group["guild"], user)["roles"]}


async def test_a_level_notice_arrives_once_through_503s_and_a_lost_reply(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    sam = await approved(fake, group, "Sam")
    await _meets_working_together(harness, sam)
    await _drain(harness, clock)
    # Discord fails the DM once outright, then once after posting it (the reply is lost).
    fake.faults.fail_next("POST", MESSAGES, 503)
    fake.faults.fail_next("POST", MESSAGES, 503, after_effect=True)
    clock.advance(timedelta(days=32))
    await harness.run_due()
    assert _notices(fake, sam) == [] and len(fake.faults.given) == 1
    # The bot restarts before trying again: the notice is still owed, and goes out once.
    await harness.restart()
    await _drain(harness, clock)
    [notice] = _notices(fake, sam)
    assert len(fake.faults.given) == 2
    assert any(c.startswith("eng:notice:move_up:") for c in custom_ids(notice))
    assert any(c.startswith("eng:notice:stay:") for c in custom_ids(notice))
    [row] = await _outbox(harness, "engagement.notice")
    assert row.status == "done" and row.attempts == 3
    # Another restart and later sweeps never send it again.
    await harness.restart()
    clock.advance(timedelta(days=1))
    await _drain(harness, clock)
    assert len(_notices(fake, sam)) == 1
    # The buttons work: Sam asks to move up.
    chose = await click(fake, sam, notice, "eng:notice:move_up:")
    assert "worker will confirm" in (chose.content or "")


async def test_a_confirmed_move_swaps_roles_and_tells_once_through_failures(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    sam = await approved(fake, group, "Sam")
    await _meets_working_together(harness, sam)
    clock.advance(timedelta(days=32))
    await _drain(harness, clock)
    [notice] = _notices(fake, sam)
    # The card for workers survives a 503 too, and is posted once.
    fake.faults.fail_next("POST", MESSAGES, 503, after_effect=True)
    await click(fake, sam, notice, "eng:notice:move_up:")
    await _drain(harness, clock)
    cards = [
        m
        for m in fake.messages_in(group["#worker-log"])
        if "would like to move up" in everything_text(m)
    ]
    assert len(cards) == 1
    old, new = group["role:Level: Consultation"], group["role:Level: Working Together"]
    assert old in _roles(fake, group, sam) and new not in _roles(fake, group, sam)

    # Taking the old role away fails after doing it; adding the new one fails outright; the
    # DM saying so fails once too. All of it still happens, once.
    fake.faults.fail_next("DELETE", ROLES, 503, after_effect=True)
    fake.faults.fail_next("PUT", ROLES, 503)
    fake.faults.fail_next("POST", MESSAGES, 503)
    confirmed = await click(fake, group.worker, cards[0], "eng:move:confirm:")
    assert confirmed.callback_type == 7
    await _drain(harness, clock)
    assert new in _roles(fake, group, sam) and old not in _roles(fake, group, sam)
    told = [m for m in fake.dm_messages(sam) if "has been confirmed" in (m.get("content") or "")]
    assert len(told) == 1 and "Working Together" in told[0]["content"]
    assert len(fake.faults.given) == 4
    [roles] = await _outbox(harness, "engagement.level_roles")
    assert roles.status == "done"
    async with harness.services.db() as s:
        member = await s.scalar(select(Member).where(Member.user_id == sam))
        assert member is not None and member.level_key == "working_together"


async def test_closed_dms_are_recorded_and_workers_are_told(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    guild = group["guild"]
    kit = await approved(fake, group, "Kit")
    await _drain(harness, clock)
    fake.set_dms_open(kit, False)
    await _meets_working_together(harness, kit)
    clock.advance(timedelta(days=32))
    await _drain(harness, clock)
    [failed] = await _outbox(harness, "engagement.notice")
    assert failed.status == "failed" and "DMs are closed" in (failed.last_error or "")
    listed = await slash(fake, group.worker, guild, "levels eligible")
    assert "could not be sent the message" in await settle(fake, listed)

    # Kit still sees the choice in /progress, and asks to move up from there.
    progress = await slash(fake, kit, guild, "progress")
    await fake.wait_for(lambda: attachments_of(progress))
    shown = progress.followups[-1] if progress.followups else progress.original
    assert shown is not None
    await click(fake, kit, shown, "eng:notice:move_up:")
    await _drain(harness, clock)
    [card] = [
        m
        for m in fake.messages_in(group["#worker-log"])
        if "would like to move up" in everything_text(m)
    ]
    await click(fake, group.worker, card, "eng:move:confirm:")
    await _drain(harness, clock)
    # Kit cannot be told, so the workers are, once, in #worker-log.
    notes = [
        m
        for m in fake.messages_in(group["#worker-log"])
        if "couldn't message" in (m.get("content") or "")
    ]
    assert len(notes) == 1
    assert "Kit" in notes[0]["content"] and "move up a level was confirmed" in notes[0]["content"]
    assert group["role:Level: Working Together"] in _roles(fake, group, kit)


async def test_a_claim_decided_by_command_redraws_its_card_and_tells_once(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    guild = group["guild"]
    sam = await approved(fake, group, "Sam")
    await _drain(harness, clock)
    # The card is posted once though Discord fails the first try after posting it.
    fake.faults.fail_next("POST", MESSAGES, 503, after_effect=True)
    await slash(fake, sam, guild, "expenses claim", {"category": "travel", "amount": "6"})
    await _drain(harness, clock)
    [card] = [
        m for m in fake.messages_in(group["#worker-log"]) if "Expenses claim" in everything_text(m)
    ]
    assert any(c.startswith("eng:claim:approve:") for c in custom_ids(card))

    # Approved by command, not on the card: the card is redrawn (through a 503), the
    # member told once (through another).
    fake.faults.fail_next("PATCH", r"^/channels/\d+/messages/\d+$", 503)
    fake.faults.fail_next("POST", MESSAGES, 503)
    [claim] = await _outbox(harness, "engagement.claim_card")
    number = claim.payload["claim_id"]
    done = await slash(fake, group.worker, guild, "expenses approve", {"number": number})
    assert "approved" in (done.content or "")
    await _drain(harness, clock)
    redrawn = fake.message(int(card["id"]))
    ids = custom_ids(redrawn)
    assert not any(c.startswith("eng:claim:approve:") for c in ids)
    assert any(c.startswith("eng:claim:paid:") for c in ids)
    assert "Wendy Worker" in everything_text(redrawn)
    told = [m for m in fake.dm_messages(sam) if "claim #" in (m.get("content") or "")]
    assert len(told) == 1 and "has been approved" in told[0]["content"]
    assert len(fake.faults.given) == 3
