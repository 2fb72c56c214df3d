"""The sandbox demo's support: a request by DM, a figure of speech, and a crisis phrase."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.sandbox.driver import command

if TYPE_CHECKING:
    from bot.sandbox.demo import Demo


async def support(self: Demo) -> None:
    """Jess asks for support by DM, Mo picks it up, and crisis words get help at once."""
    story, fake = self.story, self.fake
    jess, mo = self.people["jess"], self.people["moderator"]
    queue, peer = self.channel("support-queue"), self.channel("peer-support")

    def cards() -> list[dict[str, Any]]:
        return [m for m in fake.messages_in(queue) if m.get("embeds")]

    story.heading("Week 8: support and safeguarding")
    before = len(cards())
    await story.step(
        jess,
        "/support in a DM: I'm struggling and want to talk, I need help today",
        lambda: command(
            fake,
            jess,
            None,
            "support",
            {
                "topic": "struggling",
                "urgency": "today",
                "message": "Exams are getting on top of me and I'd like to talk to someone.",
            },
        ),
    )
    await fake.wait_for(lambda: len(cards()) > before)
    story.flush()
    card = cards()[-1]
    await self.click(mo, "presses Claim on the card", card, "support:claim:")
    space = self.channel("support-1")
    await fake.wait_for(
        lambda: any("picked up" in (m.get("content") or "") for m in fake.messages_in(space))
    )
    story.flush()
    await story.step(
        jess,
        "writes in #peer-support: this revision is killing me haha",
        lambda: fake.send_message(jess, peer, "this revision is killing me haha"),
    )
    story.note("a figure of speech: nothing happens")
    before = len(cards())
    await story.step(
        jess,
        "writes in #peer-support: honestly some days I feel like I can't go on",
        lambda: fake.send_message(jess, peer, "honestly some days I feel like I can't go on"),
    )
    await fake.wait_for(lambda: len(cards()) > before)
    story.flush()
    story.note("the message stays in #peer-support; only a link to it is kept")
    alert = cards()[-1]
    await self.click(mo, "claims the safeguarding alert", alert, "support:claim:")
    await self.slash(mo, "support-queue")
