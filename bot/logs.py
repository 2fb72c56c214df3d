"""Structured logging: one line per event, key=value pairs, no personal data by design."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime


class KeyValueFormatter(logging.Formatter):
    """Format records as `ts=... level=... logger=... msg="..."` for easy grepping."""

    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        message = record.getMessage().replace('"', "'")
        line = f'ts={ts} level={record.levelname} logger={record.name} msg="{message}"'
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _not_about_voice(record: logging.LogRecord) -> bool:
    # The bot never joins voice, so discord.py's voice-library warnings are noise.
    return "voice will NOT be supported" not in record.getMessage()


def configure_logging(level: str, stream: object = None) -> None:
    """Send every log record to stderr (or the given stream) in key=value form."""
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(KeyValueFormatter())
    handler.addFilter(_not_about_voice)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Chatter that drowns what matters: the stand-in's access log and every scheduler wake-up.
    for name in ("alembic.runtime.plugins", "aiohttp.access", "apscheduler"):
        logging.getLogger(name).setLevel(max(logging.getLevelName(level), logging.WARNING))
    logging.getLogger("discord").setLevel(max(logging.getLevelName(level), logging.INFO))
    # The database layer logs every statement with its parameters at INFO/DEBUG, which would
    # put a voter's id next to their anonymous ballot in the log: keep it at WARNING always.
    for name in ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool"):
        logging.getLogger(name).setLevel(max(logging.getLevelName(level), logging.WARNING))
