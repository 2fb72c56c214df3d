"""Staff see words as typed; erasure redacts them; report cards say the right thing."""

from __future__ import annotations

from typing import Any

from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved, click
from tests.e2e.harness import BotHarness, People, answered, everything_text, settle, slash

LINK = "[click here](https://evil.example/steal)"


def _cards(fake: FakeDiscord, group: People) -> list[dict[str, Any]]:
    return [m for m in fake.messages_in(group["#support-queue"]) if m.get("embeds")]


def _field(card: dict[str, Any], name: str) -> str:
    for embed in card.get("embeds") or []:
        for field in embed.get("fields") or []:
            if field.get("name") == name:
                return str(field.get("value"))
    raise AssertionError(f"no field {name!r}")


async def test_a_report_card_says_how_soon_to_look_not_i_need_help(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    sam = await approved(fake, group, "Sam")
    olu = await approved(fake, group, "Olu")
    target = await fake.send_message(olu, group["#peer-support"], "something unkind")
    form = await answered(
        await fake.context_menu(sam, group["guild"], "Report to moderators", int(target["id"]))
    )
    await answered(await fake.submit_modal(sam, form, {}))
    [card] = await fake.wait_for(lambda: _cards(fake, group))
    assert _field(card, "Urgency") == "Please look at it today"
    assert "I need help today" not in everything_text(card)


async def test_member_words_show_as_typed_never_as_links(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    sam = await approved(fake, group, "Sam")
    handle = await slash(
        fake,
        sam,
        group["guild"],
        "support",
        {"topic": "other", "urgency": "week", "message": f"see {LINK}"},
    )
    await fake.wait_for(
        lambda: any("private space is ready" in (m.get("content") or "") for m in handle.followups)
    )
    space = int(handle.followups[-1]["content"].split("<#")[1].split(">")[0])
    intro = fake.messages_in(space)[0]["content"]
    assert r"\[click here\](https://evil.example/steal)" in intro
    assert LINK not in intro

    # A staff note with a link is shown as text on the card too.
    card = (await fake.wait_for(lambda: _cards(fake, group)))[0]
    modal = await click(fake, group.moderator, card, "support:escalate:worker:")
    await answered(
        await fake.submit_modal(group.moderator, modal, {"support:escalate:reason": LINK})
    )
    await fake.wait_for(
        lambda: "Escalated to" in everything_text(fake.message(int(card["id"]))) or None
    )
    shown = _field(fake.message(int(card["id"])), "Escalated to")
    assert LINK not in shown and r"\[click here\]" in shown


async def test_forgetme_redacts_the_queue_post_quoting_their_words(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    sam = await approved(fake, group, "Samira")
    # No private space can be opened, so their words go to the queue instead.
    fake.faults.fail_next("POST", r"^/channels/\d+/threads$", 403)
    handle = await slash(
        fake,
        sam,
        group["guild"],
        "support",
        {"topic": "struggling", "urgency": "week", "message": "my brother is very unwell"},
    )
    await fake.wait_for(
        lambda: any(
            "couldn't open a private space" in (m.get("content") or "") for m in handle.followups
        )
    )
    assert "couldn't pass on" not in await settle(fake, handle)
    quoted = [
        m
        for m in fake.messages_in(group["#support-queue"])
        if "my brother is very unwell" in (m.get("content") or "")
    ]
    assert len(quoted) == 1 and f"<@{sam}>" in quoted[0]["content"]

    ask = await slash(fake, sam, group["guild"], "forgetme")
    assert ask.original is not None
    await answered(await fake.click(sam, int(ask.original["id"]), "confirm:yes"))
    await harness.run_due()
    await fake.wait_for(
        lambda: "my brother" not in (fake.message(int(quoted[0]["id"])).get("content") or "")
    )
    assert f"<@{sam}>" not in fake.message(int(quoted[0]["id"])).get("content", "")
