"""The sandbox demo's people: signing up, approval, a decline, data rights, and more members."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from bot.sandbox.driver import attachments_of, command, press

if TYPE_CHECKING:
    from bot.sandbox.demo import Demo


async def join(self: Demo, key: str, **options: object) -> dict[str, object]:
    """Someone signs up and agrees; return their approval card."""
    story, fake = self.story, self.fake
    user = self.people[key]
    shown = ", ".join(f"{k}: {v}" for k, v in options.items())
    consent = await self.slash(user, "join", dict(options), action=f"/join {shown}")
    assert consent.original is not None, consent.content
    worker_log = self.channel("worker-log")
    before = len(fake.messages_in(worker_log))
    await self.click(user, "presses 'I agree — sign me up'", consent.original or {}, "join:agree")
    await fake.wait_for(lambda: len(fake.messages_in(worker_log)) > before)
    story.flush()
    return fake.messages_in(worker_log)[-1]


async def membership(self: Demo) -> None:
    """Three people join; a worker approves two and declines one; data rights."""
    story, fake = self.story, self.fake
    story.heading("Week 1: people sign up")
    jess_card = await join(
        self,
        "jess",
        name="Jess",
        age_band="16-17",
        i_am="Young person",
        area="North",
        reminder_dms=True,
        pronouns="she/her",
    )
    kai_card = await join(
        self,
        "kai",
        name="Kai",
        age_band="11-13",
        i_am="Young person",
        area="South",
        reminder_dms=False,
    )
    morgan_card = await join(
        self,
        "morgan",
        name="Morgan",
        age_band="Parent or carer",
        i_am="Parent or carer",
        area="East",
        reminder_dms=True,
    )
    worker = self.people["worker"]
    story.heading("Week 1: a worker looks at the sign-ups")
    await self.slash(worker, "signups")
    await self.click(worker, "approves Jess", jess_card, "signup:approve:")
    await fake.wait_for(lambda: self._has_member_role(self.people["jess"], "Member"))
    story.flush()
    await self.click(
        worker, "confirms a parent/carer knows Kai is joining", kai_card, "signup:carer:"
    )
    kai_card = fake.message(int(str(kai_card["id"])))
    await self.click(worker, "approves Kai", kai_card, "signup:approve:")
    await fake.wait_for(lambda: self._has_member_role(self.people["kai"], "Member"))
    story.flush()
    form = await self.click(
        worker, "presses Decline on Morgan's sign-up", morgan_card, "signup:decline:"
    )
    assert form.modal is not None
    reason = (
        "The carers' group for the East is full this term; we have added you to the "
        "list for January and will message you then."
    )
    field = form.modal.fields[0].custom_id
    await story.step(
        worker,
        f"declines with the reason: {reason}",
        lambda: self._submit(worker, form, {field: reason}),
    )
    await fake.wait_for(
        lambda: any(
            reason in (m.get("content") or "") for m in fake.dm_messages(self.people["morgan"])
        )
    )
    story.flush()

    story.heading("Week 2: data rights")
    jess = self.people["jess"]
    export = await self.slash(jess, "mydata")
    files = await fake.wait_for(lambda: attachments_of(export))
    data = json.loads(fake.attachment_bytes(files[0]))
    story.note(f"Jess's file holds sections: {', '.join(sorted(data))}")
    kai = self.people["kai"]
    ask = await self.slash(kai, "forgetme")
    await self.click(kai, "presses 'Yes, erase my data'", ask.original or {}, "confirm:yes")
    await fake.wait_for(lambda: not (fake.member(self.guild, kai) or {}).get("roles"))
    story.flush()


MORE = (
    ("sam", "Sam", {"age_band": "18-21", "i_am": "Young person", "area": "West"}),
    ("priya", "Priya", {"age_band": "Parent or carer", "i_am": "Parent or carer", "area": "North"}),
    ("leo", "Leo", {"age_band": "16-17", "i_am": "Young person", "area": "South"}),
)


async def more_members(self: Demo) -> None:
    """Three more people join and are approved the same way (told in a note, not step by step)."""
    story, fake = self.story, self.fake
    worker, worker_log = self.people["worker"], self.channel("worker-log")
    story.heading("Week 2: more people join")
    for key, name, options in MORE:
        user = self.people[key]
        answers = {"name": name, "reminder_dms": key != "leo", **options}
        consent = await command(fake, user, self.guild, "join", answers)
        before = len(fake.messages_in(worker_log))
        await press(fake, user, consent.original or {}, "join:agree")
        card = await _new_card(self, worker_log, before)
        await press(fake, worker, card, "signup:approve:")
        role = "Carer" if options["i_am"] == "Parent or carer" else "Member"
        await _has_role(self, user, role)
        await _welcomed(self, user, told_by_dm=bool(answers["reminder_dms"]))
    story.skip()
    story.note(
        "Sam (18-21, West), Priya (a parent, North) and Leo (16-17, South) sign up the same "
        "way, and Wendy approves them: the group now has four members and a carer"
    )
    sam = self.people["sam"]
    ask = {"term": "CAMHS"}
    await self.slash(sam, "jargon", ask, action="/jargon term: CAMHS")


async def _has_role(self: Demo, user: int, role: str) -> None:
    """Wait until a person has a role."""
    await self.fake.wait_for(lambda: self._has_member_role(user, role))


async def _new_card(self: Demo, channel: int, before: int) -> dict[str, object]:
    """Wait for a new message in a channel after the first `before`; return the newest."""
    found = await self.fake.wait_for(lambda: self.fake.messages_in(channel)[before:])
    return found[-1]


async def _welcomed(self: Demo, user: int, told_by_dm: bool) -> None:
    """Wait until someone is welcomed in #welcome (and told by DM, if they chose DMs)."""
    fake, welcome = self.fake, self.channel("welcome")
    await fake.wait_for(
        lambda: any(f"<@{user}>" in str(m.get("content")) for m in fake.messages_in(welcome))
    )
    if told_by_dm:
        await fake.wait_for(lambda: fake.dm_messages(user))
