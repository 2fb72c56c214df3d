"""The HTML report opened in real headless Chromium, printed to PNG and to an A4 PDF."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.harness import BotHarness, People, attachments_of, settle, slash
from tests.e2e.test_reports import e2e_settings  # noqa: F401  (the population, configured)
from tests.e2e.test_reports_seed import seed

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
A4_WIDTH_PX = 1240  # 210 mm at 150 dpi


def require_chromium() -> str:
    """Return the browser, or skip (fail on CI, where .ci/run installs it)."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's chromium package for the report print test")
        pytest.skip("chromium is not installed: the HTML report print test is SKIPPED")
    return CHROMIUM


async def chromium(*args: str) -> None:
    """Run headless Chromium with the arguments, failing the test if it fails."""
    browser = require_chromium()
    process = await asyncio.create_subprocess_exec(
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--no-first-run",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode(errors="replace")[-2000:]


def ink_share(path: Path) -> float:
    """Return the share of pixels that are not (near) white: 0 means a blank page."""
    with Image.open(path) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
    return sum(histogram[:240]) / sum(histogram)


async def test_report_prints_in_chromium(
    fake: FakeDiscord, harness: BotHarness, group: People, tmp_path: Path
) -> None:
    require_chromium()
    await seed(harness.services.db, group["guild"])
    handle = await slash(fake, group.worker, group["guild"], "report", {"period": "last_month"})
    await settle(fake, handle, wait=60)
    [html] = [a for a in attachments_of(handle) if a["filename"].endswith(".html")]
    # REPORT_PRINT_DIR keeps the page and its prints, to look at them.
    out = Path(os.environ.get("REPORT_PRINT_DIR", str(tmp_path)))
    out.mkdir(parents=True, exist_ok=True)
    page = out / "report.html"
    page.write_bytes(fake.attachment_bytes(html))
    png, pdf = out / "report.png", out / "report.pdf"

    await chromium(f"--screenshot={png}", f"--window-size={A4_WIDTH_PX},5200", page.as_uri())
    await chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri())

    assert png.read_bytes().startswith(b"\x89PNG")
    with Image.open(png) as image:
        assert image.size == (A4_WIDTH_PX, 5200)
    assert ink_share(png) > 0.05, "the page printed blank"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    assert 3 <= pages <= 12, pages
    # Every page is A4: 210 x 297 mm is 595 x 842 points.
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)
    assert boxes and all(
        abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5 for w, h in boxes
    ), set(boxes)
