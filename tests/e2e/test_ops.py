"""Running it in production: /health and /metrics on a local port, off unless OPS_PORT is set."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

import bot.ops.server
import bot.sandbox.driver
from bot.app import ShardedParticipationBot
from bot.clock import ManualClock
from bot.delivery import Sent, dm_owed
from bot.runtime import Runtime, build_runtime
from bot.sandbox.fakediscord import FakeDiscord, restore_discord_py
from bot.services.outbox import Delivery
from bot.settings import Settings, load_settings
from tests.conftest import SPEC
from tests.e2e.flows import join
from tests.e2e.harness import BotHarness, People, stand_in_settings


@pytest.fixture
def e2e_settings(db_url: str, fake: FakeDiscord, people: People) -> Settings:
    """Return the usual settings with the ops port on (a free port)."""
    return stand_in_settings(db_url, fake, people["guild"], ops_port=0)


@pytest.fixture(autouse=True)
def health_before_ready(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, dict[str, Any]]]:
    """Ask /health of each runtime the harness builds before its bot connects."""
    seen: list[tuple[int, dict[str, Any]]] = []
    build = bot.sandbox.driver.build_runtime

    async def built(settings: Settings, *args: Any, **kwargs: Any) -> Runtime:
        runtime = await build(settings, *args, **kwargs)
        if runtime.ops is not None:
            seen.append(await _get_json(runtime, "/health"))
        return runtime

    monkeypatch.setattr(bot.sandbox.driver, "build_runtime", built)
    # Read the outbox backlog on every scrape, so the test sees each change at once.
    monkeypatch.setattr(bot.ops.server, "BACKLOG_CACHE_SECONDS", 0.0)
    return seen


async def _get(runtime: Runtime, path: str) -> tuple[int, str]:
    assert runtime.ops is not None
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{runtime.ops.port}{path}") as response,
    ):
        return response.status, await response.text()


async def _get_json(runtime: Runtime, path: str) -> tuple[int, dict[str, Any]]:
    import json

    status, body = await _get(runtime, path)
    return status, json.loads(body)


async def _metrics(runtime: Runtime) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Scrape /metrics and return every sample by name and labels."""
    status, body = await _get(runtime, "/metrics")
    assert status == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


