"""The membership feature."""

from __future__ import annotations

from bot.services.membership.service import (
    ADJUSTMENTS,
    CONSENT_STATEMENT,
    EQUALITY_QUESTIONS,
    MEMBER_TYPES,
    PREFER_NOT,
    JoinForm,
    MembershipService,
    MemberView,
)

__all__ = [
    "ADJUSTMENTS",
    "CONSENT_STATEMENT",
    "EQUALITY_QUESTIONS",
    "MEMBER_TYPES",
    "PREFER_NOT",
    "JoinForm",
    "MemberView",
    "MembershipService",
]
