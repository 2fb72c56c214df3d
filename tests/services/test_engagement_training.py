"""Training modules recorded by workers, and mentoring pairs."""

from __future__ import annotations

import asyncio

import pytest

from bot.services.access import Actor
from bot.services.container import Services
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from tests.conftest import GUILD, WORKER
from tests.services.helpers import approved_member, set_up_guild
from tests.services.test_engagement_helpers import set_level


async def test_training_is_recorded_once_and_counts(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 4001, "Sam")
    assert (
        "introduction",
        "Introduction to participation",
    ) in services.engagement.training.modules()
    done = await services.engagement.training.record(WORKER, 4001, "introduction")
    assert done.module_name == "Introduction to participation"
    with pytest.raises(Conflict, match="already"):
        await services.engagement.training.record(WORKER, 4001, "introduction")
    view = await services.engagement.progress.progress(sam, chart=False)
    assert view.training == ["Introduction to participation"]
    assert [c.words for c in view.counts] == ["1 training module completed"]


async def test_training_refusals(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 4002, "Sam")
    with pytest.raises(InvalidInput, match="training module"):
        await services.engagement.training.record(WORKER, 4002, "juggling")
    with pytest.raises(NotAllowed):
        await services.engagement.training.record(sam, 4002, "introduction")
    with pytest.raises(NotAllowed, match="own"):
        await services.engagement.training.record(
            Actor(4002, GUILD, WORKER.role_ids), 4002, "introduction"
        )


async def test_concurrent_training_records_once(services: Services) -> None:
    await set_up_guild(services)
    await approved_member(services, 4003, "Sam")
    results = await asyncio.gather(
        *(services.engagement.training.record(WORKER, 4003, "recruitment") for _ in range(3)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 2


async def test_mentoring_request_and_pairing(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 4004, "Sam")
    await approved_member(services, 4005, "Alex")
    await approved_member(services, 4006, "Jo")
    await set_level(services, Actor(4005, GUILD), "deciding_together")
    request = await services.engagement.training.request_mentor(sam, "Getting ready for panels")
    assert request.worker_log_channel_id is not None and request.level_name == "Consultation"
    with pytest.raises(Conflict, match="already"):
        await services.engagement.training.request_mentor(sam)
    [waiting] = await services.engagement.training.open_requests(WORKER)
    assert waiting.note == "Getting ready for panels"
    candidates = await services.engagement.training.candidates(WORKER, request.id)
    assert [c.user_id for c in candidates] == [4005]
    with pytest.raises(InvalidInput, match="higher level"):
        await services.engagement.training.pair(WORKER, request.id, 4006)
    with pytest.raises(InvalidInput, match="own mentor"):
        await services.engagement.training.pair(WORKER, request.id, 4004)
    with pytest.raises(NotAllowed):
        await services.engagement.training.pair(sam, request.id, 4005)
    pairing = await services.engagement.training.pair(WORKER, request.id, 4005)
    assert (pairing.mentee_user_id, pairing.mentor_user_id) == (4004, 4005)
    assert "Alex" in pairing.mentee_text and "Sam" in pairing.mentor_text
    with pytest.raises(Conflict):
        await services.engagement.training.pair(WORKER, request.id, 4005)
    assert await services.engagement.training.open_requests(WORKER) == []
    await services.engagement.training.close(sam, request.id)
    again = await services.engagement.training.request_mentor(sam)
    assert again.id != request.id


async def test_concurrent_mentor_requests_make_one(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 4007, "Sam")
    results = await asyncio.gather(
        *(services.engagement.training.request_mentor(sam) for _ in range(3)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 2


async def test_mentor_note_is_checked(services: Services) -> None:
    await set_up_guild(services)
    sam = await approved_member(services, 4008, "Sam")
    with pytest.raises(InvalidInput):
        await services.engagement.training.request_mentor(sam, "x" * 501)
    with pytest.raises(NotAllowed):
        await services.engagement.training.request_mentor(Actor(4999, GUILD))
