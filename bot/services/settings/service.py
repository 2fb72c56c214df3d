"""/settings: a server's admins view, edit, reset and export its own settings."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, ServerSetting
from bot.db.upsert import insert_for
from bot.services.access import Actor, guild_config, is_worker
from bot.services.base import Service
from bot.services.errors import InvalidInput, NotAllowed
from bot.services.settings.sections import (
    FORM_LIMIT,
    SECTIONS,
    check_section,
    merged,
    parse_toml,
    plain,
    section_data,
    to_toml,
)
from bot.services.settings.store import ServerSettingsCache
from bot.settings import CONFIG_DIR_ENV, DEFAULT_CONFIG_DIR

NOT_ADMIN = (
    "Only server admins (with Manage Server) and participation workers can see or change "
    "this group's settings."
)
NATIONS = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
}


@dataclass(frozen=True)
class SectionView:
    """One section as a server has it: its TOML text and whether it is the server's own."""

    section: str
    about: str
    overridden: bool
    toml: str


@dataclass(frozen=True)
class Changed:
    """What an edit did: the section, and whether it now differs from the default at all."""

    section: str
    overridden: bool


def crisis_dirs() -> list[Path]:
    """Return the folders holding ready-made crisis sets: the deployment's, then the project's."""
    own = os.environ.get(CONFIG_DIR_ENV, "").strip()
    found = [Path(own).expanduser() / "crisis"] if own else []
    return [*found, DEFAULT_CONFIG_DIR / "crisis"]


def crisis_set(nation: str) -> list[dict[str, Any]]:
    """Return the ready-made crisis resources for one UK nation."""
    if nation not in NATIONS:
        raise InvalidInput(f"Choose one of: {', '.join(NATIONS.values())}.")
    for folder in crisis_dirs():
        path = folder / f"{nation}.toml"
        if path.exists():
            resources: list[dict[str, Any]] = tomllib.loads(path.read_text("utf-8"))[
                "crisis_resources"
            ]
            return resources
    raise InvalidInput(
        f"The crisis set for {NATIONS[nation]} is missing: put crisis/{nation}.toml in the "
        f"folder {CONFIG_DIR_ENV} names."
    )


