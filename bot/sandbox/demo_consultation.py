"""The sandbox demo's consultation: asking, answering, and "you said, we did"."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.sandbox.driver import answered, attachments_of, button_on
from bot.sandbox.fakediscord import FakeDiscord, Interaction

if TYPE_CHECKING:
    from bot.sandbox.demo import Demo


async def consultation(self: Demo) -> None:
    """A worker runs a consultation with the group and closes the loop with feedback."""
    story, fake, harness = self.story, self.fake, self.harness
    worker, jess = self.people["worker"], self.people["jess"]
    story.heading("Week 6: a consultation, and 'you said, we did'")
    deadline = (harness.clock.now() + timedelta(days=14)).astimezone(harness.settings.tz)
    form = await self.slash(
        worker,
        "consult draft",
        {"deadline": deadline.strftime("%Y-%m-%d 17:00"), "anonymous": False},
        action="/consult draft (deadline in two weeks, named)",
    )
    words = [
        "Waiting room redesign",
        "We want the waiting room to feel safer and calmer for young people.",
        "A new layout chosen with you, in place by spring.",
        "Furniture, colours, lights and music.",
        "The size of the room and the fire exits: the building is listed.",
    ]
    assert form.modal is not None
    values = {f.custom_id: w for f, w in zip(form.modal.fields, words, strict=True)}
    draft = await story.step(
        worker,
        "fills in why we ask, the outcomes and the limits",
        lambda: self._submit(worker, form, values),
    )
    cid = int(str(draft.content).split("#", 1)[1].split()[0])
    questions = (
        b"Q: How safe does the waiting room feel?\ntype: scale\n\n"
        b"Q: Which would help most?\ntype: multiple\n- Plants\n- Softer lights\n- Quieter music\n\n"
        b"Q: What should we change first?\ntype: text\n"
    )
    await self.slash(
        worker,
        "consult upload",
        {"consultation": cid, "file": fake.upload_attachment("questions.txt", questions)},
        action="/consult upload questions.txt",
    )
    await self.slash(
        jess,
        "consult suggest",
        {"consultation": cid, "question": "Can there be a quiet corner?"},
        action="/consult suggest 'Can there be a quiet corner?'",
    )
    listing = await self.slash(worker, "consult suggestions", {"consultation": cid})
    accept = await self.click(worker, "presses Accept 1", listing.original or {}, "consult:sgok:")
    assert accept.modal is not None
    _wording, kind, options = (f.custom_id for f in accept.modal.fields)
    await story.step(
        worker,
        "accepts it as a yes/no question",
        lambda: self._submit(worker, accept, {kind: "single", options: "Yes\nNo"}),
    )
    await self.slash(worker, "consult open", {"consultation": cid})
    announcements = self.channel("announcements")
    post = await self._message(
        lambda: next(
            (
                m
                for m in reversed(fake.messages_in(announcements))
                if f"consult:start:{cid}" in str(m.get("components"))
            ),
            None,
        )
    )
    story.flush()
    start = await self.click(jess, "presses Take part", post, f"consult:start:{cid}")
    step_id = int((start.original or {})["id"])
    scale = button_on(fake.message(step_id), f"consult:scale:{cid}:").rsplit(":", 1)[0] + ":4"
    await self.click(jess, "answers 4", fake.message(step_id), scale)
    pick = button_on(fake.message(step_id), "consult:pick:")
    await story.step(
        jess,
        "chooses Plants and Softer lights",
        lambda: _answered_select(fake, jess, step_id, pick, ["0", "1"]),
    )
    story.note("Jess stops half-way; the bot restarts overnight")
    await harness.restart()
    resumed = await self.slash(jess, "consult answer", {"consultation": cid})
    step_id = int((resumed.original or {})["id"])
    write: Interaction = await self.click(
        jess, "presses Write my answer", fake.message(step_id), "consult:write:"
    )
    await story.step(
        jess,
        "writes 'A quiet corner with softer lights, please'",
        lambda: self._submit(
            jess,
            write,
            {_first_field(write): "A quiet corner with softer lights, please"},
        ),
    )
    pick = button_on(fake.message(step_id), "consult:pick:")
    await story.step(
        jess, "answers Yes", lambda: _answered_select(fake, jess, step_id, pick, ["0"])
    )
    await self.slash(worker, "consult close", {"consultation": cid})
    results = await self.slash(worker, "consult results", {"consultation": cid})
    files = await fake.wait_for(lambda: attachments_of(results))
    story.note("files: " + ", ".join(a["filename"] for a in files))
    feedback = await self.slash(worker, "consult feedback", {"consultation": cid})
    assert feedback.modal is not None
    said, did, could_not = (f.custom_id for f in feedback.modal.fields)
    await story.step(
        worker,
        "publishes 'you said, we did'",
        lambda: self._submit(
            worker,
            feedback,
            {
                said: "You said the room feels loud and exposed, and asked for a quiet corner.",
                did: (
                    "We ordered plants and softer lights, and are making a quiet corner "
                    "by the window."
                ),
                could_not: "We can't make the room bigger: it is a listed building.",
            },
        ),
    )
    await fake.wait_for(
        lambda: any("You said, we did" in str(m.get("embeds")) for m in fake.dm_messages(jess))
    )
    story.flush()


async def _answered_select(
    fake: FakeDiscord, user: int, message_id: int, custom_id: str, values: list[str]
) -> Interaction:
    return await answered(await fake.select(user, message_id, custom_id, values))


def _first_field(form: Interaction) -> str:
    assert form.modal is not None
    return form.modal.fields[0].custom_id
