"""The engagement feature's services, built together and registered once in the container."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.engagement.contributions import ContributionsAdminService
from bot.services.engagement.expenses import ExpensesService
from bot.services.engagement.moves import LevelMovesService
from bot.services.engagement.payments import PaymentsService
from bot.services.engagement.personal_data import EngagementPersonalData
from bot.services.engagement.progression import EngagementService
from bot.services.engagement.training import TrainingService
from bot.settings import Settings


@dataclass(frozen=True)
class EngagementServices:
    """Progress (also the DueSource for level notices), moves, contributions, training, money."""

    progress: EngagementService
    moves: LevelMovesService
    contributions: ContributionsAdminService
    training: TrainingService
    payments: PaymentsService
    expenses: ExpensesService
    personal_data: EngagementPersonalData

    @property
    def extra_due_sources(self) -> tuple[EngagementService, ...]:
        """Return the DueSource for eligibility notices (found by Services.due_sources)."""
        return (self.progress,)


def build_engagement(
    settings: Settings, db: async_sessionmaker[AsyncSession], clock: Clock
) -> EngagementServices:
    """Create every engagement service on the shared settings, database and clock."""
    return EngagementServices(
        progress=EngagementService(settings, db, clock),
        moves=LevelMovesService(settings, db, clock),
        contributions=ContributionsAdminService(settings, db, clock),
        training=TrainingService(settings, db, clock),
        payments=PaymentsService(settings, db, clock),
        expenses=ExpensesService(settings, db, clock),
        personal_data=EngagementPersonalData(),
    )
