"""Sharding: discord.py's AutoShardedClient against a stand-in with several servers and shards.

Two clients stand for two bot processes, each owning a range of the four shards; a server's
events, messages and interactions reach only the process owning `(guild_id >> 22) % 4`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.sandbox.fakediscord import FakeDiscord, point_discord_py_at, restore_discord_py
from bot.sandbox.fakediscord.model import Json
from tests.sandbox.conftest import TOKEN, spec_path

Connect = Callable[[discord.Client], Awaitable[discord.Client]]
SHARDS = 4


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """Start a FakeDiscord with four shards (overrides conftest's one-shard stand-in)."""
    server = FakeDiscord(spec_path(), shard_count=SHARDS)
    await server.start()
    point_discord_py_at(server.api_base, server.gateway_url)
    try:
        yield server
    finally:
        await server.stop()
        restore_discord_py()
    assert server.violations == [], "unexpected Discord API violations:\n" + "\n".join(
        server.violations
    )


class ShardBot(discord.AutoShardedClient):
    """One bot process: owns some shards, records what reaches it, answers /where."""

    def __init__(self, name: str, shard_ids: list[int] | None, shard_count: int | None) -> None:
        intents = discord.Intents.default()
        intents.members = True
        intents.message_content = True
        sharding: dict[str, Any] = {"shard_ids": shard_ids, "shard_count": shard_count}
        super().__init__(intents=intents, guild_ready_timeout=0.05, **sharding)
        self.name = name
        self.messages: list[tuple[int | None, str]] = []
        self.interactions: list[int | None] = []
        self.tree = app_commands.CommandTree(self)

        @self.tree.command(description="Say which process answered")
        async def where(interaction: discord.Interaction) -> None:
            self.interactions.append(interaction.guild_id)
            await interaction.response.send_message(self.name)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Identify shards back to back (discord.py waits 5 s between them by default)."""

    async def on_message(self, message: discord.Message) -> None:
        if message.author != self.user:
            self.messages.append((message.guild.id if message.guild else None, message.content))


@dataclass
class World:
    owner: int
    guilds: dict[int, list[int]]  # shard -> its guild ids
    general: dict[int, int]  # guild id -> its text channel
    a: ShardBot  # shards 0 and 1
    b: ShardBot  # shards 2 and 3

    def owned(self, shards: range) -> set[int]:
        return {gid for s in shards for gid in self.guilds[s]}


@pytest.fixture
async def world(fake: FakeDiscord, connect: Connect) -> World:
    owner = fake.create_user("Olivia")
    guilds: dict[int, list[int]] = {s: [] for s in range(SHARDS)}
    general: dict[int, int] = {}
    # Six servers over the four shards: two share shard 1 and two share shard 2.
    for n, shard in enumerate([0, 1, 1, 2, 2, 3]):
        gid = fake.create_guild(f"Group {n}", owner, shard_id=shard)
        assert fake.shard_of(gid) == shard == (gid >> 22) % SHARDS
        guilds[shard].append(gid)
        general[gid] = fake.create_channel(gid, "general")
    a = await connect(ShardBot("A", [0, 1], SHARDS))
    b = await connect(ShardBot("B", [2, 3], SHARDS))
    assert isinstance(a, ShardBot) and isinstance(b, ShardBot)
    await a.tree.sync()
    return World(owner, guilds, general, a, b)


async def _settle(fake: FakeDiscord) -> None:
    # Give a wrongly routed event every chance to arrive before asserting it did not.
    await fake.hub.drain()
    await asyncio.sleep(0.1)


async def test_gateway_bot_gives_the_configured_shard_count(
    fake: FakeDiscord, connect: Connect
) -> None:
    owner = fake.create_user("Olivia")
    gids = {fake.create_guild(f"Group {s}", owner, shard_id=s) for s in range(SHARDS)}
    # Without a shard count discord.py asks GET /gateway/bot and connects every shard.
    client = await connect(ShardBot("all", None, None))
    assert isinstance(client, ShardBot)
    assert "GET /api/v10/gateway/bot" in fake.requests
    assert client.shard_count == SHARDS
    assert sorted(client.shards) == list(range(SHARDS))
    assert {g.id for g in client.guilds} == gids
    assert {g.id: g.shard_id for g in client.guilds} == {g: fake.shard_of(g) for g in gids}
    shards, url, limit = await client.http.get_bot_gateway()
    assert (shards, url) == (SHARDS, fake.gateway_url)
    assert limit["max_concurrency"] == 1 and limit["remaining"] > 0
    assert fake.live_sessions() == SHARDS


async def test_each_process_sees_only_its_servers(fake: FakeDiscord, world: World) -> None:
    assert sorted(world.a.shards) == [0, 1] and sorted(world.b.shards) == [2, 3]
    assert {g.id for g in world.a.guilds} == world.owned(range(0, 2))
    assert {g.id for g in world.b.guilds} == world.owned(range(2, 4))
    for client in (world.a, world.b):
        for guild in client.guilds:
            assert guild.shard_id == fake.shard_of(guild.id)
            assert guild.get_member(world.owner) is not None
    assert fake.hub.live_shards() == set(range(SHARDS))


async def test_messages_reach_only_the_owning_process(fake: FakeDiscord, world: World) -> None:
    for gid, channel in world.general.items():
        await fake.send_message(world.owner, channel, f"hello {gid}")
    a_want = {(gid, f"hello {gid}") for gid in world.owned(range(0, 2))}
    b_want = {(gid, f"hello {gid}") for gid in world.owned(range(2, 4))}
    await fake.wait_for(lambda: set(world.a.messages) >= a_want and set(world.b.messages) >= b_want)
    await _settle(fake)
    assert sorted(world.a.messages) == sorted(a_want)
    assert sorted(world.b.messages) == sorted(b_want)


async def test_interactions_reach_only_the_owning_process(fake: FakeDiscord, world: World) -> None:
    for shard, gids in world.guilds.items():
        for gid in gids:
            handle = await fake.invoke(world.owner, gid, "where")
            reply = await handle.response()
            assert reply["data"]["content"] == ("A" if shard < 2 else "B")
    await _settle(fake)
    assert sorted(g for g in world.a.interactions if g) == sorted(world.owned(range(0, 2)))
    assert sorted(g for g in world.b.interactions if g) == sorted(world.owned(range(2, 4)))


async def test_dms_go_to_shard_zero(fake: FakeDiscord, world: World) -> None:
    await fake.send_dm(world.owner, "a private word")
    await fake.wait_for(lambda: (None, "a private word") in world.a.messages)
    handle = await fake.invoke(world.owner, None, "where")
    assert (await handle.response())["data"]["content"] == "A"
    await _settle(fake)
    assert world.b.messages == [] and world.b.interactions == []
    assert world.a.interactions == [None]


async def test_new_server_joins_the_owning_process(fake: FakeDiscord, world: World) -> None:
    gid = fake.create_guild("Late group", world.owner, shard_id=3)
    guild = await fake.wait_for(lambda: world.b.get_guild(gid))
    assert guild is not None and guild.shard_id == 3
    await _settle(fake)
    assert world.a.get_guild(gid) is None


async def test_resumed_shards_keep_their_servers(fake: FakeDiscord, world: World) -> None:
    await fake.drop_connections(4000)
    await fake.wait_for(lambda: fake.live_sessions() == SHARDS, timeout=10)
    for gid, channel in world.general.items():
        await fake.send_message(world.owner, channel, f"after {gid}")
    a_want = {(gid, f"after {gid}") for gid in world.owned(range(0, 2))}
    b_want = {(gid, f"after {gid}") for gid in world.owned(range(2, 4))}
    await fake.wait_for(
        lambda: set(world.a.messages) >= a_want and set(world.b.messages) >= b_want, timeout=10
    )
    await _settle(fake)
    assert set(world.a.messages) == a_want and set(world.b.messages) == b_want


@pytest.mark.parametrize(
    ("shard_ids", "shard_count", "code"),
    [
        ([0, 1], 2, 4011),  # too few shards: Sharding required
        ([0], 1, 4011),
        ([0, 1], 8, 4010),  # not the stand-in's count: Invalid shard
        (None, 8, 4010),
    ],
)
async def test_wrong_shard_count_is_refused(
    fake: FakeDiscord, shard_ids: list[int] | None, shard_count: int, code: int
) -> None:
    fake.create_guild("Group", fake.create_user("Olivia"), shard_id=0)
    client = ShardBot("wrong", shard_ids, shard_count)
    try:
        with pytest.raises(discord.ConnectionClosed) as refused:
            await asyncio.wait_for(client.start(TOKEN), 10)
        assert refused.value.code == code
        assert fake.live_sessions() == 0 and fake.hub.sessions == {}
    finally:
        await client.close()


async def test_unsharded_client_is_refused_when_sharding_is_required(fake: FakeDiscord) -> None:
    fake.create_guild("Group", fake.create_user("Olivia"))
    client = discord.Client(intents=discord.Intents.default())
    try:
        with pytest.raises(discord.ConnectionClosed) as refused:
            await asyncio.wait_for(client.start(TOKEN), 10)
        assert refused.value.code == 4011
    finally:
        with contextlib.suppress(Exception):
            await client.close()


async def test_shard_outside_its_count_is_refused(fake: FakeDiscord) -> None:
    fake.create_guild("Group", fake.create_user("Olivia"))
    client = discord.Client(intents=discord.Intents.default(), shard_id=4, shard_count=SHARDS)
    try:
        with pytest.raises(discord.ConnectionClosed) as refused:
            await asyncio.wait_for(client.start(TOKEN), 10)
        assert refused.value.code == 4010
    finally:
        await client.close()


# A bot process of its own: prints the servers it holds once ready, then each message it sees.
_PROCESS = """
import asyncio, json, sys
import discord
from bot.sandbox.fakediscord import point_discord_py_at

class Process(discord.AutoShardedClient):
    async def before_identify_hook(self, shard_id, *, initial=False):
        pass

    async def on_ready(self):
        print(json.dumps({"guilds": sorted(g.id for g in self.guilds)}), flush=True)

    async def on_message(self, message):
        guild = message.guild.id if message.guild else None
        print(json.dumps({"message": [guild, message.content]}), flush=True)

intents = discord.Intents.default()
intents.message_content = True
shard_ids = [int(s) for s in sys.argv[3].split(",")]
client = Process(
    intents=intents, shard_ids=shard_ids, shard_count=int(sys.argv[4]), guild_ready_timeout=0.05
)
point_discord_py_at(sys.argv[1], sys.argv[2])
asyncio.run(client.start("token"))
"""


@dataclass
class Process:
    proc: asyncio.subprocess.Process
    lines: list[Json]
    reader: asyncio.Task[None]

    def messages(self) -> set[tuple[int | None, str]]:
        return {(m["message"][0], m["message"][1]) for m in self.lines if "message" in m}


async def _spawn(fake: FakeDiscord, shard_ids: list[int]) -> Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _PROCESS,
        fake.api_base,
        fake.gateway_url,
        ",".join(map(str, shard_ids)),
        str(SHARDS),
        stdout=asyncio.subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    lines: list[Json] = []

    async def read() -> None:
        assert proc.stdout is not None
        async for raw in proc.stdout:
            lines.append(json.loads(raw))

    return Process(proc, lines, asyncio.create_task(read()))


async def test_two_bot_processes_each_see_only_their_servers(fake: FakeDiscord) -> None:
    owner = fake.create_user("Olivia")
    guilds = {s: fake.create_guild(f"Group {s}", owner, shard_id=s) for s in range(SHARDS)}
    channels = {gid: fake.create_channel(gid, "general") for gid in guilds.values()}
    processes = [await _spawn(fake, [0, 1]), await _spawn(fake, [2, 3])]
    try:
        first, second = processes
        await fake.wait_for(lambda: all(p.lines for p in processes), timeout=30)
        assert first.lines[0]["guilds"] == sorted([guilds[0], guilds[1]])
        assert second.lines[0]["guilds"] == sorted([guilds[2], guilds[3]])
        for gid, channel in channels.items():
            await fake.send_message(owner, channel, f"hello {gid}")
        await fake.send_dm(owner, "a private word")
        want_first: set[tuple[int | None, str]] = {
            (guilds[0], f"hello {guilds[0]}"),
            (guilds[1], f"hello {guilds[1]}"),
        }
        want_first.add((None, "a private word"))
        want_second = {(guilds[2], f"hello {guilds[2]}"), (guilds[3], f"hello {guilds[3]}")}
        await fake.wait_for(
            lambda: first.messages() >= want_first and second.messages() >= want_second,
            timeout=10,
        )
        await asyncio.sleep(0.3)
        assert first.messages() == want_first and second.messages() == want_second
    finally:
        for p in processes:
            if p.proc.returncode is None:
                p.proc.terminate()
            await p.proc.wait()
            await p.reader
