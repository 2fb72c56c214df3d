"""Per-server settings: a server's own value for a section of config/, over the TOML default."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, Snowflake, TZDateTime


class ServerSetting(Base):
    """One server's override of one section (e.g. "support"), as JSON; NULL once reset.

    A reset keeps the row (value NULL) so that other processes, which look only at rows
    changed since their last look, see the reset too.
    """

    __tablename__ = "server_settings"
    __table_args__ = (Index("ix_server_settings_updated_at", "updated_at"),)

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    section: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[int | None] = mapped_column(Snowflake)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime)
