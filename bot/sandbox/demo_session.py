"""The sandbox demo's session: scheduling, an RSVP, reminders, attendance and feedback."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.sandbox.driver import custom_ids, press

if TYPE_CHECKING:
    from bot.sandbox.demo import Demo


async def session(self: Demo) -> None:
    """Wendy schedules a session; three reply, are reminded and come; Jess gives feedback."""
    story, fake, clock = self.story, self.fake, self.harness.clock
    worker, jess = self.people["worker"], self.people["jess"]
    story.heading("Week 9: a session is planned")
    local = (clock.now() + timedelta(days=10)).astimezone(self.harness.settings.tz)
    while local.weekday() >= 5:
        local += timedelta(days=1)
    options = {
        "title": "Planning the new waiting room",
        "start": f"{local:%Y-%m-%d} 17:00",
        "duration": "90",
        "online_link": "https://zoom.us/j/5551234567",
        "agenda": "1. Welcome 2. What the waiting room should feel like 3. Next steps",
        "places": 8,
    }
    channel = self.channel("sessions")
    before = len(fake.messages_in(channel))
    await self.slash(
        worker,
        "session schedule",
        options,
        action=f"/session schedule title: {options['title']}, start: {options['start']}, "
        "duration: 90, places: 8",
    )
    await fake.wait_for(lambda: len(fake.messages_in(channel)) > before)
    await fake.wait_for(lambda: fake.scheduled_events(self.guild))
    story.flush()
    announcement = fake.messages_in(channel)[-1]
    await self.click(jess, "presses Going", announcement, "session:rsvp:")
    for key in ("sam", "priya"):
        await _going(self, self.people[key], announcement)
    await self.slash(jess, "sessions")
    story.flush()
    rsvp = next(c for c in custom_ids(announcement) if c.startswith("session:rsvp:"))
    sid = int(rsvp.split(":")[2])
    view = await self.harness.services.group_sessions.directory.view(self.guild, sid)
    story.heading("Reminders by DM (the clock moves on)")
    for moment in (view.starts_at - timedelta(hours=24), view.starts_at - timedelta(hours=1)):
        clock.set(moment)
        await self.harness.run_due()
        story.flush()
    story.heading("After the session")
    clock.set(view.ends_at)
    form = await self.slash(worker, "session attendance", {"session": sid})
    await self.click(
        worker,
        "marks who came and presses Save attendance",
        form.original or {},
        "session:att:save",
    )
    asks = await fake.wait_for(
        lambda: [m for m in fake.dm_messages(jess) if "session:feedback:" in str(m)]
    )
    opened = await self.click(jess, "presses 'Tell us how it was'", asks[-1], "session:feedback:")
    await story.step(
        jess,
        "gives feedback: 5, felt listened to: yes",
        lambda: self._submit(
            jess, opened, {"rating": "5", "listened": "yes", "comment": "I liked the small groups."}
        ),
    )
    minutes = await self.slash(worker, "session minutes", {"session": sid})
    await story.step(
        worker,
        "posts the minutes",
        lambda: self._submit(
            worker,
            minutes,
            {"text": "We agreed softer lighting, a quiet corner and clearer signs."},
        ),
    )
    announcements = self.channel("announcements")
    await fake.wait_for(lambda: any("Minutes" in str(m) for m in fake.messages_in(announcements)))
    await fake.wait_for(lambda: "Minutes" in str(fake.message(int(str(announcement["id"])))))
    story.flush()


async def _going(self: Demo, user: int, announcement: dict[str, Any]) -> None:
    """Someone presses Going on the announcement."""
    await self.story.step(
        user, "presses Going", lambda: press(self.fake, user, announcement, "session:rsvp:")
    )
