"""Guild state through the bot's REST calls: roles, channels, threads, events, pins, limits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp
import discord
import pytest

from bot.sandbox.fakediscord import FakeDiscord

Connect = Callable[[discord.Client], Awaitable[discord.Client]]
VIEW = 1 << 10


def _client(message_content: bool = True) -> discord.Client:
    intents = discord.Intents.default()
    intents.members = True
    intents.message_content = message_content
    return discord.Client(intents=intents, guild_ready_timeout=0.05)


@dataclass
class World:
    fake: FakeDiscord
    client: discord.Client
    guild: discord.Guild
    owner: int
    user: int
    channel: int


@pytest.fixture
async def world(fake: FakeDiscord, connect: Connect) -> World:
    owner = fake.create_user("Olivia")
    guild_id = fake.create_guild("Youth Voices", owner)
    channel = fake.create_channel(guild_id, "general")
    user = fake.create_user("Sam")
    fake.add_member(guild_id, user)
    client = await connect(_client())
    guild = client.get_guild(guild_id)
    assert guild is not None
    return World(fake, client, guild, owner, user, channel)


async def test_role_create_and_assign_updates_cache(world: World) -> None:
    fake, guild = world.fake, world.guild
    role = await guild.create_role(name="Peer Supporter", colour=discord.Colour(0x00FF00))
    assert fake.role_named(guild.id, "Peer Supporter") is not None
    assert guild.get_role(role.id) is not None
    member = guild.get_member(world.user)
    assert member is not None
    await member.add_roles(role)
    stored = fake.member(guild.id, world.user)
    assert stored is not None and str(role.id) in stored["roles"]
    await fake.wait_for(lambda: role in member.roles)
    await member.remove_roles(role)
    await fake.wait_for(lambda: role not in member.roles)
    await member.edit(nick="Sammy")
    await fake.wait_for(lambda: member.nick == "Sammy")


async def test_private_category_with_overwrites_and_visible_to(world: World) -> None:
    fake, guild = world.fake, world.guild
    helpers = await guild.create_role(name="Helpers")
    member = guild.get_member(world.user)
    assert member is not None
    overwrites: dict[
        discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite
    ] = {
        guild.default_role: discord.PermissionOverwrite(view_channel=False),
        helpers: discord.PermissionOverwrite(view_channel=True),
    }
    category = await guild.create_category("Private", overwrites=overwrites)
    channel = await guild.create_text_channel(
        "helpers-room", category=category, overwrites=overwrites
    )
    assert guild.get_channel(channel.id) is not None and channel.category_id == category.id
    assert not fake.visible_to(world.user, channel.id)
    assert fake.visible_to(world.owner, channel.id)  # owners see everything
    await member.add_roles(helpers)
    assert fake.visible_to(world.user, channel.id)
    await channel.set_permissions(member, view_channel=False)
    assert not fake.visible_to(world.user, channel.id)
    await fake.wait_for(lambda: not channel.permissions_for(member).view_channel)
    with pytest.raises(PermissionError):
        await fake.send_message(world.user, channel.id, "let me in")


async def test_private_thread_and_members(world: World) -> None:
    fake, guild = world.fake, world.guild
    channel = guild.get_channel(world.channel)
    assert isinstance(channel, discord.TextChannel)
    thread = await channel.create_thread(
        name="support-sam", type=discord.ChannelType.private_thread
    )
    assert thread.type is discord.ChannelType.private_thread
    await fake.wait_for(lambda: guild.get_thread(thread.id) is not None)
    assert not fake.visible_to(world.user, thread.id)
    await thread.add_user(discord.Object(world.user))
    assert fake.visible_to(world.user, thread.id)
    assert world.user in fake.thread_members(thread.id)
    await thread.send("welcome")
    await fake.send_message(world.user, thread.id, "thanks")
    assert [m["content"] for m in fake.messages_in(thread.id)] == ["welcome", "thanks"]


async def test_scheduled_event_create(world: World) -> None:
    fake, guild = world.fake, world.guild
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    event = await guild.create_scheduled_event(
        name="Youth panel",
        start_time=start,
        end_time=start + dt.timedelta(hours=1),
        entity_type=discord.EntityType.external,
        location="Town hall",
        privacy_level=discord.PrivacyLevel.guild_only,
    )
    (stored,) = fake.scheduled_events(guild.id)
    assert stored["name"] == "Youth panel"
    assert stored["entity_metadata"] == {"location": "Town hall"}
    await fake.wait_for(lambda: guild.get_scheduled_event(event.id) is not None)
    await event.edit(name="Youth panel (moved)")
    assert fake.scheduled_event(guild.id, event.id)["name"] == "Youth panel (moved)"
    await event.delete()
    assert fake.scheduled_events(guild.id) == []


async def test_messages_edit_pin_and_history(world: World) -> None:
    fake, guild = world.fake, world.guild
    channel = guild.get_channel(world.channel)
    assert isinstance(channel, discord.TextChannel)
    message = await channel.send("first", embed=discord.Embed(title="t", description="d"))
    await message.edit(content="first (edited)")
    await message.pin()
    pins = [m async for m in channel.pins()]
    assert [p.id for p in pins] == [message.id]
    assert [m["id"] for m in fake.pins(channel.id)] == [str(message.id)]
    history = [m.content async for m in channel.history(limit=10)]
    assert "first (edited)" in history
    await message.delete()
    assert all(m["id"] != str(message.id) for m in fake.messages_in(channel.id))


async def test_too_long_message_is_a_violation(world: World) -> None:
    fake = world.fake
    with pytest.raises(discord.HTTPException) as err:
        await world.client.http.send_message(world.channel, params=_params("x" * 2001))
    assert err.value.code == 50035
    assert any("create_message" in v or "2000" in v for v in fake.violations)
    fake.violations.clear()


def _params(content: str) -> discord.http.MultipartParameters:
    return discord.http.handle_message_parameters(content=content)


async def test_schema_violation_names_the_operation(world: World) -> None:
    fake = world.fake
    route = discord.http.Route("POST", "/channels/{c}/messages", c=world.channel)
    with pytest.raises(discord.HTTPException) as err:
        await world.client.http.request(route, json={"content": "hi", "embeds": "not a list"})
    assert err.value.status == 400 and err.value.code == 50035
    assert any(v.startswith("schema violation: create_message") for v in fake.violations)
    fake.violations.clear()


async def test_unknown_route_is_a_violation(world: World) -> None:
    fake = world.fake
    route = discord.http.Route("GET", "/not/a/route")
    with pytest.raises(discord.NotFound):
        await world.client.http.request(route)
    assert any("unknown route: GET /not/a/route" in v for v in fake.violations)
    fake.violations.clear()


async def test_json_content_type_has_no_charset(world: World) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(world.fake.api_base + "/users/@me") as resp,
    ):
        assert resp.headers["Content-Type"] == "application/json"


async def test_user_message_reaches_bot_and_content_intent_is_respected(
    fake: FakeDiscord, connect: Connect
) -> None:
    owner = fake.create_user("Olivia")
    guild_id = fake.create_guild("Youth Voices", owner)
    channel = fake.create_channel(guild_id, "general")
    client = await connect(_client(message_content=False))
    seen: list[str] = []

    async def on_message(message: discord.Message) -> None:
        seen.append(message.content)

    client.event(on_message)
    await fake.send_message(owner, channel, "secret")
    await fake.send_message(owner, channel, f"<@{fake.bot_user_id}> hello")
    await fake.wait_for(lambda: len(seen) == 2)
    assert seen == ["", f"<@{fake.bot_user_id}> hello"]


async def test_restart_bot_gets_full_state_again(fake: FakeDiscord, connect: Connect) -> None:
    owner = fake.create_user("Olivia")
    guild_id = fake.create_guild("Youth Voices", owner)
    first = await connect(_client())
    guild = first.get_guild(guild_id)
    assert guild is not None
    role = await guild.create_role(name="Made before restart")
    await first.close()
    await fake.wait_for(lambda: fake.live_sessions() == 0)
    member_id = fake.create_user("Late joiner")
    fake.add_member(guild_id, member_id)
    second = await connect(_client())
    again = second.get_guild(guild_id)
    assert again is not None and again.get_role(role.id) is not None
    assert again.get_member(member_id) is not None
    assert fake.connections == 2


async def test_closed_dms_are_forbidden_without_a_violation(world: World) -> None:
    fake = world.fake
    fake.set_dms_open(world.user, False)
    member = world.guild.get_member(world.user)
    assert member is not None
    with pytest.raises(discord.Forbidden) as err:
        await member.send("reminder")
    assert err.value.code == 50007
    assert fake.dm_messages(world.user) == []


async def test_role_above_the_bot_cannot_be_assigned(world: World) -> None:
    fake, guild = world.fake, world.guild
    high = fake.create_role(guild.id, "Staff")
    fake.edit_role(guild.id, high, position=50)
    await fake.wait_for(lambda: guild.get_role(high) is not None)
    member = guild.get_member(world.user)
    assert member is not None
    with pytest.raises(discord.Forbidden) as err:
        await member.add_roles(discord.Object(high))
    assert err.value.code == 50013
    assert any("not below the bot" in v for v in fake.violations)
    fake.violations.clear()


async def test_bot_without_manage_roles_is_refused(world: World) -> None:
    fake, guild = world.fake, world.guild
    fake.edit_role(guild.id, fake.bot_role(guild.id), permissions=(1 << 10) | (1 << 11))
    with pytest.raises(discord.Forbidden):
        await guild.create_role(name="Nope")
    channel = guild.get_channel(world.channel)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("still allowed to talk")
    assert fake.messages_in(channel.id)[-1]["content"] == "still allowed to talk"
    fake.violations.clear()
