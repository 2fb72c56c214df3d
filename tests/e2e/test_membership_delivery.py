"""Approval's roles, welcome, card and DM go out once through Discord's failures and restarts."""

from __future__ import annotations

from datetime import timedelta

from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.flows import approved, click, join, start_join
from tests.e2e.harness import BotHarness, People, answered, everything_text, slash

ROLE_ADD = r"^/guilds/\d+/members/\d+/roles/\d+$"


async def _drain(harness: BotHarness, rounds: int = 6) -> None:
    """Let every retry's back-off pass on the bot's clock, running due work each time."""
    for _ in range(rounds):
        await harness.run_due()
        harness.clock.advance(timedelta(seconds=30))
    await harness.run_due()


def _welcomes(fake: FakeDiscord, group: People, user: int) -> list[dict]:
    return [
        m for m in fake.messages_in(group["#welcome"]) if f"<@{user}>" in (m.get("content") or "")
    ]


def _roles(fake: FakeDiscord, group: People, user: int) -> set[int]:
    return {int(r) for r in fake.member(group["guild"], user)["roles"]}


async def test_a_503_on_the_role_and_the_welcome_then_both_arrive_once(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = fake.create_user("sky", "Sky")
    fake.add_member(group["guild"], user)
    card = await join(fake, group, user, name="Sky")
    fake.faults.fail_next("PUT", ROLE_ADD, 503)
    welcome = rf"^/channels/{group['#welcome']}/messages$"
    fake.faults.fail_next("POST", welcome, 503, after_effect=True)  # posted, reply lost
    handle = await click(fake, group.worker, card, "signup:approve:")
    assert handle.callback_type == 7
    await _drain(harness)
    assert {group["role:Member"], group["role:Level: Consultation"]} <= _roles(fake, group, user)
    assert len(_welcomes(fake, group, user)) == 1
    assert ["approved" in (m.get("content") or "") for m in fake.dm_messages(user)] == [True]
    assert len(fake.faults.given) == 2
    # Card, roles, welcome, DM, and the update of the person's private sign-up reply.
    assert await harness.services.outbox.counts() == {"done": 5}


async def test_approval_owed_before_a_restart_is_delivered_after_it(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = fake.create_user("ren", "Ren")
    fake.add_member(group["guild"], user)
    card = await join(fake, group, user, name="Ren")
    fake.faults.fail_next("PUT", ROLE_ADD, 503)
    fake.faults.fail_next("POST", rf"^/channels/{group['#welcome']}/messages$", 503)
    await click(fake, group.worker, card, "signup:approve:")
    await harness.run_due()
    await harness.restart()
    await _drain(harness)
    assert group["role:Member"] in _roles(fake, group, user)
    assert len(_welcomes(fake, group, user)) == 1


async def test_the_sign_up_card_survives_a_503(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = fake.create_user("jo", "Jo")
    fake.add_member(group["guild"], user)
    fake.faults.fail_next("POST", rf"^/channels/{group['#worker-log']}/messages$", 503)
    before = len(fake.messages_in(group["#worker-log"]))
    consent = await start_join(fake, group, user, name="Jo")
    assert consent.original is not None
    await answered(await fake.click(user, int(consent.original["id"]), "join:agree"))
    await _drain(harness)
    cards = fake.messages_in(group["#worker-log"])[before:]
    assert len(cards) == 1 and "Jo" in everything_text(cards[0])
    await click(fake, group.worker, cards[0], "signup:approve:")
    await fake.wait_for(lambda: group["role:Member"] in _roles(fake, group, user))


async def test_closed_dms_on_approval_warn_the_worker(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = fake.create_user("quinn", "Quinn")
    fake.add_member(group["guild"], user)
    card = await join(fake, group, user, name="Quinn")
    fake.set_dms_open(user, False)
    await click(fake, group.worker, card, "signup:approve:")
    await _drain(harness, rounds=2)
    notes = [
        m
        for m in fake.messages_in(group["#worker-log"])
        if "DMs are closed" in (m.get("content") or "")
    ]
    assert len(notes) == 1
    assert "Quinn" in notes[0]["content"] and "another way" in notes[0]["content"]
    assert (notes[0].get("message_reference") or {}).get("message_id") == card["id"]
    assert fake.notified(int(notes[0]["id"])) == set()  # a note, not a ping
    [failed] = await harness.services.outbox.failures(group["guild"])
    assert failed.reason == "the person's DMs are closed to the bot"
    # Everything else still happened.
    assert group["role:Member"] in _roles(fake, group, user)
    assert len(_welcomes(fake, group, user)) == 1


async def test_no_approval_dm_for_someone_who_did_not_opt_in(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = fake.create_user("noa", "Noa")
    fake.add_member(group["guild"], user)
    card = await join(fake, group, user, name="Noa", reminder_dms=False)
    await click(fake, group.worker, card, "signup:approve:")
    await _drain(harness, rounds=2)
    assert len(_welcomes(fake, group, user)) == 1
    assert fake.dm_messages(user) == []


async def test_a_decline_reaches_the_person_through_a_503_or_the_worker_hears(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    reason = "The group is full for your area this term."
    users = []
    for name in ("Ola", "Pim"):
        user = fake.create_user(name.lower(), name)
        fake.add_member(group["guild"], user)
        card = await join(fake, group, user, name=name)
        users.append(user)
        form = await click(fake, group.worker, card, "signup:decline:")
        assert form.modal is not None
        if name == "Ola":
            fake.faults.fail_next("POST", r"^/channels/\d+/messages$", 503)
        else:
            fake.set_dms_open(user, False)
        field = form.modal.fields[0].custom_id
        await answered(await fake.submit_modal(group.worker, form, {field: reason}))
        await _drain(harness)
    ola, pim = users
    assert [reason in (m.get("content") or "") for m in fake.dm_messages(ola)] == [True]
    notes = [
        m
        for m in fake.messages_in(group["#worker-log"])
        if "not approved, and why" in (m.get("content") or "")
    ]
    assert len(notes) == 1 and "Pim" in notes[0]["content"]


async def test_leaving_through_a_503_still_takes_the_roles_away(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    user = await approved(fake, group, "Lou")
    await _drain(harness, rounds=1)
    fake.faults.fail_next("DELETE", ROLE_ADD, 503)
    ask = await slash(fake, user, group["guild"], "leave")
    await answered(await fake.click(user, int(ask.original["id"]), "confirm:yes"))
    await _drain(harness)
    taken = {group["role:Member"], group["role:Level: Consultation"]}
    assert not taken & _roles(fake, group, user)
    assert fake.faults.given == [fake.faults.given[0]] and "503 DELETE" in fake.faults.given[0]
