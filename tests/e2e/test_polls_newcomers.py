"""Polls without rough edges: nothing misleads once closed, options read as typed, small
anonymous polls say so first, charts carry alt text, and people waiting for approval learn why."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.clock import ManualClock
from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved, join
from tests.e2e.harness import (
    BotHarness,
    People,
    answered,
    attachments_of,
    custom_ids,
    described_uploads,
    everything_text,
    settle,
    slash,
)
from tests.e2e.test_polls import PNG, _id, create_poll, results_posts, vote

CHANGE = "change your vote"
WAITING = "Polls open to you once it is approved"


async def _my_vote(fake: FakeDiscord, user: int, message: dict[str, Any]) -> str:
    handle = await answered(await fake.click(user, int(message["id"]), f"poll:mine:{_id(message)}"))
    assert handle.ephemeral
    return handle.content or ""


async def test_a_closed_poll_message_never_says_a_vote_can_still_change(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    message = await create_poll(fake, group)
    assert CHANGE in everything_text(message)  # true while it is open
    clock.advance(timedelta(days=2, minutes=1))
    await harness.run_due()
    closed = await fake.wait_for(
        lambda: (m := fake.message(int(message["id"]))) and not custom_ids(m) and m
    )
    text = everything_text(closed)
    assert "voting has closed" in text, text
    assert CHANGE not in text and "until it closes" not in text, text
    assert "Hidden until the poll closes" not in text
    assert "Posted in this channel" in text


async def test_my_vote_after_the_closing_time_does_not_invite_a_change(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    message = await create_poll(fake, group)
    sam = await approved(fake, group, "Sam")
    saved = await vote(fake, sam, message, 0)
    assert "You can change it until" in (saved.content or "")
    assert "You can change it until" in await _my_vote(fake, sam, message)
    # Its time has passed but the scheduler has not closed it yet: a change would be refused.
    clock.advance(timedelta(days=2, minutes=1))
    mine = await _my_vote(fake, sam, message)
    assert "Monday" in mine and "can't be changed" in mine, mine
    assert "You can change" not in mine
    late = await vote(fake, sam, message, 1)
    assert "closed" in (late.content or "") and "no longer" in (late.content or "")
    # Once closed, the buttons are gone; the message's own text is checked above.
    await harness.run_due()
    await fake.wait_for(lambda: not custom_ids(fake.message(int(message["id"]))))


async def test_options_typed_with_commas_or_words_become_separate_options(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    typed = {
        "Monday, Wednesday or Thursday": (["Monday", "Wednesday", "Thursday"], "at the commas"),
        "Yes / No / Not sure": (["Yes", "No", "Not sure"], "at the slashes"),
        "Tea or coffee": (["Tea", "coffee"], "“or”"),
        # A semicolon wins, so an option may keep its comma.
        "Fish, chips and peas; Pizza": (["Fish, chips and peas", "Pizza"], "semicolons"),
    }
    for options, (expected, how) in typed.items():
        before = len(fake.messages_in(group["#polls"]))
        handle = await slash(
            fake,
            group.worker,
            group["guild"],
            "poll create",
            {"question": f"Which? ({options})", "closes": "2d", "options": options},
        )
        confirmation = handle.content or ""
        assert handle.ephemeral and "posted" in confirmation, confirmation
        assert f"I read {len(expected)} options" in confirmation and how in confirmation
        for label in expected:
            assert f"**{label}**" in confirmation, confirmation
        posted = await fake.wait_for(lambda b=before: fake.messages_in(group["#polls"])[b:])
        buttons = [c for c in custom_ids(posted[-1]) if c.startswith("poll:vote:")]
        assert len(buttons) == len(expected), options
        labels = [
            b["label"]
            for row in posted[-1]["components"]
            for b in row["components"]
            if b.get("custom_id", "").startswith("poll:vote:")
        ]
        assert labels == expected
    commas = await slash(
        fake,
        group.worker,
        group["guild"],
        "poll create",
        {"question": "Numbers?", "closes": "2d", "options": "£1,000, £2,000"},
    )
    assert "**£1,000** · **£2,000**" in (commas.content or ""), commas.content
    assert "semicolons (;)" in (commas.content or "")
    one = await slash(
        fake,
        group.worker,
        group["guild"],
        "poll create",
        {"question": "Only?", "closes": "2d", "options": "Just this"},
    )
    assert "at least 2" in (one.content or "") and "commas" in (one.content or "")


async def test_a_small_anonymous_poll_says_before_it_opens_that_it_may_show_turnout_only(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    for name in ("Ada", "Ben"):
        await approved(fake, group, name)
    handle = await slash(
        fake,
        group.worker,
        group["guild"],
        "poll create",
        {"question": "Tiny?", "closes": "2d", "options": "Yes; No"},
    )
    told = handle.content or ""
    assert "Only 2 members can vote" in told and "fewer than 3" in told, told
    assert "only how many voted" in told
    poll = await fake.wait_for(
        lambda: [m for m in fake.messages_in(group["#polls"]) if "Tiny?" in everything_text(m)]
    )
    assert "If fewer than 3 vote" in everything_text(poll[0])

    # A named poll shows every choice however few vote: nothing to warn about.
    named = await slash(
        fake,
        group.worker,
        group["guild"],
        "poll create",
        {"question": "Named?", "closes": "2d", "options": "Yes; No", "anonymous": False},
    )
    assert "can vote in this poll right now" not in (named.content or "")
    posted = [m for m in fake.messages_in(group["#polls"]) if "Named?" in everything_text(m)]
    assert "If fewer than 3 vote" not in everything_text(posted[0])

    # With enough members the poll message carries no note; the worker still hears it.
    for name in ("Cy", "Dee"):
        await approved(fake, group, name)
    bigger = await slash(
        fake,
        group.worker,
        group["guild"],
        "poll create",
        {"question": "Four?", "closes": "2d", "options": "Yes; No"},
    )
    assert "Only 4 members can vote" in (bigger.content or "")
    four = [m for m in fake.messages_in(group["#polls"]) if "Four?" in everything_text(m)]
    assert "If fewer than 3 vote" not in everything_text(four[0])


async def test_every_results_chart_says_in_words_what_it_shows(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    sent = described_uploads(fake)
    message = await create_poll(fake, group, "Which day?")
    voters = [await approved(fake, group, name) for name in ("Ada", "Ben", "Cy")]
    for user, choice in zip(voters, (0, 0, 2), strict=True):
        await vote(fake, user, message, choice)
    closed = await slash(fake, group.worker, group["guild"], "poll close", {"poll": _id(message)})
    await settle(fake, closed)
    await harness.run_due()
    [post] = await fake.wait_for(lambda: results_posts(fake, group))
    [attachment] = post["attachments"]
    assert fake.attachment_bytes(attachment).startswith(PNG)
    [described] = sent[int(post["id"])]
    alt = described.get("description") or ""
    assert alt.startswith("Bar chart"), alt
    assert "3 of 3 members voted" in alt and "Monday 2, Wednesday 0, Thursday 1" in alt, alt
    assert "Which day?" in alt and len(alt) <= 1024

    # The same chart shown privately by /poll results carries the same words.
    asked = await slash(fake, voters[0], group["guild"], "poll results", {"poll": _id(message)})
    files = await fake.wait_for(lambda: attachments_of(asked))
    private = next(m for m in (asked.original, *asked.followups) if m and m.get("attachments"))
    assert files and sent[int(private["id"])][0]["description"] == alt


async def test_long_options_still_fit_the_alt_text_limit(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    sent = described_uploads(fake)
    options = "; ".join(f"{i} " + "very long option words " * 3 for i in range(10))
    message = await create_poll(fake, group, "Q" * 290 + "?", options=options, anonymous=False)
    sam = await approved(fake, group, "Sam")
    picked = await answered(
        await fake.select(sam, int(message["id"]), f"poll:pick:{_id(message)}", ["9"])
    )
    assert "saved" in (picked.content or "")
    closed = await slash(fake, group.worker, group["guild"], "poll close", {"poll": _id(message)})
    await settle(fake, closed)
    await harness.run_due()
    [post] = await fake.wait_for(lambda: results_posts(fake, group))
    [described] = sent[int(post["id"])]
    alt = described["description"]
    assert len(alt) <= 1024 and alt.endswith(" 1."), alt


async def test_someone_waiting_for_approval_is_told_when_polls_open_to_them(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    message = await create_poll(fake, group, options="Monday; Wednesday", hide_results=False)
    penny = fake.create_user("penny", "Penny")
    fake.add_member(group["guild"], penny)
    await join(fake, group, penny, name="Penny")

    # The command: the suggestions explain, and so does the answer.
    offered = await fake.autocomplete(penny, group["guild"], "poll results", {}, "poll")
    assert [c["name"] for c in offered] == ["Polls open to you once a worker approves your sign-up"]
    picked = await slash(fake, penny, group["guild"], "poll results", {"poll": offered[0]["value"]})
    assert picked.ephemeral and WAITING in (picked.content or ""), picked.content
    typed = await slash(fake, penny, group["guild"], "poll results", {"poll": _id(message)})
    assert WAITING in (typed.content or ""), typed.content

    # The buttons, should the poll reach them (say a role lets them see #polls).
    fake.set_member_roles(group["guild"], penny, [group["role:Member"]])
    voted = await vote(fake, penny, message, 0)
    assert WAITING in (voted.content or ""), voted.content
    assert WAITING in await _my_vote(fake, penny, message)
    live = await answered(await fake.click(penny, int(message["id"]), f"poll:live:{_id(message)}"))
    assert WAITING in (live.content or ""), live.content

    # Approved members are not troubled by it.
    sam = await approved(fake, group, "Sam")
    offered = await fake.autocomplete(sam, group["guild"], "poll results", {}, "poll")
    assert [c["value"] for c in offered] == [_id(message)]
