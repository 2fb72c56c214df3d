"""What people type to sign up, and how a membership record is shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.db.models import Member
from bot.settings import Settings

ADJUSTMENTS: dict[str, str] = {
    "captions": "Captions or a transcript",
    "camera_off": "Camera off is fine",
    "papers_early": "Papers sent early",
    "no_early_starts": "No early starts",
    "breaks": "Regular breaks",
}
MEMBER_TYPES = {"young_person": "Young person", "carer": "Parent or carer"}
EQUALITY_QUESTIONS: dict[str, list[str]] = {
    "gender": ["Woman or girl", "Man or boy", "Non-binary", "Another way"],
    "ethnicity": ["Asian or Asian British", "Black or Black British", "Mixed", "White", "Other"],
    "disability": ["Yes", "No"],
    "sexual_orientation": ["Heterosexual or straight", "Gay or lesbian", "Bisexual", "Another way"],
}
PREFER_NOT = "Prefer not to say"
NAME_MAX = 64
PRONOUNS_MAX = 40
NOTE_MAX = 500
REASON_MAX = 500

CONSENT_STATEMENT = (
    "What we keep and why: your preferred name, pronouns, age band, whether you are a young "
    "person or a parent/carer, your area, how you'd like us to contact you and any adjustments "
    "you need. We use it to run the group, to invite you to things that suit you and to make "
    "sessions work for you. We record what you take part in so you can see your progress and "
    "be paid fairly. Only participation workers can see your details. You can see everything "
    "we hold with /mydata and delete it with /forgetme at any time."
)


@dataclass(frozen=True)
class JoinForm:
    """What someone typed into the sign-up form."""

    preferred_name: str
    age_band: str
    member_type: str
    locality: str
    consent: bool
    pronouns: str | None = None
    dm_opt_in: bool = False
    adjustments: Sequence[str] = ()
    adjustments_note: str | None = None


@dataclass(frozen=True)
class MemberView:
    """A member as the bot shows them."""

    id: int
    guild_id: int
    user_id: int
    preferred_name: str
    pronouns: str | None
    age_band: str
    member_type: str
    locality: str
    dm_opt_in: bool
    adjustments: list[str]
    adjustments_note: str | None
    status: str
    level_key: str | None
    needs_carer_confirmation: bool
    carer_confirmed: bool
    joined_at: datetime
    decline_reason: str | None
    card_channel_id: int | None
    card_message_id: int | None


@dataclass(frozen=True)
class Decision:
    """The outcome of an approval or decline, with what Discord needs to change."""

    member: MemberView
    add_role_ids: list[int] = field(default_factory=list)
    welcome_channel_id: int | None = None
    worker_log_channel_id: int | None = None


@dataclass(frozen=True)
class Departure:
    """Roles to take away when someone leaves or is erased, and bot messages to redact."""

    user_id: int
    remove_role_ids: list[int]
    redact_messages: list[tuple[int, int]] = field(default_factory=list)
    leave_channels: list[int] = field(default_factory=list)


def member_view(member: Member, settings: Settings) -> MemberView:
    """Return the plain view of a membership record."""
    return MemberView(
        id=member.id,
        guild_id=member.guild_id,
        user_id=member.user_id,
        preferred_name=member.preferred_name,
        pronouns=member.pronouns,
        age_band=member.age_band,
        member_type=member.member_type,
        locality=member.locality,
        dm_opt_in=member.dm_opt_in,
        adjustments=list(member.adjustments or []),
        adjustments_note=member.adjustments_note,
        status=member.status,
        level_key=member.level_key,
        needs_carer_confirmation=member.age_band in settings.group.under_16_age_bands,
        carer_confirmed=member.carer_aware_confirmed_at is not None,
        joined_at=member.joined_at,
        decline_reason=member.decline_reason,
        card_channel_id=member.card_channel_id,
        card_message_id=member.card_message_id,
    )
