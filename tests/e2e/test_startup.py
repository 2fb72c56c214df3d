"""Start-up refuses a bot whose scheduled work would be claimed and then dropped."""

from __future__ import annotations

import pytest

import bot.app
from bot.clock import ManualClock
from bot.sandbox.fakediscord import FakeDiscord
from bot.scheduler import MissingHandler
from bot.settings import Settings
from tests.e2e.harness import BotHarness


async def test_a_feature_without_its_event_handlers_stops_start_up(
    fake: FakeDiscord,
    e2e_settings: Settings,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    everything = bot.app.feature_extensions()
    assert "cogs.polls" in everything
    monkeypatch.setattr(
        bot.app, "feature_extensions", lambda: [e for e in everything if e != "cogs.polls"]
    )
    harness = BotHarness(fake, e2e_settings, clock)
    try:
        with pytest.raises(MissingHandler, match=r"PollClosed \(from polls\)"):
            await harness.start()
    finally:
        await harness.stop()
