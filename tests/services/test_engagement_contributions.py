"""Workers logging, correcting and removing contributions; audit; refusals."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.contribution_kinds import ContributionKind
from bot.db.models import AuditEntry, Contribution
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.engagement.contributions import parse_hours
from bot.services.engagement.ladder import Ladder, Standing
from bot.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.settings import Settings
from tests.conftest import GUILD, WORKER
from tests.services.helpers import approved_member, set_up_guild
from tests.services.test_engagement_helpers import record


async def test_worker_logs_a_contribution_with_audit(services: Services) -> None:
    await set_up_guild(services)
    await approved_member(services, 3001, "Sam")
    logged = await services.engagement.contributions.log(
        WORKER, 3001, "session_cofacilitated", hours="2.5", note="Led the ice-breaker"
    )
    assert logged.new and logged.contribution.kind_words == "session co-facilitated"
    assert logged.contribution.hours == Decimal("2.50")
    async with services.db() as s:
        audit = await s.scalar(select(AuditEntry).where(AuditEntry.action == "contribution.log"))
        assert audit is not None and audit.actor_user_id == WORKER.user_id
        assert json.loads(audit.detail or "{}")["kind"] == "session_cofacilitated"


async def test_logging_with_the_same_source_twice_at_once_logs_once(services: Services) -> None:
    await set_up_guild(services)
    await approved_member(services, 3002, "Sam")
    results = await asyncio.gather(
        *(
            services.engagement.contributions.log(
                WORKER, 3002, "project_work", hours="1", source_key="interaction:42"
            )
            for _ in range(3)
        )
    )
    assert sorted(r.new for r in results) == [False, False, True]
    assert len({r.contribution.id for r in results}) == 1


async def test_non_workers_cannot_log_correct_or_remove(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 3003, "Sam")
    await approved_member(services, 3004, "Jo")
    with pytest.raises(NotAllowed, match="workers"):
        await services.engagement.contributions.log(sam, 3004, "project_work")
    logged = await services.engagement.contributions.log(WORKER, 3004, "project_work")
    with pytest.raises(NotAllowed):
        await services.engagement.contributions.correct(
            sam, logged.contribution.id, reason="x", hours="3"
        )
    with pytest.raises(NotAllowed):
        await services.engagement.contributions.remove(sam, logged.contribution.id, "x")
    with pytest.raises(NotAllowed):
        await services.engagement.contributions.list_for(sam, 3004)


async def test_workers_cannot_log_for_themselves(services: Services) -> None:
    await set_up_guild(services)
    await approved_member(services, 3005, "Kim")
    kim_worker = Actor(3005, GUILD, WORKER.role_ids)
    with pytest.raises(NotAllowed, match="own"):
        await services.engagement.contributions.log(kim_worker, 3005, "project_work")


@pytest.mark.parametrize(
    ("kind", "hours", "note"),
    [
        ("dancing", None, None),
        ("", None, None),
        ("project_work", "-1", None),
        ("project_work", "0", None),
        ("project_work", "25", None),
        ("project_work", "1.234", None),
        ("project_work", "lots", None),
        ("project_work", None, "x" * 201),
        ("project_work", None, "bad\x00note"),
    ],
)
async def test_bad_logs_are_refused(
    services: Services, kind: str, hours: str | None, note: str | None
) -> None:
    await set_up_guild(services)
    await approved_member(services, 3006, "Sam")
    with pytest.raises(InvalidInput):
        await services.engagement.contributions.log(WORKER, 3006, kind, hours=hours, note=note)
    async with services.db() as s:
        assert await s.scalar(select(func.count()).select_from(Contribution)) == 0


async def test_dates_in_the_future_or_naive_are_refused(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    await approved_member(services, 3007, "Sam")
    with pytest.raises(InvalidInput, match="future"):
        await services.engagement.contributions.log(
            WORKER, 3007, "project_work", occurred_at=clock.now() + timedelta(days=1)
        )
    with pytest.raises(InvalidInput, match="time zone"):
        await services.engagement.contributions.log(
            WORKER, 3007, "project_work", occurred_at=clock.now().replace(tzinfo=None)
        )
    with pytest.raises(NotFound):
        await services.engagement.contributions.log(WORKER, 9999, "project_work")


async def test_correct_and_remove_are_audited(services: Services) -> None:
    await set_up_guild(services)
    await approved_member(services, 3008, "Sam")
    logged = await services.engagement.contributions.log(WORKER, 3008, "project_work", hours="1")
    cid = logged.contribution.id
    fixed = await services.engagement.contributions.correct(
        WORKER, cid, reason="It was two hours", hours="2", kind="peer_support_given"
    )
    assert fixed.hours == Decimal("2.00") and fixed.kind == "peer_support_given"
    with pytest.raises(InvalidInput, match="Nothing to change"):
        await services.engagement.contributions.correct(WORKER, cid, reason="again", hours="2")
    with pytest.raises(InvalidInput):
        await services.engagement.contributions.correct(WORKER, cid, reason="", hours="3")
    removed = await services.engagement.contributions.remove(WORKER, cid, "Not Sam after all")
    assert removed.id == cid
    with pytest.raises(NotFound):
        await services.engagement.contributions.remove(WORKER, cid, "again")
    assert await services.engagement.contributions.list_for(WORKER, 3008) == []
    async with services.db() as s:
        rows = (
            await s.scalars(
                select(AuditEntry)
                .where(AuditEntry.action.like("contribution.%"))
                .order_by(AuditEntry.id)
            )
        ).all()
    assert [a.action for a in rows] == [
        "contribution.log",
        "contribution.correct",
        "contribution.remove",
    ]
    correction = json.loads(rows[1].detail or "{}")
    assert correction["before"]["hours"] == "1.00" and correction["after"]["hours"] == "2.00"
    assert correction["reason"] == "It was two hours"
    assert json.loads(rows[2].detail or "{}")["reason"] == "Not Sam after all"


async def test_correcting_into_a_duplicate_is_refused(services: Services) -> None:
    await set_up_guild(services)
    await approved_member(services, 3009, "Sam")
    a = await services.engagement.contributions.log(WORKER, 3009, "project_work", source_key="s:1")
    await services.engagement.contributions.log(WORKER, 3009, "other", source_key="s:1")
    with pytest.raises(Conflict, match="duplicate"):
        await services.engagement.contributions.correct(
            WORKER, a.contribution.id, reason="kind", kind="other"
        )


async def test_concurrent_removes_remove_once(services: Services) -> None:
    await set_up_guild(services)
    await approved_member(services, 3010, "Sam")
    logged = await services.engagement.contributions.log(WORKER, 3010, "project_work")
    results = await asyncio.gather(
        *(
            services.engagement.contributions.remove(WORKER, logged.contribution.id, "dup")
            for _ in range(3)
        ),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, NotFound | Conflict) for r in results if isinstance(r, BaseException))


async def test_worker_log_notices_eligibility_at_once(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 3011, "Sam")
    clock.advance(timedelta(days=40))
    # Poll votes are recorded by polls, not logged by hand.
    for i in range(3):
        await record(services, sam, ContributionKind.POLL_VOTE, f"p{i}")
    logged = await services.engagement.contributions.log(WORKER, 3011, "session_attended")
    assert logged.eligibility_notice_id is not None
    again = await services.engagement.contributions.log(WORKER, 3011, "session_attended")
    assert again.eligibility_notice_id is None
    [event] = await services.engagement.progress.note_due(clock.now())
    assert event.notice_id == logged.eligibility_notice_id


@given(st.text(max_size=12))
def test_any_hours_text_is_a_sensible_number_or_a_friendly_error(text: str) -> None:
    try:
        hours = parse_hours(text)
    except InvalidInput as exc:
        assert "hours" in exc.message.lower() or "Hours" in exc.message
    else:
        assert hours is None or (Decimal(0) < hours <= Decimal(24))


@hsettings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(st.sampled_from([k.value for k in ContributionKind]), st.integers(0, 50)),
    st.dictionaries(st.sampled_from([k.value for k in ContributionKind]), st.integers(0, 50)),
    st.integers(0, 30),
)
def test_doing_more_never_adds_to_what_a_level_needs(
    settings: Settings, base: dict[str, int], extra: dict[str, int], months: int
) -> None:
    ladder = Ladder(settings)
    more = {k: base.get(k, 0) + extra.get(k, 0) for k in set(base) | set(extra)}
    for level in ladder.levels:
        before = ladder.missing(level, Standing(base, set(), months))
        after = ladder.missing(level, Standing(more, {"introduction"}, months + 1))
        assert len(after) <= len(before)


@pytest.mark.parametrize("kind", ["poll_vote", "consultation_response", "training_completed"])
async def test_what_the_bot_records_itself_is_not_logged_by_hand(
    services: Services, kind: str
) -> None:
    await set_up_guild(services)
    await approved_member(services, 3020, "Sam")
    with pytest.raises(InvalidInput, match="recorded"):
        await services.engagement.contributions.log(WORKER, 3020, kind)
    async with services.db() as s:
        assert await s.scalar(select(func.count()).select_from(Contribution)) == 0


async def test_hours_only_on_work_measured_in_time(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 3021, "Sam")
    await record(services, sam, ContributionKind.POLL_VOTE, "poll:1")
    [vote] = await services.engagement.contributions.list_for(WORKER, 3021)
    with pytest.raises(InvalidInput, match="counted, not timed"):
        await services.engagement.contributions.correct(WORKER, vote.id, reason="typo", hours="1")
    with pytest.raises(InvalidInput, match="recorded by the bot"):
        await services.engagement.contributions.correct(
            WORKER, vote.id, reason="typo", kind="consultation_response"
        )
    timed = await services.engagement.contributions.log(
        WORKER, 3021, "recruitment_panel", hours="2"
    )
    assert timed.contribution.hours == Decimal(2)
