"""Fixtures for the fake Discord: a started FakeDiscord and a way to connect clients to it."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import discord
import pytest

from bot.sandbox.fakediscord import FakeDiscord, point_discord_py_at, restore_discord_py

_DEFAULT_SPEC = Path(__file__).resolve().parents[3] / "shared" / "discord-api-spec" / "openapi.json"
TOKEN = "fake-bot-token"


def spec_path() -> Path:
    """Return the OpenAPI spec, skipping (or failing, when explicitly configured) if absent."""
    configured = os.environ.get("DISCORD_OPENAPI_SPEC")
    path = Path(configured) if configured else _DEFAULT_SPEC
    if not path.is_file():
        if configured:
            pytest.fail(f"DISCORD_OPENAPI_SPEC={configured} does not exist")
        pytest.skip(f"Discord OpenAPI spec not found at {path}: fake Discord tests skipped")
    return path


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """Start a FakeDiscord validating against the spec; fail on unexpected violations."""
    server = FakeDiscord(spec_path())
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


Connect = Callable[[discord.Client], Awaitable[discord.Client]]


@pytest.fixture
async def connect(fake: FakeDiscord) -> AsyncIterator[Connect]:
    """Start discord.py clients against the fake and close them after the test."""
    running: list[tuple[discord.Client, asyncio.Task[None]]] = []

    async def start(client: discord.Client) -> discord.Client:
        task = asyncio.create_task(client.start(TOKEN))
        running.append((client, task))

        def ready() -> bool:
            if task.done():
                task.result()  # surface a crash instead of waiting out the timeout
            return client.is_ready()

        await fake.wait_for(ready, timeout=10)
        return client

    yield start
    for client, task in running:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
