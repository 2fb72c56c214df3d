"""The support feature."""

from __future__ import annotations

from bot.services.support.records import (
    ESCALATION_TARGETS,
    MEMBER_URGENCIES,
    NOTE_MAX,
    OUTCOMES,
    REASON_MAX,
    TOPICS,
    URGENCIES,
    Flagged,
    Opened,
    QueuePage,
    Reported,
    RequestView,
    StaffAction,
    SupportRaised,
)
from bot.services.support.service import SupportService
from bot.services.support.stats import SupportStats
from bot.services.support.wording import refusal_with_resources

__all__ = [
    "ESCALATION_TARGETS",
    "MEMBER_URGENCIES",
    "NOTE_MAX",
    "OUTCOMES",
    "REASON_MAX",
    "TOPICS",
    "URGENCIES",
    "Flagged",
    "Opened",
    "QueuePage",
    "Reported",
    "RequestView",
    "StaffAction",
    "SupportRaised",
    "SupportService",
    "SupportStats",
    "refusal_with_resources",
]