class SettingsService(Service):
    """Each server's own settings over the deployment's TOML defaults."""

    @cached_property
    def cache(self) -> ServerSettingsCache:
        """Return this process's copy of every server's overrides (loaded at start-up)."""
        return ServerSettingsCache(self.settings)

    async def load(self) -> int:
        """Read every server's settings (at start-up); return how many servers have their own."""
        return await self.cache.load(self.db)

    async def refresh(self) -> int:
        """Take in what other processes changed lately; return how many servers changed."""
        changed = await self.cache.refresh(self.db)
        if changed:
            self.wake()  # a server's bulletin day or reminder rules may have moved
        return changed

    async def _require_admin(self, s: AsyncSession, actor: Actor) -> None:
        if actor.is_admin:
            return
        try:
            config = await guild_config(s, actor.guild_id)
        except NotAllowed:
            raise NotAllowed(NOT_ADMIN) from None
        if not is_worker(config, actor):
            raise NotAllowed(NOT_ADMIN)

    async def view(self, actor: Actor, section: str | None = None) -> list[SectionView]:
        """Return the server's settings, one section or all, marked default or its own."""
        names = [check_section(section)] if section else list(SECTIONS)
        async with self.db.begin() as s:
            await self._require_admin(s, actor)
        own = self.cache.overrides(actor.guild_id)
        current = self.settings_for(actor.guild_id)
        return [
            SectionView(
                section=name,
                about=SECTIONS[name],
                overridden=name in own,
                toml=to_toml(section_data(current, name)),
            )
            for name in names
        ]

    async def form_text(self, actor: Actor, section: str) -> str:
        """Return the section's TOML to edit in a form, or say why it cannot be."""
        (shown,) = await self.view(actor, section)
        if len(shown.toml) > FORM_LIMIT:
            raise InvalidInput(
                f"The {section} settings are {len(shown.toml):,} characters, more than a Discord "
                f"form holds ({FORM_LIMIT:,}). Use /settings export, edit the file, and give it "
                f"to /settings edit as its file."
            )
        return shown.toml

    async def edit(self, actor: Actor, section: str, text: str) -> Changed:
        """Check TOML for a section as the config check does, then make it the server's own."""
        check_section(section)
        async with self.db.begin() as s:
            await self._require_admin(s, actor)
            wanted = plain(merged(self.settings, section, parse_toml(section, text)))
            if section == "ladder":
                await _keep_levels_in_use(s, actor.guild_id, wanted)
            default = section_data(self.settings, section)
            differs: dict[str, Any] | None
            if section == "glossary":
                differs = wanted if wanted != default else None
            else:
                differs = {k: v for k, v in wanted.items() if default.get(k) != v} or None
            await self._store(s, actor, section, differs)
            what = "changed" if differs is not None else "set back to the default"
            self.audit(s, actor, "settings.edit", detail=f"{section} settings {what}")
        self.cache.put(actor.guild_id, section, differs)
        self.wake()  # when timed work falls due may depend on what changed
        return Changed(section=section, overridden=differs is not None)

    async def reset(self, actor: Actor, section: str) -> bool:
        """Put a section back to the deployment's default; return whether it was the server's."""
        check_section(section)
        was = section in self.cache.overrides(actor.guild_id)
        async with self.db.begin() as s:
            await self._require_admin(s, actor)
            await self._store(s, actor, section, None)
            self.audit(s, actor, "settings.reset", detail=f"{section} settings reset to default")
        self.cache.put(actor.guild_id, section, None)
        self.wake()
        return was

    async def export(self, actor: Actor) -> str:
        """Return the server's own settings as TOML for a config folder's local.toml."""
        async with self.db.begin() as s:
            await self._require_admin(s, actor)
        own = self.cache.overrides(actor.guild_id)
        header = (
            "# This server's own settings (those that differ from the defaults).\n"
            "# Put them in a config folder's local.toml to make them a deployment's defaults.\n"
        )
        if not own:
            return header + "# None: this server uses the defaults throughout.\n"
        return header + to_toml({name: own[name] for name in SECTIONS if name in own})

    async def apply_crisis_set(self, actor: Actor, nation: str) -> Changed:
        """Make a UK nation's ready-made crisis contacts this server's crisis resources."""
        resources = crisis_set(nation)
        support = section_data(self.settings_for(actor.guild_id), "support")
        support["crisis_resources"] = resources
        return await self.edit(actor, "support", to_toml(support))

    async def _store(
        self, s: AsyncSession, actor: Actor, section: str, value: dict[str, Any] | None
    ) -> None:
        stored = json.dumps(value, sort_keys=True) if value is not None else None
        values = {
            "value": stored,
            "updated_by": actor.user_id,
            "updated_at": self.clock.now(),
        }
        statement = (
            insert_for(s, ServerSetting)
            .values(guild_id=actor.guild_id, section=section, **values)
            .on_conflict_do_update(index_elements=["guild_id", "section"], set_=values)
        )
        await s.execute(statement)


async def _keep_levels_in_use(s: AsyncSession, guild_id: int, ladder: dict[str, Any]) -> None:
    """Refuse a ladder that drops a level members are at (rename it instead, or move them)."""
    keys = {level["key"] for level in ladder["levels"]}
    used = set(
        await s.scalars(
            select(Member.level_key)
            .where(
                Member.guild_id == guild_id,
                Member.status.in_(["approved", "paused"]),
                Member.level_key.is_not(None),
            )
            .distinct()
        )
    )
    gone = sorted(k for k in used - keys if k is not None)
    if gone:
        raise InvalidInput(
            f"Members are at the level(s) {', '.join(gone)}, which this ladder leaves out. "
            "Keep those keys (a level's name can change), or move those members first."
        )


class SettingsPersonalData:
    """Which settings a person last changed, in /mydata; their name taken off on /forgetme."""

    section = "server_settings"

    async def export(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> Any:
        """Return the sections the person last changed in this server, and when."""
        rows = await session.execute(
            select(ServerSetting.section, ServerSetting.updated_at).where(
                ServerSetting.guild_id == guild_id, ServerSetting.updated_by == user_id
            )
        )
        return [{"section": name, "changed_at": at.isoformat()} for name, at in rows]

    async def erase(
        self, session: AsyncSession, guild_id: int, user_id: int, member_id: int
    ) -> None:
        """Keep the settings but forget who changed them."""
        await session.execute(
            update(ServerSetting)
            .where(ServerSetting.guild_id == guild_id, ServerSetting.updated_by == user_id)
            .values(updated_by=None)
        )
