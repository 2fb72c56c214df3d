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
