"""How ballots are keyed and stored so that an anonymous poll cannot link a member to a choice.

Anonymity by construction
-------------------------
A ballot is one row of ``poll_ballots``: ``(poll_id, voter_key, choices, member_id)``.

* ``voter_key`` is ``HMAC-SHA256(poll secret, Discord user id)`` in hex. The poll secret is 32
  random bytes made when the poll is created and kept in ``polls.ballot_secret`` only while
  the poll is open, because the bot needs it to find a voter's ballot when they change their
  mind. At close the secret is set to NULL in the same transaction that closes the poll; from
  then on nobody, the bot included, can tell whose ballot a key is: the user ids of the group
  are known, but without the 256-bit secret no one can compute their keys.
* ``member_id`` is filled in for named polls only. An anonymous poll never writes it, and
  turning a named poll anonymous (allowed; the reverse is refused) clears it.
* The row has no surrogate id and no timestamp, and on SQLite the table is ``WITHOUT ROWID``:
  rows are kept in ``voter_key`` order, which is random, so neither a column nor the storage
  order tells when a ballot was cast or changed. Without a time there is nothing to line up
  against the contribution a vote records.
* The contribution (``contributions`` row, ``source_key="poll:{id}"``) does name the member,
  because taking part counts towards their level; it records *that* they voted, never *what*.
  For an anonymous poll its ``occurred_at`` and ``recorded_at`` are both the poll's opening
  time, the same for every voter, so even its timestamps say nothing about when they voted.
  (Contribution ids do follow the order of first votes, but ballots have no order to match.)
* At close every ballot is deleted and written again, in key order, in the closing
  transaction. On PostgreSQL a row also carries hidden system columns: the id of the
  transaction that wrote it (xmin, which a ballot shares with the contribution recorded in the
  same transaction) and its physical position (ctid, which follows the order of writing).
  After the rewrite all ballots carry the close's transaction id and sit in random key order.
* Nothing about a vote is logged or audited (the database layer, whose statement logging
  would show parameters, is held at WARNING by bot/logs.py); no service method returns
  another person's choice in an anonymous poll; /mydata says only "you voted in this poll";
  /forgetme re-keys the person's ballot in an open poll with random bytes, so it stays
  counted but unlinked, and leaves only a mark (``poll_erased_voters``: the poll and the key
  their ballot had, nothing else) so that re-joining cannot cast a second ballot. The ballot is
  kept rather than withdrawn because withdrawing it would change the live counts at a moment
  everyone can tie to that person, giving their choice away. The marks go at close.

Limits, stated honestly: while a poll is open, someone with direct access to the database
file (not a worker: workers only have the bot's commands) could read the secret and compute
keys; that is the price of letting people change their vote, and it ends at close. Old row
versions and pages (PostgreSQL dead tuples before VACUUM, SQLite free pages and WAL) are out
of reach of SQL but could be recovered from the database files with forensic tools. Results
shown while a poll is open can be watched for changes, which is why hidden results are the
default. Tiny polls reveal choices through the totals themselves (one voter, one vote).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import PollBallot
from bot.db.models.polls import PollErasedVoter
from bot.db.upsert import insert_for
from bot.services.base import changed

SECRET_BYTES = 32
KEY_HEX_LENGTH = 64


def new_secret() -> bytes:
    """Return a fresh random per-poll secret."""
    return secrets.token_bytes(SECRET_BYTES)


def voter_key(secret: bytes, user_id: int) -> str:
    """Return the ballot key of a Discord user in the poll that owns this secret."""
    return hmac.new(secret, str(user_id).encode("ascii"), hashlib.sha256).hexdigest()


def unlinked_key() -> str:
    """Return a random key that looks like any other and belongs to nobody."""
    return secrets.token_hex(SECRET_BYTES)


def to_mask(indexes: list[int] | tuple[int, ...]) -> int:
    """Return the bit mask for a set of option indexes."""
    mask = 0
    for index in indexes:
        mask |= 1 << index
    return mask


def from_mask(mask: int) -> tuple[int, ...]:
    """Return the option indexes set in a bit mask, lowest first."""
    return tuple(i for i in range(mask.bit_length()) if mask >> i & 1)


async def cast(s: AsyncSession, poll_id: int, key: str, mask: int, member_id: int | None) -> None:
    """Store a voter's ballot, replacing their earlier one in one atomic statement."""
    stmt = insert_for(s, PollBallot).values(
        poll_id=poll_id, voter_key=key, choices=mask, member_id=member_id
    )
    await s.execute(
        stmt.on_conflict_do_update(
            index_elements=["poll_id", "voter_key"],
            set_={"choices": mask, "member_id": member_id},
        )
    )


