"""Anonymity by construction, /mydata and /forgetme for polls."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import DateTime, select, text

from bot.db.base import Base
from bot.db.models import AuditEntry, Contribution, Poll, PollBallot
from bot.services.container import Services
from bot.services.errors import NotAllowed
from bot.services.polls.ballots import voter_key
from bot.services.polls.personal_data import ANONYMOUS_NOTE, PollsPersonalData
from tests.conftest import GUILD, WORKER
from tests.services.test_polls_helpers import members, new_poll, ready


async def _all_rows(sessions) -> dict[str, list[dict[str, Any]]]:
    """Read every row of every table, as plain dicts."""
    found: dict[str, list[dict[str, Any]]] = {}
    async with sessions() as s:
        for table in Base.metadata.sorted_tables:
            result = await s.execute(select(table))
            found[table.name] = [dict(row._mapping) for row in result]
    return found


async def test_no_row_joins_a_member_to_a_choice(
    services: Services, sessions, clock, caplog
) -> None:
    caplog.set_level(logging.INFO)
    await ready(services)
    options = ["Pizza night", "Bowling trip", "Picnic in the park"]
    poll = await new_poll(services, options=options)
    voters = await members(services, 5)
    for i, voter in enumerate(voters):
        clock.advance(timedelta(minutes=7))
        await services.polls.vote(voter, poll.id, [i % 3])
        if i % 2:
            clock.advance(timedelta(minutes=3))
            await services.polls.vote(voter, poll.id, [(i + 1) % 3])
    await services.polls.close(WORKER, poll.id)

    member_ids = {
        r["id"] for r in (await _all_rows(sessions))["members"] if r["user_id"] != WORKER.user_id
    }
    user_ids = {v.user_id for v in voters}
    rows = await _all_rows(sessions)
    ballots = rows["poll_ballots"]
    assert len(ballots) == 5
    keys = {b["voter_key"] for b in ballots}
    for table, table_rows in rows.items():
        for row in table_rows:
            member_columns = [
                v
                for k, v in row.items()
                if k.endswith("member_id") or (table, k) == ("members", "id")
            ]
            names_someone = any(v in member_ids for v in member_columns) or any(
                str(u) in str(v) for v in row.values() for u in user_ids
            )
            if not names_someone:
                continue
            # A row that names a voter says nothing about what they chose.
            assert table != "poll_ballots"
            assert not any(str(v) in keys for v in row.values())
            assert not any(o in str(v) for v in row.values() for o in options), (table, row)
    for ballot in ballots:
        assert ballot["member_id"] is None
        assert not any(str(u) in str(v) for v in ballot.values() for u in user_ids)
    # The key that found a ballot is gone, so keys can no longer be computed from user ids.
    assert rows["polls"][0]["ballot_secret"] is None
    # No time and no surrogate id on a ballot; contributions carry one time for everyone.
    assert not any(isinstance(c.type, DateTime) for c in PollBallot.__table__.columns)
    assert set(PollBallot.__table__.primary_key.columns.keys()) == {"poll_id", "voter_key"}
    moments = {(c["occurred_at"], c["recorded_at"]) for c in rows["contributions"]}
    assert moments == {(poll.created_at, poll.created_at)}
    assert not [a for a in rows["audit_log"] if "vote" in a["action"]]
    # Nothing logged names a voter.
    for record in caplog.records:
        message = record.getMessage()
        assert not any(str(u) in message for u in user_ids)


async def test_sqlite_keeps_no_insertion_order_for_ballots(services: Services, sessions) -> None:
    async with sessions() as s:
        if s.get_bind().dialect.name != "sqlite":
            pytest.skip("SQLite storage detail")
    await ready(services)
    poll = await new_poll(services)
    for voter in await members(services, 6):
        await services.polls.vote(voter, poll.id, [0])
    async with sessions() as s:
        with pytest.raises(Exception, match="rowid"):
            await s.execute(text("SELECT rowid FROM poll_ballots"))
        stored = list(await s.scalars(text("SELECT voter_key FROM poll_ballots")))
        assert stored == sorted(stored)  # kept in (random) key order, not casting order


async def test_no_worker_command_shows_anonymous_choices(services: Services) -> None:
    await ready(services)
    poll = await new_poll(services, results_hidden=False)
    [sam] = await members(services, 1)
    await services.polls.vote(sam, poll.id, [1])
    with pytest.raises(NotAllowed, match="anonymous"):
        await services.polls.named_votes(WORKER, poll.id)
    results = await services.polls.results(WORKER, poll.id)
    assert results.counts == (0, 1, 0)
    assert not any(str(sam.user_id) in repr(v) for v in vars(results).values())


async def test_export_shows_named_choices_and_only_participation_in_anonymous(
    services: Services,
) -> None:
    await ready(services)
    named = await new_poll(services, anonymous=False, question="Named one?")
    anonymous = await new_poll(services, question="Secret one?")
    [sam] = await members(services, 1)
    await services.polls.vote(sam, named.id, [1])
    await services.polls.vote(sam, anonymous.id, [2])
    data = (await services.membership.export(sam))["polls"]
    by_poll = {v["poll"]: v for v in data["votes"]}
    assert by_poll[named.id]["your_choices"] == ["Wednesday"]
    assert by_poll[anonymous.id] == {
        "poll": anonymous.id,
        "question": "Secret one?",
        "anonymous": True,
        "note": ANONYMOUS_NOTE,
    }
    assert "Thursday" not in repr(data)


async def test_forget_unlinks_ballots_but_keeps_them_counted(services: Services, sessions) -> None:
    await ready(services)
    named = await new_poll(services, anonymous=False)
    anonymous = await new_poll(services)
    closed_named = await new_poll(services, anonymous=False)
    sam, other = await members(services, 2)
    for poll in (named, anonymous, closed_named):
        await services.polls.vote(sam, poll.id, [0])
        await services.polls.vote(other, poll.id, [1])
    await services.polls.close(WORKER, closed_named.id)
    async with sessions() as s:
        sam_member_id = await s.scalar(
            select(Contribution.member_id).where(Contribution.source_key == f"poll:{named.id}")
        )
    await services.membership.forget(sam)
    rows = await _all_rows(sessions)
    for table in ("polls", "poll_ballots", "contributions"):
        for row in rows[table]:
            assert sam.user_id not in row.values(), table
            assert sam_member_id not in [v for k, v in row.items() if k.endswith("member_id")]
    async with sessions() as s:
        secret = await s.scalar(select(Poll.ballot_secret).where(Poll.id == anonymous.id))
        assert secret is not None
        key = voter_key(secret, sam.user_id)
        assert await s.scalar(select(PollBallot).where(PollBallot.voter_key == key)) is None
    for poll in (named, anonymous):
        closed = await services.polls.close(WORKER, poll.id)
        assert closed.results.counts == (1, 1, 0) and closed.results.total_ballots == 2
    votes = await services.polls.named_votes(WORKER, closed_named.id)
    assert sorted((v.user_id is None, v.labels) for v in votes) == [
        (False, ("Wednesday",)),
        (True, ("Monday",)),
    ]


async def test_erasing_a_worker_removes_their_id_from_polls(services: Services, sessions) -> None:
    await ready(services)
    poll = await new_poll(services)
    await services.polls.close(WORKER, poll.id)
    async with sessions.begin() as s:
        await PollsPersonalData().erase(s, GUILD, WORKER.user_id, member_id=-1)
    async with sessions() as s:
        stored = await s.get(Poll, poll.id)
        assert stored is not None and stored.created_by is None and stored.closed_by is None
        # Staff actions stay in the audit log (membership's erasure unlinks the actor).
        assert await s.scalar(select(AuditEntry.action).where(AuditEntry.action == "poll.close"))


async def test_debug_logging_never_shows_a_voter_next_to_a_ballot(services: Services) -> None:
    import io

    from bot.logs import configure_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    configure_logging("DEBUG", stream)
    try:
        await ready(services)
        poll = await new_poll(services)
        [sam] = await members(services, 1)
        await services.polls.vote(sam, poll.id, [1])
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for name in ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool"):
            logging.getLogger(name).setLevel(logging.NOTSET)
    assert str(sam.user_id) not in stream.getvalue()


async def test_postgres_system_columns_do_not_join_ballots_to_contributions(
    services: Services, sessions
) -> None:
    async with sessions() as s:
        if s.get_bind().dialect.name != "postgresql":
            pytest.skip("PostgreSQL system columns")
    await ready(services)
    poll = await new_poll(services)
    for voter in await members(services, 4):
        await services.polls.vote(voter, poll.id, [0])
    async with sessions() as s:
        # While open, a ballot and its contribution share the transaction id that wrote them.
        ballot_xmins = set(await s.scalars(text("SELECT xmin::text FROM poll_ballots")))
        contribution_xmins = set(await s.scalars(text("SELECT xmin::text FROM contributions")))
        assert ballot_xmins & contribution_xmins
    await services.polls.close(WORKER, poll.id)
    async with sessions() as s:
        ballot_xmins = set(await s.scalars(text("SELECT xmin::text FROM poll_ballots")))
        contribution_xmins = set(await s.scalars(text("SELECT xmin::text FROM contributions")))
        assert len(ballot_xmins) == 1 and not ballot_xmins & contribution_xmins
        by_position = list(
            await s.scalars(text("SELECT voter_key FROM poll_ballots ORDER BY ctid"))
        )
        assert by_position == sorted(by_position)  # stored in (random) key order
    assert (await services.polls.results(WORKER, poll.id)).counts == (4, 0, 0)
