"""The sessions feature."""

from __future__ import annotations

from bot.services.sessions.calendar import session_ics
from bot.services.sessions.common import (
    AGENDA_MAX,
    KEEP,
    MINUTES_MAX,
    Promotion,
    QuorumAlert,
    Recipient,
    SessionEdit,
    SessionEnded,
    SessionForm,
    SessionReminder,
    SessionView,
)
from bot.services.sessions.rsvp import AttendeeView, RsvpOutcome
from bot.services.sessions.scheduling import CancelOutcome, EditOutcome
from bot.services.sessions.service import SessionsPersonalData, SessionsService

__all__ = [
    "AGENDA_MAX",
    "KEEP",
    "MINUTES_MAX",
    "AttendeeView",
    "CancelOutcome",
    "EditOutcome",
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
    "session_ics",
]
