"""The membership feature: sign-up, approval, members' own records, data rights, glossary."""

from __future__ import annotations

from bot.services.membership.forms import (
    ADJUSTMENTS,
    CONSENT_STATEMENT,
    EQUALITY_QUESTIONS,
    MEMBER_TYPES,
    PREFER_NOT,
    Decision,
    Departure,
    JoinForm,
    MemberView,
)
from bot.services.membership.service import MembershipService

__all__ = [
    "ADJUSTMENTS",
    "CONSENT_STATEMENT",
    "EQUALITY_QUESTIONS",
    "MEMBER_TYPES",
    "PREFER_NOT",
    "Decision",
    "Departure",
    "JoinForm",
    "MemberView",
    "MembershipService",
]
