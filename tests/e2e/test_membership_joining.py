"""Joining as a newcomer meets it: answers that guide, limits shown, one question each, news.

Issue 14, "Joining": each test drives the real /join, cards and forms through the stand-in.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import Member
from bot.sandbox.fakediscord import CommandError, FakeDiscord, Interaction
from bot.settings import Settings
from tests.e2e.flows import JOIN_DEFAULTS, click
from tests.e2e.harness import (
    BotHarness,
    People,
    answered,
    custom_ids,
    everything_text,
    slash,
    stand_in_settings,
)

TOWNS = {"Bradford": "North", "Keighley": "North", "Southampton": "South"}
MINE = {"join", "profile", "equality", "signups", "pause", "resume", "leave"}
MINE |= {"mydata", "forgetme", "setup", "help", "jargon"}


@pytest.fixture
def e2e_settings(db_url: str, fake: FakeDiscord, people: People) -> Settings:
    """Return the usual settings, with a few towns people may type for their area."""
    base = stand_in_settings(db_url, fake, people["guild"])
    return base.model_copy(
        update={"group": base.group.model_copy(update={"locality_aliases": TOWNS})}
    )


async def _member(harness: BotHarness, user_id: int) -> Member | None:
    async with harness.services.db() as s:
        return await s.scalar(select(Member).where(Member.user_id == user_id))


def _newcomer(fake: FakeDiscord, group: People, name: str) -> int:
    user = fake.create_user(name.lower(), name)
    fake.add_member(group["guild"], user)
    return user


async def _agree(fake: FakeDiscord, group: People, user: int, message: dict[str, Any]) -> dict:
    """Press I agree on a consent step; return the card that reaches #worker-log."""
    before = len(fake.messages_in(group["#worker-log"]))
    handle = await answered(await fake.click(user, int(message["id"]), "join:agree"))
    assert "waiting" in (handle.content or ""), handle.content
    cards = await fake.wait_for(
        lambda: len(fake.messages_in(group["#worker-log"])) > before
        and fake.messages_in(group["#worker-log"])
    )
    return cards[-1]


async def join_with_note(
    fake: FakeDiscord, group: People, user: int, note: str, **options: Any
) -> dict:
    """Join, giving an adjustment in their own words on the consent step; return the card."""
    consent = await slash(fake, user, group["guild"], "join", {**JOIN_DEFAULTS, **options})
    message = consent.original
    assert message is not None, consent.content
    form = await answered(await fake.click(user, int(message["id"]), "join:other"))
    assert form.modal is not None
    await answered(await fake.submit_modal(user, form, {form.modal.fields[0].custom_id: note}))
    return await _agree(fake, group, user, fake.message(int(message["id"])))


async def _note_on(
    fake: FakeDiscord, group: People, user: int, message: dict[str, Any], note: str
) -> dict:
    """Add words on an open consent step (choices already made stay), then agree."""
    form = await answered(await fake.click(user, int(message["id"]), "join:other"))
    assert form.modal is not None
    shown = await answered(
        await fake.submit_modal(user, form, {form.modal.fields[0].custom_id: note})
    )
    assert f"You told us: {note}" in (shown.content or "")
    return await _agree(fake, group, user, fake.message(int(message["id"])))


