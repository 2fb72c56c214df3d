"""Consultations through the stand-in: drafting to "you said, we did", resumable answers."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.db.models import ConsultationAnswer
from bot.sandbox.fakediscord import FakeDiscord, Interaction
from bot.sandbox.fakediscord.messaging import find_message, walk_components
from tests.e2e.flows import approved, join
from tests.e2e.harness import (
    BotHarness,
    People,
    answered,
    attachments_of,
    custom_ids,
    everything_text,
    settle,
    slash,
    table_dump,
)

QUESTIONS = b"""# Waiting room questions
Q: How easy was it to find the waiting room?
type: single
- Very easy
- Quite easy
- Hard

Q: Which would make it calmer?
type: multiple
- Plants
- Softer lights
- Quieter music

Q: How safe does it feel now?
type: scale

Q: What should we change first?
type: text
"""
BROKEN = b"""Q: Pick one
type: single
- Only one option

Q: How was it?
type: essay
"""


def fill(handle: Interaction, **by_label: str) -> dict[str, str]:
    """Map modal answers by the start of each field's label to its custom_id."""
    assert handle.modal is not None, handle.content
    values = {}
    for f in handle.modal.fields:
        for start, value in by_label.items():
            if _letters(f.label).startswith(_letters(start)):
                values[f.custom_id] = value
    return values


def _letters(text: str) -> str:
    return re.sub("[^a-z]", "", text.lower())


async def submit(fake: FakeDiscord, user: int, handle: Interaction, **by_label: str) -> Interaction:
    """Fill in and submit a modal; wait for the answer."""
    return await answered(await fake.submit_modal(user, handle, fill(handle, **by_label)))


async def draft(fake: FakeDiscord, group: People, **options: Any) -> int:
    """Draft a consultation through /consult draft and its form; return its id."""
    handle = await slash(
        fake,
        group.worker,
        group["guild"],
        "consult draft",
        {"deadline": "2026-12-10 17:00", **options},
    )
    done = await submit(
        fake,
        group.worker,
        handle,
        title="Waiting room redesign",
        why="We want the waiting room to feel safer and calmer.",
        what_we_hope="A new layout chosen with you, in place by spring.",
        what_can_change="Furniture, colours, lights and music.",
        what_can_t="The size of the room and the fire exits.",
    )
    assert "Draft #" in (done.content or ""), done.content
    return int((done.content or "").split("#", 1)[1].split()[0])


def step_message(handle: Interaction) -> dict[str, Any]:
    """Return the private message showing a step (the original or the updated one)."""
    message = handle.original or (handle.followups[-1] if handle.followups else None)
    assert message is not None, handle.content
    return message


def cid_starting(message: dict[str, Any], prefix: str) -> str:
    """Return the custom_id on a message that starts with prefix."""
    found = [c for c in custom_ids(message) if c.startswith(prefix)]
    assert found, (prefix, custom_ids(message))
    return found[0]


