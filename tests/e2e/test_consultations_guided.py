"""One guided conversation from /consult draft to an open consultation, buttons and forms only.

Bad input at each step gets a private, kind answer that keeps what was typed, and the forms
and buttons keep working across a restart.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.clock import ManualClock
from bot.db.models import Consultation, ConsultationQuestion
from bot.sandbox.fakediscord import FakeDiscord, Interaction
from tests.e2e.harness import BotHarness, People, answered, custom_ids, everything_text, slash
from tests.e2e.test_consultations import cid_starting, fill, step_message

DRAFT = {
    "title": "Waiting room redesign",
    "why": "We want the waiting room to feel safer and calmer.",
    "what_we_hope": "A new layout chosen with you, in place by spring.",
    "what_can_change": "Furniture, colours, lights and music.",
    "what_can_t": "The size of the room and the fire exits.",
}


async def press(fake: FakeDiscord, user: int, handle: Interaction, prefix: str) -> Interaction:
    """Press the button starting with prefix on the private message a step answered with."""
    message = step_message(handle)
    return await answered(await fake.click(user, int(message["id"]), cid_starting(message, prefix)))


async def choose(fake: FakeDiscord, user: int, handle: Interaction, kind: str) -> Interaction:
    """Choose a kind of question in the select on a step's message."""
    message = step_message(handle)
    sid = cid_starting(message, "consult:guide:kind:")
    return await answered(await fake.select(user, int(message["id"]), sid, [kind]))


async def send(fake: FakeDiscord, user: int, form: Interaction, **by_label: str) -> Interaction:
    """Submit a form with these answers (by the start of each label); wait for the answer."""
    return await answered(await fake.submit_modal(user, form, fill(form, **by_label)))


def shown(form: Interaction) -> dict[str, str]:
    """Return what a form shows already filled in, by label."""
    assert form.modal is not None, form.content
    return {f.label: f.value or "" for f in form.modal.fields}


def typed_embed(handle: Interaction) -> dict[str, Any]:
    """Return the "What you typed" embed on a step's message."""
    [embed] = [e for e in step_message(handle)["embeds"] if e.get("title") == "What you typed"]
    return embed


