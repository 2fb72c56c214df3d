"""Anonymous consultations: nothing reachable by workers, and no row, links a member to answers."""

from __future__ import annotations

import csv
import io
import logging
from typing import Any

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import (
    Consultation,
    ConsultationAnswer,
    ConsultationRespondent,
    Contribution,
    Member,
)
from bot.services.container import Services
from bot.services.errors import Conflict
from tests.conftest import WORKER
from tests.services.helpers import approved_member, set_up_guild
from tests.services.test_consultations_helpers import open_consultation

NAMES = ["Ana", "Ben", "Cat", "Dev"]


async def _all_rows(sessions: async_sessionmaker[AsyncSession]) -> dict[str, list[dict[str, Any]]]:
    async with sessions() as s:
        conn = await s.connection()
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        found = {}
        for table in tables:
            result = await s.execute(text(f'SELECT * FROM "{table}"'))
            found[table] = [dict(r._mapping) for r in result]
        return found


async def _run_anonymous(services: Services, caplog: pytest.LogCaptureFixture) -> dict[str, Any]:
    # INFO is the level the bot runs at. (At DEBUG, aiosqlite logs every SQL parameter,
    # answers included: bot/logs.py should keep the "aiosqlite" logger at WARNING.)
    caplog.set_level(logging.INFO)
    await set_up_guild(services)
    c = services.consultations
    members = [await approved_member(services, 5001 + i, n) for i, n in enumerate(NAMES)]
    view = await open_consultation(services, anonymous=True)
    secrets_typed = {}
    for i, m in enumerate(members):
        q = view.questions
        await c.answering.answer_choices(m, view.id, q[0].id, [i % 3])
        await c.answering.answer_scale(m, view.id, q[2].id, 1 + i)
        secret_text = f"private words of {NAMES[i]}-{i}"
        await c.answering.answer_text(m, view.id, q[3].id, secret_text)
        secrets_typed[m.user_id] = secret_text
    # A member changes an answer and resumes: the HMAC finds their own row while open.
    step = await c.answering.question_at(members[0], view.id, 3)
    assert step.current is not None and step.current.scale == 1
    with pytest.raises(Conflict, match="So far 4 people have taken part"):
        await c.results.results(WORKER, view.id)
    with pytest.raises(Conflict, match="shown once it closes"):
        await c.results.export_csv(WORKER, view.id)
    await c.closing.close(WORKER, view.id)
    return {"view": view, "members": members, "typed": secrets_typed}


async def test_no_row_joins_a_member_to_an_answer(
    services: Services, sessions, caplog: pytest.LogCaptureFixture
) -> None:
    run = await _run_anonymous(services, caplog)
    view = run["view"]
    async with sessions() as s:
        members = list(await s.scalars(select(Member)))
        respondents = list(await s.scalars(select(ConsultationRespondent)))
        answers = list(await s.scalars(select(ConsultationAnswer)))
        consultation = await s.get(Consultation, view.id)
        contributions = list(await s.scalars(select(Contribution)))
    assert consultation is not None and consultation.secret is None
    assert len(respondents) == 4
    assert all(r.member_id is None and r.key is None for r in respondents)
    assert all(len(r.id) == 32 for r in respondents)
    # The contribution's time is the opening time, the same for everyone.
    assert {c.occurred_at for c in contributions} == {consultation.opened_at}
    assert {c.recorded_at for c in contributions} == {consultation.opened_at}
    assert len(answers) == 12

    user_ids = {m.user_id for m in members}
    member_ids = {m.id for m in members}
    names = {m.preferred_name for m in members}
    typed = set(run["typed"].values())
    for table, rows in (await _all_rows(sessions)).items():
        for row in rows:
            values = {repr(v) if isinstance(v, list | dict) else v for v in row.values()}
            holds_answer = bool(typed & {str(v) for v in values})
            if table == "consultation_answers":
                holds_answer = True
            if not holds_answer:
                continue
            assert not (values & user_ids), (table, row)
            assert not ({str(v) for v in values} & names), (table, row)
            for column, value in row.items():
                if column.endswith("member_id"):
                    assert value not in member_ids, (table, row)


async def test_only_answers_reference_respondents(sessions, services: Services) -> None:
    # Structure: the respondent rows are reachable only from answers, and neither table has
    # a column that could carry a member's identity in an anonymous consultation.
    async with sessions() as s:
        conn = await s.connection()

        def foreign_keys(sync_conn: Any) -> list[tuple[str, str]]:
            insp = inspect(sync_conn)
            return [
                (table, fk["referred_table"])
                for table in insp.get_table_names()
                for fk in insp.get_foreign_keys(table)
            ]

        fks = await conn.run_sync(foreign_keys)
    referrers = {t for t, ref in fks if ref == "consultation_respondents"}
    assert referrers == {"consultation_answers"}
    answer_refs = {ref for t, ref in fks if t == "consultation_answers"}
    assert answer_refs == {"consultation_respondents", "consultation_questions"}
    columns = {c.name for c in ConsultationAnswer.__table__.columns}
    assert not {c for c in columns if "time" in c or c.endswith("_at") or "member" in c}


async def test_results_and_csv_show_no_names(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    run = await _run_anonymous(services, caplog)
    view = run["view"]
    results = await services.consultations.results.results(WORKER, view.id)
    texts = results.questions[3].texts
    assert {t.text for t in texts} == set(run["typed"].values())
    assert all(t.name is None for t in texts)
    assert results.respondents == 4
    data = (await services.consultations.results.export_csv(WORKER, view.id)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert [r[0] for r in rows[1:]] == [f"Respondent {i}" for i in range(1, 5)]
    for name in NAMES:
        assert f"{name}\n" not in data and f",{name}," not in data
    for member in run["members"]:
        assert str(member.user_id) not in data
    # Logs: no answer text and no user id anywhere in what was logged.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for typed in run["typed"].values():
        assert typed not in logged
    for member in run["members"]:
        assert str(member.user_id) not in logged


async def test_respondent_rows_rewritten_at_close(
    services: Services, sessions, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await set_up_guild(services)
    c = services.consultations
    members = [await approved_member(services, 5101 + i) for i in range(6)]
    view = await open_consultation(services, anonymous=True)
    for i, m in enumerate(members):
        await c.answering.answer_scale(m, view.id, view.questions[2].id, 1 + i % 5)
    async with sessions() as s:
        before = set(await s.scalars(select(ConsultationRespondent.id)))
    await c.closing.close(WORKER, view.id)
    async with sessions() as s:
        after = set(await s.scalars(select(ConsultationRespondent.id)))
        scales = sorted(await s.scalars(select(ConsultationAnswer.scale)))
    assert len(after) == 6 and not (before & after)
    assert scales == sorted(1 + i % 5 for i in range(6))


async def test_member_sees_own_answers_only_while_open(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    run = await _run_anonymous(services, caplog)
    member = run["members"][0]
    exported = await services.membership.export(member)
    section = exported["consultations"]
    assert section["named_answers"] == []
    assert section["took_part_in"][0]["anonymous"] is True
    assert run["typed"][member.user_id] not in str(exported)
