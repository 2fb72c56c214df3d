"""Creating and editing polls: the rules, the one-way switches, permissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.db.models import PollBallot
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from bot.services.polls.rules import (
    MAX_OPTIONS,
    OPTION_MAX,
    PollDraft,
    check_draft,
    parse_closing,
    parse_options,
)
from bot.settings import load_settings
from tests.conftest import GUILD, WORKER
from tests.services.test_polls_helpers import draft, members, new_poll, ready

LONDON = ZoneInfo("Europe/London")


async def test_worker_creates_poll_with_private_defaults(services: Services) -> None:
    record = await ready(services)
    poll = await new_poll(services)
    assert poll.anonymous and poll.results_hidden and not poll.multiple
    assert poll.is_open and poll.audience_kind == "everyone"
    assert poll.options == ("Monday", "Wednesday", "Thursday")
    assert poll.channel_id == record.channel_ids["polls"]
    assert poll.message_id is None


async def test_poll_remembers_its_message(services: Services) -> None:
    await ready(services)
    poll = await new_poll(services, channel_id=123)
    await services.polls.set_message(poll.id, 456, 789)
    stored = await services.polls.get(GUILD, poll.id)
    assert (stored.channel_id, stored.message_id) == (456, 789)


async def test_member_cannot_create_poll(services: Services) -> None:
    await ready(services)
    [member] = await members(services, 1)
    with pytest.raises(NotAllowed, match="Only participation workers"):
        await services.polls.create(member, draft(services))
    with pytest.raises(NotAllowed):
        await services.polls.create(Actor(user_id=42, guild_id=GUILD), draft(services))


async def test_create_before_setup_is_refused(services: Services) -> None:
    with pytest.raises(NotAllowed, match="/setup"):
        await new_poll(services)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["Only one"], "at least 2"),
        ([f"Option {i}" for i in range(11)], "at most 10"),
        (["Yes", "No", " yes "], "appears twice"),
        (["Yes", "NO", "no"], "appears twice"),
        (["Fine", "x" * (OPTION_MAX + 1)], "too long"),
        (["", "  ", "Yes"], "at least 2"),
        (["Yes", "bad\x00option"], "control character"),
    ],
)
async def test_bad_options_refused(services: Services, options: list[str], message: str) -> None:
    await ready(services)
    with pytest.raises(InvalidInput, match=message):
        await new_poll(services, options=options)
    assert await services.polls.open_polls(WORKER) == []


async def test_ten_options_of_eighty_characters_are_fine(services: Services) -> None:
    await ready(services)
    options = [f"{i}" + "y" * (OPTION_MAX - 1) for i in range(MAX_OPTIONS)]
    poll = await new_poll(services, options=options)
    assert len(poll.options) == 10 and poll.uses_select


@pytest.mark.parametrize(
    "question", ["", "   ", "q" * 301, "hidden\u200bcontrol"], ids=["empty", "blank", "long", "cf"]
)
async def test_bad_question_refused(services: Services, question: str) -> None:
    await ready(services)
    with pytest.raises(InvalidInput):
        await new_poll(services, question=question)


@pytest.mark.parametrize(
    "offset",
    [
        timedelta(hours=-1),
        timedelta(0),
        timedelta(seconds=30),
        timedelta(days=90, minutes=1),
        timedelta(days=365 * 3),
    ],
    ids=["past", "now", "too-soon", "just-over-90-days", "years-away"],
)
async def test_bad_closing_time_refused(services: Services, offset: timedelta) -> None:
    await ready(services)
    with pytest.raises(InvalidInput):
        await new_poll(services, closes_at=services.clock.now() + offset)


async def test_closing_time_limits_are_inclusive(services: Services) -> None:
    await ready(services)
    now = services.clock.now()
    assert (await new_poll(services, closes_at=now + timedelta(days=90))).is_open
    assert (await new_poll(services, closes_at=now + timedelta(minutes=1))).is_open


async def test_reminder_must_fall_before_close(services: Services) -> None:
    await ready(services)
    now = services.clock.now()
    with pytest.raises(InvalidInput, match="reminder"):
        await new_poll(services, reminder_at=now + timedelta(days=3))
    with pytest.raises(InvalidInput, match="reminder"):
        await new_poll(services, reminder_at=now - timedelta(hours=1))
    poll = await new_poll(services, reminder_at=now + timedelta(days=1))
    assert poll.reminder_at == now + timedelta(days=1)


async def test_audience_is_checked_and_normalised(services: Services) -> None:
    await ready(services)
    poll = await new_poll(services, audience_kind="locality", audience_value="north")
    assert poll.audience_value == "North"
    poll = await new_poll(services, audience_kind="level", audience_value="Working Together")
    assert poll.audience_value == "working_together"
    with pytest.raises(InvalidInput, match="area"):
        await new_poll(services, audience_kind="locality", audience_value="Atlantis")
    with pytest.raises(InvalidInput, match="level"):
        await new_poll(services, audience_kind="level", audience_value="wizard")
    with pytest.raises(InvalidInput, match="audience"):
        await new_poll(services, audience_kind="friends")


async def test_anonymity_and_hidden_results_cannot_be_switched_off(services: Services) -> None:
    await ready(services)
    poll = await new_poll(services)
    with pytest.raises(Conflict, match="Anonymity can't be turned off"):
        await services.polls.edit(WORKER, poll.id, anonymous=False)
    with pytest.raises(Conflict, match="Hidden results"):
        await services.polls.edit(WORKER, poll.id, results_hidden=False)
    stored = await services.polls.get(GUILD, poll.id)
    assert stored.anonymous and stored.results_hidden


async def test_named_poll_can_become_anonymous_and_forgets_voters(
    services: Services, sessions
) -> None:
    await ready(services)
    poll = await new_poll(services, anonymous=False, results_hidden=False)
    voters = await members(services, 2)
    for voter in voters:
        await services.polls.vote(voter, poll.id, [0])
    async with sessions() as s:
        assert None not in set(await s.scalars(select(PollBallot.member_id)))
    edited = await services.polls.edit(WORKER, poll.id, anonymous=True, results_hidden=True)
    assert edited.anonymous and edited.results_hidden
    async with sessions() as s:
        assert set(await s.scalars(select(PollBallot.member_id))) == {None}
    with pytest.raises(Conflict):
        await services.polls.edit(WORKER, poll.id, anonymous=False)


async def test_edit_closing_time_and_refusals(services: Services) -> None:
    await ready(services)
    poll = await new_poll(services)
    later = services.clock.now() + timedelta(days=10)
    assert (await services.polls.edit(WORKER, poll.id, closes_at=later)).closes_at == later
    with pytest.raises(InvalidInput):
        await services.polls.edit(WORKER, poll.id, closes_at=services.clock.now())
    [member] = await members(services, 1)
    with pytest.raises(NotAllowed):
        await services.polls.edit(member, poll.id, results_hidden=True)
    await services.polls.close(WORKER, poll.id)
    with pytest.raises(Conflict, match="closed"):
        await services.polls.edit(WORKER, poll.id, closes_at=later)


def test_parse_options() -> None:
    assert parse_options(" Yes ; No;;Not sure ") == ["Yes", "No", "Not sure"]
    assert parse_options("a\nb") == ["a", "b"]
    assert parse_options("") == []


def test_parse_closing() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert parse_closing("3d", now, LONDON) == now + timedelta(days=3)
    assert parse_closing("48 hours", now, LONDON) == now + timedelta(hours=48)
    # UK summer time: 17:00 in London is 16:00 UTC.
    summer = parse_closing("2027-06-01 17:00", now, LONDON)
    assert summer == datetime(2027, 6, 1, 16, 0, tzinfo=UTC)
    assert parse_closing("1 Dec 5pm", now, LONDON) == datetime(2026, 12, 1, 17, tzinfo=UTC)
    assert parse_closing("2 weeks", now, LONDON) == now + timedelta(weeks=2)
    with pytest.raises(InvalidInput, match="48h"):
        parse_closing("next tuesday-ish", now, LONDON)


_SETTINGS = load_settings(database_url="sqlite+aiosqlite:///unused.db")
_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(
    options=st.lists(st.text(max_size=90), max_size=13),
    question=st.text(max_size=320),
    minutes=st.integers(min_value=-10_000, max_value=200_000),
)
def test_any_draft_is_accepted_within_rules_or_refused_kindly(
    options: list[str], question: str, minutes: int
) -> None:
    candidate = PollDraft(
        question=question, options=options, closes_at=_NOW + timedelta(minutes=minutes)
    )
    try:
        clean = check_draft(candidate, _NOW, _SETTINGS)
    except InvalidInput as error:
        assert error.message and "Traceback" not in error.message
        return
    assert 2 <= len(clean.options) <= 10
    assert all(0 < len(o) <= OPTION_MAX and o == o.strip() for o in clean.options)
    folded = [" ".join(o.split()).casefold() for o in clean.options]
    assert len(set(folded)) == len(folded)
    assert 0 < len(clean.question) <= 300
    assert _NOW + timedelta(minutes=1) <= clean.closes_at <= _NOW + timedelta(days=90)


async def test_recent_and_discarding_an_unposted_poll(services: Services) -> None:
    await ready(services)
    posted = await new_poll(services)
    await services.polls.set_message(posted.id, 1, 2)
    unposted = await new_poll(services)
    assert [p.id for p in await services.polls.recent(WORKER)] == [unposted.id, posted.id]
    [member] = await members(services, 1)
    with pytest.raises(NotAllowed):
        await services.polls.discard(member, unposted.id)
    await services.polls.discard(WORKER, unposted.id)
    await services.polls.discard(WORKER, posted.id)  # posted polls are never discarded
    assert [p.id for p in await services.polls.recent(WORKER)] == [posted.id]


async def test_members_only_see_polls_meant_for_them(services: Services) -> None:
    from bot.services.access import Actor

    await ready(services)
    everyone = await new_poll(services)
    north = await new_poll(services, audience_kind="locality", audience_value="North")
    south = await new_poll(services, audience_kind="locality", audience_value="South")
    [sam] = await members(services, 1)  # lives in the North
    assert [p.id for p in await services.polls.recent(sam)] == [north.id, everyone.id]
    outsider = Actor(user_id=999, guild_id=GUILD)
    assert await services.polls.recent(outsider) == []
    await services.polls.close(WORKER, south.id)
    with pytest.raises(NotAllowed):
        await services.polls.results(sam, south.id)
