"""/settings through Discord: view, edit in a form, refusals, reset, export, crisis sets."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db.models import AuditEntry, ServerSetting
from bot.sandbox.driver import custom_ids, press
from bot.sandbox.fakediscord import FakeDiscord
from bot.settings import DEFAULT_CONFIG_DIR, ConfigError, load_settings
from tests.e2e.harness import BotHarness, People, answered, attachments_of, settle, slash


def _toml_check(tmp_path: Path, local: str) -> str:
    """Return what `participation-bot check` says of the same value in local.toml."""
    folder = tmp_path / "cfg"
    shutil.copytree(DEFAULT_CONFIG_DIR, folder)
    (folder / "local.toml").write_text(local, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(folder, database_url="sqlite+aiosqlite://")
    return str(caught.value)


async def _edit(fake: FakeDiscord, user: int, guild: int, section: str, text: str) -> str:
    """Open /settings edit, replace the form's TOML with `text`, send it; return the reply."""
    opened = await slash(fake, user, guild, "settings edit", {"section": section})
    assert opened.modal is not None, opened.content
    sent = await answered(await fake.submit_modal(user, opened, {"settings:toml": text}))
    return await settle(fake, sent)


async def test_an_admin_views_and_edits_and_it_applies_at_once(
    fake: FakeDiscord, harness: BotHarness, group: People, tmp_path: Path
) -> None:
    guild = group["guild"]
    summary = await slash(fake, group.admin, guild, "settings view")
    assert summary.ephemeral
    text = summary.content or ""
    assert "**support**" in text and "*the default*" in text

    # The form holds the section's current value as TOML.
    opened = await slash(fake, group.admin, guild, "settings edit", {"section": "bulletin"})
    assert opened.modal is not None
    (field,) = opened.modal.fields
    assert "day_of_month = 1" in (field.value or "")

    said = await _edit(fake, group.admin, guild, "bulletin", "day_of_month = 9\n")
    assert "own **bulletin** settings" in said
    assert harness.services.bulletin.settings_for(guild).bulletin.day_of_month == 9
    shown = await slash(fake, group.admin, guild, "settings view", {"section": "bulletin"})
    assert "day_of_month = 9" in (shown.content or "")
    assert "this server's own" in (shown.content or "")

    # A bad value is refused privately with the TOML check's words, and nothing changes.
    expected = _toml_check(tmp_path, "[bulletin]\nday_of_month = 40\n")
    refused = await _edit(fake, group.admin, guild, "bulletin", "day_of_month = 40\n")
    assert refused == expected
    assert refused.startswith("config: bulletin.day_of_month: ")
    bad_toml = await _edit(fake, group.admin, guild, "bulletin", "day_of_month = [\n")
    assert "is not valid TOML" in bad_toml
    assert harness.services.bulletin.settings_for(guild).bulletin.day_of_month == 9

    async with harness.services.db() as s:
        audited = (
            await s.scalars(select(AuditEntry.detail).where(AuditEntry.action.like("settings.%")))
        ).all()
    assert audited == ["bulletin settings changed"]


async def test_a_member_and_a_moderator_are_refused_privately(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild = group["guild"]
    sam = fake.create_user("sam", "Sam")
    fake.add_member(guild, sam)
    await fake.wait_for(lambda: harness.bot.get_guild(guild).get_member(sam))
    for who in (sam, group.moderator):
        for name, options in (
            ("settings view", None),
            ("settings edit", {"section": "support"}),
            ("settings export", None),
            ("settings crisis", {"nation": "wales"}),
        ):
            handle = await slash(fake, who, guild, name, options)
            assert handle.modal is None
            assert handle.ephemeral and "Only server admins" in await settle(fake, handle)
    async with harness.services.db() as s:
        assert (await s.scalars(select(ServerSetting))).all() == []
    # A worker may (they run the group).
    allowed = await slash(fake, group.worker, guild, "settings view")
    assert "**group**" in (allowed.content or "")


async def test_reset_asks_first_and_export_gives_a_toml_file(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild = group["guild"]
    await _edit(fake, group.admin, guild, "group", 'localities = ["Medway"]\nlocality_aliases = {}')
    exported = await slash(fake, group.admin, guild, "settings export")
    (file,) = attachments_of(exported)
    assert file["filename"] == "server-settings.toml"
    data = tomllib.loads(fake.attachment_bytes(file).decode())
    assert data["group"]["localities"] == ["Medway"]
    # It drops into a config folder as local.toml.
    assert "age_bands" not in data["group"]

    asked = await slash(fake, group.admin, guild, "settings reset", {"section": "group"})
    assert asked.original is not None and "confirm:yes" in custom_ids(asked.original)
    kept = await press(fake, group.admin, asked.original, "confirm:no")
    assert "nothing has changed" in await settle(fake, kept)
    assert harness.services.membership.settings_for(guild).group.localities == ["Medway"]

    asked = await slash(fake, group.admin, guild, "settings reset", {"section": "group"})
    assert asked.original is not None
    done = await press(fake, group.admin, asked.original, "confirm:yes")
    assert "back to the default" in await settle(fake, done)
    assert harness.services.membership.settings_for(guild).group.localities == (
        harness.services.settings.group.localities
    )
    again = await slash(fake, group.admin, guild, "settings reset", {"section": "group"})
    assert "already the default" in (again.content or "")


async def test_a_crisis_set_and_a_long_section_from_a_file(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild = group["guild"]
    applied = await slash(fake, group.admin, guild, "settings crisis", {"nation": "wales"})
    said = await settle(fake, applied)
    assert "CALL Mental Health Listening Line" in said and "0800 132 737" in said
    support = harness.services.support.requests.settings_for(guild).support
    assert any("0800 132 737" in r.detail for r in support.crisis_resources)

    glossary = "".join(f'"term {i}" = "{"a long explanation " * 5}"\n' for i in range(60))
    assert len(glossary) > 4000
    upload = fake.upload_attachment("glossary.toml", glossary.encode())
    handle = await slash(
        fake, group.admin, guild, "settings edit", {"section": "glossary", "file": upload}
    )
    assert "own **glossary** settings" in await settle(fake, handle)
    assert len(harness.services.membership.settings_for(guild).glossary) == 60
    # Too long for a form: the form is not offered, and the way round is explained.
    refused = await slash(fake, group.admin, guild, "settings edit", {"section": "glossary"})
    assert refused.modal is None and "/settings export" in (refused.content or "")
    shown = await slash(fake, group.admin, guild, "settings view", {"section": "glossary"})
    (file,) = attachments_of(shown)
    assert file["filename"] == "glossary.toml"
