"""Quick polls through the stand-in: voting, closing, restarts, reminders, bad input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved, join
from tests.e2e.harness import (
    BotHarness,
    People,
    answered,
    attachments_of,
    custom_ids,
    everything_text,
    settle,
    slash,
)

PNG = b"\x89PNG\r\n\x1a\n"


async def create_poll(
    fake: FakeDiscord, group: People, question: str = "Which evening suits you?", **options: Any
) -> dict[str, Any]:
    """Run /poll create as the worker; return the poll message posted in #polls."""
    before = len(fake.messages_in(group["#polls"]))
    values = {"question": question, "closes": "2d", "options": "Monday; Wednesday; Thursday"}
    values.update(options)
    handle = await slash(fake, group.worker, group["guild"], "poll create", values)
    assert handle.ephemeral and "posted" in (handle.content or ""), handle.content
    posted = await fake.wait_for(lambda: fake.messages_in(group["#polls"])[before:])
    return posted[-1]


async def vote(fake: FakeDiscord, user: int, message: dict[str, Any], index: int) -> Any:
    """Click an option button and return the (private) answer."""
    ids = [c for c in custom_ids(message) if c.startswith("poll:vote:")]
    handle = await answered(await fake.click(user, int(message["id"]), ids[index]))
    assert handle.ephemeral, handle.content
    return handle


def results_posts(fake: FakeDiscord, group: People) -> list[dict[str, Any]]:
    """Return the results messages posted in #polls."""
    return [m for m in fake.messages_in(group["#polls"]) if "Poll results" in everything_text(m)]


async def test_vote_change_refusals_and_close_on_time(
    fake: FakeDiscord, harness: BotHarness, group: People, clock
) -> None:
    message = await create_poll(fake, group)
    text = everything_text(message)
    assert "Which evening suits you?" in text and "Anonymous" in text and "Hidden" in text
    assert len([c for c in custom_ids(message) if c.startswith("poll:vote:")]) == 3

    sam = await approved(fake, group, "Sam")
    first = await vote(fake, sam, message, 0)
    assert "saved" in first.content and "Monday" in first.content
    changed = await vote(fake, sam, message, 2)
    assert "changed" in changed.content and "Thursday" in changed.content
    mine = await answered(await fake.click(sam, int(message["id"]), f"poll:mine:{_id(message)}"))
    assert "Thursday" in (mine.content or "")

    pending = fake.create_user("penny", "Penny")
    fake.add_member(group["guild"], pending)
    await join(fake, group, pending, name="Penny")
    fake.set_member_roles(group["guild"], pending, [group["role:Member"]])  # sees #polls anyway
    refused = await vote(fake, pending, message, 0)
    assert "waiting for a worker" in (refused.content or "")

    south = await approved(fake, group, "Sol", area="South")
    north_only = await create_poll(fake, group, "North only?", audience="Area: North")
    outside = await vote(fake, south, north_only, 0)
    assert "members in North" in (outside.content or "")

    hidden = await slash(fake, sam, group["guild"], "poll results", {"poll": _id(message)})
    assert "hidden until it closes" in (hidden.content or "")

    clock.advance(timedelta(days=2))
    late = await vote(fake, sam, message, 1)
    assert "closed" in (late.content or "")
    await harness.run_due()
    posts = await fake.wait_for(lambda: results_posts(fake, group))
    assert len(posts) == 2  # both polls closed on time
    ours = next(p for p in posts if "Which evening" in everything_text(p))
    # One ballot in an anonymous poll: showing the choice would show Sam's vote.
    assert "Fewer than 3 people voted" in everything_text(ours)
    assert "Thursday** — 1 vote" not in everything_text(ours)
    assert "1 of 2 members voted" in everything_text(ours)
    assert ours["attachments"] == []
    closed = fake.message(int(message["id"]))
    assert custom_ids(closed) == [] and "closed" in everything_text(closed)
    await harness.run_due()
    assert len(results_posts(fake, group)) == 2


def _id(message: dict[str, Any]) -> int:
    for cid in custom_ids(message):
        if cid.startswith("poll:"):
            return int(cid.split(":")[2])
    raise AssertionError("not a poll message")


async def test_poll_closing_while_bot_is_down_closes_at_start_up_once(
    fake: FakeDiscord, harness: BotHarness, group: People, clock
) -> None:
    message = await create_poll(fake, group)
    sam = await approved(fake, group, "Sam")
    await vote(fake, sam, message, 1)
    await harness.stop()
    clock.advance(timedelta(days=3))
    await harness.start()
    posts = await fake.wait_for(lambda: results_posts(fake, group))
    assert "offline" in everything_text(posts[0])
    await harness.restart()
    await harness.run_due()
    assert len(results_posts(fake, group)) == 1


