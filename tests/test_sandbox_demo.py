"""The sandbox demo (what `make run` plays without a token) runs to the end, touching everything."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.sandbox.demo import run_demo
from bot.settings import load_settings
from tests.conftest import SPEC
from tests.sandbox.test_transcript_html import chromium, chromium_png, ink

PARTS = (
    "Poll results",  # a poll closed on time with its results
    "3 votes (75%)",  # anonymous results shown: enough people voted
    "Your move to Working Together has been confirmed",  # a level move
    "has been paid",  # an expenses claim paid
    "You said, we did",  # feedback reached the member
    "Safeguarding alert",  # a crisis phrase raised an urgent card
    "A reminder: your session starts in an hour",  # a reminder by DM
    "Minutes: Planning the new waiting room",  # minutes posted
    "A new opportunity",  # an opportunity posted, with its pay
    "You've said you're interested",  # a member said they're interested
    "2 interested in Interview panel",  # the worker saw who
    "you've been selected for",  # and selected someone, who was told
    "A note from the team",  # the worker's note in the bulletin
    "Here's the January 2027 bulletin",  # the bulletin by DM
    "participation report for 1 November 2026",  # /report
)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")
        self.scripts += tag == "script"


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str, float]:
    """Play the demo once for every test here; return its folder, status, output and time."""
    import asyncio
    import contextlib
    import io

    out = tmp_path_factory.mktemp("sandbox")
    settings = load_settings(discord_openapi_spec=SPEC if SPEC.exists() else None)
    printed = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(printed):
        status = asyncio.run(run_demo(settings, out))
    return out, status, printed.getvalue(), time.monotonic() - started


def test_demo_plays_to_the_end(played: tuple[Path, int, str, float]) -> None:
    out, status, printed, seconds = played
    transcript = (out / "transcript.txt").read_text(encoding="utf-8")
    assert status == 0, transcript[-3000:]
    assert seconds < 90, f"the demo took {seconds:.0f}s"
    assert "[Alex (admin)] /setup" in transcript
    assert "declines with the reason" in transcript
    assert "my-data.json" in transcript
    assert "erased" in transcript
    for part in PARTS:
        assert part in transcript, part
    assert "Still waiting" not in transcript  # every alert was picked up
    assert transcript.count("bot in #announcements: 📰 The January 2027 bulletin") == 1
    assert "Fewer than 3 people voted" not in transcript


def test_demo_writes_the_report_next_to_the_transcript(
    played: tuple[Path, int, str, float],
) -> None:
    out, _, printed, _ = played
    report = out / "report.html"
    assert report.exists(), printed[-2000:]
    page = report.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    for section in ("Presence", "Process", "Impact"):
        assert section in page, section
    assert f"The worker's report: {report}" in printed


def test_members_read_plain_english(played: tuple[Path, int, str, float]) -> None:
    _, _, printed, _ = played
    found = re.search(r"Flesch reading ease (\d+\.\d), Flesch–Kincaid grade (\d+\.\d)", printed)
    assert found, printed[-1000:]
    ease, grade = float(found.group(1)), float(found.group(2))
    assert ease >= 75, f"members' messages got harder to read: reading ease {ease}"
    assert grade <= 6.5, f"members' messages got harder to read: grade {grade}"


def test_transcript_html_looks_like_discord(played: tuple[Path, int, str, float]) -> None:
    out, _, _, _ = played
    page = (out / "transcript.html").read_text(encoding="utf-8")
    tags = _Tags()
    tags.feed(page)
    assert tags.scripts == 0
    charts = [src for src in tags.images if src.startswith("data:image/png;base64,")]
    assert len(charts) >= 3, "the poll, /progress and consultation charts are shown inline"
    assert "<t:" not in page and "**" not in page
    assert "Only Jess can see this" in page and "Direct message to Jess" in page
    assert "class='embed'" in page and "class='btn success'" in page
    assert "class='file'" in page and "my-data.json" in page
    shown = re.sub(r"(href|title)=['\"][^'\"]*['\"]", "", page)
    assert "https://discord.com/channels/" not in shown  # message links show as #channel chips


def test_transcript_prints_in_chromium(played: tuple[Path, int, str, float]) -> None:
    chromium()  # skip (or fail under CI) first, with one clear line
    out, _, _, _ = played
    image = chromium_png(out / "transcript.html", out / "transcript.png")
    drawn, white = ink(image)
    assert image.height > 5000, "the whole story is printed"
    assert drawn > 0.05, f"the PNG is nearly blank ({drawn:.1%} drawn)"
    assert white > 100_000, f"no chart is visible in the PNG ({white} white pixels)"
