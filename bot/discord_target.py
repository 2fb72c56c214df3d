"""Point discord.py at a Discord-compatible server (the sandbox, the tests, or a proxy)."""

from __future__ import annotations

import discord.gateway
import discord.http
import yarl


def point_discord_py_at(api_base: str | None, gateway_url: str | None) -> None:
    """Send REST calls to api_base and open the gateway at gateway_url (None keeps Discord's)."""
    if api_base:
        discord.http.Route.BASE = api_base.rstrip("/")
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
