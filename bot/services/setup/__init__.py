"""Setup: what /setup makes in a server, and the record of what it made or linked."""

from __future__ import annotations

from bot.services.setup.service import ChannelSpec, SetupPlan, SetupRecord, SetupService

__all__ = ["ChannelSpec", "SetupPlan", "SetupRecord", "SetupService"]
