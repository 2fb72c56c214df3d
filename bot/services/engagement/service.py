"""The engagement feature's services, built together and registered once in the container."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.base import Wake
from bot.services.engagement.contributions import ContributionsAdminService
from bot.services.engagement.expenses import ExpensesService
from bot.services.engagement.moves import LevelMovesService
from bot.services.engagement.owed import EngagementOwed
from bot.services.engagement.payments import PaymentsService
from bot.services.engagement.personal_data import EngagementPersonalData
from bot.services.engagement.progression import ProgressService
from bot.services.engagement.receipts import ReceiptsService
from bot.services.engagement.training import TrainingService
from bot.settings import Settings


@dataclass(frozen=True)
class EngagementServices:
    """Progress (the DueSource for level notices), moves, contributions, training, money, owed."""

    progress: ProgressService
    moves: LevelMovesService
    contributions: ContributionsAdminService
    training: TrainingService
    payments: PaymentsService
    expenses: ExpensesService
    receipts: ReceiptsService
    personal_data: EngagementPersonalData
    owed: EngagementOwed

    @property
    def extra_due_sources(self) -> tuple[ProgressService, ...]:
        """Return the DueSource for eligibility notices (found by Services.due_sources)."""
        return (self.progress,)


def build_engagement(
    settings: Settings,
    db: async_sessionmaker[AsyncSession],
    clock: Clock,
    wake: Wake | None = None,
) -> EngagementServices:
    """Create every engagement service on the shared settings, database, clock and wake-up."""
    shared = (settings, db, clock, wake)
    return EngagementServices(
        progress=ProgressService(*shared),
        moves=LevelMovesService(*shared),
        contributions=ContributionsAdminService(*shared),
        training=TrainingService(*shared),
        payments=PaymentsService(*shared),
        expenses=ExpensesService(*shared),
        receipts=ReceiptsService(*shared),
        personal_data=EngagementPersonalData(clock),
        owed=EngagementOwed(*shared),
    )
