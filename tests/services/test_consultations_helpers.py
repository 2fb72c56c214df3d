"""Helpers for consultation tests (no tests here): a drafted, opened consultation."""

from __future__ import annotations

from datetime import timedelta

from bot.services.consultations import ConsultationView, DraftForm
from bot.services.container import Services
from tests.conftest import START, WORKER

SAMPLE_FILE = """# Our first consultation
Q: How easy was it to find out about the group?
type: single
- Very easy
- Quite easy
- Hard

Q: Which of these would help you take part?
type: multiple
- Sessions after school
- Papers sent early
- Captions

Q: How well did we listen to you?
type: scale

Q: What should we change first?
type: text
"""


def draft_form(**changes: object) -> DraftForm:
    """Return a valid draft form, with any fields changed."""
    values: dict[str, object] = {
        "title": "Waiting room redesign",
        "purpose": "We want to make the waiting room feel safer and calmer.",
        "outcomes": "A new layout chosen with you, in place by spring.",
        "can_change": "Furniture, colours, what is on the walls, the music.",
        "cannot_change": "The size of the room and the fire exits.",
        "deadline": START + timedelta(days=14),
        "audience": "everyone",
        "anonymous": True,
    }
    values.update(changes)
    return DraftForm(**values)  # type: ignore[arg-type]


async def open_consultation(services: Services, **changes: object) -> ConsultationView:
    """Draft a consultation with the four sample questions and open it."""
    c = services.consultations
    draft = await c.drafting.draft(WORKER, draft_form(**changes))
    await c.questions.upload_questions(WORKER, draft.id, SAMPLE_FILE.encode())
    return await c.drafting.open(WORKER, draft.id)


async def answer_all(services: Services, actor: object, view: ConsultationView, seed: int) -> None:
    """Answer every question of the sample consultation, varied by seed."""
    a = services.consultations.answering
    q = view.questions
    await a.answer_choices(actor, view.id, q[0].id, [seed % 3])  # type: ignore[arg-type]
    await a.answer_choices(actor, view.id, q[1].id, [0, seed % 3])  # type: ignore[arg-type]
    await a.answer_scale(actor, view.id, q[2].id, 1 + seed % 5)  # type: ignore[arg-type]
    await a.answer_text(actor, view.id, q[3].id, f"Answer number {seed}")  # type: ignore[arg-type]
