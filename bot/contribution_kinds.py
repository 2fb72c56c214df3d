"""The kinds of contribution a member can make, shared by settings and services."""

from enum import StrEnum


class ContributionKind(StrEnum):
    """A kind of contribution; the values are stored in the database and used in config."""

    POLL_VOTE = "poll_vote"
    CONSULTATION_RESPONSE = "consultation_response"
    SESSION_ATTENDED = "session_attended"
    SESSION_COFACILITATED = "session_cofacilitated"
    TRAINING_COMPLETED = "training_completed"
    TRAINING_DELIVERED = "training_delivered"
    RECRUITMENT_PANEL = "recruitment_panel"
    PROJECT_WORK = "project_work"
    PEER_SUPPORT_GIVEN = "peer_support_given"
    OTHER = "other"


KIND_LABELS: dict[ContributionKind, str] = {
    ContributionKind.POLL_VOTE: "poll votes",
    ContributionKind.CONSULTATION_RESPONSE: "consultation responses",
    ContributionKind.SESSION_ATTENDED: "sessions attended",
    ContributionKind.SESSION_COFACILITATED: "sessions co-facilitated",
    ContributionKind.TRAINING_COMPLETED: "training modules completed",
    ContributionKind.TRAINING_DELIVERED: "training delivered",
    ContributionKind.RECRUITMENT_PANEL: "recruitment panels",
    ContributionKind.PROJECT_WORK: "project work",
    ContributionKind.PEER_SUPPORT_GIVEN: "peer support given",
    ContributionKind.OTHER: "other contributions",
}

# What a worker logs by hand. The bot records the others itself as they happen, so logging
# them by hand would count them twice: a poll vote when someone votes, a consultation
# response when they answer, a training module when a worker uses /training record (which
# also names the module).
BY_HAND: tuple[ContributionKind, ...] = (
    ContributionKind.SESSION_ATTENDED,
    ContributionKind.SESSION_COFACILITATED,
    ContributionKind.TRAINING_DELIVERED,
    ContributionKind.RECRUITMENT_PANEL,
    ContributionKind.PROJECT_WORK,
    ContributionKind.PEER_SUPPORT_GIVEN,
    ContributionKind.OTHER,
)
# Work measured in time, so hours make sense (and are paid by the hour at a paid level).
# A vote, a response or a module completed is counted, not timed.
TIMED: frozenset[ContributionKind] = frozenset(BY_HAND)
# How the bot records the kinds a worker does not log by hand, for the message that says so.
RECORDED_BY_BOT: dict[ContributionKind, str] = {
    ContributionKind.POLL_VOTE: "Poll votes are recorded by the bot when someone votes",
    ContributionKind.CONSULTATION_RESPONSE: (
        "Consultation responses are recorded by the bot when someone answers"
    ),
    ContributionKind.TRAINING_COMPLETED: (
        "A completed training module is recorded with /training record, which names the module"
    ),
}
