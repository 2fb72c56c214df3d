"""The HTML transcript looks like Discord: markdown, UK times, cards, buttons, charts, files.

`chromium_png` prints a page to PNG in real headless Chromium (Debian's `chromium` package); the
sandbox demo test uses it on the real transcript.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from PIL import Image

from bot.sandbox.transcript_html import Entry, FormField, page
from bot.sandbox.transcript_markdown import Names, render

WHEN = datetime(2026, 11, 5, 16, 0, tzinfo=UTC)  # 4pm in London (GMT)
SUMMER = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)  # 10:30am in London (BST)
NAMES = Names(
    users={111111: "Jess"},
    roles={222222: "Moderator"},
    channels={333333: "polls"},
    now=datetime(2026, 11, 2, 16, 0, tzinfo=UTC),
)


def chromium() -> str | None:
    """Return the Chromium binary; skip (or fail under CI) when it is not installed."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("CI needs Chromium (Debian's `chromium` package; .ci/run installs it)")
    pytest.skip("chromium is not installed: install Debian's `chromium` to print pages to PNG")
    return None


def chromium_png(html_path: Path, png_path: Path, width: int = 1000) -> Image.Image:
    """Open a page in headless Chromium, print the whole of it to PNG and return the image."""
    binary = chromium()
    assert binary is not None
    with tempfile.TemporaryDirectory() as profile:
        flags = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={profile}",
        ]
        # Measure the page's height with a copy that writes it into its title (the page itself
        # runs no script), then take one screenshot of the whole page.
        probe = Path(profile) / "probe.html"
        probe.write_text(
            html_path.read_text(encoding="utf-8")
            + "<script>document.title='H'+document.documentElement.scrollHeight</script>",
            encoding="utf-8",
        )
        dom = subprocess.run(
            [*flags, f"--window-size={width},800", "--dump-dom", probe.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        found = re.search(r"<title>H(\d+)</title>", dom)
        height = min(int(found.group(1)) if found else 4000, 60000)
        subprocess.run(
            [
                *flags,
                f"--window-size={width},{height}",
                f"--screenshot={png_path}",
                html_path.as_uri(),
            ],
            capture_output=True,
            timeout=120,
            check=True,
        )
    assert png_path.exists(), "Chromium wrote no screenshot"
    Image.MAX_IMAGE_PIXELS = None
    return Image.open(png_path).convert("RGB")


def ink(image: Image.Image) -> tuple[float, int]:
    """Return the share of pixels unlike the page's background, and the count of pure white."""
    small = image.resize((image.width // 4, max(1, image.height // 4)))
    colours = small.getcolors(small.width * small.height) or []
    background = max(colours)[0]
    total = small.width * small.height
    white = sum(count for count, rgb in colours if min(rgb) >= 250) * 16
    return 1 - background / total, white


def chart_png() -> bytes:
    """Return a small bar chart, as the bot's charts are made."""
    figure, axes = plt.subplots(figsize=(4, 2.5), dpi=100)
    axes.bar(["Monday", "Wednesday", "Thursday"], [3, 1, 2], color="#3b73d6")
    axes.set_title("Which evening suits you best?")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def sample_entries() -> list[Entry]:
    """Return a short story with every kind of thing the page shows."""
    poll = {
        "id": "900",
        "channel_id": "333333",
        "flags": 0,
        "content": "",
        "embeds": [
            {
                "title": "Poll results",
                "description": "**Which evening suits you best?**\nClosed <t:1793894400:F>",
                "color": 0x3B73D6,
                "image": {"url": "attachment://poll.png"},
                "fields": [
                    {"name": "Votes", "value": "6", "inline": True},
                    {"name": "Turnout", "value": "60%", "inline": True},
                    {"name": "Privacy", "value": "Anonymous", "inline": False},
                ],
                "footer": {"text": "Poll 1"},
            }
        ],
        "attachments": [{"id": "1", "filename": "poll.png", "size": 100}],
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 2, "style": 1, "label": "Monday", "custom_id": "a"},
                    {"type": 2, "style": 4, "label": "Closed", "custom_id": "b", "disabled": True},
                ],
            },
            {
                "type": 1,
                "components": [
                    {"type": 3, "custom_id": "s", "placeholder": "Pick some", "options": []}
                ],
            },
        ],
    }
    export = {
        "id": "901",
        "channel_id": "444",
        "flags": 64,
        "content": "Here is everything we hold about you. See https://example.org/a/very/long/path/that/goes/on/and/on/for/ever?x=1&y=2",
        "attachments": [{"id": "2", "filename": "my-data.json", "size": 18}],
    }
    dm = {
        "id": "902",
        "channel_id": "555",
        "flags": 0,
        "content": (
            "Hi <@111111>! Your session is <t:1782898200:t>, <t:1793894400:R>. "
            "Ask <@&222222> in <#333333>."
        ),
    }
    return [
        Entry("heading", "Week 2: a quick poll"),
        Entry("note", "three days pass"),
        Entry("action", "", who="Jess", command="poll vote", options=[("choice", "Monday")]),
        Entry(
            "message",
            where="#polls",
            how="post",
            message=poll,
            files={"1": chart_png()},
            at=WHEN,
        ),
        Entry(
            "form", "Decline this sign-up", for_whom="Wendy", fields=[FormField("Reason", "", True)]
        ),
        Entry(
            "message",
            where="#general",
            how="private",
            for_whom="Jess",
            message=export,
            files={"2": b'{"name": "Jess"}'},
            at=WHEN,
        ),
        Entry("message", where="DM", how="dm", for_whom="Jess", message=dm, at=WHEN),
        Entry(
            "action",
            "writes in #peer-support",
            who="<b>Sam</b>",
            where="#peer-support",
            message={"id": "903", "channel_id": "6", "content": "<img src=x onerror=alert(1)> hi"},
        ),
    ]


