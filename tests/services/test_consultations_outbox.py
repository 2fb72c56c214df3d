"""Consultation messages are owed with their decision; erasure stays inside one server."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import (
    Consultation,
    ConsultationFeedback,
    ConsultationSuggestion,
    Member,
    OutboxItem,
)
from bot.services.access import Actor
from bot.services.consultations.owed import FEEDBACK_DM, FEEDBACK_POST, SUGGESTION_DM
from bot.services.container import Services
from bot.services.setup import SetupRecord
from tests.conftest import ADMIN, GUILD, WORKER, WORKER_ROLE
from tests.services.helpers import approved_member, form, set_up_guild
from tests.services.test_consultations_helpers import SAMPLE_FILE, draft_form, open_consultation

GUILD_B = GUILD + 1
WORKER_ROLE_B = WORKER_ROLE + 1000
STAFF_USER = 7401  # a worker in both servers, and a member of the first


async def _owed(services: Services, kind: str) -> list[OutboxItem]:
    async with services.db() as s:
        return list(await s.scalars(select(OutboxItem).where(OutboxItem.kind == kind)))


async def test_feedback_owes_one_post_and_a_dm_per_opted_in_respondent(services: Services) -> None:
    await set_up_guild(services)
    c = services.consultations
    ana = await approved_member(services, 4201, "Ana", dm_opt_in=True)
    ben = await approved_member(services, 4202, "Ben", dm_opt_in=False)
    view = await open_consultation(services, anonymous=False)
    for member in (ana, ben):
        await c.answering.answer_scale(member, view.id, view.questions[2].id, 4)
    await c.closing.close(WORKER, view.id)
    await c.feedback.publish(WORKER, view.id, "said", "did", "could not")
    [post] = await _owed(services, FEEDBACK_POST)
    assert post.payload["consultation_id"] == view.id
    [dm] = await _owed(services, FEEDBACK_DM)
    assert dm.payload == {"consultation_id": view.id, "user_id": ana.user_id}
    assert dm.subject_member_id is not None and dm.status == "pending"
    # The sender reads the words when it sends them (they are not copied into every row).
    found = await c.feedback.for_delivery(GUILD, view.id)
    assert found is not None and found.did == "did"
    assert await c.feedback.for_delivery(GUILD_B, view.id) is None

    # Ana asks to be forgotten before her DM went out: it is cancelled, her id dropped.
    await services.membership.forget(ana)
    [dm] = await _owed(services, FEEDBACK_DM)
    assert dm.status == "failed" and "erased" in (dm.last_error or "")
    assert dm.payload == {} and dm.subject_member_id is None


async def test_suggestion_decisions_owe_a_thank_you_only_to_those_who_opted_in(
    services: Services,
) -> None:
    await set_up_guild(services)
    c = services.consultations
    ana = await approved_member(services, 4211, "Ana", dm_opt_in=True)
    ben = await approved_member(services, 4212, "Ben", dm_opt_in=False)
    draft = await c.drafting.draft(WORKER, draft_form(title="Garden"))
    mine = await c.suggestions.suggest(ana, draft.id, "Can we grow tomatoes?")
    his = await c.suggestions.suggest(ben, draft.id, "Can we have a bench?")
    await c.suggestions.decline_suggestion(WORKER, mine.id)
    await c.suggestions.accept_suggestion(WORKER, his.id)
    [thanks] = await _owed(services, SUGGESTION_DM)
    assert thanks.payload == {"user_id": ana.user_id, "title": "Garden", "accepted": False}


async def _set_up_second_server(services: Services) -> Actor:
    """Record /setup for a second server; return its worker (the same person as STAFF_USER)."""
    admin = Actor(user_id=ADMIN.user_id, guild_id=GUILD_B, is_admin=True)
    plan = services.setup.plan(admin)
    role_ids = {spec.key: 710000000000000100 + i for i, spec in enumerate(plan.roles)}
    role_ids["worker"] = WORKER_ROLE_B
    channel_ids = {spec.key: 610000000000000100 + i for i, spec in enumerate(plan.channels)}
    await services.setup.record(admin, SetupRecord(role_ids, channel_ids, 610000000000000001))
    return Actor(user_id=STAFF_USER, guild_id=GUILD_B, role_ids=frozenset({WORKER_ROLE_B}))


async def _member_in(services: Services, guild_id: int, worker: Actor, user_id: int) -> Actor:
    actor = Actor(user_id=user_id, guild_id=guild_id)
    view = await services.membership.join(actor, form("Mo"))
    await services.membership.approve(worker, view.id)
    return actor


async def _staff_work(services: Services, staff: Actor, member: Actor) -> None:
    """Have the staff member draft, decide a suggestion, open, close and publish feedback."""
    c = services.consultations
    draft = await c.drafting.draft(staff, draft_form(title="Ideas"))
    suggested = await c.suggestions.suggest(member, draft.id, "Can we meet on Saturdays?")
    await c.suggestions.decline_suggestion(staff, suggested.id)
    run = await c.drafting.draft(staff, draft_form())
    await c.questions.upload_questions(staff, run.id, SAMPLE_FILE.encode())
    await c.drafting.open(staff, run.id)
    await c.closing.close(staff, run.id)
    await c.feedback.publish(staff, run.id, "said", "did", "could not")


async def _staff_traces(services: Services, guild_id: int) -> list[int | None]:
    async with services.db() as s:
        in_guild = select(Consultation.id).where(Consultation.guild_id == guild_id)
        consultations = (
            await s.execute(
                select(Consultation.created_by, Consultation.closed_by).where(
                    Consultation.guild_id == guild_id
                )
            )
        ).all()
        decided = await s.scalars(
            select(ConsultationSuggestion.decided_by).where(
                ConsultationSuggestion.consultation_id.in_(in_guild)
            )
        )
        published = await s.scalars(
            select(ConsultationFeedback.published_by).where(
                ConsultationFeedback.consultation_id.in_(in_guild)
            )
        )
        return [*(v for row in consultations for v in row), *decided, *published]


async def test_forgetting_a_staff_member_in_one_server_leaves_the_other_alone(
    services: Services,
) -> None:
    await set_up_guild(services)
    staff_a = Actor(user_id=STAFF_USER, guild_id=GUILD, role_ids=WORKER.role_ids)
    staff_b = await _set_up_second_server(services)
    # The same person works in both servers, and is also a member of the first.
    me_a = await approved_member(services, STAFF_USER, "Wren")
    await _staff_work(services, staff_a, await approved_member(services, 4301, "Ana"))
    await _staff_work(services, staff_b, await _member_in(services, GUILD_B, staff_b, 4302))
    assert {v for v in await _staff_traces(services, GUILD) if v} == {STAFF_USER}
    before_b = await _staff_traces(services, GUILD_B)
    assert {v for v in before_b if v} == {STAFF_USER}

    await services.membership.forget(me_a)

    # In the first server, what they did no longer names them; the second is untouched.
    assert STAFF_USER not in await _staff_traces(services, GUILD)
    assert await _staff_traces(services, GUILD_B) == before_b
    async with services.db() as s:
        assert await s.scalar(select(Member.id).where(Member.guild_id == GUILD_B)) is not None
