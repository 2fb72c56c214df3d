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
