"""Drive the real bot through the local Discord stand-in, as people would."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine
from bot.sandbox.driver import (
    BotHarness,
    answered,
    attachments_of,
    command,
    custom_ids,
    everything_text,
    listening,
)
from bot.sandbox.fakediscord import FakeDiscord, Interaction
from bot.settings import Settings, load_settings

__all__ = [
    "BotHarness",
    "People",
    "answered",
    "attachments_of",
    "custom_ids",
    "described_uploads",
    "everything_text",
    "listening",
    "settle",
    "slash",
    "table_dump",
]


def stand_in_settings(
    db_url: str, fake: FakeDiscord, guild_id: int | None, **changes: Any
) -> Settings:
    """Return settings pointing the bot at the stand-in and the test database, with changes.

    `guild_id` None serves every server the bot is in (no single group server).
    """
    return load_settings(
        database_url=db_url,
        discord_guild_id=guild_id,
        discord_api_base=fake.api_base,
        discord_gateway_url=fake.gateway_url,
        guild_ready_timeout=0.05,
        **changes,
    )


@dataclass
class People:
    """The users, roles and channels of a test server (by name: "guild", "role:X", "#x")."""

    admin: int
    worker: int
    moderator: int
    others: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, name: str) -> int:
        return self.others[name]


slash = command


async def settle(fake: FakeDiscord, handle: Interaction, wait: float = 5.0) -> str:
    """Wait until a deferred interaction has content, then return all the text it shows."""

    def text_of() -> str:
        parts = [(handle.original or {}).get("content") or handle.content or ""]
        parts += [m.get("content") or "" for m in handle.followups]
        return "\n".join(p for p in parts if p)

    await fake.wait_for(lambda: text_of() or None, wait)
    return text_of()


async def table_dump(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Return every row of every table (for privacy scans)."""
    engine: AsyncEngine = create_engine(database_url)
    from bot.db.base import Base

    dump: dict[str, list[tuple[Any, ...]]] = {}
    async with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = await conn.execute(text(f'SELECT * FROM "{table.name}"'))
            dump[table.name] = [tuple(r) for r in rows]
    await engine.dispose()
    return dump


def described_uploads(fake: FakeDiscord) -> dict[int, list[dict[str, Any]]]:
    """Record, by message id, the attachment details the bot sends with every upload.

    The stand-in stores an upload's bytes but not its description, so the request body is
    read on its way in (after the OpenAPI check has passed it).
    """
    seen: dict[int, list[dict[str, Any]]] = {}
    original = fake.router.match

    def match(method: str, path: str) -> Any:
        found = original(method, path)
        if found is None:
            return None
        handler, params = found

        async def recording(call: Any) -> tuple[int, Any]:
            status, out = await handler(call)
            body = call.body if isinstance(call.body, dict) else {}
            if call.uploads and isinstance(out, dict):
                message = out.get("resource", {}).get("message") if "resource" in out else out
                if isinstance(message, dict) and "id" in message:
                    seen[int(message["id"])] = list(body.get("attachments") or [])
            return status, out

        return recording, params

    fake.router.match = match  # type: ignore[method-assign]
    return seen
