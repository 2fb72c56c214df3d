"""Results per question (counts, charts, free text) and the CSV export, for workers."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Consultation, ConsultationAnswer, ConsultationRespondent, Member
from bot.services.access import Actor, require_worker
from bot.services.audience import Audience
from bot.services.consultations.charts import question_chart, question_chart_alt
from bot.services.consultations.common import (
    REACHED,
    SCALE_MAX,
    SCALE_MIN,
    ConsultationBase,
    ConsultationView,
    QuestionView,
    participants,
)
from bot.services.errors import Conflict


@dataclass(frozen=True)
class TextAnswer:
    """One free-text answer; `name` is set only in named consultations."""

    text: str
    name: str | None = None


@dataclass(frozen=True)
class QuestionResult:
    """The answers to one question, counted."""

    question: QuestionView
    answered: int  # people who answered (not skipped)
    skipped: int
    labels: tuple[str, ...] = ()  # choice options, or "1".."5" for a scale
    counts: tuple[int, ...] = ()
    average: float | None = None  # scale only
    texts: tuple[TextAnswer, ...] = ()
    chart_png: bytes | None = field(default=None, repr=False)
    chart_alt: str | None = None  # what the chart shows, in words, for screen readers


@dataclass(frozen=True)
class ConsultationResults:
    """Everything a worker sees about a consultation's answers."""

    consultation: ConsultationView
    respondents: int
    audience_size: int
    questions: tuple[QuestionResult, ...]

    @property
    def response_rate(self) -> float | None:
        """Return respondents as a share of the audience (0..1), or None for no audience."""
        if self.audience_size <= 0:
            return None
        return min(self.respondents / self.audience_size, 1.0)


ANONYMOUS_WAIT = (
    "The answers to an anonymous consultation are shown once it closes, so that nobody's "
    "answers can be worked out from when they answered. {so_far}"
)


def so_far(n: int) -> str:
    """Say how many people have taken part so far, in words that fit the number."""
    if n == 0:
        return "Nobody has taken part yet."
    return "So far 1 person has taken part." if n == 1 else f"So far {n} people have taken part."


MIN_ANONYMOUS_RESPONDENTS = 3
TOO_FEW = (
    "{who} this anonymous consultation. With fewer than "
    f"{MIN_ANONYMOUS_RESPONDENTS}, anyone who knows who took part could tell whose answers "
    "are whose, so the results are not shown. (A named consultation has no such limit.)"
)


def too_few(n: int) -> str:
    """Explain why an anonymous consultation answered by n people shows no results."""
    who = "Nobody answered" if n == 0 else f"Only {n} of the people asked answered"
    return TOO_FEW.format(who=who)


def _safe_cell(value: str) -> str:
    # Spreadsheets run cells that start like a formula; a leading apostrophe keeps it text.
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


