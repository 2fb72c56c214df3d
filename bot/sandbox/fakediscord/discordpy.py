"""Point the unmodified discord.py library at a FakeDiscord."""

from __future__ import annotations

import discord.gateway
import discord.http
import yarl


def point_discord_py_at(api_base: str, gateway_url: str) -> None:
    """Send discord.py's REST and gateway traffic to the given URLs (process-wide)."""
    # Route.BASE is a class attribute used by both HTTPClient and the interaction webhook
    # adapter; discord.http._set_api_version would overwrite it, so call this after that.
    discord.http.Route.BASE = api_base
    # DEFAULT_GATEWAY is a yarl.URL; a plain Client never asks /gateway/bot for it.
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def restore_discord_py() -> None:
    """Point discord.py back at the real Discord."""
    discord.http.Route.BASE = f"https://discord.com/api/v{discord.http.INTERNAL_API_VERSION}"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL("wss://gateway.discord.gg/")
