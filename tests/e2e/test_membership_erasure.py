"""/forgetme tidies the bot's posts about the person and never touches another server's rows."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import AuditEntry, GuildConfig, Member
from bot.sandbox.fakediscord import FakeDiscord
from tests.conftest import START
from tests.e2e.flows import approved, click, join
from tests.e2e.harness import BotHarness, People, answered, everything_text, slash

OTHER_SERVER = 700000000000000007


async def _forget(fake: FakeDiscord, group: People, user: int) -> None:
    ask = await slash(fake, user, group["guild"], "forgetme")
    done = await answered(await fake.click(user, int(ask.original["id"]), "confirm:yes"))
    assert "erased" in (done.content or "")


async def _drain(harness: BotHarness, rounds: int = 4) -> None:
    for _ in range(rounds):
        await harness.run_due()
        harness.clock.advance(timedelta(seconds=30))
    await harness.run_due()


def _naming(fake: FakeDiscord, channel: int, user: int, name: str) -> list[dict]:
    return [
        m
        for m in fake.messages_in(channel)
        if f"<@{user}>" in everything_text(m) or name in everything_text(m)
    ]


async def test_forgetme_removes_the_welcome_and_redacts_the_card_and_notes(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = fake.create_user("zed", "Zed")
    fake.add_member(group["guild"], user)
    card = await join(fake, group, user, name="Zeddicus")
    fake.set_dms_open(user, False)  # the approval DM fails: a note about them is posted
    await click(fake, group.worker, card, "signup:approve:")
    await _drain(harness)
    assert len(_naming(fake, group["#welcome"], user, "Zeddicus")) == 1
    assert len(_naming(fake, group["#worker-log"], user, "Zeddicus")) == 2  # card and note
    # Discord fails the first redaction: it is retried, not lost.
    fake.faults.fail_next("PATCH", r"^/channels/\d+/messages/\d+$", 503)
    await _forget(fake, group, user)
    await _drain(harness)
    assert _naming(fake, group["#welcome"], user, "Zeddicus") == []
    assert _naming(fake, group["#worker-log"], user, "Zeddicus") == []
    redacted = [
        m
        for m in fake.messages_in(group["#worker-log"])
        if "Erased at the person's request" in (m.get("content") or "")
    ]
    assert len(redacted) == 2 and all(not m.get("embeds") for m in redacted)
    assert fake.faults.given == [
        f"503 PATCH /channels/{group['#worker-log']}/messages/{card['id']}"
    ]


async def test_forgetme_in_one_server_leaves_the_other_servers_rows_alone(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    staff = group.worker  # a worker who also helps in another group's server
    here = await approved(fake, group, "Hana")
    async with harness.services.db.begin() as s:
        s.add(GuildConfig(guild_id=OTHER_SERVER))
        await s.flush()
        there = Member(
            guild_id=OTHER_SERVER,
            user_id=555000000000000555,
            preferred_name="Theo",
            age_band="16-17",
            member_type="young_person",
            locality="North",
            consent_at=START,
            joined_at=START,
            status="approved",
            decided_by=staff,
            carer_aware_confirmed_by=staff,
        )
        s.add(there)
        await s.flush()
        s.add(
            AuditEntry(
                guild_id=OTHER_SERVER,
                actor_user_id=staff,
                action="member.approve",
                member_id=there.id,
                detail="kept",
                at=START,
            )
        )
    await _forget(fake, group, staff)
    async with harness.services.db.begin() as s:
        theirs = await s.scalar(select(Member).where(Member.guild_id == OTHER_SERVER))
        assert theirs is not None
        assert (theirs.decided_by, theirs.carer_aware_confirmed_by) == (staff, staff)
        audit = list(await s.scalars(select(AuditEntry).where(AuditEntry.guild_id == OTHER_SERVER)))
        assert [(a.actor_user_id, a.member_id, a.detail) for a in audit] == [
            (staff, theirs.id, "kept")
        ]
        # In this server the staff member's name is gone from what they decided.
        ours = await s.scalar(select(Member).where(Member.user_id == here))
        assert ours is not None and ours.decided_by is None
        actors = await s.scalars(
            select(AuditEntry.actor_user_id).where(AuditEntry.guild_id == group["guild"])
        )
        assert staff not in set(actors)


async def test_a_welcome_from_before_the_outbox_is_found_and_removed(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = await approved(fake, group, "Lee")
    other = await approved(fake, group, "Max")
    channel = harness.bot.get_channel(group["#welcome"])
    # What the bot posted before welcomes were recorded (no outbox row knows this one).
    await channel.send(f"Welcome to the group, <@{user}>! 🎉")
    await fake.wait_for(lambda: len(_naming(fake, group["#welcome"], user, "Lee")) == 2)
    await _forget(fake, group, user)
    await fake.wait_for(lambda: _naming(fake, group["#welcome"], user, "Lee") == [])
    assert len(_naming(fake, group["#welcome"], other, "Max")) == 1
