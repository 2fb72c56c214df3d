"""Opportunities through the stand-in: post, refuse, "I'm interested", select, close on the date."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db.models import Contribution, Opportunity, OpportunityInterest, OutboxItem
from bot.sandbox.fakediscord import FakeDiscord
from bot.sandbox.fakediscord.commands import CommandError
from tests.e2e.flows import approved
from tests.e2e.harness import (
    BotHarness,
    People,
    answered,
    custom_ids,
    everything_text,
    slash,
)

PANEL: dict[str, Any] = {
    "kind": "panel",
    "title": "Interview panel for a new CAMHS nurse",
    "involves": "Sit on the panel with two staff and ask three questions you help write.",
    "date": "2026-12-10",
    "payment": "£15 an hour, plus travel and childcare expenses",
    "suits": "Anyone aged 16 to 25 who has used CAMHS",
    "hours": "3",
}


def announcements(fake: FakeDiscord, group: People) -> list[dict[str, Any]]:
    """Return the opportunity announcements in #announcements."""
    return [
        m
        for m in fake.messages_in(group["#announcements"])
        if any(c.startswith("opp:") for c in custom_ids(m))
    ]


async def post(fake: FakeDiscord, group: People, **changes: Any) -> dict[str, Any]:
    """Post an opportunity as the worker; return its announcement."""
    before = len(announcements(fake, group))
    values = {k: v for k, v in {**PANEL, **changes}.items() if v is not None}
    handle = await slash(fake, group.worker, group["guild"], "opportunity post", values)
    assert handle.ephemeral and "being posted" in (handle.content or ""), handle.content
    posted = await fake.wait_for(lambda: announcements(fake, group)[before:])
    return posted[-1]


def opp_id(message: dict[str, Any]) -> int:
    """Return the opportunity id on an announcement's button."""
    return int(next(c for c in custom_ids(message) if c.startswith("opp:")).split(":")[2])


async def interested(fake: FakeDiscord, user: int, message: dict[str, Any]) -> Any:
    """Press "I'm interested" and return the private answer."""
    cid = f"opp:interested:{opp_id(message)}"
    handle = await answered(await fake.click(user, int(message["id"]), cid))
    assert handle.ephemeral, handle.content
    return handle


async def test_post_interest_select_and_close_on_date(
    fake: FakeDiscord, harness: BotHarness, group: People, clock
) -> None:
    message = await post(fake, group)
    text = everything_text(message)
    assert "Interview panel" in text and "£15 an hour" in text and "16 to 25" in text
    assert "Thursday 10 December 2026" in text and "Wednesday 9 December 2026" in text
    assert custom_ids(message) == [f"opp:interested:{opp_id(message)}"]

    ana = await approved(fake, group, "Ana", adjustments_note="Captions please")
    ben = await approved(fake, group, "Ben", reminder_dms=False)
    first = await interested(fake, ana, message)
    assert "Thank you" in (first.content or "") and "doesn't commit" in (first.content or "")
    again = await interested(fake, ana, message)
    assert "already said you're interested" in (again.content or "")
    withdraw = next(c for c in custom_ids(again.original or {}) if c.startswith("opp:withdraw:"))
    await interested(fake, ben, message)

    # Ben changes his mind and takes it back, from the reply to a second press.
    twice = await interested(fake, ben, message)
    assert twice.original is not None
    taken = await answered(await fake.click(ben, int(twice.original["id"]), withdraw))
    assert "no longer down as interested" in (taken.content or "")
    again_taken = await answered(await fake.click(ben, int(twice.original["id"]), withdraw))
    assert "nothing to take back" in (again_taken.content or "")
    await interested(fake, ben, message)
    async with harness.services.db() as s:
        assert await s.scalar(select(func.count()).select_from(OpportunityInterest)) == 2

    listed = await slash(fake, ana, group["guild"], "opportunities")
    assert "Interview panel" in everything_text(listed.original or {})
    assert "You've said you're interested" in everything_text(listed.original or {})

    # Workers see who, with adjustments; members may not.
    refused = await slash(
        fake, ana, group["guild"], "opportunity interested", {"opportunity": opp_id(message)}
    )
    assert "Only participation workers" in (refused.content or "")
    seen = await slash(
        fake,
        group.worker,
        group["guild"],
        "opportunity interested",
        {"opportunity": opp_id(message)},
    )
    assert "Ana" in (seen.content or "") and "Captions please" in (seen.content or "")
    assert "Ben" in (seen.content or "")

    chosen = await slash(
        fake,
        group.worker,
        group["guild"],
        "opportunity select",
        {"opportunity": opp_id(message), "person": ana},
    )
    assert "is selected" in (chosen.content or "") and "DM" in (chosen.content or "")
    dm = await fake.wait_for(
        lambda: [m for m in fake.dm_messages(ana) if "selected for" in (m.get("content") or "")]
    )
    assert len(dm) == 1 and "£15 an hour" in dm[0]["content"]
    again_chosen = await slash(
        fake,
        group.worker,
        group["guild"],
        "opportunity select",
        {"opportunity": opp_id(message), "person": ana},
    )
    assert "already selected" in (again_chosen.content or "")
    ben_chosen = await slash(
        fake,
        group.worker,
        group["guild"],
        "opportunity select",
        {"opportunity": opp_id(message), "person": ben},
    )
    assert "let them know yourself" in (ben_chosen.content or "")
    async with harness.services.db() as s:
        rows = list(await s.scalars(select(Contribution).order_by(Contribution.id)))
    panel = [r for r in rows if r.source_key == f"opportunity:{opp_id(message)}"]
    assert [r.kind for r in panel] == ["recruitment_panel", "recruitment_panel"]
    assert all(r.hours is not None and float(r.hours) == 3.0 for r in panel)
    await harness.run_due()
    assert (
        len([m for m in fake.dm_messages(ana) if "selected for" in (m.get("content") or "")]) == 1
    )

    cal = await approved(fake, group, "Cal")
    stale = await slash(fake, cal, group["guild"], "opportunities")
    assert stale.original is not None
    assert f"opp:interested:{opp_id(message)}" in custom_ids(stale.original)

    # The date comes: it closes, the button says so, and pressing it is refused kindly.
    clock.set(datetime(2026, 12, 10, 0, 0, tzinfo=UTC))
    await harness.run_due()
    closed = await fake.wait_for(
        lambda: (m := fake.message(int(message["id"])))
        and custom_ids(m) == [f"opp:closed:{opp_id(message)}"]
        and m
    )
    assert "closed" in everything_text(closed)
    late = await answered(
        await fake.click(cal, int(stale.original["id"]), f"opp:interested:{opp_id(message)}")
    )
    assert "has closed" in (late.content or "")
    none_open = await slash(fake, ana, group["guild"], "opportunities")
    assert "no open opportunities" in (none_open.content or "")
    async with harness.services.db() as s:
        row = await s.get(Opportunity, opp_id(message))
        assert row is not None and row.closed_at is not None
        kinds = list(await s.scalars(select(OutboxItem.kind).where(OutboxItem.kind.like("opp%"))))
    assert sorted(kinds) == [
        "opportunities.closed",
        "opportunities.closed_workers",
        "opportunities.posted",
        "opportunities.selected",
    ]
    told = await fake.wait_for(
        lambda: [m for m in fake.messages_in(group["#worker-log"]) if "has closed" in m["content"]]
    )
    assert len(told) == 1 and "2 people said they're interested" in told[0]["content"]


