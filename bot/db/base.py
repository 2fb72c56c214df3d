"""Declarative base and column types shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, ForeignKey, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class TZDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC; refuse naive ones so local time never leaks in."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store aware UTC datetimes only")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


# Discord snowflakes do not fit in a 32-bit integer.
Snowflake = BigInteger


class Base(DeclarativeBase):
    """The declarative base of every table."""

    metadata = MetaData(naming_convention=NAMING)


class ServerRow:
    """A numbered row of one server: `id`, then `guild_id` (indexed), first in its table."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-2)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True, sort_order=-1)


def cascade(
    target: str, *, index: bool | None = None, primary_key: bool = False, sort_order: int = 0
) -> MappedColumn[Any]:
    """Refer to `target` ("members.id"); deleting the target deletes this row with it."""
    return mapped_column(
        ForeignKey(target, ondelete="CASCADE"),
        index=index,
        primary_key=primary_key,
        sort_order=sort_order,
    )


def set_null(target: str, *, index: bool | None = None) -> MappedColumn[Any]:
    """Refer to `target` ("members.id"); deleting the target leaves this row, unlinked."""
    return mapped_column(ForeignKey(target, ondelete="SET NULL"), index=index)
