"""The sessions feature: scheduling, replies, reminders, attendance, feedback and minutes."""

from __future__ import annotations

from bot.services.sessions.attendance import AttendanceOutcome
from bot.services.sessions.calendar import calendar_for, session_ics
from bot.services.sessions.delivering import OwedDM, OwedPost
from bot.services.sessions.events import Promotion, QuorumAlert, SessionEnded, SessionReminder
from bot.services.sessions.forms import (
    AGENDA_MAX,
    KEEP,
    MINUTES_MAX,
    Keep,
    SessionEdit,
    SessionForm,
)
from bot.services.sessions.minutes import MinutesOutcome
from bot.services.sessions.owed import (
    ANNOUNCE,
    CANCELLED,
    CHANGED,
    DMS,
    ENDED,
    EVENT,
    FEEDBACK_DM,
    FEEDBACK_POST,
    MINUTES,
    POSTS,
    PROMOTED,
    QUORUM,
    REDRAW,
    REMINDER,
)
from bot.services.sessions.personal_data import SessionsPersonalData
from bot.services.sessions.rsvp import AttendeeView, MemberSession, RsvpOutcome
from bot.services.sessions.scheduling import CancelOutcome, EditOutcome
from bot.services.sessions.service import SessionsService
from bot.services.sessions.views import Recipient, SessionView

__all__ = [
    "AGENDA_MAX",
    "ANNOUNCE",
    "CANCELLED",
    "CHANGED",
    "DMS",
    "ENDED",
    "EVENT",
    "FEEDBACK_DM",
    "FEEDBACK_POST",
    "KEEP",
    "MINUTES",
    "MINUTES_MAX",
    "POSTS",
    "PROMOTED",
    "QUORUM",
    "REDRAW",
    "REMINDER",
    "AttendanceOutcome",
    "AttendeeView",
    "CancelOutcome",
    "EditOutcome",
    "Keep",
    "MemberSession",
    "MinutesOutcome",
    "OwedDM",
    "OwedPost",
    "Promotion",
    "QuorumAlert",
    "Recipient",
    "RsvpOutcome",
    "SessionEdit",
    "SessionEnded",
    "SessionForm",
    "SessionReminder",
    "SessionView",
    "SessionsPersonalData",
    "SessionsService",
    "calendar_for",
    "session_ics",
]