async def choices_of(s: AsyncSession, poll_id: int, key: str) -> tuple[int, ...] | None:
    """Return the options chosen on the ballot with this key, or None if there is none."""
    mask = await s.scalar(
        select(PollBallot.choices).where(PollBallot.poll_id == poll_id, PollBallot.voter_key == key)
    )
    return None if mask is None else from_mask(mask)


async def keys_cast(s: AsyncSession, poll_id: int) -> set[str]:
    """Return the keys of every ballot cast in a poll."""
    return set(await s.scalars(select(PollBallot.voter_key).where(PollBallot.poll_id == poll_id)))


async def keys_voted(s: AsyncSession, poll_id: int) -> set[str]:
    """Return the keys of everyone who has voted, including those who erased their data."""
    marks = await s.scalars(
        select(PollErasedVoter.voter_key).where(PollErasedVoter.poll_id == poll_id)
    )
    return await keys_cast(s, poll_id) | set(marks)


async def voted_before_erasure(s: AsyncSession, poll_id: int, key: str) -> bool:
    """Tell whether this key's owner voted, then erased their data (their ballot is unlinked)."""
    found = await s.get(PollErasedVoter, (poll_id, key))
    return found is not None


async def unlink_erased(s: AsyncSession, poll_id: int, key: str) -> None:
    """Unlink an erased person's ballot in an open poll, and mark that they have voted.

    Every ballot of the poll is written again in this transaction: on PostgreSQL the re-keyed
    ballot would otherwise be the only one sharing the mark's transaction id (xmin).
    """
    if await unlink(s, poll_id, key):
        await rewrite_all(s, poll_id)
        stmt = insert_for(s, PollErasedVoter).values(poll_id=poll_id, voter_key=key)
        await s.execute(stmt.on_conflict_do_nothing(index_elements=["poll_id", "voter_key"]))


async def forget_erased(s: AsyncSession, poll_id: int) -> None:
    """Drop a closing poll's erasure marks: without the secret they would mean nothing."""
    await s.execute(delete(PollErasedVoter).where(PollErasedVoter.poll_id == poll_id))


async def forget_names(s: AsyncSession, poll_id: int) -> None:
    """Clear who cast each ballot, when a named poll is turned anonymous."""
    await s.execute(update(PollBallot).where(PollBallot.poll_id == poll_id).values(member_id=None))


async def unlink(s: AsyncSession, poll_id: int, key: str) -> bool:
    """Give one ballot a random key and no member: it stays counted but belongs to nobody."""
    return (
        await changed(
            s,
            update(PollBallot)
            .where(PollBallot.poll_id == poll_id, PollBallot.voter_key == key)
            .values(voter_key=unlinked_key(), member_id=None),
        )
        == 1
    )


async def rewrite_all(s: AsyncSession, poll_id: int) -> None:
    """Write every ballot again, in random key order, inside the closing transaction.

    PostgreSQL keeps, on each row, the id of the transaction that wrote it (xmin) and a
    physical position (ctid): a ballot written in the same transaction as the voter's
    contribution could be matched to it through them. Rewritten here, every ballot carries
    the close's transaction id and sits in key order, which says nothing about who or when.
    """
    rows = (
        await s.execute(
            select(PollBallot.voter_key, PollBallot.choices, PollBallot.member_id)
            .where(PollBallot.poll_id == poll_id)
            .order_by(PollBallot.voter_key)
        )
    ).all()
    if not rows:
        return
    await s.execute(delete(PollBallot).where(PollBallot.poll_id == poll_id))
    await s.execute(
        insert(PollBallot),
        [
            {"poll_id": poll_id, "voter_key": key, "choices": choices, "member_id": member_id}
            for key, choices, member_id in rows
        ],
    )
