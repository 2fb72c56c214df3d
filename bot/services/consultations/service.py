"""Consultations ("you said, we did"): one facade over the small services in this package.

- drafting: details, the end-of-involvement template, opening   (drafting.py)
- preview: how it will look, and who can answer, before it opens (preview.py)
- questions: typed one at a time or uploaded as a text file      (questions.py;
  question_file.py documents the file format)
- suggestions: members suggest questions for drafts               (suggestions.py)
- answering: question by question, resumable, anonymous by design (answering.py)
- closing: on the deadline (a DueSource) or early by a worker     (closing.py)
- results: counts, charts and CSV                                  (results.py)
- feedback: "you said, we did" and the review-date reminder       (feedback.py)
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.base import Wake
from bot.services.consultations.answering import ConsultationAnswering
from bot.services.consultations.closing import ConsultationClosing
from bot.services.consultations.drafting import ConsultationDrafting
from bot.services.consultations.feedback import ConsultationFeedbackService, FeedbackReminders
from bot.services.consultations.personal_data import ConsultationPersonalData
from bot.services.consultations.preview import ConsultationPreview
from bot.services.consultations.questions import ConsultationQuestions
from bot.services.consultations.results import ConsultationResultsService
from bot.services.consultations.suggestions import ConsultationSuggestions
from bot.settings import Settings

Database = async_sessionmaker[AsyncSession]


class ConsultationService:
    """Every consultation action, grouped by part; cogs call e.g. `.answering.next_question`."""

    def __init__(self, settings: Settings, db: Database, clock: Clock, wake: Wake | None = None):
        shared = (settings, db, clock, wake)
        self.drafting = ConsultationDrafting(*shared)
        self.preview = ConsultationPreview(*shared)
        self.questions = ConsultationQuestions(*shared)
        self.suggestions = ConsultationSuggestions(self.questions)
        self.answering = ConsultationAnswering(*shared)
        self.closing = ConsultationClosing(*shared)
        self.results = ConsultationResultsService(*shared)
        self.feedback = ConsultationFeedbackService(*shared)
        self.reminders = FeedbackReminders(*shared)
        self.personal_data = ConsultationPersonalData()
