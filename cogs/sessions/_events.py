"""What the bot notes when session work falls due; the messages themselves go by the outbox.

Each claim (a reminder, a quorum check, a wrap-up, a place freed by someone leaving) owed its
messages in the same transaction, and `_deliveries.py` sends them. These handlers only log
the decision, so the scheduler knows every event it is handed has a home.
"""

from __future__ import annotations

import logging

from bot.services.sessions import Promotion, QuorumAlert, SessionEnded
from bot.services.sessions import SessionReminder as ReminderEvent

log = logging.getLogger(__name__)


async def on_reminder(event: ReminderEvent) -> None:
    """Note a reminder claim; its DM was owed in the same transaction."""
    log.info("session %s: %s reminder owed", event.session_id, event.kind)


async def on_quorum(alert: QuorumAlert) -> None:
    """Note a short session; the alert to the workers was owed with the check."""
    log.info("session %s is short (%s going); workers are told", alert.session_id, alert.going)


async def on_ended(ended: SessionEnded) -> None:
    """Note a session's end; the prompt to the workers was owed with the claim."""
    log.info("session %s ended; workers are prompted", ended.session_id)


async def on_promoted(event: Promotion) -> None:
    """Note a place given from the waiting list; the news was owed with the place."""
    log.info("session %s: a place went to the next person waiting", event.session.id)