class _Collect(HTMLParser):
    """Collect tags and attributes to check the page is well formed and safe."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_markdown_renders_as_discord_shows_it() -> None:
    shown = render("**bold** _it_ *also* ~~gone~~ `code` > not a quote", NAMES)
    assert "<strong>bold</strong>" in shown and "<em>it</em>" in shown
    assert "<em>also</em>" in shown and "<s>gone</s>" in shown and "<code>code</code>" in shown
    assert "**" not in shown
    listed = render("1. one\n2. two\n• three\n> said\nafter", NAMES)
    assert '<ol start="1"><li>one</li><li>two</li></ol><ul><li>three</li></ul>' in listed
    assert "<blockquote>said</blockquote>after" in listed
    linked = render("[the form](https://example.org/f) and <https://example.org/x>", NAMES)
    assert '<a href="https://example.org/f"' in linked and ">the form</a>" in linked
    assert "&lt;https" not in linked
    jump = render("https://discord.com/channels/1/333333/444", NAMES)
    assert "#polls › 💬" in jump and "discord.com/channels" not in jump.split(">", 1)[1]


def test_timestamps_are_uk_text() -> None:
    winter = render("<t:1793894400:F>", NAMES)  # 2026-11-05 16:00 UTC
    assert "Thursday, 5 November 2026 at 16:00" in winter and "<t:" not in winter
    summer = render(f"<t:{int(SUMMER.timestamp())}:t> <t:{int(SUMMER.timestamp())}:D>", NAMES)
    assert "10:30" in summer and "1 July 2026" in summer  # British Summer Time
    assert "in 3 days" in render("<t:1793894400:R>", NAMES)


def test_member_text_cannot_inject_html() -> None:
    nasty = (
        '<script>alert(1)</script> "quoted" <img src=x onerror=alert(1)> [x](javascript:alert(1))'
    )
    shown = render(nasty, NAMES)
    assert "<script" not in shown and "<img" not in shown and 'href="javascript' not in shown
    assert "&lt;script&gt;" in shown


def test_page_shows_cards_buttons_private_replies_dms_charts_and_files() -> None:
    html = page("A story", "What people saw", sample_entries(), NAMES)
    parser = _Collect()
    parser.feed(html)
    tags = parser.tags
    assert not [t for t, _ in tags if t == "script"]
    assert "<b>Sam</b>" not in html and "&lt;b&gt;Sam&lt;/b&gt;" in html
    assert "onerror" not in [k for _, attrs in tags for k in attrs]
    embed = next(a for t, a in tags if t == "div" and a.get("class") == "embed")
    assert "#3b73d6" in (embed.get("style") or "")
    assert "Poll results" in html and "Votes" in html and "Turnout" in html
    images = [a for t, a in tags if t == "img"]
    assert any((a.get("src") or "").startswith("data:image/png;base64,") for a in images)
    assert html.count("poll.png") == 1  # shown in the card, not again below it
    assert "<span class='btn primary'>Monday</span>" in html
    assert "<span class='btn danger disabled'>Closed</span>" in html
    assert "Pick some" in html and "class='select" in html
    assert "Only Jess can see this" in html and "Only you can see this" in html
    assert "Direct message to Jess" in html
    assert "@Jess" in html and "@Moderator" in html and "#polls" in html
    assert "<t:" not in html and "**" not in html
    chip = next(a for t, a in tags if t == "a" and a.get("class") == "file")
    assert chip.get("download") == "my-data.json"
    assert (chip.get("href") or "").startswith("data:application/json;base64,")
    assert "example.org/a/very/long/path/that/goes/on/and…" in html
    assert "Decline this sign-up" in html and "used <span class='cmd'>/poll vote</span>" in html


def test_page_prints_in_chromium_with_the_chart_inline(tmp_path: Path) -> None:
    source = tmp_path / "page.html"
    source.write_text(page("A story", "What people saw", sample_entries(), NAMES), encoding="utf-8")
    image = chromium_png(source, tmp_path / "page.png")
    drawn, white = ink(image)
    assert image.height > 600
    assert drawn > 0.05, f"the PNG is nearly blank ({drawn:.1%} drawn)"
    assert white > 40_000, f"no chart visible in the PNG ({white} white pixels)"