class ConsultationResultsService(ConsultationBase):
    """Count and export answers without ever linking them to a person when anonymous."""

    async def _rows(
        self, s: AsyncSession, row: Consultation
    ) -> list[tuple[str, str | None, list[ConsultationAnswer]]]:
        """Return (respondent id, name or None, answers) per respondent, in a stable order."""
        query = (
            select(ConsultationRespondent.id, Member.preferred_name)
            .outerjoin(Member, Member.id == ConsultationRespondent.member_id)
            .where(ConsultationRespondent.consultation_id == row.id)
            .order_by(ConsultationRespondent.id)  # random ids: the order reveals nothing
        )
        people = (await s.execute(query)).all()
        answers = await s.scalars(
            select(ConsultationAnswer)
            .join(ConsultationRespondent)
            .where(ConsultationRespondent.consultation_id == row.id)
        )
        grouped: dict[str, list[ConsultationAnswer]] = {rid: [] for rid, _ in people}
        for answer in answers:
            grouped[answer.respondent_id].append(answer)
        return [
            (rid, None if row.anonymous else name, grouped[rid])
            for rid, name in people
            if any(not a.skipped for a in grouped[rid])
        ]

    async def _gate(self, s: AsyncSession, actor: Actor, consultation_id: int) -> Consultation:
        await require_worker(s, actor)
        row = await self._load(s, actor.guild_id, consultation_id)
        if row.status == "draft":
            raise Conflict("This consultation is still a draft, so there are no answers yet.")
        if row.anonymous and row.status != "closed":
            raise Conflict(ANONYMOUS_WAIT.format(so_far=so_far(await participants(s, row.id))))
        if row.anonymous:
            # Who took part is known (contributions, feedback DMs); with one or two people,
            # their answers would be theirs for all to see, so small results stay hidden.
            answered = await s.scalar(
                select(func.count(func.distinct(ConsultationAnswer.respondent_id)))
                .join(ConsultationRespondent)
                .where(
                    ConsultationRespondent.consultation_id == row.id,
                    ConsultationAnswer.skipped.is_(False),
                )
            )
            if int(answered or 0) < MIN_ANONYMOUS_RESPONDENTS:
                raise Conflict(too_few(int(answered or 0)))
        return row

    async def results(
        self, actor: Actor, consultation_id: int, *, charts: bool = True
    ) -> ConsultationResults:
        """Return counts, charts and free-text answers per question."""
        async with self.db.begin() as s:
            row = await self._gate(s, actor, consultation_id)
            view = await self._view(s, row)
            people = await self._rows(s, row)
            audience = (
                row.audience_size_at_close
                if row.audience_size_at_close is not None
                else await Audience.of(row).size(s, row.guild_id, REACHED)
            )
        questions = []
        for q in view.questions:
            answers = [
                (name, a) for _, name, items in people for a in items if a.question_id == q.id
            ]
            given = [(name, a) for name, a in answers if not a.skipped]
            result = QuestionResult(q, len(given), len(answers) - len(given))
            if q.kind in {"single", "multiple"}:
                counts = [0] * len(q.options)
                for _, a in given:
                    for index in a.choices or []:
                        if 0 <= index < len(counts):
                            counts[index] += 1
                result = QuestionResult(q, len(given), result.skipped, q.options, tuple(counts))
            elif q.kind == "scale":
                values = [a.scale for _, a in given if a.scale is not None]
                scale_counts = tuple(values.count(v) for v in range(SCALE_MIN, SCALE_MAX + 1))
                labels = tuple(str(v) for v in range(SCALE_MIN, SCALE_MAX + 1))
                average = round(sum(values) / len(values), 2) if values else None
                result = QuestionResult(
                    q, len(given), result.skipped, labels, scale_counts, average
                )
            else:
                texts = sorted(
                    (TextAnswer(a.text or "", name) for name, a in given),
                    key=lambda t: (t.text.casefold(), t.name or ""),
                )
                result = QuestionResult(q, len(given), result.skipped, texts=tuple(texts))
            if charts and result.labels:
                png = await asyncio.to_thread(
                    question_chart, f"Q{q.position}. {q.text}", result.labels, result.counts
                )
                alt = question_chart_alt(
                    q.text,
                    q.kind,
                    result.labels,
                    result.counts,
                    answered=result.answered,
                    skipped=result.skipped,
                    average=result.average,
                )
                result = replace(result, chart_png=png, chart_alt=alt)
            questions.append(result)
        return ConsultationResults(view, len(people), audience, tuple(questions))

    async def export_csv(self, actor: Actor, consultation_id: int) -> bytes:
        """Return every answer as CSV: one row per respondent, one column per question."""
        async with self.db.begin() as s:
            row = await self._gate(s, actor, consultation_id)
            view = await self._view(s, row)
            people = await self._rows(s, row)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            ["respondent", *(_safe_cell(f"Q{q.position}. {q.text}") for q in view.questions)]
        )
        for number, (_, name, items) in enumerate(people, start=1):
            by_question = {a.question_id: a for a in items}
            cells = [_safe_cell(name) if name else f"Respondent {number}"]
            for q in view.questions:
                answer = by_question.get(q.id)
                cells.append(_safe_cell(_cell(q, answer)))
            writer.writerow(cells)
        # A byte-order mark makes Excel read the UTF-8 (names, emoji) correctly.
        return buffer.getvalue().encode("utf-8-sig")


def _cell(question: QuestionView, answer: ConsultationAnswer | None) -> str:
    if answer is None:
        return ""
    return answer_text(question.kind, question.options, answer)


def answer_text(kind: str, options: Sequence[str], answer: ConsultationAnswer) -> str:
    """Return an answer in words: chosen options, the scale number, or the text typed."""
    if answer.skipped:
        return "(skipped)"
    if kind in {"single", "multiple"}:
        return "; ".join(options[i] for i in answer.choices or [] if 0 <= i < len(options))
    if kind == "scale":
        return str(answer.scale) if answer.scale is not None else ""
    return answer.text or ""
