"""The sandbox demo's last part: the monthly bulletin, and the worker's impact report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.sandbox.driver import attachments_of, everything_text
from bot.services.bulletin.schedule import due_in

if TYPE_CHECKING:
    from bot.sandbox.demo import Demo

FIRST_DAY = "1 Nov 2026"  # the story starts on Monday 2 November
NOTE = "Happy new year! Thank you for everything you did this term. Sessions start again soon."


def _bulletins(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if "bulletin" in everything_text(m)]


async def bulletin(self: Demo) -> None:
    """Wendy previews the bulletin and adds a note; on the 1st it is posted and DMed, once."""
    story, fake, harness = self.story, self.fake, self.harness
    worker, jess = self.people["worker"], self.people["jess"]
    announcements = self.channel("announcements")
    story.heading("End of December: the monthly bulletin")
    await self.slash(worker, "bulletin preview")
    await self.slash(worker, "bulletin note", {"text": NOTE}, action=f"/bulletin note text: {NOTE}")
    local = harness.clock.now().astimezone(harness.settings.tz)
    due = due_in(local.year + (local.month == 12), local.month % 12 + 1, harness.settings)
    story.note(f"the clock moves on to {due.astimezone(harness.settings.tz):%-d %B %Y, %H:%M}")
    harness.clock.set(due)
    await harness.run_due()
    await fake.wait_for(lambda: _bulletins(fake.messages_in(announcements)))
    await fake.wait_for(lambda: _bulletins(fake.dm_messages(jess)))
    story.flush()
    await harness.restart()
    await harness.run_due()
    story.note(
        "the bot restarts that morning: the bulletin is not sent again "
        f"({len(_bulletins(fake.messages_in(announcements)))} post in #announcements)"
    )


def has_report(self: Demo) -> bool:
    """Tell whether the bot offers /report (it is the last feature to land)."""
    return any(c.get("name") == "report" for c in self.fake.commands(self.guild))


async def report(self: Demo, out: Path) -> Path | None:
    """Wendy runs /report for the group's first months; save the HTML next to the transcript."""
    story, fake = self.story, self.fake
    worker = self.people["worker"]
    story.heading("The worker's report for the board")
    if not has_report(self):
        story.note("/report is not in this build yet, so there is no report.html")
        return None
    today = self.harness.clock.now().astimezone(self.harness.settings.tz)
    options = {"from": FIRST_DAY, "to": f"{today:%-d %b %Y}"}
    answer = await self.slash(
        worker, "report", options, action=f"/report from: {options['from']} to: {options['to']}"
    )
    files = await fake.wait_for(lambda: attachments_of(answer), timeout=30)
    story.flush()
    page = next((f for f in files if str(f["filename"]).endswith(".html")), None)
    if page is None:
        story.note("the report came without its HTML page")
        return None
    path = out / "report.html"
    path.write_bytes(fake.attachment_bytes(page))
    story.note(f"Wendy saves {page['filename']} to hand to the board: {path.name}")
    return path
