"""The ladder from config: sensible ladders load, nonsensical ones are refused at start-up."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.services.engagement.ladder import Ladder, Standing, months_between
from bot.settings import DEFAULT_CONFIG_DIR, ConfigError, Settings, load_settings

GOOD_TAIL = """
[[training_modules]]
key = "introduction"
name = "Introduction"
"""


def _config(tmp_path: Path, levels_toml: str) -> Path:
    shutil.copy(DEFAULT_CONFIG_DIR / "default.toml", tmp_path / "default.toml")
    shutil.copy(DEFAULT_CONFIG_DIR / "safeguarding.toml", tmp_path / "safeguarding.toml")
    (tmp_path / "levels.toml").write_text(levels_toml, encoding="utf-8")
    return tmp_path


def test_default_ladder_is_the_five_levels(settings: Settings) -> None:
    names = [level.name for level in settings.ladder.levels]
    assert names == [
        "Consultation",
        "Working Together",
        "Doing Together",
        "Deciding Together",
        "Leading",
    ]
    assert all(level.description for level in settings.ladder.levels)
    assert [level.paid for level in settings.ladder.levels] == [False, False, True, True, True]


@pytest.mark.parametrize(
    ("levels_toml", "message"),
    [
        (
            '[[levels]]\nkey="a"\nname="A"\ndescription="x"\n'
            '[[levels]]\nkey="b"\nname="B"\ndescription="x"\n'
            "requirements = { contributions = { dancing = 1 } }\n",
            "dancing",
        ),
        (
            '[[levels]]\nkey="a"\nname="A"\ndescription="x"\nhourly_rate_pence=1000\n',
            "unpaid but has an hourly_rate_pence",
        ),
        ('[[levels]]\nkey="a"\nname="A"\ndescription="x"\npaid=true\n', "no hourly_rate_pence"),
        (
            '[[levels]]\nkey="a"\nname="A"\ndescription="x"\n'
            '[[levels]]\nkey="b"\nname="a"\ndescription="x"\n',
            "share the name",
        ),
        (
            '[[levels]]\nkey="a"\nname="A"\ndescription="x"\n'
            '[[levels]]\nkey="a"\nname="B"\ndescription="x"\n',
            "share the key",
        ),
        (
            '[[levels]]\nkey="a"\nname="A"\ndescription="x"\n'
            '[[levels]]\nkey="b"\nname="B"\ndescription="x"\n'
            'requirements = { training = ["juggling"] }\n',
            "juggling",
        ),
        (
            '[[levels]]\nkey="a"\nname="A"\ndescription="x"\n'
            "requirements = { months_involved = 2 }\n",
            "everyone starts",
        ),
        (
            '[[levels]]\nkey="a"\nname="A"\ndescription="x"\n'
            '[[levels]]\nkey="b"\nname="B"\ndescription="x"\n'
            "requirements = { contributions = { poll_vote = 0 } }\n",
            "greater than 0",
        ),
        (
            '[[levels]]\nkey="a"\nname="A"\ndescription="x"\n'
            '[[levels]]\nkey="b"\nname="B"\ndescription="x"\npaid=true\nhourly_rate_pence=-5\n',
            "greater than 0",
        ),
        ("levels = []\n", "at least 1"),
        ('[[levels]]\nkey="Bad Key"\nname="A"\ndescription="x"\n', "pattern"),
        (
            '[[levels]]\nkey="a"\nname="A"\ndescription="x"\n'
            '[[training_modules]]\nkey="m"\nname="M"\n[[training_modules]]\nkey="m"\nname="N"\n',
            "share a key",
        ),
    ],
)
def test_nonsensical_ladders_are_refused(tmp_path: Path, levels_toml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(_config(tmp_path, levels_toml))
    assert str(info.value).startswith("config: ladder")


def test_a_small_custom_ladder_loads(tmp_path: Path) -> None:
    settings = load_settings(
        _config(
            tmp_path,
            '[[levels]]\nkey="a"\nname="A"\ndescription="x"\n'
            '[[levels]]\nkey="b"\nname="B"\ndescription="y"\npaid=true\nhourly_rate_pence=900\n'
            'requirements = { training = ["introduction"], contributions = { poll_vote = 2 } }\n'
            + GOOD_TAIL,
        )
    )
    ladder = Ladder(settings)
    top = ladder.levels[1]
    assert ladder.describe(top) == ["2 poll votes", "the training module “Introduction”"]
    standing = Standing(counts={"poll_vote": 1}, modules=set(), months=0)
    assert ladder.missing(top, standing) == [
        "vote in 1 more poll (1 of 2 done)",
        "complete the training module “Introduction”",
    ]
    assert ladder.missing(top, Standing({"poll_vote": 2}, {"introduction"}, 0)) == []
    assert ladder.next_after("b") is None and ladder.below("a") is None
    assert ladder.index("gone") == 0


def test_months_between_counts_calendar_months() -> None:
    tz = ZoneInfo("Europe/London")
    start = datetime(2026, 1, 31, 12, tzinfo=UTC)
    assert months_between(start, datetime(2026, 2, 28, 12, tzinfo=UTC), tz) == 0
    assert months_between(start, datetime(2026, 3, 31, 12, tzinfo=UTC), tz) == 2
    assert months_between(start, datetime(2027, 1, 31, 12, tzinfo=UTC), tz) == 12
    assert months_between(start, datetime(2025, 1, 1, tzinfo=UTC), tz) == 0
