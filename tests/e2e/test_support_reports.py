"""Reporting a message: how the card reads, and a reason moderators see but nobody keeps."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.db.models import SupportRequest
from bot.sandbox.driver import answered, button_on, everything_text
from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved
from tests.e2e.harness import BotHarness, People, slash, table_dump

# Words nobody types by chance: the database must never hold them.
SECRET = "wobblequince"


def _cards(fake: FakeDiscord, group: People) -> list[dict[str, Any]]:
    return [m for m in fake.messages_in(group["#support-queue"]) if m.get("embeds")]


def _field(card: dict[str, Any], name: str) -> str:
    for embed in card.get("embeds") or []:
        for field in embed.get("fields") or []:
            if field.get("name") == name:
                return str(field.get("value"))
    raise AssertionError(f"no field {name!r}")


async def test_a_reporter_can_say_why_and_moderators_see_it_but_it_is_not_stored(
    fake: FakeDiscord, harness: BotHarness, group: People, db_url: str
) -> None:
    sam = await approved(fake, group, "Sam")
    olu = await approved(fake, group, "Olu")
    target = await fake.send_message(olu, group["#peer-support"], "something unkind")
    form = await answered(
        await fake.context_menu(sam, group["guild"], "Report to moderators", int(target["id"]))
    )
    assert form.modal is not None
    field = form.modal.field("support:report:reason")
    assert "Why are you reporting it" in (field.label or "")
    done = await answered(
        await fake.submit_modal(
            sam, form, {"support:report:reason": f"It's {SECRET} and mean to a new member"}
        )
    )
    assert done.ephemeral and "Thank you for telling us" in (done.content or "")
    assert "passed on what you said about why" in (done.content or "")

    # The card says how soon to look (not "I need help"); the reason is beside it, as typed.
    [card] = await fake.wait_for(lambda: _cards(fake, group))
    assert _field(card, "Urgency") == "Please look at it today"
    assert "I need help today" not in everything_text(card)
    async with harness.services.db() as s:
        row = (await s.scalars(select(SupportRequest))).one()
    [why] = [
        m for m in fake.messages_in(group["#support-queue"]) if SECRET in (m.get("content") or "")
    ]
    assert f"Reported message #{row.id}" in why["content"] and str(target["id"]) in why["content"]
    assert fake.visible_to(group.moderator, group["#support-queue"])
    assert not fake.visible_to(olu, group["#support-queue"])
    # Shown, never stored.
    assert SECRET not in repr(await table_dump(db_url))

    # Reporting it again is answered at once, with no form to fill in for nothing.
    again = await answered(
        await fake.context_menu(sam, group["guild"], "Report to moderators", int(target["id"]))
    )
    assert again.modal is None and "already reported" in (again.content or "")

    # A reporter who erases their data takes their reason with them.
    ask = await slash(fake, sam, group["guild"], "forgetme")
    assert ask.original is not None
    await answered(await fake.click(sam, int(ask.original["id"]), "confirm:yes"))
    await fake.wait_for(
        lambda: not any(
            SECRET in (m.get("content") or "") for m in fake.messages_in(group["#support-queue"])
        )
    )


async def test_a_report_without_a_reason_still_goes_through(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    sam = await approved(fake, group, "Sam")
    olu = await approved(fake, group, "Olu")
    target = await fake.send_message(olu, group["#peer-support"], "something unkind")
    form = await answered(
        await fake.context_menu(sam, group["guild"], "Report to moderators", int(target["id"]))
    )
    done = await answered(await fake.submit_modal(sam, form, {}))
    assert "Thank you for telling us" in (done.content or "")
    assert "why" not in (done.content or "")
    await fake.wait_for(lambda: _cards(fake, group))
    assert len(fake.messages_in(group["#support-queue"])) == 1


async def test_the_outcome_select_goes_once_used_and_a_second_copy_is_refused_kindly(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    sam = await approved(fake, group, "Sam")
    await slash(fake, sam, group["guild"], "support", {"topic": "question", "urgency": "week"})
    [card] = await fake.wait_for(lambda: _cards(fake, group))
    async with harness.services.db() as s:
        rid = (await s.scalars(select(SupportRequest))).one().id
    mod = group.moderator
    # Resolve pressed twice: two private copies of the outcome select.
    first = await answered(
        await fake.click(mod, int(card["id"]), button_on(card, "support:resolve:"))
    )
    second = await answered(
        await fake.click(mod, int(card["id"]), button_on(card, "support:resolve:"))
    )
    assert first.original is not None and second.original is not None
    note = await answered(
        await fake.select(mod, int(first.original["id"]), f"support:outcome:{rid}", ["answered"])
    )
    assert note.modal is not None
    await answered(await fake.submit_modal(mod, note, {}))
    # Used: the select is gone from the answer, which now says what was done.
    used = fake.message(int(first.original["id"]))
    assert (used.get("components") or []) == []
    assert "Resolved support request" in (used.get("content") or "")
    # The other copy is refused kindly, without a form, and its select goes too.
    again = await answered(
        await fake.select(mod, int(second.original["id"]), f"support:outcome:{rid}", ["no_action"])
    )
    assert again.modal is None
    other = fake.message(int(second.original["id"]))
    assert "already been resolved" in (other.get("content") or "")
    assert (other.get("components") or []) == []
    async with harness.services.db() as s:
        assert (await s.scalars(select(SupportRequest))).one().outcome == "answered"
    # The Resolve button is gone from the card.
    await fake.wait_for(lambda: (fake.message(int(card["id"])).get("components") or []) == [])
