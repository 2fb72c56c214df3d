"""Per-server settings: each server's own values for the sections of config/."""

from bot.services.settings.sections import FORM_LIMIT, SECTIONS
from bot.services.settings.service import (
    NATIONS,
    Changed,
    SectionView,
    SettingsPersonalData,
    SettingsService,
)
from bot.services.settings.store import REFRESH_SECONDS

__all__ = [
    "FORM_LIMIT",
    "NATIONS",
    "REFRESH_SECONDS",
    "SECTIONS",
    "Changed",
    "SectionView",
    "SettingsPersonalData",
    "SettingsService",
]
