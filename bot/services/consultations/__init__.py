"""The consultations feature: its facade and the values cogs see."""

from __future__ import annotations

from bot.services.consultations.answering import AnswerView, Step
from bot.services.consultations.closing import ConsultationClosed
from bot.services.consultations.common import ConsultationView
from bot.services.consultations.drafting import DraftForm
from bot.services.consultations.feedback import FeedbackPublished, FeedbackView
from bot.services.consultations.owed import KINDS
from bot.services.consultations.preview import DraftPreview
from bot.services.consultations.question_file import FILE_MAX_BYTES, FORMAT_HINT, KIND_LABELS
from bot.services.consultations.results import MIN_ANONYMOUS_RESPONDENTS, ConsultationResults
from bot.services.consultations.service import ConsultationService
from bot.services.consultations.suggestions import SuggestionView

__all__ = [
    "FILE_MAX_BYTES",
    "FORMAT_HINT",
    "KINDS",
    "KIND_LABELS",
    "MIN_ANONYMOUS_RESPONDENTS",
    "AnswerView",
    "ConsultationClosed",
    "ConsultationResults",
    "ConsultationService",
    "ConsultationView",
    "DraftForm",
    "DraftPreview",
    "FeedbackPublished",
    "FeedbackView",
    "Step",
    "SuggestionView",
]
