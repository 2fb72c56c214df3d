"""Every server's overrides, kept in memory and in step with the database.

Services ask for a server's settings synchronously (in the middle of rendering a card), so
each process keeps every server's effective settings in memory: loaded at start-up, updated
at once when this process changes them, and refreshed from the database every
REFRESH_SECONDS by one query for the rows changed lately, so other processes sharing
PostgreSQL see an edit within that time.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import ServerSetting
from bot.services.errors import InvalidInput
from bot.services.settings.sections import SECTIONS, effective
from bot.settings import Settings

log = logging.getLogger(__name__)

REFRESH_SECONDS = 20
# A row is stamped by the clock of the process that wrote it and becomes visible when its
# transaction commits; looking back this far past the newest stamp seen covers both the
# commit's delay and clocks a little apart between processes (re-reading a row is harmless).
LOOK_BACK = timedelta(minutes=5)


class ServerSettingsCache:
    """Each server's overrides and the effective Settings built from them."""

    def __init__(self, base: Settings) -> None:
        self.base = base
        self._overrides: dict[int, dict[str, dict[str, Any]]] = {}
        self._effective: dict[int, Settings] = {}
        self._newest: datetime | None = None
        # The stamp of each row as last read: a row read again unchanged is skipped cheaply.
        self._seen: dict[tuple[int, str], datetime] = {}

    def for_server(self, guild_id: int) -> Settings:
        """Return a server's effective settings (the deployment's when it has no overrides)."""
        return self._effective.get(guild_id, self.base)

    def own(self, guild_id: int) -> Settings | None:
        """Return a server's effective settings if it has overrides, else None."""
        return self._effective.get(guild_id)

    def overrides(self, guild_id: int) -> dict[str, dict[str, Any]]:
        """Return a copy of a server's overrides by section."""
        return dict(self._overrides.get(guild_id, {}))

    def put(self, guild_id: int, section: str, value: dict[str, Any] | None) -> None:
        """Set (or, with None, clear) one section's override and rebuild that server."""
        sections = self._overrides.setdefault(guild_id, {})
        if value is None:
            sections.pop(section, None)
        else:
            sections[section] = value
        self._rebuild(guild_id)

    def _rebuild(self, guild_id: int) -> None:
        sections = self._overrides.get(guild_id, {})
        usable: dict[str, dict[str, Any]] = {}
        for section, value in sections.items():
            try:
                effective(self.base, {section: value})
            except InvalidInput as exc:
                # The deployment's defaults changed under an old override: keep the default
                # for that section rather than stop serving the server.
                log.warning("guild %s: ignoring its %s settings: %s", guild_id, section, exc)
                continue
            usable[section] = value
        if usable:
            self._effective[guild_id] = effective(self.base, usable)
        else:
            self._effective.pop(guild_id, None)

    async def load(self, db: async_sessionmaker[AsyncSession]) -> int:
        """Read every override (at start-up); return how many servers have some."""
        self._overrides.clear()
        self._effective.clear()
        self._seen.clear()
        self._newest = None
        await self.refresh(db)
        return len(self._effective)

    async def refresh(self, db: async_sessionmaker[AsyncSession]) -> int:
        """Apply the rows changed since the last look; return how many servers changed."""
        columns = (ServerSetting.guild_id, ServerSetting.section, ServerSetting.updated_at)
        query = select(*columns, ServerSetting.value)
        if self._newest is not None:
            query = query.where(ServerSetting.updated_at >= self._newest - LOOK_BACK)
        async with db() as s:
            rows = (await s.execute(query)).all()
        touched: set[int] = set()
        for guild_id, section, updated_at, stored in rows:
            if self._newest is None or updated_at > self._newest:
                self._newest = updated_at
            if section not in SECTIONS or self._seen.get((guild_id, section)) == updated_at:
                continue
            self._seen[(guild_id, section)] = updated_at
            value = json.loads(stored) if stored is not None else None
            if self._overrides.get(guild_id, {}).get(section) != value:
                sections = self._overrides.setdefault(guild_id, {})
                if value is None:
                    sections.pop(section, None)
                else:
                    sections[section] = value
                touched.add(guild_id)
        for guild_id in touched:
            self._rebuild(guild_id)
        return len(touched)