async def test_typing_an_age_or_a_town_offers_the_answer_it_means(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = _newcomer(fake, group, "Ash")

    async def offered(field: str, typed: str) -> list[tuple[str, str]]:
        options = {**JOIN_DEFAULTS, field: typed}
        found = await fake.autocomplete(user, group["guild"], "join", options, focused=field)
        return [(c["name"], c["value"]) for c in found]

    assert await offered("age_band", "19") == [("18-21 (you typed 19)", "18-21")]
    assert await offered("age_band", "I'm 14") == [("14-15 (you typed 14)", "14-15")]
    assert [v for _, v in await offered("age_band", "carer")] == ["Parent or carer"]
    assert await offered("area", "brad") == [("North (includes Bradford)", "North")]
    assert await offered("area", "south") == [("South", "South")]
    assert [v for _, v in await offered("area", "onl")] == ["Online only"]
    # Nothing fits: every answer is offered rather than an empty list.
    assert len(await offered("area", "Narnia")) == 5
    # Typed and sent without picking: an age and a town are understood, and shown back.
    consent = await slash(
        fake, user, group["guild"], "join", {**JOIN_DEFAULTS, "age_band": "19", "area": "keighley"}
    )
    assert "18-21" in (consent.content or "") and "North" in (consent.content or "")
    await _agree(fake, group, user, consent.original or {})
    stored = await _member(harness, user)
    assert stored is not None and (stored.age_band, stored.locality) == ("18-21", "North")


async def _fix(fake: FakeDiscord, user: int, handle: Interaction, value: str) -> Interaction:
    """Pick the right answer from the list offered with a refusal."""
    message = handle.original
    assert message is not None
    [picker] = [c for c in custom_ids(message) if c.startswith("join:fix:")]
    return await answered(await fake.select(user, int(message["id"]), picker, [value]))


async def test_a_wrong_answer_is_changed_alone_and_the_rest_are_kept(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = _newcomer(fake, group, "Bea")
    options = {**JOIN_DEFAULTS, "name": "Bea", "age_band": "99", "area": "Atlantis"}
    refused = await slash(fake, user, group["guild"], "join", options)
    assert refused.ephemeral and "Please choose an age band" in (refused.content or "")
    assert "other answers are kept" in (refused.content or "")
    fixed_age = await _fix(fake, user, refused, "22-25")
    assert fixed_age.callback_type == 7  # the same private message, changed in place
    assert "Please choose an area" in (fixed_age.content or "")
    consent = await _fix(fake, user, refused, "West")
    text = consent.content or ""
    assert "Hi Bea" in text and "22-25" in text and "West" in text and "What we keep" in text
    # A hidden character in the name: a form holding what was typed, to change just that.
    other = _newcomer(fake, group, "Cy")
    bad_name = await slash(fake, other, group["guild"], "join", {**JOIN_DEFAULTS, "name": "Cy\x07"})
    assert "control character" in (bad_name.content or "")
    form = await answered(await fake.click(other, int(bad_name.original["id"]), "join:fix:text"))
    assert form.modal is not None and form.modal.fields[0].value == "Cy\x07"
    named = await answered(
        await fake.submit_modal(other, form, {form.modal.fields[0].custom_id: "Cy"})
    )
    assert "Hi Cy" in (named.content or "") and "16-17" in (named.content or "")
    await _agree(fake, group, user, fake.message(int(refused.original["id"])))
    stored = await _member(harness, user)
    assert stored is not None
    assert (stored.preferred_name, stored.age_band, stored.locality) == ("Bea", "22-25", "West")


def _options(command: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Return every leaf option of a command, named by its path."""
    found: list[tuple[str, dict[str, Any]]] = []
    for option in command.get("options") or []:
        if option["type"] in (1, 2):
            for path, leaf in _options(option):
                found.append((f"{option['name']} {path}", leaf))
        else:
            found.append((option["name"], option))
    return found


async def test_every_option_declares_the_limits_discord_enforces(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    synced = [*fake.commands(group["guild"]), *fake.commands(None)]
    commands = {c["name"]: c for c in synced if c.get("type", 1) == 1}
    assert set(commands) >= MINE
    unlimited = []
    for name in sorted(MINE):
        for path, option in _options(commands[name]):
            if option.get("choices"):
                continue  # Discord only lets people pick one of them
            text_open = option["type"] == 3 and not (
                option.get("min_length") and option.get("max_length")
            )
            number_open = option["type"] in (4, 10) and (
                option.get("min_value") is None or option.get("max_value") is None
            )
            if text_open or number_open:
                unlimited.append(f"/{name} {path}")
    assert unlimited == []
    join = dict(_options(commands["join"]))
    assert (join["name"]["min_length"], join["name"]["max_length"]) == (1, 64)
    assert join["pronouns"]["max_length"] == 40
    # Discord stops a 1,000-character name while it is typed; the bot never has to refuse it.
    user = _newcomer(fake, group, "Dov")
    with pytest.raises(CommandError, match="longer than 64"):
        await slash(fake, user, group["guild"], "join", {**JOIN_DEFAULTS, "name": "x" * 1000})


async def test_adjustments_are_asked_once_and_stored_once(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    join = {c["name"]: c for c in fake.commands(group["guild"])}["join"]
    assert "adjustments_note" not in {name for name, _ in _options(join)}
    user = _newcomer(fake, group, "Eli")
    consent = await slash(fake, user, group["guild"], "join", {**JOIN_DEFAULTS, "name": "Eli"})
    message = consent.original or {}
    await answered(await fake.select(user, int(message["id"]), "join:adjustments", ["captions"]))
    card = await _note_on(fake, group, user, message, "Quiet room please")
    assert "Captions or a transcript" in everything_text(card)
    assert "Quiet room please" in everything_text(card)
    stored = await _member(harness, user)
    assert stored is not None
    assert (stored.adjustments, stored.adjustments_note) == (["captions"], "Quiet room please")
    # Naming a listed adjustment in their own words stores it once, in the list.
    other = _newcomer(fake, group, "Flo")
    await join_with_note(fake, group, other, "Regular breaks.", name="Flo")
    stored = await _member(harness, other)
    assert stored is not None and (stored.adjustments, stored.adjustments_note) == (
        ["breaks"],
        None,
    )


async def test_the_private_reply_is_updated_when_a_worker_decides(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    replies = {}
    cards = {}
    for name in ("Gus", "Hal", "Ivy"):
        user = _newcomer(fake, group, name)
        consent = await slash(fake, user, group["guild"], "join", {**JOIN_DEFAULTS, "name": name})
        cards[name] = await _agree(fake, group, user, consent.original or {})
        replies[name] = (user, int((consent.original or {})["id"]))
        waiting = fake.message(replies[name][1])["content"]
        assert "this message will change" in waiting
    await click(fake, group.worker, cards["Gus"], "signup:approve:")
    await fake.wait_for(lambda: "approved" in fake.message(replies["Gus"][1])["content"])
    assert "#polls" in fake.message(replies["Gus"][1])["content"]
    decline = await click(fake, group.worker, cards["Hal"], "signup:decline:")
    assert decline.modal is not None
    reason = "The group is full this term; we'll invite you in January."
    await answered(
        await fake.submit_modal(group.worker, decline, {decline.modal.fields[0].custom_id: reason})
    )
    await fake.wait_for(lambda: reason in fake.message(replies["Hal"][1])["content"])
    # After Discord's 15 minutes the reply cannot be edited: the DM carries the news instead.
    harness.clock.advance(timedelta(minutes=16))
    await click(fake, group.worker, cards["Ivy"], "signup:approve:")
    ivy = replies["Ivy"][0]
    await fake.wait_for(
        lambda: any("approved" in (m.get("content") or "") for m in fake.dm_messages(ivy))
    )
    await harness.run_due()
    assert "waiting" in fake.message(replies["Ivy"][1])["content"]
    assert await harness.services.outbox.failures(group["guild"]) == []


async def test_waiting_people_are_told_what_opens_once_approved(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = _newcomer(fake, group, "Jem")
    consent = await slash(fake, user, group["guild"], "join", {**JOIN_DEFAULTS, "name": "Jem"})
    await _agree(fake, group, user, consent.original or {})
    waiting = fake.message(int((consent.original or {})["id"]))["content"]
    assert "can't see #sessions, #polls and #peer-support" in waiting
    assert "open to you once you are approved" in waiting
    again = await slash(fake, user, group["guild"], "join", {**JOIN_DEFAULTS, "name": "Jem"})
    assert "#polls" in (again.content or "") and "approved" in (again.content or "")
    # #welcome, which everyone sees, says the same before anyone joins.
    [welcome] = fake.messages_in(group["#welcome"])
    assert "#polls" in welcome["content"] and "approves your sign-up" in welcome["content"]
    topic = next(c for c in fake.guild_channels(group["guild"]) if c["name"] == "welcome")
    assert "once a worker approves your sign-up" in topic["topic"]
