"""Answers come first: the running bot notes each click until it is answered (bot/delivery.py)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved
from tests.e2e.harness import BotHarness, People
from tests.e2e.test_polls import create_poll, vote


async def test_a_click_holds_deliveries_back_until_it_is_answered(
    fake: FakeDiscord, harness: BotHarness, group: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = await approved(fake, group, "Sam")
    message = await create_poll(fake, group)
    deliveries = harness.bot.deliveries
    noted: list[Any] = []
    pending_when_noted: list[bool] = []
    original = deliveries.awaiting_answer

    def note(interaction: Any) -> None:
        original(interaction)
        noted.append(interaction)
        pending_when_noted.append(deliveries.answers_pending())

    monkeypatch.setattr(deliveries, "awaiting_answer", note)
    handle = await vote(fake, member, message, 0)
    await fake.wait_for(lambda: noted, 5)
    assert [i.id for i in noted] == [handle.id]
    # Noted before its answer (deliveries went one by one meanwhile); released once discord.py
    # has the answer's reply (a moment after the stand-in recorded it).
    assert pending_when_noted == [True]
    await fake.wait_for(lambda: noted[0].response.is_done(), 5)
    assert not deliveries.answers_pending()
