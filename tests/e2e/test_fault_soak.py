"""The fault soak, short: the real bot as its own process, Discord failing, SIGKILL twice."""

from __future__ import annotations

from pathlib import Path

from bot.sandbox.soak import run_soak
from bot.sandbox.soak_report import SoakPlan
from tests.conftest import SPEC


async def test_a_short_soak_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path, db_url: str
) -> None:
    plan = SoakPlan(members=8, fault_rate=0.05, kills=2, seed=3)
    report = await run_soak(plan, tmp_path, SPEC if SPEC.exists() else None, db_url)
    print("\n".join(report.lines()))
    assert report.kills == 2 and report.faults > 0
    assert report.members_approved == plan.members
    assert report.problems == []
    assert report.delivered_twice == []
    assert report.outbox.get("pending", 0) == 0 and report.outbox.get("done", 0) > 0
