"""The engagement feature."""

from __future__ import annotations

from bot.contribution_kinds import BY_HAND, ContributionKind
from bot.services.engagement.contributions import ContributionView
from bot.services.engagement.expenses import CATEGORIES, ClaimView
from bot.services.engagement.ladder import PLURAL, SINGULAR, format_pounds, hours_words
from bot.services.engagement.move_views import LevelMove
from bot.services.engagement.payments import REWARDS
from bot.services.engagement.progression import EligibilityNotice, ProgressView
from bot.services.engagement.receipts import Receipt, check_upload
from bot.services.engagement.service import EngagementServices, build_engagement

__all__ = [
    "BY_HAND",
    "CATEGORIES",
    "PLURAL",
    "REWARDS",
    "SINGULAR",
    "ClaimView",
    "ContributionKind",
    "ContributionView",
    "EligibilityNotice",
    "EngagementServices",
    "LevelMove",
    "ProgressView",
    "Receipt",
    "build_engagement",
    "check_upload",
    "format_pounds",
    "hours_words",
]
