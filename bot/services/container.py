"""Build every service once, with the settings, database and clock they share."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.consultations import ConsultationService
from bot.services.engagement_services import EngagementServices, build_engagement
from bot.services.membership import MembershipService
from bot.services.polls import PollsService
from bot.services.polls_data import PollsPersonalData
from bot.services.sessions import SessionsPersonalData, SessionsService
from bot.services.setup import SetupService
from bot.services.support import SupportService
from bot.settings import Settings


@dataclass
class Services:
    """The services the cogs call; features add theirs here."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    setup: SetupService
    membership: MembershipService
    engagement: EngagementServices
    consultations: ConsultationService
    polls: PollsService
    support: SupportService
    group_sessions: SessionsService

    def due_sources(self) -> list[Any]:
        """Return every service that has timed work (a `take_due` and a `next_due`)."""
        found = []
        for f in fields(self):
            value = getattr(self, f.name)
            if hasattr(value, "take_due") and hasattr(value, "next_due"):
                found.append(value)
            found.extend(getattr(value, "extra_due_sources", ()))
        return found


def build_services(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> Services:
    """Create every service and wire the personal-data providers into membership."""
    membership = MembershipService(settings, sessions, clock)
    engagement = build_engagement(settings, sessions, clock)
    membership.register_personal_data(engagement.personal_data)
    consultations = ConsultationService(settings, sessions, clock)
    membership.register_personal_data(consultations.personal_data)
    membership.register_personal_data(PollsPersonalData())
    support = SupportService(settings, sessions, clock)
    membership.register_personal_data(support)
    group_sessions = SessionsService(settings, sessions, clock)
    membership.register_personal_data(SessionsPersonalData(group_sessions))
    return Services(
        settings=settings,
        sessions=sessions,
        clock=clock,
        setup=SetupService(settings, sessions, clock),
        membership=membership,
        engagement=engagement,
        consultations=consultations,
        polls=PollsService(settings, sessions, clock),
        support=support,
        group_sessions=group_sessions,
    )
