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
from bot.services.membership.owed import StaffNote, StaffNotes, owe_about
from bot.services.membership.service import MembershipService

__all__ = [
    "ADJUSTMENTS",
    "CONSENT_STATEMENT",
    "EQUALITY_QUESTIONS",
    "MEMBER_TYPES",
    "NAME_MAX",
    "NOTE_MAX",
    "PREFER_NOT",
    "PRONOUNS_MAX",
    "Decision",
    "Departure",
    "FieldProblem",
    "JoinForm",
    "MemberView",
    "MembershipService",
    "StaffNote",
    "StaffNotes",
    "Suggestion",
    "age_band_suggestions",
    "area_suggestions",
    "owe_about",
]
