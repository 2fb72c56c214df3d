"""Answering question by question: resumable, changeable until the deadline, checked."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.db.models import ConsultationAnswer, Contribution
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from tests.conftest import GUILD, START, WORKER
from tests.services.helpers import approved_member, form, set_up_guild
from tests.services.test_consultations_helpers import open_consultation


async def test_half_way_then_resumed(services: Services) -> None:
    await set_up_guild(services)
    a = services.consultations.answering
    member = await approved_member(services, 3001)
    view = await open_consultation(services)
    step = await a.next_question(member, view.id)
    assert (step.number, step.progress, step.answered) == (1, "1 of 4", 0)
    saved = await a.answer_choices(member, view.id, step.question.id, [1])
    assert saved.first_answer
    assert saved.step.progress == "2 of 4"
    await a.answer_choices(member, view.id, saved.step.question.id, [0, 2])
    # ...the member goes away; later (a new call, as after a restart) they carry on.
    later = await a.next_question(member, view.id)
    assert (later.number, later.progress, later.answered) == (3, "3 of 4", 2)
    assert later.question.kind == "scale"
    listing = await a.open_for_member(member)
    assert [(o.consultation.id, o.answered, o.total) for o in listing] == [(view.id, 2, 4)]
    saved = await a.answer_scale(member, view.id, later.question.id, 5)
    assert not saved.first_answer
    saved = await a.skip(member, view.id, saved.step.question.id)
    assert saved.step.finished and saved.step.answered == 4
    assert saved.step.progress == "4 of 4"


async def test_answer_changed_until_deadline_then_refused(
    services: Services, clock: ManualClock, sessions
) -> None:
    await set_up_guild(services)
    a = services.consultations.answering
    member = await approved_member(services, 3002)
    view = await open_consultation(services)
    q = view.questions[0]
    await a.answer_choices(member, view.id, q.id, [0])
    await a.answer_choices(member, view.id, q.id, [2])
    review = await a.question_at(member, view.id, 1)
    assert review.current is not None and review.current.choices == (2,)
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(ConsultationAnswer)) == 1
    clock.set(view.deadline)
    with pytest.raises(Conflict, match="has closed"):
        await a.answer_choices(member, view.id, q.id, [1])
    with pytest.raises(Conflict, match="has closed"):
        await a.next_question(member, view.id)


@pytest.mark.parametrize("value", [0, 6, -1, 100])
async def test_scale_out_of_range_refused(services: Services, value: int) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 3003)
    view = await open_consultation(services)
    with pytest.raises(InvalidInput, match=f"so {value} can't be used"):
        await services.consultations.answering.answer_scale(
            member, view.id, view.questions[2].id, value
        )


async def test_free_text_limits(services: Services, sessions) -> None:
    await set_up_guild(services)
    a = services.consultations.answering
    member = await approved_member(services, 3004)
    view = await open_consultation(services)
    q = view.questions[3]
    with pytest.raises(InvalidInput, match="1001 characters, and the most is 1000"):
        await a.answer_text(member, view.id, q.id, "x" * 1001)
    with pytest.raises(InvalidInput, match="can't be empty"):
        await a.answer_text(member, view.id, q.id, "   ")
    text = "Line one\nLine two 🌈 — " + "y" * 980
    await a.answer_text(member, view.id, q.id, text[:1000])
    async with sessions() as s:
        assert await s.scalar(select(ConsultationAnswer.text)) == text[:1000]
        # A refused answer changed nothing and recorded nothing extra.
        assert await s.scalar(select(func.count()).select_from(Contribution)) == 1


@pytest.mark.parametrize(
    ("index", "choices", "message"),
    [
        (0, [0, 1], "just one"),
        (0, [3], "isn't one of"),
        (1, [], "at least one"),
        (1, [-1], "isn't one of"),
    ],
)
async def test_bad_choices_refused(
    services: Services, index: int, choices: list[int], message: str
) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 3005)
    view = await open_consultation(services)
    with pytest.raises(InvalidInput, match=message):
        await services.consultations.answering.answer_choices(
            member, view.id, view.questions[index].id, choices
        )


async def test_wrong_kind_of_answer_refused(services: Services) -> None:
    await set_up_guild(services)
    a = services.consultations.answering
    member = await approved_member(services, 3006)
    view = await open_consultation(services)
    with pytest.raises(InvalidInput):
        await a.answer_text(member, view.id, view.questions[0].id, "words")
    with pytest.raises(InvalidInput):
        await a.answer_choices(member, view.id, view.questions[2].id, [1])


async def test_who_may_answer(services: Services) -> None:
    await set_up_guild(services)
    a = services.consultations.answering
    north = await approved_member(services, 3007, locality="North")
    south = await approved_member(services, 3008, locality="South")
    pending = Actor(3009, GUILD)
    await services.membership.join(pending, form("Pip"))
    stranger = Actor(3010, GUILD)
    view = await open_consultation(services, audience="locality:North")
    q = view.questions[2]
    await a.answer_scale(north, view.id, q.id, 3)
    with pytest.raises(NotAllowed, match="members in North"):
        await a.answer_scale(south, view.id, q.id, 3)
    with pytest.raises(NotAllowed, match="waiting for a worker"):
        await a.answer_scale(pending, view.id, q.id, 3)
    with pytest.raises(NotAllowed, match="/join"):
        await a.answer_scale(stranger, view.id, q.id, 3)
    assert await a.open_for_member(south) == []


async def test_draft_cannot_be_answered(services: Services) -> None:
    await set_up_guild(services)
    c = services.consultations
    member = await approved_member(services, 3011)
    from tests.services.test_consultations_helpers import draft_form

    view = await c.drafting.draft(WORKER, draft_form())
    q = await c.questions.add_question(WORKER, view.id, "scale", "How?")
    with pytest.raises(Conflict, match="isn't open yet"):
        await c.answering.answer_scale(member, view.id, q.id, 3)


async def test_contribution_recorded_once_on_first_real_answer(
    services: Services, sessions, clock: ManualClock
) -> None:
    await set_up_guild(services)
    a = services.consultations.answering
    member = await approved_member(services, 3012)
    view = await open_consultation(services, anonymous=False)
    clock.advance(timedelta(hours=3))
    skipped = await a.skip(member, view.id, view.questions[0].id)
    assert not skipped.first_answer
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Contribution)) == 0
    results = await asyncio.gather(
        a.answer_scale(member, view.id, view.questions[2].id, 2),
        a.answer_text(member, view.id, view.questions[3].id, "hello"),
    )
    assert sorted(r.first_answer for r in results) == [False, True]
    async with sessions() as s:
        rows = list(await s.scalars(select(Contribution)))
    assert len(rows) == 1
    assert rows[0].kind == "consultation_response"
    assert rows[0].source_key == f"consultation:{view.id}"
    assert rows[0].occurred_at == START + timedelta(hours=3)  # named: the real time


async def test_many_members_answer_at_once(services: Services, sessions) -> None:
    await set_up_guild(services)
    a = services.consultations.answering
    members = [await approved_member(services, 3100 + i) for i in range(20)]
    view = await open_consultation(services)
    q = view.questions[2]
    await asyncio.gather(
        *(a.answer_scale(m, view.id, q.id, 1 + i % 5) for i, m in enumerate(members))
    )
    await asyncio.gather(*(a.answer_scale(m, view.id, q.id, 5) for m in members))
    async with sessions() as s:
        scales = list(await s.scalars(select(ConsultationAnswer.scale)))
        contributions = await s.scalar(select(func.count()).select_from(Contribution))
    assert scales == [5] * 20
    assert contributions == 20


async def test_a_burst_with_refusals_and_a_double_click_counts_each_answer_once(
    services: Services, sessions
) -> None:
    await set_up_guild(services)
    a = services.consultations.answering
    members = [await approved_member(services, 3200 + i) for i in range(30)]
    stranger = Actor(user_id=3999, guild_id=GUILD)
    view = await open_consultation(services)
    q = view.questions[0]
    # Arriving together they are written together: the refusals must not spoil the others,
    # and the member who clicks twice gets both, in order (the second wins).
    calls = [a.answer_choices(m, view.id, q.id, [i % 3]) for i, m in enumerate(members)]
    calls.append(a.answer_choices(members[0], view.id, q.id, [2]))
    calls.append(a.answer_choices(members[1], view.id, q.id, [7]))
    calls.append(a.answer_choices(stranger, view.id, q.id, [0]))
    results = await asyncio.gather(*calls, return_exceptions=True)
    saved = [r for r in results[:31] if not isinstance(r, BaseException)]
    assert len(saved) == 31
    assert isinstance(results[31], InvalidInput) and isinstance(results[32], NotAllowed)
    assert saved[0].first_answer and not saved[30].first_answer
    assert sum(r.first_answer for r in saved) == 30
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(ConsultationAnswer)) == 30
        assert await s.scalar(select(func.count()).select_from(Contribution)) == 30
    again = await a.question_at(members[0], view.id, 1)
    assert again.current is not None and again.current.choices == (2,)
    second = await a.question_at(members[1], view.id, 1)
    assert second.current is not None and second.current.choices == (1,)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.integers(), text=st.text(max_size=1200))
async def test_random_answers_saved_or_refused_politely(
    services: Services, value: int, text: str
) -> None:
    await set_up_guild(services)
    a = services.consultations.answering
    existing = await services.membership.status_of(GUILD, 3200)
    member = Actor(3200, GUILD) if existing else await approved_member(services, 3200)
    views = await a.open_for_member(member)
    view = views[0].consultation if views else await open_consultation(services)
    for call in (
        a.answer_scale(member, view.id, view.questions[2].id, value),
        a.answer_text(member, view.id, view.questions[3].id, text),
        a.answer_choices(member, view.id, view.questions[1].id, [value]),
    ):
        with contextlib.suppress(InvalidInput):
            await call


async def test_changing_an_answer_when_all_done_walks_on_for_review(services: Services) -> None:
    await set_up_guild(services)
    a = services.consultations.answering
    member = await approved_member(services, 3300)
    view = await open_consultation(services)
    from tests.services.test_consultations_helpers import answer_all

    await answer_all(services, member, view, 0)
    done = await a.next_question(member, view.id)
    assert done.finished and done.progress == "4 of 4"
    saved = await a.answer_choices(member, view.id, view.questions[0].id, [2])
    assert saved.step.number == 2 and saved.step.current is not None  # review goes on to Q2
    last = await a.answer_text(member, view.id, view.questions[3].id, "changed")
    assert last.step.finished
    assert (await a.question_step(member, view.id, view.questions[3].id)).current.text == "changed"
