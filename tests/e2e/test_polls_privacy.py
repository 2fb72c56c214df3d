"""Poll privacy through the stand-in: the anonymity scan, named votes, /mydata, reminders."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.db.base import Base
from bot.db.engine import create_engine
from bot.sandbox.fakediscord import FakeDiscord
from tests.e2e.harness import (
    BotHarness,
    People,
    answered,
    attachments_of,
    custom_ids,
    everything_text,
    settle,
    slash,
)
from tests.e2e.test_polls import _id, create_poll, results_posts, vote

OPTIONS = ["Pizza night", "Bowling trip", "Picnic in the park"]


async def _rows(db_url: str) -> dict[str, list[dict[str, Any]]]:
    """Read every row of every table with its column names."""
    engine = create_engine(db_url)
    found: dict[str, list[dict[str, Any]]] = {}
    async with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            result = await conn.execute(select(table))
            found[table.name] = [dict(r._mapping) for r in result]
    await engine.dispose()
    return found


async def test_anonymous_poll_links_nobody_to_a_choice(
    fake: FakeDiscord, harness: BotHarness, group: People, db_url: str, caplog
) -> None:
    caplog.set_level(logging.INFO)
    from tests.e2e.flows import approved

    message = await create_poll(fake, group, "Summer social?", options="; ".join(OPTIONS))
    voters = [await approved(fake, group, name) for name in ("Ada", "Ben", "Cy")]
    for i, user in enumerate(voters):
        await vote(fake, user, message, i)
    await vote(fake, voters[0], message, 2)  # a changed vote

    # Worker commands: no who-voted-what for an anonymous poll, no counts while hidden.
    refused = await slash(fake, group.worker, group["guild"], "poll votes", {"poll": _id(message)})
    assert "anonymous" in (refused.content or "")
    hidden = await slash(fake, group.worker, group["guild"], "poll results", {"poll": _id(message)})
    assert "hidden" in (hidden.content or "")
    assert "So far 3 of 3 members have voted" in (hidden.content or "")
    assert not any(o in (hidden.content or "") for o in OPTIONS)
    closed = await slash(fake, group.worker, group["guild"], "poll close", {"poll": _id(message)})
    await settle(fake, closed)
    await fake.wait_for(lambda: results_posts(fake, group))

    # /mydata says only that Ada voted, never what.
    mydata = await slash(fake, voters[0], group["guild"], "mydata")
    files = await fake.wait_for(lambda: attachments_of(mydata))
    exported = json.loads(fake.attachment_bytes(files[0]))
    polls_part = json.dumps(exported["polls"])
    assert "Summer social?" in polls_part and not any(o in polls_part for o in OPTIONS)

    # Every table: a row that names a voter says nothing about a choice, and no ballot names anyone.
    rows = await _rows(db_url)
    member_ids = {r["id"] for r in rows["members"] if r["user_id"] in voters}
    keys = {b["voter_key"] for b in rows["poll_ballots"]}
    assert len(keys) == 3
    for table, table_rows in rows.items():
        for row in table_rows:
            names = any(v in member_ids for k, v in row.items() if k.endswith("member_id")) or any(
                str(u) in str(v) for v in row.values() for u in voters
            )
            if table == "poll_ballots":
                assert not names and row["member_id"] is None
            elif names:
                assert not any(str(v) in keys for v in row.values()), (table, row)
                assert not any(o in str(v) for v in row.values() for o in OPTIONS), (table, row)
    assert all(p["ballot_secret"] is None for p in rows["polls"])

    # Nothing the bot posted or logged ties a voter to an option.
    for channel in ("#polls", "#worker-log", "#announcements", "#general"):
        for posted in fake.messages_in(group[channel]):
            text = json.dumps(posted)
            assert not any(str(u) in text for u in voters) or not any(o in text for o in OPTIONS)
    for record in caplog.records:
        line = record.getMessage()
        assert not (any(str(u) in line for u in voters) and any(o in line for o in OPTIONS))


async def test_named_poll_shows_workers_who_voted_what(
    fake: FakeDiscord, harness: BotHarness, group: People
) -> None:
    from tests.e2e.flows import approved

    message = await create_poll(fake, group, "Named?", anonymous=False, hide_results=False)
    ada = await approved(fake, group, "Ada")
    receipt = await vote(fake, ada, message, 1)
    assert "workers can see" in (receipt.content or "")
    live = await answered(await fake.click(ada, int(message["id"]), f"poll:live:{_id(message)}"))
    assert "Wednesday** — 1 vote" in everything_text(live.original)
    member_try = await slash(fake, ada, group["guild"], "poll votes", {"poll": _id(message)})
    assert "Only participation workers" in (member_try.content or "")
    votes = await slash(fake, group.worker, group["guild"], "poll votes", {"poll": _id(message)})
    [csv_file] = attachments_of(votes)
    assert "Ada" in fake.attachment_bytes(csv_file).decode() and votes.ephemeral
    mydata = await slash(fake, ada, group["guild"], "mydata")
    files = await fake.wait_for(lambda: attachments_of(mydata))
    assert "Wednesday" in json.dumps(json.loads(fake.attachment_bytes(files[0]))["polls"])

    # One-way switches: a named, visible poll can become anonymous and hidden, never back.
    made_private = await slash(
        fake,
        group.worker,
        group["guild"],
        "poll edit",
        {"poll": _id(message), "anonymous": True, "hide_results": True},
    )
    assert "updated" in (made_private.content or "")
    await fake.wait_for(
        lambda: f"poll:live:{_id(message)}" not in custom_ids(fake.message(int(message["id"])))
    )
    assert "Anonymous" in everything_text(fake.message(int(message["id"])))
    for switch in ("anonymous", "hide_results"):
        back = await slash(
            fake, group.worker, group["guild"], "poll edit", {"poll": _id(message), switch: False}
        )
        assert "can't be" in (back.content or ""), back.content
    now_anonymous = await slash(
        fake, group.worker, group["guild"], "poll votes", {"poll": _id(message)}
    )
    assert "anonymous" in (now_anonymous.content or "")


async def test_one_reminder_to_opted_in_members_who_have_not_voted(
    fake: FakeDiscord, harness: BotHarness, group: People, clock
) -> None:
    from tests.e2e.flows import approved

    message = await create_poll(fake, group, "Remind me?", reminder="1d")
    voted = await approved(fake, group, "Vi")
    waiting = await approved(fake, group, "Wyn")
    no_dms = await approved(fake, group, "Nod", reminder_dms=False)
    resting = await approved(fake, group, "Res")
    await slash(fake, resting, group["guild"], "pause")
    await vote(fake, voted, message, 0)

    def reminders(user: int) -> list[dict[str, Any]]:
        return [m for m in fake.dm_messages(user) if "Remind me?" in (m.get("content") or "")]

    clock.advance(timedelta(days=1))
    await harness.run_due()
    await fake.wait_for(lambda: reminders(waiting))
    await harness.restart()
    await harness.run_due()
    assert len(reminders(waiting)) == 1
    assert "discord.com/channels" in reminders(waiting)[0]["content"]
    for user in (voted, no_dms, resting):
        assert reminders(user) == []
