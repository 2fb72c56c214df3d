"""Consultation messages count in words that fit the number: no "1 questions", "1 people" or
"(s)", and no thanks to "the 0 people" who took part."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.clock import ManualClock
from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved
from tests.e2e.harness import BotHarness, People, everything_text, settle, slash
from tests.e2e.test_consultations import draft, pick, step_message, submit

ONE_QUESTION = b"""Q: How was it?
type: single
- Good
- Not good
"""
WRONG = re.compile(r"\(s\)|\(es\)|\b1 (questions|people|answers|members)\b|\b0 people\b")


async def test_counts_read_as_plain_english(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    guild, worker = group["guild"], group.worker
    ana = await approved(fake, group, "Ana")
    cid = await draft(fake, group)
    upload = await slash(
        fake,
        worker,
        guild,
        "consult upload",
        {"consultation": cid, "file": fake.upload_attachment("q.txt", ONE_QUESTION)},
    )
    assert "Added 1 question:" in await settle(fake, upload)
    await slash(fake, worker, guild, "consult open", {"consultation": cid})

    # Before anyone answers, and after one person has.
    early = await slash(fake, worker, guild, "consult results", {"consultation": cid})
    assert "Nobody has taken part yet." in await settle(fake, early)
    start = await slash(fake, ana, guild, "consult answer", {"consultation": cid})
    await pick(fake, ana, step_message(start), ["0"])
    early = await slash(fake, worker, guild, "consult results", {"consultation": cid})
    assert "So far 1 person has taken part." in await settle(fake, early)
    await slash(fake, worker, guild, "consult close", {"consultation": cid})

    # A consultation nobody answered closes without thanking "the 0 people".
    empty = await draft(fake, group, anonymous=False)
    form = await slash(
        fake, worker, guild, "consult question", {"consultation": empty, "kind": "free text"}
    )
    await submit(fake, worker, form, question="What should change?")
    await slash(fake, worker, guild, "consult open", {"consultation": empty})
    await slash(fake, worker, guild, "consult close", {"consultation": empty})

    # The review dates pass with no feedback: workers are reminded, once each.
    clock.advance(timedelta(days=60))
    await harness.run_due()
    await harness.run_due()
    log = [everything_text(m) for m in fake.messages_in(group["#worker-log"])]
    reminders = [t for t in log if "Reminder: the review date" in t]
    assert len(reminders) == 2, reminders
    assert any("1 person took part and is waiting" in t for t in reminders), reminders
    assert any("Nobody took part" in t for t in reminders), reminders
    news = [everything_text(m) for m in fake.messages_in(group["#announcements"])]
    closed = [t for t in news if "has now closed" in t]
    assert len(closed) == 2 and any("the one person" in t for t in closed), closed
    assert any("what happens next" in t for t in closed), closed

    said = [*log, *news, *(everything_text(m) for m in fake.dm_messages(ana))]
    assert not [t for t in said if WRONG.search(t)], [t for t in said if WRONG.search(t)]
