"""The sandbox demo's opportunity: posted with its pay, interest shown, someone selected."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.sandbox.driver import button_on, custom_ids

if TYPE_CHECKING:
    from bot.sandbox.demo import Demo

PANEL: dict[str, Any] = {
    "kind": "panel",
    "title": "Interview panel for a new youth worker",
    "involves": (
        "Sit on the interview panel with two staff. We meet the week before to write the "
        "questions together. It takes about three hours."
    ),
    "payment": "£15 an hour, plus travel",
    "suits": "Anyone aged 16 to 25 who has used the service",
    "hours": "3",
}


async def opportunity(self: Demo) -> dict[str, Any]:
    """Wendy posts a paid panel; Jess and Sam say they're interested; Wendy selects Jess."""
    story, fake, clock = self.story, self.fake, self.harness.clock
    worker, jess, sam = self.people["worker"], self.people["jess"], self.people["sam"]
    announcements = self.channel("announcements")
    story.heading("Week 6: an opportunity to sit on an interview panel")
    day = (clock.now() + timedelta(days=42)).astimezone(self.harness.settings.tz)
    options = {**PANEL, "date": f"{day:%Y-%m-%d}"}
    before = len(fake.messages_in(announcements))
    await self.slash(
        worker,
        "opportunity post",
        options,
        action=f"/opportunity post kind: panel, title: {PANEL['title']}, date: {options['date']}, "
        f"payment: {PANEL['payment']}",
    )
    post = await self._message(
        lambda: next(
            (
                m
                for m in fake.messages_in(announcements)[before:]
                if any(c.startswith("opp:interested:") for c in custom_ids(m))
            ),
            None,
        )
    )
    story.flush()
    opp = int(button_on(post, "opp:interested:").split(":")[2])
    await self.click(jess, "presses “I'm interested”", post, "opp:interested:")
    listing = await self.slash(sam, "opportunities")
    await self.click(
        sam, "presses “I'm interested” on the list", listing.original or {}, "opp:interested:"
    )
    await self.slash(worker, "opportunity interested", {"opportunity": opp})
    await self.slash(
        worker,
        "opportunity select",
        {"opportunity": opp, "person": jess},
        action="/opportunity select person: Jess",
    )
    await fake.wait_for(
        lambda: any("selected" in str(m).casefold() for m in fake.dm_messages(jess))
    )
    story.flush()
    return post
