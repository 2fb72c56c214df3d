"""Closing (deadline, early, start-up), results, charts, CSV and "you said, we did"."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import Consultation, OutboxItem
from bot.scheduler import Scheduler
from bot.services.consultations import ConsultationClosed
from bot.services.consultations.owed import (
    CLOSED_THANKS,
    CLOSED_WORKERS,
    FEEDBACK_OVERDUE,
    OPENED,
)
from bot.services.container import Services
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from bot.services.outbox import Delivery
from tests.conftest import START, WORKER
from tests.services.helpers import approved_member, set_up_guild
from tests.services.test_consultations_helpers import answer_all, open_consultation

PNG = b"\x89PNG\r\n\x1a\n"


async def owed(services: Services) -> dict[str, OutboxItem]:
    """Return what the outbox holds, by kind (each kind once)."""
    async with services.db() as s:
        rows = list(await s.scalars(select(OutboxItem).order_by(OutboxItem.id)))
    by_kind = {r.kind: r for r in rows}
    assert len(by_kind) == len(rows), [r.dedup_key for r in rows]
    return by_kind


async def test_closes_on_deadline_exactly_once(services: Services, clock: ManualClock) -> None:
    record = await set_up_guild(services)
    closing = services.consultations.closing
    view = await open_consultation(services)
    assert await closing.next_due() == view.deadline
    assert await closing.take_due(clock.now()) == []
    clock.set(view.deadline)
    first, second = await asyncio.gather(
        closing.take_due(clock.now()), closing.take_due(clock.now())
    )
    # Closing owes its two messages (once, though two callers raced) instead of returning events.
    assert first + second == []
    rows = await owed(services)
    assert set(rows) == {OPENED, CLOSED_WORKERS, CLOSED_THANKS}
    workers = rows[CLOSED_WORKERS].payload
    assert (workers["consultation_id"], workers["early"]) == (view.id, False)
    assert workers["channel_id"] == record.channel_ids["worker_log"]
    assert rows[CLOSED_THANKS].payload["channel_id"] == record.channel_ids["announcements"]
    assert await closing.take_due(clock.now()) == []
    assert set(await owed(services)) == {OPENED, CLOSED_WORKERS, CLOSED_THANKS}
    assert await closing.next_due() is None


async def test_overdue_consultation_closes_at_start_up(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    view = await open_consultation(services)
    clock.set(view.deadline + timedelta(days=2))  # the bot was down over the deadline
    scheduler = Scheduler(clock)
    for source in services.due_sources():
        scheduler.add_source(source)
    seen: list[object] = []

    async def handle(event: object) -> None:
        seen.append(event)

    scheduler.on(Delivery, handle)
    await scheduler.start()
    try:
        # Closed at start-up, and its messages handed to the outbox's sender in the same run
        # (with its opening announcement, which no sender took in this test).
        kinds = sorted(e.kind for e in seen if isinstance(e, Delivery))
        assert kinds == sorted([OPENED, CLOSED_WORKERS, CLOSED_THANKS])
        assert await scheduler.run_pending() == 0
    finally:
        await scheduler.stop()


async def test_worker_closes_early(services: Services) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 4001)
    view = await open_consultation(services)
    with pytest.raises(NotAllowed):
        await services.consultations.closing.close(member, view.id)
    event = await services.consultations.closing.close(WORKER, view.id)
    assert event.early
    with pytest.raises(Conflict, match="already closed"):
        await services.consultations.closing.close(WORKER, view.id)
    assert await services.consultations.closing.take_due(view.deadline) == []
    with pytest.raises(Conflict, match="has closed"):
        await services.consultations.answering.answer_scale(
            member, view.id, view.questions[2].id, 3
        )


async def test_results_named(services: Services) -> None:
    await set_up_guild(services)
    names = ["Ana", "Ben", "Cat"]
    members = [await approved_member(services, 4010 + i, n) for i, n in enumerate(names)]
    await approved_member(services, 4020, "Dee")  # in the audience, never answers
    view = await open_consultation(services, anonymous=False)
    for seed, m in enumerate(members):
        await answer_all(services, m, view, seed)
    results = await services.consultations.results.results(WORKER, view.id)
    assert results.respondents == 3 and results.audience_size == 4
    assert results.response_rate == pytest.approx(0.75)
    single, multiple, scale, text = results.questions
    assert single.counts == (1, 1, 1) and single.labels == ("Very easy", "Quite easy", "Hard")
    assert multiple.counts == (3, 1, 1)
    assert scale.counts == (1, 1, 1, 0, 0) and scale.average == 2.0
    assert [(t.name, t.text) for t in text.texts] == [
        ("Ana", "Answer number 0"),
        ("Ben", "Answer number 1"),
        ("Cat", "Answer number 2"),
    ]
    for q in (single, multiple, scale):
        assert q.chart_png is not None and q.chart_png.startswith(PNG)
    assert text.chart_png is None


async def test_csv_export(services: Services) -> None:
    await set_up_guild(services)
    m1 = await approved_member(services, 4030, "=HYPERLINK(evil)")
    m2 = await approved_member(services, 4031, "Zoë")
    view = await open_consultation(services, anonymous=False)
    await answer_all(services, m1, view, 1)
    await services.consultations.answering.answer_text(m2, view.id, view.questions[3].id, "-1+1")
    await services.consultations.answering.skip(m2, view.id, view.questions[0].id)
    data = await services.consultations.results.export_csv(WORKER, view.id)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "respondent" and rows[0][1].startswith("Q1. How easy")
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["'=HYPERLINK(evil)"][1:] == [
        "Quite easy",
        "Sessions after school; Papers sent early",
        "2",
        "Answer number 1",
    ]
    assert by_name["Zoë"][1:] == ["(skipped)", "", "", "'-1+1"]


async def test_results_refused_for_drafts_and_members(services: Services) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 4040)
    view = await open_consultation(services, anonymous=False)
    with pytest.raises(NotAllowed):
        await services.consultations.results.results(member, view.id)
    with pytest.raises(NotAllowed):
        await services.consultations.results.export_csv(member, view.id)


async def test_feedback_after_close_reaches_respondents(
    services: Services, clock: ManualClock
) -> None:
    record = await set_up_guild(services)
    c = services.consultations
    opted_in = await approved_member(services, 4050, "Ana", dm_opt_in=True)
    opted_out = await approved_member(services, 4051, "Ben", dm_opt_in=False)
    bystander = await approved_member(services, 4052, "Cat", dm_opt_in=True)
    view = await open_consultation(services)
    for seed, m in enumerate([opted_in, opted_out]):
        await answer_all(services, m, view, seed)
    texts = ("You said the room felt cold.", "We bought new chairs.", "Paint: no budget.")
    with pytest.raises(Conflict, match="once the consultation has closed"):
        await c.feedback.publish(WORKER, view.id, *texts)
    closed = await c.closing.close(WORKER, view.id)
    clock.advance(timedelta(days=10))
    with pytest.raises(NotAllowed):
        await c.feedback.publish(bystander, view.id, *texts)
    with pytest.raises(InvalidInput, match="the most is 1000"):
        await c.feedback.publish(WORKER, view.id, "x" * 1001, *texts[1:])
    with pytest.raises(InvalidInput, match="can't be empty"):
        await c.feedback.publish(WORKER, view.id, *texts[:2], " ")
    assert [v.id for v in await c.feedback.awaiting_feedback(WORKER)] == [view.id]
    outcomes = await asyncio.gather(
        c.feedback.publish(WORKER, view.id, *texts),
        c.feedback.publish(WORKER, view.id, *texts),
        return_exceptions=True,
    )
    published = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(published) == 1 and sum(isinstance(o, Conflict) for o in outcomes) == 1
    result = published[0]
    assert result.dm_user_ids == (opted_in.user_id,)
    assert result.announcements_channel_id == record.channel_ids["announcements"]
    assert result.feedback.days_to_feedback == 10
    assert result.respondents == 2
    assert closed.respondents == 2
    seen = await c.feedback.feedback(bystander, view.id)
    assert seen.did == "We bought new chairs."
    assert await c.feedback.awaiting_feedback(WORKER) == []


async def test_review_reminder_once_when_no_feedback(
    services: Services, clock: ManualClock
) -> None:
    record = await set_up_guild(services)
    reminders = services.consultations.reminders
    view = await open_consultation(services)
    await services.consultations.closing.take_due(view.deadline)
    assert await reminders.next_due() == view.review_date
    assert await reminders.take_due(view.review_date - timedelta(seconds=1)) == []
    first, second = await asyncio.gather(
        reminders.take_due(view.review_date), reminders.take_due(view.review_date)
    )
    # The reminder is owed once (two callers raced), not returned as an event.
    assert first + second == []
    reminder = (await owed(services))[FEEDBACK_OVERDUE].payload
    assert reminder["consultation_id"] == view.id
    assert reminder["channel_id"] == record.channel_ids["worker_log"]
    assert await reminders.take_due(view.review_date + timedelta(days=30)) == []
    assert await reminders.next_due() is None


async def test_no_reminder_when_feedback_published(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    view = await open_consultation(services)
    await services.consultations.closing.close(WORKER, view.id)
    await services.consultations.feedback.publish(WORKER, view.id, "said", "did", "not")
    assert await services.consultations.reminders.next_due() is None
    assert await services.consultations.reminders.take_due(view.review_date) == []


async def test_audience_size_frozen_at_close(services: Services, sessions) -> None:
    await set_up_guild(services)
    await approved_member(services, 4060)
    view = await open_consultation(services, anonymous=False)
    await services.consultations.closing.close(WORKER, view.id)
    await approved_member(services, 4061)
    results = await services.consultations.results.results(WORKER, view.id, charts=False)
    assert results.audience_size == 1 and results.respondents == 0
    assert results.response_rate == 0.0
    async with sessions() as s:
        assert await s.scalar(select(Consultation.audience_size_at_close)) == 1
    assert view.deadline > START


async def test_close_and_answers_at_once_never_lose_or_sneak_in(
    services: Services, sessions
) -> None:
    await set_up_guild(services)
    members = [await approved_member(services, 4100 + i) for i in range(8)]
    view = await open_consultation(services, anonymous=True)
    q = view.questions[2]
    outcomes = await asyncio.gather(
        *(services.consultations.answering.answer_scale(m, view.id, q.id, 3) for m in members),
        services.consultations.closing.close(WORKER, view.id),
        return_exceptions=True,
    )
    saved = [o for o in outcomes[:-1] if not isinstance(o, Exception)]
    refused = [o for o in outcomes[:-1] if isinstance(o, Exception)]
    assert all(isinstance(r, Conflict) for r in refused)
    event = outcomes[-1]
    assert isinstance(event, ConsultationClosed)
    # Every answer that was accepted is counted; none arrived after the close.
    assert event.respondents == len(saved)
    if len(saved) < 3:
        with pytest.raises(Conflict, match="not shown"):
            await services.consultations.results.results(WORKER, view.id, charts=False)
        return
    results = await services.consultations.results.results(WORKER, view.id, charts=False)
    assert results.questions[2].counts[2] == len(saved)


async def test_anonymous_results_need_three_respondents(services: Services) -> None:
    await set_up_guild(services)
    members = [await approved_member(services, 4200 + i) for i in range(3)]
    view = await open_consultation(services, anonymous=True)
    a = services.consultations.answering
    await a.answer_scale(members[0], view.id, view.questions[2].id, 2)
    await a.answer_scale(members[1], view.id, view.questions[2].id, 4)
    await a.skip(members[2], view.id, view.questions[2].id)  # a skip is not an answer
    await services.consultations.closing.close(WORKER, view.id)
    with pytest.raises(Conflict, match="Only 2 of the people asked"):
        await services.consultations.results.results(WORKER, view.id)
    with pytest.raises(Conflict, match="not shown"):
        await services.consultations.results.export_csv(WORKER, view.id)
    named = await open_consultation(services, anonymous=False)
    await a.answer_scale(members[0], named.id, named.questions[2].id, 2)
    results = await services.consultations.results.results(WORKER, named.id, charts=False)
    assert results.respondents == 1
