"""An anonymous consultation for few members says, before it opens, that its results may not
be shown (results.py withholds anonymous results answered by fewer than 3 people)."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Consultation
from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved
from tests.e2e.harness import BotHarness, People, everything_text, slash
from tests.e2e.test_consultations import draft, submit
from tests.e2e.test_consultations_guided import DRAFT, choose, press, send, step_message

WARNING = "Only 2 members can answer this consultation right now"


async def status(harness: BotHarness, cid: int) -> str:
    """Return a consultation's status in the database."""
    async with harness.services.db() as s:
        found = await s.scalar(select(Consultation.status).where(Consultation.id == cid))
    return str(found)


async def test_a_small_anonymous_consultation_warns_before_it_opens(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild, worker = group["guild"], group.worker
    for name in ("Ana", "Ben"):
        await approved(fake, group, name)

    # Said as soon as the draft is saved, and again in the preview.
    form = await slash(fake, worker, guild, "consult draft", {"deadline": "2026-12-10 17:00"})
    saved = await send(fake, worker, form, **DRAFT)
    told = saved.content or ""
    assert WARNING in told and "nobody will see them" in told, told
    cid = int(told.split("#", 1)[1].split()[0])
    kinds = await press(fake, worker, saved, "consult:guide:add:")
    added = await send(
        fake, worker, await choose(fake, worker, kinds, "text"), question="What should change?"
    )
    preview = await press(fake, worker, added, "consult:guide:preview:")
    assert WARNING in everything_text(step_message(preview))

    # "Open it now" from a message that did not show the warning asks first.
    asked = await press(fake, worker, added, "consult:guide:open:")
    assert asked.ephemeral and "Before you open it" in (asked.content or "")
    assert WARNING in (asked.content or "") and "at least 3 people" in (asked.content or "")
    assert await status(harness, cid) == "draft"
    opened = await press(fake, worker, asked, "consult:guide:open:")
    assert "Open until" in (opened.content or ""), opened.content
    assert await status(harness, cid) == "open"

    # A named consultation shows every answer however few: nothing to warn about.
    named = await draft(fake, group, anonymous=False)
    form = await slash(
        fake, worker, guild, "consult question", {"consultation": named, "kind": "free text"}
    )
    await submit(fake, worker, form, question="What should change?")
    quick = await slash(fake, worker, guild, "consult open", {"consultation": named})
    assert "Open until" in (quick.content or "") and "can answer" not in (quick.content or "")


async def test_more_members_but_still_few_are_told_what_fewer_than_3_answers_means(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild, worker = group["guild"], group.worker
    for name in ("Ana", "Ben", "Cy", "Dee"):
        await approved(fake, group, name)
    cid = await draft(fake, group)
    form = await slash(
        fake, worker, guild, "consult question", {"consultation": cid, "kind": "free text"}
    )
    added = await submit(fake, worker, form, question="What should change?")
    preview = await press(fake, worker, added, "consult:guide:preview:")
    text = everything_text(step_message(preview))
    assert "Only 4 members can answer" in text and "if fewer than 3 people answer" in text, text
    # The quick command says it with its answer too.
    quick = await slash(fake, worker, guild, "consult open", {"consultation": cid})
    assert "Only 4 members can answer" in (quick.content or ""), quick.content
