"""Opportunities (panels, training, projects, events): the public face the cog imports."""

from __future__ import annotations

from bot.services.opportunities.closing import OpportunityClosed
from bot.services.opportunities.interest import (
    InterestedPerson,
    InterestReceipt,
    SelectedDM,
    Selection,
)
from bot.services.opportunities.personal_data import OpportunitiesPersonalData
from bot.services.opportunities.posting import OpenOpportunity
from bot.services.opportunities.records import (
    CLOSED,
    CLOSED_WORKERS,
    POSTED,
    SELECTED,
    OpportunityView,
    who_it_suits,
)
from bot.services.opportunities.rules import KINDS, OpportunityDraft
from bot.services.opportunities.service import OpportunitiesService

__all__ = [
    "CLOSED",
    "CLOSED_WORKERS",
    "KINDS",
    "POSTED",
    "SELECTED",
    "InterestReceipt",
    "InterestedPerson",
    "OpenOpportunity",
    "OpportunitiesPersonalData",
    "OpportunitiesService",
    "OpportunityClosed",
    "OpportunityDraft",
    "OpportunityView",
    "SelectedDM",
    "Selection",
    "who_it_suits",
]
