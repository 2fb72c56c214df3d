"""Engagement through the stand-in: contributions, the once-per-level notice, moves, /progress."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from pathlib import Path

import pytest
from matplotlib.image import imread
from sqlalchemy import func, select

from bot.cli import main as cli_main
from bot.clock import ManualClock
from bot.contribution_kinds import ContributionKind
from bot.db.models import Contribution, LevelNotice, Member
from bot.sandbox.driver import button_on
from bot.sandbox.fakediscord import FakeDiscord
from bot.services.access import Actor
from bot.services.contributions import record_contribution
from bot.settings import DEFAULT_CONFIG_DIR
from tests.e2e.flows import approved, click
from tests.e2e.harness import BotHarness, People, attachments_of, everything_text, settle, slash

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def _member(harness: BotHarness, user_id: int) -> Member:
    async with harness.services.db() as s:
        member = await s.scalar(select(Member).where(Member.user_id == user_id))
        assert member is not None
        return member


async def _record(harness: BotHarness, user_id: int, kind: ContributionKind, source: str) -> bool:
    """Record a contribution through the one service call other features use."""
    member = await _member(harness, user_id)
    now = harness.clock.now()
    async with harness.services.db.begin() as s:
        return await record_contribution(
            s,
            guild_id=member.guild_id,
            member_id=member.id,
            kind=kind,
            source_key=source,
            occurred_at=now,
            recorded_at=now,
        )


def _roles(fake: FakeDiscord, group: People, user: int) -> set[int]:
    return {int(r) for r in fake.member(group["guild"], user)["roles"]}


def _notices(fake: FakeDiscord, user: int) -> list[dict]:
    """Return the eligibility DMs a member got (their buttons go once answered)."""
    return [m for m in fake.dm_messages(user) if "now meets what the" in (m.get("content") or "")]


async def test_contributions_notice_once_move_up_and_step_down(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    sam = await approved(fake, group, "Sam")
    guild = group["guild"]

    # The same poll vote recorded twice at once is one contribution.
    firsts = await asyncio.gather(
        *(_record(harness, sam, ContributionKind.POLL_VOTE, "poll:1") for _ in range(3))
    )
    assert sorted(firsts) == [False, False, True]
    for source in ("poll:2", "poll:3"):
        await _record(harness, sam, ContributionKind.POLL_VOTE, source)

    # A worker logs a session; a member may not.
    refused = await slash(
        fake, sam, guild, "contributions log", {"member": sam, "kind": "session_attended"}
    )
    assert refused.ephemeral and "Only participation workers" in (refused.content or "")
    logged = await slash(
        fake,
        group.worker,
        guild,
        "contributions log",
        {"member": sam, "kind": "session_attended", "hours": "2", "note": "Planning day"},
    )
    assert logged.ephemeral and "session attended" in (logged.content or "")
    async with harness.services.db() as s:
        count = await s.scalar(select(func.count()).select_from(Contribution))
    assert count == 4

    # Not a month yet: nothing is sent. A month on, exactly one neutral DM.
    await harness.run_due()
    assert _notices(fake, sam) == []
    clock.advance(timedelta(days=32))
    await harness.run_due()
    await fake.wait_for(lambda: _notices(fake, sam))
    [notice] = _notices(fake, sam)
    assert "Working Together" in notice["content"] and "completely fine" in notice["content"]
    # Later contributions and sweeps never send it again.
    await _record(harness, sam, ContributionKind.POLL_VOTE, "poll:4")
    clock.advance(timedelta(days=1))
    await harness.run_due()
    await harness.run_due()
    await asyncio.sleep(0.2)
    assert len(_notices(fake, sam)) == 1

    # Sam chooses to move up; the workers get a card; confirming twice moves once.
    before = len(fake.messages_in(group["#worker-log"]))
    chose = await click(fake, sam, notice, "eng:notice:move_up:")
    assert chose.callback_type == 7 and "worker will confirm" in (chose.content or "")
    await fake.wait_for(lambda: len(fake.messages_in(group["#worker-log"])) > before)
    card = fake.messages_in(group["#worker-log"])[-1]
    assert "would like to move up" in everything_text(card)
    cid = button_on(card, "eng:move:confirm:")
    first, second = await asyncio.gather(
        fake.click(group.worker, int(card["id"]), cid),
        fake.click(group.worker, int(card["id"]), cid),
    )
    await asyncio.gather(first.response(), second.response())
    assert sorted([first.callback_type or 0, second.callback_type or 0]) == [4, 7]
    told = first if first.callback_type == 4 else second
    assert "already been confirmed" in (told.content or "")
    await fake.wait_for(
        lambda: group["role:Level: Working Together"] in _roles(fake, group, sam)
        and group["role:Level: Consultation"] not in _roles(fake, group, sam)
    )
    await fake.wait_for(
        lambda: any("confirmed" in (m.get("content") or "") for m in fake.dm_messages(sam))
    )
    assert (await _member(harness, sam)).level_key == "working_together"

    # /progress: level, counts in words, next level needs, and a real PNG chart.
    handle = await slash(fake, sam, guild, "progress")
    assert handle.ephemeral
    await fake.wait_for(lambda: attachments_of(handle))
    message = handle.followups[-1] if handle.followups else handle.original
    text = everything_text(message)
    assert "Working Together" in text and "4 poll votes" in text and "1 session attended" in text
    assert "Doing Together" in text and "training module" in text
    [attachment] = attachments_of(handle)
    png = fake.attachment_bytes(attachment)
    assert png.startswith(PNG_MAGIC) and imread(io.BytesIO(png)).shape[1] > 100

    # Step down, with a confirmation, swaps the roles back.
    ask = await slash(fake, sam, guild, "levels step-down")
    assert ask.ephemeral and ask.original is not None
    done = await click(fake, sam, ask.original, "eng:stepdown:yes")
    assert "You are now at Consultation" in (done.content or "")
    await fake.wait_for(
        lambda: group["role:Level: Consultation"] in _roles(fake, group, sam)
        and group["role:Level: Working Together"] not in _roles(fake, group, sam)
    )
    # Stepping down does not re-send the notice for Working Together.
    await harness.run_due()
    assert len(_notices(fake, sam)) == 1
    async with harness.services.db() as s:
        assert await s.scalar(select(func.count()).select_from(LevelNotice)) == 1


async def test_staying_eligible_list_and_training(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    guild = group["guild"]
    jo = await approved(fake, group, "Jo")
    for i in range(3):
        await _record(harness, jo, ContributionKind.POLL_VOTE, f"poll:{i}")
    await _record(harness, jo, ContributionKind.SESSION_ATTENDED, "session:1")
    clock.advance(timedelta(days=40))
    await harness.run_due()
    await fake.wait_for(lambda: _notices(fake, jo))
    [notice] = _notices(fake, jo)
    # The buttons on the notice still work after a restart.
    await harness.restart()
    stay = await click(fake, jo, notice, "eng:notice:stay:")
    assert "staying where you are" in (stay.content or "")
    listed = await slash(fake, group.worker, guild, "levels eligible")
    assert "Jo" in await settle(fake, listed) and "chose to stay" in await settle(fake, listed)
    nosy = await slash(fake, jo, guild, "levels eligible")
    assert "Only participation workers" in await settle(fake, nosy)
    # Training recorded by a worker shows in /progress.
    recorded = await slash(
        fake, group.worker, guild, "training record", {"member": jo, "module": "introduction"}
    )
    assert "Introduction to participation" in (recorded.content or "")
    again = await slash(
        fake, group.worker, guild, "training record", {"member": jo, "module": "introduction"}
    )
    assert "already" in (again.content or "")


async def test_mentoring_pairs_and_tells_both(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild = group["guild"]
    kim = await approved(fake, group, "Kim")
    lee = await approved(fake, group, "Lee")
    async with harness.services.db.begin() as s:
        member = await s.scalar(select(Member).where(Member.user_id == lee))
        assert member is not None
        member.level_key = "leading"
    asked = await slash(fake, kim, guild, "mentor request", {"note": "Panels"})
    assert asked.ephemeral and "mentor" in (asked.content or "")
    await fake.wait_for(
        lambda: any(
            "asked for a mentor" in (m.get("content") or "")
            for m in fake.messages_in(group["#worker-log"])
        )
    )
    waiting = await harness.services.engagement.training.open_requests(_worker_actor(group))
    paired = await slash(
        fake, group.worker, guild, "mentor pair", {"request": waiting[0].id, "mentor": lee}
    )
    assert "Paired" in (paired.content or "")
    await fake.wait_for(
        lambda: any("Lee" in (m.get("content") or "") for m in fake.dm_messages(kim))
    )
    await fake.wait_for(
        lambda: any("Kim" in (m.get("content") or "") for m in fake.dm_messages(lee))
    )


def _worker_actor(group: People) -> Actor:
    return Actor(group.worker, group["guild"], frozenset({group["role:Worker"]}))


def test_a_ladder_with_mistakes_is_refused_at_start_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("default.toml", "safeguarding.toml"):
        (tmp_path / name).write_text((DEFAULT_CONFIG_DIR / name).read_text(), encoding="utf-8")
    (tmp_path / "levels.toml").write_text(
        '[[levels]]\nkey="a"\nname="A"\ndescription="x"\nhourly_rate_pence=900\n',
        encoding="utf-8",
    )
    assert cli_main(["--config-dir", str(tmp_path), "check"]) == 2
    err = capsys.readouterr().err
    assert "ladder" in err and "unpaid but has an hourly_rate_pence" in err
