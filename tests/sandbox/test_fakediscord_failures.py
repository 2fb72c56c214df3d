"""The stand-in fails and limits the way Discord does, so the bot's handling can be tested."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import discord
import pytest

from bot.sandbox.fakediscord import FakeDiscord, point_discord_py_at, restore_discord_py
from tests.sandbox.conftest import TOKEN, spec_path

Connect = Callable[[discord.Client], Awaitable[discord.Client]]
# What a bot invited without Administrator or Mention Everyone typically holds: view, send,
# embed, attach, read history, manage channels and roles.
PLAIN_BOT = sum(1 << bit for bit in (4, 10, 11, 14, 15, 16, 28))


@pytest.fixture
async def plain_fake() -> AsyncIterator[FakeDiscord]:
    """Start a stand-in whose bot lacks Administrator and Mention Everyone."""
    server = FakeDiscord(spec_path(), bot_permissions=PLAIN_BOT)
    await server.start()
    point_discord_py_at(server.api_base, server.gateway_url)
    try:
        yield server
    finally:
        await server.stop()
        restore_discord_py()


@pytest.fixture
async def connect_plain(plain_fake: FakeDiscord) -> AsyncIterator[Connect]:
    """Connect discord.py clients to the plain stand-in and close them after the test."""
    running: list[tuple[discord.Client, asyncio.Task[None]]] = []

    async def start(client: discord.Client) -> discord.Client:
        task = asyncio.create_task(client.start(TOKEN))
        running.append((client, task))
        await plain_fake.wait_for(client.is_ready, timeout=10)
        return client

    yield start
    for client, task in running:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)


async def _guild(fake: FakeDiscord, connect: Connect) -> tuple[discord.Client, int, int]:
    owner = fake.create_user("Olivia")
    guild_id = fake.create_guild("Youth Voices", owner)
    channel_id = fake.create_channel(guild_id, "general")
    intents = discord.Intents.default()
    intents.members = True
    client = await connect(discord.Client(intents=intents, guild_ready_timeout=0.05))
    return client, guild_id, channel_id


async def test_fifty_channels_per_category_and_five_hundred_per_server(
    fake: FakeDiscord, connect: Connect
) -> None:
    client, guild_id, _ = await _guild(fake, connect)
    guild = client.get_guild(guild_id)
    assert guild is not None
    category = await guild.create_category("Participation")
    for n in range(50):
        fake.create_channel(guild_id, f"space-{n}", parent_id=category.id)
    with pytest.raises(discord.HTTPException) as full:
        await guild.create_text_channel("one-too-many", category=category)
    assert full.value.code == 50035
    assert "Maximum number of channels in category reached (50)" in full.value.text
    other = await guild.create_text_channel("outside")
    with pytest.raises(discord.HTTPException, match=r"category reached \(50\)"):
        await other.edit(category=category)  # moving in counts too
    while (
        len(fake.state.channels) < 600
        and len([c for c in fake.state.channels.values() if c.get("guild_id") == str(guild_id)])
        < 500
    ):
        fake.create_channel(guild_id, "filler")
    with pytest.raises(discord.HTTPException) as server_full:
        await guild.create_text_channel("five-hundred-and-one")
    assert server_full.value.code == 30013
    # A limit is a condition a bot must handle, not a malformed request.
    assert fake.violations == []


async def test_a_retried_message_with_its_nonce_appears_once(
    fake: FakeDiscord, connect: Connect
) -> None:
    client, _, channel_id = await _guild(fake, connect)
    channel = client.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    first = await channel.send("Your reminder", nonce="reminder-41")
    again = await channel.send("Your reminder", nonce="reminder-41")
    assert again.id == first.id
    other = await channel.send("Your reminder", nonce="reminder-42")
    assert other.id != first.id
    assert [m["content"] for m in fake.messages_in(channel_id)] == ["Your reminder"] * 2


async def test_planned_failures_before_and_after_the_effect(
    fake: FakeDiscord, connect: Connect
) -> None:
    client, _, channel_id = await _guild(fake, connect)
    channel = client.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    path = rf"^/channels/{channel_id}/messages$"
    fake.faults.fail_next("POST", path, 503)
    with pytest.raises(discord.DiscordServerError):
        await channel.send("lost before", nonce="a")
    assert fake.messages_in(channel_id) == []
    fake.faults.fail_next("POST", path, 503, after_effect=True)
    with pytest.raises(discord.DiscordServerError):
        await channel.send("made, reply lost", nonce="b")
    assert len(fake.messages_in(channel_id)) == 1
    retried = await channel.send("made, reply lost", nonce="b")  # the retry finds it
    assert len(fake.messages_in(channel_id)) == 1
    assert str(retried.id) == fake.messages_in(channel_id)[0]["id"]
    fake.faults.fail_next("POST", path, 429)
    await channel.send("after a short wait")  # discord.py waits retry_after and tries again
    assert len(fake.messages_in(channel_id)) == 2
    assert fake.faults.given == [
        f"503 POST /channels/{channel_id}/messages",
        f"503 POST /channels/{channel_id}/messages",
        f"429 POST /channels/{channel_id}/messages",
    ]


async def test_random_failures_are_reproducible_and_spare_start_up(
    fake: FakeDiscord, connect: Connect
) -> None:
    fake.faults.randomly(0.5, seed=7, statuses=(503,))
    client, _, channel_id = await _guild(fake, connect)  # login and ready still work
    channel = client.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    outcomes = []
    for n in range(20):
        try:
            await channel.send(f"try {n}")
            outcomes.append("ok")
        except discord.DiscordServerError:
            outcomes.append("503")
    assert 3 <= outcomes.count("503") <= 17
    fake.faults.clear()
    await channel.send("calm again")


async def test_who_a_role_ping_notifies(fake: FakeDiscord, connect: Connect) -> None:
    client, guild_id, channel_id = await _guild(fake, connect)
    moderator = fake.create_user("Mo")
    quiet_role = fake.create_role(guild_id, "Moderator")
    fake.add_member(guild_id, moderator, [quiet_role])
    channel = client.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    everyone_ok = discord.AllowedMentions(roles=True)
    # The bot is an administrator here, which includes Mention Everyone: the ping rings.
    sent = await channel.send(
        f"<@&{quiet_role}> someone may be at risk", allowed_mentions=everyone_ok
    )
    assert fake.notified(sent.id) == {moderator}
    # allowed_mentions that leave roles out ring nobody, whatever the role.
    muted = await channel.send(
        f"<@&{quiet_role}> hello", allowed_mentions=discord.AllowedMentions.none()
    )
    assert fake.notified(muted.id) == set()


async def test_a_role_that_is_not_mentionable_rings_nobody_without_mention_everyone(
    connect_plain: Connect, plain_fake: FakeDiscord
) -> None:
    fake = plain_fake
    client, guild_id, channel_id = await _guild(fake, connect_plain)
    moderator = fake.create_user("Mo")
    role = fake.create_role(guild_id, "Moderator")
    fake.add_member(guild_id, moderator, [role])
    channel = client.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    ping = discord.AllowedMentions(roles=True)
    silent = await channel.send(f"<@&{role}> someone may be at risk", allowed_mentions=ping)
    assert fake.notified(silent.id) == set()
    fake.state.roles[guild_id][role]["mentionable"] = True
    rings = await channel.send(f"<@&{role}> someone may be at risk", allowed_mentions=ping)
    assert fake.notified(rings.id) == {moderator}


async def test_attachment_links_expire(fake: FakeDiscord, connect: Connect) -> None:
    client, _, channel_id = await _guild(fake, connect)
    channel = client.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    message = await channel.send(file=discord.File(io.BytesIO(b"receipt"), "receipt.png"))
    url = message.attachments[0].url
    assert "ex=" in url and "hm=" in url
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as fresh:
            assert fresh.status == 200 and await fresh.read() == b"receipt"
        async with http.get(url.split("?")[0]) as unsigned:
            assert unsigned.status == 404
        fake.expire_attachments()
        async with http.get(url) as old:
            assert old.status == 404


async def test_an_attachment_keeps_its_alt_text(fake: FakeDiscord, connect: Connect) -> None:
    client, _, channel_id = await _guild(fake, connect)
    channel = client.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    chart = discord.File(io.BytesIO(b"png"), "chart.png", description="Bar chart: Monday 2")
    message = await channel.send(file=chart)
    assert message.attachments[0].description == "Bar chart: Monday 2"
    assert fake.messages_in(channel_id)[-1]["attachments"][0]["description"] == (
        "Bar chart: Monday 2"
    )
