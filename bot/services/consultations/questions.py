"""Questions: written one at a time or uploaded as a file, locked once anyone answers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Consultation, ConsultationQuestion
from bot.services.access import Actor, require_worker
from bot.services.base import claim
from bot.services.consultations.common import (
    ConsultationBase,
    QuestionView,
    question_count,
    question_view,
)
from bot.services.consultations.question_file import (
    FORMAT_HINT,
    MAX_QUESTIONS,
    check_question,
    decode_upload,
    normalise_kind,
    parse_questions,
)
from bot.services.errors import Conflict, InvalidInput, NotFound

ERRORS_SHOWN = 8


def _questions(n: int) -> str:
    return "1 question" if n == 1 else f"{n} questions"


def clean_question(kind: str, text: str, options: Sequence[str]) -> tuple[str, str, list[str]]:
    """Return a question's kind, words and options tidied, or explain what is wrong."""
    resolved = normalise_kind(kind) or kind
    cleaned_text = " ".join(text.split())
    cleaned_options = [" ".join(o.split()) for o in options if o.strip()]
    problems = check_question(resolved, cleaned_text, cleaned_options)
    if problems:
        raise InvalidInput(" ".join(p[0].upper() + p[1:] for p in problems[:3]))
    return resolved, cleaned_text, cleaned_options


class ConsultationQuestions(ConsultationBase):
    """Add, upload and remove questions while a consultation has no answers."""

    async def editable(self, s: AsyncSession, actor: Actor, consultation_id: int) -> Consultation:
        """Load a consultation whose questions a worker may still change, locking its row."""
        await require_worker(s, actor)
        row = await self._load(s, actor.guild_id, consultation_id)
        if row.status == "closed":
            raise Conflict("This consultation has closed, so its questions can't change.")
        # Lock the row (PostgreSQL) so an answer can't slip in between this check and the edit.
        await claim(
            s,
            update(Consultation)
            .where(Consultation.id == row.id, Consultation.questions_locked.is_(False))
            .values(questions_locked=False),
            "Someone has already answered, so the questions are locked: changing them now "
            "would change the meaning of answers already given.",
        )
        return row

    async def check_editable(self, actor: Actor, consultation_id: int) -> None:
        """Refuse now, before a form is shown, if this consultation's questions can't change."""
        async with self.db.begin() as s:
            await self.editable(s, actor, consultation_id)

    async def next_position(self, s: AsyncSession, row: Consultation) -> int:
        """Return where a new question goes, refusing once the consultation is full."""
        count = await question_count(s, row.id)
        if count >= MAX_QUESTIONS:
            raise Conflict(f"A consultation can have at most {MAX_QUESTIONS} questions.")
        return count + 1

    async def add_question(
        self, actor: Actor, consultation_id: int, kind: str, text: str, options: Sequence[str] = ()
    ) -> QuestionView:
        """Add one question at the end."""
        kind, text, cleaned = clean_question(kind, text, options)
        async with self.db.begin() as s:
            row = await self.editable(s, actor, consultation_id)
            question = ConsultationQuestion(
                consultation_id=row.id,
                position=await self.next_position(s, row),
                kind=kind,
                text=text,
                options=cleaned,
            )
            s.add(question)
            await s.flush()
            return question_view(question)

    async def upload_questions(
        self, actor: Actor, consultation_id: int, data: bytes, *, replace: bool = False
    ) -> list[QuestionView]:
        """Add every question in an uploaded text file, or none if anything is wrong."""
        try:
            content = decode_upload(data)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        parsed = parse_questions(content)
        if parsed.errors:
            shown = parsed.errors[:ERRORS_SHOWN]
            more = len(parsed.errors) - len(shown)
            tail = f"\n…and {more} more." if more else ""
            raise InvalidInput(
                "Nothing was added: please fix the file and upload it again.\n"
                + "\n".join(f"• {e}" for e in shown)
                + tail
                + f"\n{FORMAT_HINT}"
            )
        async with self.db.begin() as s:
            row = await self.editable(s, actor, consultation_id)
            if replace:
                await s.execute(
                    delete(ConsultationQuestion).where(
                        ConsultationQuestion.consultation_id == row.id
                    )
                )
            count = 0 if replace else await question_count(s, row.id)
            if count + len(parsed.questions) > MAX_QUESTIONS:
                has, adds = _questions(count), _questions(len(parsed.questions))
                raise InvalidInput(
                    f"This consultation has {has} and the file has {adds}; together that is "
                    f"more than {MAX_QUESTIONS}."
                )
            added = []
            for offset, q in enumerate(parsed.questions, start=1):
                question = ConsultationQuestion(
                    consultation_id=row.id,
                    position=count + offset,
                    kind=q.kind,
                    text=q.text,
                    options=list(q.options),
                )
                s.add(question)
                added.append(question)
            await s.flush()
            self.audit(s, actor, "consultation.upload", detail=f"consultation {row.id}")
            return [question_view(q) for q in added]

    async def remove_question(self, actor: Actor, consultation_id: int, question_id: int) -> None:
        """Remove a question and close the gap in the numbering."""
        async with self.db.begin() as s:
            row = await self.editable(s, actor, consultation_id)
            question = await s.get(ConsultationQuestion, question_id)
            if question is None or question.consultation_id != row.id:
                raise NotFound("That question isn't in this consultation.")
            position = question.position
            await s.delete(question)
            await s.flush()
            later = await s.scalars(
                select(ConsultationQuestion)
                .where(
                    ConsultationQuestion.consultation_id == row.id,
                    ConsultationQuestion.position > position,
                )
                .order_by(ConsultationQuestion.position)
            )
            for q in later:  # one by one, in order, so the unique position never clashes
                q.position -= 1
                await s.flush()
