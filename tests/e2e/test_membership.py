"""Sign-up and membership through the stand-in: what people see and what is stored."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from bot.db.models import Member
from bot.sandbox.driver import button_on
from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved, click, join, start_join
from tests.e2e.harness import (
    BotHarness,
    People,
    answered,
    attachments_of,
    everything_text,
    slash,
)


def _button(message: dict, prefix: str) -> dict:
    """Return the button on a message whose custom id starts with prefix."""
    for row in message.get("components") or []:
        for item in row.get("components") or []:
            if str(item.get("custom_id", "")).startswith(prefix):
                return item
    raise AssertionError(f"no {prefix!r} button on the message")


async def _member(harness: BotHarness, user_id: int) -> Member | None:
    async with harness.services.db() as s:
        return await s.scalar(select(Member).where(Member.user_id == user_id))


async def test_join_pending_approve_roles_and_welcome(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = fake.create_user("sam", "Sam")
    fake.add_member(group["guild"], user)
    consent = await start_join(fake, group, user, pronouns="they/them")
    assert consent.ephemeral
    assert "What we keep and why" in (consent.content or "")
    # Choose an adjustment before agreeing.
    message = consent.original
    assert message is not None
    await answered(await fake.select(user, int(message["id"]), "join:adjustments", ["captions"]))
    card = await join_after_consent(fake, group, user, message)
    stored = await _member(harness, user)
    assert stored is not None and stored.status == "pending"
    assert stored.adjustments == ["captions"] and stored.pronouns == "they/them"
    assert "Sam" in everything_text(card) and "Captions" in everything_text(card)

    handle = await click(fake, group.worker, card, "signup:approve:")
    assert handle.callback_type == 7  # the card itself was updated
    assert "approved" in everything_text(fake.message(int(card["id"])))
    await fake.wait_for(
        lambda: {group["role:Member"], group["role:Level: Consultation"]}
        <= {int(r) for r in fake.member(group["guild"], user)["roles"]}
    )
    await fake.wait_for(
        lambda: any(
            f"<@{user}>" in (m.get("content") or "") for m in fake.messages_in(group["#welcome"])
        )
    )
    await fake.wait_for(
        lambda: any("approved" in (m.get("content") or "") for m in fake.dm_messages(user))
    )
    stored = await _member(harness, user)
    assert stored is not None and stored.status == "approved"
    assert stored.level_key == "consultation"


async def join_after_consent(fake: FakeDiscord, group: People, user: int, message: dict) -> dict:
    before = len(fake.messages_in(group["#worker-log"]))
    handle = await answered(await fake.click(user, int(message["id"]), "join:agree"))
    assert "waiting" in (handle.content or "")
    await fake.wait_for(lambda: len(fake.messages_in(group["#worker-log"])) > before)
    return fake.messages_in(group["#worker-log"])[-1]


async def test_decline_with_reason(fake: FakeDiscord, harness: BotHarness, group: People) -> None:
    user = fake.create_user("dee", "Dee")
    fake.add_member(group["guild"], user)
    card = await join(fake, group, user, name="Dee")
    modal_handle = await click(fake, group.worker, card, "signup:decline:")
    assert modal_handle.modal is not None
    field = modal_handle.modal.fields[0]
    reason = "The group is full for your area this term; we'll invite you in January."
    done = await answered(
        await fake.submit_modal(group.worker, modal_handle, {field.custom_id: reason})
    )
    assert done.callback_type in (4, 7)
    await fake.wait_for(
        lambda: any(reason in (m.get("content") or "") for m in fake.dm_messages(user))
    )
    stored = await _member(harness, user)
    assert stored is not None and stored.status == "declined" and stored.decline_reason == reason
    roles = {int(r) for r in fake.member(group["guild"], user)["roles"]}
    assert group["role:Member"] not in roles


async def test_under_16_needs_carer_check_first(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = fake.create_user("kit", "Kit")
    fake.add_member(group["guild"], user)
    card = await join(fake, group, user, name="Kit", age_band="11-13")
    assert "parent or carer knows" in everything_text(card).lower()
    # The order is visible: Approve cannot be pressed until the check is confirmed.
    assert _button(card, "signup:carer:")["disabled"] is False
    assert _button(card, "signup:approve:").get("disabled") is True
    with pytest.raises(ValueError, match="disabled"):
        await click(fake, group.worker, card, "signup:approve:")
    assert (await _member(harness, user)).status == "pending"
    await click(fake, group.worker, card, "signup:carer:")
    card = fake.message(int(card["id"]))
    assert "confirmed" in everything_text(card)
    assert not _button(card, "signup:approve:").get("disabled")
    assert "signup:carer:" not in str(card["components"])
    await click(fake, group.worker, card, "signup:approve:")
    member = await _member(harness, user)
    assert member.status == "approved" and member.carer_aware_confirmed_by == group.worker


async def test_carer_gets_carer_role(fake: FakeDiscord, harness: BotHarness, group: People) -> None:
    user = await approved(fake, group, "Pat", i_am="Parent or carer", age_band="Parent or carer")
    roles = {int(r) for r in fake.member(group["guild"], user)["roles"]}
    assert group["role:Carer"] in roles and group["role:Member"] not in roles


async def test_non_worker_cannot_approve_and_double_click_approves_once(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = fake.create_user("ash", "Ash")
    fake.add_member(group["guild"], user)
    card = await join(fake, group, user, name="Ash")
    # Ordinary members cannot even see worker-log, nor can moderators (issue 10, finding 5:
    # they may be volunteers); the service refuses non-workers anyway (tests/services).
    nosy = fake.create_user("nosy")
    fake.add_member(group["guild"], nosy)
    assert not fake.visible_to(nosy, group["#worker-log"])
    assert not fake.visible_to(group.moderator, group["#worker-log"])
    assert (await _member(harness, user)).status == "pending"
    cid = button_on(card, "signup:approve:")
    first, second = await asyncio.gather(
        fake.click(group.worker, int(card["id"]), cid),
        fake.click(group.worker, int(card["id"]), cid),
    )
    await asyncio.gather(first.response(), second.response())
    outcomes = sorted([first.callback_type or 0, second.callback_type or 0])
    assert outcomes == [4, 7]  # one updated the card, the other was told it was done
    told = first if first.callback_type == 4 else second
    assert "already been approved" in (told.content or "")
    welcomes = [
        m for m in fake.messages_in(group["#welcome"]) if f"<@{user}>" in (m.get("content") or "")
    ]
    await asyncio.sleep(0.2)
    welcomes = [
        m for m in fake.messages_in(group["#welcome"]) if f"<@{user}>" in (m.get("content") or "")
    ]
    assert len(welcomes) == 1


async def test_two_people_join_at_the_same_moment(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    users = []
    for name in ("Ari", "Bo"):
        uid = fake.create_user(name.lower(), name)
        fake.add_member(group["guild"], uid)
        users.append(uid)
    consents = await asyncio.gather(
        *(start_join(fake, group, u, name=n) for u, n in zip(users, ("Ari", "Bo"), strict=True))
    )
    clicks = await asyncio.gather(
        *(
            fake.click(u, int(c.original["id"]), "join:agree")
            for u, c in zip(users, consents, strict=True)
        )
    )
    await asyncio.gather(*(c.response() for c in clicks))
    await fake.wait_for(lambda: len(fake.messages_in(group["#worker-log"])) >= 2)
    for uid in users:
        for _ in range(100):  # the card's id is saved just after it is posted
            member = await _member(harness, uid)
            if member is not None and member.card_message_id:
                break
            await asyncio.sleep(0.05)
        assert member is not None and member.status == "pending" and member.card_message_id


async def test_restart_between_join_and_approval(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = fake.create_user("rio", "Rio")
    fake.add_member(group["guild"], user)
    card = await join(fake, group, user, name="Rio")
    await harness.restart()
    handle = await click(fake, group.worker, card, "signup:approve:")
    assert handle.callback_type == 7
    assert (await _member(harness, user)).status == "approved"


async def test_non_member_using_member_commands(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    stranger = fake.create_user("stranger")
    fake.add_member(group["guild"], stranger)
    for command in ("profile show", "pause", "resume", "leave"):
        handle = await slash(fake, stranger, group["guild"], command)
        assert handle.ephemeral, command
        assert "/join" in (handle.content or ""), (command, handle.content)
    pending = fake.create_user("pending")
    fake.add_member(group["guild"], pending)
    await join(fake, group, pending, name="Penny")
    handle = await slash(fake, pending, group["guild"], "pause")
    assert "waiting for a worker" in (handle.content or "")


async def test_profile_pause_resume_leave(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = await approved(fake, group, "Lou")
    shown = await slash(fake, user, group["guild"], "profile show")
    assert shown.ephemeral and "Lou" in everything_text(shown.original)
    edited = await slash(fake, user, group["guild"], "profile edit", {"pronouns": "she/her"})
    assert "Saved" in (edited.content or "")
    assert (await _member(harness, user)).pronouns == "she/her"
    await slash(fake, user, group["guild"], "pause")
    assert (await _member(harness, user)).status == "paused"
    again = await slash(fake, user, group["guild"], "pause")
    assert "already on a break" in (again.content or "")
    await slash(fake, user, group["guild"], "resume")
    assert (await _member(harness, user)).status == "approved"
    ask = await slash(fake, user, group["guild"], "leave")
    await answered(await fake.click(user, int(ask.original["id"]), "confirm:yes"))
    await fake.wait_for(
        lambda: group["role:Member"]
        not in {int(r) for r in fake.member(group["guild"], user)["roles"]}
    )
    assert (await _member(harness, user)).status == "left"


async def test_mydata_holds_exactly_that_persons_data(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    mine = await approved(fake, group, "Mina", pronouns="she/her")
    other = await approved(fake, group, "Otto")
    await slash(fake, mine, group["guild"], "equality", {"gender": "Prefer not to say"})
    handle = await slash(fake, mine, group["guild"], "mydata")
    files = await fake.wait_for(lambda: attachments_of(handle))
    assert handle.ephemeral
    data = json.loads(fake.attachment_bytes(files[0]))
    assert data["profile"]["preferred_name"] == "Mina"
    assert data["profile"]["pronouns"] == "she/her"
    assert data["discord_user_id"] == str(mine)
    assert data["equality_monitoring"] == {"gender": "Prefer not to say"}
    raw = json.dumps(data)
    assert "Otto" not in raw and str(other) not in raw


async def test_forgetme_leaves_nothing_personal(
    fake: FakeDiscord, harness: BotHarness, group: People, db_url: str
) -> None:
    from tests.e2e.harness import table_dump
    from tests.e2e.test_membership_joining import join_with_note

    name = "Zephyrine"
    user = fake.create_user(name.lower(), name)
    fake.add_member(group["guild"], user)
    card = await join_with_note(
        fake, group, user, "Quiet room please", name=name, pronouns="xe/xem"
    )
    await click(fake, group.worker, card, "signup:approve:")
    await slash(fake, user, group["guild"], "equality", {"ethnicity": "Mixed"})
    ask = await slash(fake, user, group["guild"], "forgetme")
    done = await answered(await fake.click(user, int(ask.original["id"]), "confirm:yes"))
    assert "erased" in (done.content or "")
    await fake.wait_for(
        lambda: group["role:Member"]
        not in {int(r) for r in fake.member(group["guild"], user)["roles"]}
    )
    dump = await table_dump(db_url)
    needles = {str(user), name, "xe/xem", "Quiet room please"}
    for table, rows in dump.items():
        for row in rows:
            for value in row:
                text = str(value)
                for needle in needles:
                    assert needle not in text, f"{needle!r} left in {table}: {row}"
    # The sign-up card in #worker-log no longer shows who they were (redacted via the outbox).
    await fake.wait_for(
        lambda: any(
            "Erased at the person's request" in everything_text(m)
            for m in fake.messages_in(group["#worker-log"])
        )
    )
    card_texts = [everything_text(m) for m in fake.messages_in(group["#worker-log"])]
    assert not any(name in t for t in card_texts)
    handle = await slash(fake, user, group["guild"], "mydata")
    files = await fake.wait_for(lambda: attachments_of(handle))
    after = json.loads(fake.attachment_bytes(files[0]))
    assert after["profile"] is None and name not in json.dumps(after)
