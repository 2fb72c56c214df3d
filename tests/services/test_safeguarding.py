"""The crisis-pattern matcher, its configuration, flagged messages and reports."""

from __future__ import annotations

import asyncio
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.db.models import SupportRequest
from bot.group_config import SafeguardingConfig
from bot.services.access import Actor
from bot.services.container import Services
from bot.services.errors import InvalidInput, NotAllowed
from bot.services.support.safeguarding import SafeguardingMatcher
from bot.settings import (
    DEFAULT_CONFIG_DIR,
    ConfigError,
    Settings,
    load_settings,
)
from tests.conftest import GUILD, MODERATOR, MODERATOR_ROLE
from tests.services.helpers import approved_member, set_up_guild

CRISIS = [
    "I want to kill myself",
    "i want to KILL   MYSELF tonight",
    "honestly I just want to die",
    "I’ve been thinking about suicide a lot",
    "I'm feeling suicidal again",
    "I've been self harming again",
    "I self-harm when it gets bad",
    "selfharm",
    "I cut myself last night",
    "everyone would be better off without me",
    "I cant go on like this",
    "I can’t go on",
    "I don’t want to be here anymore",
    "I dont want to be alive",
    "I'm going to take all my pills",
    "I took the tablets",
    "I won't be around tomorrow",
    "I took an overdose",
    "there's no reason to live",
    "this homework is killing me and honestly I want to die",
    "I want to unalive myself",
    "I want to\nkill myself",
]
BENIGN = [
    "this homework is killing me",
    "the traffic was killing me today",
    "I was dying of laughter",
    "I'm killing myself laughing at this",
    "I could die of embarrassment",
    "Suicide Squad is on tonight",
    "I went to the skills myself workshop",
    "see you all at the session on Tuesday!",
    "I'm feeling a bit better today, thanks everyone",
    "exams are stressful but I'll be fine",
    "",
]


@pytest.fixture(scope="module")
def matcher() -> SafeguardingMatcher:
    return SafeguardingMatcher(load_settings(database_url="sqlite+aiosqlite://").safeguarding)


@pytest.mark.parametrize("text", CRISIS)
def test_default_list_catches(matcher: SafeguardingMatcher, text: str) -> None:
    assert matcher.check(text) is not None, text


@pytest.mark.parametrize("text", BENIGN)
def test_default_list_lets_figures_of_speech_through(
    matcher: SafeguardingMatcher, text: str
) -> None:
    assert matcher.check(text) is None, text


def test_match_names_the_rule_not_the_text(matcher: SafeguardingMatcher) -> None:
    found = matcher.check("Honestly I WANT TO DIE lol")
    assert found is not None
    assert (found.kind, found.rule) == ("phrase", "want to die")
    pattern = matcher.check("I took all my pills")
    assert pattern is not None and pattern.kind == "pattern" and pattern.index == 0


def test_known_misses_are_documented(matcher: SafeguardingMatcher) -> None:
    # These are misses the module docstring admits to; if one starts matching, update it.
    for text in ["I just want it all to stop", "kms", "sucide", "s u i c i d e"]:
        assert matcher.check(text) is None
    import bot.services.support.safeguarding as module

    assert module.__doc__ and "What it misses" in module.__doc__


def test_custom_phrases_and_exclusions() -> None:
    config = SafeguardingConfig(
        phrases=["run away", "  "], patterns=[r"\bgive\s+up\b"], exclusions=[r"run away with it"]
    )
    matcher = SafeguardingMatcher(config)
    assert matcher.check("I want to RUN  AWAY") is not None
    assert matcher.check("I'll run away with it") is None
    assert matcher.check("I want to run away with it all and run away") is not None
    assert matcher.check("I give up") is not None
    assert matcher.check("runaway") is not None  # spacing is optional, like "selfharm"


def test_phrase_with_regex_characters_is_literal() -> None:
    matcher = SafeguardingMatcher(SafeguardingConfig(phrases=["(help)", "a.b"]))
    assert matcher.check("a.b") is not None
    assert matcher.check("axb") is None


def test_empty_config_matches_nothing() -> None:
    assert SafeguardingMatcher(SafeguardingConfig()).check("I want to kill myself") is None


@given(st.text(max_size=3000))
def test_check_never_fails_on_any_text(text: str) -> None:
    matcher = SafeguardingMatcher(load_settings(database_url="sqlite+aiosqlite://").safeguarding)
    found = matcher.check(text)
    assert found is None or found.kind in {"phrase", "pattern"}


