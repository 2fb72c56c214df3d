"""The support feature."""

from __future__ import annotations

from bot.services.base import ERASED
from bot.services.support.owed import (
    CARD,
    CLOSE_SPACE,
    CRISIS_NOTE,
    ESCALATION,
    LIMIT_WARNING,
    OPEN_SPACE,
    REMOVE_SPACE,
    RERAISE,
    TELL,
    StaffPlaces,
)
from bot.services.support.records import (
    ESCALATION_TARGETS,
    MEMBER_URGENCIES,
    MESSAGE_MAX,
    NOTE_MAX,
    OUTCOMES,
    REASON_MAX,
    REPORT_REASON_MAX,
    TOPICS,
    URGENCIES,
    WITHDRAWN,
    Flagged,
    Opened,
    QueuePage,
    Reported,
    RequestView,
    StaffAction,
    SupportRaised,
)
from bot.services.support.service import SupportService
from bot.services.support.spaces import Usage
from bot.services.support.stats import SupportStats, requests_made
from bot.services.support.wording import SPACE_LINK, dm_crisis_reply, refusal_with_resources

__all__ = [
    "CARD",
    "CLOSE_SPACE",
    "CRISIS_NOTE",
    "ERASED",
    "ESCALATION",
    "ESCALATION_TARGETS",
    "LIMIT_WARNING",
    "MEMBER_URGENCIES",
    "MESSAGE_MAX",
    "NOTE_MAX",
    "OPEN_SPACE",
    "OUTCOMES",
    "REASON_MAX",
    "REMOVE_SPACE",
    "REPORT_REASON_MAX",
    "RERAISE",
    "SPACE_LINK",
    "TELL",
    "TOPICS",
    "URGENCIES",
    "WITHDRAWN",
    "Flagged",
    "Opened",
    "QueuePage",
    "Reported",
    "RequestView",
    "StaffAction",
    "StaffPlaces",
    "SupportRaised",
    "SupportService",
    "SupportStats",
    "Usage",
    "dm_crisis_reply",
    "refusal_with_resources",
    "requests_made",
]
