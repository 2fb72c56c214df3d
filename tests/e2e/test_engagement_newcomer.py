"""Engagement's rough edges, smoothed: a move-up request can be taken back, as the message says.

Driven through the stand-in as a member and a worker would: the level message's buttons,
/progress, the card in #worker-log.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.contribution_kinds import ContributionKind
from bot.db.models import Contribution, LevelNotice, Member
from bot.sandbox.fakediscord import FakeDiscord
from bot.sandbox.fakediscord.commands import CommandError
from bot.services.contributions import record_contribution
from tests.e2e.flows import approved, click
from tests.e2e.harness import BotHarness, People, attachments_of, custom_ids, everything_text, slash


async def _member(harness: BotHarness, user_id: int) -> Member:
    async with harness.services.db() as s:
        member = await s.scalar(select(Member).where(Member.user_id == user_id))
        assert member is not None
        return member


async def _record(harness: BotHarness, user_id: int, kind: ContributionKind, source: str) -> None:
    """Record a contribution as the feature that owns it would (a vote, an attendance)."""
    member = await _member(harness, user_id)
    now = harness.clock.now()
    async with harness.services.db.begin() as s:
        await record_contribution(
            s,
            guild_id=member.guild_id,
            member_id=member.id,
            kind=kind,
            source_key=source,
            occurred_at=now,
            recorded_at=now,
        )


async def _eligible_notice(
    fake: FakeDiscord, harness: BotHarness, clock: ManualClock, user_id: int
) -> dict:
    """Make a member meet Working Together, and return the level message they are DMed."""
    for i in range(3):
        await _record(harness, user_id, ContributionKind.POLL_VOTE, f"poll:{user_id}:{i}")
    await _record(harness, user_id, ContributionKind.SESSION_ATTENDED, f"session:{user_id}")
    clock.advance(timedelta(days=40))
    await harness.run_due()

    def notice() -> dict | None:
        return next(
            (m for m in fake.dm_messages(user_id) if "now meets what the" in str(m.get("content"))),
            None,
        )

    found = await fake.wait_for(notice)
    assert found is not None
    return found


async def _progress(fake: FakeDiscord, user_id: int, guild: int) -> dict:
    """Run /progress and return the private message it shows (once the chart is drawn)."""
    handle = await slash(fake, user_id, guild, "progress")
    await fake.wait_for(lambda: attachments_of(handle))
    shown = handle.followups[-1] if handle.followups else handle.original
    assert shown is not None
    return shown


def _move_cards(fake: FakeDiscord, group: People) -> list[dict]:
    return [
        m for m in fake.messages_in(group["#worker-log"]) if "Level move" in str(m.get("content"))
    ]


async def test_a_move_up_request_can_be_taken_back_until_a_worker_confirms(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    guild = group["guild"]
    sam = await approved(fake, group, "Sam")
    notice = await _eligible_notice(fake, harness, clock, sam)
    assert "change your mind later in /progress" in notice["content"]

    # Sam asks to move up. The answer says how to take it back, and the button to do so stays.
    chose = await click(fake, sam, notice, "eng:notice:move_up:")
    assert "take it back" in (chose.content or ""), chose.content
    asked = fake.message(int(notice["id"]))
    assert [c for c in custom_ids(asked) if c.startswith("eng:notice:stay:")], custom_ids(asked)
    await fake.wait_for(lambda: _move_cards(fake, group))
    [card] = _move_cards(fake, group)
    assert any(c.startswith("eng:move:confirm:") for c in custom_ids(card))

    # /progress says the request waits, and offers to take it back.
    shown = await _progress(fake, sam, guild)
    assert "Changed your mind" in everything_text(shown)
    assert [c for c in custom_ids(shown) if c.startswith("eng:notice:stay:")], custom_ids(shown)

    # Sam changes her mind from /progress: the request is taken back, the workers' card says so
    # and loses its buttons, so nobody confirms a move Sam no longer wants.
    back = await click(fake, sam, shown, "eng:notice:stay:")
    assert back.callback_type == 7  # the /progress message itself changes
    after = everything_text(fake.message(int(shown["id"])))
    assert "taken back your request" in after and "Changed your mind" not in after, after
    assert custom_ids(fake.message(int(shown["id"]))) == []
    assert fake.message(int(shown["id"])).get("attachments"), "the chart stays"
    await harness.run_due()
    await fake.wait_for(lambda: "taken back" in str(fake.message(int(card["id"])).get("content")))
    assert custom_ids(fake.message(int(card["id"]))) == []
    async with harness.services.db() as s:
        row = await s.scalar(
            select(LevelNotice).where(LevelNotice.member_id == (await _member(harness, sam)).id)
        )
        assert row is not None and row.choice == "stay" and row.outcome is None
    assert (await _member(harness, sam)).level_key == "consultation"

    # She asks again from the DM; this time a worker confirms first, and taking it back is
    # refused kindly with the way back down.
    again = await click(fake, sam, fake.message(int(notice["id"])), "eng:notice:stay:")
    assert "already chosen to stay" in (again.content or ""), again.content
    shown = await _progress(fake, sam, guild)
    await click(fake, sam, shown, "eng:notice:move_up:")
    await fake.wait_for(lambda: len(_move_cards(fake, group)) == 2)
    new_card = _move_cards(fake, group)[-1]
    await click(fake, group.worker, new_card, "eng:move:confirm:")
    late = await click(fake, sam, fake.message(int(shown["id"])), "eng:notice:stay:")
    assert "/levels step-down" in (late.content or ""), late.content
    assert (await _member(harness, sam)).level_key == "working_together"


def _log_kinds(fake: FakeDiscord, guild: int) -> list[str]:
    """Return the kinds /contributions log offers, as Discord shows them to the worker."""
    [group_command] = [c for c in fake.commands(guild) if c["name"] == "contributions"]
    [log] = [o for o in group_command["options"] if o["name"] == "log"]
    [kind] = [o for o in log["options"] if o["name"] == "kind"]
    return [c["value"] for c in kind["choices"]]


async def test_workers_log_by_hand_only_what_the_bot_does_not_record(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild = group["guild"]
    sam = await approved(fake, group, "Sam")

    # Votes, consultation answers and modules are recorded by the bot: not offered by hand.
    offered = _log_kinds(fake, guild)
    for recorded in ("poll_vote", "consultation_response", "training_completed"):
        assert recorded not in offered, offered
    assert {"recruitment_panel", "project_work", "peer_support_given"} <= set(offered)
    with pytest.raises(CommandError):
        await slash(
            fake, group.worker, guild, "contributions log", {"member": sam, "kind": "poll_vote"}
        )

    # What was logged is said in words: what, how long, when, and what the number is for.
    logged = await slash(
        fake,
        group.worker,
        guild,
        "contributions log",
        {"member": sam, "kind": "recruitment_panel", "hours": "1.5"},
    )
    text = logged.content or ""
    assert "recruitment panel, 1.5 hours, on " in text, text
    assert "#" not in text and "in /contributions correct or remove" in text, text

    # Hours only where they make sense: a vote the bot recorded is counted, not timed.
    await _record(harness, sam, ContributionKind.POLL_VOTE, "poll:9")
    listed = await slash(fake, group.worker, guild, "contributions list", {"member": sam})
    listing = listed.content or ""
    assert "#" not in listing and "1.5 hours" in listing, listing
    async with harness.services.db() as s:
        vote = await s.scalar(select(Contribution.id).where(Contribution.kind == "poll_vote"))
    refused = await slash(
        fake,
        group.worker,
        guild,
        "contributions correct",
        {"number": vote, "reason": "It took an hour", "hours": "1"},
    )
    assert refused.ephemeral and "counted, not timed" in (refused.content or "")


async def test_progress_says_what_is_left_in_plain_words(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    sam = await approved(fake, group, "Sam")
    await _record(harness, sam, ContributionKind.POLL_VOTE, "poll:1")
    text = everything_text(await _progress(fake, sam, group["guild"]))
    assert "To reach Working Together: vote in 2 more polls (1 of 3 done)" in text, text
    assert "come to 1 more session (0 of 1 done)" in text, text
    assert "be involved for 1 month (0 months so far)" in text, text
    assert "1 poll vote" in text and "(s)" not in text and "votes more" not in text, text


async def test_every_engagement_image_says_what_it_shows(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild = group["guild"]
    sam = await approved(fake, group, "Sam")

    # The /progress chart: the totals by kind, then month by month, in words.
    await _record(harness, sam, ContributionKind.POLL_VOTE, "poll:1")
    await _record(harness, sam, ContributionKind.SESSION_ATTENDED, "session:1")
    handle = await slash(fake, sam, guild, "progress")
    await fake.wait_for(lambda: attachments_of(handle))
    [chart] = attachments_of(handle)
    alt = chart.get("description") or ""
    assert "2 in all (1 poll vote, 1 session attended)" in alt, alt
    assert "By month: " in alt and "none in the other months" in alt, alt

    # A receipt shown to a worker says what it is: whose claim, what for, how much.
    receipt = fake.upload_attachment("receipt.png", b"\x89PNG\r\n\x1a\nfake")
    await slash(
        fake,
        sam,
        guild,
        "expenses claim",
        {"category": "travel", "amount": "6.40", "note": "Bus", "receipt": receipt},
    )
    card = await fake.wait_for(
        lambda: next(
            (
                m
                for m in fake.messages_in(group["#worker-log"])
                if "eng:receipt:" in str(m.get("components"))
            ),
            None,
        )
    )
    shown = await click(fake, group.worker, card, "eng:receipt:")
    await fake.wait_for(lambda: attachments_of(shown))
    [kept] = attachments_of(shown)
    alt = kept.get("description") or ""
    assert "receipt" in alt and "travel" in alt and "£6.40" in alt, alt
