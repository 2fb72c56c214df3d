"""Per-server settings: validated as the TOML is, merged over the defaults, kept per server."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import AuditEntry, ServerSetting
from bot.services.access import Actor
from bot.services.container import Services, build_services
from bot.services.errors import InvalidInput, NotAllowed
from bot.settings import DEFAULT_CONFIG_DIR, ConfigError, Settings, load_settings
from tests.conftest import ADMIN, GUILD, MODERATOR, WORKER
from tests.services.helpers import set_up_guild

OTHER = Actor(user_id=800000000000000009, guild_id=GUILD + 1, is_admin=True)


def _toml_check_message(tmp_path: Path, extra: str) -> str:
    """Return the message `load_settings` gives for the same bad value in local.toml."""
    folder = tmp_path / "cfg"
    shutil.copytree(DEFAULT_CONFIG_DIR, folder)
    (folder / "local.toml").write_text(extra, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(folder, database_url="sqlite+aiosqlite://")
    return str(caught.value)


async def test_a_servers_edit_is_its_own_and_merged_over_the_defaults(
    services: Services,
) -> None:
    await services.server_settings.edit(
        ADMIN, "group", 'localities = ["Canterbury", "Thanet"]\nlocality_aliases = {}'
    )
    mine = services.group_sessions.settings_for(GUILD)
    assert mine.group.localities == ["Canterbury", "Thanet"]
    # Keys left out keep the deployment's value; other servers keep the defaults.
    assert mine.group.age_bands == services.settings.group.age_bands
    assert services.support.requests.settings_for(OTHER.guild_id).group.localities == (
        services.settings.group.localities
    )
    assert services.settings.group.localities != ["Canterbury", "Thanet"]
    shown = await services.server_settings.view(ADMIN, "group")
    assert shown[0].overridden and "Canterbury" in shown[0].toml
    # Only what differs from the default is stored.
    export = await services.server_settings.export(ADMIN)
    assert "Canterbury" in export and "age_bands" not in export


async def test_a_bad_value_gets_the_toml_checks_message_and_changes_nothing(
    services: Services, tmp_path: Path
) -> None:
    expected = _toml_check_message(tmp_path, "[support]\nreraise_after_minutes = 0\n")
    with pytest.raises(InvalidInput) as caught:
        await services.server_settings.edit(ADMIN, "support", "reraise_after_minutes = 0")
    assert caught.value.message == expected
    assert expected.startswith("config: support.reraise_after_minutes: ")
    with pytest.raises(InvalidInput, match="not valid TOML"):
        await services.server_settings.edit(ADMIN, "support", "reraise_after_minutes = ")
    async with services.db() as s:
        assert (await s.scalars(select(ServerSetting))).all() == []
    assert services.support.requests.settings_for(GUILD) is services.settings


async def test_a_ladder_rule_broken_is_refused_like_the_toml(
    services: Services, tmp_path: Path
) -> None:
    bad = (
        '[[levels]]\nkey = "a"\nname = "A"\ndescription = "x"\npaid = true\n'
        '[[levels]]\nkey = "b"\nname = "B"\ndescription = "y"\n'
    )
    expected = _toml_check_message(tmp_path, bad.replace("[[levels]]", "[[ladder.levels]]"))
    with pytest.raises(InvalidInput) as caught:
        await services.server_settings.edit(ADMIN, "ladder", bad)
    assert caught.value.message == expected and "hourly_rate_pence" in expected


async def test_only_admins_and_workers(services: Services) -> None:
    await set_up_guild(services)
    with pytest.raises(NotAllowed, match="Only server admins"):
        await services.server_settings.view(MODERATOR)
    with pytest.raises(NotAllowed, match="Only server admins"):
        await services.server_settings.edit(MODERATOR, "bulletin", "day_of_month = 3")
    changed = await services.server_settings.edit(WORKER, "bulletin", "day_of_month = 3")
    assert changed.overridden
    assert services.bulletin.settings_for(GUILD).bulletin.day_of_month == 3


async def test_reset_and_an_edit_back_to_the_default_clear_the_override(
    services: Services,
) -> None:
    await services.server_settings.edit(ADMIN, "bulletin", "day_of_month = 3")
    assert await services.server_settings.reset(ADMIN, "bulletin") is True
    assert services.bulletin.settings_for(GUILD).bulletin.day_of_month == 1
    assert await services.server_settings.reset(ADMIN, "bulletin") is False
    await services.server_settings.edit(ADMIN, "bulletin", "day_of_month = 1")
    assert not (await services.server_settings.view(ADMIN, "bulletin"))[0].overridden
    async with services.db() as s:
        actions = (await s.scalars(select(AuditEntry.detail))).all()
    assert "bulletin settings changed" in actions
    assert "bulletin settings reset to default" in actions


async def test_another_process_sees_an_edit_after_a_refresh(
    settings: Settings, services: Services, clock: ManualClock
) -> None:
    other_settings = settings.model_copy()
    other = build_services(other_settings, services.db, clock)
    assert await other.server_settings.load() == 0
    await services.server_settings.edit(ADMIN, "glossary", 'CAMHS = "Our own words."')
    assert other.support.requests.settings_for(GUILD).glossary != {"CAMHS": "Our own words."}
    assert await other.server_settings.refresh() == 1
    assert other.support.requests.settings_for(GUILD).glossary == {"CAMHS": "Our own words."}
    assert await other.server_settings.refresh() == 0  # read again, nothing new
    clock.advance(timedelta(minutes=30))
    await services.server_settings.reset(ADMIN, "glossary")
    await other.server_settings.refresh()
    assert other.support.requests.settings_for(GUILD).glossary == settings.glossary


async def test_a_crisis_set_replaces_only_the_crisis_resources(services: Services) -> None:
    await services.server_settings.edit(ADMIN, "support", 'hours_start = "10:00"')
    await services.server_settings.apply_crisis_set(ADMIN, "scotland")
    support = services.support.requests.settings_for(GUILD).support
    names = [r.name for r in support.crisis_resources]
    assert "Breathing Space" in names and "NHS 24" in names
    assert support.hours_start == "10:00"
    with pytest.raises(InvalidInput):
        await services.server_settings.apply_crisis_set(ADMIN, "atlantis")


@pytest.mark.parametrize("nation", ["england", "wales", "scotland", "northern_ireland"])
async def test_every_crisis_set_is_valid(services: Services, nation: str) -> None:
    changed = await services.server_settings.apply_crisis_set(ADMIN, nation)
    assert changed.overridden
    details = " ".join(
        r.detail for r in services.support.requests.settings_for(GUILD).support.crisis_resources
    )
    assert "116 123" in details and "999" in details


async def test_the_person_who_changed_settings_sees_it_in_their_data_and_is_forgotten(
    services: Services,
) -> None:
    from bot.services.settings import SettingsPersonalData

    await services.server_settings.edit(ADMIN, "bulletin", "day_of_month = 5")
    data = SettingsPersonalData()
    async with services.db.begin() as s:
        mine = await data.export(s, GUILD, ADMIN.user_id, 0)
        assert [row["section"] for row in mine] == ["bulletin"]
        await data.erase(s, GUILD, ADMIN.user_id, 0)
    async with services.db.begin() as s:
        assert await data.export(s, GUILD, ADMIN.user_id, 0) == []
    assert services.bulletin.settings_for(GUILD).bulletin.day_of_month == 5


def test_the_config_folder_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "deployment"
    shutil.copytree(DEFAULT_CONFIG_DIR, folder)
    (folder / "local.toml").write_text('[group]\nname = "Medway Voices"\n', encoding="utf-8")
    monkeypatch.setenv("PARTICIPATION_CONFIG_DIR", str(folder))
    assert load_settings(database_url="sqlite+aiosqlite://").group.name == "Medway Voices"
    monkeypatch.setenv("PARTICIPATION_CONFIG_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match="default.toml is missing"):
        load_settings(database_url="sqlite+aiosqlite://")


async def test_a_server_with_its_own_bulletin_day_gets_it_on_that_day(
    services: Services, clock: ManualClock
) -> None:
    from datetime import UTC, datetime

    await set_up_guild(services)
    await services.server_settings.edit(ADMIN, "bulletin", 'day_of_month = 3\ntime = "12:00"')
    own_day = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert await services.bulletin.next_due() == own_day
    clock.set(datetime(2026, 12, 1, 10, 30, tzinfo=UTC))  # the default day: not this server's
    assert await services.bulletin.take_due(clock.now()) == []
    clock.set(own_day)
    sent = await services.bulletin.take_due(clock.now())
    assert [e.month for e in sent] == ["2026-12"]
    assert await services.bulletin.next_due() == datetime(2027, 1, 3, 12, 0, tzinfo=UTC)


async def test_a_ladder_cannot_drop_a_level_members_are_at(services: Services) -> None:
    from tests.services.helpers import approved_member

    await set_up_guild(services)
    await approved_member(services, 900000000000000007, "Ana")
    renamed = '[[levels]]\nkey = "consultation"\nname = "Our Voice"\ndescription = "Views."\n'
    with pytest.raises(InvalidInput, match="consultation"):
        await services.server_settings.edit(
            ADMIN, "ladder", renamed.replace('"consultation"', '"voice"')
        )
    await services.server_settings.edit(ADMIN, "ladder", renamed)
    ladder = services.engagement.progress.ladder_for(GUILD)
    assert [level.name for level in ladder.levels] == ["Our Voice"]


async def test_a_servers_own_crisis_phrases_are_checked_only_there(services: Services) -> None:
    phrase = "lantern has gone out"
    assert services.support.flags.check(f"my {phrase}", GUILD) is None
    await services.server_settings.edit(ADMIN, "safeguarding", f'phrases = ["{phrase}"]')
    assert services.support.flags.check(f"my {phrase}", GUILD) is not None
    assert services.support.flags.check(f"my {phrase}", OTHER.guild_id) is None
