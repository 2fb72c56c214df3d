"""End-to-end fixtures: the stand-in, a set-up server with people, and the real bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import ManualClock
from bot.sandbox.fakediscord import FakeDiscord, restore_discord_py
from bot.settings import Settings
from tests.conftest import SPEC
from tests.e2e.harness import BotHarness, People, slash, stand_in_settings


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """Start the stand-in, validating against Discord's spec when it is there."""
    server = FakeDiscord(SPEC if SPEC.exists() else None)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
        restore_discord_py()
    assert server.violations == [], "Discord would have refused:\n" + "\n".join(server.violations)


@pytest.fixture
def people(fake: FakeDiscord) -> People:
    """Create a server with an admin (owner), a worker and a moderator user."""
    admin = fake.create_user("admin", "Alex Admin")
    guild_id = fake.create_guild("Participation Group", owner_id=admin)
    fake.create_channel(guild_id, "general")
    worker = fake.create_user("worker", "Wendy Worker")
    moderator = fake.create_user("moderator", "Mo Moderator")
    fake.add_member(guild_id, worker)
    fake.add_member(guild_id, moderator)
    found = People(admin=admin, worker=worker, moderator=moderator)
    found.others["guild"] = guild_id
    return found


@pytest.fixture
def e2e_settings(db_url: str, fake: FakeDiscord, people: People) -> Settings:
    """Return settings pointing the bot at the stand-in and the test database."""
    return stand_in_settings(db_url, fake, people["guild"])


@pytest.fixture
async def harness(
    fake: FakeDiscord, e2e_settings: Settings, clock: ManualClock
) -> AsyncIterator[BotHarness]:
    """Start the real bot; stop it after the test."""
    h = BotHarness(fake, e2e_settings, clock)
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


@pytest.fixture
async def group(fake: FakeDiscord, harness: BotHarness, people: People) -> People:
    """Run /setup as the admin and give the worker and moderator their roles."""
    guild_id = people["guild"]
    handle = await slash(fake, people.admin, guild_id, "setup")
    await fake.wait_for(lambda: handle.content and "set up" in handle.content)
    roles = {r["name"]: int(r["id"]) for r in fake.guild_roles(guild_id)}
    fake.set_member_roles(guild_id, people.worker, [roles["Worker"]])
    fake.set_member_roles(guild_id, people.moderator, [roles["Moderator"]])
    people.others.update({f"role:{name}": rid for name, rid in roles.items()})
    channels = {c["name"]: int(c["id"]) for c in fake.guild_channels(guild_id)}
    people.others.update({f"#{name}": cid for name, cid in channels.items()})
    await fake.wait_for(
        lambda: (m := harness.bot.get_guild(guild_id).get_member(people.worker))
        and any(r.id == roles["Worker"] for r in m.roles)
    )
    return people
