"""Every model, imported so that Base.metadata knows every table."""

from bot.db.models.consultations import (
    Consultation,
    ConsultationAnswer,
    ConsultationFeedback,
    ConsultationParticipant,
    ConsultationQuestion,
    ConsultationRespondent,
    ConsultationSuggestion,
)
from bot.db.models.contributions import Contribution
from bot.db.models.engagement import (
    ExpenseClaim,
    LevelChange,
    LevelNotice,
    MentorRequest,
    Payment,
    RewardPreference,
    TrainingRecord,
)
from bot.db.models.membership import AuditEntry, EqualityMonitoring, GuildConfig, LevelRole, Member
from bot.db.models.opportunities import (
    BulletinIssue,
    Opportunity,
    OpportunityInterest,
    OpportunitySelection,
)
from bot.db.models.outbox import OutboxItem
from bot.db.models.polls import Poll, PollBallot
from bot.db.models.reports import contributions_report  # noqa: F401  (an index, for /report)
from bot.db.models.sessions import (
    GroupSession,
    SessionAttendance,
    SessionFeedback,
    SessionReminder,
    SessionRsvp,
    SessionSeries,
)
from bot.db.models.settings import ServerSetting
from bot.db.models.support import SupportRequest

__all__ = ["AuditEntry", "Contribution", "EqualityMonitoring", "GuildConfig", "LevelRole", "Member"]
__all__ += [
    "GroupSession",
    "SessionAttendance",
    "SessionFeedback",
    "SessionReminder",
    "SessionRsvp",
    "SessionSeries",
]
__all__ += [
    "Consultation",
    "ConsultationAnswer",
    "ConsultationFeedback",
    "ConsultationParticipant",
    "ConsultationQuestion",
    "ConsultationRespondent",
    "ConsultationSuggestion",
]
__all__ += [
    "ExpenseClaim",
    "LevelChange",
    "LevelNotice",
    "MentorRequest",
    "Payment",
    "RewardPreference",
    "TrainingRecord",
]
__all__ += ["Poll", "PollBallot"]
__all__ += ["SupportRequest"]
__all__ += ["OutboxItem"]
__all__ += ["BulletinIssue", "Opportunity", "OpportunityInterest", "OpportunitySelection"]
__all__ += ["ServerSetting"]
