"""/forgetme tidies engagement's posts about the person, and never reaches into another server."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.contribution_kinds import ContributionKind
from bot.db.models import AuditEntry, ExpenseClaim, Member, TrainingRecord
from bot.sandbox.fakediscord import FakeDiscord
from bot.services.contributions import record_contribution
from tests.e2e.flows import approved, click
from tests.e2e.harness import BotHarness, People, answered, everything_text, slash


async def _drain(harness: BotHarness, clock: ManualClock, rounds: int = 8) -> None:
    """Run what is due, moving the clock past each back-off, until nothing is pending."""
    for _ in range(rounds):
        await harness.run_due()
        await asyncio.sleep(0.05)
        if not (await harness.services.outbox.counts()).get("pending"):
            return
        clock.advance(timedelta(seconds=61))
    raise AssertionError(f"still pending: {await harness.services.outbox.counts()}")


async def _forget(fake: FakeDiscord, user: int, guild: int) -> None:
    ask = await slash(fake, user, guild, "forgetme")
    assert ask.original is not None, ask.content
    done = await answered(await fake.click(user, int(ask.original["id"]), "confirm:yes"))
    await fake.wait_for(lambda: "erased" in (done.content or ""))


def _posts(fake: FakeDiscord, group: People, words: str) -> list[dict]:
    return [m for m in fake.messages_in(group["#worker-log"]) if words in everything_text(m)]


async def test_forgetme_redacts_claim_mentoring_and_level_move_cards(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    guild = group["guild"]
    ren = await approved(fake, group, "Renata")
    async with harness.services.db.begin() as s:
        member = await s.scalar(select(Member).where(Member.user_id == ren))
        assert member is not None
        for i, kind in enumerate(
            [ContributionKind.POLL_VOTE] * 3 + [ContributionKind.SESSION_ATTENDED]
        ):
            await record_contribution(
                s,
                guild_id=guild,
                member_id=member.id,
                kind=kind,
                source_key=f"src:{i}",
                occurred_at=clock.now(),
                recorded_at=clock.now(),
            )
    clock.advance(timedelta(days=32))
    await _drain(harness, clock)
    [notice] = [m for m in fake.dm_messages(ren) if "now meets what" in (m.get("content") or "")]
    await click(fake, ren, notice, "eng:notice:move_up:")
    await slash(fake, ren, guild, "expenses claim", {"category": "travel", "amount": "4.20"})
    await slash(fake, ren, guild, "mentor request", {"note": "Speaking at panels"})
    await _drain(harness, clock)
    cards = (
        _posts(fake, group, "would like to move up")
        + _posts(fake, group, "Expenses claim")
        + _posts(fake, group, "asked for a mentor")
    )
    assert len(cards) == 3
    assert all(str(ren) in everything_text(c) for c in cards)
    # A worker has acted on the claim card before the erasure: it is redacted all the same.
    await click(fake, group.worker, _posts(fake, group, "Expenses claim")[0], "eng:claim:approve:")

    await _forget(fake, ren, guild)
    await _drain(harness, clock)
    for card in cards:
        now = fake.message(int(card["id"]))
        text = everything_text(now)
        assert "Renata" not in text and str(ren) not in text, text
        assert "Speaking at panels" not in text
        assert not now.get("components"), "no buttons are left on a redacted card"


@pytest.fixture
def second_server(fake: FakeDiscord, people: People) -> int:
    """A second server where the same admin and worker also use the bot (made before it starts)."""
    guild = fake.create_guild("Another Group", owner_id=people.admin)
    fake.create_channel(guild, "general")
    fake.add_member(guild, people.worker)
    return guild


async def _set_up(fake: FakeDiscord, harness: BotHarness, people: People, guild: int) -> People:
    """Offer the bot's commands in the second server too (as a global sync would) and /setup."""
    first = people["guild"]
    fake.state.guild_commands[guild] = dict(fake.state.guild_commands[first])
    handle = await slash(fake, people.admin, guild, "setup")
    await fake.wait_for(lambda: handle.content and "set up" in handle.content)
    other = People(people.admin, people.worker, people.moderator, {"guild": guild})
    roles = {r["name"]: int(r["id"]) for r in fake.guild_roles(guild)}
    fake.set_member_roles(guild, people.worker, [roles["Worker"]])
    other.others.update({f"role:{name}": rid for name, rid in roles.items()})
    other.others.update({f"#{c['name']}": int(c["id"]) for c in fake.guild_channels(guild)})
    await fake.wait_for(
        lambda: (m := harness.bot.get_guild(guild).get_member(people.worker))
        and any(r.id == roles["Worker"] for r in m.roles)
    )
    return other


async def test_forgetme_in_one_server_leaves_the_other_alone(
    fake: FakeDiscord,
    second_server: int,
    harness: BotHarness,
    group: People,
    clock: ManualClock,
) -> None:
    other = await _set_up(fake, harness, group, second_server)
    worker = group.worker
    # In each server the same worker decides a claim and records training.
    for server in (group, other):
        person = await approved(fake, server, f"Pat{server['guild'] % 1000}")
        await slash(
            fake, person, server["guild"], "expenses claim", {"category": "travel", "amount": "3"}
        )
        [claim] = await _claims(harness, server["guild"])
        ok = await slash(fake, worker, server["guild"], "expenses approve", {"number": claim.id})
        assert "approved" in (ok.content or ""), ok.content
        done = await slash(
            fake,
            worker,
            server["guild"],
            "training record",
            {"member": person, "module": "introduction"},
        )
        assert "Recorded" in (done.content or ""), done.content
    await _drain(harness, clock)

    # The worker erases themselves in the first server only.
    await _forget(fake, worker, group["guild"])
    await _drain(harness, clock)
    [here] = await _claims(harness, group["guild"])
    [there] = await _claims(harness, other["guild"])
    assert here.decided_by is None
    assert there.decided_by == worker
    async with harness.services.db() as s:
        training = {t.guild_id: t.recorded_by for t in await s.scalars(select(TrainingRecord))}
        actors = set(
            await s.scalars(
                select(AuditEntry.actor_user_id).where(AuditEntry.guild_id == other["guild"])
            )
        )
    assert training == {group["guild"]: None, other["guild"]: worker}
    assert worker in actors


async def _claims(harness: BotHarness, guild: int) -> list[ExpenseClaim]:
    async with harness.services.db() as s:
        query = select(ExpenseClaim).where(ExpenseClaim.guild_id == guild)
        return list(await s.scalars(query.order_by(ExpenseClaim.id)))
