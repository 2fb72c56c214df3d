"""/mydata and /forgetme for consultations: named answers, suggestions, participation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select, text

from bot.db.models import (
    ConsultationAnswer,
    ConsultationParticipant,
    ConsultationRespondent,
    ConsultationSuggestion,
)
from bot.services.container import Services
from tests.conftest import WORKER
from tests.services.helpers import approved_member, set_up_guild
from tests.services.test_consultations_helpers import draft_form, open_consultation


async def _dump(sessions) -> str:
    async with sessions() as s:
        conn = await s.connection()
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        parts: list[Any] = []
        for table in tables:
            if table.startswith("consultation"):
                parts.extend(tuple(r) for r in await s.execute(text(f'SELECT * FROM "{table}"')))
        return repr(parts)


async def test_export_named_answers_and_suggestions(services: Services) -> None:
    await set_up_guild(services)
    c = services.consultations
    member = await approved_member(services, 6001, "Ana")
    draft = await c.drafting.draft(WORKER, draft_form(title="Next year's plans"))
    await c.suggestions.suggest(member, draft.id, "Can we meet in the evening?")
    view = await open_consultation(services, anonymous=False)
    await c.answering.answer_choices(member, view.id, view.questions[0].id, [1])
    await c.answering.answer_text(member, view.id, view.questions[3].id, "More snacks")
    data = (await services.membership.export(member))["consultations"]
    assert data["took_part_in"] == [{"consultation": view.title, "anonymous": False}]
    assert [(a["question"][:8], a["answer"]) for a in data["named_answers"]] == [
        ("How easy", "Quite easy"),
        ("What sho", "More snacks"),
    ]
    assert data["suggested_questions"][0]["suggestion"] == "Can we meet in the evening?"


async def test_forget_deletes_named_answers_and_unlinks(services: Services, sessions) -> None:
    await set_up_guild(services)
    c = services.consultations
    ana = await approved_member(services, 6002, "Ana")
    ben = await approved_member(services, 6003, "Ben")
    draft = await c.drafting.draft(WORKER, draft_form(title="Draft"))
    await c.suggestions.suggest(ana, draft.id, "Ana's own idea about the garden")
    named = await open_consultation(services, anonymous=False, title="Named one")
    anonymous = await open_consultation(services, anonymous=True, title="Anonymous one")
    for view in (named, anonymous):
        await c.answering.answer_text(ana, view.id, view.questions[3].id, "Ana words here")
        await c.answering.answer_text(ben, view.id, view.questions[3].id, "Ben words here")
    await services.membership.forget(ana)
    async with sessions() as s:
        assert await s.scalar(select(ConsultationSuggestion)) is None
        participants = list(await s.scalars(select(ConsultationParticipant.member_id)))
        respondents = list(await s.scalars(select(ConsultationRespondent)))
        texts = sorted(await s.scalars(select(ConsultationAnswer.text)))
    assert len(participants) == 2  # Ben's, in both
    # Named: Ana's answer deleted. Anonymous: her answer stays, linked to no one.
    assert texts == ["Ana words here", "Ben words here", "Ben words here"]
    anonymous_rows = [r for r in respondents if r.consultation_id == anonymous.id]
    assert sum(r.key is None for r in anonymous_rows) == 1  # Ana's key was cut
    dump = await _dump(sessions)
    assert "6002" not in dump and "Ana's own idea" not in dump
    # Ben can still resume; Ana's row can no longer be found from her id.
    step = await c.answering.next_question(ben, anonymous.id)
    assert step.answered == 1
    again = await approved_member(services, 6002, "Ana")
    fresh = await c.answering.next_question(again, anonymous.id)
    assert fresh.answered == 0


async def test_forget_removes_a_staff_members_id_from_what_they_did(
    services: Services, sessions
) -> None:
    from bot.services.access import Actor

    await set_up_guild(services)
    # A worker who is also a member (staff can take part too) runs a consultation.
    worker_member = await approved_member(services, 7301, "Wren")
    staff = Actor(
        user_id=worker_member.user_id, guild_id=worker_member.guild_id, role_ids=WORKER.role_ids
    )
    c = services.consultations
    draft = await c.drafting.draft(staff, draft_form())
    from tests.services.test_consultations_helpers import SAMPLE_FILE

    await c.questions.upload_questions(staff, draft.id, SAMPLE_FILE.encode())
    await c.drafting.open(staff, draft.id)
    await c.closing.close(staff, draft.id)
    assert "7301" in await _dump(sessions)
    await services.membership.forget(worker_member)
    assert "7301" not in await _dump(sessions)
