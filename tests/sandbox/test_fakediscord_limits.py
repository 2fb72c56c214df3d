"""Random message bodies through the fake: it rejects exactly what Discord rejects."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.sandbox.fakediscord import FakeDiscord

Connect = Callable[[discord.Client], Awaitable[discord.Client]]


async def test_content_length_limit_matches_discord(fake: FakeDiscord, connect: Connect) -> None:
    owner = fake.create_user("Olivia")
    guild_id = fake.create_guild("Youth Voices", owner)
    channel = fake.create_channel(guild_id, "general")
    intents = discord.Intents.default()
    client = await connect(discord.Client(intents=intents, guild_ready_timeout=0.05))
    route = discord.http.Route("POST", "/channels/{c}/messages", c=channel)
    bodies: list[str] = []

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        st.text(min_size=1, max_size=2100).filter(str.strip)
        | st.integers(1990, 2010).map("é".__mul__)
    )
    def examples(content: str) -> None:
        bodies.append(content)

    # Hypothesis drives sync functions: draw the bodies first, then send them on this loop.
    examples()
    for content in bodies:
        try:
            await client.http.request(route, json={"content": content})
            accepted = True
        except discord.HTTPException as err:
            assert err.code == 50035
            accepted = False
        assert accepted == (len(content) <= 2000), len(content)
    stored = [m["content"] for m in fake.messages_in(channel)]
    assert stored == [c for c in bodies if len(c) <= 2000]
    assert len(fake.violations) == sum(1 for c in bodies if len(c) > 2000)
    fake.violations.clear()
