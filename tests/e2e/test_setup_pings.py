"""Urgent role pings ring on a server where the bot has neither Administrator nor Mention
Everyone, and #worker-log is for workers (and admins) only, not volunteer moderators.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from bot.sandbox.fakediscord import FakeDiscord, restore_discord_py
from tests.conftest import SPEC
from tests.e2e.flows import approved
from tests.e2e.harness import BotHarness, People, settle, slash

# What a bot invited without Administrator or Mention Everyone typically holds: view, send,
# embed, attach, read history, manage channels and roles (as tests/sandbox uses).
PLAIN_BOT = sum(1 << bit for bit in (4, 10, 11, 14, 15, 16, 28))
SILENT = "will not notify anyone"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """Start a stand-in whose bot lacks Administrator and Mention Everyone (overrides e2e's)."""
    server = FakeDiscord(SPEC if SPEC.exists() else None, bot_permissions=PLAIN_BOT)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
        restore_discord_py()
    assert server.violations == [], "Discord would have refused:\n" + "\n".join(server.violations)


async def _setup(fake: FakeDiscord, people: People) -> str:
    handle = await slash(fake, people.admin, people["guild"], "setup")
    await fake.wait_for(lambda: handle.content and "set up" in handle.content)
    return handle.content or ""


def _role(fake: FakeDiscord, guild: int, name: str) -> dict:
    role = fake.role_named(guild, name)
    assert role is not None, name
    return role


async def test_an_urgent_support_card_rings_the_moderators(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild = group["guild"]
    for name in ("Moderator", "Worker", "Safeguarding Lead"):
        assert _role(fake, guild, name).get("mentionable") is True, name
    again = await _setup(fake, group)
    assert SILENT not in again
    sam = fake.create_user("sam", "Sam")
    fake.add_member(guild, sam)
    asked = await slash(fake, sam, guild, "support", {"topic": "struggling", "urgency": "today"})
    ping = f"<@&{group['role:Moderator']}>"
    cards = await fake.wait_for(
        lambda: [
            m for m in fake.messages_in(group["#support-queue"]) if ping in (m.get("content") or "")
        ]
    )
    assert group.moderator in fake.notified(int(cards[0]["id"]))
    # Let the request finish opening its private space before the bot stops.
    await settle(fake, asked)
    await fake.wait_for(
        lambda: any("private space" in (m.get("content") or "") for m in asked.followups)
    )


async def test_a_linked_staff_role_is_made_mentionable(
    fake: FakeDiscord, harness: BotHarness, people: People
) -> None:
    guild = people["guild"]
    moderator = fake.create_role(guild, "Moderator")
    assert not _role(fake, guild, "Moderator").get("mentionable")
    reply = await _setup(fake, people)
    assert "linked: role Moderator" in reply and SILENT not in reply
    assert _role(fake, guild, "Moderator")["id"] == str(moderator)
    assert _role(fake, guild, "Moderator").get("mentionable") is True


async def test_a_role_the_bot_cannot_change_gets_a_loud_warning(
    fake: FakeDiscord,
    harness: BotHarness,
    people: People,
    caplog: pytest.LogCaptureFixture,
) -> None:
    guild = people["guild"]
    above = fake.create_role(guild, "Moderator")
    top = max(int(r.get("position", 0)) for r in fake.guild_roles(guild))
    fake.edit_role(guild, above, position=top + 1)  # above the bot: it may not edit it
    with caplog.at_level(logging.WARNING):
        reply = await _setup(fake, people)
    assert "couldn't make the Moderator role mentionable" in reply
    assert f"Urgent pings to Moderator {SILENT}" in reply
    assert any(SILENT in r.getMessage() for r in caplog.records)
    # At every start-up too.
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        await harness.restart()
        await fake.wait_for(
            lambda: any("would notify nobody" in r.getMessage() for r in caplog.records)
        )


async def test_moderators_cannot_see_worker_log_but_keep_the_support_queue(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    log, queue = group["#worker-log"], group["#support-queue"]
    assert fake.visible_to(group.worker, log)
    assert not fake.visible_to(group.moderator, log)
    assert fake.visible_to(group.moderator, queue) and fake.visible_to(group.worker, queue)
    safeguarding = fake.create_user("sol", "Sol Safeguarding")
    fake.add_member(guild := group["guild"], safeguarding, [group["role:Safeguarding Lead"]])
    assert not fake.visible_to(safeguarding, log) and fake.visible_to(safeguarding, queue)
    outsider = fake.create_user("olly")
    fake.add_member(guild, outsider)
    assert not fake.visible_to(outsider, log) and not fake.visible_to(outsider, queue)


async def test_setup_again_hides_worker_log_from_moderators_on_an_existing_server(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild, log = group["guild"], group["#worker-log"]
    # An older /setup let every staff role in: put the moderators' overwrite back.
    channel = fake.channel(log)
    overwrites = list(channel.get("permission_overwrites") or [])
    overwrites.append(
        {"id": str(group["role:Moderator"]), "type": 0, "allow": str(1 << 10), "deny": "0"}
    )
    fake.state.update_channel(log, {"permission_overwrites": overwrites})
    assert fake.visible_to(group.moderator, log)
    await _setup(fake, group)
    assert not fake.visible_to(group.moderator, log)
    assert fake.visible_to(group.worker, log)
    assert guild == group["guild"]


async def test_a_safeguarding_alert_rings_the_moderators(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    sam = await approved(fake, group, "Sam")
    await fake.send_message(sam, group["#peer-support"], "I want to end my life")
    ping = f"<@&{group['role:Moderator']}>"

    def rung() -> list[dict]:
        return [
            m
            for m in fake.messages_in(group["#support-queue"])
            if ping in (m.get("content") or "") and group.moderator in fake.notified(int(m["id"]))
        ]

    for _ in range(50):  # the alert may be owed through the outbox: run due work meanwhile
        if rung():
            break
        await harness.run_due()
        await asyncio.sleep(0.1)
    assert rung()
