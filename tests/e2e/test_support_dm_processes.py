"""/support by DM for a server on another process: the database finds the group.

Two real bot processes share PostgreSQL and one stand-in: shards 0-1 and shards 2-3 of four.
Discord delivers every DM to shard 0, whose process has no gateway cache of the servers on
shards 2-3. Someone whose only group is on shard 3 asks for support by DM: the request is
opened from the membership table, its card is posted by the process owning shard 3 (the
moderators see it and can take it), the private space is opened there too, and the person
gets the usual reply with their own server's crisis lines. Someone in a group on each process
is asked which group, and someone in none is told kindly.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import OutboxItem, SupportRequest
from bot.sandbox.driver import button_on, custom_ids, everything_text
from bot.sandbox.fakediscord import FakeDiscord
from bot.sandbox.fakediscord.interaction import Interaction
from bot.sandbox.soak_process import answer_text, process_env
from tests.conftest import PG_URL, SPEC
from tests.e2e.test_several_processes import SHARDS, Month, Server, ShardProcess

pytestmark = pytest.mark.skipif(
    not PG_URL,
    reason="several processes need PostgreSQL (TEST_DATABASE_URL); SQLite serves one process",
)

LIFELINE = "0808 808 8000"  # Northern Ireland's set, chosen by the far server only
WORDS = "I can't sleep and everything feels too much"


def _server(fake: FakeDiscord, n: int, shard: int, people: list[int]) -> Server:
    admin = fake.create_user(f"admin{n}", f"Admin [G{n}]")
    guild = fake.create_guild(f"Group [G{n}]", admin, shard_id=shard)
    fake.create_channel(guild, "general")
    worker = fake.create_user(f"worker{n}", f"Worker [G{n}]")
    moderator = fake.create_user(f"mod{n}", f"Moderator [G{n}]")
    for user in (worker, moderator, *people):
        fake.add_member(guild, user)
    return Server(n, guild, admin, worker, moderator, people)


def _claimable(fake: FakeDiscord, channel: int, before: int) -> dict[str, Any] | None:
    for message in fake.messages_in(channel)[before:]:
        if any(c.startswith("support:claim:") for c in custom_ids(message)):
            return message
    return None


async def _requests(db_url: str) -> tuple[list[SupportRequest], list[OutboxItem]]:
    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as s:
            asked = list(await s.scalars(select(SupportRequest).order_by(SupportRequest.id)))
            owed = list(await s.scalars(select(OutboxItem).order_by(OutboxItem.id)))
            return asked, owed
    finally:
        await engine.dispose()


async def test_dm_support_reaches_a_server_on_the_other_process(
    tmp_path: Path, db_url: str
) -> None:
    await upgrade(db_url)
    fake = FakeDiscord(SPEC if SPEC.exists() else None, shard_count=SHARDS)
    await fake.start()
    env = process_env(fake, db_url, "dm-token")
    env.pop("DISCORD_GUILD_ID", None)
    low = ShardProcess(fake, env, tmp_path / "low.log", "0-1")
    high = ShardProcess(fake, env, tmp_path / "high.log", "2-3")
    high._wall_start = low._wall_start
    alex = fake.create_user("alex", "Alex")  # in the far group only
    bo = fake.create_user("bo", "Bo")  # in a group on each process
    nobody = fake.create_user("nobody", "Nobody")
    near = _server(fake, 0, 0, [bo])
    far = _server(fake, 3, 3, [alex, bo])
    month = Month(fake, [low, high], db_url)
    try:
        # The far server's process starts first, so the near one loads its settings at start.
        await high.start()
        await fake.wait_for(lambda: fake.state.global_commands, 30)
        await month.set_up(far)
        crisis = await fake.invoke(
            far.admin, far.guild, "settings crisis", {"nation": "northern_ireland"}
        )
        assert await answer_text(crisis, 20)
        await low.start()
        await month.set_up(near)
        assert month.problems == []
        assert fake.shard_of(near.guild) == 0 and fake.shard_of(far.guild) == 3

        # Alex's only group is on the other process: the DM still reaches its moderators.
        queue = far.channels["support-queue"]
        before = len(fake.messages_in(queue))
        options = {"topic": "struggling", "urgency": "week", "message": WORDS}
        text = await _told(fake, await fake.invoke(alex, None, "support", options))
        assert "What happens next" in text and "inside your group" not in text
        assert LIFELINE in text, text  # the far server's own crisis lines
        card = await fake.wait_for(lambda: _claimable(fake, queue, before), 30)
        # The words went only to that server's moderators, never stored.
        far_text = [everything_text(m) for m in fake.messages_in(queue)]
        assert any(WORDS in t and f"<@{alex}>" in t for t in far_text)
        await fake.wait_for(lambda: _space_of(fake, far.guild, alex), 30)
        claim = await fake.click(far.moderator, int(card["id"]), button_on(card, "support:claim:"))
        assert await answer_text(claim, 20) or claim.callback_type == 7

        # Bo is in a group on each process: both are offered, and the far one is chosen.
        handle = await fake.invoke(bo, None, "support", {"topic": "question", "urgency": "week"})
        assert "Which group" in await answer_text(handle, 20)
        assert handle.original is not None
        offered = {o["value"] for c in handle.original["components"] for o in _options(c)}
        assert offered == {str(near.guild), str(far.guild)}
        before = len(fake.messages_in(queue))
        picked = await fake.select(
            bo, int(handle.original["id"]), "support:group", [str(far.guild)]
        )
        assert "Group [G3]" in await _told(fake, picked)
        await fake.wait_for(lambda: _claimable(fake, queue, before), 30)

        # Other DM commands find Alex's group the same way: their data comes back, while
        # /forgetme (roles and spaces live in the other process) says kindly where to use it.
        data = await fake.invoke(alex, None, "mydata")
        assert "everything we hold" in await answer_text(data, 20)
        forget = await answer_text(await fake.invoke(alex, None, "forgetme"), 20)
        assert "nothing has been erased" in forget and "inside your group" in forget
        helped = await answer_text(await fake.invoke(alex, None, "help"), 20)
        assert "/support" in helped and "Not a member yet" not in helped

        # Someone in neither group is told kindly, with the deployment's crisis lines.
        refused = await answer_text(await fake.invoke(nobody, None, "support", options), 20)
        assert "not in the group's Discord server" in refused and "Samaritans" in refused
        await asyncio.sleep(0.5)
    finally:
        await asyncio.gather(low.stop(), high.stop())
        await fake.stop()
    assert [v for v in fake.violations if "was not answered within" not in v] == []
    asked, owed = await _requests(db_url)
    assert [(r.guild_id, r.user_id) for r in asked] == [(far.guild, alex), (far.guild, bo)]
    assert all(r.private_channel_id for r in asked)
    kinds = [(o.kind, o.status) for o in owed if o.kind in {"support.card", "support.open_space"}]
    assert sorted(kinds) == [("support.card", "done")] * 2 + [("support.open_space", "done")] * 2
    assert not any(WORDS in str(o.payload) for o in owed)  # the words were never stored
    near_posts = [
        m for c in fake.guild_channels(near.guild) for m in fake.messages_in(int(c["id"]))
    ]
    assert not any(WORDS in everything_text(m) for m in near_posts)


async def _told(fake: FakeDiscord, handle: Interaction) -> str:
    """Wait for the whole usual answer to /support (its next steps come in a follow-up)."""

    def seen() -> str:
        parts = [everything_text(handle.original), handle.content or ""]
        return "\n".join(parts + [everything_text(m) for m in handle.followups])

    await fake.wait_for(lambda: "What happens next" in seen(), 20)
    return seen()


def _space_of(fake: FakeDiscord, guild: int, user: int) -> dict[str, Any] | None:
    """Return the private support space this person was added to, once it is open."""
    for channel in fake.guild_channels(guild):
        name = str(channel.get("name"))
        if name.startswith("support-") and user in fake.thread_members(int(channel["id"])):
            return channel
    return None


def _options(component: dict[str, Any]) -> list[dict[str, Any]]:
    inner = component.get("components") or []
    found = list(component.get("options") or [])
    for child in inner:
        found += _options(child)
    return found
