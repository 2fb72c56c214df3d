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
from bot.services.membership.owed import (
    APPROVED_DM,
    CARD,
    DECLINED_DM,
    REDACT,
    ROLES,
    ROLES_REMOVED,
    STAFF_NOTE,
    WELCOME,
    StaffNote,
)
from bot.services.membership.service import MembershipService

__all__ = [
    "ADJUSTMENTS",
    "APPROVED_DM",
    "CARD",
    "CONSENT_STATEMENT",
    "DECLINED_DM",
    "EQUALITY_QUESTIONS",
    "MEMBER_TYPES",
    "PREFER_NOT",
    "REDACT",
    "ROLES",
    "ROLES_REMOVED",
    "STAFF_NOTE",
    "WELCOME",
    "Decision",
    "Departure",
    "JoinForm",
    "MemberView",
    "MembershipService",
    "StaffNote",
]
