"""Two groups on one bot, each with its own areas, crisis lines and ladder, seeing only its own."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.driver import press
from bot.sandbox.fakediscord import FakeDiscord
from bot.settings import Settings
from tests.e2e.flows import JOIN_DEFAULTS
from tests.e2e.harness import (
    BotHarness,
    People,
    answered,
    everything_text,
    settle,
    slash,
    stand_in_settings,
)

KENT = 'localities = ["Canterbury", "Thanet"]\nlocality_aliases = {}\n'
MEDWAY = 'localities = ["Chatham", "Gillingham"]\nlocality_aliases = {}\n'
# Medway's own two-step ladder: paid from the second step, at its own rate.
MEDWAY_LADDER = """
[[levels]]
key = "voice"
name = "Medway Voice"
description = "Sharing your views."

[[levels]]
key = "champion"
name = "Medway Champion"
description = "Speaking up for others."
paid = true
hourly_rate_pence = 1250

[levels.requirements]
months_involved = 0
contributions = { poll_vote = 2 }
"""


@pytest.fixture
def e2e_settings(db_url: str, fake: FakeDiscord, people: People) -> Settings:
    """Serve every server the bot is in (no single group server)."""
    return stand_in_settings(db_url, fake, None)


async def _edit(fake: FakeDiscord, user: int, guild: int, section: str, text: str) -> str:
    opened = await slash(fake, user, guild, "settings edit", {"section": section})
    assert opened.modal is not None, opened.content
    sent = await answered(await fake.submit_modal(user, opened, {"settings:toml": text}))
    return await settle(fake, sent)


async def _join_and_approve(
    fake: FakeDiscord, harness: BotHarness, guild: int, approver: int, name: str, area: str
) -> int:
    """Join one server in an area of its own and be approved by its admin; return the user."""
    user = fake.create_user(name.lower(), name)
    fake.add_member(guild, user)
    await fake.wait_for(lambda: harness.bot.get_guild(guild).get_member(user))
    log = next(int(c["id"]) for c in fake.guild_channels(guild) if c["name"] == "worker-log")
    before = len(fake.messages_in(log))
    consent = await slash(fake, user, guild, "join", {**JOIN_DEFAULTS, "name": name, "area": area})
    assert consent.original is not None, consent.content
    await answered(await fake.click(user, int(consent.original["id"]), "join:agree"))
    cards = await fake.wait_for(
        lambda: len(fake.messages_in(log)) > before and fake.messages_in(log)
    )
    approved = await press(fake, approver, cards[-1], "signup:approve:")
    assert approved.callback_type == 7, approved.content
    return user


async def _offered_areas(fake: FakeDiscord, user: int, guild: int) -> set[str]:
    choices = await fake.autocomplete(
        user, guild, "join", {**JOIN_DEFAULTS, "area": ""}, focused="area"
    )
    return {c["value"] for c in choices}


async def _support_text(fake: FakeDiscord, user: int, guild: int) -> str:
    handle = await slash(fake, user, guild, "support", {"topic": "question", "urgency": "week"})
    await fake.wait_for(
        lambda: any("What happens next" in (m.get("content") or "") for m in handle.followups)
    )
    return await settle(fake, handle)


async def _progress_text(fake: FakeDiscord, user: int, guild: int) -> str:
    handle = await slash(fake, user, guild, "progress")
    await fake.wait_for(lambda: handle.followups or (handle.original or {}).get("embeds"))
    message: dict[str, Any] | None = handle.followups[-1] if handle.followups else handle.original
    return everything_text(message)


async def test_two_servers_each_see_only_their_own_settings(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    kent = group["guild"]
    owner = fake.create_user("medwayadmin", "Medway Admin")
    medway = fake.create_guild("Medway Voices", owner_id=owner)
    fake.create_channel(medway, "general")
    await fake.wait_for(lambda: harness.bot.get_guild(medway))

    # Medway's admin sets its ladder before /setup, so its level roles are Medway's.
    assert "own **ladder**" in await _edit(fake, owner, medway, "ladder", MEDWAY_LADDER)
    setup = await slash(fake, owner, medway, "setup")
    await fake.wait_for(lambda: setup.content and "set up" in setup.content)
    role_names = {r["name"] for r in fake.guild_roles(medway)}
    assert {"Level: Medway Voice", "Level: Medway Champion"} <= role_names
    assert "Level: Consultation" not in role_names

    assert "own **group**" in await _edit(fake, group.admin, kent, "group", KENT)
    assert "own **group**" in await _edit(fake, owner, medway, "group", MEDWAY)
    await slash(fake, group.admin, kent, "settings crisis", {"nation": "wales"})
    await slash(fake, owner, medway, "settings crisis", {"nation": "northern_ireland"})

    # Joining offers each server's own areas, and only those.
    visitor = fake.create_user("visitor", "Visitor")
    fake.add_member(kent, visitor)
    fake.add_member(medway, visitor)
    await fake.wait_for(lambda: harness.bot.get_guild(medway).get_member(visitor))
    assert await _offered_areas(fake, visitor, kent) == {"Canterbury", "Thanet"}
    assert await _offered_areas(fake, visitor, medway) == {"Chatham", "Gillingham"}
    wrong = await slash(fake, visitor, medway, "join", {**JOIN_DEFAULTS, "area": "Thanet"})
    assert "Chatham" in everything_text(wrong.original) or "Chatham" in (wrong.content or "")

    kim = await _join_and_approve(fake, harness, kent, group.worker, "Kim", "Thanet")
    max_ = await _join_and_approve(fake, harness, medway, owner, "Max", "Chatham")

    # /support shows each server's crisis lines, not the other's.
    kent_support = await _support_text(fake, kim, kent)
    medway_support = await _support_text(fake, max_, medway)
    assert "0800 132 737" in kent_support and "0808 808 8000" not in kent_support
    assert "0808 808 8000" in medway_support and "0800 132 737" not in medway_support

    # /progress shows each server's ladder.
    kent_progress = await _progress_text(fake, kim, kent)
    medway_progress = await _progress_text(fake, max_, medway)
    assert "Consultation" in kent_progress and "Medway" not in kent_progress
    assert "Medway Voice" in medway_progress and "Medway Champion" in medway_progress
    assert "Working Together" not in medway_progress

    # Each server's admin sees only its own settings.
    kent_view = await slash(fake, group.admin, kent, "settings view", {"section": "group"})
    assert "Thanet" in (kent_view.content or "") and "Chatham" not in (kent_view.content or "")
    medway_export = await slash(fake, owner, medway, "settings export")
    assert medway_export.original is not None
