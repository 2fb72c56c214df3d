"""Data minimisation, /mydata, /forgetme and report figures for support requests."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import String, Text, select, text

from bot.clock import ManualClock
from bot.db.base import Base
from bot.db.models import AuditEntry, SupportRequest
from bot.services.access import Actor
from bot.services.container import Services
from tests.conftest import GUILD, MODERATOR, START
from tests.services.helpers import approved_member, set_up_guild

# Words nobody would type by chance: if any reaches the database, minimisation failed.
SECRET_WORDS = ["zebracorn", "quillfeather", "moonbeamtoast"]


async def _every_text_value(sessions) -> list[str]:  # type: ignore[no-untyped-def]
    """Return every string stored in every text column of every table."""
    values: list[str] = []
    async with sessions() as s:
        for table in Base.metadata.sorted_tables:
            columns = [c.name for c in table.columns if isinstance(c.type, String | Text)]
            if not columns:
                continue
            names = ", ".join(f'"{c}"' for c in columns)
            for row in (await s.execute(text(f'SELECT {names} FROM "{table.name}"'))).all():
                values += [str(v) for v in row if v is not None]
    return values


async def test_no_words_of_members_are_stored(services: Services, sessions) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 4001)
    opened = await services.support.requests.open_request(
        member,
        topic="struggling",
        urgency="today",
        message=f"I feel {SECRET_WORDS[0]} and I want to kill myself",
    )
    assert opened.message_to_forward and SECRET_WORDS[0] in opened.message_to_forward
    peer = (await services.setup.current(GUILD)).channel_ids["peer_support"]  # type: ignore[union-attr]
    crisis = f"{SECRET_WORDS[1]}: I can't go on"
    assert services.support.flags.check(crisis) is not None
    await services.support.flags.flag_message(
        GUILD, peer, 5001, 4001, "https://discord.com/channels/1/2/5001"
    )
    await services.support.flags.report_message(
        member,
        channel_id=peer,
        message_id=5002,
        link="https://discord.com/channels/1/2/5002",
        author_is_bot=False,
    )
    await services.support.staff.claim(MODERATOR, opened.request.id)
    await services.support.staff.escalate(
        MODERATOR, opened.request.id, "safeguarding", "Lead asked"
    )
    await services.support.staff.resolve(MODERATOR, opened.request.id, "referred", "Called back")
    stored = " ".join(await _every_text_value(sessions)).casefold()
    for word in [*SECRET_WORDS, "kill myself", "can't go on"]:
        assert word not in stored


async def test_export_lists_metadata_and_staff_actions(services: Services, sessions) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 4002)
    opened = await services.support.requests.open_request(member, topic="question", urgency="week")
    await services.support.staff.resolve(MODERATOR, opened.request.id, "answered", "Sent the dates")
    data = await services.membership.export(member)
    section = data["support_requests"]
    assert len(section["requests"]) == 1
    entry = section["requests"][0]
    assert entry["topic"] == "A question about taking part"
    assert entry["outcome"] == "Question answered"
    # Staff notes stay out of the self-serve file (reviewed copy on request), but are flagged.
    assert entry["staff_notes_held"] is True
    assert "Sent the dates" not in str(data)
    assert entry["created_at"].startswith("2026-11-23T12:00")
    assert section["handled_as_staff"] == []


async def test_forget_unlinks_requests_but_keeps_counts(
    services: Services, sessions, clock: ManualClock
) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 4003)
    peer = (await services.setup.current(GUILD)).channel_ids["peer_support"]  # type: ignore[union-attr]
    done = await services.support.requests.open_request(member, topic="struggling", urgency="today")
    await services.support.requests.set_private_space(done.request.id, 6001)
    clock.advance(timedelta(minutes=30))
    await services.support.staff.claim(MODERATOR, done.request.id)
    await services.support.staff.resolve(MODERATOR, done.request.id, "supported", "Member doing ok")
    still_open = await services.support.requests.open_request(member, topic="other", urgency="week")
    await services.support.flags.flag_message(
        GUILD, peer, 6002, 4003, "https://discord.com/channels/1/2/6002"
    )
    before = await services.support.figures.stats(GUILD, START, START + timedelta(days=1))
    await services.membership.forget(member)
    async with sessions() as s:
        rows = (await s.scalars(select(SupportRequest))).all()
        assert len(rows) == 3
        for row in rows:
            assert row.user_id is None and row.member_id is None
            assert row.private_channel_id is None and row.message_link is None
            assert row.message_id is None and row.dedup_key is None
            assert row.resolution_note is None and row.escalation_reason is None
            assert row.status == "resolved"
        withdrawn = await s.get(SupportRequest, still_open.request.id)
        assert withdrawn is not None and withdrawn.outcome == "withdrawn"
        kept = await s.get(SupportRequest, done.request.id)
        assert kept is not None and kept.outcome == "supported"
        assert kept.claimed_by == MODERATOR.user_id  # staff action stays for accountability
        audit = (
            await s.scalars(select(AuditEntry).where(AuditEntry.action.like("support.%")))
        ).all()
        assert all(a.member_id is None for a in audit)
    # Nothing points at the person any more.
    for value in await _every_text_value(sessions):
        assert "4003" not in value
    after = await services.support.figures.stats(GUILD, START, START + timedelta(days=1))
    assert after.requests == before.requests == 3
    assert after.by_kind == {"request": 2, "safeguarding": 1, "report": 0}
    assert after.median_minutes_to_first_response == 30


async def test_moderator_erasure_unlinks_their_staff_actions(services: Services, sessions) -> None:
    await set_up_guild(services)
    opened = await services.support.requests.open_request(
        Actor(4004, GUILD), topic="other", urgency="week"
    )
    mod_member = await approved_member(services, MODERATOR.user_id, "Mo")
    await services.support.staff.claim(MODERATOR, opened.request.id)
    data = await services.membership.export(mod_member)
    assert data["support_requests"]["handled_as_staff"] == [
        {"id": opened.request.id, "picked_up": True, "escalated": False, "resolved": False}
    ]
    await services.membership.forget(mod_member)
    async with sessions() as s:
        row = await s.get(SupportRequest, opened.request.id)
        assert row is not None and row.claimed_by is None and row.user_id == 4004


async def test_erasure_in_one_server_leaves_another_servers_rows_alone(
    services: Services, sessions
) -> None:
    # The same person asked for support, and claimed requests, in two servers with the bot.
    await set_up_guild(services)
    other_guild = GUILD + 7
    async with sessions.begin() as s:
        s.add(
            SupportRequest(
                guild_id=other_guild,
                kind="request",
                user_id=MODERATOR.user_id,
                topic="other",
                urgency="week",
                status="claimed",
                created_at=START,
                claimed_by=MODERATOR.user_id,
                escalated_by=MODERATOR.user_id,
                resolved_by=MODERATOR.user_id,
                private_channel_id=4242,
            )
        )
    opened = await services.support.requests.open_request(
        Actor(4005, GUILD), topic="other", urgency="week"
    )
    mod_member = await approved_member(services, MODERATOR.user_id, "Mo")
    await services.support.staff.claim(MODERATOR, opened.request.id)
    await services.membership.forget(mod_member)
    async with sessions() as s:
        elsewhere = await s.scalar(
            select(SupportRequest).where(SupportRequest.guild_id == other_guild)
        )
        assert elsewhere is not None
        assert (elsewhere.user_id, elsewhere.claimed_by, elsewhere.resolved_by) == (
            MODERATOR.user_id,
            MODERATOR.user_id,
            MODERATOR.user_id,
        )
        assert (elsewhere.status, elsewhere.private_channel_id) == ("claimed", 4242)
        here = await s.get(SupportRequest, opened.request.id)
        assert here is not None and here.claimed_by is None