async def test_a_worker_drafts_adds_two_questions_previews_and_opens_with_buttons_only(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild, worker = group["guild"], group.worker
    form = await slash(
        fake, worker, guild, "consult draft", {"deadline": "2026-12-10 17:00", "anonymous": False}
    )

    # The draft form: a title pasted with a hidden character is refused kindly, keeping it all.
    pasted = "Waiting\u200b room redesign"
    refused = await send(fake, worker, form, **(DRAFT | {"title": pasted}))
    assert refused.ephemeral and "hidden control character" in (refused.content or "")
    kept = typed_embed(refused)
    assert [f["value"] for f in kept["fields"]][1:] == list(DRAFT.values())[1:]
    again = await press(fake, worker, refused, "consult:redraft:")
    filled = shown(again)
    assert filled["Title"] == pasted and filled["What can change"] == DRAFT["what_can_change"]
    draft = await send(fake, worker, again, title="Waiting room redesign")
    assert draft.ephemeral and "Draft #" in (draft.content or ""), draft.content
    cid = int((draft.content or "").split("#", 1)[1].split()[0])
    buttons = custom_ids(step_message(draft))
    assert {f"consult:guide:add:{cid}", f"consult:guide:preview:{cid}"} <= set(buttons)

    # Opening with no questions yet: told what is missing, with the button to add one.
    early = await press(fake, worker, draft, "consult:guide:open:")
    assert early.ephemeral and "at least one question" in (early.content or "")
    kinds = await press(fake, worker, early, "consult:guide:add:")
    assert kinds.ephemeral and "What kind of question" in (kinds.content or "")
    question_form = await choose(fake, worker, kinds, "single")
    assert question_form.modal is not None

    # Options typed on one line with commas: refused kindly; "Change what I typed" keeps them.
    words = "How easy was it to find the waiting room?"
    refused = await send(
        fake, worker, question_form, question=words, options="Very easy, Quite easy, Hard"
    )
    assert refused.ephemeral and "2 to 10 options" in (refused.content or "")
    assert "on its own line" in (refused.content or "")
    assert typed_embed(refused)["description"] == words
    fixing = await press(fake, worker, refused, "consult:guide:fix:")
    assert list(shown(fixing).values()) == [words, "Very easy, Quite easy, Hard"]
    # The bot restarts while the form is open: what is sent is still saved.
    await harness.restart()
    first = await send(fake, worker, fixing, options="Very easy\nQuite easy\nHard")
    assert "Added as question 1" in (first.content or ""), first.content

    # The second question, from the buttons on that answer (made before the restart).
    kinds = await press(fake, worker, first, "consult:guide:add:")
    scale_form = await choose(fake, worker, kinds, "scale")
    second = await send(fake, worker, scale_form, question="How safe does it feel now?")
    assert "Added as question 2" in (second.content or ""), second.content

    # Preview: what members will see, the announcement and the questions in order.
    preview = await press(fake, worker, second, "consult:guide:preview:")
    text = everything_text(step_message(preview))
    assert preview.ephemeral and "Preview of draft" in text
    assert text.index(words) < text.index("How safe does it feel now?") and "Quite easy" in text
    assert "What can't change" in text and "named" in text
    async with harness.services.db() as s:
        assert await s.scalar(select(Consultation.status)) == "draft"

    opened = await press(fake, worker, preview, "consult:guide:open:")
    assert opened.ephemeral and "Open until" in (opened.content or ""), opened.content
    async with harness.services.db() as s:
        row = await s.scalar(select(Consultation))
        kinds_saved = list(await s.scalars(select(ConsultationQuestion.kind).order_by("position")))
    assert row is not None and row.status == "open" and kinds_saved == ["single", "scale"]
    await harness.run_due()
    await fake.wait_for(
        lambda: any(
            f"consult:start:{cid}" in custom_ids(m)
            for m in fake.messages_in(group["#announcements"])
        )
    )
    # Opened once: pressing again is answered kindly and nothing is posted twice.
    twice = await press(fake, worker, preview, "consult:guide:open:")
    assert "already open" in (twice.content or ""), twice.content


async def test_a_wrong_kind_or_a_deadline_passed_while_typing_loses_nothing(
    fake: FakeDiscord, harness: BotHarness, group: People, clock: ManualClock
) -> None:
    guild, worker = group["guild"], group.worker
    form = await slash(fake, worker, guild, "consult draft", {"deadline": "2026-12-10 17:00"})
    draft = await send(fake, worker, form, **DRAFT)

    # A scale question given options: choosing another kind keeps the words typed.
    kinds = await press(fake, worker, draft, "consult:guide:add:")
    scale = await choose(fake, worker, kinds, "scale")
    words, options = "Which would make it calmer?", "Plants\nSofter lights"
    refused = await send(fake, worker, scale, question=words, options=options)
    assert refused.ephemeral and "can't have options" in (refused.content or ""), refused.content
    multiple = await choose(fake, worker, refused, "multiple")
    assert list(shown(multiple).values()) == [words, options]
    added = await send(fake, worker, multiple)
    assert "Added as question 1" in (added.content or ""), added.content
    async with harness.services.db() as s:
        assert list(await s.scalars(select(ConsultationQuestion.kind))) == ["multiple"]

    # The deadline passes while the worker types a second draft: the words stay on the reply.
    form = await slash(fake, worker, guild, "consult draft", {"deadline": "2026-11-24 09:00"})
    clock.advance(timedelta(days=1))
    late = await send(fake, worker, form, **DRAFT)
    assert late.ephemeral and "in the future" in (late.content or ""), late.content
    assert [f["value"] for f in typed_embed(late)["fields"]] == list(DRAFT.values())
    again = await press(fake, worker, late, "consult:redraft:")
    assert again.modal is None and "/consult draft" in (again.content or ""), again.content
    assert "ready to copy" in (again.content or "")
