"""Consultations ("you said, we did"): one service made of the parts in consultations_*.py.

- drafting: details, the end-of-involvement template, opening   (consultations_drafting)
- questions: typed one at a time or uploaded as a text file      (consultations_questions,
  consultations_format documents the file format)
- suggestions: members suggest questions for drafts               (consultations_suggestions)
- answering: question by question, resumable, anonymous by design (consultations_answering)
- closing: on the deadline (a DueSource) or early by a worker     (consultations_closing)
- results: counts, charts and CSV                                  (consultations_results)
- feedback: "you said, we did" and the review-date reminder       (consultations_feedback)
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.consultations.answering import (
    AnswerView,
    ConsultationAnswering,
    OpenConsultation,
    Saved,
    Step,
)
from bot.services.consultations.closing import ConsultationClosed, ConsultationClosing
from bot.services.consultations.common import ConsultationView, QuestionView
from bot.services.consultations.drafting import ConsultationDrafting, DraftForm
from bot.services.consultations.feedback import (
    ConsultationFeedbackService,
    FeedbackOverdue,
    FeedbackPublished,
    FeedbackReminders,
    FeedbackView,
)
from bot.services.consultations.personal_data import ConsultationPersonalData
from bot.services.consultations.questions import ConsultationQuestions
from bot.services.consultations.results import (
    ConsultationResults,
    ConsultationResultsService,
    QuestionResult,
    TextAnswer,
)
from bot.services.consultations.suggestions import (
    ConsultationSuggestions,
    SuggestionDecision,
    SuggestionView,
)
from bot.settings import Settings

__all__ = [
    "AnswerView",
    "ConsultationClosed",
    "ConsultationResults",
    "ConsultationService",
    "ConsultationView",
    "DraftForm",
    "FeedbackOverdue",
    "FeedbackPublished",
    "FeedbackView",
    "OpenConsultation",
    "QuestionResult",
    "QuestionView",
    "Saved",
    "Step",
    "SuggestionDecision",
    "SuggestionView",
    "TextAnswer",
]


class ConsultationService:
    """Every consultation action, grouped by part; cogs call e.g. `.answering.next_question`."""

    def __init__(
        self, settings: Settings, db: async_sessionmaker[AsyncSession], clock: Clock
    ) -> None:
        self.drafting = ConsultationDrafting(settings, db, clock)
        self.questions = ConsultationQuestions(settings, db, clock)
        self.suggestions = ConsultationSuggestions(settings, db, clock)
        self.answering = ConsultationAnswering(settings, db, clock)
        self.closing = ConsultationClosing(settings, db, clock)
        self.results = ConsultationResultsService(settings, db, clock)
        self.feedback = ConsultationFeedbackService(settings, db, clock)
        self.reminders = FeedbackReminders(settings, db, clock)
        self.personal_data = ConsultationPersonalData()
        # Services.due_sources() picks these up for the scheduler.
        self.extra_due_sources = (self.closing, self.reminders)
