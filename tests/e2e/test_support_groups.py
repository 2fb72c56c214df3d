"""/support in a DM from someone in two servers with the bot asks which group; never guesses."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.driver import custom_ids
from bot.sandbox.fakediscord import FakeDiscord
from bot.settings import Settings
from tests.e2e.harness import (
    BotHarness,
    People,
    answered,
    everything_text,
    settle,
    slash,
    stand_in_settings,
)

SECRET = "lanternwhistle"


@pytest.fixture
def e2e_settings(db_url: str, fake: FakeDiscord, people: People) -> Settings:
    """Run the bot for every server it is in (no single group server configured)."""
    return stand_in_settings(db_url, fake, None)


async def _second_group(fake: FakeDiscord, harness: BotHarness) -> dict[str, int]:
    """Make another server with the bot, set it up, and return its ids by name."""
    owner = fake.create_user("otheradmin", "Other Admin")
    guild = fake.create_guild("Riverside Youth Voice", owner_id=owner)
    fake.create_channel(guild, "general")
    await fake.wait_for(lambda: harness.bot.get_guild(guild))
    handle = await slash(fake, owner, guild, "setup")
    await fake.wait_for(lambda: handle.content and "set up" in handle.content)
    found = {f"#{c['name']}": int(c["id"]) for c in fake.guild_channels(guild)}
    found["guild"] = guild
    return found


def _cards(fake: FakeDiscord, channel_id: int) -> list[dict[str, Any]]:
    return [m for m in fake.messages_in(channel_id) if m.get("embeds")]


async def test_dm_support_from_someone_in_two_groups_asks_which(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    other = await _second_group(fake, harness)
    sam = fake.create_user("sam", "Sam")
    fake.add_member(group["guild"], sam)
    fake.add_member(other["guild"], sam)
    await fake.wait_for(
        lambda: harness.bot.get_guild(other["guild"]).get_member(sam)
        and harness.bot.get_guild(group["guild"]).get_member(sam)
    )
    handle = await slash(
        fake,
        sam,
        None,
        "support",
        {"topic": "struggling", "urgency": "today", "message": f"I feel {SECRET}"},
    )
    assert handle.ephemeral and "Which group" in (handle.content or "")
    assert handle.original is not None and "support:group" in custom_ids(handle.original)
    # Nothing has gone to either server yet.
    assert _cards(fake, group["#support-queue"]) == [] == _cards(fake, other["#support-queue"])

    chosen = await answered(
        await fake.select(sam, int(handle.original["id"]), "support:group", [str(other["guild"])])
    )
    assert "Riverside Youth Voice" in await settle(fake, chosen)

    def said(words: str) -> bool:
        return any(words in (m.get("content") or "") for m in chosen.followups)

    await fake.wait_for(lambda: said("What happens next") and said("private space is ready"))
    await fake.wait_for(lambda: _cards(fake, other["#support-queue"]))
    assert _cards(fake, group["#support-queue"]) == []
    # Their words are only in the chosen group's server, never in the other one.
    everywhere = [
        m for c in fake.guild_channels(group["guild"]) for m in fake.messages_in(int(c["id"]))
    ]
    assert not any(SECRET in everything_text(m) for m in everywhere)


async def test_dm_support_from_someone_in_one_group_goes_there(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    other = await _second_group(fake, harness)
    kit = fake.create_user("kit", "Kit")
    fake.add_member(other["guild"], kit)
    await fake.wait_for(lambda: harness.bot.get_guild(other["guild"]).get_member(kit))
    handle = await slash(fake, kit, None, "support", {"topic": "question", "urgency": "week"})
    await fake.wait_for(
        lambda: any("What happens next" in (m.get("content") or "") for m in handle.followups)
    )
    await fake.wait_for(lambda: _cards(fake, other["#support-queue"]))
    assert _cards(fake, group["#support-queue"]) == []
    # Someone in neither server is told kindly, with the crisis contacts.
    nobody = fake.create_user("nobody", "Nobody")
    refused = await slash(fake, nobody, None, "support", {"topic": "other", "urgency": "week"})
    assert "not in the group's Discord server" in (refused.content or "")
    assert "116 123" in (refused.content or "")
