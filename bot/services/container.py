"""Build every service once, with the settings, database, clock and scheduler wake-up they share.

This is also the one place where scheduled work is wired: `Services.due_sources()` lists every
service whose rows fall due, and each source declares the events it emits (see bot/scheduler.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.scheduler import DueSource
from bot.services.base import Wake
from bot.services.bulletin import BulletinService
from bot.services.consultations import ConsultationService
from bot.services.engagement import EngagementServices, build_engagement
from bot.services.membership import MembershipService
from bot.services.opportunities import OpportunitiesPersonalData, OpportunitiesService
from bot.services.outbox import OutboxService
from bot.services.polls import PollsPersonalData, PollsService
from bot.services.reports import ReportsService
from bot.services.sessions import SessionsPersonalData, SessionsService
from bot.services.settings import SettingsPersonalData, SettingsService
from bot.services.setup import SetupService
from bot.services.support import SupportService
from bot.settings import Settings


@dataclass
class Services:
    """The services the cogs call; features add theirs here."""

    settings: Settings
    db: async_sessionmaker[AsyncSession]
    clock: Clock
    setup: SetupService
    membership: MembershipService
    engagement: EngagementServices
    consultations: ConsultationService
    polls: PollsService
    reports: ReportsService
    support: SupportService
    group_sessions: SessionsService
    outbox: OutboxService
    opportunities: OpportunitiesService
    bulletin: BulletinService
    server_settings: SettingsService

    def due_sources(self) -> list[DueSource]:
        """Return every service with timed work, in the order the scheduler asks them."""
        return [
            self.polls,
            self.consultations.closing,
            self.consultations.reminders,
            self.group_sessions,
            self.support,
            self.engagement.progress,
            self.opportunities,
            self.bulletin,
            self.outbox,
        ]


def build_services(
    settings: Settings,
    db: async_sessionmaker[AsyncSession],
    clock: Clock,
    wake: Wake | None = None,
) -> Services:
    """Create every service and wire the personal-data providers into membership."""
    server_settings = SettingsService(settings, db, clock, wake)
    # Every service's `settings_for(guild_id)` answers from this cache from now on.
    settings.serve_per_server(server_settings.cache.own)
    membership = MembershipService(settings, db, clock, wake)
    engagement = build_engagement(settings, db, clock, wake)
    membership.register_personal_data(engagement.personal_data)
    consultations = ConsultationService(settings, db, clock, wake)
    membership.register_personal_data(consultations.personal_data)
    membership.register_personal_data(PollsPersonalData())
    support = SupportService(settings, db, clock, wake)
    membership.register_personal_data(support)
    group_sessions = SessionsService(settings, db, clock, wake)
    membership.register_personal_data(SessionsPersonalData(group_sessions))
    membership.register_personal_data(OpportunitiesPersonalData())
    membership.register_personal_data(SettingsPersonalData())
    return Services(
        settings=settings,
        db=db,
        clock=clock,
        setup=SetupService(settings, db, clock, wake),
        membership=membership,
        engagement=engagement,
        consultations=consultations,
        polls=PollsService(settings, db, clock, wake),
        reports=ReportsService(settings, db, clock, wake),
        support=support,
        group_sessions=group_sessions,
        outbox=OutboxService(settings, db, clock, wake),
        opportunities=OpportunitiesService(settings, db, clock, wake),
        bulletin=BulletinService(settings, db, clock, wake),
        server_settings=server_settings,
    )
