"""Safeguarding without gaps: uncached edits, downtime, staff authors, DMs, out of hours."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.clock import ManualClock
from bot.sandbox.fakediscord import FakeDiscord
from bot.sandbox.fakediscord.messaging import edit_message, find_message
from tests.e2e.flows import approved
from tests.e2e.harness import BotHarness, People, everything_text


def _cards(fake: FakeDiscord, group: People) -> list[dict[str, Any]]:
    return [m for m in fake.messages_in(group["#support-queue"]) if m.get("embeds")]


def _notes(fake: FakeDiscord, user: int) -> list[str]:
    return [m["content"] for m in fake.dm_messages(user) if "116 123" in (m.get("content") or "")]


async def test_messages_posted_while_down_and_uncached_edits_are_checked(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    sam = await approved(fake, group, "Sam")
    olu = await approved(fake, group, "Olu")
    peer = group["#peer-support"]
    await fake.send_message(sam, peer, "morning all")
    await harness.run_due()
    await harness.stop()
    # While the bot is down: one message in crisis, one harmless (edited later).
    crisis = await fake.send_message(olu, peer, "I want to kill myself tonight")
    later = await fake.send_message(sam, peer, "see you at the session tomorrow")
    await harness.start()
    card = await fake.wait_for(lambda: _cards(fake, group))
    assert str(crisis["id"]) in everything_text(card[0])
    await fake.wait_for(lambda: _notes(fake, olu))
    assert len(_cards(fake, group)) == 1

    # The harmless one came from history, so discord.py never cached it: an edit to crisis
    # words arrives only as a raw event, and must still be checked.
    assert harness.bot._connection._get_message(int(later["id"])) is None
    stored = find_message(fake.state, int(later["id"]))
    edit_message(fake.state, stored, {"content": "actually I can't go on anymore"}, [])
    await fake.wait_for(lambda: len(_cards(fake, group)) == 2)
    assert str(later["id"]) in everything_text(_cards(fake, group)[1])
    await fake.wait_for(lambda: _notes(fake, sam))

    # A restart reads from the last message seen: nothing is raised twice.
    await harness.restart()
    await harness.run_due()
    assert len(_cards(fake, group)) == 2


async def test_a_moderator_in_crisis_gets_a_kinder_card_and_note(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    await fake.send_message(group.moderator, group["#peer-support"], "honestly I want to die")
    [card] = await fake.wait_for(lambda: _cards(fake, group))
    assert f"<@&{group['role:Safeguarding Lead']}>" in (card.get("content") or "")
    assert f"<@&{group['role:Moderator']}>" not in (card.get("content") or "")
    assert "someone on the team" in everything_text(card)
    [note] = await fake.wait_for(lambda: _notes(fake, group.moderator))
    assert "you matter as much as anyone you help" in note


async def test_a_dm_to_the_bot_with_crisis_words_gets_the_crisis_contacts(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    sam = await approved(fake, group, "Sam")
    await fake.send_dm(sam, "hi, is this the right place to ask about sessions?")
    await fake.send_dm(sam, "I don't want to be here anymore")
    [reply] = await fake.wait_for(lambda: _notes(fake, sam))
    assert "Nobody reads messages sent to me here" in reply and "/support" in reply
    # Nothing is guessed or forwarded to a server from a DM.
    assert _cards(fake, group) == []


async def test_the_crisis_note_is_honest_out_of_hours(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    sam = await approved(fake, group, "Sam")
    clock.set(datetime(2026, 11, 28, 20, 0, tzinfo=UTC))  # Saturday evening, UK time
    await fake.send_message(sam, group["#peer-support"], "I want to end my life")
    [note] = await fake.wait_for(lambda: _notes(fake, sam))
    assert "may get in touch" not in note
    assert "the team isn't working right now" in note
    assert "Monday 30 November at 9am" in note
