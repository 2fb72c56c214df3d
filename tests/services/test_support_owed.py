"""Support writes what it owes Discord in the same transaction as the decision."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import OutboxItem
from bot.services.access import Actor
from bot.services.container import Services
from tests.conftest import GUILD, MODERATOR
from tests.services.helpers import approved_member, set_up_guild

LINK = "https://discord.com/channels/1/2/3"


async def _owed(sessions) -> list[tuple[str, str | None, str]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = await s.scalars(select(OutboxItem).order_by(OutboxItem.id))
        return [(r.kind, r.dedup_key, r.status) for r in rows]


async def test_a_request_owes_its_card_and_a_resolution_owes_the_member_and_the_space(
    services: Services, sessions, clock: ManualClock
) -> None:
    await set_up_guild(services)
    opened = await services.support.requests.open_request(
        Actor(5101, GUILD), topic="other", urgency="today"
    )
    rid = opened.request.id
    assert await _owed(sessions) == [("support.card", f"support.card:{rid}", "pending")]
    await services.support.requests.set_private_space(rid, 777)
    await services.support.staff.claim(MODERATOR, rid)
    await services.support.staff.resolve(MODERATOR, rid, "supported")
    kinds = [kind for kind, _key, _status in await _owed(sessions)]
    assert kinds == [
        "support.card",
        "support.tell",
        "support.tell",
        "support.close_space",
        "support.remove_space",
    ]
    async with sessions() as s:
        due = {
            r.kind: r.due_at - clock.now()
            for r in await s.scalars(select(OutboxItem).where(OutboxItem.kind.like("%_space")))
        }
    assert due == {
        "support.close_space": timedelta(days=1),
        "support.remove_space": timedelta(days=90),
    }


async def test_a_flag_owes_the_card_and_the_crisis_note_once(services: Services, sessions) -> None:
    record = await set_up_guild(services)
    peer = record.channel_ids["peer_support"]
    for _ in range(3):  # the same message seen again (an edit, a catch-up) raises nothing new
        await services.support.flags.flag_message(GUILD, peer, 9301, 5102, LINK)
    assert [kind for kind, _key, _status in await _owed(sessions)] == [
        "support.card",
        "support.crisis_note",
    ]


async def test_erasure_cancels_notes_not_yet_sent_and_closes_the_space(
    services: Services, sessions
) -> None:
    record = await set_up_guild(services)
    member = await approved_member(services, 5103, "Ash")
    opened = await services.support.requests.open_request(member, topic="other", urgency="week")
    await services.support.requests.set_private_space(opened.request.id, 778)
    await services.support.flags.flag_message(
        GUILD, record.channel_ids["peer_support"], 9302, 5103, LINK
    )
    await services.membership.forget(member)
    owed = {kind: status for kind, _key, status in await _owed(sessions)}
    assert owed["support.crisis_note"] == "failed"
    assert owed["support.close_space"] == "pending"


async def test_a_request_by_dm_for_another_process_owes_its_space_with_its_card(
    services: Services, sessions
) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 5301)
    # The database, not a gateway cache, says where someone can ask from a DM.
    assert await services.support.requests.groups_of(5301) == [GUILD]
    assert await services.support.requests.groups_of(5399) == []
    opened = await services.support.requests.open_request(
        member, topic="other", urgency="week", space_elsewhere=True
    )
    rid = opened.request.id
    support = [row for row in await _owed(sessions) if row[0].startswith("support.")]
    assert support == [
        ("support.card", f"support.card:{rid}", "pending"),
        ("support.open_space", f"support.open_space:{rid}", "pending"),
    ]
    # Asking again points back to the open request and owes no second space.
    again = await services.support.requests.open_request(
        member, topic="other", urgency="week", space_elsewhere=True
    )
    after = [row for row in await _owed(sessions) if row[0].startswith("support.")]
    assert again.existing and after == support
    await services.membership.leave(member)
    assert await services.support.requests.groups_of(5301) == []
