"""Drafting, questions, uploads, co-production suggestions and opening."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tests.conftest import GUILD, START, WORKER
from tests.services.helpers import approved_member, set_up_guild
from tests.services.test_consultations_helpers import SAMPLE_FILE, draft_form, open_consultation


async def test_draft_defaults_review_date_28_days_after_deadline(services: Services) -> None:
    await set_up_guild(services)
    view = await services.consultations.drafting.draft(WORKER, draft_form())
    assert view.status == "draft"
    assert view.review_date == view.deadline + timedelta(days=28)
    assert view.anonymous and view.audience == "everyone"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"deadline": START - timedelta(minutes=1)}, "in the future"),
        ({"deadline": START + timedelta(days=366)}, "at most a year"),
        ({"review_date": START + timedelta(days=14)}, "after the deadline"),
        ({"review_date": START + timedelta(days=14 + 366)}, "at most a year after"),
        ({"title": ""}, "can't be empty"),
        ({"title": "t" * 101}, "the most is 100"),
        ({"purpose": "p" * 1001}, "the most is 1000"),
        ({"cannot_change": "  "}, "can't be empty"),
        ({"audience": "locality:Mars"}, "choose who this is for"),
        ({"audience": "level:nope"}, "choose who this is for"),
    ],
)
async def test_bad_drafts_refused(services: Services, changes: dict, message: str) -> None:
    await set_up_guild(services)
    with pytest.raises(InvalidInput, match=message):
        await services.consultations.drafting.draft(WORKER, draft_form(**changes))


async def test_members_cannot_draft_or_open(services: Services) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 2001)
    with pytest.raises(NotAllowed):
        await services.consultations.drafting.draft(member, draft_form())
    view = await services.consultations.drafting.draft(WORKER, draft_form())
    with pytest.raises(NotAllowed):
        await services.consultations.drafting.open(member, view.id)
    with pytest.raises(NotAllowed):
        await services.consultations.questions.add_question(member, view.id, "text", "Hi?")


async def test_add_questions_one_at_a_time(services: Services) -> None:
    await set_up_guild(services)
    c = services.consultations
    view = await c.drafting.draft(WORKER, draft_form())
    q1 = await c.questions.add_question(WORKER, view.id, "single", "Pick one", ["A", "B"])
    q2 = await c.questions.add_question(WORKER, view.id, "Free text", "  Why?  ")
    assert (q1.position, q2.position, q2.kind, q2.text) == (1, 2, "text", "Why?")
    await c.questions.remove_question(WORKER, view.id, q1.id)
    again = await c.drafting.get(WORKER, view.id)
    assert [(q.position, q.text) for q in again.questions] == [(1, "Why?")]


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("single", ["only"], "2 to 10 options"),
        ("multiple", [f"o{i}" for i in range(11)], "2 to 10 options"),
        ("single", ["Same", "same"], "appears twice"),
        ("single", ["x" * 101, "ok"], "the most is 100"),
        ("scale", ["1", "2"], "can't have options"),
        ("essay", [], "(?i)the type must be one of"),
    ],
)
async def test_bad_questions_refused(
    services: Services, kind: str, options: list[str], message: str
) -> None:
    await set_up_guild(services)
    view = await services.consultations.drafting.draft(WORKER, draft_form())
    with pytest.raises(InvalidInput, match=message):
        await services.consultations.questions.add_question(
            WORKER, view.id, kind, "A question", options
        )


async def test_at_most_twenty_questions(services: Services) -> None:
    await set_up_guild(services)
    c = services.consultations
    view = await c.drafting.draft(WORKER, draft_form())
    many = "".join(f"Q: question {i}\n\n" for i in range(18))
    await c.questions.upload_questions(WORKER, view.id, many.encode())
    await c.questions.add_question(WORKER, view.id, "text", "nineteen")
    await c.questions.add_question(WORKER, view.id, "text", "twenty")
    with pytest.raises(Conflict, match="at most 20"):
        await c.questions.add_question(WORKER, view.id, "text", "twenty-one")
    with pytest.raises(InvalidInput, match="more than 20"):
        await c.questions.upload_questions(WORKER, view.id, b"Q: one more\n")


async def test_upload_adds_all_or_nothing(services: Services) -> None:
    await set_up_guild(services)
    c = services.consultations
    view = await c.drafting.draft(WORKER, draft_form())
    bad = SAMPLE_FILE + "\nQ: broken\ntype: single\n- lonely\n"
    with pytest.raises(InvalidInput, match=r"Nothing was added(.|\n)*Line 20: a single choice"):
        await c.questions.upload_questions(WORKER, view.id, bad.encode())
    assert (await c.drafting.get(WORKER, view.id)).questions == ()
    added = await c.questions.upload_questions(WORKER, view.id, SAMPLE_FILE.encode("utf-8-sig"))
    assert len(added) == 4
    replaced = await c.questions.upload_questions(WORKER, view.id, b"Q: Only this\n", replace=True)
    assert [q.position for q in replaced] == [1]
    assert len((await c.drafting.get(WORKER, view.id)).questions) == 1


async def test_upload_error_message_fits_discord(services: Services) -> None:
    await set_up_guild(services)
    view = await services.consultations.drafting.draft(WORKER, draft_form())
    awful = "\n".join(f"- stray option {i} " + "z" * 30 for i in range(300))
    with pytest.raises(InvalidInput) as caught:
        await services.consultations.questions.upload_questions(WORKER, view.id, awful.encode())
    assert len(caught.value.message) < 2000
    assert "more." in caught.value.message


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400))
async def test_random_uploads_only_ever_refuse_politely(services: Services, data: bytes) -> None:
    await set_up_guild(services)
    view = await services.consultations.drafting.draft(WORKER, draft_form())
    with contextlib.suppress(InvalidInput):
        await services.consultations.questions.upload_questions(WORKER, view.id, data)


async def test_open_needs_a_question_and_happens_once(services: Services) -> None:
    await set_up_guild(services)
    c = services.consultations
    view = await c.drafting.draft(WORKER, draft_form())
    with pytest.raises(Conflict, match="at least one question"):
        await c.drafting.open(WORKER, view.id)
    await c.questions.add_question(WORKER, view.id, "scale", "How was it?")
    results = await asyncio.gather(
        c.drafting.open(WORKER, view.id), c.drafting.open(WORKER, view.id), return_exceptions=True
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert (await c.drafting.get(WORKER, view.id)).status == "open"
    with pytest.raises(Conflict, match="Only a draft can be edited"):
        await c.drafting.update_draft(WORKER, view.id, draft_form(title="New"))


async def test_open_refused_when_deadline_passed(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    c = services.consultations
    view = await c.drafting.draft(WORKER, draft_form(deadline=START + timedelta(hours=1)))
    await c.questions.add_question(WORKER, view.id, "text", "Why?")
    clock.advance(timedelta(hours=2))
    with pytest.raises(Conflict, match="deadline has already passed"):
        await c.drafting.open(WORKER, view.id)


async def test_questions_editable_after_open_until_first_answer(services: Services) -> None:
    await set_up_guild(services)
    c = services.consultations
    member = await approved_member(services, 2002)
    view = await open_consultation(services)
    extra = await c.questions.add_question(WORKER, view.id, "text", "Added after opening")
    await c.questions.remove_question(WORKER, view.id, extra.id)
    await c.answering.answer_scale(member, view.id, view.questions[2].id, 4)
    with pytest.raises(Conflict, match="locked"):
        await c.questions.add_question(WORKER, view.id, "text", "Too late")
    with pytest.raises(Conflict, match="locked"):
        await c.questions.remove_question(WORKER, view.id, view.questions[0].id)
    with pytest.raises(Conflict, match="locked"):
        await c.questions.upload_questions(WORKER, view.id, b"Q: late\n")


async def test_edit_and_first_answer_race_never_both_win(services: Services) -> None:
    await set_up_guild(services)
    c = services.consultations
    member = await approved_member(services, 2003)
    view = await open_consultation(services)
    results = await asyncio.gather(
        c.answering.answer_scale(member, view.id, view.questions[2].id, 3),
        c.questions.remove_question(WORKER, view.id, view.questions[2].id),
        return_exceptions=True,
    )
    # Either the answer landed and the removal was refused, or the question went first.
    assert sum(isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, Conflict | NotFound) for r in results if isinstance(r, Exception))


async def test_suggestions_accepted_and_declined(services: Services) -> None:
    await set_up_guild(services)
    c = services.consultations
    member = await approved_member(services, 2004, "Ana")
    view = await c.drafting.draft(WORKER, draft_form())
    assert [d.id for d in await c.drafting.drafts_for_member(member)] == [view.id]
    s1 = await c.suggestions.suggest(member, view.id, "Should the room have plants?")
    s2 = await c.suggestions.suggest(member, view.id, "Can we choose the music?")
    listed = await c.suggestions.suggestions(WORKER, view.id)
    assert [(s.text, s.suggested_by) for s in listed] == [
        ("Should the room have plants?", "Ana"),
        ("Can we choose the music?", "Ana"),
    ]
    accepted = await c.suggestions.accept_suggestion(
        WORKER, s1.id, kind="single", options=["Yes", "No"]
    )
    assert accepted.question is not None and accepted.question.kind == "single"
    assert accepted.notify_user_id == member.user_id
    declined = await c.suggestions.decline_suggestion(WORKER, s2.id)
    assert declined.suggestion.status == "declined"
    with pytest.raises(Conflict, match="already been declined"):
        await c.suggestions.accept_suggestion(WORKER, s2.id)
    questions = (await c.drafting.get(WORKER, view.id)).questions
    assert [q.text for q in questions] == ["Should the room have plants?"]


async def test_suggestion_accepted_twice_at_once_makes_one_question(services: Services) -> None:
    await set_up_guild(services)
    c = services.consultations
    member = await approved_member(services, 2005)
    view = await c.drafting.draft(WORKER, draft_form())
    sg = await c.suggestions.suggest(member, view.id, "What time suits you?")
    results = await asyncio.gather(
        c.suggestions.accept_suggestion(WORKER, sg.id),
        c.suggestions.accept_suggestion(WORKER, sg.id),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert len((await c.drafting.get(WORKER, view.id)).questions) == 1


async def test_suggestion_rules(services: Services) -> None:
    await set_up_guild(services)
    c = services.consultations
    north = await approved_member(services, 2006, locality="North")
    south = await approved_member(services, 2007, locality="South")
    pending = Actor(2008, GUILD)
    from tests.services.helpers import form

    await services.membership.join(pending, form("Pat"))
    view = await c.drafting.draft(WORKER, draft_form(audience="locality:North"))
    with pytest.raises(NotAllowed, match="members in North"):
        await c.suggestions.suggest(south, view.id, "Me too?")
    with pytest.raises(NotAllowed, match="waiting for a worker"):
        await c.suggestions.suggest(pending, view.id, "Hello?")
    with pytest.raises(InvalidInput):
        await c.suggestions.suggest(north, view.id, "x" * 301)
    for i in range(5):
        await c.suggestions.suggest(north, view.id, f"Idea {i}")
    with pytest.raises(Conflict, match="already have 5"):
        await c.suggestions.suggest(north, view.id, "Idea 6")
    with pytest.raises(NotAllowed):
        await c.suggestions.suggestions(north, view.id)
    await c.questions.add_question(WORKER, view.id, "text", "Why?")
    await c.drafting.open(WORKER, view.id)
    with pytest.raises(Conflict, match="while the consultation is being drafted"):
        await c.suggestions.suggest(north, view.id, "Late idea")


async def test_end_of_involvement_template_in_one_call(services: Services) -> None:
    await set_up_guild(services)
    c = services.consultations
    view = await c.drafting.create_end_of_involvement(WORKER)
    assert view.title == "How did it feel to take part?"
    assert view.template == "end_of_involvement" and view.anonymous
    kinds = {q.kind for q in view.questions}
    assert kinds == {"single", "multiple", "scale", "text"}
    assert view.deadline == START + timedelta(days=14)
    opened = await c.drafting.open(WORKER, view.id)
    assert opened.status == "open"


async def test_other_guild_cannot_see(services: Services) -> None:
    await set_up_guild(services)
    view = await services.consultations.drafting.draft(WORKER, draft_form())
    stranger = Actor(WORKER.user_id, GUILD + 1, WORKER.role_ids)
    with pytest.raises((NotFound, NotAllowed)):
        await services.consultations.drafting.get(stranger, view.id)
