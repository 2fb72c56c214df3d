"""/setup through the stand-in."""

from __future__ import annotations

from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.harness import BotHarness, People, slash


async def test_setup_twice_creates_nothing_twice(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild = group["guild"]
    roles_before = sorted(r["name"] for r in fake.guild_roles(guild))
    channels_before = sorted(c["name"] for c in fake.guild_channels(guild))
    assert {"Member", "Carer", "Worker", "Moderator", "Level: Consultation"} <= set(roles_before)
    assert {"welcome", "peer-support", "support-queue", "worker-log"} <= set(channels_before)
    handle = await slash(fake, group.admin, guild, "setup")
    await fake.wait_for(lambda: handle.content and "set up" in handle.content)
    assert "Created" not in (handle.content or "")
    assert sorted(r["name"] for r in fake.guild_roles(guild)) == roles_before
    assert sorted(c["name"] for c in fake.guild_channels(guild)) == channels_before
    # Guidelines pinned once in peer-support.
    assert len(fake.pins(group["#peer-support"])) == 1
    # Staff-only channels are hidden from ordinary people.
    outsider = fake.create_user("outsider")
    fake.add_member(guild, outsider)
    assert not fake.visible_to(outsider, group["#worker-log"])
    assert fake.visible_to(outsider, group["#welcome"])
    assert fake.visible_to(group.worker, group["#worker-log"])


async def test_setup_refused_for_non_admin(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    someone = fake.create_user("someone")
    fake.add_member(group["guild"], someone)
    try:
        handle = await slash(fake, someone, group["guild"], "setup")
    except PermissionError:
        return  # Discord hides the command from people without Manage Server.
    assert "admins" in (handle.content or "")
