"""What membership owes Discord is written with each decision, and erasure stays in its server."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import AuditEntry, Member, OutboxItem
from bot.services.access import Actor
from bot.services.container import Services
from tests.conftest import GUILD, WORKER
from tests.services.helpers import approved_member, form, set_up_guild

OTHER = 900000000000000002


async def _owed(sessions) -> list[tuple[str, str]]:
    async with sessions() as s:
        rows = await s.execute(select(OutboxItem.kind, OutboxItem.status).order_by(OutboxItem.id))
        return [(kind, status) for kind, status in rows]


async def test_join_and_approval_owe_card_roles_welcome_and_dm(
    services: Services, sessions
) -> None:
    await set_up_guild(services)
    view = await services.membership.join(Actor(3001, GUILD), form("Ada"))
    assert await _owed(sessions) == [("membership.card", "pending")]
    await services.membership.approve(WORKER, view.id)
    kinds = [kind for kind, _ in await _owed(sessions)]
    assert kinds == [
        "membership.card",
        "membership.roles",
        "membership.welcome",
        "membership.approved_dm",
        "membership.reply",
    ]
    async with sessions() as s:
        payloads = list(await s.scalars(select(OutboxItem.payload)))
    assert all("3001" not in str(p) and "Ada" not in str(p) for p in payloads)  # ids only


async def test_no_dm_is_owed_to_someone_who_did_not_opt_in(services: Services, sessions) -> None:
    await set_up_guild(services)
    view = await services.membership.join(Actor(3002, GUILD), form("Bo", dm_opt_in=False))
    await services.membership.approve(WORKER, view.id)
    assert "membership.approved_dm" not in [kind for kind, _ in await _owed(sessions)]


async def test_forget_cancels_what_was_not_sent_and_owes_redactions(
    services: Services, sessions
) -> None:
    await set_up_guild(services)
    actor = await approved_member(services, 3003, "Cy")
    async with sessions.begin() as s:  # the card went out: the outbox knows where
        card = await s.scalar(select(OutboxItem).where(OutboxItem.kind == "membership.card"))
        assert card is not None
        card.status, card.channel_id, card.message_id = "done", 42, 4242
    departure = await services.membership.forget(actor)
    assert departure.redact_messages == [(42, 4242)]
    owed = await _owed(sessions)
    assert ("membership.redact", "pending") in owed
    assert ("membership.welcome", "pending") not in owed  # cancelled, never sent
    async with sessions() as s:
        redact = await s.scalar(select(OutboxItem).where(OutboxItem.kind == "membership.redact"))
        assert redact is not None
        assert redact.payload == {"channel_id": 42, "message_id": 4242, "delete": False}


async def test_forget_rewrites_only_this_servers_rows(services: Services, sessions) -> None:
    await set_up_guild(services)
    await approved_member(services, 3004, "Di")
    async with sessions.begin() as s:
        s.add(
            AuditEntry(
                guild_id=OTHER, actor_user_id=WORKER.user_id, action="x", at=services.clock.now()
            )
        )
        s.add(
            Member(
                guild_id=OTHER,
                user_id=3005,
                preferred_name="Ed",
                age_band="16-17",
                member_type="young_person",
                locality="North",
                consent_at=services.clock.now(),
                joined_at=services.clock.now(),
                status="approved",
                decided_by=WORKER.user_id,
            )
        )
    await services.membership.forget(Actor(WORKER.user_id, GUILD))
    async with sessions() as s:
        assert await s.scalar(select(Member.decided_by).where(Member.user_id == 3005)) == (
            WORKER.user_id
        )
        assert await s.scalar(select(Member.decided_by).where(Member.user_id == 3004)) is None
        assert (
            await s.scalar(select(AuditEntry.actor_user_id).where(AuditEntry.guild_id == OTHER))
            == WORKER.user_id
        )