async def test_restart_between_two_votes_and_select_polls(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    buttons = await create_poll(fake, group)
    many = await create_poll(fake, group, "Pick topics", options="A;B;C;D;E;F", multiple=True)
    assert f"poll:pick:{_id(many)}" in custom_ids(many)
    seven = await create_poll(fake, group, "Seven?", options="1;2;3;4;5;6;7")
    assert [c for c in custom_ids(seven) if c.startswith("poll:vote:")] == []
    sam = await approved(fake, group, "Sam")
    kit = await approved(fake, group, "Kit")
    await vote(fake, sam, buttons, 0)
    await harness.restart()
    after = await vote(fake, kit, buttons, 1)
    assert "saved" in (after.content or "")
    picked = await answered(
        await fake.select(kit, int(many["id"]), f"poll:pick:{_id(many)}", ["0", "5"])
    )
    assert "A" in (picked.content or "") and "F" in (picked.content or "")
    with_select = f"poll:pick:{_id(seven)}"
    one = await answered(await fake.select(sam, int(seven["id"]), with_select, ["6"]))
    assert "**7**" in (one.content or "")
    with pytest.raises(ValueError, match="takes 1..1 values"):  # Discord refuses it first
        await fake.select(sam, int(seven["id"]), with_select, ["0", "1"])
    closed = await slash(fake, group.worker, group["guild"], "poll close", {"poll": _id(buttons)})
    assert "closed" in await settle(fake, closed)
    posts = await fake.wait_for(lambda: results_posts(fake, group))
    assert "2 of 2 members voted" in everything_text(posts[0])


async def test_bad_input_is_refused_kindly(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    cases = {
        "Only one": "at least 2",
        ";".join(f"Option {i}" for i in range(11)): "at most 10",
        "Yes; No; yes": "appears twice",
        "Fine; " + "x" * 81: "too long",
    }
    for options, message in cases.items():
        handle = await slash(
            fake,
            group.worker,
            group["guild"],
            "poll create",
            {"question": "Q?", "closes": "2d", "options": options},
        )
        assert handle.ephemeral and message in (handle.content or ""), handle.content
    closing = {"2020-01-01 10:00": "in the past", "2031-01-01 10:00": "90 days", "whenever": "3d"}
    for closes, message in closing.items():
        handle = await slash(
            fake,
            group.worker,
            group["guild"],
            "poll create",
            {"question": "Q?", "closes": closes, "options": "a;b"},
        )
        assert handle.ephemeral and message in (handle.content or ""), handle.content
    assert fake.messages_in(group["#polls"]) == []
    sam = await approved(fake, group, "Sam")
    handle = await slash(
        fake,
        sam,
        group["guild"],
        "poll create",
        {"question": "Q?", "closes": "2d", "options": "a;b"},
    )
    assert "Only participation workers" in (handle.content or "")


async def test_create_with_a_form(fake: FakeDiscord, harness: BotHarness, group: People) -> None:
    handle = await slash(
        fake, group.worker, group["guild"], "poll create", {"question": "Long one?", "closes": "1d"}
    )
    assert handle.modal is not None
    done = await answered(
        await fake.submit_modal(
            group.worker, handle, {"poll:create:options": "First option\nSecond option"}
        )
    )
    assert "posted" in (done.content or "")
    posted = fake.messages_in(group["#polls"])[-1]
    assert "Second option" in everything_text(posted)
    assert attachments_of(done) == []


async def test_two_workers_with_the_form_open_keep_their_own_settings(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    other = fake.create_user("worker2", "Wyn")
    fake.add_member(group["guild"], other, [group["role:Worker"]])
    await fake.wait_for(lambda: harness.bot.get_guild(group["guild"]).get_member(other))
    first = await slash(
        fake, group.worker, group["guild"], "poll create", {"question": "Mine?", "closes": "1d"}
    )
    second = await slash(
        fake,
        other,
        group["guild"],
        "poll create",
        {"question": "Theirs?", "closes": "2d", "anonymous": False},
    )
    assert first.modal is not None and second.modal is not None
    assert first.modal.custom_id != second.modal.custom_id
    await answered(await fake.submit_modal(group.worker, first, {"poll:create:options": "a\nb"}))
    await answered(await fake.submit_modal(other, second, {"poll:create:options": "c\nd"}))
    posted = [everything_text(m) for m in fake.messages_in(group["#polls"])]
    mine = next(t for t in posted if "Mine?" in t)
    theirs = next(t for t in posted if "Theirs?" in t)
    assert "anonymous" in mine.lower()
    assert "named" in theirs.lower() or "anonymous" not in theirs.lower()


_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=120
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    question=st.one_of(_TEXT, st.text(min_size=290, max_size=310)),
    options=st.lists(st.one_of(_TEXT, st.text(min_size=78, max_size=82)), max_size=12),
    closes=st.sampled_from(["1h", "3d", "95d", "yesterday 5pm", "2027-01-10 17:00", "??"]),
)
async def test_anything_typed_into_poll_create_gets_a_kind_answer(
    fake: FakeDiscord, harness: BotHarness, group: People, question, options, closes
) -> None:
    handle = await slash(
        fake,
        group.worker,
        group["guild"],
        "poll create",
        {"question": question or "?", "options": ";".join(options) or "-", "closes": closes},
    )
    text = handle.content or ""
    assert handle.ephemeral and text, text
    assert "went wrong" not in text, text
