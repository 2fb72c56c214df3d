"""The membership feature: sign-up, approval, members' own records, data rights, glossary."""

from __future__ import annotations

from bot.services.membership.forms import (
    ADJUSTMENTS,
    CONSENT_STATEMENT,
    EQUALITY_QUESTIONS,
    MEMBER_TYPES,
    NAME_MAX,
    NOTE_MAX,
    PREFER_NOT,
    PRONOUNS_MAX,
    Decision,
    Departure,
    FieldProblem,
    JoinForm,
    MemberView,
)
from bot.services.membership.matching import (
    Suggestion,
    age_band_suggestions,
    area_suggestions,
)
from bot.services.membership.owed import (
    APPROVED_DM,
    CARD,
    DECLINED_DM,
    REDACT,
    REPLY,
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
    "NAME_MAX",
    "NOTE_MAX",
    "PREFER_NOT",
    "PRONOUNS_MAX",
    "REDACT",
    "REPLY",
    "ROLES",
    "ROLES_REMOVED",
    "STAFF_NOTE",
    "WELCOME",
    "Decision",
    "Departure",
    "FieldProblem",
    "JoinForm",
    "MemberView",
    "MembershipService",
    "StaffNote",
    "Suggestion",
    "age_band_suggestions",
    "area_suggestions",
]
