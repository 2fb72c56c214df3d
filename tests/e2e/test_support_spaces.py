"""Support spaces last for years: private threads, one open request each, closing and removal."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.db.models import SupportRequest
from bot.sandbox.fakediscord import FakeDiscord
from bot.services.access import Actor
from tests.e2e.flows import approved, click
from tests.e2e.harness import BotHarness, People, answered, settle, slash

THREAD_TYPES = (10, 11, 12)


async def _support_failures(harness: BotHarness, group: People) -> list[str]:
    """Return the support deliveries that could not be made (other features have their own)."""
    failed = await harness.services.outbox.failures(group["guild"])
    return [f"{f.kind}: {f.reason}" for f in failed if f.kind.startswith("support.")]


def _channels(fake: FakeDiscord, guild_id: int) -> list[int]:
    """Return the server's channels (threads do not count towards Discord's limits)."""
    return [int(c["id"]) for c in fake.guild_channels(guild_id) if c["type"] not in THREAD_TYPES]


async def _space_of(harness: BotHarness, user_id: int) -> int | None:
    async with harness.services.db() as s:
        return await s.scalar(
            select(SupportRequest.private_channel_id)
            .where(SupportRequest.user_id == user_id)
            .order_by(SupportRequest.id.desc())
        )


async def _ask(fake: FakeDiscord, group: People, user: int, **options: str) -> str:
    handle = await slash(
        fake, user, group["guild"], "support", {"topic": "question", "urgency": "week", **options}
    )
    await fake.wait_for(
        lambda: any(("private space" in (m.get("content") or "")) for m in handle.followups)
        or "already have a support request" in (handle.content or "")
        or "a moment ago" in (handle.content or ""),
    )
    return await settle(fake, handle)


async def test_two_hundred_requests_over_time_all_open_a_working_private_space(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    guild = group["guild"]
    before = len(_channels(fake, guild))
    spaces: dict[int, int] = {}
    for i in range(200):
        user = fake.create_user(f"asker{i}", f"Asker {i}")
        fake.add_member(guild, user)
        await fake.wait_for(lambda u=user: harness.bot.get_guild(guild).get_member(u))
        text = await _ask(fake, group, user)
        assert "Your private space is ready" in text, (i, text)
        space = await _space_of(harness, user)
        assert space is not None
        assert fake.visible_to(user, space) and fake.visible_to(group.moderator, space)
        spaces[user] = space
        clock.advance(timedelta(hours=7))  # about six weeks of requests, over time
    # The spaces are threads in one channel: the server gained one channel, not 200.
    assert len(_channels(fake, guild)) == before + 1
    # Each space works: its person can write in it, and nobody else in the group sees it.
    first, last = next(iter(spaces)), list(spaces)[-1]
    await fake.send_message(first, spaces[first], "hello, is anyone there?")
    await fake.send_message(last, spaces[last], "hello from the 200th")
    assert not fake.visible_to(last, spaces[first]) and not fake.visible_to(first, spaces[last])
    async with harness.services.db() as s:
        assert await s.scalar(select(func.count(SupportRequest.id))) == 200


def _cards(fake: FakeDiscord, group: People) -> list[dict[str, object]]:
    return [m for m in fake.messages_in(group["#support-queue"]) if m.get("embeds")]


async def test_a_second_support_points_back_and_a_flood_opens_one_request(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    sam = await approved(fake, group, "Sam")
    first = await _ask(fake, group, sam)
    assert "Your private space is ready" in first
    space = await _space_of(harness, sam)
    assert space is not None
    again = await _ask(fake, group, sam, message="also my exams are soon")
    assert "already have a support request open" in again and f"<#{space}>" in again
    assert "added what you wrote to your private space" in again
    await fake.wait_for(
        lambda: any("exams are soon" in (m.get("content") or "") for m in fake.messages_in(space))
    )
    for _ in range(12):  # fifteen /support in a row: one request, one space, one card
        await _ask(fake, group, sam)
    await harness.run_due()
    async with harness.services.db() as s:
        assert await s.scalar(select(func.count(SupportRequest.id))) == 1
    await fake.wait_for(lambda: len(_cards(fake, group)) == 1)

    # Crisis words in a second /support make the open request urgent and ping the team.
    await _ask(fake, group, sam, message="honestly I want to die")
    await harness.run_due()
    urgent = await fake.wait_for(
        lambda: [
            m
            for m in fake.messages_in(group["#support-queue"])
            if "now urgent" in (m.get("content") or "")
        ]
    )
    assert f"<@&{group['role:Moderator']}>" in urgent[0]["content"]

    # Once resolved, a new request waits for the short cooldown (crisis words never wait).
    async with harness.services.db() as s:
        rid = await s.scalar(select(SupportRequest.id))
    mod = Actor(group.moderator, group["guild"], frozenset({group["role:Moderator"]}))
    await harness.services.support.staff.resolve(mod, rid, "supported")
    soon = await _ask(fake, group, sam)
    assert "just a moment ago" in soon and "116 123" in soon
    clock.advance(timedelta(minutes=3))
    later = await _ask(fake, group, sam)
    assert "Your private space is ready" in later


async def test_a_resolved_space_closes_for_the_member_and_is_removed_after_retention(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    sam = await approved(fake, group, "Sam")
    await _ask(fake, group, sam)
    space = await _space_of(harness, sam)
    assert space is not None
    card = await fake.wait_for(lambda: _cards(fake, group) and _cards(fake, group)[0])
    options = await click(fake, group.moderator, card, "support:resolve:")
    assert options.original is not None
    rid = int(str(options.original["components"][0]["components"][0]["custom_id"]).split(":")[-1])
    note = await answered(
        await fake.select(
            group.moderator, int(options.original["id"]), f"support:outcome:{rid}", ["supported"]
        )
    )
    await answered(await fake.submit_modal(group.moderator, note, {"support:resolve:note": ""}))
    await harness.run_due()
    told = await fake.wait_for(
        lambda: [m for m in fake.messages_in(space) if "resolved" in (m.get("content") or "")]
    )
    assert "close for you in a day" in told[0]["content"]
    assert fake.visible_to(sam, space)  # they can still read the last messages today
    clock.advance(timedelta(days=1, minutes=1))
    await harness.run_due()
    await fake.wait_for(lambda: not fake.visible_to(sam, space))
    assert fake.visible_to(group.moderator, space)  # staff keep it for the retention
    clock.advance(timedelta(days=90))
    await harness.run_due()
    await fake.wait_for(lambda: space not in fake.state.channels)
    assert await _space_of(harness, sam) is None
    assert await _support_failures(harness, group) == []


async def test_staff_are_warned_before_the_server_reaches_discords_channel_limit(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild = group["guild"]
    for i in range(455 - len(_channels(fake, guild))):
        fake.create_channel(guild, f"archive-{i}")
    sam = await approved(fake, group, "Sam")
    assert "Your private space is ready" in await _ask(fake, group, sam)
    await harness.run_due()
    warning = await fake.wait_for(
        lambda: [
            m
            for m in fake.messages_in(group["#support-queue"])
            if "Heads up" in (m.get("content") or "")
        ]
    )
    assert "of Discord's limit of 500 channels in the server" in warning[0]["content"]
