"""Who something is for: everyone, the members in one area, or the members at one level.

Polls, sessions and consultations all have an audience; this is the one value object for it,
stored everywhere as two columns, `audience_kind` and `audience_value`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member
from bot.services.errors import InvalidInput
from bot.settings import Settings

EVERYONE = "everyone"
LOCALITY = "locality"
LEVEL = "level"
KINDS = (EVERYONE, LOCALITY, LEVEL)


class HasAudience(Protocol):
    """A row stored with the two audience columns."""

    audience_kind: str
    audience_value: str | None


@dataclass(frozen=True)
class Audience:
    """Everyone, an area (`locality`, the area's name) or a level (`level`, the level's key)."""

    kind: str = EVERYONE
    value: str | None = None

    @classmethod
    def of(cls, row: HasAudience) -> Audience:
        """Return the audience a stored row has."""
        return cls(row.audience_kind, row.audience_value)

    @classmethod
    def check(cls, kind: str | None, value: str | None, settings: Settings) -> Audience:
        """Return the audience a person chose, with the area or level named as configured.

        Areas and levels are matched without regard to case, and a level by its key or name.
        """
        kind = (kind or EVERYONE).strip().casefold()
        wanted = (value or "").strip().casefold()
        if kind == EVERYONE:
            return cls()
        if kind == LOCALITY:
            localities = settings.group.localities
            area = next((loc for loc in localities if loc.casefold() == wanted), None)
            if area is None:
                raise InvalidInput(f"Please choose an area from: {', '.join(localities)}.")
            return cls(LOCALITY, area)
        if kind == LEVEL:
            levels = settings.ladder.levels
            level = next(
                (lv for lv in levels if wanted in {lv.key.casefold(), lv.name.casefold()}), None
            )
            if level is None:
                raise InvalidInput(
                    f"Please choose a level from: {', '.join(lv.name for lv in levels)}."
                )
            return cls(LEVEL, level.key)
        raise InvalidInput(
            "Please choose who it is for: everyone, an area or a level. "
            f"There is no audience called “{kind[:40]}”."
        )

    @classmethod
    def parse(cls, text: str | None, settings: Settings) -> Audience:
        """Read the one-string form `everyone`, `locality:<area>` or `level:<level>`."""
        kind, _, value = (text or EVERYONE).strip().partition(":")
        return cls.check(kind, value or None, settings)

    def text(self) -> str:
        """Return the one-string form (`everyone`, `locality:North`, `level:leading`)."""
        return self.kind if self.kind == EVERYONE else f"{self.kind}:{self.value}"

    def describe(self, settings: Settings, everyone: str = "everyone in the group") -> str:
        """Say in plain words who this is for ("members in North")."""
        if self.kind == LOCALITY:
            return f"members in {self.value}"
        if self.kind == LEVEL:
            names = {level.key: level.name for level in settings.ladder.levels}
            return f"members at the {names.get(self.value or '', self.value)} level"
        return everyone

    def includes(self, member: Any) -> bool:
        """Tell whether a member (anything with `locality` and `level_key`) is in it."""
        if self.kind == LOCALITY:
            return bool(member.locality == self.value)
        if self.kind == LEVEL:
            return bool(member.level_key == self.value)
        return True

    def conditions(self) -> list[ColumnElement[bool]]:
        """Return the SQL conditions on Member that pick this audience."""
        if self.kind == LOCALITY:
            return [Member.locality == self.value]
        if self.kind == LEVEL:
            return [Member.level_key == self.value]
        return []

    async def size(self, s: AsyncSession, guild_id: int, statuses: tuple[str, ...]) -> int:
        """Count the members with one of these statuses that this audience reaches now."""
        count = await s.scalar(
            select(func.count())
            .select_from(Member)
            .where(Member.guild_id == guild_id, Member.status.in_(statuses), *self.conditions())
        )
        return int(count or 0)
