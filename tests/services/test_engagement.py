"""Progression: /progress, the once-per-level notice, moving up, staying and stepping down."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import pytest
from matplotlib.image import imread
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.contribution_kinds import ContributionKind
from bot.db.models import Contribution, LevelChange, Member
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from tests.conftest import GUILD, WORKER
from tests.services.helpers import approved_member, set_up_guild
from tests.services.test_engagement_helpers import (
    PNG_MAGIC,
    meet_working_together,
    member_id,
    record,
)


async def test_progress_of_a_new_member(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 2001, "Sam")
    view = await services.engagement.progress.progress(sam)
    assert view.level_name == "Consultation"
    assert (view.level_number, view.level_count) == (1, 5)
    assert view.counts == [] and view.total == 0
    assert view.next_level_name == "Working Together"
    assert "vote in 3 more polls (0 of 3 done)" in view.next_needs
    assert any("1 month" in need for need in view.next_needs)
    assert not view.next_met
    assert view.chart_png is not None and view.chart_png.startswith(PNG_MAGIC)
    assert imread(io.BytesIO(view.chart_png)).shape[0] > 100


async def test_progress_counts_in_plain_words_and_a_valid_png(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 2002, "Sam")
    await record(services, sam, ContributionKind.POLL_VOTE, "poll:1")
    await record(services, sam, ContributionKind.POLL_VOTE, "poll:2")
    await record(services, sam, ContributionKind.SESSION_ATTENDED, "session:1")
    view = await services.engagement.progress.progress(sam)
    assert [c.words for c in view.counts] == ["2 poll votes", "1 session attended"]
    assert view.total == 3
    assert view.next_needs[0] == "vote in 1 more poll (2 of 3 done)"
    assert "3 in all" in view.chart_alt
    png = view.chart_png
    assert png is not None and png.startswith(PNG_MAGIC) and png.endswith(b"IEND\xaeB`\x82")
    without = await services.engagement.progress.progress(sam, chart=False)
    assert without.chart_png is None and without.total == 3


async def test_notice_is_sent_once_per_level(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 2003, "Sam")
    source = services.engagement.progress
    assert await source.note_due(clock.now()) == []
    await meet_working_together(services, sam, clock)
    events = await source.note_due(clock.now())
    assert len(events) == 1
    event = events[0]
    assert (event.user_id, event.level_key, event.level_name) == (
        2003,
        "working_together",
        "Working Together",
    )
    assert "Stay" in event.text and "Move up" in event.text and len(event.text) < 2000
    # Later contributions, later sweeps and full re-checks never send it again.
    await record(services, sam, ContributionKind.POLL_VOTE, "poll:99")
    assert await source.note_due(clock.now()) == []
    clock.advance(timedelta(days=1))
    assert await source.note_due(clock.now()) == []


async def test_concurrent_sweeps_send_one_notice(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 2004, "Sam")
    await meet_working_together(services, sam, clock)
    source = services.engagement.progress
    results = await asyncio.gather(*(source.note_due(clock.now()) for _ in range(4)))
    assert sum(len(r) for r in results) == 1


async def test_not_eligible_before_a_month(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 2005, "Sam")
    for i in range(3):
        await record(services, sam, ContributionKind.POLL_VOTE, f"poll:{i}")
    await record(services, sam, ContributionKind.SESSION_ATTENDED, "session:1")
    assert await services.engagement.progress.note_due(clock.now()) == []
    view = await services.engagement.progress.progress(sam, chart=False)
    assert view.next_needs == ["be involved for 1 month (0 months so far)"]
    clock.advance(timedelta(days=31))
    assert len(await services.engagement.progress.note_due(clock.now())) == 1


async def test_next_due_is_now_for_an_unsent_notice(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 2006, "Sam")
    source = services.engagement.progress
    await source.note_due(clock.now())
    later = await source.next_due()
    assert later is not None and later > clock.now()
    await meet_working_together(services, sam, clock)
    await services.engagement.moves.eligible(WORKER)  # notices it without sending
    due = await source.next_due()
    assert due is not None and due <= clock.now()


async def _eligible_and_asking(
    services: Services, clock: ManualClock, user_id: int
) -> tuple[Actor, int]:
    sam = await approved_member(services, user_id, "Sam")
    await meet_working_together(services, sam, clock)
    [event] = await services.engagement.progress.note_due(clock.now())
    choice = await services.engagement.moves.choose(sam, event.notice_id, "move_up")
    assert choice.worker_log_channel_id is not None
    return sam, event.notice_id


async def test_move_up_with_confirmation_swaps_roles(
    services: Services, clock: ManualClock
) -> None:
    record_ids = await set_up_guild(services)
    sam, notice = await _eligible_and_asking(services, clock, 2007)
    listed = await services.engagement.moves.eligible(WORKER)
    assert [(v.user_id, v.state) for v in listed] == [(2007, "move_up")]
    move = await services.engagement.moves.confirm(WORKER, notice)
    assert move.direction == "up"
    assert move.remove_role_id == record_ids.role_ids["level:consultation"]
    assert move.add_role_id == record_ids.role_ids["level:working_together"]
    view = await services.engagement.progress.progress(sam, chart=False)
    assert view.level_name == "Working Together" and view.next_level_name == "Doing Together"
    assert await services.engagement.moves.eligible(WORKER) == []
    with pytest.raises(Conflict, match="already been confirmed"):
        await services.engagement.moves.confirm(WORKER, notice)


async def test_concurrent_confirms_move_once(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    sam, notice = await _eligible_and_asking(services, clock, 2008)
    other = Actor(800000000000000099, GUILD, WORKER.role_ids)
    results = await asyncio.gather(
        services.engagement.moves.confirm(WORKER, notice),
        services.engagement.moves.confirm(other, notice),
        services.engagement.moves.confirm(WORKER, notice),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 2
    async with services.db() as s:
        assert await s.scalar(select(func.count()).select_from(LevelChange)) == 1
        assert (
            await s.scalar(select(Member.level_key).where(Member.user_id == 2008))
            == "working_together"
        )


async def test_only_other_workers_confirm(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    sam, notice = await _eligible_and_asking(services, clock, 2009)
    with pytest.raises(NotAllowed):
        await services.engagement.moves.confirm(Actor(2010, GUILD), notice)
    with pytest.raises(NotAllowed):
        await services.engagement.moves.eligible(sam)
    worker_sam = Actor(sam.user_id, GUILD, WORKER.role_ids)
    with pytest.raises(NotAllowed, match="own"):
        await services.engagement.moves.confirm(worker_sam, notice)


async def test_staying_is_respected(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 2011, "Sam")
    await meet_working_together(services, sam, clock)
    [event] = await services.engagement.progress.note_due(clock.now())
    stay = await services.engagement.moves.choose(sam, event.notice_id, "stay")
    assert "fine" in stay.text
    with pytest.raises(Conflict, match="already chosen to stay"):
        await services.engagement.moves.choose(sam, event.notice_id, "stay")
    with pytest.raises(Conflict, match="not asked"):
        await services.engagement.moves.confirm(WORKER, event.notice_id)
    [listed] = await services.engagement.moves.eligible(WORKER)
    assert listed.state_text == "chose to stay"
    # They can change their mind later from /progress.
    view = await services.engagement.progress.progress(sam, chart=False)
    assert view.open_notice_id == event.notice_id and view.open_notice_choice == "stay"
    await services.engagement.moves.choose(sam, event.notice_id, "move_up")
    await services.engagement.moves.confirm(WORKER, event.notice_id)


async def test_choice_is_checked(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    sam, notice = await _eligible_and_asking(services, clock, 2012)
    with pytest.raises(InvalidInput):
        await services.engagement.moves.choose(sam, notice, "skip_ahead")
    with pytest.raises(Conflict, match="already asked"):
        await services.engagement.moves.choose(sam, notice, "move_up")
    someone = await approved_member(services, 2013, "Jo")
    with pytest.raises(NotAllowed, match="someone else"):
        await services.engagement.moves.choose(someone, notice, "move_up")


async def test_declined_move_can_be_asked_again(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    sam, notice = await _eligible_and_asking(services, clock, 2014)
    with pytest.raises(InvalidInput):
        await services.engagement.moves.decline(WORKER, notice, "   ")
    declined = await services.engagement.moves.decline(WORKER, notice, "Let's talk first.")
    assert "Let's talk first." in declined.text and declined.user_id == 2014
    with pytest.raises(Conflict):
        await services.engagement.moves.confirm(WORKER, notice)
    await services.engagement.moves.choose(sam, notice, "move_up")
    move = await services.engagement.moves.confirm(WORKER, notice)
    assert move.to_level_key == "working_together"


async def test_confirm_rechecks_requirements(services: Services, clock: ManualClock) -> None:
    await set_up_guild(services)
    sam, notice = await _eligible_and_asking(services, clock, 2015)
    async with services.db.begin() as s:
        wrong = await s.scalar(select(Contribution).where(Contribution.source_key == "session:1"))
        assert wrong is not None
        wrong_id = wrong.id
    await services.engagement.contributions.remove(WORKER, wrong_id, "Logged by mistake")
    with pytest.raises(Conflict, match="no longer meets"):
        await services.engagement.moves.confirm(WORKER, notice)


async def test_step_down(services: Services, clock: ManualClock) -> None:
    record_ids = await set_up_guild(services)
    sam, notice = await _eligible_and_asking(services, clock, 2016)
    await services.engagement.moves.confirm(WORKER, notice)
    move = await services.engagement.moves.step_down(sam)
    assert (move.from_level_key, move.to_level_key, move.direction) == (
        "working_together",
        "consultation",
        "down",
    )
    assert move.remove_role_id == record_ids.role_ids["level:working_together"]
    assert move.add_role_id == record_ids.role_ids["level:consultation"]
    with pytest.raises(Conflict, match="first level"):
        await services.engagement.moves.step_down(sam)
    # The notice for Working Together was already sent: stepping down does not re-send it.
    assert await services.engagement.progress.note_due(clock.now()) == []
    # But moving back up stays the member's choice, from /progress.
    view = await services.engagement.progress.progress(sam, chart=False)
    assert view.open_notice_id == notice and view.open_notice_choice is None
    await services.engagement.moves.choose(sam, notice, "move_up")
    back = await services.engagement.moves.confirm(WORKER, notice)
    assert back.to_level_key == "working_together"


async def test_paused_members_get_their_notice_after_resuming(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 2017, "Sam")
    await meet_working_together(services, sam, clock)
    await services.membership.pause(sam)
    assert await services.engagement.progress.note_due(clock.now()) == []
    await services.membership.resume(sam)
    clock.advance(timedelta(hours=7))  # the next full check
    assert len(await services.engagement.progress.note_due(clock.now())) == 1


async def test_same_source_twice_at_once_is_one_contribution(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 2018, "Sam")
    results = await asyncio.gather(
        *(record(services, sam, ContributionKind.POLL_VOTE, "poll:7") for _ in range(5))
    )
    assert sorted(results) == [False, False, False, False, True]
    mid = await member_id(services, sam)
    async with services.db() as s:
        count = await s.scalar(
            select(func.count()).select_from(Contribution).where(Contribution.member_id == mid)
        )
    assert count == 1


async def test_progress_needs_membership(services: Services) -> None:
    await set_up_guild(services)
    with pytest.raises(NotAllowed, match="join"):
        await services.engagement.progress.progress(Actor(2019, GUILD))


async def test_chart_months_are_uk_calendar_months(services: Services, clock: ManualClock) -> None:
    from datetime import UTC, datetime

    from bot.contribution_kinds import ContributionKind
    from bot.services.contributions import record_contribution

    await set_up_guild(services)
    sam = await approved_member(services, 2099, "Sam")
    member = await services.membership.profile(sam)
    # 23:30 UTC on 31 May is 00:30 on 1 June in UK summer time.
    moment = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
    async with services.db.begin() as s:
        await record_contribution(
            s,
            guild_id=member.guild_id,
            member_id=member.id,
            kind=ContributionKind.SESSION_ATTENDED,
            source_key="session:boundary",
            occurred_at=moment,
            recorded_at=moment,
        )
    clock.set(datetime(2026, 6, 15, 12, tzinfo=UTC))
    async with services.db() as s:
        labels, series = await services.engagement.progress._monthly(s, member.id, clock.now())
    # Months come as "YYYY-MM" (the chart labels them "Jun 26", the alt text "June 2026").
    counts = next(iter(series.values()))
    assert counts[labels.index("2026-06")] == 1 and counts[labels.index("2026-05")] == 0


def test_chart_alt_text_says_the_totals_and_each_busy_month() -> None:
    from bot.services.engagement.progression import chart_alt

    months = ["2026-10", "2026-11", "2026-12"]
    alt = chart_alt(months, {"poll_vote": [0, 2, 1], "session_attended": [0, 0, 1]})
    assert alt == (
        "Bar chart of your contributions each month, October 2026 to December 2026: 4 in all "
        "(3 poll votes, 1 session attended). By month: November 2026: 2; December 2026: 2; "
        "none in the other months."
    )
    assert chart_alt(months, {}).endswith("none in these months.")


async def test_a_move_up_request_can_be_taken_back_until_confirmed(
    services: Services, clock: ManualClock
) -> None:
    from bot.db.models import OutboxItem
    from bot.services.engagement.owed import MOVE_CARD_REDRAW

    await set_up_guild(services)
    sam = await approved_member(services, 2120, "Sam")
    await meet_working_together(services, sam, clock)
    [event] = await services.engagement.progress.note_due(clock.now())
    asked = await services.engagement.moves.choose(sam, event.notice_id, "move_up")
    assert "take it back" in asked.text and not asked.withdrawn
    view = await services.engagement.progress.progress(sam, chart=False)
    assert view.move_waiting
    back = await services.engagement.moves.choose(sam, event.notice_id, "stay")
    assert back.withdrawn and "taken back" in back.text
    async with services.db() as s:
        redraws = list(
            await s.scalars(select(OutboxItem).where(OutboxItem.kind == MOVE_CARD_REDRAW))
        )
    assert [r.payload["notice_id"] for r in redraws] == [event.notice_id]
    with pytest.raises(Conflict, match="nothing to confirm"):
        await services.engagement.moves.confirm(WORKER, event.notice_id)
    assert not (await services.engagement.progress.progress(sam, chart=False)).move_waiting
    await services.engagement.moves.choose(sam, event.notice_id, "move_up")
    await services.engagement.moves.confirm(WORKER, event.notice_id)
    with pytest.raises(Conflict, match="step-down"):
        await services.engagement.moves.choose(sam, event.notice_id, "stay")
