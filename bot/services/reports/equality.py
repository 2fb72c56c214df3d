"""Equality monitoring in aggregate only: each question by level, small numbers suppressed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import EqualityMonitoring, Member
from bot.services.membership import EQUALITY_QUESTIONS, PREFER_NOT
from bot.services.reports.figures import Equality, EqualityTable
from bot.services.reports.periods import Period
from bot.services.reports.presence import NO_LEVEL, in_group_at, level_names
from bot.services.reports.queries import count_by
from bot.services.reports.suppression import suppress
from bot.settings import Settings

NOT_ANSWERED = "Not answered"
QUESTION_NAMES = {
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "disability": "Disability",
    "sexual_orientation": "Sexual orientation",
}


async def equality(s: AsyncSession, settings: Settings, guild_id: int, period: Period) -> Equality:
    """Cross each equality question with level for the members in the group at the period end.

    The answers are read per member (they are one JSON value each) but never leave this
    function except as suppressed counts.
    """
    at_end = in_group_at(guild_id, period.end)
    names = level_names(settings)
    per_level = await count_by(s, Member.level_key, at_end)
    answered = (
        await s.execute(
            select(Member.level_key, EqualityMonitoring.answers)
            .join(EqualityMonitoring, EqualityMonitoring.member_id == Member.id)
            .where(at_end)
        )
    ).all()
    columns = [*names, *sorted({k for k in per_level if k not in names}, key=str)]
    col_index = {key: j for j, key in enumerate(columns)}
    tables = []
    for question, options in EQUALITY_QUESTIONS.items():
        rows = [*options, PREFER_NOT, NOT_ANSWERED]
        counts = [[0] * len(columns) for _ in rows]
        for level_key, answers in answered:
            answer = (answers or {}).get(question)
            if answer in rows and answer != NOT_ANSWERED:
                counts[rows.index(answer)][col_index[level_key]] += 1
        answers_given = sum(sum(row) for row in counts)
        for key, total in per_level.items():
            given = sum(counts[i][col_index[key]] for i in range(len(rows) - 1))
            counts[-1][col_index[key]] = total - given
        tables.append(
            EqualityTable(
                question=QUESTION_NAMES.get(question, question.replace("_", " ").capitalize()),
                row_labels=rows,
                col_labels=[names.get(k, k) if k else NO_LEVEL for k in columns],
                answered=answers_given,
                # The members per level are in the Presence section: the check assumes a
                # reader knows them.
                table=suppress(counts, known_totals_row=True),
            )
        )
    return Equality(members=sum(per_level.values()), answered=len(answered), tables=tables)
