"""The consultations feature."""

from __future__ import annotations

from bot.services.consultations.question_file import FILE_MAX_BYTES, FORMAT_HINT, KIND_LABELS
from bot.services.consultations.service import (
    AnswerView,
    ConsultationClosed,
    ConsultationResults,
    ConsultationService,
    ConsultationView,
    DraftForm,
    FeedbackOverdue,
    FeedbackPublished,
    FeedbackView,
    Step,
    SuggestionView,
)

__all__ = [
    "FILE_MAX_BYTES",
    "FORMAT_HINT",
    "KIND_LABELS",
    "AnswerView",
    "ConsultationClosed",
    "ConsultationResults",
    "ConsultationService",
    "ConsultationView",
    "DraftForm",
    "FeedbackOverdue",
    "FeedbackPublished",
    "FeedbackView",
    "Step",
    "SuggestionView",
]
