"""The monthly bulletin: the public face the bulletin cog imports."""

from __future__ import annotations

from bot.services.bulletin.contents import (
    BulletinContents,
    BulletinFeedback,
    BulletinOpportunity,
    BulletinSession,
)
from bot.services.bulletin.schedule import month_name
from bot.services.bulletin.service import DM, POST, BulletinPreview, BulletinSent, BulletinService

__all__ = [
    "DM",
    "POST",
    "BulletinContents",
    "BulletinFeedback",
    "BulletinOpportunity",
    "BulletinPreview",
    "BulletinSent",
    "BulletinService",
    "BulletinSession",
    "month_name",
]
