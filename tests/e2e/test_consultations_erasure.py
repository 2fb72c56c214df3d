"""/forgetme by a worker in one server never rewrites another server's consultations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import Consultation, ConsultationFeedback, ConsultationSuggestion
from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved
from tests.e2e.harness import BotHarness, People, answered, slash
from tests.e2e.test_consultations import cid_starting, draft, step_message, submit


@pytest.fixture
def second_server(fake: FakeDiscord, people: People) -> int:
    """A second server where the same admin and worker also use the bot (made before it starts)."""
    guild = fake.create_guild("Another Group", owner_id=people.admin)
    fake.create_channel(guild, "general")
    fake.add_member(guild, people.worker)
    return guild


async def _set_up(fake: FakeDiscord, harness: BotHarness, people: People, guild: int) -> People:
    """Offer the bot's commands in the second server too (as a global sync would) and /setup."""
    fake.state.guild_commands[guild] = dict(fake.state.guild_commands[people["guild"]])
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


async def _run_a_consultation(fake: FakeDiscord, server: People, name: str) -> None:
    """The worker drafts, declines a member's suggestion, opens, closes and publishes feedback."""
    guild, worker = server["guild"], server.worker
    member = await approved(fake, server, name)
    cid = await draft(fake, server, anonymous=False)
    await slash(fake, member, guild, "consult suggest", {"consultation": cid, "question": "Pets?"})
    listing = await slash(fake, worker, guild, "consult suggestions", {"consultation": cid})
    message = step_message(listing)
    declined = await answered(
        await fake.click(worker, int(message["id"]), cid_starting(message, "consult:sgno:"))
    )
    assert "Declined" in (declined.content or ""), declined.content
    form = await slash(
        fake, worker, guild, "consult question", {"consultation": cid, "kind": "scale 1-5"}
    )
    await submit(fake, worker, form, question="How safe does it feel?")
    await slash(fake, worker, guild, "consult open", {"consultation": cid})
    await slash(fake, worker, guild, "consult close", {"consultation": cid})
    form = await slash(fake, worker, guild, "consult feedback", {"consultation": cid})
    done = await submit(fake, worker, form, you_said="a", we_did="b", what_we_couldn="c")
    assert "Published" in (done.content or ""), done.content


async def _who_did_what(harness: BotHarness, guild: int) -> list[int | None]:
    """Return every staff id consultations keep in a server (creator, closer, decider, author)."""
    async with harness.services.db() as s:
        mine = select(Consultation.id).where(Consultation.guild_id == guild)
        rows = (
            await s.execute(
                select(Consultation.created_by, Consultation.closed_by).where(
                    Consultation.guild_id == guild
                )
            )
        ).all()
        decided = await s.scalars(
            select(ConsultationSuggestion.decided_by).where(
                ConsultationSuggestion.consultation_id.in_(mine)
            )
        )
        published = await s.scalars(
            select(ConsultationFeedback.published_by).where(
                ConsultationFeedback.consultation_id.in_(mine)
            )
        )
        return [*(v for row in rows for v in row), *decided, *published]


async def test_a_workers_forgetme_leaves_the_other_servers_consultations_alone(
    fake: FakeDiscord,
    second_server: int,
    harness: BotHarness,
    group: People,
    clock: ManualClock,
) -> None:
    other = await _set_up(fake, harness, group, second_server)
    worker = group.worker
    await _run_a_consultation(fake, group, "Ana")
    await _run_a_consultation(fake, other, "Ben")
    here, there = (
        await _who_did_what(harness, group["guild"]),
        await _who_did_what(harness, other["guild"]),
    )
    assert here == there == [worker, worker, worker, worker]

    # The worker asks to be forgotten in the first server only.
    ask = await slash(fake, worker, group["guild"], "forgetme")
    assert ask.original is not None, ask.content
    done = await answered(await fake.click(worker, int(ask.original["id"]), "confirm:yes"))
    await fake.wait_for(lambda: "erased" in (done.content or ""))
    for _ in range(3):
        await harness.run_due()
        clock.advance(timedelta(seconds=61))

    assert await _who_did_what(harness, group["guild"]) == [None, None, None, None]
    assert await _who_did_what(harness, other["guild"]) == [worker, worker, worker, worker]
