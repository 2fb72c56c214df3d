"""What people type into consultation forms is saved even when the bot restarts meanwhile."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Consultation, ConsultationAnswer, ConsultationQuestion
from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved
from tests.e2e.harness import BotHarness, People, answered, everything_text, slash
from tests.e2e.test_consultations import cid_starting, draft, fill, step_message, submit

EXPIRED = "this form has expired"


async def test_a_free_text_answer_typed_across_a_restart_is_saved(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild = group["guild"]
    ana = await approved(fake, group, "Ana")
    cid = await draft(fake, group, anonymous=False)

    form = await slash(
        fake, group.worker, guild, "consult question", {"consultation": cid, "kind": "free text"}
    )
    await submit(fake, group.worker, form, question="What should we change first?")
    await slash(fake, group.worker, guild, "consult open", {"consultation": cid})

    # Ana opens the answer form and writes; the bot restarts before she sends it.
    start = await slash(fake, ana, guild, "consult answer", {"consultation": cid})
    message = step_message(start)
    written = await answered(
        await fake.click(ana, int(message["id"]), cid_starting(message, "consult:write:"))
    )
    assert written.modal is not None
    await harness.restart()
    words = "A quiet corner with plants, please"
    done = await answered(
        await fake.submit_modal(ana, written, {written.modal.fields[0].custom_id: words})
    )
    assert EXPIRED not in (done.content or "").lower(), done.content
    assert done.callback_type == 7, done.content  # the step message moved on, as it always does
    shown = fake.message(int(message["id"]))
    assert "All done" in shown["content"], shown["content"]
    async with harness.services.db() as s:
        assert list(await s.scalars(select(ConsultationAnswer.text))) == [words]


async def test_a_question_and_you_said_we_did_typed_across_restarts_are_saved(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild = group["guild"]
    ana = await approved(fake, group, "Ana", reminder_dms=True)
    cid = await draft(fake, group, anonymous=False)
    # The worker opens the question form; the bot restarts before they press Submit.
    form = await slash(
        fake, group.worker, guild, "consult question", {"consultation": cid, "kind": "scale 1-5"}
    )
    await harness.restart()
    added = await submit(fake, group.worker, form, question="How safe does it feel?")
    assert "Added as question 1" in (added.content or ""), added.content
    async with harness.services.db() as s:
        assert list(await s.scalars(select(ConsultationQuestion.kind))) == ["scale"]
    await slash(fake, group.worker, guild, "consult open", {"consultation": cid})
    start = await slash(fake, ana, guild, "consult answer", {"consultation": cid})
    message = step_message(start)
    await answered(
        await fake.click(ana, int(message["id"]), cid_starting(message, f"consult:scale:{cid}:"))
    )
    await slash(fake, group.worker, guild, "consult close", {"consultation": cid})

    feedback = await slash(fake, group.worker, guild, "consult feedback", {"consultation": cid})
    values = fill(
        feedback,
        you_said="You said the room felt cold.",
        we_did="We bought softer lights.",
        what_we_couldn="Move rooms: there is no other space.",
    )
    await harness.restart()
    done = await answered(await fake.submit_modal(group.worker, feedback, values))
    assert "Published" in (done.content or ""), done.content
    await harness.run_due()
    await fake.wait_for(
        lambda: any(
            "We bought softer lights" in everything_text(m)
            for m in fake.messages_in(group["#announcements"])
        )
    )
    await fake.wait_for(
        lambda: any("We bought softer lights" in everything_text(m) for m in fake.dm_messages(ana))
    )


async def test_a_suggestion_accepted_across_a_restart_is_added_and_thanked_once(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild = group["guild"]
    ana = await approved(fake, group, "Ana", reminder_dms=True)
    cid = await draft(fake, group)
    await slash(
        fake, ana, guild, "consult suggest", {"consultation": cid, "question": "Can we have pets?"}
    )
    listing = await slash(fake, group.worker, guild, "consult suggestions", {"consultation": cid})
    message = step_message(listing)
    form = await answered(
        await fake.click(group.worker, int(message["id"]), cid_starting(message, "consult:sgok:"))
    )
    await harness.restart()
    accepted = await submit(fake, group.worker, form, question="Could we bring pets?")
    assert "Accepted: it is now question 1" in (accepted.content or ""), accepted.content
    async with harness.services.db() as s:
        assert list(await s.scalars(select(ConsultationQuestion.text))) == ["Could we bring pets?"]
    await harness.run_due()
    await fake.wait_for(
        lambda: any("has been added" in (m.get("content") or "") for m in fake.dm_messages(ana))
    )
    await harness.run_due()
    thanks = [m for m in fake.dm_messages(ana) if "has been added" in (m.get("content") or "")]
    assert len(thanks) == 1


async def test_a_draft_typed_across_a_restart_keeps_its_choices(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    guild = group["guild"]
    handle = await slash(
        fake,
        group.worker,
        guild,
        "consult draft",
        {
            "deadline": "2026-12-10 17:00",
            "review_date": "2027-01-15 12:00",
            "audience": "locality:North",
            "anonymous": False,
        },
    )
    await harness.restart()
    done = await submit(
        fake,
        group.worker,
        handle,
        title="Waiting room redesign",
        why="We want the waiting room to feel calmer.",
        what_we_hope="A new layout chosen with you.",
        what_can_change="Furniture and lights.",
        what_can_t="The size of the room.",
    )
    assert "Draft #" in (done.content or ""), done.content
    async with harness.services.db() as s:
        row = await s.scalar(select(Consultation))
    assert row is not None and row.title == "Waiting room redesign"
    assert (row.audience_kind, row.audience_value, row.anonymous) == ("locality", "North", False)
    tz = harness.bot.settings.tz
    assert row.deadline.astimezone(tz).strftime("%Y-%m-%d %H:%M") == "2026-12-10 17:00"
    assert row.review_date.astimezone(tz).strftime("%Y-%m-%d %H:%M") == "2027-01-15 12:00"
