"""Every chart consultations post says in words what it shows (the attachment's description)."""

from __future__ import annotations

from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved
from tests.e2e.harness import (
    BotHarness,
    People,
    attachments_of,
    custom_ids,
    described_uploads,
    settle,
    slash,
)
from tests.e2e.test_consultations import do, draft, pick, step_message

QUESTIONS = b"""Q: How was it?
type: single
- Good
- OK
- Not good

Q: Which would make it calmer?
type: multiple
- Plants
- Softer lights

Q: How safe does it feel?
type: scale
"""


async def test_every_results_chart_says_what_it_shows(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    sent = described_uploads(fake)
    guild = group["guild"]
    ana = await approved(fake, group, "Ana")
    ben = await approved(fake, group, "Ben")
    cid = await draft(fake, group, anonymous=False)
    upload = await slash(
        fake,
        group.worker,
        guild,
        "consult upload",
        {"consultation": cid, "file": fake.upload_attachment("q.txt", QUESTIONS)},
    )
    assert "Added 3 questions" in await settle(fake, upload)
    await slash(fake, group.worker, guild, "consult open", {"consultation": cid})
    for user, single, scale in ((ana, "0", 4), (ben, "2", 5)):
        start = await slash(fake, user, guild, "consult answer", {"consultation": cid})
        message = await pick(fake, user, step_message(start), [single])
        if user == ana:
            message = await pick(fake, user, message, ["0", "1"])
        else:
            message = await do(fake, user, message, "consult:skip:")
        scale_id = next(c for c in custom_ids(message) if c.startswith("consult:scale:"))
        await do(fake, user, message, f"{scale_id.rsplit(':', 1)[0]}:{scale}")
    await slash(fake, group.worker, guild, "consult close", {"consultation": cid})

    results = await slash(fake, group.worker, guild, "consult results", {"consultation": cid})
    await settle(fake, results)
    charts = [a for a in attachments_of(results) if a["filename"].endswith(".png")]
    assert len(charts) == 3
    alts = {
        d["filename"]: d.get("description") or ""
        for described in sent.values()
        for d in described
        if str(d.get("filename", "")).endswith(".png")
    }
    assert alts["q1.png"] == "Bar chart of 2 answers to “How was it?”: Good 1, OK 0, Not good 1."
    assert alts["q2.png"] == (
        "Bar chart of 1 answer to “Which would make it calmer?” (people could choose more "
        "than one): Plants 1, Softer lights 1. 1 person skipped it."
    )
    assert alts["q3.png"] == (
        "Bar chart of 2 answers to “How safe does it feel?”, on a scale of 1 to 5. "
        "1: 0 people, 2: 0 people, 3: 0 people, 4: 1 person, 5: 1 person. Average 4.5."
    )
