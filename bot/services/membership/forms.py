"""What people type to sign up, and how a membership record is shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.db.models import Member
from bot.services.base import view_from
from bot.services.errors import InvalidInput
from bot.services.membership.matching import resolve_age_band, resolve_area
from bot.services.text import clean_text
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


class FieldProblem(InvalidInput):
    """One answer on the sign-up form cannot be used; the others are fine to keep."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _text(
    form: JoinForm, name: str, label: str, limit: int, *, required: bool, multiline: bool = False
) -> str | None:
    """Return a cleaned text answer, or say which answer is wrong and why."""
    try:
        value = getattr(form, name)
        return clean_text(
            value, field=label, max_length=limit, required=required, multiline=multiline
        )
    except InvalidInput as problem:
        raise FieldProblem(name, problem.message) from None


def _fold_note(note: str | None, picked: Sequence[str]) -> tuple[list[str], str | None]:
    """Store a free-text adjustment once: one that names a listed adjustment joins the list."""
    keys = set(picked)
    if note is not None:
        wanted = note.strip().strip(".!").casefold()
        for key, label in ADJUSTMENTS.items():
            if wanted in {key.replace("_", " "), label.casefold()}:
                keys.add(key)
                note = None
    return sorted(keys), note


def checked_values(form: JoinForm, settings: Settings) -> dict[str, Any]:
    """Return the record fields a sign-up or profile form sets, or explain what is wrong."""
    group = settings.group
    if not form.consent:
        raise InvalidInput(
            "We can only sign you up if you agree to us keeping these details. "
            "Nothing has been saved."
        )
    name = _text(form, "preferred_name", "your preferred name", NAME_MAX, required=True)
    pronouns = _text(form, "pronouns", "pronouns", PRONOUNS_MAX, required=False)
    age_band = resolve_age_band(form.age_band, group)
    if age_band not in group.age_bands:
        raise FieldProblem(
            "age_band", f"Please choose an age band from: {', '.join(group.age_bands)}."
        )
    if form.member_type not in MEMBER_TYPES:
        raise InvalidInput("Please say whether you are a young person or a parent/carer.")
    locality = resolve_area(form.locality, group)
    if locality not in group.localities:
        raise FieldProblem(
            "locality", f"Please choose an area from: {', '.join(group.localities)}."
        )
    unknown = [a for a in form.adjustments if a not in ADJUSTMENTS]
    if unknown:
        raise InvalidInput(f"Unknown adjustment: {unknown[0]}.")
    note = _text(
        form,
        "adjustments_note",
        "the note about adjustments",
        NOTE_MAX,
        required=False,
        multiline=True,
    )
    adjustments, note = _fold_note(note, form.adjustments)
    return {
        "preferred_name": name,
        "pronouns": pronouns,
        "age_band": age_band,
        "member_type": form.member_type,
        "locality": locality,
        "dm_opt_in": form.dm_opt_in,
        "adjustments": adjustments,
        "adjustments_note": note,
    }


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
    # Where welcomes posted before the outbox recorded them may still name the person.
    welcome_channel_id: int | None = None


def member_view(member: Member, settings: Settings) -> MemberView:
    """Return the plain view of a membership record."""
    return view_from(
        MemberView,
        member,
        adjustments=list(member.adjustments or []),
        needs_carer_confirmation=member.age_band in settings.group.under_16_age_bands,
        carer_confirmed=member.carer_aware_confirmed_at is not None,
    )
