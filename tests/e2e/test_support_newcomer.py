"""Support as someone new and anxious meets it: say you're not safe, a short first answer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import SupportRequest
from bot.sandbox.fakediscord import FakeDiscord
from bot.sandbox.fakediscord.interaction import Interaction
from tests.e2e.flows import approved
from tests.e2e.harness import BotHarness, People, everything_text, slash, table_dump

MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
# What /support said before the link to the private space, in working hours (measured on the
# old wording): the link came after about 750 characters, the whole answer about 800.
OLD_LENGTH = 795
SECRET = "quillfeather"


def _cards(fake: FakeDiscord, group: People) -> list[dict[str, Any]]:
    return [m for m in fake.messages_in(group["#support-queue"]) if m.get("embeds")]


async def _answer(fake: FakeDiscord, handle: Interaction) -> str:
    """Wait for the private space's link, then return everything the member was shown."""
    await fake.wait_for(
        lambda: any("private space is ready" in (m.get("content") or "") for m in handle.followups)
    )
    parts = [(handle.original or {}).get("content") or ""]
    parts += [m.get("content") or "" for m in handle.followups]
    return "\n\n".join(p for p in parts if p)


async def test_a_member_can_say_they_are_not_safe_and_gets_help_first(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    clock.set(MONDAY_NOON)
    sam = await approved(fake, group, "Sam")
    support = next(c for c in fake.commands(None) if c["name"] == "support")
    urgency = next(o for o in support["options"] if o["name"] == "urgency")
    assert {"name": "I'm not safe right now", "value": "urgent"} in [
        {"name": c["name"], "value": c["value"]} for c in urgency["choices"]
    ]
    handle = await slash(
        fake, sam, group["guild"], "support", {"topic": "struggling", "urgency": "urgent"}
    )
    # The crisis lines come first, in the very first answer; the space follows.
    first = (handle.original or {}).get("content") or ""
    assert "You said you're not safe right now" in first
    assert first.index("116 123") < first.index("private space")
    said = await _answer(fake, handle)
    assert said.count("116 123") == 1  # not repeated once the space is open
    # Moderators are pinged at once, as for crisis words, and the card says it is urgent.
    card = (await fake.wait_for(lambda: _cards(fake, group)))[0]
    assert f"<@&{group['role:Moderator']}> Urgent" in (card.get("content") or "")
    assert group.moderator in fake.notified(int(card["id"]))
    async with harness.services.db() as s:
        row = (await s.scalars(select(SupportRequest))).one()
    assert row.urgency == "urgent"


async def test_saying_not_safe_while_a_request_is_open_raises_it_at_once(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    clock.set(MONDAY_NOON)
    sam = await approved(fake, group, "Sam")
    first = await slash(fake, sam, group["guild"], "support", {"topic": "other", "urgency": "week"})
    await _answer(fake, first)
    again = await slash(
        fake, sam, group["guild"], "support", {"topic": "struggling", "urgency": "urgent"}
    )
    said = again.content or ""
    assert said.index("116 123") < said.index("already have a support request open")
    raised = await fake.wait_for(
        lambda: [
            m
            for m in fake.messages_in(group["#support-queue"])
            if "is now urgent" in (m.get("content") or "")
        ]
    )
    assert "they said they're not safe right now" in raised[0]["content"]
    assert group.moderator in fake.notified(int(raised[0]["id"]))


async def test_the_first_answer_gives_the_link_first_and_is_shorter(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    clock.set(MONDAY_NOON)
    sam = await approved(fake, group, "Sam")
    handle = await slash(
        fake, sam, group["guild"], "support", {"topic": "question", "urgency": "week"}
    )
    said = await _answer(fake, handle)
    link = said.index("<#")
    assert link < 300, said
    assert said.index("What happens next") < said.index("116 123")
    assert len(said) < OLD_LENGTH - 100, len(said)
    print(f"first answer: link at {link}, {len(said)} characters (was ~750 and ~{OLD_LENGTH})")


async def test_the_message_limit_is_said_before_typing_and_a_longer_one_is_refused_kindly(
    fake: FakeDiscord, harness: BotHarness, group: People, db_url: str
) -> None:
    sam = await approved(fake, group, "Sam")
    # /help says the limit, as the option itself does, before anyone starts typing.
    shown = await slash(fake, sam, group["guild"], "help")
    text = "\n".join(everything_text(m) for m in (shown.original, *shown.followups) if m)
    line = next(x for x in text.splitlines() if x.startswith("`/support`"))
    assert "up to 1,500 characters" in line
    support = next(c for c in fake.commands(None) if c["name"] == "support")
    message = next(o for o in support["options"] if o["name"] == "message")
    assert "up to 1,500 characters" in message["description"] and message["max_length"] == 1500

    # A client that still has the command from before the limit (Discord caches commands)
    # lets a longer text through: the bot says the limit kindly and keeps nothing.
    del message["max_length"]
    handle = await slash(
        fake,
        sam,
        group["guild"],
        "support",
        {"topic": "other", "urgency": "week", "message": SECRET + "x" * 1490},
    )
    said = handle.content or ""
    assert handle.ephemeral and "1,500" in said and "Nothing has been sent" in said
    assert "reference" not in said  # a kind refusal, not an error
    async with harness.services.db() as s:
        assert (await s.scalars(select(SupportRequest))).all() == []
    assert _cards(fake, group) == []
    assert SECRET not in repr(await table_dump(db_url))
