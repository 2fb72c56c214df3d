"""Support through the stand-in: requests, the queue, safeguarding, reports, privacy."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import SupportRequest
from bot.sandbox.driver import button_on
from bot.sandbox.fakediscord import CommandError, FakeDiscord
from tests.e2e.flows import approved, click
from tests.e2e.harness import (
    BotHarness,
    People,
    answered,
    everything_text,
    settle,
    slash,
    table_dump,
)

VIEW_CHANNEL = 1 << 10
# Words nobody types by chance: the database must never hold them.
SECRET = "quillfeather"
CRISIS_SECRET = "moonbeamtoast"


async def _requests(harness: BotHarness) -> list[SupportRequest]:
    async with harness.services.db() as s:
        return list((await s.scalars(select(SupportRequest).order_by(SupportRequest.id))).all())


def _cards(fake: FakeDiscord, group: People) -> list[dict[str, Any]]:
    return [m for m in fake.messages_in(group["#support-queue"]) if m.get("embeds")]


async def _moderator(fake: FakeDiscord, harness: BotHarness, group: People, name: str) -> int:
    user = fake.create_user(name.lower(), name)
    fake.add_member(group["guild"], user)
    fake.set_member_roles(group["guild"], user, [group["role:Moderator"]])
    await fake.wait_for(
        lambda: (m := harness.bot.get_guild(group["guild"]).get_member(user))
        and any(r.id == group["role:Moderator"] for r in m.roles)
    )
    return user


async def test_request_by_dm_private_space_claim_race_and_resolve(
    fake: FakeDiscord, harness: BotHarness, group: People, db_url: str
) -> None:
    sam = await approved(fake, group, "Sam")
    other = await approved(fake, group, "Olu")
    mod2 = await _moderator(fake, harness, group, "Maya")
    handle = await slash(
        fake,
        sam,
        None,
        "support",
        {"topic": "struggling", "urgency": "today", "message": f"I feel {SECRET} lately"},
    )
    # The private space: the member and moderators see it, other members do not.
    await fake.wait_for(lambda: len(_cards(fake, group)) == 1)
    await fake.wait_for(
        lambda: any("private space is ready" in (m.get("content") or "") for m in handle.followups)
    )
    text = await settle(fake, handle)
    assert "What happens next" in text and "116 123" in text and "85258" in text
    assert "within 1 working day" in text
    stored = (await _requests(harness))[0]
    space = stored.private_channel_id
    assert space is not None
    assert fake.visible_to(sam, space) and fake.visible_to(group.moderator, space)
    assert not fake.visible_to(other, space)
    assert any(SECRET in (m.get("content") or "") for m in fake.messages_in(space))
    # Urgent ("today"): the card pings the moderators at once.
    card = _cards(fake, group)[0]
    assert f"<@&{group['role:Moderator']}>" in (card.get("content") or "")
    assert "I'm struggling and want to talk" in everything_text(card)
    assert SECRET not in everything_text(card)

    # Someone who can see the queue (given view access) but is not a moderator presses Claim:
    # refused privately, nothing changes.
    fake.state.set_overwrite(
        group["#support-queue"], other, {"type": 1, "allow": str(VIEW_CHANNEL), "deny": "0"}
    )
    refused = await click(fake, other, card, "support:claim:")
    assert refused.ephemeral and "Only moderators" in (refused.content or "")
    assert (await _requests(harness))[0].claimed_by is None

    # Two moderators press Claim at the same moment: one wins, the other is told who.
    claim_id = button_on(card, "support:claim:")
    first, second = await asyncio.gather(
        fake.click(group.moderator, int(card["id"]), claim_id),
        fake.click(mod2, int(card["id"]), claim_id),
    )
    await asyncio.gather(answered(first), answered(second))
    winner = (await _requests(harness))[0].claimed_by
    assert winner in {group.moderator, mod2}
    loser = second if winner == group.moderator else first
    assert loser.ephemeral and f"<@{winner}> has already picked this one up" in (
        loser.content or ""
    )
    await fake.wait_for(
        lambda: any(
            "picked up your support request" in (m.get("content") or "")
            for m in fake.messages_in(space)
        )
    )

    # Escalate to the safeguarding lead with a reason, then resolve with an outcome.
    card = fake.message(int(card["id"]))
    modal = await click(fake, winner, card, "support:escalate:safeguarding:")
    assert modal.modal is not None
    done = await answered(
        await fake.submit_modal(winner, modal, {"support:escalate:reason": "Lead to call today"})
    )
    assert "Escalated" in (done.content or "")
    await fake.wait_for(
        lambda: any(
            f"<@&{group['role:Safeguarding Lead']}>" in (m.get("content") or "")
            for m in fake.messages_in(group["#support-queue"])
        )
    )
    card = fake.message(int(card["id"]))
    options = await click(fake, winner, card, "support:resolve:")
    assert options.ephemeral and options.original is not None
    note_modal = await answered(
        await fake.select(
            winner, int(options.original["id"]), f"support:outcome:{stored.id}", ["referred"]
        )
    )
    assert note_modal.modal is not None
    resolved = await answered(
        await fake.submit_modal(winner, note_modal, {"support:resolve:note": "Called"})
    )
    assert "Resolved" in (resolved.content or "")
    await fake.wait_for(lambda: (fake.message(int(card["id"])).get("components") or []) == [])
    row = (await _requests(harness))[0]
    assert (row.status, row.outcome, row.escalated_to) == ("resolved", "referred", "safeguarding")

    # Nothing the member wrote is in the database.
    dump = await table_dump(db_url)
    assert SECRET not in repr(dump)


async def test_out_of_hours_long_message_and_someone_who_left(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    sam = await approved(fake, group, "Sam")
    clock.set(datetime(2026, 11, 28, 20, 0, tzinfo=UTC))  # Saturday evening, UK time
    handle = await slash(
        fake, sam, group["guild"], "support", {"topic": "question", "urgency": "week"}
    )
    await fake.wait_for(
        lambda: any("private space is ready" in (m.get("content") or "") for m in handle.followups)
    )
    text = await settle(fake, handle)
    assert handle.ephemeral
    assert "isn't working right now" in text and "Monday 30 November at 9am" in text
    assert "Samaritans" in text

    # Discord itself stops a message over 1,500 characters, so what was typed stays in the box
    # (the service refuses it too, if it ever got through: see the service tests).
    support = next(c for c in fake.commands(None) if c["name"] == "support")
    option = next(o for o in support["options"] if o["name"] == "message")
    assert option["max_length"] == 1500
    with pytest.raises(CommandError):
        await fake.invoke(
            sam,
            group["guild"],
            "support",
            {"topic": "other", "urgency": "week", "message": "x" * 1501},
        )

    leaver = await approved(fake, group, "Lee")
    fake.remove_member(group["guild"], leaver)
    await fake.wait_for(lambda: harness.bot.get_guild(group["guild"]).get_member(leaver) is None)
    gone = await slash(fake, leaver, None, "support", {"topic": "other", "urgency": "week"})
    assert "not in the group's Discord server" in (gone.content or "")
    assert "116 123" in (gone.content or "")
    assert len(await _requests(harness)) == 1


async def test_unclaimed_request_is_raised_again_after_the_configured_time(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    sam = await approved(fake, group, "Sam")
    await slash(fake, sam, group["guild"], "support", {"topic": "question", "urgency": "whenever"})
    await fake.wait_for(lambda: len(_cards(fake, group)) == 1)
    card = _cards(fake, group)[0]
    assert "<@&" not in (card.get("content") or "")  # "whenever": no ping at once

    def raised() -> list[dict[str, Any]]:
        return [
            m
            for m in fake.messages_in(group["#support-queue"])
            if "Still waiting" in (m.get("content") or "")
        ]

    clock.advance(timedelta(minutes=59))
    await harness.run_due()
    assert raised() == []
    clock.advance(timedelta(minutes=2))
    await harness.run_due()
    await fake.wait_for(lambda: len(raised()) == 1)
    assert f"<@&{group['role:Moderator']}>" in raised()[0]["content"]
    await harness.run_due()  # the same interval is never raised twice
    await harness.restart()  # nor after a restart
    await harness.run_due()
    assert len(raised()) == 1
    clock.advance(timedelta(minutes=60))
    await harness.run_due()
    await fake.wait_for(lambda: len(raised()) == 2)
    # Once someone claims it, it is no longer raised.
    card = fake.message(int(card["id"]))
    await click(fake, group.moderator, card, "support:claim:")
    clock.advance(timedelta(hours=3))
    await harness.run_due()
    assert len(raised()) == 2


async def test_crisis_words_get_resources_and_an_urgent_card_fast(
    fake: FakeDiscord, harness: BotHarness, group: People, db_url: str
) -> None:
    sam = await approved(fake, group, "Sam")
    peer = group["#peer-support"]
    benign = await fake.send_message(sam, peer, "this homework is killing me lol")
    await asyncio.sleep(0.3)
    assert _cards(fake, group) == []
    assert not any("116 123" in (m.get("content") or "") for m in fake.dm_messages(sam))

    loop = asyncio.get_running_loop()
    started = loop.time()
    crisis = await fake.send_message(sam, peer, f"I can't go on anymore, I feel so {CRISIS_SECRET}")
    await fake.wait_for(
        lambda: _cards(fake, group)
        and any("116 123" in (m.get("content") or "") for m in fake.dm_messages(sam)),
        timeout=1.0,
    )
    assert loop.time() - started < 1.0
    card = _cards(fake, group)[0]
    assert f"<@&{group['role:Moderator']}>" in (card.get("content") or "")
    assert "Urgent" in everything_text(card)
    assert str(crisis["id"]) in everything_text(card)  # the link to the message
    assert CRISIS_SECRET not in everything_text(card)
    dm = next(m for m in fake.dm_messages(sam) if "116 123" in (m.get("content") or ""))
    assert "not in trouble" in dm["content"] and "hasn't been removed" in dm["content"]
    # The message is left where it was.
    assert fake.message(int(crisis["id"]))["content"].startswith("I can't go on")
    assert fake.message(int(benign["id"]))

    row = (await _requests(harness))[0]
    assert (row.kind, row.urgency, row.user_id) == ("safeguarding", "urgent", sam)
    # Issue 10 changed this: the same words from a moderator are checked too (a volunteer
    # moderator may be a young person), with a kinder card for the safeguarding lead.
    await fake.send_message(group.moderator, peer, "If you feel you can't go on, call 116 123")
    await fake.wait_for(lambda: len(_cards(fake, group)) == 2)
    staff_card = _cards(fake, group)[1]
    assert f"<@&{group['role:Safeguarding Lead']}>" in (staff_card.get("content") or "")
    assert "someone on the team" in everything_text(staff_card)

    # Someone whose DMs are closed gets the contacts in a private thread only they can see.
    zoe = await approved(fake, group, "Zoe")
    fake.set_dms_open(zoe, False)
    await fake.send_message(zoe, peer, "I want to end my life")

    def check_in() -> int | None:
        for channel in fake.state.channels.values():
            if channel.get("type") == 12 and channel.get("parent_id") == str(peer):
                tid = int(channel["id"])
                if any("116 123" in (m.get("content") or "") for m in fake.messages_in(tid)):
                    return tid
        return None

    thread = await fake.wait_for(check_in, timeout=2.0)
    assert zoe in fake.thread_members(thread) and sam not in fake.thread_members(thread)
    await fake.wait_for(lambda: len(_cards(fake, group)) == 3)
    assert CRISIS_SECRET not in repr(await table_dump(db_url))


async def test_report_a_message_and_not_the_bots_own(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    sam = await approved(fake, group, "Sam")
    olu = await approved(fake, group, "Olu")
    peer = group["#peer-support"]
    target = await fake.send_message(olu, peer, "something unkind")
    form = await answered(
        await fake.context_menu(sam, group["guild"], "Report to moderators", int(target["id"]))
    )
    assert form.modal is not None  # why is optional: sending it empty reports the message
    handle = await answered(await fake.submit_modal(sam, form, {}))
    assert handle.ephemeral and "Thank you for telling us" in (handle.content or "")
    await fake.wait_for(lambda: len(_cards(fake, group)) == 1)
    card = _cards(fake, group)[0]
    assert "Reported message" in everything_text(card)
    assert str(target["id"]) in everything_text(card)
    again = await answered(
        await fake.context_menu(sam, group["guild"], "Report to moderators", int(target["id"]))
    )
    assert "already reported" in (again.content or "")

    pinned = fake.pins(peer)
    assert pinned, "/setup pins the peer-support guidelines"
    own = await answered(
        await fake.context_menu(sam, group["guild"], "Report to moderators", int(pinned[0]["id"]))
    )
    assert own.ephemeral and "posted by me" in (own.content or "")
    assert len(_cards(fake, group)) == 1

    # /support works in DMs, so it is a global command; the rest belong to the server.
    assert any(c["name"] == "support" for c in fake.commands(None))
    assert not any(c["name"] == "support" for c in fake.commands(group["guild"]))
    assert any(c["name"] == "support-queue" for c in fake.commands(group["guild"]))

    # The moderators' list: open requests by urgency then age.
    queue = await slash(fake, group.moderator, group["guild"], "support-queue")
    assert queue.ephemeral and "Open support requests: 1" in everything_text(queue.original or {})
    refused = await slash(fake, sam, group["guild"], "support-queue")
    assert "Only moderators" in (refused.content or "")


async def test_peer_support_flags_exactly_what_the_patterns_match(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    sam = await approved(fake, group, "Sam")
    peer = group["#peer-support"]
    crisis = [
        "i want to KILL   MYSELF",
        "I’ve been self-harming again",
        "everyone would be better off without me",
        "I took all my pills",
    ]
    benign = [
        "this homework is killing me",
        "I was dying of laughter",
        "see you all at the session on Tuesday!",
        "Suicide Squad is on tonight",
    ]
    sent = {}
    for text in [*benign, *crisis]:
        sent[text] = await fake.send_message(sam, peer, text)
    await fake.wait_for(lambda: len(_cards(fake, group)) >= len(crisis))
    await asyncio.sleep(0.3)  # nothing more arrives
    cards = "\n".join(everything_text(c) for c in _cards(fake, group))
    assert len(_cards(fake, group)) == len(crisis)
    for text in crisis:
        assert str(sent[text]["id"]) in cards
    for text in benign:
        assert str(sent[text]["id"]) not in cards
    # Every message is still there.
    assert all(fake.message(int(m["id"]))["content"] == t for t, m in sent.items())
    # The author got the full note once, then shorter ones (no wall of identical DMs).
    notes = [m["content"] for m in fake.dm_messages(sam) if "116 123" in (m.get("content") or "")]
    assert len(notes) == len(crisis)
    assert sum("check you're okay" in n for n in notes) == 1
