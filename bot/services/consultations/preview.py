"""Before a consultation opens: how it will look, and whether its results could be shown."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.access import Actor, require_worker
from bot.services.audience import Audience
from bot.services.consultations.common import REACHED, ConsultationBase, ConsultationView
from bot.services.consultations.results import MIN_ANONYMOUS_RESPONDENTS

# An anonymous consultation for fewer members than this may well get fewer answers than the
# results need (MIN_ANONYMOUS_RESPONDENTS), so the worker is told before it opens. The same
# line polls draw, so workers meet one rule.
SMALL_AUDIENCE = 10


@dataclass(frozen=True)
class DraftPreview:
    """A consultation as it stands, with how many members it can reach right now."""

    consultation: ConsultationView
    audience_size: int

    @property
    def results_may_be_withheld(self) -> bool:
        """Tell whether an anonymous consultation's audience is small enough to get few answers."""
        return self.consultation.anonymous and self.audience_size < SMALL_AUDIENCE

    @property
    def results_cannot_be_shown(self) -> bool:
        """Tell whether, as things stand, too few members can answer for results to be shown."""
        return self.consultation.anonymous and self.audience_size < MIN_ANONYMOUS_RESPONDENTS


class ConsultationPreview(ConsultationBase):
    """Show a worker what members will see, and who can answer, before it opens."""

    async def preview(self, actor: Actor, consultation_id: int) -> DraftPreview:
        """Return a consultation with the number of members its audience reaches now."""
        async with self.db.begin() as s:
            await require_worker(s, actor)
            row = await self._load(s, actor.guild_id, consultation_id)
            size = await Audience.of(row).size(s, row.guild_id, REACHED)
            return DraftPreview(await self._view(s, row), size)
