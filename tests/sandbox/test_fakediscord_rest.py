"""Less common REST routes the bot may use, called the way discord.py calls them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord

from bot.sandbox.fakediscord import FakeDiscord

Connect = Callable[[discord.Client], Awaitable[discord.Client]]


async def test_listing_routes_and_old_pins(fake: FakeDiscord, connect: Connect) -> None:
    owner = fake.create_user("Olivia")
    guild_id = fake.create_guild("Youth Voices", owner)
    channel_id = fake.create_channel(guild_id, "general")
    for name in ("Ash", "Bo", "Cy"):
        fake.add_member(guild_id, fake.create_user(name))
    intents = discord.Intents.default()
    intents.members = True
    client = await connect(discord.Client(intents=intents, guild_ready_timeout=0.05))
    http = client.http
    gateway = await http.request(discord.http.Route("GET", "/gateway/bot"))
    assert gateway["url"] == fake.gateway_url
    guild = await client.fetch_guild(guild_id)
    assert guild.name == "Youth Voices"
    members = [m async for m in guild.fetch_members(limit=None)]
    assert len(members) == 5  # owner, bot and three more
    channels = await guild.fetch_channels()
    assert [c.id for c in channels] == [channel_id]
    roles = await guild.fetch_roles()
    assert roles[0].is_default()
    channel = await client.fetch_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    message = await channel.send("pin me")
    await http.request(
        discord.http.Route("PUT", "/channels/{c}/pins/{m}", c=channel_id, m=message.id)
    )
    old = await http.request(discord.http.Route("GET", "/channels/{c}/pins", c=channel_id))
    assert [m["id"] for m in old] == [str(message.id)]
    system = fake.messages_in(channel_id)[-1]
    assert system["type"] == 6  # Discord's "pinned a message" notice
    thread = await message.create_thread(name="talk")
    assert thread.id == message.id  # a thread started from a message shares its id
    await thread.join()
    joined = await thread.fetch_members()
    assert [m.id for m in joined] == [fake.bot_user_id]
    events = await guild.fetch_scheduled_events()
    assert events == []
