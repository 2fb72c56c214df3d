"""Reusable end-to-end steps: join, approve, and finding the bot's messages."""

from __future__ import annotations

from typing import Any

from bot.sandbox.driver import custom_ids
from bot.sandbox.driver import press as click
from bot.sandbox.fakediscord import FakeDiscord, Interaction
from tests.e2e.harness import People, answered, slash

JOIN_DEFAULTS: dict[str, Any] = {
    "name": "Sam",
    "age_band": "16-17",
    "i_am": "Young person",
    "area": "North",
    "reminder_dms": True,
}


async def start_join(fake: FakeDiscord, group: People, user_id: int, **options: Any) -> Interaction:
    """Run /join and return the consent step (not yet agreed)."""
    return await slash(fake, user_id, group["guild"], "join", {**JOIN_DEFAULTS, **options})


async def join(fake: FakeDiscord, group: People, user_id: int, **options: Any) -> dict[str, Any]:
    """Join and agree; return the approval card posted in worker-log."""
    before = len(fake.messages_in(group["#worker-log"]))
    # Adjustments are asked once, on the consent step: "Something else" opens a form for words.
    note = options.pop("adjustments_note", None)
    consent = await start_join(fake, group, user_id, **options)
    message = consent.original
    assert message is not None, consent.content
    if note is not None:
        form = await answered(await fake.click(user_id, int(message["id"]), "join:other"))
        assert form.modal is not None, form.content
        field = form.modal.fields[0].custom_id
        await answered(await fake.submit_modal(user_id, form, {field: note}))
    handle = await answered(await fake.click(user_id, int(message["id"]), "join:agree"))
    assert "waiting" in (handle.content or ""), handle.content
    # Other posts may reach the log beside the card (deliveries go out side by side): the card
    # is the new message with the sign-up buttons.
    cards = await fake.wait_for(
        lambda: [
            m
            for m in fake.messages_in(group["#worker-log"])[before:]
            if any(c.startswith("signup:") for c in custom_ids(m))
        ]
    )
    return cards[-1]


async def approved(fake: FakeDiscord, group: People, name: str, **options: Any) -> int:
    """Create a user, join them and approve them as the worker; return their user id."""
    user = fake.create_user(name.lower(), name)
    fake.add_member(group["guild"], user)
    card = await join(fake, group, user, name=name, **options)
    if options.get("age_band") in {"11-13", "14-15"}:
        await click(fake, group.worker, card, "signup:carer:")
        card = fake.message(int(card["id"]))
    handle = await click(fake, group.worker, card, "signup:approve:")
    assert handle.callback_type == 7, handle.content
    member_role = (
        group["role:Carer"] if options.get("i_am") == "Parent or carer" else group["role:Member"]
    )
    await fake.wait_for(
        lambda: member_role
        in [int(r) for r in (fake.member(group["guild"], user) or {}).get("roles", [])]
    )
    return user
