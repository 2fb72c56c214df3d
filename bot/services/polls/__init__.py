"""The polls feature."""

from __future__ import annotations

from bot.services.polls.charts import results_chart_png
from bot.services.polls.personal_data import PollsPersonalData
from bot.services.polls.results import PollClosed, PollReminder, PollResults, PollView, VoteReceipt
from bot.services.polls.rules import PollDraft, parse_closing, parse_options
from bot.services.polls.service import PollsService

__all__ = [
    "PollClosed",
    "PollDraft",
    "PollReminder",
    "PollResults",
    "PollView",
    "PollsPersonalData",
    "PollsService",
    "VoteReceipt",
    "parse_closing",
    "parse_options",
    "results_chart_png",
]
