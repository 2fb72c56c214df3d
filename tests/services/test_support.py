"""Support requests: /support, the queue, and what moderators do with a request."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import AuditEntry, SupportRequest
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.services.support.records import MESSAGE_MAX, OUTCOMES
from tests.conftest import ADMIN, GUILD, MODERATOR, MODERATOR_ROLE, WORKER
from tests.services.helpers import approved_member, second_bot, set_up_guild

MOD2 = Actor(user_id=800000000000000009, guild_id=GUILD, role_ids=frozenset({MODERATOR_ROLE}))
STRANGER = Actor(user_id=800000000000000010, guild_id=GUILD)


def _someone(i: int) -> Actor:
    """Return a different person in the server (each may have one request open)."""
    return Actor(user_id=800000000000000100 + i, guild_id=GUILD)


async def _open(services: Services, actor: Actor, **kw: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {"topic": "struggling", "urgency": "week"}
    values.update(kw)
    return await services.support.requests.open_request(actor, **values)  # type: ignore[arg-type]


async def test_request_acknowledges_with_next_steps_and_resources(services: Services) -> None:
    record = await set_up_guild(services)
    member = await approved_member(services, 2001)
    opened = await _open(services, member, message="I have had a hard week")
    assert opened.request.status == "open"
    assert opened.request.kind == "request"
    assert opened.request.user_id == 2001
    assert "What happens next" in opened.whole
    assert "within 1 working day" in opened.whole
    assert "116 123" in opened.whole and "SHOUT" in opened.whole
    assert "85258" in opened.crisis_resources
    assert not opened.out_of_hours and opened.out_of_hours_notice is None
    assert not opened.ping_moderators
    assert opened.queue_channel_id == record.channel_ids["support_queue"]
    assert opened.moderator_role_id == MODERATOR_ROLE
    assert opened.message_to_forward == "I have had a hard week"
    assert len(opened.acknowledgement) <= 2000 and len(opened.next_steps) <= 2000


async def test_request_today_pings_moderators(services: Services) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 2002)
    opened = await _open(services, member, urgency="today")
    assert opened.ping_moderators
    assert "straight away" in opened.whole


async def test_crisis_words_in_request_make_it_urgent(services: Services) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 2003)
    opened = await _open(services, member, urgency="whenever", message="I want to end my life")
    assert opened.request.urgency == "urgent"
    assert opened.ping_moderators
    assert "told straight away" in opened.whole
    assert "You said you need help today" not in opened.whole


async def test_someone_in_the_server_but_not_signed_up_can_ask(services: Services) -> None:
    await set_up_guild(services)
    opened = await _open(services, STRANGER)
    assert opened.request.user_id == STRANGER.user_id


@pytest.mark.parametrize(
    ("moment", "out"),
    [
        (datetime(2026, 11, 23, 12, 0, tzinfo=UTC), False),  # Monday noon
        (datetime(2026, 11, 23, 17, 0, tzinfo=UTC), True),  # Monday 5pm: closed
        (datetime(2026, 11, 23, 8, 59, tzinfo=UTC), True),  # Monday before 9
        (datetime(2026, 11, 28, 12, 0, tzinfo=UTC), True),  # Saturday
        (datetime(2026, 6, 1, 8, 30, tzinfo=UTC), False),  # 9:30 BST, though 8:30 UTC
        (datetime(2026, 6, 1, 16, 30, tzinfo=UTC), True),  # 5:30pm BST
    ],
)
async def test_out_of_hours_uses_uk_time(
    services: Services, clock: ManualClock, moment: datetime, out: bool
) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 2004)
    clock.set(moment)
    opened = await _open(services, member)
    assert opened.out_of_hours is out
    if out:
        assert opened.out_of_hours_notice is not None
        assert opened.out_of_hours_notice in opened.whole
        assert "Monday to Friday, 9am to 5pm" in opened.whole
        assert "116 123" in opened.whole


async def test_out_of_hours_says_when_the_team_is_back(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 2005)
    clock.set(datetime(2026, 11, 27, 19, 0, tzinfo=UTC))  # Friday evening
    opened = await _open(services, member)
    assert opened.out_of_hours_notice is not None
    assert "Monday 30 November at 9am" in opened.out_of_hours_notice


async def test_over_long_message_refused_and_nothing_saved(services: Services, sessions) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 2006)
    with pytest.raises(InvalidInput, match="1,501 characters") as info:
        await _open(services, member, message="x" * (MESSAGE_MAX + 1))
    assert "Nothing has been sent" in info.value.message
    opened = await _open(services, member, message="y" * MESSAGE_MAX)
    assert opened.message_to_forward == "y" * MESSAGE_MAX
    async with sessions() as s:
        assert len((await s.scalars(select(SupportRequest))).all()) == 1


async def test_someone_who_left_the_server_is_refused_kindly(services: Services) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 2007)
    with pytest.raises(NotAllowed) as info:
        await _open(services, member, in_server=False)
    assert "not in the group's Discord server" in info.value.message
    assert "116 123" in info.value.message  # still given the crisis contacts


async def test_not_set_up_still_gives_resources(services: Services) -> None:
    with pytest.raises(NotAllowed) as info:
        await _open(services, STRANGER)
    assert "999" in info.value.message


@pytest.mark.parametrize(
    ("topic", "urgency"), [("bored", "week"), ("struggling", "soon"), ("", ""), ("other", "x")]
)
async def test_bad_choices_refused(services: Services, topic: str, urgency: str) -> None:
    await set_up_guild(services)
    with pytest.raises(InvalidInput):
        await _open(services, STRANGER, topic=topic, urgency=urgency)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(message=st.text(max_size=1700))
async def test_any_message_is_refused_or_passed_through_never_stored(
    services: Services, sessions, message: str
) -> None:
    await set_up_guild(services)
    try:
        opened = await _open(services, STRANGER, message=message)
    except InvalidInput as exc:
        assert exc.message
        return
    assert opened.message_to_forward in {None, message.strip()}
    async with sessions() as s:
        row = await s.get(SupportRequest, opened.request.id)
        assert row is not None
        # Only text columns can hold words; ids and times are numbers a short message may match.
        texts = [
            value
            for c in SupportRequest.__table__.columns
            if isinstance(value := getattr(row, c.key), str)
        ]
        chosen = {row.kind, row.topic, row.urgency, row.status}  # what the person picked
        typed = message.strip()
        if len(typed) > 3 and not any(typed in str(choice) for choice in chosen):
            assert not any(typed in text for text in texts)


async def test_private_space_and_card_are_remembered(services: Services) -> None:
    await set_up_guild(services)
    opened = await _open(services, STRANGER)
    await services.support.requests.set_private_space(opened.request.id, 5551)
    await services.support.requests.set_card(opened.request.id, 5552, 5553)
    view = await services.support.requests.get(MODERATOR, opened.request.id)
    assert (view.private_channel_id, view.card_channel_id, view.card_message_id) == (
        5551,
        5552,
        5553,
    )
    assert await services.support.flags.is_watched(GUILD, 5551)
    assert not await services.support.flags.is_watched(GUILD, 5559)


# ---- staff actions ---------------------------------------------------------------------------


async def test_claim_tells_the_member_and_is_audited(services: Services, sessions) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 2010)
    opened = await _open(services, member)
    await services.support.requests.set_private_space(opened.request.id, 4444)
    action = await services.support.staff.claim(MODERATOR, opened.request.id)
    assert action.request.status == "claimed"
    assert action.request.claimed_by == MODERATOR.user_id
    assert action.tell_user_id == 2010
    assert action.tell_channel_id == 4444
    assert action.tell_text and f"<@{MODERATOR.user_id}>" in action.tell_text
    async with sessions() as s:
        audit = (
            await s.scalars(select(AuditEntry).where(AuditEntry.action == "support.claim"))
        ).all()
        assert [a.actor_user_id for a in audit] == [MODERATOR.user_id]


async def test_two_moderators_claim_at_once_one_wins(services: Services) -> None:
    await set_up_guild(services)
    opened = await _open(services, STRANGER)
    results = await asyncio.gather(
        services.support.staff.claim(MODERATOR, opened.request.id),
        services.support.staff.claim(MOD2, opened.request.id),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1
    holder = winners[0].request.claimed_by
    assert f"<@{holder}> has already picked this one up" in losers[0].message


async def test_claims_across_two_bots_each_won_once(
    services: Services, db_url: str, clock: ManualClock, sessions
) -> None:
    """Two processes, each grouping its own clicks: every request has exactly one claimer."""
    await set_up_guild(services)
    opened = [await _open(services, _someone(i)) for i in range(6)]
    async with second_bot(services, db_url, clock) as other:
        presses = [
            bot.support.staff.claim(who, o.request.id)
            for o in opened
            for bot, who in ((services, MODERATOR), (other, MOD2))
        ]
        results = await asyncio.gather(*presses, return_exceptions=True)
    won = [r for r in results if not isinstance(r, BaseException)]
    assert sorted(r.request.id for r in won) == sorted(o.request.id for o in opened)
    assert sum(isinstance(r, Conflict) for r in results) == len(opened)
    async with sessions() as s:
        holders = dict(
            (await s.execute(select(SupportRequest.id, SupportRequest.claimed_by))).all()
        )
        audited = (
            await s.scalars(select(AuditEntry).where(AuditEntry.action == "support.claim"))
        ).all()
    assert {holders[r.request.id] for r in won} <= {MODERATOR.user_id, MOD2.user_id}
    assert all(holders[r.request.id] == r.request.claimed_by for r in won)
    assert len(audited) == len(opened)


async def test_claim_twice_by_same_moderator(services: Services) -> None:
    await set_up_guild(services)
    opened = await _open(services, STRANGER)
    await services.support.staff.claim(MODERATOR, opened.request.id)
    with pytest.raises(Conflict, match="You've already picked this one up"):
        await services.support.staff.claim(MODERATOR, opened.request.id)


@pytest.mark.parametrize("who", [STRANGER, Actor(2020, GUILD)])
async def test_non_moderators_cannot_work_the_queue(services: Services, who: Actor) -> None:
    await set_up_guild(services)
    opened = await _open(services, await approved_member(services, 2021))
    rid = opened.request.id
    with pytest.raises(NotAllowed, match="Only moderators"):
        await services.support.staff.claim(who, rid)
    with pytest.raises(NotAllowed):
        await services.support.staff.escalate(who, rid, "worker", "needs a worker")
    with pytest.raises(NotAllowed):
        await services.support.staff.resolve(who, rid, "supported")
    with pytest.raises(NotAllowed):
        await services.support.requests.queue(who)
    with pytest.raises(NotAllowed):
        await services.support.requests.get(who, rid)


async def test_workers_and_admins_count_as_moderators(services: Services) -> None:
    await set_up_guild(services)
    first = await _open(services, STRANGER)
    second = await _open(services, _someone(1))  # one open request per person
    await services.support.staff.claim(WORKER, first.request.id)
    await services.support.staff.claim(ADMIN, second.request.id)


async def test_moderator_cannot_claim_their_own_request(services: Services) -> None:
    await set_up_guild(services)
    opened = await _open(services, MODERATOR)
    with pytest.raises(NotAllowed, match="about you"):
        await services.support.staff.claim(MODERATOR, opened.request.id)
    await services.support.staff.claim(MOD2, opened.request.id)


async def test_escalate_unclaimed_picks_it_up_and_pings_the_lead(
    services: Services, sessions
) -> None:
    record = await set_up_guild(services)
    opened = await _open(services, STRANGER)
    action = await services.support.staff.escalate(
        MODERATOR, opened.request.id, "safeguarding", "Needs the lead today"
    )
    assert action.request.status == "escalated"
    assert action.request.escalated_to == "safeguarding"
    assert action.request.claimed_by == MODERATOR.user_id
    assert action.ping_role_id == record.role_ids["safeguarding"]
    assert action.tell_user_id == STRANGER.user_id  # first pickup: the member is told
    again = await services.support.staff.escalate(MOD2, opened.request.id, "worker", "Worker too")
    assert again.ping_role_id == record.role_ids["worker"]
    assert again.tell_user_id is None
    assert again.request.claimed_by == MODERATOR.user_id
    async with sessions() as s:
        actions = (
            await s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("support.%")))
        ).all()
        assert sorted(actions) == ["support.claim", "support.escalate", "support.escalate"]


@pytest.mark.parametrize(("to", "reason"), [("police", "x"), ("worker", ""), ("worker", "r" * 301)])
async def test_escalate_bad_input(services: Services, to: str, reason: str) -> None:
    await set_up_guild(services)
    opened = await _open(services, STRANGER)
    with pytest.raises(InvalidInput):
        await services.support.staff.escalate(MODERATOR, opened.request.id, to, reason)


async def test_resolve_once_with_outcome(services: Services) -> None:
    await set_up_guild(services)
    opened = await _open(services, STRANGER)
    await services.support.requests.set_private_space(opened.request.id, 3333)
    await services.support.staff.claim(MODERATOR, opened.request.id)
    results = await asyncio.gather(
        services.support.staff.resolve(MODERATOR, opened.request.id, "supported", "Talked on call"),
        services.support.staff.resolve(MOD2, opened.request.id, "no_action"),
        return_exceptions=True,
    )
    done = [r for r in results if not isinstance(r, BaseException)]
    assert len(done) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert done[0].request.status == "resolved"
    assert done[0].tell_user_id == STRANGER.user_id and done[0].tell_channel_id == 3333
    with pytest.raises(Conflict, match="already been resolved"):
        await services.support.staff.claim(MOD2, opened.request.id)
    with pytest.raises(Conflict, match="already been resolved"):
        await services.support.staff.escalate(MOD2, opened.request.id, "worker", "late")


@pytest.mark.parametrize(("outcome", "note"), [("fixed", None), ("supported", "n" * 301)])
async def test_resolve_bad_input(services: Services, outcome: str, note: str | None) -> None:
    await set_up_guild(services)
    opened = await _open(services, STRANGER)
    with pytest.raises(InvalidInput):
        await services.support.staff.resolve(MODERATOR, opened.request.id, outcome, note)


async def test_every_outcome_is_accepted(services: Services) -> None:
    await set_up_guild(services)
    for i, outcome in enumerate(OUTCOMES):
        opened = await _open(services, _someone(i))
        action = await services.support.staff.resolve(MODERATOR, opened.request.id, outcome)
        assert action.request.outcome_label == OUTCOMES[outcome]


async def test_request_of_another_server_is_not_found(services: Services) -> None:
    await set_up_guild(services)
    opened = await _open(services, STRANGER)
    other = Actor(MODERATOR.user_id, GUILD + 1, MODERATOR.role_ids, is_admin=True)
    with pytest.raises((NotFound, NotAllowed)):
        await services.support.staff.claim(other, opened.request.id)


async def test_queue_sorted_by_urgency_then_age(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    from datetime import timedelta

    ids = {}
    people = [("w1", "whenever"), ("t1", "today"), ("k1", "week"), ("t2", "today")]
    for i, (label, urgency) in enumerate(people):
        ids[label] = (await _open(services, _someone(i), urgency=urgency)).request.id
        clock.advance(timedelta(minutes=5))
    flagged = await services.support.flags.flag_message(
        GUILD,
        (await services.setup.current(GUILD)).channel_ids["peer_support"],  # type: ignore[union-attr]
        7001,
        2099,
        "https://discord.com/channels/1/2/7001",
    )
    assert flagged is not None
    resolved = (await _open(services, _someone(9), urgency="today")).request.id
    await services.support.staff.resolve(MODERATOR, resolved, "duplicate")
    page = await services.support.requests.queue(MODERATOR)
    assert [r.id for r in page.requests] == [
        flagged.request.id,
        ids["t1"],
        ids["t2"],
        ids["k1"],
        ids["w1"],
    ]
    assert page.total == 5


async def test_urgent_out_of_hours_does_not_promise_a_quick_answer(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    clock.set(datetime(2026, 11, 28, 22, 0, tzinfo=UTC))  # Saturday night
    opened = await _open(services, STRANGER, urgency="today")
    assert opened.ping_moderators
    assert "told straight away" not in opened.whole
    assert "may not see it until they're back" in opened.whole
    assert "116 123" in opened.whole