async def test_refusals_change_nothing(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    sam = await approved(fake, group, "Sam")
    refused = await slash(fake, sam, group["guild"], "opportunity post", PANEL)
    assert refused.ephemeral and "Only participation workers" in (refused.content or "")
    cases = {
        "payment": ("TBC", "say clearly what is paid"),
        "date": ("2020-01-01", "after today"),
        "hours": ("lots", "hours as a number"),
        "audience": ("Level: Wizard", "choose a level"),
    }
    for field, (value, expected) in cases.items():
        handle = await slash(
            fake, group.worker, group["guild"], "opportunity post", {**PANEL, field: value}
        )
        assert handle.ephemeral and expected in (handle.content or ""), handle.content
    no_pay = {k: v for k, v in PANEL.items() if k != "payment"}
    with pytest.raises(CommandError, match="payment"):  # Discord refuses it first
        await fake.invoke(group.worker, group["guild"], "opportunity post", no_pay)
    vague = await slash(
        fake, group.worker, group["guild"], "opportunity post", {**PANEL, "payment": "n/a"}
    )
    assert "say clearly what is paid" in (vague.content or "")
    who = {k: v for k, v in PANEL.items() if k != "suits"}
    handle = await slash(fake, group.worker, group["guild"], "opportunity post", who)
    assert "say who it suits" in (handle.content or "")
    assert announcements(fake, group) == []
    async with harness.services.db() as s:
        assert await s.scalar(select(func.count()).select_from(Opportunity)) == 0


async def test_button_after_restart_for_a_level_and_for_non_members(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    message = await post(
        fake, group, audience="Level: Leading", suits=None, title="Train new panel members"
    )
    assert "Members at the Leading level" in everything_text(message)
    general = await post(fake, group, title="Help plan the summer event", kind="event")
    sam = await approved(fake, group, "Sam")
    stranger = fake.create_user("stranger", "Stranger")
    fake.add_member(group["guild"], stranger)
    await harness.restart()
    not_for_sam = await interested(fake, sam, message)
    assert "isn't open to you" in (not_for_sam.content or "")
    not_a_member = await interested(fake, stranger, general)
    assert "/join" in (not_a_member.content or "")
    stranger_list = await slash(fake, stranger, group["guild"], "opportunities")
    assert "/join" in (stranger_list.content or "")
    ok = await interested(fake, sam, general)
    assert "Thank you" in (ok.content or "")
    listed = await slash(fake, sam, group["guild"], "opportunities")
    shown = everything_text(listed.original or {})
    assert "summer event" in shown and "Train new panel members" not in shown
    async with harness.services.db() as s:
        assert await s.scalar(select(func.count()).select_from(OpportunityInterest)) == 1