async def _until(runtime: Runtime, wanted: Any, wait: float = 10.0) -> dict[Any, float]:
    """Scrape until `wanted(samples)` holds (what the bot does after answering takes a moment)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    samples = await _metrics(runtime)
    while not wanted(samples) and loop.time() < deadline:
        await asyncio.sleep(0.05)
        samples = await _metrics(runtime)
    return samples


def _delivered(samples: dict[Any, float]) -> bool:
    return any(
        name == "participation_outbox_deliveries_total" and ("outcome", "delivered") in labels
        for name, labels in samples
    )


def _value(samples: dict[Any, float], metric: str, /, **labels: str) -> float:
    return samples.get((metric, tuple(sorted(labels.items()))), 0.0)


async def test_health_says_ready_only_once_the_gateway_and_database_are_up(
    harness: BotHarness, health_before_ready: list[tuple[int, dict[str, Any]]]
) -> None:
    assert health_before_ready == [
        (503, {"ready": False, "gateway": "connecting", "database": "up"})
    ]
    assert await _get_json(harness.runtime, "/health") == (
        200,
        {"ready": True, "gateway": "up", "database": "up"},
    )
    assert (await _get(harness.runtime, "/nothing"))[0] == 404


async def test_metrics_count_interactions_deliveries_lag_and_reconnects(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    runtime = harness.runtime
    assert runtime is not None
    before = await _metrics(runtime)
    # /setup (run by the group fixture) was counted by its command name.
    assert _value(before, "participation_interactions_total", kind="command", name="setup") == 1

    newcomer = fake.create_user("sky", "Sky")
    fake.add_member(group["guild"], newcomer)
    card = await join(fake, group, newcomer)
    assert card  # the approval card reached #worker-log through the outbox
    after = await _metrics(runtime)
    joined = ("participation_interactions_total", "command", "join")
    assert _value(after, joined[0], kind=joined[1], name=joined[2]) == 1
    # A button's row ids are not part of its label (one series per kind of button).
    assert _value(after, joined[0], kind="component", name="join:agree") == 1
    answered = "participation_interaction_answer_seconds_count"
    assert _value(after, answered, kind="command") == _value(before, answered, kind="command") + 1
    assert _value(after, answered, kind="component") >= 1
    assert _delivered(await _until(runtime, _delivered)), "the card's delivery was not counted"

    # A DM to someone whose DMs are closed: undeliverable, counted, and the backlog seen first.
    async def send(delivery: Delivery) -> Sent:
        return await dm_owed(harness.bot, delivery, delivery.payload["user_id"], "Hello")

    harness.bot.deliveries.on("test.dm", send)
    fake.set_dms_open(newcomer, False)
    runtime.scheduler._aps.pause()  # hold deliveries so the backlog can be seen
    async with harness.services.db.begin() as s:
        await harness.services.outbox.owe(
            s,
            guild_id=group["guild"],
            kind="test.dm",
            payload={"user_id": newcomer},
        )
    assert _value(await _metrics(runtime), "participation_outbox_backlog") == 1
    runtime.scheduler._aps.resume()
    await harness.run_due()
    samples = await _metrics(runtime)
    assert _value(samples, "participation_outbox_backlog") == 0
    assert (
        _value(
            samples,
            "participation_outbox_deliveries_total",
            kind="test.dm",
            outcome="undeliverable",
        )
        == 1
    )
    # The delivery ran as due work, so the scheduler's lag was measured for it.
    assert _value(samples, "participation_scheduler_lag_seconds_count", event="Delivery") >= 1

    # Discord drops the gateway connection: the bot resumes, and both are counted.
    assert _value(samples, "participation_gateway_events_total", event="ready") == 1
    await fake.drop_connections(4000)
    await fake.wait_for(lambda: fake.live_sessions() == 1 and harness.bot.ws.open, 10)

    samples = await _until(
        runtime, lambda found: _value(found, "participation_gateway_events_total", event="resume")
    )
    assert _value(samples, "participation_gateway_events_total", event="disconnect") == 1
    assert _value(samples, "participation_gateway_events_total", event="resume") == 1
    assert _value(samples, "participation_gateway_events_total", event="ready") == 1
    assert (await _get_json(runtime, "/health"))[0] == 200


async def test_nothing_listens_and_nothing_is_measured_when_the_port_is_unset(
    e2e_settings: Settings, clock: ManualClock
) -> None:
    runtime = await build_runtime(e2e_settings.model_copy(update={"ops_port": None}), clock)
    try:
        assert runtime.ops is None
        assert runtime.bot.http.http_trace is None
        assert runtime.scheduler.on_ran is None
        assert runtime.bot.deliveries.on_outcome is None
    finally:
        await runtime.close()


async def test_a_port_already_taken_stops_start_up_with_one_clear_line(
    e2e_settings: Settings, clock: ManualClock
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit, match=f"OPS_PORT cannot listen on 127.0.0.1:{port}"):
            await build_runtime(e2e_settings.model_copy(update={"ops_port": port}), clock)


async def _health_until(runtime: Runtime, status: int, wait: float = 10.0) -> dict[str, Any]:
    """Ask /health until it answers `status`, and return its body."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    got, body = await _get_json(runtime, "/health")
    while got != status and loop.time() < deadline:
        await asyncio.sleep(0.02)
        got, body = await _get_json(runtime, "/health")
    assert got == status, body
    return body


async def test_health_with_shards_is_ready_only_while_every_owned_shard_is_connected(
    db_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def identify_at_once(self: object, shard_id: int | None, *, initial: bool) -> None:
        return None  # Discord's 5 s between IDENTIFYs is not what this test is about

    monkeypatch.setattr(ShardedParticipationBot, "before_identify_hook", identify_at_once)
    fake = FakeDiscord(SPEC if SPEC.exists() else None, shard_count=4)
    await fake.start()
    admin = fake.create_user("alex", "Alex")
    for shard in (0, 1, 3):  # shard 3 belongs to another process
        fake.create_guild(f"Group {shard}", admin, shard_id=shard)
    settings = load_settings(
        database_url=db_url,
        discord_api_base=fake.api_base,
        discord_gateway_url=fake.gateway_url,
        guild_ready_timeout=0.05,
        ops_port=0,
        shards="0-1",
        shard_count=4,
    )
    harness = BotHarness(fake, settings, clock)
    try:
        await harness.start()
        runtime = harness.runtime
        assert runtime is not None
        up = {"ready": True, "gateway": "up", "database": "up"}
        assert await _health_until(runtime, 200) == up
        assert fake.hub.live_shards() == {0, 1}

        # Shard 1's connection drops and the gateway is slow to take it back.
        fake.hub.accepting.clear()
        await fake.drop_connections(4000, shard_id=1)
        assert await _health_until(runtime, 503) == {
            "ready": False,
            "gateway": "reconnecting shard 1",
            "database": "up",
        }
        assert fake.hub.live_shards() == {0}  # the other shard stayed connected

        fake.hub.accepting.set()
        assert await _health_until(runtime, 200) == up
        assert fake.hub.live_shards() == {0, 1}
    finally:
        fake.hub.accepting.set()  # a failed check must not leave the shard waiting
        await harness.stop()
        await fake.stop()
        restore_discord_py()
    assert fake.violations == []
