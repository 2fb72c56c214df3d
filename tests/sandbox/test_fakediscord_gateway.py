"""A plain discord.py client connects to the fake gateway and sees the guild."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord

from bot.sandbox.fakediscord import FakeDiscord

Connect = Callable[[discord.Client], Awaitable[discord.Client]]


def _client() -> discord.Client:
    intents = discord.Intents.default()
    intents.members = True
    intents.message_content = True
    return discord.Client(intents=intents, guild_ready_timeout=0.05)


async def test_connect_ready_and_guild_cache(fake: FakeDiscord, connect: Connect) -> None:
    owner = fake.create_user("Olivia")
    guild_id = fake.create_guild("Youth Voices", owner)
    fake.create_channel(guild_id, "general")
    client = await connect(_client())
    assert client.user is not None and client.user.id == fake.bot_user_id
    guild = client.get_guild(guild_id)
    assert guild is not None and guild.name == "Youth Voices"
    assert guild.get_member(owner) is not None
    assert guild.me is not None
    assert [c.name for c in guild.text_channels] == ["general"]
    assert guild.default_role.id == guild_id


async def test_zlib_stream_requested_but_text_frames_work(
    fake: FakeDiscord, connect: Connect
) -> None:
    fake.create_guild("Youth Voices", fake.create_user("Olivia"))
    client = await connect(_client())
    assert fake.hub.last_query.get("compress") == "zlib-stream"
    assert fake.hub.last_query.get("encoding") == "json"
    assert client.is_ready()


async def test_dropped_connection_resumes_and_replays_missed_events(
    fake: FakeDiscord, connect: Connect
) -> None:
    owner = fake.create_user("Olivia")
    guild_id = fake.create_guild("Youth Voices", owner)
    client = await connect(_client())
    resumed: list[bool] = []

    async def on_resumed() -> None:
        resumed.append(True)

    client.event(on_resumed)
    await fake.drop_connections(4000)
    role_id = fake.create_role(guild_id, "Missed while away")
    await fake.wait_for(lambda: resumed, timeout=10)
    guild = client.get_guild(guild_id)
    assert guild is not None
    await fake.wait_for(lambda: guild.get_role(role_id) is not None)
    assert fake.connections == 2


async def test_reconnect_request_is_honoured(fake: FakeDiscord, connect: Connect) -> None:
    fake.create_guild("Youth Voices", fake.create_user("Olivia"))
    await connect(_client())
    fake.hub.send_reconnect()
    await fake.wait_for(lambda: fake.connections == 2 and fake.live_sessions() == 1, timeout=10)
