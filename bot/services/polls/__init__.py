"""Quick polls: the public face the polls cog imports."""

from __future__ import annotations

from bot.services.polls.charts import results_chart_alt, results_chart_png
from bot.services.polls.closing import PollClosed
from bot.services.polls.owed import CLOSED_MESSAGE, REMINDER, RESULTS, ReminderDM
from bot.services.polls.personal_data import PollsPersonalData
from bot.services.polls.records import PollView
from bot.services.polls.reminders import PollReminder
from bot.services.polls.results import (
    NamedVote,
    PollResults,
    Turnout,
    may_show_turnout_only,
    too_few_to_show_choices,
)
from bot.services.polls.rules import (
    OptionsRead,
    PollDraft,
    parse_closing,
    parse_options,
    read_options,
)
from bot.services.polls.service import PollsService
from bot.services.polls.voting import VoteReceipt

__all__ = [
    "CLOSED_MESSAGE",
    "REMINDER",
    "RESULTS",
    "NamedVote",
    "OptionsRead",
    "PollClosed",
    "PollDraft",
    "PollReminder",
    "PollResults",
    "PollView",
    "PollsPersonalData",
    "PollsService",
    "ReminderDM",
    "Turnout",
    "VoteReceipt",
    "may_show_turnout_only",
    "parse_closing",
    "parse_options",
    "read_options",
    "results_chart_alt",
    "results_chart_png",
    "too_few_to_show_choices",
]
