"""The stand-in's rate limits (off unless turned on): per route and resource, and global."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import discord

from bot.sandbox.fakediscord import FakeDiscord
from bot.sandbox.fakediscord.ratelimits import Limit, route_of
from tests.sandbox.conftest import TOKEN
from tests.sandbox.test_fakediscord_failures import Connect, _guild

AUTH = {"Authorization": f"Bot {TOKEN}"}


async def _post(session: aiohttp.ClientSession, fake: FakeDiscord, channel: int) -> Any:
    url = f"{fake.api_base}/channels/{channel}/messages"
    async with session.post(url, json={"content": "hello"}, headers=AUTH) as response:
        return response.status, dict(response.headers), await response.json()


def test_routes_are_counted_per_top_level_resource() -> None:
    assert route_of("POST", "/channels/12/messages") == ("POST /channels/{}/messages", "12")
    assert route_of("PATCH", "/channels/12/messages/34") == ("PATCH /channels/{}/messages/{}", "12")
    assert route_of("PUT", "/guilds/5/members/6/roles/7") == (
        "PUT /guilds/{}/members/{}/roles/{}",
        "5",
    )
    assert route_of("POST", "/users/@me/channels") == ("POST /users/@me/channels", "")


async def test_a_channel_over_its_limit_gets_429_and_nothing_posted(
    fake: FakeDiscord, connect: Connect
) -> None:
    _client, guild, channel = await _guild(fake, connect)
    other = fake.create_channel(guild, "other")
    fake.rate_limits.enabled = True
    async with aiohttp.ClientSession() as session:
        answers = [await _post(session, fake, channel) for _ in range(6)]
        elsewhere = await _post(session, fake, other)
    statuses = [status for status, _, _ in answers]
    assert statuses == [200, 200, 200, 200, 200, 429]
    assert [h["X-RateLimit-Remaining"] for _, h, _ in answers[:5]] == ["4", "3", "2", "1", "0"]
    _, headers, body = answers[5]
    assert body["message"] == "You are being rate limited." and body["global"] is False
    assert 0 < body["retry_after"] <= 5
    assert headers["X-RateLimit-Scope"] == "user" and headers["Via"]
    assert len(fake.messages_in(channel)) == 5  # the refused one did nothing
    assert elsewhere[0] == 200  # another channel has its own count
    assert fake.rate_limits.refused == [f"user POST /channels/{channel}/messages"]


async def test_the_global_limit_spares_interaction_callbacks(
    fake: FakeDiscord, connect: Connect
) -> None:
    await _guild(fake, connect)
    fake.rate_limits.enabled = True
    fake.rate_limits.global_per_second = 3
    async with aiohttp.ClientSession() as session:
        statuses = []
        for _ in range(4):
            async with session.get(f"{fake.api_base}/users/@me", headers=AUTH) as response:
                statuses.append(response.status)
                last = dict(response.headers), await response.json()
        url = f"{fake.api_base}/interactions/1/token/callback"
        async with session.post(url, json={"type": 1}) as response:
            callback = response.status
    assert statuses == [200, 200, 200, 429]
    assert last[1]["global"] is True and last[0]["X-RateLimit-Global"] == "true"
    # Refused because no such interaction exists, not because of the global limit.
    assert callback != 429
    assert len(fake.violations) == 1 and "interaction" in fake.violations[0]
    fake.violations.clear()


async def test_discord_py_paces_itself_by_the_headers(fake: FakeDiscord, connect: Connect) -> None:
    client, _guild_id, channel = await _guild(fake, connect)
    fake.rate_limits.enabled = True
    fake.rate_limits.routes["POST /channels/{}/messages"] = Limit(2, 0.5)
    target = client.get_channel(channel)
    assert isinstance(target, discord.TextChannel)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.gather(*(target.send(f"message {i}") for i in range(8)))
    took = loop.time() - started
    assert len(fake.messages_in(channel)) == 8
    assert took >= 1.4  # 2 now, then 2 every half second
    assert fake.rate_limits.refused == []  # it waited instead of being refused
