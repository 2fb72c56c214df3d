"""The sandbox demo's quick poll, contributions, a level move and an expenses claim."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.sandbox.driver import attachments_of, command, custom_ids, everything_text, press
from bot.sandbox.fakediscord import Interaction

if TYPE_CHECKING:
    from bot.sandbox.demo import Demo


async def polls(self: Demo) -> None:
    """A worker asks a quick anonymous poll; four vote, Jess changes her mind; it closes."""
    story, fake = self.story, self.fake
    worker, jess = self.people["worker"], self.people["jess"]
    polls = self.channel("polls")
    story.heading("Week 2: a quick poll")
    before = len(fake.messages_in(polls))
    question = "Which evening suits you best for our online sessions?"
    await self.slash(
        worker,
        "poll create",
        {"question": question, "options": "Monday; Wednesday; Thursday", "closes": "3d"},
        action=f"/poll create question: {question} options: Monday; Wednesday; Thursday closes: 3d",
    )
    poll = (await fake.wait_for(lambda: fake.messages_in(polls)[before:]))[-1]
    story.flush()
    ids = [c["custom_id"] for row in poll["components"] for c in row["components"]]
    monday, thursday = ids[0], ids[2]
    await self.click(jess, "votes Monday", poll, monday)
    await self.click(jess, "changes her vote to Thursday", poll, thursday)
    for key, choice in (("sam", 1), ("priya", 2), ("leo", 2)):
        voter, label = self.people[key], ("Monday", "Wednesday", "Thursday")[choice]
        await story.step(voter, f"votes {label}", _click(self, voter, poll, ids[choice]))
    await _more_polls(self)
    story.note(
        "Wendy asks two more quick polls that week (snacks at sessions, and what to talk "
        "about next); Jess, Sam and Priya vote in both, and they close after two days"
    )
    story.heading("Week 2: the poll closes")
    self.harness.clock.advance(timedelta(days=1))
    story.note("three days after it opened")
    await self.harness.run_due()
    await fake.wait_for(
        lambda: any("Poll results" in everything_text(m) for m in fake.messages_in(polls))
    )
    story.flush()
    story.note("nobody, workers included, can see who chose what")


async def engagement(self: Demo) -> None:
    """Jess's contributions make her eligible; she moves up; she claims travel expenses."""
    story, fake, harness = self.story, self.fake, self.harness
    worker, jess = self.people["worker"], self.people["jess"]
    story.heading("Weeks 2-5: contributions, a level move and expenses")
    story.note("Jess's three poll votes were recorded as she voted; a worker logs the rest")
    options: dict[str, Any] = {"member": jess, "kind": "session_attended", "hours": "2"}
    await story.step(worker, "/contributions log session_attended", self._run(worker, options))
    harness.clock.advance(timedelta(days=35))
    story.note("five weeks pass")
    await harness.run_due()
    notice = await self._message(
        lambda: next(
            (m for m in fake.dm_messages(jess) if "eng:notice:" in str(m.get("components"))),
            None,
        )
    )
    story.flush()
    await self.click(jess, "chooses Move up", notice, "eng:notice:move_up:")
    log_channel = self.channel("worker-log")
    card = await self._message(lambda: self._last_with(log_channel, "eng:move:confirm:"))
    await self.click(worker, "confirms Jess's move", card, "eng:move:confirm:")
    await fake.wait_for(lambda: self._has_member_role(jess, "Level: Working Together"))
    progress = await self.slash(jess, "progress")
    await fake.wait_for(lambda: attachments_of(progress))
    story.flush()
    await self.slash(
        jess,
        "expenses claim",
        {"category": "travel", "amount": "£6.40", "note": "Bus to the session"},
        action="/expenses claim travel £6.40",
    )
    claim = await self._message(lambda: self._last_with(log_channel, "eng:claim:approve:"))
    await self.click(worker, "approves the claim", claim, "eng:claim:approve:")
    claim = fake.message(int(claim["id"]))
    await self.click(worker, "marks it paid", claim, "eng:claim:paid:")
    await fake.wait_for(
        lambda: any("has been paid" in (m.get("content") or "") for m in fake.dm_messages(jess))
    )
    story.flush()


MORE_POLLS = (
    ("Would you like snacks at our sessions?", "Yes; No"),
    ("What should we talk about next?", "Waiting rooms; Support at school; Staying safe online"),
)


async def _more_polls(self: Demo) -> None:
    """Two more polls the same week, told in a note: Jess, Sam and Priya vote; both close."""
    fake, worker, channel = self.fake, self.people["worker"], self.channel("polls")
    for question, options in MORE_POLLS:
        before = len(fake.messages_in(channel))
        asked = {"question": question, "options": options, "closes": "2d"}
        await command(fake, worker, self.guild, "poll create", asked)
        poll = await _poll_after(self, channel, before)
        ids = [c for c in custom_ids(poll) if c.startswith("poll:vote:")]
        for n, key in enumerate(("jess", "sam", "priya")):
            await press(fake, self.people[key], poll, ids[n % 2])
    self.harness.clock.advance(timedelta(days=2))
    await self.harness.run_due()
    await fake.wait_for(lambda: _results(self, channel) >= len(MORE_POLLS))
    self.story.skip()


async def _poll_after(self: Demo, channel: int, before: int) -> dict[str, Any]:
    """Wait for a poll posted in a channel after its first `before` messages; return it."""
    found = await self.fake.wait_for(
        lambda: [m for m in self.fake.messages_in(channel)[before:] if custom_ids(m)]
    )
    return found[0]


def _results(self: Demo, channel: int) -> int:
    """Count the poll results posted in a channel."""
    return sum("Poll results" in everything_text(m) for m in self.fake.messages_in(channel))


def _click(
    self: Demo, user: int, message: dict[str, Any], custom_id: str
) -> Callable[[], Awaitable[Interaction]]:
    """Return a step that clicks one component on a message."""
    return lambda: press(self.fake, user, message, custom_id)
