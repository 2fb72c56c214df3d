"""The plain values support services return, and the fixed lists they accept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.models import SupportRequest
from bot.services.base import view_from

TOPICS: dict[str, str] = {
    "struggling": "I'm struggling and want to talk",
    "group_problem": "A problem in the group",
    "question": "A question about taking part",
    "other": "Something else",
}
# Most urgent first; the queue sorts by this order, then oldest first.
URGENCIES: dict[str, str] = {
    "urgent": "Urgent: someone may be at risk",
    "today": "I need help today",
    "week": "Sometime this week",
    "whenever": "Whenever someone is free",
}
# A reported message is about someone else's words: say how soon to look, not "I need help".
REPORT_URGENCIES: dict[str, str] = {"today": "Please look at it today"}
# What a member chooses from, in their own words. "I'm not safe right now" is urgent, just as
# crisis words in the message make a request urgent: nobody should have to find the words.
MEMBER_URGENCIES: dict[str, str] = URGENCIES | {"urgent": "I'm not safe right now"}
PING_URGENCIES = frozenset({"urgent", "today"})
KINDS: dict[str, str] = {
    "request": "Support request",
    "safeguarding": "Safeguarding alert",
    "report": "Reported message",
}
STATUSES: dict[str, str] = {
    "open": "Waiting for someone to pick it up",
    "claimed": "Picked up",
    "escalated": "Escalated",
    "resolved": "Resolved",
}
ESCALATION_TARGETS: dict[str, str] = {
    "worker": "a participation worker",
    "safeguarding": "the safeguarding lead",
}
OUTCOMES: dict[str, str] = {
    "supported": "Talked it through",
    "signposted": "Pointed to other help",
    "referred": "Referred on (safeguarding or services)",
    "group_action": "Action taken in the group",
    "answered": "Question answered",
    "no_action": "No action needed",
    "no_reply": "Member did not reply",
    "duplicate": "Duplicate of another request",
}
# Set by erasure, never chosen by staff.
WITHDRAWN = "withdrawn"
OPEN_STATUSES = ("open", "claimed", "escalated")
MESSAGE_MAX = 1500
REASON_MAX = 300
# Why a member reports a message: shown to the moderators, never stored.
REPORT_REASON_MAX = 500
NOTE_MAX = 300
LINK_MAX = 200


@dataclass(frozen=True)
class RequestView:
    """A support request as staff see it on a queue card (metadata only)."""

    id: int
    guild_id: int
    kind: str
    user_id: int | None
    topic: str | None
    urgency: str
    status: str
    message_link: str | None
    private_channel_id: int | None
    card_channel_id: int | None
    card_message_id: int | None
    created_at: datetime
    claimed_by: int | None
    claimed_at: datetime | None
    escalated_to: str | None
    escalated_by: int | None
    escalation_reason: str | None
    resolved_by: int | None
    resolved_at: datetime | None
    outcome: str | None
    resolution_note: str | None
    times_raised: int
    author_is_staff: bool = False

    @property
    def kind_label(self) -> str:
        """Return the kind in words."""
        return KINDS.get(self.kind, self.kind)

    @property
    def topic_label(self) -> str | None:
        """Return the topic in words."""
        return TOPICS.get(self.topic, self.topic) if self.topic else None

    @property
    def urgency_label(self) -> str:
        """Return the urgency in words (a report's is how soon to look, not the reporter's need)."""
        if self.kind == "report":
            return REPORT_URGENCIES.get(self.urgency, URGENCIES.get(self.urgency, self.urgency))
        return URGENCIES.get(self.urgency, self.urgency)

    @property
    def status_label(self) -> str:
        """Return the status in words."""
        return STATUSES.get(self.status, self.status)

    @property
    def outcome_label(self) -> str | None:
        """Return the outcome in words."""
        return OUTCOMES.get(self.outcome, self.outcome) if self.outcome else None

    @property
    def is_open(self) -> bool:
        """Tell whether the request still needs someone."""
        return self.status in OPEN_STATUSES


def view_of(row: SupportRequest) -> RequestView:
    """Return the view of a row."""
    return view_from(
        RequestView,
        row,
        times_raised=row.raised_interval,
        author_is_staff=bool(row.author_is_staff),
    )


@dataclass(frozen=True)
class Opened:
    """What the cog needs after /support: what to tell the member and where to post."""

    request: RequestView
    # To the member at once, privately (ephemeral or DM); under 2,000 characters. An urgent
    # request gets the crisis contacts here, first.
    acknowledgement: str
    crisis_resources: str
    out_of_hours: bool
    out_of_hours_notice: str | None
    expected_response: str
    ping_moderators: bool
    moderator_role_id: int | None
    queue_channel_id: int | None
    # The member's optional words: post them in the private space, never store them.
    message_to_forward: str | None
    # True when the person already had a request open: they are pointed back to it.
    existing: bool = False
    # What comes next, once the private space is open: the link (put in for SPACE) first,
    # then the wait, then the crisis contacts unless the acknowledgement gave them already.
    next_steps: str = ""
    # The same when no space could be opened (the request went straight to the queue).
    no_space_steps: str = ""

    @property
    def whole(self) -> str:
        """Return everything the member is told about a new request, in order."""
        return "\n\n".join(p for p in (self.acknowledgement, self.next_steps) if p)


@dataclass(frozen=True)
class Flagged:
    """A message matched a crisis pattern: what to tell its author and the moderators."""

    request: RequestView
    created: bool  # False when this message had already been flagged
    author_message: str
    ping_moderators: bool
    moderator_role_id: int | None
    queue_channel_id: int | None


@dataclass(frozen=True)
class Reported:
    """A member reported a message: their thanks, and the card to post if it is new."""

    request: RequestView
    created: bool
    thanks: str
    ping_moderators: bool
    moderator_role_id: int | None
    queue_channel_id: int | None


@dataclass(frozen=True)
class StaffAction:
    """The result of claim, escalate or resolve: the updated card and who to tell."""

    request: RequestView
    # Tell this person (in `tell_channel_id`, their private space, or by DM) with `tell_text`.
    tell_user_id: int | None
    tell_channel_id: int | None
    tell_text: str | None
    ping_role_id: int | None = None


@dataclass(frozen=True)
class QueuePage:
    """Unresolved requests, most urgent first, then oldest first."""

    requests: list[RequestView]
    total: int


@dataclass(frozen=True)
class SupportRaised:
    """An unclaimed request has waited another interval: raise it again in the queue."""

    request_id: int
    guild_id: int
    kind: str
    urgency: str
    waiting_minutes: int
    times_raised: int
    queue_channel_id: int | None
    card_message_id: int | None
    moderator_role_id: int | None