def _config_dir(tmp_path: Path, safeguarding: str) -> Path:
    target = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, target)
    (target / "local.toml").unlink(missing_ok=True)
    (target / "safeguarding.toml").write_text(safeguarding, encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('patterns = ["(unclosed"]', "safeguarding.patterns"),
        ('exclusions = ["[a-"]', "safeguarding.exclusions"),
    ],
)
def test_pattern_that_does_not_compile_stops_start_up(tmp_path: Path, toml: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(_config_dir(tmp_path, toml), database_url="sqlite+aiosqlite://")
    message = str(info.value)
    assert key in message and "does not compile" in message
    assert "\n" not in message


def test_good_custom_config_loads(tmp_path: Path) -> None:
    loaded = load_settings(
        _config_dir(tmp_path, 'phrases = ["run away"]\npatterns = ["\\\\bgive up\\\\b"]'),
        database_url="sqlite+aiosqlite://",
    )
    assert SafeguardingMatcher(loaded.safeguarding).check("I give up") is not None


# ---- flagged messages ------------------------------------------------------------------------

LINK = "https://discord.com/channels/1/2/3"


async def _peer(services: Services) -> int:
    record = await services.setup.current(GUILD)
    assert record is not None
    return record.channel_ids["peer_support"]


async def test_flag_raises_one_urgent_request_per_message(services: Services, sessions) -> None:
    await set_up_guild(services)
    member = await approved_member(services, 3001)
    peer = await _peer(services)
    results = await asyncio.gather(
        *[
            services.support.flags.flag_message(GUILD, peer, 9001, member.user_id, LINK)
            for _ in range(4)
        ]
    )
    assert all(r is not None for r in results)
    assert sum(r.created for r in results if r) == 1
    assert len({r.request.id for r in results if r}) == 1
    first = next(r for r in results if r and r.created)
    assert first.request.kind == "safeguarding" and first.request.urgency == "urgent"
    assert first.ping_moderators and first.moderator_role_id == MODERATOR_ROLE
    assert first.request.message_link == LINK
    assert "not in trouble" in first.author_message and "116 123" in first.author_message
    assert "hasn't been removed" in first.author_message
    async with sessions() as s:
        assert await s.scalar(select(func.count(SupportRequest.id))) == 1


async def test_second_message_gets_a_shorter_note_then_full_again_later(
    services: Services, clock: ManualClock
) -> None:
    await set_up_guild(services)
    peer = await _peer(services)
    first = await services.support.flags.flag_message(GUILD, peer, 9101, 3002, LINK)
    second = await services.support.flags.flag_message(GUILD, peer, 9102, 3002, LINK)
    assert first and second and second.created
    assert "too" in second.author_message and "116 123" in second.author_message
    clock.advance(timedelta(hours=2))
    third = await services.support.flags.flag_message(GUILD, peer, 9103, 3002, LINK)
    assert third and "check you're okay" in third.author_message


async def test_flags_at_once_give_one_full_note_then_short_ones(services: Services) -> None:
    await set_up_guild(services)
    peer = await _peer(services)
    results = await asyncio.gather(
        *[services.support.flags.flag_message(GUILD, peer, 9150 + i, 3009, LINK) for i in range(4)]
    )
    notes = [r.author_message for r in results if r]
    assert len(notes) == 4 and all(r and r.created for r in results)
    assert sum("check you're okay" in n for n in notes) == 1


async def test_flag_ignored_outside_watched_channels(services: Services) -> None:
    await set_up_guild(services)
    peer = await _peer(services)
    assert await services.support.flags.flag_message(GUILD, 123456, 9201, 3003, LINK) is None
    assert await services.support.flags.flag_message(GUILD + 5, peer, 9203, 3003, LINK) is None


async def test_staff_authors_are_checked_too_with_a_kinder_note(services: Services) -> None:
    # Issue 10: volunteer moderators may be young people themselves, so staff are not exempt.
    await set_up_guild(services)
    peer = await _peer(services)
    staff = await services.support.flags.flag_message(
        GUILD, peer, 9202, MODERATOR.user_id, LINK, author_role_ids=MODERATOR.role_ids
    )
    assert staff is not None and staff.created and staff.request.author_is_staff
    assert "the team included" in staff.author_message
    assert "you matter as much as anyone you help" in staff.author_message
    member = await services.support.flags.flag_message(GUILD, peer, 9204, 3003, LINK)
    assert member is not None and not member.request.author_is_staff


async def test_flag_in_a_thread_of_peer_support_and_in_a_support_space(services: Services) -> None:
    await set_up_guild(services)
    peer = await _peer(services)
    assert await services.support.flags.flag_message(GUILD, 8888, 9301, 3004, LINK, parent_id=peer)
    opened = await services.support.requests.open_request(
        Actor(3005, GUILD), topic="struggling", urgency="week"
    )
    await services.support.requests.set_private_space(opened.request.id, 7777)
    assert await services.support.flags.flag_message(GUILD, 7777, 9302, 3005, LINK)


@pytest.mark.parametrize("link", ["", "javascript:alert(1)", "https://x/" + "a" * 300])
async def test_flag_refuses_a_bad_link(services: Services, link: str) -> None:
    await set_up_guild(services)
    with pytest.raises(InvalidInput):
        await services.support.flags.flag_message(GUILD, await _peer(services), 9401, 3006, link)


# ---- reports ---------------------------------------------------------------------------------


async def test_report_thanks_the_reporter_once(services: Services) -> None:
    await set_up_guild(services)
    reporter = await approved_member(services, 3010)
    kw = {"channel_id": 1, "message_id": 9501, "link": LINK, "author_is_bot": False}
    first = await services.support.flags.report_message(reporter, **kw)  # type: ignore[arg-type]
    assert first.created and first.request.kind == "report"
    assert first.thanks.startswith("Thank you")
    assert first.ping_moderators
    again = await services.support.flags.report_message(reporter, **kw)  # type: ignore[arg-type]
    assert not again.created and again.request.id == first.request.id
    assert "already reported" in again.thanks
    other = await services.support.flags.report_message(
        await approved_member(services, 3011, "Jo"),
        **kw,  # type: ignore[arg-type]
    )
    assert other.created and other.request.id != first.request.id


async def test_report_of_the_bots_own_message_refused(services: Services) -> None:
    await set_up_guild(services)
    with pytest.raises(InvalidInput, match="posted by me"):
        await services.support.flags.report_message(
            Actor(3012, GUILD), channel_id=1, message_id=9601, link=LINK, author_is_bot=True
        )


async def test_report_from_outside_the_server_refused(services: Services) -> None:
    await set_up_guild(services)
    with pytest.raises(NotAllowed, match="Only people in the group's server"):
        await services.support.flags.report_message(
            Actor(3013, GUILD),
            channel_id=1,
            message_id=9701,
            link=LINK,
            author_is_bot=False,
            in_server=False,
        )


def test_settings_fixture_type(settings: Settings) -> None:
    assert settings.safeguarding.phrases