async def do(fake: FakeDiscord, user: int, message: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Click a button on a step message; return the message as it is now."""
    await answered(await fake.click(user, int(message["id"]), cid_starting(message, prefix)))
    return fake.message(int(message["id"]))


async def pick(fake: FakeDiscord, user: int, message: dict[str, Any], values: list[str]) -> Any:
    """Choose options in a step's select; return the message as it is now."""
    sid = cid_starting(message, "consult:pick:")
    await answered(await fake.select(user, int(message["id"]), sid, values))
    return fake.message(int(message["id"]))


async def test_anonymous_consultation_end_to_end(
    fake: FakeDiscord,
    harness: BotHarness,
    group: People,
    clock: ManualClock,
    db_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    guild = group["guild"]
    ana = await approved(fake, group, "Ana", reminder_dms=True)
    ben = await approved(fake, group, "Ben", reminder_dms=False)
    cat = await approved(fake, group, "Cat", reminder_dms=True)  # never answers
    dee = await approved(fake, group, "Dee", reminder_dms=False)
    cid = await draft(fake, group)

    # A malformed file is refused with line numbers and adds nothing; a good one adds four.
    bad = await slash(
        fake,
        group.worker,
        guild,
        "consult upload",
        {"consultation": cid, "file": fake.upload_attachment("q.txt", BROKEN)},
    )
    text = await settle(fake, bad)
    assert "Nothing was added" in text and "Line 1" in text and "Line 6" in text, text
    good = await slash(
        fake,
        group.worker,
        guild,
        "consult upload",
        {"consultation": cid, "file": fake.upload_attachment("q.txt", QUESTIONS)},
    )
    assert "Added 4 questions" in await settle(fake, good)

    # Co-production: Ana suggests a question; the worker accepts it; Ana is thanked by DM.
    suggested = await slash(
        fake, ana, guild, "consult suggest", {"consultation": cid, "question": "Can we bring pets?"}
    )
    assert "Thank you" in (suggested.content or "")
    listing = await slash(fake, group.worker, guild, "consult suggestions", {"consultation": cid})
    assert "Can we bring pets?" in (listing.content or "") and "Ana" in (listing.content or "")
    form = await answered(
        await fake.click(
            group.worker,
            int(step_message(listing)["id"]),
            cid_starting(step_message(listing), "consult:sgok:"),
        )
    )
    accepted = await submit(fake, group.worker, form, type="single", options="Yes\nNo")
    assert "question 5" in (accepted.content or "")
    await fake.wait_for(
        lambda: any("has been added" in (m.get("content") or "") for m in fake.dm_messages(ana))
    )

    # Open: the announcement has a "Take part" button.
    opened = await slash(fake, group.worker, guild, "consult open", {"consultation": cid})
    assert "Open until" in (opened.content or "")
    await fake.wait_for(
        lambda: any(
            f"consult:start:{cid}" in custom_ids(m)
            for m in fake.messages_in(group["#announcements"])
        )
    )
    post = [m for m in fake.messages_in(group["#announcements"]) if custom_ids(m)][-1]
    assert "What can't change" in everything_text(post)

    # Ana answers two questions, then leaves half-way.
    start = await answered(await fake.click(ana, int(post["id"]), f"consult:start:{cid}"))
    assert start.ephemeral and "question 1 of 5" in (start.content or "")
    assert "anonymous" in (start.content or "")
    message = step_message(start)
    message = await pick(fake, ana, message, ["1"])
    assert "question 2 of 5" in message["content"]
    message = await pick(fake, ana, message, ["0", "2"])
    assert "question 3 of 5" in message["content"]

    # The bot restarts; Ana comes back with /consult answer and carries on where she was.
    await harness.restart()
    resumed = await slash(fake, ana, guild, "consult answer", {"consultation": cid})
    assert "question 3 of 5" in (resumed.content or ""), resumed.content
    message = step_message(resumed)
    assert {f"consult:scale:{cid}:" in c for c in custom_ids(message)} >= {True}

    # A tampered client turns the "5" button into a "6": the bot refuses it and saves nothing.
    scale_id = cid_starting(message, "consult:scale:")
    prefix = scale_id.rsplit(":", 1)[0]
    stored = find_message(fake.state, int(message["id"]))
    for comp in walk_components(stored["components"]):
        if comp.get("custom_id") == f"{prefix}:5":
            comp["custom_id"], comp["label"] = f"{prefix}:6", "6"
    forged = await answered(await fake.click(ana, int(message["id"]), f"{prefix}:6"))
    assert forged.ephemeral and "so 6 can't be used" in (forged.content or ""), forged.content
    async with harness.services.db() as s:
        assert await s.scalar(select(func.count()).select_from(ConsultationAnswer)) == 2
    message = await do(fake, ana, message, f"{prefix}:4")
    assert "question 4 of 5" in message["content"]

    # Free text: the form allows at most 1,000 characters; Discord refuses more.
    form = await answered(
        await fake.click(ana, int(message["id"]), cid_starting(message, "consult:write:"))
    )
    field = form.modal.fields[0]
    assert field.max_length == 1000
    with pytest.raises(ValueError, match="at most 1000"):
        await fake.submit_modal(ana, form, {field.custom_id: "x" * 1001})
    ana_words = "More plants and a quiet corner, please"
    await answered(await fake.submit_modal(ana, form, {field.custom_id: ana_words}))
    message = fake.message(int(message["id"]))
    assert "question 5 of 5" in message["content"], message["content"]
    message = await pick(fake, ana, message, ["0"])
    assert "All done" in message["content"] and "5 of 5" in message["content"]
    # She changes her mind about question 1 (answers can change until the deadline).
    message = await do(fake, ana, message, f"consult:goto:{cid}:1")
    message = await pick(fake, ana, message, ["2"])
    assert "question 2 of 5" in message["content"]

    # Ben answers only the text question's neighbour: one scale answer.
    # Ben uses the "Take part" button posted before the restart: it still works.
    ben_start = await answered(await fake.click(ben, int(post["id"]), f"consult:start:{cid}"))
    assert "question 1 of 5" in (ben_start.content or ""), ben_start.content
    message = await do(fake, ben, step_message(ben_start), "consult:skip:")
    message = await do(fake, ben, message, "consult:skip:")
    message = await do(fake, ben, message, f"consult:scale:{cid}:")
    assert "question 4 of 5" in message["content"]
    ben_form = await answered(
        await fake.click(ben, int(message["id"]), cid_starting(message, "consult:write:"))
    )
    ben_words = "The chairs are too hard"
    await answered(
        await fake.submit_modal(ben, ben_form, {ben_form.modal.fields[0].custom_id: ben_words})
    )

    # Dee answers one question (an anonymous result needs at least three people).
    dee_start = await slash(fake, dee, guild, "consult answer", {"consultation": cid})
    await pick(fake, dee, step_message(dee_start), ["0"])

    # Results of an anonymous consultation wait for the close.
    early = await slash(fake, group.worker, guild, "consult results", {"consultation": cid})
    assert "shown once it closes" in await settle(fake, early)

    # The deadline passes while the bot is stopped: it closes at start-up, posted once.
    await harness.stop()
    clock.set(clock.now().replace(year=2026, month=12, day=11))
    await harness.start()
    await fake.wait_for(
        lambda: any(
            "closed on its deadline" in (m.get("content") or "")
            for m in fake.messages_in(group["#worker-log"])
        )
    )
    await harness.run_due()
    closes = [
        m
        for m in fake.messages_in(group["#worker-log"])
        if "closed on its deadline" in (m.get("content") or "")
    ]
    assert len(closes) == 1 and "3 of 4 people took part" in closes[0]["content"], closes
    late = await slash(fake, ana, guild, "consult answer", {"consultation": cid})
    assert "has closed" in (late.content or "")

    # Results: counts, charts, CSV and free text, with no names.
    results = await slash(fake, group.worker, guild, "consult results", {"consultation": cid})
    summary = await settle(fake, results)
    assert "3 of 4 people" in summary, summary
    files = {a["filename"]: fake.attachment_bytes(a) for a in attachments_of(results)}
    assert {"free-text-answers.txt", "q1.png", "q2.png", "q3.png", "q5.png"} <= set(files)
    assert files["q1.png"].startswith(b"\x89PNG")
    csv_text = files[f"consultation-{cid}.csv"].decode("utf-8-sig")
    assert ana_words in csv_text and ben_words in csv_text
    assert ana_words in files["free-text-answers.txt"].decode()

    # You said, we did: posted in announcements and DMed to Ana only (Ben opted out of DMs,
    # Cat did not take part).
    fb_form = await slash(fake, group.worker, guild, "consult feedback", {"consultation": cid})
    done = await submit(
        fake,
        group.worker,
        fb_form,
        you_said="You said the room felt cold and loud.",
        we_did="We bought plants and softer lights.",
        what_we_couldn="Move the room: there is no other space in the building.",
    )
    assert "Published" in (done.content or "")
    await fake.wait_for(
        lambda: any("You said, we did" in everything_text(m) for m in fake.dm_messages(ana))
    )
    # The announcement is a delivery of its own, which may land just after Ana's DM.
    await fake.wait_for(
        lambda: any(
            "We bought plants" in everything_text(m)
            for m in fake.messages_in(group["#announcements"])
        )
    )
    assert not any("You said, we did" in everything_text(m) for m in fake.dm_messages(ben))
    assert not any("You said, we did" in everything_text(m) for m in fake.dm_messages(cat))

    # Anonymity: no table row, message or log line joins Ana or Ben to what they wrote.
    dump = await table_dump(db_url)
    people = {ana: "Ana", ben: "Ben", dee: "Dee"}
    for table, rows in dump.items():
        for row in rows:
            cells = {str(v) for v in row}
            if any(ana_words in c or ben_words in c for c in cells):
                assert not cells & {str(u) for u in people}, (table, row)
                assert not cells & set(people.values()), (table, row)
    for table in ("consultation_respondents", "consultation_answers"):
        assert dump[table], table
    assert all(r[2] is None and r[3] is None for r in dump["consultation_respondents"])
    everything = [
        *fake.messages_in(group["#worker-log"]),
        *fake.messages_in(group["#announcements"]),
    ]
    for m in everything:
        shown = everything_text(m)
        assert ana_words not in shown and ben_words not in shown
    for name in people.values():
        assert name not in csv_text and name not in files["free-text-answers.txt"].decode()
    mine = await slash(fake, ana, guild, "mydata")
    await settle(fake, mine)
    [exported] = [fake.attachment_bytes(a) for a in attachments_of(mine)]
    assert b"Waiting room redesign" in exported and ana_words.encode() not in exported
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert ana_words not in logged and ben_words not in logged


async def test_refusals_named_results_and_review_reminder(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    guild = group["guild"]
    ana = await approved(fake, group, "Ana", area="North")
    sid = await approved(fake, group, "Sid", area="South")
    pending = fake.create_user("pat", "Pat")
    fake.add_member(guild, pending)
    await join(fake, group, pending, name="Pat")

    # Bad drafts are refused before the form: a past deadline, years away, a bad audience.
    for options, words in [
        ({"deadline": "2026-11-01 17:00"}, "in the future"),
        ({"deadline": "2029-01-01 17:00"}, "at most a year"),
        ({"deadline": "whenever"}, "deadline"),
        ({"deadline": "2026-12-10 17:00", "audience": "locality:Mars"}, "who this is for"),
    ]:
        handle = await slash(fake, group.worker, guild, "consult draft", options)
        assert handle.modal is None and words in (handle.content or ""), (options, handle.content)
    refused = await slash(fake, ana, guild, "consult draft", {"deadline": "2026-12-10 17:00"})
    assert refused.modal is None and "Only participation workers" in (refused.content or "")

    cid = await draft(fake, group, audience="locality:North", anonymous=False)
    form = await slash(
        fake, group.worker, guild, "consult question", {"consultation": cid, "kind": "scale 1-5"}
    )
    added = await submit(fake, group.worker, form, question="How safe does it feel?")
    assert "question 1" in (added.content or "")
    form = await slash(
        fake,
        group.worker,
        guild,
        "consult question",
        {"consultation": cid, "kind": "single choice"},
    )
    one = await submit(fake, group.worker, form, question="Pick one", options="Only one")
    assert "2 to 10 options" in (one.content or "")
    await slash(fake, group.worker, guild, "consult open", {"consultation": cid})

    # Outside the audience, or not yet approved: refused kindly.
    outside = await slash(fake, sid, guild, "consult answer", {"consultation": cid})
    assert "members in North" in (outside.content or "")
    waiting = await slash(fake, pending, guild, "consult answer", {"consultation": cid})
    assert "waiting for a worker" in (waiting.content or "")

    # A named consultation: Ana answers; the worker closes early and sees her name.
    start = await slash(fake, ana, guild, "consult answer", {"consultation": cid})
    assert "named" in (start.content or "")
    message = await do(fake, ana, step_message(start), f"consult:scale:{cid}:")
    assert "All done" in message["content"]
    locked = await slash(
        fake, group.worker, guild, "consult remove-question", {"consultation": cid, "number": 1}
    )
    assert "questions are locked" in (locked.content or ""), locked.content
    closed = await slash(fake, group.worker, guild, "consult close", {"consultation": cid})
    assert "1 person took part" in (closed.content or "")
    results = await slash(fake, group.worker, guild, "consult results", {"consultation": cid})
    await settle(fake, results)
    files = {a["filename"]: fake.attachment_bytes(a) for a in attachments_of(results)}
    assert "Ana" in files[f"consultation-{cid}.csv"].decode("utf-8-sig")

    # Nothing published by the review date: workers are reminded once.
    clock.advance(timedelta(days=60))
    await harness.run_due()
    await harness.run_due()
    reminders = [
        m
        for m in fake.messages_in(group["#worker-log"])
        if "Reminder: the review date" in (m.get("content") or "")
    ]
    assert len(reminders) == 1

    # The end-of-involvement questionnaire in one command.
    made = await slash(fake, group.worker, guild, "consult template")
    assert "7 questions" in (made.content or "")


async def test_two_people_writing_at_once_keep_their_own_words(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild = group["guild"]
    ana = await approved(fake, group, "Ana")
    ben = await approved(fake, group, "Ben")
    cid = await draft(fake, group, anonymous=False)
    form = await slash(
        fake, group.worker, guild, "consult question", {"consultation": cid, "kind": "free text"}
    )
    await submit(fake, group.worker, form, question="What should we change first?")
    await slash(fake, group.worker, guild, "consult open", {"consultation": cid})
    forms = {}
    for user in (ana, ben):
        start = await slash(fake, user, guild, "consult answer", {"consultation": cid})
        message = step_message(start)
        forms[user] = await answered(
            await fake.click(user, int(message["id"]), cid_starting(message, "consult:write:"))
        )
    # Both forms are open at the same time; each submission reaches its own form.
    for user, words in ((ben, "Ben's own words"), (ana, "Ana's own words")):
        handle = forms[user]
        done = await answered(
            await fake.submit_modal(user, handle, {handle.modal.fields[0].custom_id: words})
        )
        assert done.callback_type in (4, 7), done.content
    async with harness.services.db() as s:
        texts = sorted(await s.scalars(select(ConsultationAnswer.text)))
    assert texts == ["Ana's own words", "Ben's own words"]
