"""Bad and unusual input through the real /join and /profile commands."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import Member
from bot.sandbox.fakediscord import CommandError, FakeDiscord
from tests.e2e.flows import JOIN_DEFAULTS, join
from tests.e2e.harness import BotHarness, People, answered, everything_text, slash

REFUSED = [
    ("    ", "can't be empty"),
    ("Sam\x07", "control character"),
    ("Sam\u202e", "control character"),
]
STORED_EXACTLY = ["Zoë 🌈✨", "Robert'); DROP TABLE members;--", 'O\'Brien "Bobby"', "李小龙"]


async def test_bad_names_get_a_clear_private_message(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = fake.create_user("tester", "Tester")
    fake.add_member(group["guild"], user)
    for name, expected in REFUSED:
        handle = await slash(fake, user, group["guild"], "join", {**JOIN_DEFAULTS, "name": name})
        assert handle.ephemeral
        assert expected in (handle.content or ""), (name[:20], handle.content)
        assert "Traceback" not in (handle.content or "")
    # Wrong choices typed by hand instead of picked from autocomplete.
    for field, value in (("age_band", "99"), ("area", "Atlantis")):
        handle = await slash(fake, user, group["guild"], "join", {**JOIN_DEFAULTS, field: value})
        assert handle.ephemeral and "Please choose" in (handle.content or "")
    # Over the limits Discord now enforces while typing: the bot is never sent them.
    with pytest.raises(CommandError, match="longer than 64"):
        await slash(fake, user, group["guild"], "join", {**JOIN_DEFAULTS, "name": "x" * 1000})
    with pytest.raises(CommandError, match="shorter than 1"):
        await slash(fake, user, group["guild"], "join", {**JOIN_DEFAULTS, "name": ""})
    consent = await slash(fake, user, group["guild"], "join", JOIN_DEFAULTS)
    note_form = await answered(
        await fake.click(user, int((consent.original or {})["id"]), "join:other")
    )
    assert note_form.modal is not None and note_form.modal.fields[0].max_length == 500
    with pytest.raises(ValueError, match="longer|500"):
        await fake.submit_modal(user, note_form, {note_form.modal.fields[0].custom_id: "n" * 501})
    async with harness.services.db() as s:
        assert await s.scalar(select(Member).where(Member.user_id == user)) is None


async def test_unusual_names_and_pronouns_at_the_limit_stored_exactly(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    pronouns = "p" * 40
    for index, name in enumerate(STORED_EXACTLY):
        user = fake.create_user(f"user{index}", f"User {index}")
        fake.add_member(group["guild"], user)
        card = await join(fake, group, user, name=name, pronouns=pronouns)
        assert card is not None
        async with harness.services.db() as s:
            member = await s.scalar(select(Member).where(Member.user_id == user))
        assert member is not None
        assert member.preferred_name == name
        assert member.pronouns == pronouns
    over = fake.create_user("over", "Over")
    fake.add_member(group["guild"], over)
    with pytest.raises(CommandError, match="longer than 40"):
        await slash(fake, over, group["guild"], "join", {**JOIN_DEFAULTS, "pronouns": "p" * 41})
    # Autocomplete offers the configured areas and age bands.
    choices = await fake.autocomplete(
        over, group["guild"], "join", {**JOIN_DEFAULTS, "area": ""}, focused="area"
    )
    assert {c["value"] for c in choices} >= {"North", "South"}


async def test_jargon_and_help(fake: FakeDiscord, harness: BotHarness, group: People) -> None:
    user = fake.create_user("curious", "Curious")
    fake.add_member(group["guild"], user)
    choices = await fake.autocomplete(user, group["guild"], "jargon", {}, focused="term")
    assert "CAMHS" in {c["value"] for c in choices}
    typed = await fake.autocomplete(
        user, group["guild"], "jargon", {"term": "co-p"}, focused="term"
    )
    assert [c["value"] for c in typed] == ["co-production"]
    handle = await slash(fake, user, group["guild"], "jargon", {"term": "camhs"})
    assert "Child and Adolescent Mental Health" in (handle.content or "")
    unknown = await slash(fake, user, group["guild"], "jargon", {"term": "flibbertigibbet"})
    assert unknown.ephemeral and "don't have an explanation" in (unknown.content or "")
    help_for_visitor = await slash(fake, user, group["guild"], "help")
    text = everything_text(help_for_visitor.original)
    assert "/join" in text and "/signups" not in text
    help_for_worker = await slash(fake, group.worker, group["guild"], "help")
    worker_text = "\n".join(
        everything_text(m) for m in (help_for_worker.original, *help_for_worker.followups)
    )
    assert "/signups" in worker_text and "/profile show" in worker_text


async def test_data_rights_work_in_dms_and_errors_get_a_reference(
    fake: FakeDiscord, harness: BotHarness, group: People, monkeypatch
) -> None:
    from tests.e2e.flows import approved
    from tests.e2e.harness import attachments_of

    user = await approved(fake, group, "Dana")
    handle = await slash(fake, user, None, "mydata")
    files = await fake.wait_for(lambda: attachments_of(handle))
    assert b'"Dana"' in fake.attachment_bytes(files[0])
    # Server-only commands are not offered in DMs.
    assert {c["name"] for c in fake.commands(None)} >= {"mydata", "forgetme", "help", "jargon"}
    assert "signups" not in {c["name"] for c in fake.commands(None)}

    async def broken(*_args: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(harness.services.membership, "pending", broken)
    failed = await slash(fake, group.worker, group["guild"], "signups")
    assert failed.ephemeral
    assert "something went wrong" in (failed.content or "") and "reference" in (
        failed.content or ""
    )
    assert "database on fire" not in (failed.content or "")


async def test_a_form_from_before_a_restart_says_it_expired(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    from bot.sandbox.driver import answered
    from tests.e2e.flows import start_join

    user = fake.create_user("late", "Late")
    fake.add_member(group["guild"], user)
    consent = await start_join(fake, group, user, name="Late")
    await harness.restart()
    message = consent.original
    assert message is not None
    handle = await answered(await fake.click(user, int(message["id"]), "join:agree"))
    assert handle.ephemeral and "expired" in (handle.content or "")
    async with harness.services.db() as s:
        assert await s.scalar(select(Member).where(Member.user_id == user)) is None
