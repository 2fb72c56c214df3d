"""The sandbox demo (what `make run` plays without a token) runs to the end."""

from __future__ import annotations

from pathlib import Path

from bot.sandbox.demo import run_demo
from bot.settings import load_settings
from tests.conftest import SPEC


async def test_demo_plays_to_the_end(tmp_path: Path) -> None:
    settings = load_settings(discord_openapi_spec=SPEC if SPEC.exists() else None)
    status = await run_demo(settings, tmp_path)
    transcript = (tmp_path / "transcript.txt").read_text(encoding="utf-8")
    assert status == 0, transcript[-3000:]
    assert "[Alex (admin)] /setup" in transcript
    assert "declines with the reason" in transcript
    assert "my-data.json" in transcript
    assert "erased" in transcript
    for part in (
        "Poll results",  # a poll closed on time with its results
        "Your move to Working Together has been confirmed",  # a level move
        "has been paid",  # an expenses claim paid
        "You said, we did",  # feedback reached the member
        "Safeguarding alert",  # a crisis phrase raised an urgent card
        "A reminder: your session starts in an hour",  # a reminder by DM
        "Minutes: Planning the new waiting room",  # minutes posted
    ):
        assert part in transcript, part
    assert "Still waiting" not in transcript  # every alert was picked up
    assert (tmp_path / "transcript.html").read_text(encoding="utf-8").startswith("<!doctype html>")
